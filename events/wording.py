"""A reported figure, and a release's details, in words, as every page, export and feed shows them."""

from django.utils.translation import gettext as _

# The words before the number, per qualifier; a range is worded on its own.
_LEAD = {
    "exact": "",
    "approximately": "about ",
    "almost": "almost ",
    "just_over": "just over ",
    "more_than": "over ",
    "at_least": "at least ",
    "fewer_than": "fewer than ",
    "at_most": "at most ",
}


def number_in_words(value: int) -> str:
    return f"{value:,}"


def figure_in_words(value: int, qualifier: str, upper_value: int | None = None) -> str:
    """'over 430', 'about 1,200', '167', 'between 40 and 52'."""
    if qualifier == "range":
        if upper_value is None:
            raise ValueError("A range needs an upper value.")
        if upper_value < value:
            raise ValueError(f"A range cannot end ({upper_value}) below its start ({value}).")
        if upper_value == value:
            return number_in_words(value)
        return f"between {number_in_words(value)} and {number_in_words(upper_value)}"
    if qualifier not in _LEAD:
        raise ValueError(f"Unknown qualifier {qualifier!r}")
    return _LEAD[qualifier] + number_in_words(value)


def whose_count(attributed, publisher):
    """The organisation whose count a figure is: the one it is attributed to (Viasna's count quoted by a news
    agency), else its source's publisher; only one the public may see named (public_name). None for neither.
    The headline's "according to" (Figure.according_to) and the chart's series (events.charts.series_of) both
    go by it."""
    for organisation in (attributed, publisher):
        if organisation is not None and organisation.public_name:
            return organisation
    return None


def release_detail_in_words(mode: str, destination: str, country: str, share: str) -> str:
    """One detail of a release (events.models.Release) in words: "Pardon", "Forced deportation to Vilnius,
    Lithuania (most of them)", "Sent to Poland (some of them)". `mode` and `country` are names, as shown.

    Each phrase is whole, with its parts as placeholders, for languages that order them otherwise (#16).
    """
    # The country is named once: "Vilnius, Lithuania" with Lithuania as its country is not said twice.
    if destination and country and country not in destination:
        place = _("%(place)s, %(country)s") % {"place": destination, "country": country}
    else:
        place = destination or country
    if mode and place:
        words = _("%(mode)s to %(place)s") % {"mode": mode, "place": place}
    elif place:
        words = _("Sent to %(place)s") % {"place": place}
    else:
        words = mode
    if share == "most":
        return _("%(detail)s (most of them)") % {"detail": words}
    if share == "some":
        return _("%(detail)s (some of them)") % {"detail": words}
    return words
