"""CSV and spreadsheet downloads of every public list: the page's FilterSet on the page's published queryset.

Each view builds the same FilterSet as its page, so a download holds exactly
the rows the page lists, every page at once. The rows are written by
events/exports.py, as in the data package.
"""

from django.db import connection

from events import exports
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
from tracker.exports import csv_response, tabular_response
from tracker.models import Detention, Source


def timeline_csv(request, format="csv"):
    filterset = EventFilter(request.GET or None, queryset=Event.objects.published())
    events, status = filtered_or_400(filterset)
    if status == 400:
        return bad_filters(filterset)
    if not (filterset.is_bound and filterset.form.cleaned_data.get("order")):
        events = events.newest_first()
    rows = exports.timeline_rows(events, exports.Links.of_request(request))
    return tabular_response(format, "timeline", exports.EVENT_HEADER, rows)


def releases_csv(request, format="csv"):
    filterset = ReleaseFilter(request.GET, queryset=Event.objects.published().releases())
    releases, status = filtered_or_400(filterset)
    if status == 400:
        return bad_filters(filterset)
    links = exports.Links.of_request(request)
    rows = exports.release_rows(releases, links, filterset.form.cleaned_data["deprecated"])
    return tabular_response(format, "releases", exports.RELEASE_HEADER, rows)


def figures_csv(request, format="csv"):
    filterset = CountryFigureFilter(request.GET, queryset=Figure.objects.published())
    figures, status = filtered_or_400(filterset)
    if status == 400:
        return bad_filters(filterset)
    rows = exports.figure_rows(figures, exports.Links.of_request(request))
    return tabular_response(format, "figures", exports.FIGURE_HEADER, rows)


def prisoners_csv(request, format="csv"):
    filterset = PrisonerFilter(request.GET or None, queryset=Detention.objects.published())
    detentions, status = filtered_or_400(filterset)
    if status == 400:
        return bad_filters(filterset)
    order = filterset.form.cleaned_data.get("order") if filterset.is_bound else ""
    links = exports.Links.of_request(request)
    if format == "csv" and order in ("", "name") and connection.vendor == "postgresql":
        # The same bytes as the rows below, written by the database (events/disclosure.py:prisoners_select).
        body = copy_stream(detentions, links.base)
        return csv_response("prisoners.csv", exports.PRISONER_HEADER, (), body=body)
    rows = exports.registry_csv_rows(detentions, order, links)
    return tabular_response(format, "prisoners", exports.PRISONER_HEADER, rows)


def sources_csv(request, format="csv"):
    filterset = SourceFilter(request.GET or None, queryset=Source.objects.published())
    sources, status = filtered_or_400(filterset)
    if status == 400:
        return bad_filters(filterset)
    rows = exports.source_rows(sources, exports.Links.of_request(request))
    return tabular_response(format, "sources", exports.SOURCE_HEADER, rows)
