"""A reported figure, and a release's details, in words, as every page, export and feed shows them."""

import functools

from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _

# A figure in words, per qualifier: whole phrases with the number as a placeholder, so that a language puts its
# words where it does ("каля 1 200", "больш за 430", "ад 40 да 52"). Translated in locale/.
QUALIFIED = {
    "exact": pgettext_lazy("figure", "%(number)s"),
    "approximately": pgettext_lazy("figure", "about %(number)s"),
    "almost": pgettext_lazy("figure", "almost %(number)s"),
    "just_over": pgettext_lazy("figure", "just over %(number)s"),
    "more_than": pgettext_lazy("figure", "over %(number)s"),
    "at_least": pgettext_lazy("figure", "at least %(number)s"),
    "fewer_than": pgettext_lazy("figure", "fewer than %(number)s"),
    "at_most": pgettext_lazy("figure", "at most %(number)s"),
}
RANGE = pgettext_lazy("figure", "between %(low)s and %(high)s")
# How a language groups a number's thousands: "1,200"; "1 200" with a no-break space in Belarusian and Russian.
THOUSANDS = pgettext_lazy("thousands separator in a number", ",")


@functools.lru_cache(maxsize=16)
def figure_words(language: str | None) -> tuple[dict[str, str], str, str]:
    """(phrases per qualifier, range phrase, thousands separator) of a language, translated once (figures are
    written by the hundred on a page). Read in that language (get_language())."""
    return {qualifier: str(words) for qualifier, words in QUALIFIED.items()}, str(RANGE), str(THOUSANDS)


def number_in_words(value: int) -> str:
    """1200 as the page's language writes it: "1,200", "1 200"."""
    return f"{value:,}".replace(",", figure_words(get_language())[2])


def figure_in_words(value: int, qualifier: str, upper_value: int | None = None) -> str:
    """'over 430', 'about 1,200', '167', 'between 40 and 52', in the page's language."""
    phrases, between, _ = figure_words(get_language())
    if qualifier == "range":
        if upper_value is None:
            raise ValueError("A range needs an upper value.")
        if upper_value < value:
            raise ValueError(f"A range cannot end ({upper_value}) below its start ({value}).")
        if upper_value == value:
            return number_in_words(value)
        return between % {"low": number_in_words(value), "high": number_in_words(upper_value)}
    if qualifier not in phrases:
        raise ValueError(f"Unknown qualifier {qualifier!r}")
    return phrases[qualifier] % {"number": number_in_words(value)}


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
