"""The sources page: every published source and the published facts that rest on it."""

from django.shortcuts import render

from events.filters import SourceFilter, filtered_or_400
from events.pagination import page_of, query_without_page
from events.sources import cited_events, with_cited_facts
from tracker.caching import public_page
from tracker.models import Source


@public_page(SourceFilter, "page")
def source_list(request):
    filterset = SourceFilter(request.GET or None, queryset=Source.objects.published())
    context = {"filter": filterset, "query": query_without_page(request)}
    sources, status = filtered_or_400(filterset)
    if status == 400:
        return render(request, "events/sources.html", {**context, "invalid": True}, status=400)
    page = page_of(request, with_cited_facts(sources))
    sources = list(page.object_list)
    for source in sources:
        source.cited_events = cited_events(source)
    context.update(
        page=page, sources=sources, filtered=filterset.is_bound and any(filterset.form.cleaned_data.values())
    )
    return render(request, "events/sources.html", context)
