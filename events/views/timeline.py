"""Home, the timeline and the event page."""

from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django_countries import countries

from events.charts import Claim, Series, draw, layout, series_of
from events.filters import EventFilter, filtered_or_400
from events.models import Event, Figure, Measure, ReleasedDetention
from events.pagination import page_of, query_without_page
from events.registry_counts import registry_count_for
from events.thinning import spread_over_time
from tracker.caching import public_page
from tracker.countries import used_countries
from tracker.dates import Precision

DEFAULT_COUNTRY = "BY"
# The other reports of a headline number the home page lists, best first; the
# measure page has them all (a measure had 725 at 200,000 people: 190 kB each).
OTHER_REPORTS_SHOWN = 5


def _headlines(country):
    """Each measure's headline figure (Figure.is_headline), with the other reports of it and the registry's count."""
    figures = (
        Figure.objects.published()
        .in_country(country)
        .filter(event__isnull=True)
        .current()
        .select_related("measure", "source__publisher", "attributed_to")
        .annotate(country_code=F("country"))
        .ranked()
    )
    by_measure = {}
    for figure in figures:
        by_measure.setdefault(figure.measure, []).append(figure)
    rows = []
    for measure, claims in sorted(by_measure.items(), key=lambda item: (item[0].position, item[0].name)):
        [figure] = [claim for claim in claims if claim.is_headline]
        others = [claim for claim in claims if claim is not figure]
        count = registry_count_for(figure)
        rows.append(
            {
                "measure": measure,
                "figure": figure,
                "others": others,
                "others_shown": others[:OTHER_REPORTS_SHOWN],
                "all": claims,
                "registry_count": count,
            }
        )
    return rows


def _held_chart(rows):
    """A small chart of the reported numbers held, one series per organisation reporting.

    {"svg", "measure", "drawn", "reports"}, or None. At most
    thinning.MOST_MARKS reports are drawn (spread over each organisation's
    reports, events/thinning.py); the measure page lists them all.
    """
    held = [row for row in rows if row["measure"].kind == Measure.Kind.STOCK]
    if not held:
        return None
    current = [figure for figure in held[0]["all"] if figure.rank != Figure.Rank.DEPRECATED]
    drawn = spread_over_time(
        current, series=lambda figure: series_of(figure.source)[0], day=lambda figure: figure.as_of_on
    )
    by_source = {}
    for figure in drawn:
        label = f"{figure.in_words} as of {figure.as_of}"
        claim = Claim(
            figure.as_of_on,
            figure.as_of_on_precision,
            figure.value,
            figure.qualifier,
            figure.upper_value,
            figure.in_words,
            label,
        )
        key, name = series_of(figure.source)
        by_source.setdefault(key, Series(name)).claims.append(claim)
    chart = layout(list(by_source.values()), width=640, height=220)
    if not chart:
        return None
    return {
        "svg": draw(chart, "Political prisoners held over time, per organisation reporting"),
        "measure": held[0]["measure"],
        "drawn": len(drawn),
        "reports": len(current),
    }


@public_page("country")
def home(request):
    choices = used_countries(Event.objects.published().values_list("countries", flat=True).distinct())
    country = request.GET.get("country", DEFAULT_COUNTRY).upper()
    if country not in dict(countries):
        raise Http404("Unknown country.")
    rows = _headlines(country)
    latest = Event.objects.published().in_country(country).newest_first().with_details()[:10]
    context = {
        "country": country,
        "country_name": countries.name(country),
        "country_choices": choices,
        "headlines": rows,
        "events": latest,
        "chart": _held_chart(rows),
    }
    return render(request, "events/home.html", context)


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
    page = page_of(request, events.with_details())
    context = {
        "filter": filterset,
        "page": page,
        "groups": _in_groups(page.object_list),
        "query": query_without_page(request),
    }
    return render(request, "events/timeline.html", context, status=status)


@public_page()
def event_detail(request, uid):
    event = get_object_or_404(Event.objects.published().select_related("release").with_details(), uid=uid)
    released = ReleasedDetention.objects.published().filter(release=event).select_related("detention__person")
    # Sorted by the name the public sees, so the order says nothing about hidden names.
    listed = sorted(
        (r.detention for r in released if r.detention.person.is_listed),
        key=lambda detention: detention.person.public_name,
    )
    withheld = len(released) - len(listed)
    context = {
        "event": event,
        "listed_released": listed,
        "withheld_released": withheld,
        "release": getattr(event, "release", None) if event.kind == Event.Kind.RELEASE else None,
    }
    return render(request, "events/event.html", context)
