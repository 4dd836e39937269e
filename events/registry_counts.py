"""The registry's own counts beside the reported figures (DOMAIN rule 5), one algorithm for every page.

A measure says which count of the registry's published detentions stands
beside its figures (Measure.registry_count): how many were held on the
figure's date, released or recognised as political prisoners in its period,
or released in its event. Every count is computed, never typed in, and
answered from running totals per country and day (`day_counts`), read in
one query per change of the data. The home page (`registry_count_for`) and
the measure pages (`registry_counts`) both go through here.

Protected people are counted (DOMAIN rule 2), but no count may say more
about them than their own page does: the page of a person shown by
initials gives only the years of their dates, and a withheld person has no
page. So the dates of anyone not named in full enter every count on the
first of January of their year (`counted_day`), as their page shows them
(events/disclosure.py's to_year): a count can step for them only at a new
year. See docs/counts.md.
"""

import bisect
import datetime
import itertools

from django.db import connection, connections
from django.db.models import Case, Count, DateField, F, When
from django.db.models.functions import Cast, TruncYear
from django.utils.translation import ngettext_lazy

from events.charts import Registry
from events.models import Measure
from events.models.events import released_counts
from tracker.caching import remembered
from tracker.dates import period_end
from tracker.models import Detention, named_person
from tracker.names import IdentityLevel, is_protected

# The registry's samples of "held" on a measure page: figure dates plus at most this many more.
HELD_SAMPLES = 48
# The counts a measure can ask for (Measure.registry_count); "" asks for none.
COUNTED = {
    Measure.RegistryCount.HELD,
    Measure.RegistryCount.RELEASED,
    Measure.RegistryCount.RECOGNISED,
    Measure.RegistryCount.RELEASED_IN_EVENT,
}


