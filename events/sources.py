"""The reads of the public sources list: its page, its download and its API."""

from django.db.models import F, Prefetch

from events.models import Citation, Figure
from tracker.models.sources import NamedDetentionsDocumented


def named_detentions_documented():
    """How many published detentions of people named in full a source documents, as an expression on a source.

    People shown by initials or withheld are left out on purpose: a source
    usually names the people it reports on, so counting them here would tie
    the initials (or the "name withheld") to a name in the source. Read from
    the counts the database keeps per source (tracker.models.sources,
    migration tracker 0009): the few kept rows of each source returned.
    """
    return NamedDetentionsDocumented()


def with_cited_facts(sources):
    """Sources with their publisher, the published events citing them and their published figures."""
    return (
        sources.select_related("publisher")
        .annotate(named_detentions=named_detentions_documented())
        .prefetch_related(
            Prefetch(
                "citations",
                queryset=Citation.objects.published()
                .select_related("event")
                .order_by("event__occurred_on", "event__pk", "pk"),
                to_attr="published_citations",
            ),
            Prefetch(
                "figures",
                queryset=Figure.objects.published().select_related("measure", "event").order_by("as_of_on", "pk"),
                to_attr="published_figures",
            ),
        )
        .order_by(F("published_on").desc(nulls_last=True), "title", "pk")
    )


def cited_events(source):
    """Each event citing the source once, in date order, however many sentences it quotes."""
    events = {}
    for citation in source.published_citations:
        events.setdefault(citation.event.pk, citation.event)
    return list(events.values())
