"""Events, the people and organisations taking part, the sources they cite, and the links between them."""

from django.apps import apps
from django.db import connections, models, router, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from tracker.addresses import uid_address
from tracker.dates import PreciseDate, PreciseDates, Precision, precision_field
from tracker.history import history
from tracker.models import Organization, Person, Source, one_of
from tracker.names import PublicText
from tracker.prepared import Prepared
from tracker.publishing import Publishable, PublishableQuerySet, Record, RecordQuerySet, Status


# The releases and figures of events are defined in releases.py and figures.py, which
# import this module: the queries below look those models up when they run.
def later(name):
    return apps.get_model("events", name)


class EventQuerySet(PublishableQuerySet):
    def delete(self):
        ReleasedDetention = later("ReleasedDetention")
        with transaction.atomic(using=self.db):
            for named in ReleasedDetention.objects.using(self.db).filter(release__in=self, ended_detention=True):
                named.withdraw("deleted the release")
            return super().delete()

    delete.alters_data = True

    def in_country(self, code):
        # Countries are stored as "BY,US": two-letter codes joined by commas,
        # so a two-letter substring can only match a whole code.
        return self.filter(countries__contains=code.upper())

    def in_date_order(self):
        return self.order_by("occurred_on", "pk")

    def newest_first(self):
        return self.order_by("-occurred_on", "-pk")

    def releases(self):
        return self.filter(kind=EventKind.RELEASE)

    def with_participants_and_citations(self):
        participants = Participant.objects.published().select_related("person", "organization")
        citations = Citation.objects.published().select_related("source__publisher")
        return self.prefetch_related(
            models.Prefetch("participants", participants), models.Prefetch("citations", citations)
        )

    def with_links(self, lists=False):
        """Each event's links, with the event at the other end; for a page (lists) only what it names of that event.

        lists=True reads both directions in one query once the events are read (attach_links):
        two prefetches made one query each, and every page of event cards paid both.
        """
        if lists:
            clone = self._chain()
            clone._link_lists = True
            return clone
        outgoing = EventLink.objects.published().select_related("to_event")
        incoming = EventLink.objects.published().select_related("from_event")
        return self.prefetch_related(
            models.Prefetch("outgoing_links", outgoing), models.Prefetch("incoming_links", incoming)
        )

    _link_lists = False

    def _clone(self):
        clone = super()._clone()
        clone._link_lists = self._link_lists
        return clone

    def _fetch_all(self):
        fetched = self._result_cache is not None
        super()._fetch_all()
        if not fetched and self._link_lists:
            attach_links(self._result_cache, using=self.db)

    def with_details(self):
        """Everything an event shows, as model instances (the CSV, the API): one query per relation.

        The pages read the same rows as plain values (events/rows.py), and each as a list, not a related
        manager: Django makes a filtered QuerySet per event and relation for the manager.
        """
        figures = later("Figure").objects.shown_with_events().select_related("measure", "source__publisher")
        return self.with_participants_and_citations().with_links().prefetch_related(models.Prefetch("figures", figures))

    def for_ledger(self, show_deprecated):
        """What a row of the release ledger shows (`ledger_figures`, `linked_released`), as instances: the API's.

        The page reads the same as rows once its releases are chosen (events.rows.attach_ledger_figures).
        """
        figures = later("Figure").objects.in_ledger(show_deprecated)
        figures = figures.select_related("measure", "source__publisher", "attributed_to")
        released = self.prefetch_related("release_details").annotate(linked_released=linked_released_count())
        return released.prefetch_related(models.Prefetch("figures", figures, to_attr="ledger_figures")).with_links()


class LinkedEventRow:
    """The event at the other end of a link, as a page names it: its address (uid), title and date."""

    __slots__ = ("pk", "uid", "title", "occurred_on", "occurred_on_precision")
    FIELDS = ("uid", "title", "occurred_on", "occurred_on_precision")

    def get_absolute_url(self):
        return Event.get_absolute_url(self)

    @property
    def occurred(self):
        return Event.occurred.fget(self)


class LinkRow:
    """A published link as pages read it: its kind, the events at both ends, the labels of EventLink."""

    __slots__ = ("kind", "from_event", "to_event")

    def get_kind_display(self):
        return LinkKind(self.kind).label

    @property
    def inverse_label(self):
        return EventLink.inverse_label.fget(self)


# Built and compiled once per connection (tracker/prepared.py); EventLink's own order.
_LINKS = Prepared(
    lambda keys: (
        EventLink.objects.published()
        .filter(Q(from_event__in=keys) | Q(to_event__in=keys))
        .values_list(
            "kind",
            "from_event_id",
            *(f"from_event__{name}" for name in LinkedEventRow.FIELDS),
            "to_event_id",
            *(f"to_event__{name}" for name in LinkedEventRow.FIELDS),
        )
    )
)


