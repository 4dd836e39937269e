"""CSV of every public list: the page's FilterSet on the page's published queryset, every page at once.

Each view builds the same FilterSet as its page, so a download holds exactly
the rows the page lists. Rows are streamed: the queryset is read in chunks of
CHUNK rows, and each chunk's related rows are prefetched in one query per
relation, so the number of queries grows with the number of chunks, never
with the number of rows. Every cell goes through tracker.exports.cell.
"""

from django.db import connection
from django.http import HttpResponse
from django.urls import reverse

from events.columns import header
from events.filters import EventFilter
from events.models import Event, EventLink, Figure
from events.registry_copy import copy_stream
from events.registry_filters import PrisonerFilter, SourceFilter
from events.registry_rows import PersonRow, read_registry_chunk
from events.views.figures import CountryFigureFilter, ReleaseFilter, ledger_details
from events.views.registry import in_public_order, shown_person
from events.views.sources import cited_events, with_cited_facts
from events.views.timeline import with_details
from tracker.dates import date_iso
from tracker.exports import csv_response, tabular_response
from tracker.models import Detention, IdentityLevel, Source

# Rows per read: a thousand rows with their related rows are a few MB.
CHUNK = 1000
# Several values in one cell (source URLs, related records) are joined by this.
SEPARATOR = " | "


def joined(values):
    return SEPARATOR.join(str(value) for value in values if value)


