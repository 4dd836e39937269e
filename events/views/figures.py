"""The figures index and one page per measure: every report of a number, side by side, over time."""

from types import SimpleNamespace

from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django_countries import countries

from events.charts import Claim, Registry, Series, draw, layout, series_of
from events.filters import CountryFigureFilter, FigureFilter, filtered_or_400
from events.html import text
from events.models import Figure, Measure, claims_disagree, newer_report
from events.pagination import page_of, query_without_page
from events.registry_counts import registry_counts, registry_sentence
from events.rows import Organizations, Report, full_figures
from events.templatetags.citations import citation
from events.thinning import spread_over_time
from tracker.caching import cached, public_page, query_key, remembered
from tracker.dates import period_end

# Report groups (reports of one date, period, event and country) per page of a measure's table:
# ~1.3 kB each with their sources and quotes, so a page stays under 150 kB with its charts.
REPORT_GROUPS_PER_PAGE = 30


def _index_summary(figures):
    """{measure id: (reports, sources, [headline figure ids], {country: [(as_of_on, precision, rank)]})} of `figures`
    (the current ones), in one narrow query; the dates tell whether a newer report stands below a headline.

    The reports of a measure, how many sources gave them, and the headline
    figure of each country: the first by FigureQuerySet.best_first, which
    is FigureQuerySet.headlines() (place 1 of ranked()). Ranking every
    report with all its columns, its event, source and attribution in SQL
    took ~35 ms on PostgreSQL at 200,000 people; these are short rows.
    """
    summary = {}
    dated = {}
    rows = figures.best_first().values_list(
        "pk", "measure_id", "country", "source_id", "as_of_on", "as_of_on_precision", "rank"
    )
    for pk, measure, country, source, *date in rows:
        reports, sources, headlines = summary.setdefault(measure, [0, set(), []])
        summary[measure][0] = reports + 1
        sources.add(source)
        reports_of_country = dated.setdefault(measure, {}).setdefault(country, [])
        reports_of_country.append(tuple(date))
        if len(reports_of_country) == 1:
            headlines.append(pk)
    return {
        measure: (reports, len(sources), headlines, dated[measure])
        for measure, (reports, sources, headlines) in summary.items()
    }


@public_page(CountryFigureFilter)
def figure_index(request):
    filterset = CountryFigureFilter(request.GET, queryset=Figure.objects.published())
    figures, status = filtered_or_400(filterset)
    figures = figures.current()
    summary = cached("figure-index", lambda: _index_summary(figures), query_key(figures))
    rows = []
    if summary:
        measures = Measure.objects.published().filter(pk__in=list(summary))
        pks = [pk for _, _, headlines, _ in summary.values() for pk in headlines]
        headlines = {}
        listed = figures.filter(pk__in=pks).select_related("source__publisher", "attributed_to", "event").order_by()
        for figure in listed:
            headlines.setdefault(figure.measure_id, []).append(figure)
        for measure in measures:
            measure.reports, measure.sources, _, dated = summary[measure.pk]
            shown = sorted(headlines.get(measure.pk, []), key=lambda figure: figure.country.code)
            for figure in shown:
                per_event = measure.kind == Measure.Kind.PER_EVENT
                figure.newer = None if per_event else newer_report(figure, dated[figure.country.code])
            rows.append({"measure": measure, "headlines": shown})
    context = {"filter": filterset, "rows": rows, "query": query_without_page(request)}
    return render(request, "events/figures.html", context, status=status)


# What the measure page reads of every report: enough to rank, group, count, thin and draw them all.
# The few a page lists in full (its groups of the table, the headlines) are read again as figures.
REPORT_FIELDS = (
    "pk",
    "country",
    "rank",
    "value",
    "qualifier",
    "upper_value",
    "as_of_on",
    "as_of_on_precision",
    "period_start_on",
    "period_start_on_precision",
    "period_end_on",
    "period_end_on_precision",
    "event_id",
    "event__title",
    "source_id",
    "source__title",
    "source__publisher_id",
    "source__publisher__name",
    "source__publisher__status",
    "attributed_to_id",
    "attributed_to__name",
    "attributed_to__status",
)
# A report's own fields; those after are what names its series.
OWN_FIELDS = REPORT_FIELDS.index("source_id")


