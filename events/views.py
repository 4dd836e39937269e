from django.db.models import Prefetch
from django.shortcuts import render
from django_countries import countries

from events.models import Citation, Event, EventLink, Figure, Participant

DEFAULT_COUNTRY = "BY"


def headline_figures(country):
    """The best published figure of each measure, with the other reports of it.

    One query: every published figure of the country that is not about a
    single event, best first; grouping happens here, not in the template.
    """
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
            rows.append({"measure": measure, "figure": current[0], "others": current[1:]})
    return rows


def home(request):
    country = DEFAULT_COUNTRY
    events = (
        Event.objects.published()
        .in_country(country)
        .in_date_order()
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.published().select_related("person", "organization"),
            ),
            Prefetch("citations", queryset=Citation.objects.published().select_related("source__publisher")),
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
    )
    context = {
        "country_name": countries.name(country),
        "headlines": headline_figures(country),
        "events": events,
    }
    return render(request, "events/home.html", context)
