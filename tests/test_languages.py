"""Issue #16 point 2 (first part): dates, numbers, qualifiers, ages and counts in Belarusian and Russian grammar,
from the catalogues in locale/ (compiled by `make messages`), whole phrases with placeholders, never glued words.

The pages are not served in these languages yet; these are the words they will read.
"""

import datetime
import json
import re

import pytest
from django.utils import translation
from django.utils.translation import ngettext

from events.models import Measure
from events.registry_counts import registry_sentence
from events.wording import figure_in_words, number_in_words
from tracker.dates import date_in_words

NB = "\u00a0"
COUNTS = [1, 2, 5, 11, 21, 22, 25, 111]


@pytest.mark.parametrize(
    "language, day, month, year",
    [
        ("en", "13 December 2025", "September 2025", "2025"),
        ("be", "13 снежня 2025", "верасень 2025", "2025"),
        ("ru", "13 декабря 2025", "сентябрь 2025", "2025"),
    ],
)
def test_a_date_has_the_months_form_its_language_gives_it(language, day, month, year):
    # After a day the month is in the genitive; alone with its year, in the nominative.
    with translation.override(language):
        assert date_in_words(datetime.date(2025, 12, 13), "day") == day
        assert date_in_words(datetime.date(2025, 9, 1), "month") == month
        assert date_in_words(datetime.date(2025, 1, 1), "year") == year
    # Each language keeps its own words: one page's language never leaks into another's.
    with translation.override("en"):
        assert date_in_words(datetime.date(2025, 12, 13), "day") == "13 December 2025"


@pytest.mark.parametrize(
    "language, words",
    [
        (
            "en",
            ["about 1,200", "over 430", "167", "between 40 and 52", "almost 1,200", "fewer than 5", "1,234,567"],
        ),
        (
            "be",
            [
                f"каля 1{NB}200",
                "больш за 430",
                "167",
                "ад 40 да 52",
                f"амаль 1{NB}200",
                "менш за 5",
                f"1{NB}234{NB}567",
            ],
        ),
        (
            "ru",
            [f"около 1{NB}200", "более 430", "167", "от 40 до 52", f"почти 1{NB}200", "менее 5", f"1{NB}234{NB}567"],
        ),
    ],
)
def test_a_figure_is_said_with_its_qualifier_and_its_languages_grouping(language, words):
    with translation.override(language):
        assert [
            figure_in_words(1200, "approximately"),
            figure_in_words(430, "more_than"),
            figure_in_words(167, "exact"),
            figure_in_words(40, "range", 52),
            figure_in_words(1200, "almost"),
            figure_in_words(5, "fewer_than"),
            number_in_words(1234567),
        ] == words


DAYS_AGO = {
    "be": [
        "1 дзень таму",
        "2 дні таму",
        "5 дзён таму",
        "11 дзён таму",
        "21 дзень таму",
        "22 дні таму",
        "25 дзён таму",
        "111 дзён таму",
    ],
    "ru": [
        "1 день назад",
        "2 дня назад",
        "5 дней назад",
        "11 дней назад",
        "21 день назад",
        "22 дня назад",
        "25 дней назад",
        "111 дней назад",
    ],
}
MONTHS_AGO = {
    "be": [
        "1 месяц таму",
        "2 месяцы таму",
        "5 месяцаў таму",
        "11 месяцаў таму",
        "21 месяц таму",
        "22 месяцы таму",
        "25 месяцаў таму",
        "111 месяцаў таму",
    ],
    "ru": [
        "1 месяц назад",
        "2 месяца назад",
        "5 месяцев назад",
        "11 месяцев назад",
        "21 месяц назад",
        "22 месяца назад",
        "25 месяцев назад",
        "111 месяцев назад",
    ],
}
YEARS_AGO = {
    "be": [
        "1 год таму",
        "2 гады таму",
        "5 гадоў таму",
        "11 гадоў таму",
        "21 год таму",
        "22 гады таму",
        "25 гадоў таму",
        "111 гадоў таму",
    ],
    "ru": [
        "1 год назад",
        "2 года назад",
        "5 лет назад",
        "11 лет назад",
        "21 год назад",
        "22 года назад",
        "25 лет назад",
        "111 лет назад",
    ],
}


