"""How dates, figures and names read in public: the functions every page, export and feed calls."""

import datetime
import unicodedata

import pytest
from django.template import Context, Template

from events.models import Figure
from events.wording import figure_in_words
from tracker.dates import PreciseDate, Precision, date_in_words, date_iso, truncate
from tracker.models import Person
from tracker.names import WITHHELD, initials, public_name
from tracker.publishing import Status

# Dates


@pytest.mark.parametrize(
    "value, precision, words",
    [
        (datetime.date(2025, 12, 12), "day", "12 December 2025"),
        (datetime.date(2024, 7, 1), "day", "1 July 2024"),
        (datetime.date(2025, 1, 31), "day", "31 January 2025"),
        (datetime.date(2024, 2, 29), "day", "29 February 2024"),
        (datetime.date(2025, 9, 1), "month", "September 2025"),
        (datetime.date(2025, 9, 17), "month", "September 2025"),
        (datetime.date(2024, 5, 1), "month", "May 2024"),
        (datetime.date(2025, 1, 1), "year", "2025"),
        (datetime.date(2025, 9, 17), "year", "2025"),
        (datetime.date(999, 3, 4), "year", "999"),
        (datetime.date(2025, 12, 12), Precision.DAY, "12 December 2025"),
    ],
)
def test_date_in_words_says_only_what_the_precision_knows(value, precision, words):
    assert date_in_words(value, precision) == words


@pytest.mark.parametrize("precision", ["day", "month", "year"])
def test_date_in_words_of_no_date_is_empty(precision):
    assert date_in_words(None, precision) == ""


@pytest.mark.parametrize(
    "month, name", [(1, "January"), (3, "March"), (6, "June"), (8, "August"), (10, "October"), (11, "November")]
)
def test_date_in_words_names_the_month_in_english(month, name):
    assert date_in_words(datetime.date(2025, month, 1), "month") == f"{name} 2025"


@pytest.mark.parametrize("function", [date_in_words, date_iso])
def test_unknown_precision_is_an_error_not_a_guess(function):
    with pytest.raises(ValueError, match="week"):
        function(datetime.date(2025, 12, 12), "week")


@pytest.mark.parametrize(
    "value, precision, iso",
    [
        (datetime.date(2025, 12, 12), "day", "2025-12-12"),
        (datetime.date(2024, 7, 1), "day", "2024-07-01"),
        (datetime.date(2025, 9, 1), "month", "2025-09"),
        (datetime.date(2025, 9, 17), "month", "2025-09"),
        (datetime.date(2025, 1, 1), "year", "2025"),
        (datetime.date(2025, 9, 17), "year", "2025"),
        (datetime.date(999, 3, 4), "year", "0999"),
        (datetime.date(999, 3, 4), "month", "0999-03"),
        (datetime.date(999, 3, 4), "day", "0999-03-04"),
        (datetime.date(45, 1, 1), "year", "0045"),
    ],
)
def test_date_iso_is_reduced_to_the_precision(value, precision, iso):
    assert date_iso(value, precision) == iso


def test_date_iso_of_no_date_is_empty():
    assert date_iso(None, "day") == ""


@pytest.mark.parametrize(
    "precision, first_day",
    [
        ("day", datetime.date(2025, 9, 17)),
        ("month", datetime.date(2025, 9, 1)),
        ("year", datetime.date(2025, 1, 1)),
    ],
)
def test_truncate_gives_the_first_day_of_the_period(precision, first_day):
    assert truncate(datetime.date(2025, 9, 17), precision) == first_day


@pytest.mark.parametrize("precision", ["day", "month", "year"])
def test_truncate_keeps_no_date_as_none(precision):
    assert truncate(None, precision) is None


@pytest.mark.parametrize("precision", ["month", "year"])
def test_truncate_is_idempotent(precision):
    once = truncate(datetime.date(2024, 7, 23), precision)
    assert truncate(once, precision) == once


@pytest.mark.parametrize(
    "value, precision, words, iso",
    [
        (datetime.date(2025, 12, 12), "day", "12 December 2025", "2025-12-12"),
        (datetime.date(2025, 9, 1), "month", "September 2025", "2025-09"),
        (datetime.date(2024, 1, 1), "year", "2024", "2024"),
    ],
)
def test_precise_date_prints_in_words_and_iso(value, precision, words, iso):
    date = PreciseDate(value, precision)
    assert (str(date), date.iso) == (words, iso)


def test_precise_date_in_a_template_reads_in_words():
    rendered = Template("Since {{ since }}.").render(
        Context({"since": PreciseDate(datetime.date(2024, 7, 1), "month")})
    )
    assert rendered == "Since July 2024."


def test_precise_date_of_no_date_is_none():
    assert PreciseDate.of(None, "day") is None


def test_precise_date_of_a_date_keeps_its_precision():
    assert PreciseDate.of(datetime.date(2025, 9, 1), "month") == PreciseDate(datetime.date(2025, 9, 1), "month")


def test_precise_dates_of_different_precision_differ():
    assert PreciseDate(datetime.date(2025, 9, 1), "month") != PreciseDate(datetime.date(2025, 9, 1), "day")


# Figures


