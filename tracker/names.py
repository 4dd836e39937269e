"""How a person is named in public. Every public output calls `public_name`."""

import unicodedata

WITHHELD = "Name withheld"

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
    if identity_level == "initials":
        return initials(name) or WITHHELD
    if identity_level == "full":
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
    if identity_level not in ("full", "initials"):
        return "", ""
    shown = published_name(name, identity_level)
    return shown[:300], unicodedata.normalize("NFC", shown).casefold()[:300]
