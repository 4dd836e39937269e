"""The release ledger, the figures index and one page per measure."""

import bisect
import datetime
import itertools

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.shortcuts import get_object_or_404, render
from django.utils.text import capfirst
from django_countries import countries

from events.charts import Claim, Registry, Series, draw, layout, series_of
from events.filters import CountryFilter
from events.models import Event, EventLink, Figure, Measure, ReleasedDetention, rank_order
from events.views.timeline import page_of, query_without_page
from tracker.caching import cached, public_page, query_key
from tracker.dates import period_end
from tracker.models import Detention

# Links that put a release in its diplomatic context; in_exchange_for has a column of its own.
CONTEXT_LINKS = {EventLink.Kind.PART_OF, EventLink.Kind.FOLLOWS, EventLink.Kind.RESPONSE_TO}
# The registry's samples of "held" on a measure page: figure dates plus at most this many more.
HELD_SAMPLES = 48
# How the registry's count beside a group of figures reads: "This database names 14 people held on that date."
REGISTRY_PHRASES = {
    Measure.RegistryCount.HELD: "held on that date",
    Measure.RegistryCount.RELEASED: "released in that period",
    Measure.RegistryCount.RECOGNISED: "recognised as political prisoners in that period",
    Measure.RegistryCount.RELEASED_IN_EVENT: "released in this event",
}


# --- Filters ------------------------------------------------------------------