def sample_days(first, last, most=HELD_SAMPLES):
    """First days of months from `first` to `last`, thinned to at most `most`."""
    days = []
    month = first.replace(day=1)
    while month <= last:
        days.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    step = -(-len(days) // most)
    return [day for day in days[::step] if day >= first] + [last]


def registry_count_for(figure):
    """The registry's count beside one figure of its measure, as its measure page shows it; None if none.

    Reads `figure.measure`; one query per change of the data, shared with every page.
    """
    if not hasattr(figure, "country_code"):
        figure.country_code = figure.country.code
    registry_counts(figure.measure, [figure])
    return figure.registry_count


# How the registry's count beside a figure reads: "This database records 14 people held on that date." It counts
# every published detention it can place on the day or in the period (withheld people too, never named), so it
# says "records", not "names"; a detention without the date in question cannot be placed (the About page says so).
# Each sentence is whole, in the singular and the plural (ngettext), so that a language words the count its own way.
REGISTRY_SENTENCES = {
    Measure.RegistryCount.HELD: ngettext_lazy(
        "This database records %(count)s person held on that date.",
        "This database records %(count)s people held on that date.",
        "count",
    ),
    Measure.RegistryCount.RELEASED: ngettext_lazy(
        "This database records %(count)s person released in that period.",
        "This database records %(count)s people released in that period.",
        "count",
    ),
    Measure.RegistryCount.RECOGNISED: ngettext_lazy(
        "This database records %(count)s person recognised as a political prisoner in that period.",
        "This database records %(count)s people recognised as political prisoners in that period.",
        "count",
    ),
    Measure.RegistryCount.RELEASED_IN_EVENT: ngettext_lazy(
        "This database records %(count)s person released in this event.",
        "This database records %(count)s people released in this event.",
        "count",
    ),
}
# A count of people released narrowed to how (Measure.registry_release_mode): its sentences, and the name of the
# registry's points on the chart.
RELEASED_BY = {
    Detention.ReleaseMode.PARDON: (
        ngettext_lazy(
            "This database records %(count)s person pardoned in that period.",
            "This database records %(count)s people pardoned in that period.",
            "count",
        ),
        "Named people pardoned in the period, in this database",
    ),
    Detention.ReleaseMode.END_OF_SENTENCE: (
        ngettext_lazy(
            "This database records %(count)s person released at the end of their sentence in that period.",
            "This database records %(count)s people released at the end of their sentence in that period.",
            "count",
        ),
        "Named people released at the end of their sentence in the period, in this database",
    ),
    Detention.ReleaseMode.EXCHANGE_OR_DEPORTATION: (
        ngettext_lazy(
            "This database records %(count)s person exchanged or deported in that period.",
            "This database records %(count)s people exchanged or deported in that period.",
            "count",
        ),
        "Named people exchanged or deported in the period, in this database",
    ),
    Detention.ReleaseMode.ACQUITTAL: (
        ngettext_lazy(
            "This database records %(count)s person acquitted in that period.",
            "This database records %(count)s people acquitted in that period.",
            "count",
        ),
        "Named people acquitted in the period, in this database",
    ),
    Detention.ReleaseMode.OTHER: (
        ngettext_lazy(
            "This database records %(count)s person released otherwise in that period (not by pardon, sentence "
            "served, exchange, deportation or acquittal).",
            "This database records %(count)s people released otherwise in that period (not by pardon, sentence "
            "served, exchange, deportation or acquittal).",
            "count",
        ),
        "Named people released otherwise in the period, in this database",
    ),
}


def registry_sentence(measure, count):
    """The registry's count beside a figure of `measure`, as a whole sentence; "" for no count."""
    if count is None:
        return ""
    if measure.registry_count == Measure.RegistryCount.RELEASED and measure.registry_release_mode in RELEASED_BY:
        sentence = RELEASED_BY[measure.registry_release_mode][0]
    elif measure.registry_count in REGISTRY_SENTENCES:
        sentence = REGISTRY_SENTENCES[measure.registry_count]
    else:
        return ""
    return sentence % {"count": count}


def registry_counts(measure, figures):
    """The registry's own counts beside the figures (DOMAIN rule 5), in one query.

    Sets `registry_count` on each figure it applies to, and returns the
    series to draw beside them, {country: Registry}. The figures carry
    `country_code` (see events/views/figures.py:measure_detail).
    """
    for figure in figures:
        figure.registry_count = None
    kind = measure.registry_count
    if not figures or kind not in COUNTED:
        return {}
    if kind == Measure.RegistryCount.HELD:
        return held_counts(figures)
    if kind == Measure.RegistryCount.RELEASED_IN_EVENT:
        return released_in_event_counts(figures)
    if kind == Measure.RegistryCount.RELEASED and measure.registry_release_mode:
        return period_counts(figures, "released_on", released_by(measure.registry_release_mode))
    return period_counts(figures, "released_on" if kind == Measure.RegistryCount.RELEASED else "recognised_on")


def held_counts(figures):
    """Named people held on each figure's date and on the first of each month between: a line."""
    samples = set()
    for country in {figure.country_code for figure in figures}:
        days = sorted(figure.as_of_on for figure in figures if figure.country_code == country)
        samples |= {(country, day) for day in days + sample_days(days[0], days[-1])}
    counts = held_on_days(samples)
    for figure in figures:
        figure.registry_count = counts[(figure.country_code, figure.as_of_on)]
    by_country = {}
    for (country, day), count in sorted(counts.items()):
        by_country.setdefault(country, []).append((day, count))
    return {country: Registry("Named people held, in this database", points) for country, points in by_country.items()}


def held_on_days(samples):
    """{(country, day): published detentions held on that day} for many days.

    "Held on d" (tracker.models.held_on) is: detained on or before d, and
    either still held with no release date or released after d. Counting
    that with one condition per day made the database test every detention
    against every day: minutes for a measure with hundreds of reports. Here
    each day is answered from running totals of day_counts()["held"]:

        held(d) = still held, detained <= d
                + with a release date, detained <= d
                - with a release date, released <= d

    The last two give "released after d" because a release never precedes
    its detention (a constraint of Detention).
    """
    held = day_counts()["held"]
    return {(country, day): up_to(held, country, day) for country, day in samples}


def up_to(totals, country, day, inclusive=True):
    """The running total of `country` on `day` (before it, if not inclusive), from {country: (days, totals)}."""
    days, running = totals.get(country, ((), ()))
    index = (bisect.bisect_right if inclusive else bisect.bisect_left)(days, day)
    return running[index - 1] if index else 0


def in_periods(periods, field, totals=None):
    """{(country, start, end): published detentions whose `field` falls from start to end}.

    One condition per period made the database test every detention against
    every period; here each period is a difference of running totals: of
    day_counts()[field], or `totals` of the same shape (released_by()).
    """
    if not periods:
        return {}  # and no query
    totals = day_counts()[field] if totals is None else totals
    return {
        (country, start, end): up_to(totals, country, end) - up_to(totals, country, start, inclusive=False)
        for country, start, end in periods
    }


def day_counts():
    """Running totals per country and day of published detentions, for every measure: one query per data version.

    {"held": …, "released_on": …, "recognised_on": …}, each {country: ([days],
    [total up to and including that day])}: the change in the number held
    (see held_on_days), and the detentions released, and recognised, on or
    before each day. Read from the per-day changes the database keeps in the
    same transaction as every write (tracker_daycount, triggers of migration
    tracker 0010): a few thousand rows, however many detentions; every
    measure page and filter reads the result until the data changes.
    """
    # Read several times a page (a figure's count, the home page's chart): kept in memory, not unpickled each time.
    return remembered("detention-day-counts", kept_day_counts)


# What each kept field adds to which running total: (total, column n or m, sign).
KEPT = {
    "detained": [("held", 4, 1)],
    "released": [("held", 4, -1), ("released_on", 3, 1)],
    "recognised": [("recognised_on", 3, 1)],
}
# 1 January of a kept day's year, per database.
YEAR_START = {
    "postgresql": "make_date(CAST(EXTRACT(year FROM day) AS integer), 1, 1)",
    "sqlite": "strftime('%%Y-01-01', day)",
}


def kept_day_counts(using="default"):
    """day_counts()'s answer from tracker_daycount: one query, grouped in the database to a row per field, country and day.

    The table keeps the records' own days per identity level; the protection
    rule is applied here, as counted_day() applies it to the records: the
    days of anyone not named in full count on 1 January of their year (which
    levels those are is tracker/names.py's; a level it does not know counts so).
    """
    connection = connections[using]
    named = [level for level in IdentityLevel.values if not is_protected(level)]
    query = (
        f"SELECT field, country, CASE WHEN level IN ({', '.join(['%s'] * len(named))}) THEN day "
        f"ELSE {YEAR_START[connection.vendor]} END AS counted, SUM(n), SUM(m) FROM tracker_daycount "
        "GROUP BY field, country, counted HAVING SUM(n) <> 0 OR SUM(m) <> 0"
    )
    changes = {"held": {}, "released_on": {}, "recognised_on": {}}
    with connection.cursor() as cursor:
        cursor.execute(query, named)
        rows = cursor.fetchall()
    for row in rows:
        day = row[2]
        if isinstance(day, str):  # SQLite hands raw SQL dates back as text
            day = datetime.date.fromisoformat(day)
        for name, column, sign in KEPT[row[0]]:
            per_day = changes[name].setdefault(row[1], {})
            per_day[day] = per_day.get(day, 0) + sign * row[column]
    return running_totals(changes)


def running_totals(changes):
    """{name: {country: {day: change}}} as {name: {country: ([days], [running totals])}}."""
    totals = {}
    for name, countries in changes.items():
        totals[name] = {}
        for country, per_day in countries.items():
            days = sorted(day for day, change in per_day.items() if change)  # a day that changes nothing: left out
            if days:
                totals[name][country] = (days, list(itertools.accumulate(per_day[day] for day in days)))
    return totals


def counted_day(field):
    """A detention's date as the counts read it: the day for a person named in full, else 1 January of its year."""
    # Cast: PostgreSQL's date_trunc() gives a timestamp, and raw SQL has no converter to turn it back.
    year = Cast(TruncYear(field, output_field=DateField()), DateField())
    return Case(When(named_person("person__"), then=F(field)), default=year, output_field=DateField())


def count_days():
    """day_counts()'s answer asked of every published detention and its person: the reference the kept table must give.

    ~1 s on PostgreSQL at 200,000 people; tests/test_day_counts.py holds kept_day_counts() to it.
    """
    detentions = (
        Detention.objects.published()
        .order_by()
        .values_list(
            "country",
            counted_day("detained_on"),
            counted_day("released_on"),
            counted_day("recognised_on"),
            "custody_status",
        )
    )
    sql, params = detentions.query.sql_with_params()
    detained = "detained_on IS NOT NULL"
    still_held = f"{detained} AND released_on IS NULL AND custody_status = %s"
    released = "released_on IS NOT NULL"
    steps = [
        ("held", "detained_on", 1, f"({still_held}) OR ({detained} AND {released})"),
        ("held", "released_on", -1, f"{detained} AND {released}"),
        ("released_on", "released_on", 1, released),
        ("recognised_on", "recognised_on", 1, "recognised_on IS NOT NULL"),
    ]
    selects = [
        f"SELECT '{name}', country, {day}, {sign} * COUNT(*) FROM d WHERE {where} GROUP BY country, {day}"
        for name, day, sign, where in steps
    ]
    query = (
        f"WITH d(country, detained_on, released_on, recognised_on, custody_status) AS ({sql}) "
        + " UNION ALL ".join(selects)
    )
    changes = {"held": {}, "released_on": {}, "recognised_on": {}}
    with connection.cursor() as cursor:
        cursor.execute(query, (*params, Detention.CustodyStatus.HELD))
        for name, country, day, n in cursor.fetchall():
            if isinstance(day, str):  # SQLite hands raw SQL dates back as text
                day = datetime.date.fromisoformat(day)
            per_day = changes[name].setdefault(country, {})
            per_day[day] = per_day.get(day, 0) + n
    return running_totals(changes)


def period_counts(figures, field, by_mode=None):
    """Named people released (or recognised) in each figure's period: a point per figure.

    `by_mode`: released_by()'s running totals of the released in one mode, for a measure narrowed to it.
    """

    def key(figure):
        # Through the end of the period's last day as precise as it is known: its end if it has ended ("in
        # 2025" counts all of 2025), else its as-of date ("as of September 2025" counts all of September).
        if figure.period_end_on:
            return (
                figure.country_code,
                figure.period_start_on,
                period_end(figure.period_end_on, figure.period_end_on_precision),
            )
        return (figure.country_code, figure.period_start_on, period_end(figure.as_of_on, figure.as_of_on_precision))

    over_a_period = [figure for figure in figures if figure.period_start_on]
    counts = in_periods({key(figure) for figure in over_a_period}, field, by_mode[1] if by_mode else None)
    for figure in over_a_period:
        figure.registry_count = counts[key(figure)]
    if by_mode:
        return registry_points(figures, RELEASED_BY[by_mode[0]][1])
    what = "released" if field == "released_on" else "recognised as political prisoners"
    return registry_points(figures, f"Named people {what} in the period, in this database")


def released_by(mode):
    """(mode, running totals per country and day of the published detentions released in `mode`): what a measure
    narrowed to a way of release counts (Measure.registry_release_mode), as day_counts()["released_on"] is shaped.

    Read from the detentions, not the kept day counts (which keep no mode): one query per change of the data and
    mode, shared by every page. A person not named in full counts on 1 January of the year, as day_counts().
    """

    def compute():
        rows = (
            Detention.objects.published()
            .filter(release_mode=mode, released_on__isnull=False)
            .order_by()
            .annotate(day=counted_day("released_on"))
            .values("country", "day")
            .annotate(n=Count("pk"))
            .values_list("country", "day", "n")
        )
        changes = {}
        for country, day, n in rows:
            per_day = changes.setdefault(country, {})
            per_day[day] = per_day.get(day, 0) + n
        return running_totals({"released_on": changes})["released_on"]

    return mode, remembered(f"released-by-{mode}", compute)


def released_in_event_counts(figures):
    """Named people released in each figure's event: a point per figure.

    Only the figures' own events are counted (released_in_events): a measure
    page passes the figures it shows a count beside (events/views/figures.py:_counted).
    """
    counts = released_in_events({figure.event_id for figure in figures if figure.event_id})
    for figure in figures:
        if figure.event_id:
            figure.registry_count = counts.get(figure.event_id, 0)
    return registry_points(figures, "Named people released in the event, in this database")


def released_in_events(events):
    """{release event id: published detentions it released}, for `events` only (events.models.released_counts).

    Counting every release at once joined all ~38,000 released detentions to
    their detentions and people (~120 ms on PostgreSQL at 200,000 people,
    after every write); the database now keeps the count per release, and a
    page reads the rows of the ~110 events it shows.
    """
    return released_counts(events)


def registry_points(figures, name):
    by_country = {}
    for figure in figures:
        if figure.registry_count is not None:
            # In the middle of the as-of period, where the chart draws the figure it stands beside.
            start, end = figure.as_of_on, period_end(figure.as_of_on, figure.as_of_on_precision)
            by_country.setdefault(figure.country_code, set()).add((start + (end - start) / 2, figure.registry_count))
    return {country: Registry(name, sorted(points), is_stock=False) for country, points in by_country.items()}
