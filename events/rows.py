"""What pages show of records they list, read as plain rows: event cards, the event page, a measure's reports.

A page of 25 events read its participants, citations, figures and links as
model instances (prefetch_related, each with its person or organisation,
source, publisher and measure): 18 ms of the timeline's 38 on PostgreSQL at
200,000 people, and 14 on SQLite, most of it Python building instances. Here
each relation is one query of values, filtered by the same `published()`
querysets, so which rows are public is still decided in one place; the rows
are small objects that borrow the models' own properties for every word the
card prints (a person's public name, a participant's label, a figure in words,
a date), so those rules stay in one place too.

`attach_card_details(events)` sets on each event what the pages read of what
`with_details()` prefetches: `participant_list`, `citation_list`, `figure_list`, `outgoing_list` and
`incoming_list`, with the attributes events.views.timeline._card and the
event page read. tests/test_event_cards.py holds the cards and the pages
equal to the ones read as instances.

`full_figures(figures)` reads what a measure page prints of each report it
lists in full (~35 a page, with source, publisher, attribution and event);
tests/test_measure_render.py holds the page equal to the one read as instances.
"""

from django_countries.fields import Country

from events.models import Citation, Figure, Measure, Participant
from events.models.events import LinkedEventRow, attach_links
from tracker.models import Organization, Person
from tracker.prepared import Prepared
from tracker.publishing import Publishable


class PersonRow:
    __slots__ = ("status", "name", "identity_level")
    is_published = Publishable.is_published
    public_name = Person.public_name


class OrganizationRow:
    __slots__ = ("pk", "status", "name")
    is_published = Publishable.is_published
    public_name = Organization.public_name


class ParticipantRow:
    __slots__ = ("person_id", "person", "organization", "role")
    public_name = Participant.public_name
    public_label = Participant.public_label


class SourceRow:
    """What a citation ({% citation %}) prints of a source."""

    __slots__ = ("pk", "title", "url", "published_on", "archive_url", "publisher")


class MeasureRow:
    __slots__ = ("name",)


class FigureRow:
    __slots__ = (
        "value",
        "qualifier",
        "upper_value",
        "period_start_on",
        "period_start_on_precision",
        "period_end_on",
        "period_end_on_precision",
        "measure",
        "source",
        "quote",
    )
    in_words = Figure.in_words
    period = Figure.period


class CitationRow:
    __slots__ = ("source", "quote", "gives_date")


SOURCE_FIELDS = (
    "source_id",
    "source__title",
    "source__url",
    "source__published_on",
    "source__archive_url",
    "source__publisher_id",
    "source__publisher__name",
    "source__publisher__status",
)


def _row(cls, **values):
    row = cls()
    for name, value in values.items():
        setattr(row, name, value)
    return row


class Organizations:
    """One OrganizationRow per organisation, however often a page names it (as publisher, or as the one a
    count is attributed to): what series_of and the "according to" line read of it. None for no organisation."""

    def __init__(self):
        self.rows = {}

    def __call__(self, pk, name, status):
        if pk is None:
            return None
        row = self.rows.get(pk)
        if row is None:
            row = self.rows[pk] = _row(OrganizationRow, pk=pk, status=status, name=name)
        return row


class _Sources:
    """One SourceRow per source, with its publisher (Organizations), however often the page cites it."""

    def __init__(self, organizations=None):
        self.sources, self.organizations = {}, organizations or Organizations()

    def __call__(self, source_id, title, url, published_on, archive_url, publisher_id, publisher_name, status):
        source = self.sources.get(source_id)
        if source is None:
            source = self.sources[source_id] = _row(
                SourceRow,
                pk=source_id,
                title=title,
                url=url,
                published_on=published_on,
                archive_url=archive_url,
                publisher=self.organizations(publisher_id, publisher_name, status),
            )
        return source


