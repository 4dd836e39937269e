"""CSV and spreadsheet downloads of every public list: the page's FilterSet on the page's published queryset.

Each view builds the same FilterSet as its page, so a download holds exactly
the rows the page lists, every page at once. The rows are written by
events/exports.py, as in the data package. A whole list is served from its
file of the current data version, and a download that reads the database
takes one of a few slots (events/download_files.py).
"""

from django.db import connection

from events import exports
from events.download_files import list_download, whole_list
from events.filters import (
    CountryFigureFilter,
    EventFilter,
    PrisonerFilter,
    ReleaseFilter,
    SourceFilter,
    bad_filters,
    filtered_or_400,
)
from events.models import Event, Figure
from events.registry import copy_stream
from tracker.models import Detention, Source


def timeline_csv(request, format="csv"):
    filterset = EventFilter(request.GET or None, queryset=Event.objects.published())
    events, status = filtered_or_400(filterset)
    if status == 400:
        return bad_filters(filterset)
    if not (filterset.is_bound and filterset.form.cleaned_data.get("order")):
        events = events.newest_first()
    links = exports.Links.of_request(request)
    rows = lambda: exports.timeline_rows(events, links)  # noqa: E731
    variant = whole_list(filterset, defaults={"order": "newest"})
    return list_download(request, format, "timeline", exports.EVENT_HEADER, rows, variant=variant)


def releases_csv(request, format="csv"):
    filterset = ReleaseFilter(request.GET, queryset=Event.objects.published().releases())
    releases, status = filtered_or_400(filterset)
    if status == 400:
        return bad_filters(filterset)
    links = exports.Links.of_request(request)
    rows = lambda: exports.release_rows(releases, links, filterset.form.cleaned_data["deprecated"])  # noqa: E731
    return list_download(request, format, "releases", exports.RELEASE_HEADER, rows, variant=whole_list(filterset))


def figures_csv(request, format="csv"):
    filterset = CountryFigureFilter(request.GET, queryset=Figure.objects.published())
    figures, status = filtered_or_400(filterset)
    if status == 400:
        return bad_filters(filterset)
    links = exports.Links.of_request(request)
    rows = lambda: exports.figure_rows(figures, links)  # noqa: E731
    return list_download(request, format, "figures", exports.FIGURE_HEADER, rows, variant=whole_list(filterset))


def prisoners_csv(request, format="csv"):
    filterset = PrisonerFilter(request.GET or None, queryset=Detention.objects.published())
    detentions, status = filtered_or_400(filterset)
    if status == 400:
        return bad_filters(filterset)
    order = filterset.form.cleaned_data.get("order") if filterset.is_bound else ""
    links = exports.Links.of_request(request)
    body = None
    if format == "csv" and order in ("", "name") and connection.vendor == "postgresql":
        # The same bytes as the rows below, written by the database (events/disclosure.py:prisoners_select).
        body = lambda: copy_stream(detentions, links.base)  # noqa: E731
    rows = lambda: exports.registry_csv_rows(detentions, order, links)  # noqa: E731
    # The whole registry, and the registry by custody status, are files of the data version.
    variant = whole_list(filterset, allowed={"status"}, defaults={"order": "name"})
    return list_download(request, format, "prisoners", exports.PRISONER_HEADER, rows, variant=variant, body=body)


def sources_csv(request, format="csv"):
    filterset = SourceFilter(request.GET or None, queryset=Source.objects.published())
    sources, status = filtered_or_400(filterset)
    if status == 400:
        return bad_filters(filterset)
    links = exports.Links.of_request(request)
    rows = lambda: exports.source_rows(sources, links)  # noqa: E731
    return list_download(request, format, "sources", exports.SOURCE_HEADER, rows, variant=whole_list(filterset))
