"""The rows of every public list, for the downloads and the data package.

One row builder and one rows() generator per list, each taking the list's
(already filtered) published queryset and a Links for absolute URLs: the
downloads of events/views/downloads.py and the data package of
events/dataset.py write the same rows. Rows are streamed: the queryset is
read in chunks of CHUNK rows, and each chunk's related rows are prefetched in
one query per relation, so the number of queries grows with the number of
chunks, never with the number of rows. Every cell goes through
tracker.exports.cell when written.
"""

from django.urls import reverse

from events.columns import header
from events.disclosure import PersonRow, shown_person
from events.models import EventLink, Figure, date_source
from events.registry import in_public_order, read_registry_chunk
from events.sources import cited_events, with_cited_facts
from tracker.dates import date_iso

# Rows per read: a thousand rows with their related rows are a few MB.
CHUNK = 1000
# Several values in one cell (source URLs, related records) are joined by this.
SEPARATOR = " | "


def joined(values):
    return SEPARATOR.join(str(value) for value in values if value)


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


def related_events(event):
    """(kind, event) of each published link, read from the prefetched links in both directions."""
    for link in event.outgoing_links.all():
        yield link.get_kind_display(), link.to_event
    for link in event.incoming_links.all():
        # Read from this end, as the event page and the API read it: "given in exchange for" the release.
        yield link.inverse_label, link.from_event


# --- /timeline.csv --------------------------------------------------------------

EVENT_HEADER = header("timeline")


def participant_url(participant, links):
    # Only people named in full are linked: the timeline never links a participant to a person page.
    person = participant.person
    return links.of(person) if person is not None and person.is_named else ""


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
        joined(participant.public_label for participant in participants),
        joined(participant_url(p, links) for p in participants),
        joined(source.uid for source in sources),
        joined(source.url or links.source(source) for source in sources),
        getattr(date_source(citations), "uid", ""),
        joined(f"{label}: {other.title}" for label, other in related),
        joined(other.uid for _, other in related),
        joined(links.of(other) for _, other in related),
        joined(figure.uid for figure in figures),
        joined(figure.stated for figure in figures),
    ]


def timeline_rows(events, links):
    return (event_row(event, links) for event in events.with_details().iterator(chunk_size=CHUNK))


# --- /releases.csv ----------------------------------------------------------------

RELEASE_HEADER = header("releases")


def release_row(event, links):
    details = event.release_details.all()
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
        joined(dict.fromkeys(detail.get_mode_display() for detail in details if detail.mode)),
        joined(dict.fromkeys(detail.destination for detail in details)),
        joined(dict.fromkeys(detail.destination_country.code for detail in details if detail.destination_country)),
        joined(detail.in_words for detail in details),
        event.linked_released,
        joined(figure.uid for figure in figures),
        joined(
            figure.stated + (" (deprecated)" if figure.rank == Figure.Rank.DEPRECATED else "") for figure in figures
        ),
        joined(other.uid for other in exchange),
        joined(links.of(other) for other in exchange),
        joined(other.uid for other in context),
        joined(links.of(other) for other in context),
    ]


def release_rows(releases, links, show_deprecated=False):
    details = releases.newest_first().for_ledger(show_deprecated)
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
        date_iso(figure.period_end_on, figure.period_end_on_precision),
        figure.period_end_on_precision if figure.period_end_on else "",
        figure.country.code,
        event.uid if event else "",
        links.of(event) if event else "",
        figure.source.uid,
        figure.source.title,
        figure.source.url or links.source(figure.source),
        figure.attributed_to.public_name if figure.attributed_to else "",
        figure.quote,
        figure.rank,
    ]


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


def registry_csv_rows(detentions, order, links):
    """The people in the page's order, a chunk at a time, each chunk's details in one query per relation.

    A whole registry is hundreds of thousands of rows, so they are read as
    plain values (no model instances, no URL resolving per row) into the
    light records of events/disclosure.py, and what the public may see
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
        source.publisher.public_name if source.publisher else "",
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
        joined(figure.stated for figure in figures),
    ]


def source_rows(sources, links):
    return (source_row(source, links) for source in with_cited_facts(sources).iterator(chunk_size=CHUNK))
