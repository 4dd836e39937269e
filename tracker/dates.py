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
from django.utils.dates import MONTHS
from django.utils.translation import get_language, ngettext
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


@functools.lru_cache(maxsize=16)
def month_names(language: str | None) -> dict[int, str]:
    """The months' names in a language, translated once: a measure page writes hundreds of dates, and each
    lazy name cost a translation lookup (a tenth of its Python time after a write)."""
    return {number: str(name) for number, name in MONTHS.items()}


def date_in_words(value: datetime.date | None, precision: str) -> str:
    """'12 December 2025', 'September 2025' or '2025'; '' for no date."""
    if value is None:
        return ""
    if precision == Precision.YEAR:
        return str(value.year)
    month = month_names(get_language())[value.month]
    if precision == Precision.MONTH:
        return f"{month} {value.year}"
    if precision == Precision.DAY:
        return f"{value.day} {month} {value.year}"
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
    if end is None:
        return _("since %(start)s") % {"start": start}
    first, last = start.value, period_end(end.value, end.precision)
    if first == last:
        return _("on %(day)s") % {"day": date_in_words(first, Precision.DAY)}
    if first == datetime.date(first.year, 1, 1) and last == datetime.date(first.year, 12, 31):
        return _("in %(period)s") % {"period": date_in_words(first, Precision.YEAR)}
    if first.day == 1 and last == period_end(first, Precision.MONTH):
        return _("in %(period)s") % {"period": date_in_words(first, Precision.MONTH)}
    return _("between %(start)s and %(end)s") % {"start": start, "end": end}


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