@pytest.mark.parametrize("language", ["be", "ru"])
def test_an_age_takes_the_plural_form_of_its_number(language):
    with translation.override(language):
        for singular, plural, expected in [
            ("%(n)d day ago", "%(n)d days ago", DAYS_AGO),
            ("%(n)d month ago", "%(n)d months ago", MONTHS_AGO),
            ("%(n)d year ago", "%(n)d years ago", YEARS_AGO),
        ]:
            assert [ngettext(singular, plural, n) % {"n": n} for n in COUNTS] == expected[language]


HELD = {
    "be": [
        "У гэтай базе запісаны 1 чалавек, які ўтрымліваўся пад вартай на гэтую дату.",
        "У гэтай базе запісаны 2 чалавекі, якія ўтрымліваліся пад вартай на гэтую дату.",
        "У гэтай базе запісаны 5 чалавек, якія ўтрымліваліся пад вартай на гэтую дату.",
        "У гэтай базе запісаны 11 чалавек, якія ўтрымліваліся пад вартай на гэтую дату.",
        "У гэтай базе запісаны 21 чалавек, які ўтрымліваўся пад вартай на гэтую дату.",
        "У гэтай базе запісаны 22 чалавекі, якія ўтрымліваліся пад вартай на гэтую дату.",
        "У гэтай базе запісаны 25 чалавек, якія ўтрымліваліся пад вартай на гэтую дату.",
        "У гэтай базе запісаны 111 чалавек, якія ўтрымліваліся пад вартай на гэтую дату.",
    ],
    "ru": [
        "В этой базе записан 1 человек, находившийся под стражей на эту дату.",
        "В этой базе записаны 2 человека, находившиеся под стражей на эту дату.",
        "В этой базе записаны 5 человек, находившиеся под стражей на эту дату.",
        "В этой базе записаны 11 человек, находившиеся под стражей на эту дату.",
        "В этой базе записан 21 человек, находившийся под стражей на эту дату.",
        "В этой базе записаны 22 человека, находившиеся под стражей на эту дату.",
        "В этой базе записаны 25 человек, находившиеся под стражей на эту дату.",
        "В этой базе записаны 111 человек, находившиеся под стражей на эту дату.",
    ],
}


@pytest.mark.parametrize("language", ["be", "ru"])
def test_the_registrys_count_is_a_whole_sentence_that_agrees_with_its_number(language):
    held = Measure(registry_count=Measure.RegistryCount.HELD)
    with translation.override(language):
        assert [registry_sentence(held, n) for n in COUNTS] == HELD[language]


@pytest.mark.parametrize(
    "language, one, two, five",
    [
        ("be", "1 падзея.", "2 падзеі.", "5 падзей."),
        ("ru", "1 событие.", "2 события.", "5 событий."),
        ("en", "1 event.", "2 events.", "5 events."),
    ],
)
def test_the_timelines_count_of_events_agrees_with_its_number(language, one, two, five):
    with translation.override(language):
        said = [ngettext("%(shown)s event.", "%(shown)s events.", n) % {"shown": n} for n in (1, 2, 5)]
    assert said == [one, two, five]


