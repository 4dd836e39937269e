"""Home, the timeline and the event page."""

from types import SimpleNamespace

from django.db import models
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import capfirst
from django_countries import countries

from events.charts import Claim, Series, draw, layout, series_of
from events.filters import EventFilter, country_lists, filtered_or_400
from events.html import with_person_links
from events.models import Event, Figure, Measure, ReleasedDetention, date_source, newer_report
from events.pagination import page_of, query_without_page
from events.registry_counts import registry_count_for, registry_sentence
from events.rows import Organizations, attach_card_details
from events.thinning import spread_over_time
from tracker.caching import cached, public_page
from tracker.dates import Precision
from tracker.names import people_named_in

DEFAULT_COUNTRY = "BY"
# The other reports of a headline number the home page lists, best first; the
# measure page has them all (a measure had 725 at 200,000 people: 190 kB each).
OTHER_REPORTS_SHOWN = 5


def _reports(country):
    """The published, current reports of the country's headline numbers (not of one event)."""
    return Figure.objects.published().in_country(country).filter(event__isnull=True).current()


# What the chart reads of each report: enough to choose the ones drawn and to draw them.
CHART_FIELDS = (
    "as_of_on",
    "as_of_on_precision",
    "value",
    "qualifier",
    "upper_value",
    "source_id",
    "source__title",
    "source__publisher_id",
    "source__publisher__name",
    "source__publisher__status",
    "attributed_to_id",
    "attributed_to__name",
    "attributed_to__status",
)


def _ranked_reports(country):
    """The country's current reports read once, as short rows: those the headlines show, and every held report.

    One query ranks every report (FigureQuerySet.ranked, with `reports`: how
    many there are per measure) and returns the few each headline shows
    (place <= 1 + OTHER_REPORTS_SHOWN) and every report of a measure of people
    held (the chart's, CHART_FIELDS), best first. The measures, sources,
    publishers and attributions of the few shown are read after (_headlines):
    joined before ranking, they were joined for every report (48 ms of 58 for
    Belarus's 2,123 reports on SQLite at 200,000 people).
    """
    partition = [models.F("measure_id"), models.F("country")]
    ranked = _reports(country).ranked().annotate(reports=models.Window(models.Count("pk"), partition_by=partition))
    shown = ranked.filter(Q(place__lte=1 + OTHER_REPORTS_SHOWN) | Q(measure__kind=Measure.Kind.STOCK))
    return list(shown.values_list("pk", "place", "reports", "measure_id", "rank", *CHART_FIELDS, named=True))


def _headlines(reports):
    """Each measure's headline figure (Figure.is_headline), the first other reports of it and the registry's count.

    Only the figures the page shows are read: the headline and
    OTHER_REPORTS_SHOWN others per measure (of `reports`, _ranked_reports),
    with how many there are in all; a measure had 725 reports at 200,000 people.
    """
    places = {row.pk: (row.place, row.reports) for row in reports if row.place <= 1 + OTHER_REPORTS_SHOWN}
    figures = Figure.objects.filter(pk__in=places).select_related("measure", "source__publisher", "attributed_to")
    for figure in figures:
        figure.place, figure.reports = places[figure.pk]
    by_measure = {}
    for figure in sorted(figures, key=lambda figure: figure.place):
        by_measure.setdefault(figure.measure, []).append(figure)
    rows = []
    for measure, claims in sorted(by_measure.items(), key=lambda item: (item[0].position, item[0].name)):
        [figure] = [claim for claim in claims if claim.is_headline]
        others = [claim for claim in claims if claim is not figure]
        count = registry_count_for(figure)
        # The newest is among the first few ranked: Preferred ones first, then the most recent.
        dated = [(r.as_of_on, r.as_of_on_precision, r.rank) for r in reports if r.measure_id == measure.pk]
        rows.append(
            {
                "newer": None if measure.kind == Measure.Kind.PER_EVENT else newer_report(figure, dated),
                "measure": measure,
                "figure": figure,
                "other_count": figure.reports - 1,
                "others_shown": others[:OTHER_REPORTS_SHOWN],
                "registry_count": count,
                "registry_sentence": registry_sentence(measure, count),
            }
        )
    return rows


