"""Dates that are only as precise as the sources: a day, a month or a year.

An imprecise date is stored as the first day of its month or year beside its
precision, and shown only to that precision: "September 2025" must never
become "1 September 2025" in public.
"""

import calendar
import datetime
import functools
import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import get_language, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext as _


class Precision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


def precision_field(of: str):
    return models.CharField(
        "precision",
        max_length=5,
        choices=Precision,
        default=Precision.DAY,
        help_text=f"How precisely the source gives the {of}: "
        "pick Month for “September 2025” and enter any day of that month.",
    )


def truncate(value: datetime.date | None, precision: str) -> datetime.date | None:
    """The first day of the period that `value` stands for at this precision."""
    if value is None:
        return None
    if precision == Precision.MONTH:
        return value.replace(day=1)
    if precision == Precision.YEAR:
        return value.replace(month=1, day=1)
    return value


def period_end(on, precision):
    """The last day of the period a date stands for at its precision."""
    if precision == Precision.YEAR:
        return datetime.date(on.year, 12, 31)
    if precision == Precision.MONTH:
        next_month = (on.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return next_month - datetime.timedelta(days=1)
    return on


# A month has two forms in Belarusian and Russian: after a day, in the genitive ("13 снежня 2025", "13 декабря
# 2025"), and alone with its year, in the nominative ("верасень 2025", "сентябрь 2025"). English has one. The
# translations are ours (locale/), not Django's: its Belarusian months are in another orthography, and give the
# genitive for both.
MONTHS_OF_A_DAY = {
    1: pgettext_lazy("month after a day", "January"),
    2: pgettext_lazy("month after a day", "February"),
    3: pgettext_lazy("month after a day", "March"),
    4: pgettext_lazy("month after a day", "April"),
    5: pgettext_lazy("month after a day", "May"),
    6: pgettext_lazy("month after a day", "June"),
    7: pgettext_lazy("month after a day", "July"),
    8: pgettext_lazy("month after a day", "August"),
    9: pgettext_lazy("month after a day", "September"),
    10: pgettext_lazy("month after a day", "October"),
    11: pgettext_lazy("month after a day", "November"),
    12: pgettext_lazy("month after a day", "December"),
}
MONTHS_ALONE = {
    1: pgettext_lazy("month alone, with its year", "January"),
    2: pgettext_lazy("month alone, with its year", "February"),
    3: pgettext_lazy("month alone, with its year", "March"),
    4: pgettext_lazy("month alone, with its year", "April"),
    5: pgettext_lazy("month alone, with its year", "May"),
    6: pgettext_lazy("month alone, with its year", "June"),
    7: pgettext_lazy("month alone, with its year", "July"),
    8: pgettext_lazy("month alone, with its year", "August"),
    9: pgettext_lazy("month alone, with its year", "September"),
    10: pgettext_lazy("month alone, with its year", "October"),
    11: pgettext_lazy("month alone, with its year", "November"),
    12: pgettext_lazy("month alone, with its year", "December"),
}
# A period's dates take other forms again: after "since" the genitive ("з ліпеня 2024", "с июля 2024"), after
# "in" the locative ("у сакавіку 2025", "в марте 2025"), after "to" the accusative ("па снежань 2025", "по
# декабрь 2025"); a year too ("з 2024 года", "у 2025 годзе", "па 2025 год"). Each its own context, so that a
# language translates each as its grammar asks (English: the same word every time).
MONTHS_SINCE = {
    1: pgettext_lazy("month after 'since'", "January"),
    2: pgettext_lazy("month after 'since'", "February"),
    3: pgettext_lazy("month after 'since'", "March"),
    4: pgettext_lazy("month after 'since'", "April"),
    5: pgettext_lazy("month after 'since'", "May"),
    6: pgettext_lazy("month after 'since'", "June"),
    7: pgettext_lazy("month after 'since'", "July"),
    8: pgettext_lazy("month after 'since'", "August"),
    9: pgettext_lazy("month after 'since'", "September"),
    10: pgettext_lazy("month after 'since'", "October"),
    11: pgettext_lazy("month after 'since'", "November"),
    12: pgettext_lazy("month after 'since'", "December"),
}
MONTHS_IN = {
    1: pgettext_lazy("month after 'in'", "January"),
    2: pgettext_lazy("month after 'in'", "February"),
    3: pgettext_lazy("month after 'in'", "March"),
    4: pgettext_lazy("month after 'in'", "April"),
    5: pgettext_lazy("month after 'in'", "May"),
    6: pgettext_lazy("month after 'in'", "June"),
    7: pgettext_lazy("month after 'in'", "July"),
    8: pgettext_lazy("month after 'in'", "August"),
    9: pgettext_lazy("month after 'in'", "September"),
    10: pgettext_lazy("month after 'in'", "October"),
    11: pgettext_lazy("month after 'in'", "November"),
    12: pgettext_lazy("month after 'in'", "December"),
}
MONTHS_UNTIL = {
    1: pgettext_lazy("month after 'until'", "January"),
    2: pgettext_lazy("month after 'until'", "February"),
    3: pgettext_lazy("month after 'until'", "March"),
    4: pgettext_lazy("month after 'until'", "April"),
    5: pgettext_lazy("month after 'until'", "May"),
    6: pgettext_lazy("month after 'until'", "June"),
    7: pgettext_lazy("month after 'until'", "July"),
    8: pgettext_lazy("month after 'until'", "August"),
    9: pgettext_lazy("month after 'until'", "September"),
    10: pgettext_lazy("month after 'until'", "October"),
    11: pgettext_lazy("month after 'until'", "November"),
    12: pgettext_lazy("month after 'until'", "December"),
}
YEARS = {
    "": pgettext_lazy("a year alone", "%(year)s"),
    "since": pgettext_lazy("a year after 'since'", "%(year)s"),
    "in": pgettext_lazy("a year after 'in'", "%(year)s"),
    "until": pgettext_lazy("a year after 'until'", "%(year)s"),
}
MONTHS_BY_ROLE = {"": MONTHS_ALONE, "since": MONTHS_SINCE, "in": MONTHS_IN, "until": MONTHS_UNTIL}


@dataclass(frozen=True)
class DateWords:
    """How one language writes a date: its months' two forms and the order of a date's parts."""

    of_a_day: dict[int, str]
    months: dict[str, dict[int, str]]  # per role ("" alone, "since", "in", "until"): the month's form
    years: dict[str, str]  # per role: "%(year)s", "%(year)s года"…
    day: str  # "%(day)s %(month)s %(year)s"
    month: str  # "%(month)s %(year)s"


@functools.lru_cache(maxsize=16)
def date_words(language: str | None) -> DateWords:
    """A language's DateWords, translated once: a measure page writes hundreds of dates, and each lazy name cost a
    translation lookup (a tenth of its Python time after a write). Read in that language (get_language())."""
    return DateWords(
        of_a_day={number: str(name) for number, name in MONTHS_OF_A_DAY.items()},
        months={
            role: {number: str(name) for number, name in months.items()} for role, months in MONTHS_BY_ROLE.items()
        },
        years={role: str(year) for role, year in YEARS.items()},
        day=pgettext("a date to the day", "%(day)s %(month)s %(year)s"),
        month=pgettext("a date to the month", "%(month)s %(year)s"),
    )


def date_in_words(value: datetime.date | None, precision: str, role: str = "") -> str:
    """'12 December 2025', 'September 2025' or '2025' ("12 снежня 2025", "верасень 2025" in Belarusian): in the
    page's language; '' for no date. `role`: the word a period puts before it ("since", "in", "until"), whose case
    a month or a year takes (period_in_words); a day is written the same after each."""
    if value is None:
        return ""
    words = date_words(get_language())
    if precision == Precision.YEAR:
        return words.years[role] % {"year": value.year}
    if precision == Precision.MONTH:
        return words.month % {"month": words.months[role][value.month], "year": value.year}
    if precision == Precision.DAY:
        return words.day % {"day": value.day, "month": words.of_a_day[value.month], "year": value.year}
    raise ValueError(f"Unknown date precision {precision!r}")


def date_iso(value: datetime.date | None, precision: str) -> str:
    """ISO 8601 reduced to the precision: '2025-12-12', '2025-09' or '2025'."""
    if value is None:
        return ""
    if precision == Precision.YEAR:
        return f"{value.year:04d}"
    if precision == Precision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    if precision == Precision.DAY:
        return value.isoformat()
    raise ValueError(f"Unknown date precision {precision!r}")


_REDUCED_ISO = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
# Month names as editors type them in a form: "October", "Oct".
_MONTH_NUMBERS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTH_NUMBERS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
_IN_WORDS = re.compile(r"(?:(\d{1,2})\s+)?([A-Za-z]+)\.?\s+(\d{4})")


def parse_precise(text: str, in_words: bool = False) -> tuple[datetime.date, str] | None:
    """'2025-12-12', '2025-09' or '2025' → (date, precision), a month or a year as its first day.

    With `in_words`, also 'September 2025' and '12 Oct. 2025' (the admin's
    date fields; the import takes the ISO forms only, as docs/import.md
    says). None for text in none of these forms; ValueError for one that
    names no date ('2025-13', '31 February 2025', '0000').
    """
    iso = _REDUCED_ISO.fullmatch(text)
    if iso:
        year, month, day = iso.groups()
        if day:
            return datetime.date(int(year), int(month), int(day)), Precision.DAY
        if month:
            return datetime.date(int(year), int(month), 1), Precision.MONTH
        return datetime.date(int(year), 1, 1), Precision.YEAR
    words = _IN_WORDS.fullmatch(text) if in_words else None
    if words and words[2].lower() in _MONTH_NUMBERS:
        month, year = _MONTH_NUMBERS[words[2].lower()], int(words[3])
        if words[1]:
            return datetime.date(year, month, int(words[1])), Precision.DAY
        return datetime.date(year, month, 1), Precision.MONTH
    return None


def age_in_words(value: datetime.date, precision: str, today: datetime.date) -> str:
    """How long ago a date was, no more precisely than the date is known: "3 days ago", "last month", "a year ago".

    A month or a year is measured from its last day: "as of September 2025" may be the last day of September.
    Each phrase is whole (ngettext), so that a language with other plural forms words it its own way. "" for a
    date still to come.
    """
    end = period_end(value, precision)
    if end > today and value > today:
        return ""
    if precision == Precision.YEAR:
        years = today.year - value.year
        if years <= 0:
            return _("this year")
        return _("last year") if years == 1 else ngettext("%(n)d year ago", "%(n)d years ago", years) % {"n": years}
    months = (
        (today.year - end.year) * 12 + today.month - end.month - (precision == Precision.DAY and today.day < end.day)
    )
    if precision == Precision.MONTH:
        if months <= 0:
            return _("this month")
        if months == 1:
            return _("last month")
    else:
        days = (today - value).days
        if days <= 0:
            return _("today")
        if days == 1:
            return _("yesterday")
        if months < 1:
            return ngettext("%(n)d day ago", "%(n)d days ago", days) % {"n": days}
    if months < 12:
        return ngettext("%(n)d month ago", "%(n)d months ago", months) % {"n": months}
    years = months // 12
    return _("a year ago") if years == 1 else ngettext("%(n)d year ago", "%(n)d years ago", years) % {"n": years}


def days_since(value: datetime.date, precision: str, today: datetime.date) -> int:
    """Whole days from the end of the date's period (its last possible day) to today; negative for one to come."""
    return (today - period_end(value, precision)).days


@dataclass(frozen=True)
class PreciseDate:
    """A date with its precision; prints itself in words, as templates want."""

    value: datetime.date
    precision: str

    def __str__(self):
        return date_in_words(self.value, self.precision)

    @property
    def iso(self) -> str:
        return date_iso(self.value, self.precision)

    @classmethod
    def of(cls, value, precision):
        return None if value is None else cls(value, precision)

    def age(self, today: datetime.date) -> str:
        return age_in_words(self.value, self.precision, today)

    def days_ago(self, today: datetime.date) -> int:
        return days_since(self.value, self.precision, today)


def period_in_words(start: "PreciseDate", end: "PreciseDate | None") -> str:
    """A period counted over, as a sentence ends with it: "since July 2024", "in 2025", "in March 2025",
    "on 3 March 2025", "between July 2024 and December 2025".

    `end` None is a period still running at the figure's date. A closed period that is one whole year or
    one whole month, however entered (2025 to 2025, January to December 2025), is said as that year or
    month. Each phrase is whole, with its dates as placeholders, for languages that order them otherwise.
    """
    since = date_in_words(start.value, start.precision, "since")
    if end is None:
        return _("since %(start)s") % {"start": since}
    first, last = start.value, period_end(end.value, end.precision)
    if first == last:
        return _("on %(day)s") % {"day": date_in_words(first, Precision.DAY)}
    if first == datetime.date(first.year, 1, 1) and last == datetime.date(first.year, 12, 31):
        return _("in %(period)s") % {"period": date_in_words(first, Precision.YEAR, "in")}
    if first.day == 1 and last == period_end(first, Precision.MONTH):
        return _("in %(period)s") % {"period": date_in_words(first, Precision.MONTH, "in")}
    until = date_in_words(end.value, end.precision, "until")
    return _("between %(start)s and %(end)s") % {"start": since, "end": until}


@dataclass(frozen=True)
class PrecisePeriod:
    """The period a count covers: from a precise date, to another or still running; prints itself in words."""

    start: PreciseDate
    end: PreciseDate | None = None

    def __str__(self):
        return period_in_words(self.start, self.end)

    @property
    def iso(self) -> str:
        """An ISO 8601 interval, each end to its precision; a running period ends in "..": "2024-07/.."."""
        return f"{self.start.iso}/{self.end.iso if self.end else '..'}"

    @classmethod
    def of(cls, start, start_precision, end, end_precision):
        if start is None:
            return None
        return cls(PreciseDate(start, start_precision), PreciseDate.of(end, end_precision))


class PreciseDates:
    """Model mixin: store each imprecise date as the first day of its period.

    Truncating in clean() as well as save() lets the admin validate
    constraints ("ends after it starts") on the stored values, not the typed ones.
    """

    precise_dates: tuple[tuple[str, str], ...] = ()

    def truncate_dates(self):
        for field, precision_field_name in self.precise_dates:
            setattr(self, field, truncate(getattr(self, field), getattr(self, precision_field_name)))

    def clean(self):
        self.truncate_dates()
        super().clean()

    def save(self, *args, **kwargs):
        self.truncate_dates()
        super().save(*args, **kwargs)