def _rows(figures):
    """Every report of `figures` as a plain tuple, best first (FigureQuerySet.best_first): what _reports reads.

    Each is the first OWN_FIELDS of REPORT_FIELDS and charts.series_of its source and
    the organisation it is attributed to, read from the same row. Tuples, so that the cached list is quick to load.
    """
    series = {}
    publishers = Organizations()
    rows = []
    for row in figures.best_first().values_list(*REPORT_FIELDS):
        source_id, title, publisher_id, publisher_name, publisher_status, *attributed = row[OWN_FIELDS:]
        key = (source_id, attributed[0])
        if key not in series:
            publisher = publishers(publisher_id, publisher_name, publisher_status)
            # What series_of reads of a source and of the organisation the figure is attributed to.
            series[key] = series_of(
                SimpleNamespace(pk=source_id, title=title, publisher=publisher), publishers(*attributed)
            )
        rows.append((*row[:OWN_FIELDS], series[key]))
    return rows


def _filtered_rows(filterset, figures):
    """_rows() of `figures`, what a FigureFilter keeps of its queryset (a measure's published figures).

    Every report of the measure is read as a short row once per change of
    the data, whatever the filters; a filter (a country, deprecated figures
    or not) then reads only the keys it keeps, once per filter: a filter not
    asked before costs an index read, not the rows, their sources and
    publishers again. Only those the page prints in full are read as figures.
    """
    every, every_key, figures_key = filterset.queryset, filterset.queryset_key, query_key(figures)
    # Kept in this process's memory too: tuples no reader changes, unpickled once rather than every page.
    rows = remembered("measure-rows", lambda: _rows(every), every_key)
    if figures_key == every_key:  # no filter narrows them
        return rows
    kept = cached("measure-kept", lambda: set(figures.values_list("pk", flat=True)), figures_key)
    # _rows() reads them best first: a part of them, in the same order, is best first too.
    return [row for row in rows if row[0] in kept]


def _reports(rows):
    """The rows of _rows as Reports, each with its `place`.

    `place` is what FigureQuerySet.ranked() numbers in SQL: the report's
    position, best first, among the reports of its country.
    """
    places = {}
    reports = []
    for row in rows:
        report = Report()
        (
            report.pk,
            report.country_code,
            report.rank,
            report.value,
            report.qualifier,
            report.upper_value,
            report.as_of_on,
            report.as_of_on_precision,
            report.period_start_on,
            report.period_start_on_precision,
            report.period_end_on,
            report.period_end_on_precision,
            report.event_id,
            report.event_title,
            report.series,
        ) = row
        places[report.country_code] = report.place = places.get(report.country_code, 0) + 1
        report.registry_count = None
        reports.append(report)
    return reports


def _claim_label(figure):
    label = f"{figure.in_words} as of {figure.as_of}"
    if figure.period:
        label += f", {figure.period}"
    if figure.event_id:
        label += f" ({figure.event_title})"
    return label


def _drawn(reports):
    """{country: (its reports, the ones its chart draws)}: at most thinning.MOST_MARKS per chart."""
    drawn = {}
    for country in sorted({report.country_code for report in reports}):
        of_country = [report for report in reports if report.country_code == country]
        shown = spread_over_time(
            of_country,
            series=lambda report: report.series[0],
            day=lambda report: report.as_of_on,
            worse=lambda report: report.rank == Figure.Rank.DEPRECATED,
        )
        drawn[country] = (of_country, shown)
    return drawn


def _charts(measure, drawn, registries):
    """One chart per country: counts of different countries never share an axis.

    Each draws at most thinning.MOST_MARKS reports (spread over each
    organisation's reports, events/thinning.py) and the registry's count on
    the same days; the table lists every report.
    """
    charts = []
    for country, (reports, shown) in drawn.items():
        by_source = {}
        for report in shown:
            claim = Claim(
                report.as_of_on,
                report.as_of_on_precision,
                report.value,
                report.qualifier,
                report.upper_value,
                report.in_words,
                _claim_label(report),
                is_deprecated=report.rank == Figure.Rank.DEPRECATED,
            )
            key, name = report.series
            by_source.setdefault(key, Series(name)).claims.append(claim)
        registry = registries.get(country)
        if registry is not None and len(shown) < len(reports):
            registry = _registry_on(registry, {report.as_of_on for report in shown})
        chart = layout(list(by_source.values()), registry)
        if chart:
            name = countries.name(country)
            title = capfirst(f"{measure.name} in {name}, as reported")
            charts.append(
                {
                    "country": name,
                    "title": title,
                    "chart": chart,
                    "svg": draw(chart, title, f"chart-{country.lower()}"),
                    "drawn": len(shown),
                    "reports": len(reports),
                }
            )
    return charts