class FlagInput(forms.CheckboxInput):
    """A checkbox that submits 1, so the form writes ?deprecated=1 as links do."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda value: value in (True, "1", "on"))

    def format_value(self, value):
        return "1"

    def value_from_datadict(self, data, files, name):
        # The raw string, for the field to judge: CheckboxInput would read "0" as checked.
        return data.get(name)


class FlagField(forms.Field):
    widget = FlagInput

    def to_python(self, value):
        if value in (None, "", "0"):
            return False
        if value in ("1", "on"):
            return True
        raise ValidationError("Write 1 to include deprecated figures, or leave it out.", code="invalid")


class ShowDeprecatedFilter(django_filters.Filter):
    """Deprecated figures are hidden unless asked for; then they are shown, and marked."""

    field_class = FlagField

    def filter(self, queryset, value):
        return queryset if value else queryset.current()


def country_options(codes):
    return sorted(((code, countries.name(code)) for code in codes if code), key=lambda item: item[1])


class ReleaseFilter(django_filters.FilterSet):
    country = CountryFilter(label="Country", method="filter_country", empty_label="Any country")
    year = django_filters.ChoiceFilter(
        label="Year", field_name="occurred_on", lookup_expr="year", empty_label="Any year"
    )
    deprecated = ShowDeprecatedFilter(label="Include deprecated figures", method="keep_every_release")

    class Meta:
        model = Event
        fields = ["country", "year", "deprecated"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query gives both lists: the countries and years that have a published release.
        used = cached(
            "release-choices",
            lambda: set(self.queryset.order_by().values_list("countries", "occurred_on__year").distinct()),
            query_key(self.queryset),
        )
        codes = {code for value, _ in used for code in str(value).split(",")}
        self.filters["country"].extra["choices"] = country_options(codes)
        years = sorted({year for _, year in used}, reverse=True)
        self.filters["year"].extra["choices"] = [(str(year), str(year)) for year in years]

    def filter_country(self, queryset, name, value):
        return queryset.in_country(value)

    def keep_every_release(self, queryset, name, value):
        # The flag chooses which figures are shown in each row, not which rows: the view reads it.
        return queryset


class CountryFigureFilter(django_filters.FilterSet):
    country = CountryFilter(label="Country", empty_label="Every country")

    class Meta:
        model = Figure
        fields = ["country"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = cached(
            "figure-countries",
            lambda: list(self.queryset.order_by().values_list("country", flat=True).distinct()),
            query_key(self.queryset),
        )
        self.filters["country"].extra["choices"] = country_options(codes)


class FigureFilter(CountryFigureFilter):
    deprecated = ShowDeprecatedFilter(label="Include deprecated figures")

    class Meta:
        model = Figure
        fields = ["country", "deprecated"]


def filtered(filterset):
    """The filtered queryset and the response status: 400, and no rows, for filters that make no sense."""
    if not filterset.is_valid():
        return filterset.queryset.none(), 400
    return filterset.qs, 200


# --- Release ledger -------------------------------------------------------------


def ledger_details(releases, show_deprecated):
    """What a ledger row shows, one query per relation whatever the number of rows."""
    figures = (
        Figure.objects.published()
        .filter(measure__kind=Measure.Kind.PER_EVENT)
        .select_related("measure", "source__publisher", "attributed_to")
        .best_first()
    )
    if not show_deprecated:
        figures = figures.current()
    # Withheld people are counted too (DOMAIN rule 2): a number, never a name.
    named = (
        ReleasedDetention.objects.published()
        .filter(release=OuterRef("pk"))
        .order_by()
        .values("release")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        releases.select_related("release")
        .annotate(named_released=Coalesce(Subquery(named, output_field=IntegerField()), Value(0)))
        .prefetch_related(
            Prefetch("figures", queryset=figures, to_attr="ledger_figures"),
            Prefetch("outgoing_links", queryset=EventLink.objects.published().select_related("to_event")),
            Prefetch("incoming_links", queryset=EventLink.objects.published().select_related("from_event")),
        )
    )


def ledger_row(event, columns):
    by_measure = {}
    for figure in event.ledger_figures:
        by_measure.setdefault(figure.measure_id, []).append(figure)
    exchange, context = [], []
    # A link reads the same from either end for an exchange; the others read
    # "part of" one way and "includes" the other.
    for link in event.outgoing_links.all():
        other = {"event": link.to_event, "label": link.get_kind_display()}
        (exchange if link.kind == EventLink.Kind.IN_EXCHANGE_FOR else context).append(other)
    for link in event.incoming_links.all():
        if link.kind == EventLink.Kind.IN_EXCHANGE_FOR:
            exchange.append({"event": link.from_event, "label": link.get_kind_display()})
        elif link.kind in CONTEXT_LINKS:
            context.append({"event": link.from_event, "label": link.inverse_label})
    return {
        "event": event,
        "release": getattr(event, "release", None),
        "cells": [
            {"measure": measure, "claims": claims_side_by_side(by_measure.get(measure.pk, []))} for measure in columns
        ],
        "named_released": event.named_released,
        "exchange": exchange,
        "context": context,
    }


def claims_side_by_side(figures):
    """Figures of one number, best first, and whether their sources disagree (DOMAIN rule 4)."""
    current = {(f.value, f.qualifier, f.upper_value) for f in figures if f.rank != Figure.Rank.DEPRECATED}
    return {"figures": figures, "disagree": len(current) > 1}


@public_page(ReleaseFilter, "page")
def release_ledger(request):
    releases = Event.objects.published().filter(kind=Event.Kind.RELEASE)
    filterset = ReleaseFilter(request.GET, queryset=releases)
    events, status = filtered(filterset)
    show_deprecated = status == 200 and filterset.form.cleaned_data["deprecated"]
    page = page_of(request, ledger_details(events.newest_first(), show_deprecated))
    events = list(page.object_list)
    # The columns are the per-event measures reported on this page, in headline order.
    measures = {figure.measure for event in events for figure in event.ledger_figures}
    columns = sorted(measures, key=lambda measure: (measure.position, measure.name))
    context = {
        "filter": filterset,
        "page": page,
        "rows": [ledger_row(event, columns) for event in events],
        "columns": columns,
        "show_deprecated": show_deprecated,
        "query": query_without_page(request),
    }
    return render(request, "events/releases.html", context, status=status)


# --- Figures index ----------------------------------------------------------------


def best_figure_per_measure(figures):
    """The figure a headline shows for each measure and country, in one query.

    The same order as FigureQuerySet.best_first(), as a window: preferred
    before normal, then the newest claim.
    """
    return (
        figures.current()
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("measure_id"), F("country")],
                order_by=[rank_order().asc(), F("as_of_on").desc(), F("pk").desc()],
            )
        )
        .filter(place=1)
        .select_related("source__publisher", "attributed_to", "event")
        .order_by("country")
    )


@public_page(CountryFigureFilter)
def figure_index(request):
    published = Figure.objects.published()
    filterset = CountryFigureFilter(request.GET, queryset=published)
    figures, status = filtered(filterset)
    figures = figures.current()
    reports = figures.filter(measure=OuterRef("pk")).order_by().values("measure")
    measures = (
        Measure.objects.published()
        .filter(pk__in=figures.values("measure"))
        .annotate(
            reports=Coalesce(Subquery(reports.annotate(n=Count("pk")).values("n")), Value(0)),
            sources=Coalesce(Subquery(reports.annotate(n=Count("source", distinct=True)).values("n")), Value(0)),
        )
    )
    headlines = {}
    for figure in best_figure_per_measure(figures):
        headlines.setdefault(figure.measure_id, []).append(figure)
    rows = [{"measure": measure, "headlines": headlines.get(measure.pk, [])} for measure in measures]
    context = {"filter": filterset, "rows": rows, "query": query_without_page(request)}
    return render(request, "events/figures.html", context, status=status)


# --- One measure ------------------------------------------------------------------


def sample_days(first, last, most=HELD_SAMPLES):
    """First days of months from `first` to `last`, thinned to at most `most`."""
    days = []
    month = first.replace(day=1)
    while month <= last:
        days.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    step = -(-len(days) // most)
    return [day for day in days[::step] if day >= first] + [last]


def registry_counts(measure, figures):
    """The registry's own counts beside the figures (DOMAIN rule 5), in one query.

    Sets `registry_count` on each figure it applies to, and returns the
    series to draw beside them, {country: Registry}. The figures carry
    `country_code` (see measure_detail).
    """
    for figure in figures:
        figure.registry_count = None
    kind = measure.registry_count
    if not figures or kind not in REGISTRY_PHRASES:
        return {}
    if kind == Measure.RegistryCount.HELD:
        return held_counts(figures)
    if kind == Measure.RegistryCount.RELEASED_IN_EVENT:
        return released_in_event_counts(figures)
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


def in_periods(periods, field):
    """{(country, start, end): published detentions whose `field` falls from start to end}.

    One condition per period made the database test every detention against
    every period; here each period is a difference of running totals.
    """
    totals = day_counts()[field]
    return {
        (country, start, end): up_to(totals, country, end) - up_to(totals, country, start, inclusive=False)
        for country, start, end in periods
    }


def day_counts():
    """Running totals per country and day of published detentions, for every measure: one query per data version.

    {"held": …, "released_on": …, "recognised_on": …}, each {country: ([days],
    [total up to and including that day])}: the change in the number held
    (see held_on_days), and the detentions released, and recognised, on or
    before each day. The published detentions are read once (a common table
    expression) and grouped four ways; every measure page and filter reads
    the result until the data changes.
    """
    return cached("detention-day-counts", count_days)


def count_days():
    detentions = (
        Detention.objects.published()
        .order_by()
        .values_list("country", "detained_on", "released_on", "recognised_on", "custody_status")
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
    changes = {}
    with connection.cursor() as cursor:
        cursor.execute(query, (*params, Detention.CustodyStatus.HELD))
        for name, country, day, n in cursor.fetchall():
            if isinstance(day, str):  # SQLite hands raw SQL dates back as text
                day = datetime.date.fromisoformat(day)
            per_day = changes.setdefault(name, {}).setdefault(country, {})
            per_day[day] = per_day.get(day, 0) + n
    return {
        name: {
            country: (sorted(per_day), list(itertools.accumulate(per_day[day] for day in sorted(per_day))))
            for country, per_day in changes.get(name, {}).items()
        }
        for name in ("held", "released_on", "recognised_on")
    }


def period_counts(figures, field):
    """Named people released (or recognised) in each figure's period: a point per figure."""

    def key(figure):
        # Through the end of the as-of period: "as of September 2025" counts all of September.
        return (figure.country_code, figure.period_start_on, period_end(figure.as_of_on, figure.as_of_on_precision))

    over_a_period = [figure for figure in figures if figure.period_start_on]
    counts = in_periods({key(figure) for figure in over_a_period}, field)
    for figure in over_a_period:
        figure.registry_count = counts[key(figure)]
    what = "released" if field == "released_on" else "recognised as political prisoners"
    return registry_points(figures, f"Named people {what} in the period, in this database")


