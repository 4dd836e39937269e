"""The figures index and one page per measure: every report of a number, side by side, over time."""

from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.utils.text import capfirst
from django_countries import countries

from events.charts import Claim, Registry, Series, draw, layout, series_of
from events.filters import CountryFigureFilter, FigureFilter, filtered_or_400
from events.models import Figure, Measure, claims_disagree
from events.pagination import page_of, query_without_page
from events.registry_counts import registry_counts
from events.thinning import spread_over_time
from tracker.caching import public_page

# How the registry's count beside a group of figures reads: "This database names 14 people held on that date."
REGISTRY_PHRASES = {
    Measure.RegistryCount.HELD: "held on that date",
    Measure.RegistryCount.RELEASED: "released in that period",
    Measure.RegistryCount.RECOGNISED: "recognised as political prisoners in that period",
    Measure.RegistryCount.RELEASED_IN_EVENT: "released in this event",
}
# Report groups (reports of one date, period, event and country) per page of a measure's table:
# ~1.3 kB each with their sources and quotes, so a page stays under 150 kB with its charts.
REPORT_GROUPS_PER_PAGE = 30


@public_page(CountryFigureFilter)
def figure_index(request):
    filterset = CountryFigureFilter(request.GET, queryset=Figure.objects.published())
    figures, status = filtered_or_400(filterset)
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
    for figure in figures.headlines().select_related("source__publisher", "attributed_to", "event").order_by("country"):
        headlines.setdefault(figure.measure_id, []).append(figure)
    rows = [{"measure": measure, "headlines": headlines.get(measure.pk, [])} for measure in measures]
    context = {"filter": filterset, "rows": rows, "query": query_without_page(request)}
    return render(request, "events/figures.html", context, status=status)


def _claim_label(figure):
    label = f"{figure.in_words} as of {figure.as_of}"
    if figure.period_start:
        label += f", since {figure.period_start}"
    if figure.event_id:
        label += f" ({figure.event.title})"
    return label


def _charts(measure, figures, registries):
    """One chart per country: counts of different countries never share an axis.

    Each draws at most thinning.MOST_MARKS reports (spread over each
    organisation's reports, events/thinning.py) and the registry's count on
    the same days; the table lists every report.
    """
    drawn = []
    for country in sorted({figure.country_code for figure in figures}):
        reports = [figure for figure in figures if figure.country_code == country]
        shown = spread_over_time(
            reports,
            series=lambda figure: series_of(figure.source)[0],
            day=lambda figure: figure.as_of_on,
            worse=lambda figure: figure.rank == Figure.Rank.DEPRECATED,
        )
        by_source = {}
        for figure in shown:
            claim = Claim(
                figure.as_of_on,
                figure.as_of_on_precision,
                figure.value,
                figure.qualifier,
                figure.upper_value,
                figure.in_words,
                _claim_label(figure),
                is_deprecated=figure.rank == Figure.Rank.DEPRECATED,
            )
            key, name = series_of(figure.source)
            by_source.setdefault(key, Series(name)).claims.append(claim)
        registry = registries.get(country)
        if registry is not None and len(shown) < len(reports):
            registry = _registry_on(registry, {figure.as_of_on for figure in shown})
        chart = layout(list(by_source.values()), registry)
        if chart:
            name = countries.name(country)
            title = capfirst(f"{measure.name} in {name}, as reported")
            drawn.append(
                {
                    "country": name,
                    "title": title,
                    "chart": chart,
                    "svg": draw(chart, title, f"chart-{country.lower()}"),
                    "drawn": len(shown),
                    "reports": len(reports),
                }
            )
    return drawn


def _registry_on(registry, days):
    """The registry's count on `days` and, for a stock, on the first of each month: a line as long as the chart."""
    counts = [
        (day, count)
        for day, count in registry.counts
        if day in days or (registry.is_stock and day.day == 1) or day == registry.counts[-1][0]
    ]
    return Registry(registry.name, counts, registry.is_stock)


def _registry_table(registry):
    """A stock's counts for the table under the chart: on the first of each month, and the latest."""
    counts = [(day, count) for day, count in registry.counts if day.day == 1]
    if registry.counts and registry.counts[-1] not in counts:
        counts.append(registry.counts[-1])
    return Registry(registry.name, counts, registry.is_stock)


def _report_groups(figures):
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
            "disagree": claims_disagree(group),
            "registry_count": group[0].registry_count,
        }
        for _, group in ordered
    ]


def _headlines(measure, figures):
    """The headline figure per country (Figure.is_headline), and how many other reports of the same number there are.

    For a count per event, "the same number" is the count of the headline's event.
    """
    best = {figure.country_code: {"figure": figure, "others": 0} for figure in figures if figure.is_headline}
    for figure in figures:
        headline = best.get(figure.country_code)
        if headline is None or figure is headline["figure"] or figure.rank == Figure.Rank.DEPRECATED:
            continue
        if measure.kind != Measure.Kind.PER_EVENT or figure.event_id == headline["figure"].event_id:
            headline["others"] += 1
    return [best[country] for country in sorted(best)]


@public_page(FigureFilter, "page")
def measure_detail(request, slug):
    measure = get_object_or_404(Measure.objects.published(), slug=slug)
    filterset = FigureFilter(request.GET, queryset=Figure.objects.published().filter(measure=measure))
    figures, status = filtered_or_400(filterset)
    # country_code: the plain code; figure.country builds a Country object at every read (thousands per page).
    figures = figures.select_related("source__publisher", "attributed_to", "event").annotate(country_code=F("country"))
    figures = list(figures.ranked())
    registries = registry_counts(measure, figures)
    # The chart draws every report; the table lists them a page of groups at a time.
    page = page_of(request, _report_groups(figures), per_page=REPORT_GROUPS_PER_PAGE)
    context = {
        "measure": measure,
        "filter": filterset,
        "query": query_without_page(request),
        "headlines": _headlines(measure, figures),
        "page": page,
        "groups": page.object_list,
        "charts": _charts(measure, figures, registries),
        "registries": registries,
        # The table of a stock's counts: one row a month (the reports' own days are in the reports' table).
        "registry_tables": {country: _registry_table(registry) for country, registry in registries.items()},
        "several_countries": len({figure.country_code for figure in figures}) > 1,
        "show_deprecated": status == 200 and filterset.form.cleaned_data["deprecated"],
        "registry_phrase": REGISTRY_PHRASES.get(measure.registry_count, ""),
    }
    return render(request, "events/measure.html", context, status=status)