def _held_chart(rows, reports):
    """A small chart of the reported numbers held, one series per organisation reporting.

    {"svg", "measure", "drawn", "reports"}, or None. At most
    thinning.MOST_MARKS reports are drawn (spread over each organisation's
    reports, events/thinning.py); the measure page lists them all. Each
    report is read as one short row, in one query; the rules of the words,
    dates and series stay with Figure and charts.series_of, applied to the
    reports drawn.
    """
    held = [row for row in rows if row["measure"].kind == Measure.Kind.STOCK]
    if not held:
        return None
    measure = held[0]["measure"]
    current = [row for row in reports if row.measure_id == measure.pk]  # best first, as ranked
    # One row per organisation, one series per source and attribution: not one per report (725 for Belarus).
    publishers, series = Organizations(), {}

    def series_of_row(row):
        key = (row.source_id, row.attributed_to_id)
        if key not in series:
            publisher = publishers(row.source__publisher_id, row.source__publisher__name, row.source__publisher__status)
            attributed = publishers(row.attributed_to_id, row.attributed_to__name, row.attributed_to__status)
            # What series_of reads of a source and of the organisation the figure is attributed to.
            series[key] = series_of(
                SimpleNamespace(pk=row.source_id, title=row.source__title, publisher=publisher), attributed
            )
        return series[key]

    drawn = spread_over_time(current, series=lambda row: series_of_row(row)[0], day=lambda row: row.as_of_on)
    by_source = {}
    # One Figure says each report drawn in words, with its date: the rules stay with Figure.
    figure = Figure()
    for row in drawn:
        figure.value, figure.qualifier, figure.upper_value = row.value, row.qualifier, row.upper_value
        figure.as_of_on, figure.as_of_on_precision = row.as_of_on, row.as_of_on_precision
        words = figure.in_words
        claim = Claim(
            figure.as_of_on,
            figure.as_of_on_precision,
            figure.value,
            figure.qualifier,
            figure.upper_value,
            words,
            f"{words} as of {figure.as_of}",
        )
        key, name = series_of_row(row)
        by_source.setdefault(key, Series(name)).claims.append(claim)
    chart = layout(list(by_source.values()), width=640, height=220)
    if not chart:
        return None
    return {
        "svg": draw(chart, "Political prisoners held over time, per organisation reporting"),
        "measure": measure,
        "drawn": len(drawn),
        "reports": len(current),
    }


@public_page("country")
def home(request):
    country = request.GET.get("country", DEFAULT_COUNTRY).upper()
    if country not in dict(countries):
        raise Http404("Unknown country.")
    reports = _ranked_reports(country)
    rows = _headlines(reports)
    # A person named in full in a headline's quote links to their page: one query for every quote of the page.
    people = people_named_in([row["figure"].quote for row in rows if row["figure"].quote])
    for row in rows:
        row["quote"] = with_person_links(row["figure"].quote, people)
    lists = cached("country-lists", country_lists)
    # A country no published event concerns has none to list: no need to read every event to find that out.
    if country in {code for code, _ in lists["events"]}:
        latest = with_cards(Event.objects.published().in_country(country).newest_first()[:10])
    else:
        latest = []
    # The switcher offers the countries covered; a country reached by a link (an event's) stays chosen in it.
    choices = lists["covered"]
    if country not in {code for code, _ in choices}:
        choices = sorted([*choices, (country, countries.name(country))], key=lambda choice: choice[1])
    context = {
        "country": country,
        "country_name": countries.name(country),
        "country_choices": choices,
        "headlines": rows,
        "events": latest,
        "chart": _held_chart(rows, reports),
    }
    return render(request, "events/home.html", context)


def _dated(event):
    return {"url": event.get_absolute_url(), "title": event.title, "date": str(event.occurred)}