def released_in_event_counts(figures):
    """Named people released in each figure's event: a point per figure."""
    counts = cached("released-per-event", released_per_event)
    for figure in figures:
        if figure.event_id:
            figure.registry_count = counts.get(figure.event_id, 0)
    return registry_points(figures, "Named people released in the event, in this database")


def released_per_event():
    """{release event id: published detentions it released}, every release at once: one query per data version."""
    return dict(ReleasedDetention.objects.published().order_by().values_list("release").annotate(n=Count("pk")))


def registry_points(figures, name):
    by_country = {}
    for figure in figures:
        if figure.registry_count is not None:
            # In the middle of the as-of period, where the chart draws the figure it stands beside.
            start, end = figure.as_of_on, period_end(figure.as_of_on, figure.as_of_on_precision)
            by_country.setdefault(figure.country_code, set()).add((start + (end - start) / 2, figure.registry_count))
    return {country: Registry(name, sorted(points), is_stock=False) for country, points in by_country.items()}


def claim_label(figure):
    label = f"{figure.in_words} as of {figure.as_of}"
    if figure.period_start:
        label += f", since {figure.period_start}"
    if figure.event_id:
        label += f" ({figure.event.title})"
    return label


def charts(measure, figures, registries):
    """One chart per country: counts of different countries never share an axis."""
    drawn = []
    for country in sorted({figure.country_code for figure in figures}):
        by_source = {}
        for figure in figures:
            if figure.country_code != country:
                continue
            claim = Claim(
                figure.as_of_on,
                figure.as_of_on_precision,
                figure.value,
                figure.qualifier,
                figure.upper_value,
                figure.in_words,
                claim_label(figure),
                is_deprecated=figure.rank == Figure.Rank.DEPRECATED,
            )
            key, name = series_of(figure.source)
            by_source.setdefault(key, Series(name)).claims.append(claim)
        chart = layout(list(by_source.values()), registries.get(country))
        if chart:
            name = countries.name(country)
            title = capfirst(f"{measure.name} in {name}, as reported")
            drawn.append(
                {"country": name, "title": title, "chart": chart, "svg": draw(chart, title, f"chart-{country.lower()}")}
            )
    return drawn


