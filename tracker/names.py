"""How a person is named in public. Every public output calls `public_name`."""
import re

WITHHELD = "Name withheld"

# A name part starts at a letter; hyphenated parts keep their hyphen ("J.-L.").
_PART = re.compile(r"[^\W\d_][\w'’]*", re.UNICODE)


def initials(name: str) -> str:
    """'Sviatlana Tsikhanouskaya' -> 'S. T.'; 'Jean-Luc Picard' -> 'J.-L. P.'"""
    words = []
    for word in name.split():
        letters = [part[0].upper() + "." for part in _PART.findall(word)]
        if letters:
            words.append("-".join(letters))
    return " ".join(words)


def public_name(person) -> str:
    """The person's name as far as their identity level allows.

    A person who is not published is withheld too: a published event may
    point at a person an editor has not yet cleared.
    """
    from tracker.models import Person

    if person is None:
        return ""
    if not person.is_published or person.identity_level == Person.IdentityLevel.WITHHELD:
        return WITHHELD
    if person.identity_level == Person.IdentityLevel.INITIALS:
        return initials(person.name) or WITHHELD
    if person.identity_level == Person.IdentityLevel.FULL:
        return person.name
    # An unknown level is treated as the strictest one.
    return WITHHELD