def attach_links(events, using=None):
    """Set `outgoing_list` and `incoming_list` on these events: their published links, read in one query.

    Each link is a LinkRow with the events at its ends as LinkedEventRows, read as plain values:
    pages name those events only (a page of the ledger built ~120 model instances for them). The
    lists keep EventLink's own order, as the two prefetches (with_links()) do.
    """
    events = [event for event in events if isinstance(event, Event)]
    by_pk = {event.pk: event for event in events}
    for event in events:
        event.outgoing_list, event.incoming_list = [], []
    if not by_pk:
        return
    ends = {}

    def end(pk, *values):
        if pk not in ends:
            row = ends[pk] = LinkedEventRow()
            row.pk = pk
            row.uid, row.title, row.occurred_on, row.occurred_on_precision = values
        return ends[pk]

    for row in _LINKS.rows(by_pk, using):
        link = LinkRow()
        link.kind, link.from_event, link.to_event = row[0], end(*row[1:6]), end(*row[6:11])
        if link.from_event.pk in by_pk:
            by_pk[link.from_event.pk].outgoing_list.append(link)
        if link.to_event.pk in by_pk:
            by_pk[link.to_event.pk].incoming_list.append(link)


def released_counts(releases, using=None):
    """{release id: how many people the database links to it} for these releases: numbers, never names.

    Read from events_releasecount, which the database keeps in the same
    transaction as every write (events/migrations/0006_release_counts.py):
    the published released detentions of each release, withheld people too
    (DOMAIN rule 2). A release with none may have no row.
    """
    ids = sorted({int(pk) for pk in releases})
    if not ids:
        return {}  # and no query
    with connections[using or router.db_for_read(Event)].cursor() as cursor:
        cursor.execute(
            f"SELECT release_id, n FROM events_releasecount WHERE release_id IN ({', '.join(['%s'] * len(ids))})", ids
        )
        return {release: n for release, n in cursor.fetchall() if n}


def linked_released_count():
    """How many people the database links to each release of an event list's query (released_counts), as a column."""
    return RawSQL(
        "COALESCE((SELECT c.n FROM events_releasecount c WHERE c.release_id = events_event.id), 0)",
        [],
        output_field=models.IntegerField(),
    )


def count_linked_released(events):
    """Set `linked_released` on these releases (a page of the ledger), in one query."""
    counts = released_counts(event.pk for event in events)
    for event in events:
        event.linked_released = counts.get(event.pk, 0)
    return events


class EventKind(models.TextChoices):
    MEETING = "meeting", pgettext_lazy("kind of event", "Meeting")
    VISIT = "visit", pgettext_lazy("kind of event", "Visit")
    RELEASE = "release", pgettext_lazy("kind of event", "Release")
    SANCTIONS_CHANGE = "sanctions_change", pgettext_lazy("kind of event", "Sanctions change")
    STATEMENT = "statement", pgettext_lazy("kind of event", "Statement")
    ARRESTS = "arrests", pgettext_lazy("kind of event", "Arrests")
    TRIAL = "trial", pgettext_lazy("kind of event", "Trial")
    OTHER = "other", pgettext_lazy("kind of event", "Other")