# Report groups (reports of one date, period, event and country) per page of a measure's table.
REPORT_GROUPS_PER_PAGE = 50


def report_groups(figures):
    """Figures grouped by what they claim to count: the same date, period, event and country.

    Newest first; inside a group, best first. A group whose current figures
    differ is a conflict, shown side by side (DOMAIN rule 4).
    """
    groups = {}
    for figure in figures:
        key = (figure.as_of_on, figure.as_of_on_precision, figure.period_start_on, figure.event_id, figure.country_code)
        groups.setdefault(key, []).append(figure)
    ordered = sorted(groups.items(), key=lambda item: (item[0][0], item[0][4], item[0][3] or 0), reverse=True)
    return [
        {
            "figures": group,
            "first": group[0],
            "disagree": claims_side_by_side(group)["disagree"],
            "registry_count": group[0].registry_count,
        }
        for _, group in ordered
    ]


def headlines(measure, figures):
    """The figure a headline shows, per country, and how many other reports of the same number there are.

    For a count per event, "the same number" is the count of the headline's event.
    """
    best = {}
    for figure in figures:  # already best first
        if figure.rank == Figure.Rank.DEPRECATED:
            continue
        headline = best.setdefault(figure.country_code, {"figure": figure, "others": 0})
        if figure is not headline["figure"] and (
            measure.kind != Measure.Kind.PER_EVENT or figure.event_id == headline["figure"].event_id
        ):
            headline["others"] += 1
    return [best[country] for country in sorted(best)]


@public_page(FigureFilter, "page")
def measure_detail(request, slug):
    measure = get_object_or_404(Measure.objects.published(), slug=slug)
    published = Figure.objects.published().filter(measure=measure)
    filterset = FigureFilter(request.GET, queryset=published)
    figures, status = filtered(filterset)
    # country_code: the plain code; figure.country builds a Country object at every read (thousands per page).
    figures = figures.select_related("source__publisher", "attributed_to", "event").annotate(country_code=F("country"))
    figures = list(figures.best_first())
    registries = registry_counts(measure, figures)
    # The chart draws every report; the table lists them a page of groups at a time.
    page = page_of(request, report_groups(figures), per_page=REPORT_GROUPS_PER_PAGE)
    context = {
        "measure": measure,
        "filter": filterset,
        "query": query_without_page(request),
        "headlines": headlines(measure, figures),
        "page": page,
        "groups": page.object_list,
        "charts": charts(measure, figures, registries),
        "registries": registries,
        "several_countries": len({figure.country_code for figure in figures}) > 1,
        "show_deprecated": status == 200 and filterset.form.cleaned_data["deprecated"],
        "registry_phrase": REGISTRY_PHRASES.get(measure.registry_count, ""),
    }
    return render(request, "events/measure.html", context, status=status)