# The relations of a page of events: built and compiled once per connection (tracker/prepared.py).
_PARTICIPANTS = Prepared(
    lambda keys: (
        Participant.objects.published()
        .filter(event_id__in=keys)
        .order_by("event_id", "pk")
        .values_list(
            "event_id",
            "role",
            "person_id",
            "person__status",
            "person__name",
            "person__identity_level",
            "organization__status",
            "organization__name",
        )
    )
)
_CITATIONS = Prepared(
    lambda keys: (
        Citation.objects.published()
        .filter(event_id__in=keys)
        .order_by("event_id", "pk")
        .values_list("event_id", "quote", "gives_date", *SOURCE_FIELDS)
    )
)
_FIGURES = Prepared(
    lambda keys: (
        Figure.objects.shown_with_events()
        .filter(event_id__in=keys)
        .values_list(
            "event_id",
            "value",
            "qualifier",
            "upper_value",
            "period_start_on",
            "period_start_on_precision",
            "period_end_on",
            "period_end_on_precision",
            "quote",
            "measure__name",
            *SOURCE_FIELDS,
        )
    )
)


def attach_card_details(events, using=None):
    """Set each event's relations as an event card reads them: four queries, whatever the number of events."""
    events = list(events)
    by_pk = {event.pk: event for event in events}
    for event in events:
        event.participant_list, event.citation_list, event.figure_list = [], [], []
    if not by_pk:
        attach_links(events, using)
        return events
    sources = _Sources()

    for event_id, role, person_id, *rest in _PARTICIPANTS.rows(by_pk, using):
        person_status, person_name, level, organization_status, organization_name = rest
        participant = _row(ParticipantRow, person_id=person_id, role=role, person=None, organization=None)
        if person_id is not None:
            participant.person = _row(PersonRow, status=person_status, name=person_name, identity_level=level)
        else:
            participant.organization = _row(OrganizationRow, status=organization_status, name=organization_name)
        by_pk[event_id].participant_list.append(participant)

    for event_id, quote, gives_date, *source in _CITATIONS.rows(by_pk, using):
        by_pk[event_id].citation_list.append(
            _row(CitationRow, source=sources(*source), quote=quote, gives_date=gives_date)
        )

    measures = {}
    for row in _FIGURES.rows(by_pk, using):
        event_id, value, qualifier, upper_value, since, since_precision, until, until_precision = row[:8]
        quote, measure_name, *source = row[8:]
        measure = measures.get(measure_name) or measures.setdefault(measure_name, _row(MeasureRow, name=measure_name))
        figure = _row(
            FigureRow,
            value=value,
            qualifier=qualifier,
            upper_value=upper_value,
            period_start_on=since,
            period_start_on_precision=since_precision,
            period_end_on=until,
            period_end_on_precision=until_precision,
            quote=quote,
            measure=measure,
            source=sources(*source),
        )
        by_pk[event_id].figure_list.append(figure)

    attach_links(events, using)  # rows too, in EventLink's own order
    return events


_QUALIFIERS = dict(Figure._meta.get_field("qualifier").flatchoices)
_RANKS = dict(Figure._meta.get_field("rank").flatchoices)


class Report:
    """One report as a short row: what the groups, headlines, registry counts and charts read of a figure.

    A measure had ~780 reports at 200,000 people; building each as a Figure
    with its source, publisher, attribution and event was most of the page.
    The words, dates and headline rule are Figure's own properties.
    """

    __slots__ = (
        "pk",
        "country_code",
        "rank",
        "value",
        "qualifier",
        "upper_value",
        "as_of_on",
        "as_of_on_precision",
        "period_start_on",
        "period_start_on_precision",
        "period_end_on",
        "period_end_on_precision",
        "event_id",
        "event_title",
        "series",
        "place",
        "registry_count",
    )

    in_words = Figure.in_words
    as_of = Figure.as_of
    period_start = Figure.period_start
    period = Figure.period
    is_headline = Figure.is_headline


class FullFigureRow(Report):
    """A report as a measure page prints it in full: its source, attribution, event and words besides."""

    __slots__ = ("deprecation_reason", "quote", "event", "attributed_to", "source")
    according_to = Figure.according_to

    @property
    def country(self):
        return Country(code=self.country_code)

    def get_qualifier_display(self):
        return _QUALIFIERS.get(self.qualifier, self.qualifier)

    def get_rank_display(self):
        return _RANKS.get(self.rank, self.rank)


FULL_FIGURE_FIELDS = (
    "pk",
    "value",
    "qualifier",
    "upper_value",
    "as_of_on",
    "as_of_on_precision",
    "period_start_on",
    "period_start_on_precision",
    "period_end_on",
    "period_end_on_precision",
    "country",
    "rank",
    "deprecation_reason",
    "quote",
    "event_id",
)