class Event(PublicText, PreciseDates, Publishable):
    precise_dates = (("occurred_on", "occurred_on_precision"), ("ended_on", "ended_on_precision"))
    Kind = EventKind

    kind = models.CharField(max_length=20, choices=Kind)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True, help_text="What happened, in a few sentences, for the public timeline.")
    occurred_on = models.DateField("date")
    occurred_on_precision = precision_field("date")
    ended_on = models.DateField("end date", null=True, blank=True, help_text="For events that lasted several days.")
    ended_on_precision = precision_field("end date")
    countries = CountryField(multiple=True, blank=True, help_text="The countries the event concerns.")
    location = models.CharField(max_length=200, blank=True, help_text="City or place: “Minsk”.")
    internal_notes = models.TextField(blank=True, help_text="Never shown in public.")
    external_id = models.CharField(
        "external ID",
        max_length=100,
        blank=True,
        help_text="The record's key in another system or spreadsheet; imports match rows by it.",
    )

    public_text = ("title", "summary", "location")

    # When the public last saw this event change: a feed entry's "updated" (tracker/public_changes.py).
    public_updated_at = models.DateTimeField(default=timezone.now, editable=False)
    not_public_fields = ("internal_notes", "external_id")  # tracker/public_changes.py
    history = history(exclude=["public_updated_at"])
    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        permissions = [("publish_event", "Can publish, retract and restore events")]
        indexes = [
            # Timeline and home page: published events, newest (or oldest) first, in the exact order
            # they are listed (the date, then the key): a deep page's keys are read from the index
            # alone (events/pagination.py), with no sort.
            models.Index(fields=["status", "occurred_on", "id"], name="events_event_timeline"),
            # Timeline filter by kind ("all releases") and the release ledger, in the same order.
            models.Index(fields=["kind", "status", "occurred_on", "id"], name="events_event_kind"),
            # The countries published events concern (home, timeline filter): a few steps along
            # this index (events.filters.event_countries), not a read of every event. Countries
            # first: led by status, SQLite took it for every list of published events.
            models.Index(fields=["countries", "status"], name="events_event_countries"),
        ]
        constraints = [
            one_of("status", Status, "events_event_status_valid", "status"),
            one_of("kind", EventKind, "events_event_kind_valid", "kind of event"),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="events_event_unique_external_id",
                violation_error_message="Another event already has this external ID.",
            ),
            one_of("occurred_on_precision", Precision, "events_event_precision_valid", "precision"),
            one_of("ended_on_precision", Precision, "events_event_end_precision_valid", "precision"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("occurred_on")),
                name="events_event_ends_after_start",
                violation_error_message="The end date cannot be earlier than the date of the event.",
            ),
        ]

    def __str__(self):
        return f"{self.occurred} — {self.title}"

    def get_absolute_url(self):
        return uid_address("events:event", self.uid)

    @property
    def occurred(self):
        return PreciseDate.of(self.occurred_on, self.occurred_on_precision)

    def publishing_problems(self):
        problems = []
        cited = list(self.citations.select_related("source"))
        if not any(citation.source.status == Status.PUBLISHED for citation in cited):
            if cited:
                waiting = "; ".join(sorted({f"“{citation.source}”" for citation in cited}))
                problems.append(f"“{self.title}” cites no published source yet: publish {waiting} first.")
            else:
                problems.append(f"“{self.title}” cites no source: add a citation first.")
        elif any(citation.source.status != Status.PUBLISHED for citation in cited):
            problems += self.unpublished_parts(
                [("the source", citation.source) for citation in cited if citation.source.status != Status.PUBLISHED]
            )
        if self.kind == Event.Kind.RELEASE and self.occurred_on is None:
            problems.append(f"The release “{self.title}” has no date.")
        participants = self.participants.select_related("person", "organization")
        problems += self.unpublished_parts(
            [("the participant", participant.person or participant.organization) for participant in participants]
        )
        # The text the event shows once published: its own, its citations', participants' and release details'.
        problems += self.protected_name_problems()
        for part in [*self.citations.all(), *self.participants.all(), *self.release_details.all()]:
            problems += part.protected_name_problems()
        return problems

    def apply_transition(self, name):
        """Move along the workflow; a release ends the detentions it names when published, and gives them back when not."""
        was_published = self.is_published
        super().apply_transition(name)
        if self.is_published != was_published:
            self.publication_changed()

    def publication_changed(self):
        """The event was just published or taken off the public site: a release ends or gives back its detentions."""
        for named in self.released_detentions.select_related("detention"):
            named.release = self
            if self.is_published:
                named.take_effect()
            else:
                named.withdraw()

    def delete(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using") or router.db_for_write(type(self), instance=self)):
            for named in self.released_detentions.filter(ended_detention=True):
                named.withdraw("deleted the release")
            return super().delete(*args, **kwargs)

    @property
    def ended(self):
        return PreciseDate.of(self.ended_on, self.ended_on_precision)


class ParticipantQuerySet(RecordQuerySet):
    def published(self):
        return self.filter(event__status=Status.PUBLISHED).filter(
            Q(person__status=Status.PUBLISHED) | Q(organization__status=Status.PUBLISHED)
        )


class EventPart(PublicText):
    """A row shown on its event's page: its public text is public with the event."""

    text_owner = "event"  # taken off the public site with its event (tracker/withholding.py)

    def text_is_public(self):
        event = getattr(self, "event", None)  # in the event's inline the event may not be saved yet
        return event is not None and event.is_published


class Participant(EventPart, Record):
    """A person or an organisation taking part in an event, in a role."""

    public_text = ("role",)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="participations")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="participations"
    )
    role = models.CharField(
        max_length=200, blank=True, help_text="In this event: “US Special Envoy”, “President of Belarus”."
    )

    history = history()
    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["event", "pk"]
        indexes = [
            # Whether a person (an organisation) takes part in a published event: the timeline
            # filter's choices (events.filters.timeline_choices) ask it per participant, by key.
            models.Index(fields=["person", "event"], name="events_participant_person"),
            models.Index(fields=["organization", "event"], name="events_participant_org"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, organization__isnull=True)
                | Q(person__isnull=True, organization__isnull=False),
                name="events_participant_person_xor_organization",
                violation_error_message="A participant is either a person or an organisation: choose exactly one.",
            ),
        ]

    def __str__(self):
        who = self.person or self.organization
        return f"{who} ({self.role})" if self.role else str(who)

    @property
    def public_name(self):
        """Who took part, as every public output names them (tracker.names.public_name for a person)."""
        return self.person.public_name if self.person_id else self.organization.public_name

    @property
    def public_label(self):
        """The public name with the role: “John Coale (US Special Envoy)”. Feeds, downloads, the API's timeline, cards."""
        return f"{self.public_name} ({self.role})" if self.role else self.public_name