def _point_day(report):
    """Where registry_counts.registry_points puts the count beside a report: the middle of its as-of period."""
    start, end = report.as_of_on, period_end(report.as_of_on, report.as_of_on_precision)
    return start + (end - start) / 2


# Which reports a count per event, or per period, stands beside (registry_counts.registry_points draws those).
HAS_COUNT = {
    Measure.RegistryCount.RELEASED_IN_EVENT: lambda report: report.event_id is not None,
    Measure.RegistryCount.RELEASED: lambda report: report.period_start_on is not None,
    Measure.RegistryCount.RECOGNISED: lambda report: report.period_start_on is not None,
}


def _counted(measure, drawn, groups):
    """The reports whose registry count the page shows: those registry_counts is asked about.

    A count per event or per period is a point beside its report: the page
    shows the first report's of each group of the table's page, and the
    points the charts draw, which are every report's when a chart draws
    them all, else those on the days drawn and on the last day
    (_registry_on). registry_counts builds the same points from these as
    from every report, and a count per event is read for these events only
    (registry_counts.released_in_events). A stock's line and table are read
    for every report (one query per change of the data, shared by every page).
    """
    reports = [report for of_country, _ in drawn.values() for report in of_country]
    has_count = HAS_COUNT.get(measure.registry_count)
    if has_count is None:
        return reports
    counted = {id(group["first"]): group["first"] for group in groups}
    for of_country, shown in drawn.values():
        if len(shown) == len(of_country):
            counted.update((id(report), report) for report in of_country)
            continue
        points = [(_point_day(report), report) for report in of_country if has_count(report)]
        if not points:
            continue
        days = {report.as_of_on for report in shown} | {max(day for day, _ in points)}
        counted.update((id(report), report) for day, report in points if day in days)
    return list(counted.values())


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
        key = (
            figure.as_of_on,
            figure.as_of_on_precision,
            figure.period_start_on,
            figure.period_end_on,
            figure.event_id,
            figure.country_code,
        )
        groups.setdefault(key, []).append(figure)
    ordered = sorted(groups.items(), key=lambda item: (item[0][0], item[0][5], item[0][4] or 0), reverse=True)
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
    for country, headline in best.items():
        # A count per event: another event's count is not a newer report of this one.
        reports = [] if measure.kind == Measure.Kind.PER_EVENT else figures
        headline["newer"] = newer_report(
            headline["figure"],
            [(f.as_of_on, f.as_of_on_precision, f.rank) for f in reports if f.country_code == country],
        )
    return [best[country] for country in sorted(best)]


def _in_full(reports):
    """The figures of `reports` as the page prints them (events.rows.full_figures): source, publisher, attribution, event."""
    full = full_figures([report.pk for report in reports])
    for report in reports:
        figure = full[report.pk]
        figure.place, figure.registry_count = report.place, report.registry_count
    return full


@public_page(FigureFilter, "page")
def measure_detail(request, slug):
    # The public measures are a few dozen: read once per change of the data, not once a page.
    measure = cached("published-measures", lambda: {m.slug: m for m in Measure.objects.published()}).get(slug)
    if measure is None:
        raise Http404("No such measure.")
    filterset = FigureFilter(request.GET, queryset=Figure.objects.published().filter(measure=measure))
    figures, status = filtered_or_400(filterset)
    reports = _reports(_filtered_rows(filterset, figures))
    drawn = _drawn(reports)
    # The chart draws at most MOST_MARKS reports; the table lists them a page of groups at a time.
    page = page_of(request, _report_groups(reports), per_page=REPORT_GROUPS_PER_PAGE)
    registries = registry_counts(measure, _counted(measure, drawn, page.object_list))
    headlines = _headlines(measure, reports)
    listed = [headline["figure"] for headline in headlines] + [
        report for group in page.object_list for report in group["figures"]
    ]
    full = _in_full(listed) if listed else {}
    for headline in headlines:
        headline["figure"] = full[headline["figure"].pk]
    groups = [
        {
            **group,
            "figures": [full[report.pk] for report in group["figures"]],
            "first": full[group["first"].pk],
            "registry_count": group["first"].registry_count,
            "registry_sentence": registry_sentence(measure, group["first"].registry_count),
        }
        for group in page.object_list
    ]
    several_countries = len(drawn) > 1
    context = {
        "measure": measure,
        "filter": filterset,
        "query": query_without_page(request),
        "headlines": headlines,
        "page": page,
        "groups": groups,
        "report_rows": report_rows(groups, measure.kind, several_countries),
        "charts": _charts(measure, drawn, registries),
        "registries": registries,
        # The table of a stock's counts: one row a month (the reports' own days are in the reports' table).
        "registry_tables": {country: _registry_table(registry) for country, registry in registries.items()},
        "several_countries": several_countries,
        "show_deprecated": status == 200 and filterset.form.cleaned_data["deprecated"],
    }
    return render(request, "events/measure.html", context, status=status)


