"""The release ledger: every published release with its counts, the people named and the deal around it."""

from django.shortcuts import render

from events.filters import ReleaseFilter, filtered_or_400
from events.models import Event, EventLink, claims_disagree
from events.models.events import count_linked_released
from events.pagination import page_of, query_without_page
from tracker.caching import public_page

# Links that put a release in its diplomatic context; in_exchange_for has a column of its own.
_CONTEXT_LINKS = {EventLink.Kind.PART_OF, EventLink.Kind.FOLLOWS, EventLink.Kind.RESPONSE_TO}


def _ledger_row(event, columns):
    by_measure = {}
    for figure in event.ledger_figures:
        by_measure.setdefault(figure.measure_id, []).append(figure)
    exchange, context = [], []
    # A link reads the same from either end for an exchange; the others read
    # "part of" one way and "includes" the other.
    for link in event.outgoing_list:
        other = {"event": link.to_event, "label": link.get_kind_display()}
        (exchange if link.kind == EventLink.Kind.IN_EXCHANGE_FOR else context).append(other)
    for link in event.incoming_list:
        if link.kind == EventLink.Kind.IN_EXCHANGE_FOR:
            exchange.append({"event": link.from_event, "label": link.get_kind_display()})
        elif link.kind in _CONTEXT_LINKS:
            context.append({"event": link.from_event, "label": link.inverse_label})
    cells = []
    for measure in columns:
        figures = by_measure.get(measure.pk, [])
        cells.append({"measure": measure, "claims": {"figures": figures, "disagree": claims_disagree(figures)}})
    return {
        "event": event,
        "release": getattr(event, "release", None),
        "cells": cells,
        "linked_released": event.linked_released,
        "exchange": exchange,
        "context": context,
    }


@public_page(ReleaseFilter, "page")
def release_ledger(request):
    filterset = ReleaseFilter(request.GET, queryset=Event.objects.published().releases())
    events, status = filtered_or_400(filterset)
    show_deprecated = status == 200 and filterset.form.cleaned_data["deprecated"]
    # Counted for the page's releases once it is chosen: not for every release an OFFSET skips.
    page = page_of(request, events.newest_first().for_ledger(show_deprecated, count_linked=False, lists=True))
    events = count_linked_released(list(page.object_list))
    # The columns are the per-event measures reported on this page, in headline order.
    measures = {figure.measure for event in events for figure in event.ledger_figures}
    columns = sorted(measures, key=lambda measure: (measure.position, measure.name))
    context = {
        "filter": filterset,
        "page": page,
        "rows": [_ledger_row(event, columns) for event in events],
        "columns": columns,
        "show_deprecated": show_deprecated,
        "query": query_without_page(request),
    }
    return render(request, "events/releases.html", context, status=status)