_FULL_FIGURES = Prepared(
    lambda keys: (
        Figure.objects.published()
        .filter(pk__in=keys)
        .order_by()
        .values_list(
            *FULL_FIGURE_FIELDS,
            "event__uid",
            "event__title",
            "attributed_to_id",
            "attributed_to__name",
            "attributed_to__status",
            *SOURCE_FIELDS,
        )
    )
)


def full_figures(pks):
    """{pk: FullFigureRow} of the published figures of these keys (the few a page prints in full)."""
    sources, events = _Sources(), {}
    rows = {}
    for values in _FULL_FIGURES.rows(pks):
        row = FullFigureRow()
        for name, value in zip(FULL_FIGURE_FIELDS, values):
            setattr(row, "country_code" if name == "country" else name, value)
        own = len(FULL_FIGURE_FIELDS)
        event_uid, event_title, attributed_id, attributed_name, attributed_status = values[own : own + 5]
        row.event = None
        if row.event_id is not None:
            row.event = events.get(row.event_id)
            if row.event is None:
                row.event = events[row.event_id] = _row(
                    LinkedEventRow,
                    pk=row.event_id,
                    uid=event_uid,
                    title=event_title,
                    occurred_on=None,
                    occurred_on_precision=None,
                )
        row.attributed_to = sources.organizations(attributed_id, attributed_name, attributed_status)
        row.source = sources(*values[own + 5 :])
        row.place = row.registry_count = None
        rows[row.pk] = row
    return rows


# --- The release ledger's claims -----------------------------------------------------------------


class LedgerMeasureRow:
    """A measure counted per event, as the ledger's column heads it."""

    __slots__ = ("pk", "name", "position", "slug")
    get_absolute_url = Measure.get_absolute_url


class LedgerFigureRow:
    """A claim in a ledger cell: what events.views.releases reads of a figure."""

    __slots__ = (
        "event_id",
        "measure_id",
        "measure",
        "value",
        "qualifier",
        "upper_value",
        "rank",
        "deprecation_reason",
        "attributed_to",
        "source",
    )
    in_words = Figure.in_words


def _ledger_figures(current):
    def build(keys):
        return (
            Figure.objects.in_ledger(show_deprecated=not current)
            .filter(event_id__in=keys)
            .values_list(
                "event_id",
                "measure_id",
                "measure__name",
                "measure__position",
                "measure__slug",
                "value",
                "qualifier",
                "upper_value",
                "rank",
                "deprecation_reason",
                "attributed_to_id",
                "attributed_to__name",
                "attributed_to__status",
                *SOURCE_FIELDS,
            )
        )

    return Prepared(build)


# EventQuerySet.for_ledger's figures, as rows: the current ones, or with the deprecated ones too.
_LEDGER_FIGURES = {False: _ledger_figures(current=True), True: _ledger_figures(current=False)}


def attach_ledger_figures(events, show_deprecated):
    """Set `ledger_figures` on these releases, as EventQuerySet.for_ledger() prefetches them, as rows: one query."""
    by_pk = {event.pk: event for event in events}
    for event in events:
        event.ledger_figures = []
    sources, measures = _Sources(), {}
    for values in _LEDGER_FIGURES[bool(show_deprecated)].rows(by_pk):
        event_id, measure_id, name, position, slug, *claim = values[:13]
        figure = LedgerFigureRow()
        figure.event_id, figure.measure_id = event_id, measure_id
        figure.measure = measures.get(measure_id) or measures.setdefault(
            measure_id, _row(LedgerMeasureRow, pk=measure_id, name=name, position=position, slug=slug)
        )
        value, qualifier, upper_value, rank, reason, attributed_id, attributed_name, attributed_status = claim
        figure.value, figure.qualifier, figure.upper_value = value, qualifier, upper_value
        figure.rank, figure.deprecation_reason = rank, reason
        figure.attributed_to = sources.organizations(attributed_id, attributed_name, attributed_status)
        figure.source = sources(*values[13:])
        by_pk[event_id].ledger_figures.append(figure)
    return events