def bad_filters(filterset):
    """400 with the form's errors as plain text: a download never ignores what was asked."""
    lines = [f"{name}: {' '.join(errors)}" for name, errors in filterset.form.errors.items()]
    return HttpResponse(
        "These filters cannot be applied.\n" + "\n".join(lines) + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


class Links:
    """Absolute public URLs on one site: the request's, or the configured SITE_URL for the data package."""

    def __init__(self, base):
        self.base = base.rstrip("/")

    @classmethod
    def of_request(cls, request):
        return cls(request.build_absolute_uri("/"))

    def absolute(self, path):
        return self.base + path

    def of(self, record):
        return self.absolute(record.get_absolute_url())

    def source(self, source):
        # A source has no page of its own: its entry on the sources page.
        return self.absolute(reverse("events:sources")) + f"#source-{source.uid}"


def published_name(organization):
    return organization.name if organization is not None and organization.is_published else ""


def related_events(event):
    """(kind, event) of each published link, read from the prefetched links in both directions."""
    for link in event.outgoing_links.all():
        yield link.get_kind_display(), link.to_event
    for link in event.incoming_links.all():
        label = link.get_kind_display() if link.kind == EventLink.Kind.IN_EXCHANGE_FOR else link.inverse_label
        yield label, link.from_event


# --- /timeline.csv --------------------------------------------------------------

EVENT_HEADER = header("timeline")


def participant_url(participant, links):
    # Only people named in full are linked: the timeline never links a participant to a person page.
    person = participant.person
    if person is not None and person.is_published and person.identity_level == IdentityLevel.FULL:
        return links.of(person)
    return ""


def event_row(event, links):
    participants = list(event.participants.all())
    citations = list(event.citations.all())
    sources = list({citation.source_id: citation.source for citation in citations}.values())
    related = list(related_events(event))
    figures = list(event.figures.all())
    return [
        event.uid,
        links.of(event),
        event.get_kind_display(),
        event.title,
        event.summary,
        date_iso(event.occurred_on, event.occurred_on_precision),
        event.occurred_on_precision,
        date_iso(event.ended_on, event.ended_on_precision),
        event.ended_on_precision if event.ended_on else "",
        joined(country.code for country in event.countries),
        event.location,
        joined(
            (p.person.public_name if p.person else p.organization.name) + (f" ({p.role})" if p.role else "")
            for p in participants
        ),
        joined(participant_url(p, links) for p in participants),
        joined(source.uid for source in sources),
        joined(source.url or links.source(source) for source in sources),
        joined(f"{label}: {other.title}" for label, other in related),
        joined(other.uid for _, other in related),
        joined(links.of(other) for _, other in related),
        joined(figure.uid for figure in figures),
        joined(f"{figure.in_words} {figure.measure.name}" for figure in figures),
    ]


def timeline_csv(request, format="csv"):
    filterset = EventFilter(request.GET or None, queryset=Event.objects.published())
    if filterset.is_bound and not filterset.is_valid():
        return bad_filters(filterset)
    events = filterset.qs
    if not (filterset.is_bound and filterset.form.cleaned_data.get("order")):
        events = events.newest_first()
    return tabular_response(format, "timeline", EVENT_HEADER, timeline_rows(events, Links.of_request(request)))


def timeline_rows(events, links):
    return (event_row(event, links) for event in with_details(events).iterator(chunk_size=CHUNK))


# --- /releases.csv ----------------------------------------------------------------

RELEASE_HEADER = header("releases")


def release_row(event, links):
    release = getattr(event, "release", None)
    exchange, context = [], []
    for link in event.outgoing_links.all():
        (exchange if link.kind == EventLink.Kind.IN_EXCHANGE_FOR else context).append(link.to_event)
    for link in event.incoming_links.all():
        (exchange if link.kind == EventLink.Kind.IN_EXCHANGE_FOR else context).append(link.from_event)
    figures = event.ledger_figures
    return [
        event.uid,
        links.of(event),
        event.title,
        date_iso(event.occurred_on, event.occurred_on_precision),
        event.occurred_on_precision,
        joined(country.code for country in event.countries),
        event.location,
        release.get_mode_display() if release else "",
        release.destination if release else "",
        release.destination_country.code if release and release.destination_country else "",
        event.named_released,
        joined(figure.uid for figure in figures),
        joined(
            f"{figure.in_words} {figure.measure.name}"
            + (" (deprecated)" if figure.rank == Figure.Rank.DEPRECATED else "")
            for figure in figures
        ),
        joined(other.uid for other in exchange),
        joined(links.of(other) for other in exchange),
        joined(other.uid for other in context),
        joined(links.of(other) for other in context),
    ]


def releases_csv(request, format="csv"):
    releases = Event.objects.published().filter(kind=Event.Kind.RELEASE)
    filterset = ReleaseFilter(request.GET, queryset=releases)
    if not filterset.is_valid():
        return bad_filters(filterset)
    rows = release_rows(filterset.qs, Links.of_request(request), filterset.form.cleaned_data["deprecated"])
    return tabular_response(format, "releases", RELEASE_HEADER, rows)


def release_rows(releases, links, show_deprecated=False):
    details = ledger_details(releases.newest_first(), show_deprecated)
    return (release_row(event, links) for event in details.iterator(chunk_size=CHUNK))


# --- /figures.csv -----------------------------------------------------------------

FIGURE_HEADER = header("figures")


def figure_row(figure, links):
    event = figure.event
    return [
        figure.uid,
        # A figure is listed on its measure's page, with every other report of the same number.
        links.of(figure.measure),
        figure.measure.name,
        figure.measure.slug,
        figure.value,
        figure.qualifier,
        figure.upper_value,
        figure.in_words,
        figure.measure.unit,
        date_iso(figure.as_of_on, figure.as_of_on_precision),
        figure.as_of_on_precision,
        date_iso(figure.period_start_on, figure.period_start_on_precision),
        figure.period_start_on_precision if figure.period_start_on else "",
        figure.country.code,
        event.uid if event else "",
        links.of(event) if event else "",
        figure.source.uid,
        figure.source.title,
        figure.source.url or links.source(figure.source),
        published_name(figure.attributed_to),
        figure.quote,
        figure.rank,
    ]


def figures_csv(request, format="csv"):
    filterset = CountryFigureFilter(request.GET, queryset=Figure.objects.published())
    if not filterset.is_valid():
        return bad_filters(filterset)
    return tabular_response(format, "figures", FIGURE_HEADER, figure_rows(filterset.qs, Links.of_request(request)))


def figure_rows(figures, links):
    # The figures the page counts: the current ones (deprecated ones are on the measure pages).
    figures = (
        figures.current()
        .select_related("measure", "source", "attributed_to", "event")
        .order_by("measure__position", "measure__name", "country", "-as_of_on", "pk")
    )
    return (figure_row(figure, links) for figure in figures.iterator(chunk_size=CHUNK))


# --- /prisoners.csv ---------------------------------------------------------------

PRISONER_HEADER = header("prisoners")


def prisoner_rows(shown, links):
    """One row per detention, from what shown_person() lets the public see and nothing else."""
    for detention in shown.detentions:
        release = detention.release
        yield [
            shown.uid,
            links.absolute(shown.url),
            shown.name,
            shown.is_named,
            shown.birth_year,
            shown.region,
            shown.occupation,
            detention.custody_status,
            detention.country_code,
            detention.detained.iso if detention.detained else "",
            detention.detained.precision if detention.detained else "",
            detention.released.iso if detention.released else "",
            detention.released.precision if detention.released else "",
            detention.release_mode,
            release.uid if release else "",
            links.of(release) if release else "",
            detention.facility,
            detention.sentence,
            detention.articles,
            joined(
                " ".join(
                    part
                    for part in (charge.code, charge.article, f"({charge.description})" if charge.description else "")
                    if part
                )
                for charge in detention.charges
            ),
            detention.recognised_by.name if detention.recognised_by else "",
            detention.recognised_on.iso if detention.recognised_on else "",
            detention.recognised_on.precision if detention.recognised_on else "",
        ]


def prisoners_csv(request, format="csv"):
    filterset = PrisonerFilter(request.GET or None, queryset=Detention.objects.published())
    if filterset.is_bound and not filterset.is_valid():
        return bad_filters(filterset)
    order = filterset.form.cleaned_data.get("order") if filterset.is_bound else ""
    links = Links.of_request(request)
    if format == "csv" and order in ("", "name") and connection.vendor == "postgresql":
        # The same bytes as the rows below, written by the database (events/registry_copy.py).
        return csv_response("prisoners.csv", PRISONER_HEADER, (), body=copy_stream(filterset.qs, links.base))
    return tabular_response(format, "prisoners", PRISONER_HEADER, registry_csv_rows(filterset.qs, order, links))


def registry_csv_rows(detentions, order, links):
    """The people in the page's order, a chunk at a time, each chunk's details in one query per relation.

    A whole registry is hundreds of thousands of rows, so they are read as
    plain values (no model instances, no URL resolving per row) into the
    light records of events/registry_rows.py, and what the public may see
    is still decided by shown_person(), as on the pages.
    """
    people = in_public_order(detentions, order).prefetch_related(None).values_list(*PersonRow.FIELDS)
    chunk = []
    for values in people.iterator(chunk_size=CHUNK):
        chunk.append(values)
        if len(chunk) == CHUNK:
            yield from registry_chunk_rows(chunk, detentions, links)
            chunk = []
    if chunk:
        yield from registry_chunk_rows(chunk, detentions, links)


def registry_chunk_rows(chunk, detentions, links):
    for person in read_registry_chunk(chunk, detentions):
        yield from prisoner_rows(shown_person(person, person.matching_detentions), links)


# --- /sources.csv -----------------------------------------------------------------

SOURCE_HEADER = header("sources")


def source_row(source, links):
    events = cited_events(source)
    figures = source.published_figures
    return [
        source.uid,
        links.source(source),
        source.title,
        published_name(source.publisher),
        source.get_kind_display(),
        source.language,
        source.url,
        source.published_on,
        source.retrieved_on,
        source.archive_url,
        source.archive_sha256,
        source.named_detentions,
        joined(event.uid for event in events),
        joined(links.of(event) for event in events),
        joined(figure.uid for figure in figures),
        joined(f"{figure.in_words} {figure.measure.name}" for figure in figures),
    ]


def sources_csv(request, format="csv"):
    filterset = SourceFilter(request.GET or None, queryset=Source.objects.published())
    if filterset.is_bound and not filterset.is_valid():
        return bad_filters(filterset)
    return tabular_response(format, "sources", SOURCE_HEADER, source_rows(filterset.qs, Links.of_request(request)))


def source_rows(sources, links):
    return (source_row(source, links) for source in with_cited_facts(sources).iterator(chunk_size=CHUNK))