@pytest.mark.parametrize(
    "value, qualifier, upper_value, words",
    [
        (430, "more_than", None, "over 430"),
        (1200, "approximately", None, "about 1,200"),
        (1200, "almost", None, "almost 1,200"),
        (430, "just_over", None, "just over 430"),
        (167, "exact", None, "167"),
        (10, "at_least", None, "at least 10"),
        (5, "fewer_than", None, "fewer than 5"),
        (5, "at_most", None, "at most 5"),
        (40, "range", 52, "between 40 and 52"),
        (1200, "range", 1500, "between 1,200 and 1,500"),
        (40, "range", 40, "40"),
        (0, "exact", None, "0"),
        (0, "range", 0, "0"),
        (999, "exact", None, "999"),
        (1000, "exact", None, "1,000"),
        (1_000_000, "exact", None, "1,000,000"),
        (1_000_000, "approximately", None, "about 1,000,000"),
    ],
)
def test_figure_in_words(value, qualifier, upper_value, words):
    assert figure_in_words(value, qualifier, upper_value) == words


def test_every_qualifier_the_model_allows_has_its_own_wording():
    worded = [
        figure_in_words(3, qualifier, 4 if qualifier == "range" else None) for qualifier in Figure.Qualifier.values
    ]
    assert len(set(worded)) == len(Figure.Qualifier.values)


@pytest.mark.parametrize("qualifier", ["roughly", "", "RANGE", "Exact"])
def test_figure_in_words_refuses_an_unknown_qualifier(qualifier):
    with pytest.raises(ValueError, match="Unknown qualifier"):
        figure_in_words(430, qualifier)


def test_figure_in_words_refuses_a_range_without_upper_value():
    with pytest.raises(ValueError, match="upper value"):
        figure_in_words(40, "range")


def test_figure_in_words_refuses_a_range_ending_below_its_start():
    with pytest.raises(ValueError, match="below its start"):
        figure_in_words(52, "range", 40)


# Names


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Sviatlana Tsikhanouskaya", "S. T."),
        ("Святлана Ціханоўская", "С. Ц."),
        ("Сяргей Ціханоўскі", "С. Ц."),
        ("Jean-Luc Picard", "J.-L. P."),
        ("Анна-Марыя Кавалёва", "А.-М. К."),
        ("  Sviatlana   Tsikhanouskaya  ", "S. T."),
        ("sviatlana tsikhanouskaya", "S. T."),
        ("святлана ціханоўская", "С. Ц."),
        ("Seán O'Brien", "S. O."),
        ("Seán O’Brien", "S. O."),
        ("Łukasz Ćwik", "Ł. Ć."),
        ("Ülkü Öz", "Ü. Ö."),
        ("Madonna", "M."),
        ("John Coale\tJr", "J. C. J."),
        ("John Coale 3rd", "J. C."),
        ("(Sasha) Ivanova", "S. I."),
        ("«Ales» Bialiatski", "A. B."),
    ],
)
def test_initials(name, expected):
    assert initials(name) == expected


@pytest.mark.parametrize("name", ["", "   ", "-", "123", "'"])
def test_initials_of_a_name_without_letters_is_empty(name):
    assert initials(name) == ""


def test_initials_of_a_decomposed_name_match_the_composed_one():
    name = "Йосип Ёрш"
    assert initials(unicodedata.normalize("NFD", name)) == initials(name) == "Й. Ё."


def person(**kwargs):
    kwargs.setdefault("name", "Sviatlana Tsikhanouskaya")
    kwargs.setdefault("status", Status.PUBLISHED)
    return Person(**kwargs)


@pytest.mark.parametrize(
    "identity_level, shown",
    [
        (Person.IdentityLevel.FULL, "Sviatlana Tsikhanouskaya"),
        (Person.IdentityLevel.INITIALS, "S. T."),
        (Person.IdentityLevel.WITHHELD, "Name withheld"),
    ],
)
def test_public_name_applies_the_identity_level(identity_level, shown):
    someone = person(identity_level=identity_level)
    assert public_name(someone) == someone.public_name == shown


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.RETRACTED])
@pytest.mark.parametrize("identity_level", Person.IdentityLevel.values)
def test_public_name_of_an_unpublished_person_is_withheld_at_every_level(status, identity_level):
    assert public_name(person(status=status, identity_level=identity_level)) == WITHHELD == "Name withheld"


def test_public_name_of_nobody_is_empty():
    assert public_name(None) == ""


def test_public_name_treats_an_unknown_level_as_withheld():
    assert public_name(person(identity_level="nickname")) == WITHHELD


def test_public_name_at_initials_level_never_shows_the_name():
    shown = public_name(person(name="Ihar Losik", identity_level=Person.IdentityLevel.INITIALS))
    assert shown == "I. L."
    assert "Ihar" not in shown and "Losik" not in shown


def test_public_name_withholds_initials_that_would_be_empty():
    assert public_name(person(name="—", identity_level=Person.IdentityLevel.INITIALS)) == WITHHELD


def test_a_new_person_is_withheld_by_default():
    assert public_name(Person(name="Ihar Losik", status=Status.PUBLISHED)) == WITHHELD
