"""The release ledger: every published release with its counts, the people named and the deal around it."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.text import capfirst

from events.filters import ReleaseFilter, filtered_or_400
from events.html import text
from events.models import Event, EventLink, Figure, claims_disagree
from events.models.events import count_linked_released
from events.pagination import page_of, query_without_page
from events.rows import attach_ledger_figures
from events.templatetags.citations import citation
from tracker.caching import public_page

# Links that put a release in its diplomatic context; in_exchange_for has a column of its own.
_CONTEXT_LINKS = {EventLink.Kind.PART_OF, EventLink.Kind.FOLLOWS, EventLink.Kind.RESPONSE_TO}


def _dated(event):
    """What the page shows of an event it names: its address, title and date (as words and as ISO)."""
    occurred = event.occurred
    return {"url": event.get_absolute_url(), "title": event.title, "iso": occurred.iso, "date": str(occurred)}


def _link(event, label):
    return {"event": event, "label": capfirst(label), **_dated(event)}


def _claim(figure):
    """A figure as its cell shows it; the name of whoever it is attributed to, only as the public sees it."""
    attributed = figure.attributed_to
    return {
        "deprecated": figure.rank == Figure.Rank.DEPRECATED,
        "words": figure.in_words,
        "by": attributed.public_name if attributed is not None else None,
        "source": figure.source,
        "reason": figure.deprecation_reason,
    }


def _ledger_row(event, columns):
    """One row, as the template writes it: every value read here once, the template only places them."""
    by_measure = {}
    for figure in event.ledger_figures:
        by_measure.setdefault(figure.measure_id, []).append(figure)
    exchange, context = [], []
    # A link reads the same from either end for an exchange; the others read
    # "part of" one way and "includes" the other.
    for link in event.outgoing_list:
        other = _link(link.to_event, link.get_kind_display())
        (exchange if link.kind == EventLink.Kind.IN_EXCHANGE_FOR else context).append(other)
    for link in event.incoming_list:
        if link.kind == EventLink.Kind.IN_EXCHANGE_FOR:
            exchange.append(_link(link.from_event, link.get_kind_display()))
        elif link.kind in _CONTEXT_LINKS:
            context.append(_link(link.from_event, link.inverse_label))
    cells = []
    for measure, label in columns:
        figures = by_measure.get(measure.pk, [])
        claims = {"figures": figures, "shown": [_claim(f) for f in figures], "disagree": claims_disagree(figures)}
        cells.append({"measure": measure, "label": label, "claims": claims})
    return {
        "event": event,
        "uid": event.uid,
        **_dated(event),
        "how_freed": [detail.in_words for detail in event.release_details.all()],
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
    # The page's releases (EventQuerySet.for_ledger, as rows: events/rows.py); their counts once the page is
    # chosen, not for every release an OFFSET skips.
    page = page_of(request, events.newest_first().prefetch_related("release_details").with_links(lists=True))
    events = attach_ledger_figures(count_linked_released(list(page.object_list)), show_deprecated)
    # The columns are the per-event measures reported on this page, in headline order.
    measures = {figure.measure for event in events for figure in event.ledger_figures}
    columns = sorted(measures, key=lambda measure: (measure.position, measure.name))
    labelled = [(measure, capfirst(measure.name)) for measure in columns]
    rows = [_ledger_row(event, labelled) for event in events]
    context = {
        "filter": filterset,
        "page": page,
        "rows": rows,
        "table_rows": ledger_rows(rows, reverse("events:prisoners")),
        "columns": columns,
        "show_deprecated": show_deprecated,
        "query": query_without_page(request),
    }
    return render(request, "events/releases.html", context, status=status)


# --- The ledger's rows, written once here -----------------------------------------
#
# As the registry's rows (events/views/registry.py): about a hundred template
# lookups per row, written here in a tenth of the time. Every value is escaped
# once, as {{ value }} escapes it (events.html.text); citations by the
# {% citation %} tag's own function. tests/test_ledger_render.py holds this HTML
# equal to the template it replaced, for awkward and hostile values.


def _claims(claims):
    """One measure's cell: each claim with its source, or "Not reported"."""
    if not claims["shown"]:
        return '<span class="none">Not reported</span>'
    items = []
    for claim in claims["shown"]:
        deprecated = claim["deprecated"]
        value = (
            f'<s class="claim-value">{text(claim["words"])}</s>'
            if deprecated
            else f'<strong class="claim-value">{text(claim["words"])}</strong>'
        )
        by = f"according to {text(claim['by'])}, in " if claim["by"] else ""
        note = f'<span class="rank-note">Deprecated: {text(claim["reason"])}</span>' if deprecated else ""
        items.append(
            f'\n          <li class="claim{" deprecated" if deprecated else ""}">\n            {value}\n'
            f'            <span class="by">{by}{citation(claim["source"])}</span>\n            {note}\n'
            "          </li>\n          "
        )
    disagree = '<p class="disagree">Sources differ</p>' if claims["disagree"] else ""
    return f'\n        <ul class="claims">\n          {"".join(items)}\n        </ul>\n        {disagree}\n        '


def _links(links):
    """The Deal and Diplomacy cells: each linked event, or "None recorded"."""
    if not links:
        return '<span class="none">None recorded</span>'
    items = "".join(
        f'<li><span class="link-kind">{text(link["label"])}:</span> <a href="{text(link["url"])}">'
        f'{text(link["title"])}</a> (<time datetime="{text(link["iso"])}">{text(link["date"])}</time>)</li>'
        for link in links
    )
    return f'\n        <ul class="links">{items}</ul>\n        '


def _row(row, prisoners_url):
    cells = "".join(
        f'\n      <td role="cell" data-label="{text(cell["label"])}">\n        {_claims(cell["claims"])}\n      </td>\n      '
        for cell in row["cells"]
    )
    linked = row["linked_released"]
    named = (
        f'<a href="{text(prisoners_url)}?release={text(row["uid"])}" title="The people freed, in the registry">'
        f"{text(linked)}</a>"
        if linked
        else "0"
    )
    return (
        f'\n    <tr role="row" id="release-{text(row["uid"])}">\n'
        '      <th scope="row" role="rowheader" class="release-title">\n'
        f'        <time datetime="{text(row["iso"])}">{text(row["date"])}</time>\n'
        f'        <a href="{text(row["url"])}">{text(row["title"])}</a>\n'
        f"      </th>\n      {cells}\n"
        f'      <td role="cell" data-label="Recorded in this database" class="number">{named}</td>\n'
        '      <td role="cell" data-label="How freed">\n'
        + (
            '        <ul class="how-freed">'
            + "".join(f"<li>{text(words)}</li>" for words in row["how_freed"])
            + "</ul>\n"
            if row["how_freed"]
            else '        <span class="none">Not recorded</span>\n'
        )
        + "      </td>\n"
        f'      <td role="cell" data-label="Deal">\n        {_links(row["exchange"])}\n      </td>\n'
        f'      <td role="cell" data-label="Diplomacy">\n        {_links(row["context"])}\n      </td>\n'
        "    </tr>\n    "
    )


def ledger_rows(rows, prisoners_url):
    """The ledger's <tr> of each release (_ledger_row()'s values), as the template placed them: safe, each value escaped."""
    return SafeString("".join(_row(row, prisoners_url) for row in rows))