class CitationQuerySet(RecordQuerySet):
    def published(self):
        """Citations of published events, of published sources: a source cited so is listed (tracker.models.listed_source)."""
        return self.filter(event__status=Status.PUBLISHED, source__status=Status.PUBLISHED)


class Citation(EventPart, Record):
    """A source an event relies on, with the sentence it relies on; one of them may be where its date comes from."""

    public_text = ("quote",)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    quote = models.TextField(blank=True, help_text="The sentence of the source this event relies on, verbatim.")
    gives_date = models.BooleanField(
        "gives the date",
        default=False,
        help_text="The event's date is this source's: when sources date it differently (one the month, another "
        "the day), tick the one whose date you entered. The event's page says so.",
    )

    history = history()
    objects = CitationQuerySet.as_manager()

    class Meta:
        ordering = ["event", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"],
                condition=Q(gives_date=True),
                name="events_citation_one_gives_the_date",
                violation_error_message="The date is one source's: tick “gives the date” on one citation only.",
            ),
        ]

    def __str__(self):
        return f"{self.source} → {self.event.title}"


def date_source(citations):
    """The source an event's date is taken from (the citation that "gives the date"), or None: of Citations or of
    the rows that stand for them (events.rows.CitationRow)."""
    return next((citation.source for citation in citations if citation.gives_date), None)


class EventLinkQuerySet(RecordQuerySet):
    def published(self):
        return self.filter(from_event__status=Status.PUBLISHED, to_event__status=Status.PUBLISHED)


class LinkKind(models.TextChoices):
    IN_EXCHANGE_FOR = "in_exchange_for", pgettext_lazy("a link between events", "in exchange for")
    FOLLOWS = "follows", pgettext_lazy("a link between events", "follows")
    RESPONSE_TO = "response_to", pgettext_lazy("a link between events", "in response to")
    PART_OF = "part_of", pgettext_lazy("a link between events", "part of")


# How a link reads from the other end: the sanctions change was "given in
# exchange for" the release that is "in exchange for" it.
INVERSE_LINK_LABELS = {
    LinkKind.IN_EXCHANGE_FOR: pgettext_lazy("a link between events, read from its other end", "given in exchange for"),
    LinkKind.FOLLOWS: pgettext_lazy("a link between events, read from its other end", "followed by"),
    LinkKind.RESPONSE_TO: pgettext_lazy("a link between events, read from its other end", "prompted"),
    LinkKind.PART_OF: pgettext_lazy("a link between events, read from its other end", "includes"),
}


class EventLink(Record):
    """A typed relation between two events: the ledger of deals is made of these."""

    Kind = LinkKind

    # Read as a sentence: <from_event> <kind> <to_event>, for example
    # "Release of 52 detainees" in exchange for "US lifts sanctions on Belavia".
    from_event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="outgoing_links")
    kind = models.CharField(max_length=20, choices=Kind)
    to_event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="incoming_links")
    note = models.CharField(max_length=300, blank=True)

    history = history()
    objects = EventLinkQuerySet.as_manager()

    class Meta:
        ordering = ["from_event", "pk"]
        constraints = [
            one_of("kind", LinkKind, "events_eventlink_kind_valid", "kind of link"),
            models.CheckConstraint(
                condition=~Q(from_event=models.F("to_event")),
                name="events_eventlink_not_self",
                violation_error_message="An event cannot be linked to itself.",
            ),
            models.UniqueConstraint(
                fields=["from_event", "kind", "to_event"],
                name="events_eventlink_unique",
                violation_error_message="These two events are already linked this way.",
            ),
        ]

    def __str__(self):
        return f"{self.from_event.title} — {self.get_kind_display()} — {self.to_event.title}"

    @property
    def inverse_label(self):
        return INVERSE_LINK_LABELS[self.kind]