@pytest.mark.parametrize(
    "language, said",
    [
        (
            "en",
            [
                "since July 2024",
                "in 2025",
                "in March 2025",
                "between July 2024 and December 2025",
                "since 2020",
                "between 2024 and 2025",
                "on 3 March 2025",
            ],
        ),
        (
            "be",
            [
                "з ліпеня 2024",
                "у 2025 годзе",
                "у сакавіку 2025",
                "з ліпеня 2024 па снежань 2025",
                "з 2020 года",
                "з 2024 года па 2025 год",
                "3 сакавіка 2025",
            ],
        ),
        (
            "ru",
            [
                "с июля 2024",
                "в 2025 году",
                "в марте 2025",
                "с июля 2024 по декабрь 2025",
                "с 2020 года",
                "с 2024 года по 2025 год",
                "3 марта 2025",
            ],
        ),
    ],
)
def test_a_period_puts_its_dates_in_the_case_its_words_ask(language, said):
    from tracker.dates import PrecisePeriod

    d = datetime.date
    periods = [
        (d(2024, 7, 1), "month", None, "day"),
        (d(2025, 1, 1), "year", d(2025, 1, 1), "year"),
        (d(2025, 3, 1), "month", d(2025, 3, 1), "month"),
        (d(2024, 7, 1), "month", d(2025, 12, 1), "month"),
        (d(2020, 1, 1), "year", None, "day"),
        (d(2024, 1, 1), "year", d(2025, 1, 1), "year"),
        (d(2025, 3, 3), "day", d(2025, 3, 3), "day"),
    ]
    with translation.override(language):
        assert [str(PrecisePeriod.of(*period)) for period in periods] == said


@pytest.mark.parametrize("language", ["be", "ru"])
def test_every_entry_of_the_catalogues_is_translated_and_none_is_fuzzy(language):
    """The catalogues hold the words the code marks for translation (makemessages); none may be left empty or
    fuzzy (msgfmt leaves a fuzzy entry out, and the page would show English)."""
    from pathlib import Path

    po = (Path(__file__).resolve().parent.parent / "locale" / language / "LC_MESSAGES" / "django.po").read_text()
    entries = po.split("\n\n")[1:]  # after the header
    assert len(entries) > 100
    fuzzy = [entry for entry in entries if "fuzzy" in entry.split("msgid", 1)[0]]
    # Each msgstr, its continuation lines joined (msgmerge wraps long ones after an empty first line).
    translations = [
        ["".join(json.loads(line) for line in part.split("\n") if line) for part in found]
        for found in (re.findall(r'msgstr(?:\[\d\])? ((?:".*"\n?)+)', entry) for entry in entries)
    ]
    empty = [entry for entry, said in zip(entries, translations) if not said or "" in said]
    assert fuzzy == [] and empty == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, said",
    [
        (
            "be",
            [
                '<html lang="be">',
                "Трэкер вызвалення палітвязняў",
                f"<strong>каля 1{NB}200</strong>",
                "<strong>больш за 430</strong> prisoners released з ліпеня 2024",
                "паводле стану на 12 снежня 2025",
                "Апошнія падзеі",
                "· Сустрэча · Minsk",
                "<summary>Крыніцы (1)</summary>",
                '<p class="participants">Удзельнікі:',
            ],
        ),
        (
            "ru",
            [
                '<html lang="ru">',
                "Трекер освобождения политзаключённых",
                f"<strong>около 1{NB}200</strong>",
                "<strong>более 430</strong> prisoners released с июля 2024",
                "по состоянию на 12 декабря 2025",
                "Последние события",
                "· Встреча · Minsk",
                "<summary>Источники (1)</summary>",
                '<p class="participants">Участники:',
            ],
        ),
        (
            "en",
            [
                '<html lang="en">',
                "Political prisoner release tracker",
                "<strong>about 1,200</strong>",
                "· Meeting · Minsk",
                "<summary>Sources (1)</summary>",
                '<p class="participants">With',
            ],
        ),
    ],
)
def test_the_home_pages_own_words_are_in_its_language(client, belarus, language, said):
    # The pages are not served in Belarusian or Russian yet (#16): rendered here in the language made active.
    with translation.override(language):
        html = client.get("/").content.decode()
    assert [words for words in said if words not in html] == []