# --- The reports' table, written once here ------------------------------------------
#
# As the registry's and the ledger's rows: the template looked up about forty
# values per report, repeated for every report of the page; written here once.
# Every value is escaped once, as {{ value }} escapes it (events.html.text);
# citations by the {% citation %} tag's own function. tests/test_measure_render.py
# holds this HTML equal to the template it replaced, for awkward and hostile values.


def _report_row(figure, group, first, kind, several_countries):
    deprecated = figure.rank == "deprecated"
    parts = [f'\n<tr role="row"{' class="deprecated"' if deprecated else ""}>\n']
    if first:
        disagree = '<span class="disagree">Sources differ</span>' if group["disagree"] else ""
        sentence = group["registry_sentence"]
        registry = f'<span class="registry-note">{text(sentence)}</span>' if sentence else ""
        parts.append(
            f'\n<th scope="rowgroup" role="rowheader" rowspan="{text(len(group["figures"]))}" class="as-of">\n'
            f'<time datetime="{text(figure.as_of.iso)}">{text(figure.as_of)}</time>\n{disagree}\n{registry}\n</th>\n'
        )
    words = text(figure.in_words)
    parts.append(
        '\n<td role="cell" data-label="Value" class="number">'
        + (f"<s>{words}</s>" if deprecated else f"<strong>{words}</strong>")
        + f'</td>\n<td role="cell" data-label="Qualifier">{text(figure.get_qualifier_display())}</td>\n'
    )
    if kind == "flow":
        period = figure.period
        parts.append(
            '<td role="cell" data-label="Period counted">'
            + (text(period) if period else '<span class="none">Not given</span>')
            + "</td>"
        )
    parts.append("\n")
    if kind == "per_event":
        event = figure.event
        link = f'<a href="{text(event.get_absolute_url())}">{text(event.title)}</a>' if event else ""
        parts.append(f'<td role="cell" data-label="Event">{link}</td>')
    parts.append("\n")
    if several_countries:
        parts.append(f'<td role="cell" data-label="Country">{text(figure.country.name)}</td>')
    attributed = getattr(figure.attributed_to, "public_name", None) if figure.attributed_to else None
    note = f'<span class="rank-note">{text(figure.deprecation_reason)}</span>' if deprecated else ""
    quote = (
        '<details class="quote-details"><summary>Quote</summary>'
        f'<blockquote class="quote">{text(figure.quote)}</blockquote></details>'
        if figure.quote
        else '<span class="none">Not quoted</span>'
    )
    parts.append(
        f'\n<td role="cell" data-label="Source">{citation(figure.source)}</td>\n'
        '<td role="cell" data-label="Attributed to">'
        + (text(attributed) if attributed else '<span class="none">The source itself</span>')
        + f'</td>\n<td role="cell" data-label="Rank">{text(figure.get_rank_display())}{note}</td>\n'
        f'<td role="cell" data-label="Quote">{quote}</td>\n</tr>\n'
    )
    return "".join(parts)


def report_rows(groups, kind, several_countries):
    """The reports' <tbody> groups of a measure page, as the template placed them: safe, each value escaped."""
    html = []
    for group in groups:
        disagree = " disagree-group" if group["disagree"] else ""
        rows = "".join(
            _report_row(figure, group, number == 0, kind, several_countries)
            for number, figure in enumerate(group["figures"])
        )
        html.append(f'\n<tbody role="rowgroup" class="report-group{disagree}">\n{rows}\n</tbody>\n    ')
    return SafeString("".join(html))