def event_links(event):
    """An event's links read from both ends, as {% event_links %} (events/templatetags/cards.py) lists them."""
    outgoing = [{"label": capfirst(link.get_kind_display()), **_dated(link.to_event)} for link in event.outgoing_list]
    incoming = [{"label": capfirst(link.inverse_label), **_dated(link.from_event)} for link in event.incoming_list]
    return {"outgoing": outgoing, "incoming": incoming} if outgoing or incoming else None


def _card(event):
    """What {% event_card %} (events/templatetags/cards.py) shows of an event (events.rows.attach_card_details), read once.

    A participant is named only by Participant.public_label; the tag places these values.
    """
    occurred, ended = event.occurred, event.ended
    return {
        "kind": event.kind,
        "uid": event.uid,
        "iso": occurred.iso,
        "date": str(occurred),
        "ended": {"iso": ended.iso, "date": str(ended)} if ended else None,
        "kind_name": event.get_kind_display(),
        "location": event.location,
        "url": event.get_absolute_url(),
        "title": event.title,
        "summary": event.summary,
        "figures": [
            {
                "words": figure.in_words,
                "measure": figure.measure.name,
                "period": str(figure.period or ""),
                "source": figure.source,
            }
            for figure in event.figure_list
        ],
        "participants": [participant.public_label for participant in event.participant_list],
        "links": event_links(event),
        "cited": cited_sources(event.citation_list),
    }


def cited_sources(citations):
    """An event's sources, each once, in the order first cited, with the quotes cited from it: [{source, quotes}].

    An event citing one source twice (two quotes) lists that source once, with both quotes.
    """
    cited = {}
    for citation in citations:
        entry = cited.setdefault(citation.source.pk, {"source": citation.source, "quotes": []})
        if citation.quote:
            entry["quotes"].append(citation.quote)
    return list(cited.values())


def with_cards(events):
    """The events, each with its `card`: their relations read as plain rows (events/rows.py)."""
    events = attach_card_details(events)
    for event in events:
        event.card = _card(event)
    return events


def _in_groups(events):
    """Events grouped under "December 2025", or "2025" for those known only to the year."""
    groups = []
    for event in events:
        if event.occurred_on_precision == Precision.YEAR:
            label = f"{event.occurred_on.year}"
        else:
            label = event.occurred_on.strftime("%B %Y")
        if not groups or groups[-1][0] != label:
            groups.append((label, []))
        groups[-1][1].append(event)
    return groups


@public_page(EventFilter, "page")
def timeline(request):
    filterset = EventFilter(request.GET or None, queryset=Event.objects.published())
    events, status = filtered_or_400(filterset)
    if status == 200 and not (filterset.is_bound and filterset.form.cleaned_data.get("order")):
        events = events.newest_first()
    page = page_of(request, events)
    context = {
        "filter": filterset,
        "page": page,
        "groups": _in_groups(with_cards(page.object_list)),
        "query": query_without_page(request),
        "country_feed": _country_feed(filterset) if status == 200 else None,
    }
    return render(request, "events/timeline.html", context, status=status)


def _country_feed(filterset):
    """The feed of the country the timeline is filtered by, as {name, url}, or None."""
    code = filterset.form.cleaned_data.get("country") if filterset.is_bound else None
    if not code:
        return None
    return {"name": countries.name(code), "url": reverse("events:country-feed", args=[code])}


@public_page()
def event_detail(request, uid):
    event = get_object_or_404(Event.objects.published(), uid=uid)
    attach_card_details([event])
    released = ReleasedDetention.objects.published().filter(release=event).select_related("detention__person")
    # Sorted by the name the public sees, so the order says nothing about hidden names.
    listed = sorted(
        (r.detention for r in released if r.detention.person.is_listed),
        key=lambda detention: detention.person.public_name,
    )
    withheld = len(released) - len(listed)
    context = {
        "event": event,
        "cited": cited_sources(event.citation_list),
        "date_source": date_source(event.citation_list),
        "links": event_links(event),
        "listed_released": listed,
        "withheld_released": withheld,
        "release_details": event.release_details.all() if event.kind == Event.Kind.RELEASE else [],
    }
    return render(request, "events/event.html", context)
