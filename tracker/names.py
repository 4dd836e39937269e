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


def sort_name(name: str, identity_level: str) -> str:
    """The key the registry sorts a listed person by: the name the public sees, case-folded.

    A person shown by initials sorts by their initials: sorting by the stored
    name would place them among the others and narrow down who they are.
    People who are not listed (withheld, or any level this code does not
    know) get no key.
    """
    from tracker.models import Person

    if identity_level == Person.IdentityLevel.FULL:
        shown = name
    elif identity_level == Person.IdentityLevel.INITIALS:
        shown = initials(name)
    else:
        return ""
    return unicodedata.normalize("NFC", shown).casefold()[:300]


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
