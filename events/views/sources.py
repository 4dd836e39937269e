"""The sources page: every published source and the published facts that rest on it."""

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import render

from events.models import Citation, Figure
from events.registry_filters import SourceFilter
from events.views.timeline import page_of, query_without_page
from tracker.caching import public_page
from tracker.models import DetentionSource, IdentityLevel, Source


def named_detentions_documented():
    """How many published detentions of people named in full a source documents, as a subquery.

    People shown by initials or withheld are left out on purpose: a source
    usually names the people it reports on, so counting them here would tie
    the initials (or the "name withheld") to a name in the source.
    """
    return Coalesce(
        Subquery(
            DetentionSource.objects.published()
            .filter(source=OuterRef("pk"), detention__person__identity_level=IdentityLevel.FULL)
            .order_by()
            .values("source")
            .annotate(count=Count("pk"))
            .values("count"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


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


@public_page(SourceFilter, "page")
def source_list(request):
    filterset = SourceFilter(request.GET or None, queryset=Source.objects.published())
    context = {"filter": filterset, "query": query_without_page(request)}
    if filterset.is_bound and not filterset.is_valid():
        return render(request, "events/sources.html", {**context, "invalid": True}, status=400)
    page = page_of(request, with_cited_facts(filterset.qs))
    sources = list(page.object_list)
    for source in sources:
        source.cited_events = cited_events(source)
    context.update(
        page=page, sources=sources, filtered=filterset.is_bound and any(filterset.form.cleaned_data.values())
    )
    return render(request, "events/sources.html", context)
