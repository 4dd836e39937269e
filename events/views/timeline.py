"""Home, the timeline and the event page."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.functional import cached_property
from django_countries import countries

from events.charts import Claim, Series, draw, layout, series_of
from events.filters import EventFilter
from events.models import Citation, Event, EventLink, Figure, Measure, Participant, ReleasedDetention
from tracker.caching import cached, public_page, query_key
from tracker.dates import Precision, period_end
from tracker.models import Detention, IdentityLevel, held_on

DEFAULT_COUNTRY = "BY"
PER_PAGE = 25


def who_and_sources():
    """The published participants and citations of events, to prefetch."""
    return [
        Prefetch("participants", queryset=Participant.objects.published().select_related("person", "organization")),
        Prefetch("citations", queryset=Citation.objects.published().select_related("source__publisher")),
    ]


def with_details(events):
    """Events with everything an event card shows: one query per relation, whatever the number of events."""
    return events.prefetch_related(
        *who_and_sources(),
        Prefetch("outgoing_links", queryset=EventLink.objects.published().select_related("to_event")),
        Prefetch("incoming_links", queryset=EventLink.objects.published().select_related("from_event")),
        Prefetch(
            "figures",
            queryset=Figure.objects.published()
            .current()
            .select_related("measure", "source__publisher")
            .order_by("measure__position", "-as_of_on", "pk"),
        ),
    )


class CountOncePaginator(Paginator):
    """Counts a filtered list once per change of the data, not on every page view."""

    @cached_property
    def count(self):
        items = self.object_list
        if isinstance(items, QuerySet):
            return cached("count", items.count, query_key(items))
        return len(items)


def page_of(request, items, per_page=PER_PAGE):
    """The requested page, or 404 for a page that is not a positive number in range."""
    try:
        return CountOncePaginator(items, per_page).page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        raise Http404("No such page.") from None


def query_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def country_choices():
    """The countries the public data is about: one query."""
    used = Event.objects.published().values_list("countries", flat=True).distinct()
    codes = {code for value in used for code in str(value).split(",") if code}
    return sorted(((code, countries.name(code)) for code in codes), key=lambda item: item[1])


def registry_counts(country, rows):
    """For each headline, the count of named people in the registry, in one query.

    A measure says which registry count stands beside it; the period of the
    preferred figure sets the dates.
    """
    detentions = Detention.objects.published().filter(country=country)
    aggregates = {}
    for index, row in enumerate(rows):
        figure, kind = row["figure"], row["measure"].registry_count
        # Through the end of the as-of period: "as of September 2025" covers the month.
        as_of, since = period_end(figure.as_of_on, figure.as_of_on_precision), figure.period_start_on
        if kind == Measure.RegistryCount.HELD:
            condition = held_on(as_of)
        elif kind == Measure.RegistryCount.RELEASED and since:
            condition = Q(released_on__gte=since, released_on__lte=as_of)
        elif kind == Measure.RegistryCount.RECOGNISED and since:
            condition = Q(recognised_on__gte=since, recognised_on__lte=as_of)
        else:
            continue
        aggregates[f"row{index}"] = Count("pk", filter=condition)
    counts = detentions.aggregate(**aggregates) if aggregates else {}
    for index, row in enumerate(rows):
        row["registry_count"] = counts.get(f"row{index}")
    return rows


def headline_figures(country):
    """The best published figure of each measure, with the other reports of it (one query)."""
    figures = (
        Figure.objects.published()
        .in_country(country)
        .filter(event__isnull=True)
        .select_related("measure", "source__publisher", "attributed_to")
        .best_first()
    )
    by_measure = {}
    for figure in figures:
        by_measure.setdefault(figure.measure, []).append(figure)
    rows = []
    for measure, claims in sorted(by_measure.items(), key=lambda item: (item[0].position, item[0].name)):
        current = [f for f in claims if f.rank != Figure.Rank.DEPRECATED]
        if current:
            rows.append({"measure": measure, "figure": current[0], "others": current[1:], "all": claims})
    return rows


def held_chart(rows):
    """A small chart of the reported numbers held, one series per organisation reporting: its SVG, or None."""
    held = [row for row in rows if row["measure"].kind == Measure.Kind.STOCK]
    if not held:
        return None
    by_source = {}
    for figure in held[0]["all"]:
        if figure.rank == Figure.Rank.DEPRECATED:
            continue
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
    return draw(chart, "Political prisoners held over time, per organisation reporting") if chart else None


@public_page("country")
def home(request):
    choices = country_choices()
    country = request.GET.get("country", DEFAULT_COUNTRY).upper()
    if country not in dict(countries):
        raise Http404("Unknown country.")
    rows = registry_counts(country, headline_figures(country))
    latest = with_details(Event.objects.published().in_country(country).newest_first())[:10]
    context = {
        "country": country,
        "country_name": countries.name(country),
        "country_choices": choices,
        "headlines": rows,
        "events": latest,
        "chart": held_chart(rows),
    }
    return render(request, "events/home.html", context)


def in_groups(events):
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
    status = 200
    if filterset.is_bound and not filterset.is_valid():
        status = 400
        events = Event.objects.none()
    else:
        events = filterset.qs
        if not (filterset.is_bound and filterset.form.cleaned_data.get("order")):
            events = events.newest_first()
    page = page_of(request, with_details(events))
    context = {
        "filter": filterset,
        "page": page,
        "groups": in_groups(page.object_list),
        "query": query_without_page(request),
    }
    return render(request, "events/timeline.html", context, status=status)


@public_page()
def event_detail(request, uid):
    event = get_object_or_404(with_details(Event.objects.published().select_related("release")), uid=uid)
    released = ReleasedDetention.objects.published().filter(release=event).select_related("detention__person")
    # Sorted by the name the public sees, so the order says nothing about hidden names.
    named = sorted(
        (r.detention for r in released if r.detention.person.identity_level != IdentityLevel.WITHHELD),
        key=lambda detention: detention.person.public_name,
    )
    withheld = len(released) - len(named)
    context = {
        "event": event,
        "named_released": named,
        "withheld_released": withheld,
        "release": getattr(event, "release", None) if event.kind == Event.Kind.RELEASE else None,
    }
    return render(request, "events/event.html", context)
