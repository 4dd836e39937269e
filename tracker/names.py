"""How a person is named in public, and which people the public sees at all.

Every public output names a person through `public_name`. Three words, one
meaning each, everywhere in the code:

- **linked**: the person has a registry record (a detention), whatever their
  identity level; withheld people are counted, never shown.
- **listed**: a published person the public sees a row and a page of, named in
  full or by initials (`LISTED_LEVELS`, `PersonQuerySet.listed()`,
  `Person.is_listed`).
- **named**: a published person named in full (`NAMED_LEVELS`,
  `PersonQuerySet.named()`, `Person.is_named`).

What a listed person shows beyond the name is events/disclosure.py's. No other
module compares or filters on an identity level (tests/test_fences.py).
"""

import unicodedata

from django.db import models

WITHHELD = "Name withheld"


class IdentityLevel(models.TextChoices):
    FULL = "full", "Full name public"
    INITIALS = "initials", "Initials only"
    WITHHELD = "withheld", "Name withheld"


# The levels of the people the registry lists, and of those it names in full.
# Anything else, including a level this code does not know, is withheld.
LISTED_LEVELS = (IdentityLevel.FULL, IdentityLevel.INITIALS)
NAMED_LEVELS = (IdentityLevel.FULL,)

# Punctuation that may stand before a name part: “(Sasha)”, "«Ales»".
_OPENING = "\"'“”‘’«»„([{"


def initials(name: str) -> str:
    """'Sviatlana Tsikhanouskaya' -> 'S. T.'; 'Jean-Luc Picard' -> 'J.-L. P.'"""
    # Pasted names may carry decomposed letters (И + combining breve for Й).
    name = unicodedata.normalize("NFC", name)
    words = []
    for word in name.split():
        parts = (part.lstrip(_OPENING) for part in word.split("-"))
        letters = [part[0].upper() + "." for part in parts if part and part[0].isalpha()]
        if letters:
            words.append("-".join(letters))
    return " ".join(words)


def published_name(name: str, identity_level: str) -> str:
    """The name of a published person, as far as their identity level allows."""
    if identity_level == IdentityLevel.INITIALS:
        return initials(name) or WITHHELD
    if identity_level == IdentityLevel.FULL:
        return name
    # Withheld, and any level this code does not know: the strictest.
    return WITHHELD


def public_name(person) -> str:
    """The person's name as far as their identity level allows.

    A person who is not published is withheld too: a published event may
    point at a person an editor has not yet cleared.
    """
    if person is None:
        return ""
    if not person.is_published:
        return WITHHELD
    return published_name(person.name, person.identity_level)


def listed_names(name: str, identity_level: str) -> tuple[str, str]:
    """(shown, sort): the name the registry lists a published person under, and the key it sorts them by.

    `shown` is what public_name() gives the person once published; `sort` is
    that name case-folded. A person shown by initials sorts by their
    initials: sorting by the stored name would place them among the others
    and narrow down who they are. People who are not listed (withheld, or
    any level this code does not know) get neither.
    """
    if identity_level not in LISTED_LEVELS:
        return "", ""
    shown = published_name(name, identity_level)
    return shown[:300], unicodedata.normalize("NFC", shown).casefold()[:300]
