"""Events, the links between them, releases, and the figures sources report."""

from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField

from events.release_effects import end_detention, put_back
from events.wording import figure_in_words
from tracker.dates import PreciseDate, PreciseDates, Precision, precision_field
from tracker.history import history
from tracker.models import Detention, Organization, Person, Source, one_of, published_detention
from tracker.names import PublicText
from tracker.publishing import Publishable, PublishableQuerySet, Record, RecordQuerySet, Status


class EventQuerySet(PublishableQuerySet):
    def delete(self):
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
        return self.prefetch_related(
            models.Prefetch("participants", Participant.objects.published().select_related("person", "organization")),
            models.Prefetch("citations", Citation.objects.published().select_related("source__publisher")),
        )

    def with_links(self):
        return self.prefetch_related(
            models.Prefetch("outgoing_links", EventLink.objects.published().select_related("to_event")),
            models.Prefetch("incoming_links", EventLink.objects.published().select_related("from_event")),
        )

    def with_details(self):
        """Everything an event card shows: one query per relation, whatever the number of events."""
        figures = Figure.objects.published().current().select_related("measure", "source__publisher")
        figures = models.Prefetch("figures", figures.order_by("measure__position", "-as_of_on", "pk"))
        return self.with_participants_and_citations().with_links().prefetch_related(figures)

    def for_ledger(self, show_deprecated):
        """What a row of the release ledger shows (`ledger_figures`, `linked_released`): one query per relation."""
        figures = Figure.objects.published().filter(measure__kind=MeasureKind.PER_EVENT)
        figures = figures.select_related("measure", "source__publisher", "attributed_to").best_first()
        # Withheld people are counted too (DOMAIN rule 2): a number, never a name.
        linked = ReleasedDetention.objects.published().filter(release=OuterRef("pk")).order_by().values("release")
        linked = models.Subquery(linked.annotate(n=models.Count("pk")).values("n"), output_field=models.IntegerField())
        figures = models.Prefetch(
            "figures", figures if show_deprecated else figures.current(), to_attr="ledger_figures"
        )
        released = self.select_related("release").annotate(linked_released=Coalesce(linked, models.Value(0)))
        return released.prefetch_related(figures).with_links()


class EventKind(models.TextChoices):
    MEETING = "meeting", "Meeting"
    VISIT = "visit", "Visit"
    RELEASE = "release", "Release"
    SANCTIONS_CHANGE = "sanctions_change", "Sanctions change"
    STATEMENT = "statement", "Statement"
    ARRESTS = "arrests", "Arrests"
    TRIAL = "trial", "Trial"
    OTHER = "other", "Other"


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
            # Timeline and home page: published events, newest (or oldest) first.
            models.Index(fields=["status", "occurred_on"], name="events_event_timeline"),
            # Timeline filter by kind ("all releases"), in date order.
            models.Index(fields=["kind", "occurred_on"], name="events_event_kind"),
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
        return reverse("events:event", args=[self.uid])

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
        if self.kind == Event.Kind.RELEASE and self.occurred_on is None:
            problems.append(f"The release “{self.title}” has no date.")
        # The text the event shows once published: its own, its citations', participants' and release's.
        problems += self.protected_name_problems()
        for part in [*self.citations.all(), *self.participants.all(), getattr(self, "release", None)]:
            if part is not None:
                problems += part.protected_name_problems()
        return problems

    def apply_transition(self, name):
        """Move along the workflow; a release ends the detentions it names when published, and gives them back when not."""
        was_published = self.is_published
        super().apply_transition(name)
        if self.is_published != was_published:
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
        return self.filter(event__status=Status.PUBLISHED, source__status=Status.PUBLISHED)


class Citation(EventPart, Record):
    """A source an event relies on, with the sentence it relies on."""

    public_text = ("quote",)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    quote = models.TextField(blank=True, help_text="The sentence of the source this event relies on, verbatim.")

    history = history()
    objects = CitationQuerySet.as_manager()

    class Meta:
        ordering = ["event", "pk"]

    def __str__(self):
        return f"{self.source} → {self.event.title}"


class EventLinkQuerySet(RecordQuerySet):
    def published(self):
        return self.filter(from_event__status=Status.PUBLISHED, to_event__status=Status.PUBLISHED)


class LinkKind(models.TextChoices):
    IN_EXCHANGE_FOR = "in_exchange_for", "in exchange for"
    FOLLOWS = "follows", "follows"
    RESPONSE_TO = "response_to", "in response to"
    PART_OF = "part_of", "part of"


# How a link reads from the other end: the sanctions change was "given in
# exchange for" the release that is "in exchange for" it.
INVERSE_LINK_LABELS = {
    LinkKind.IN_EXCHANGE_FOR: "given in exchange for",
    LinkKind.FOLLOWS: "followed by",
    LinkKind.RESPONSE_TO: "prompted",
    LinkKind.PART_OF: "includes",
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


class ReleaseQuerySet(RecordQuerySet):
    def published(self):
        return self.filter(event__status=Status.PUBLISHED)


class ReleaseMode(models.TextChoices):
    PARDON = "pardon", "Pardon"
    EXCHANGE = "exchange", "Exchange"
    DEPORTATION = "deportation", "Forced deportation"
    AMNESTY = "amnesty", "Amnesty"
    END_OF_SENTENCE = "end_of_sentence", "End of sentences"
    OTHER = "other", "Other"


class Release(EventPart, Record):
    """The details of an event of kind release."""

    public_text = ("destination",)

    Mode = ReleaseMode

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="release")
    mode = models.CharField(max_length=20, choices=Mode, blank=True, help_text="How people were freed.")
    destination = models.CharField(
        max_length=200, blank=True, help_text="Where the people released were sent, if not home: “Vilnius, Lithuania”."
    )
    destination_country = CountryField(blank=True)

    history = history()
    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-event__occurred_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mode="") | Q(mode__in=ReleaseMode.values),
                name="events_release_mode_valid",
                violation_error_message="Choose a valid release mode.",
            ),
        ]

    def __str__(self):
        return str(self.event)

    def clean(self):
        super().clean()
        # In the event's inline the event may not be saved yet, and its field
        # is hidden: check the attached object and raise a form-wide error.
        event = getattr(self, "event", None)
        if event is not None and event.kind != Event.Kind.RELEASE:
            raise ValidationError("Release details belong to an event of kind “Release”.")


class ReleasedDetentionQuerySet(RecordQuerySet):
    def published(self):
        return self.filter(published_detention("detention__"), release__status=Status.PUBLISHED)


class ReleasedDetention(Record):
    """A named person's detention ended by a release (an event of kind release)."""

    release = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        related_name="released_detentions",
        limit_choices_to={"kind": EventKind.RELEASE},
    )
    detention = models.ForeignKey(Detention, on_delete=models.PROTECT, related_name="released_detentions")
    ended_detention = models.BooleanField(
        default=False,
        editable=False,
        help_text="Whether publishing the release ended this detention; retracting the release undoes that.",
    )

    not_public_fields = ("ended_detention",)  # tracker/public_changes.py
    history = history()
    objects = ReleasedDetentionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["detention"],
                name="events_releaseddetention_one_release_per_detention",
                violation_error_message="This detention is already ended by another release.",
            ),
        ]

    def __str__(self):
        return f"{self.detention} — {self.release}"

    def clean(self):
        release = getattr(self, "release", None)
        if release is not None and release.kind != Event.Kind.RELEASE:
            raise ValidationError("Only an event of kind “Release” can end a detention.")

    # How a release's mode ends a detention.
    DETENTION_RELEASE_MODES = {
        ReleaseMode.PARDON: Detention.ReleaseMode.PARDON,
        ReleaseMode.AMNESTY: Detention.ReleaseMode.PARDON,
        ReleaseMode.EXCHANGE: Detention.ReleaseMode.EXCHANGE_OR_DEPORTATION,
        ReleaseMode.DEPORTATION: Detention.ReleaseMode.EXCHANGE_OR_DEPORTATION,
        ReleaseMode.END_OF_SENTENCE: Detention.ReleaseMode.END_OF_SENTENCE,
    }

    # Ending the detention waits for the release to be public (events/release_effects.py).

    def save(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using") or router.db_for_write(type(self), instance=self)):
            if not self._state.adding and self.ended_detention:
                before = type(self)._base_manager.filter(pk=self.pk).values_list("detention_id", flat=True).first()
                if before is not None and before != self.detention_id:
                    put_back(self, Detention.objects.get(pk=before), "no longer named in the release")
                    self.ended_detention = False
            if self.release.is_published and not self.ended_detention:
                self.ended_detention = end_detention(self)
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using") or router.db_for_write(type(self), instance=self)):
            if self.ended_detention:
                put_back(self, self.detention, "no longer named in the release")
            return super().delete(*args, **kwargs)

    def take_effect(self):
        """The release was published: end the detention, and remember that this row did."""
        if not self.ended_detention and end_detention(self):
            self.ended_detention = True
            super().save(update_fields=["ended_detention", "updated_at"])

    def withdraw(self, why="retracted the release"):
        """The release was retracted (or deleted): put back the detention this row ended."""
        if self.ended_detention:
            put_back(self, self.detention, why)
            self.ended_detention = False
            super().save(update_fields=["ended_detention", "updated_at"])


class MeasureQuerySet(RecordQuerySet):
    def published(self):
        """Measures with at least one published figure: the ones the public can see."""
        return self.filter(Exists(Figure.objects.published().filter(measure=OuterRef("pk"))))


class MeasureKind(models.TextChoices):
    STOCK = "stock", "Stock (how many at a date)"
    FLOW = "flow", "Flow (how many over a period)"
    PER_EVENT = "per_event", "Per event (how many in one event)"


class RegistryCount(models.TextChoices):
    NONE = "", "None"
    HELD = "held", "Named people held on the as-of date"
    RELEASED = "released", "Named people released during the period"
    RECOGNISED = "recognised", "Named people recognised as political prisoners during the period"
    RELEASED_IN_EVENT = "released_in_event", "Named people released in the event"


class Measure(Record):
    """What a figure counts, defined once in words."""

    RegistryCount = RegistryCount

    Kind = MeasureKind

    slug = models.SlugField(unique=True, help_text="Short stable name used in addresses: “political-prisoners-held”.")
    name = models.CharField(max_length=200, help_text="As the headline reads: “political prisoners held”.")
    definition = models.TextField(help_text="Exactly what is counted, and what is not.")
    kind = models.CharField(max_length=10, choices=Kind)
    unit = models.CharField(max_length=50, default="people")
    position = models.PositiveSmallIntegerField(
        default=100, help_text="Order of the headline figures on the home page: lower comes first."
    )
    registry_count = models.CharField(
        max_length=20,
        choices=RegistryCount,
        blank=True,
        help_text="Which count of the registry's own named records to show beside the reported figures.",
    )

    history = history()
    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        constraints = [one_of("kind", MeasureKind, "events_measure_kind_valid", "kind of measure")]

    # Pickers show what kind of count it is: "people released" (one event)
    # and "prisoners released" (over a period) are easy to confuse.
    KIND_HINTS = {"stock": "at a date", "flow": "over a period", "per_event": "in one event"}

    def __str__(self):
        return f"{self.name} ({self.KIND_HINTS.get(self.kind, self.kind)})"

    def get_absolute_url(self):
        return reverse("events:measure", args=[self.slug])


def rank_order():
    """Preferred (0) before normal (1) before deprecated (2), as an SQL expression."""
    return models.Case(
        models.When(rank=Rank.PREFERRED, then=0),
        models.When(rank=Rank.NORMAL, then=1),
        default=2,
    )


class FigureQuerySet(PublishableQuerySet):
    def published(self):
        # A figure scoped to an event is public only with its event, and only
        # with its source: a claim is never shown without who made it.
        return self.filter(status=Status.PUBLISHED, source__status=Status.PUBLISHED).filter(
            Q(event__isnull=True) | Q(event__status=Status.PUBLISHED)
        )

    def current(self):
        return self.exclude(rank=Figure.Rank.DEPRECATED)

    def in_country(self, code):
        return self.filter(country=code.upper())

    def best_first(self):
        """Preferred before normal before deprecated, then the newest claim first."""
        return self.order_by(rank_order(), "-as_of_on", "-pk")

    def ranked(self):
        """Best first, each with its `place` among the reports of its measure in its country (see is_headline)."""
        order = [rank_order().asc(), models.F("as_of_on").desc(), models.F("pk").desc()]
        place = models.Window(RowNumber(), partition_by=[models.F("measure_id"), models.F("country")], order_by=order)
        return self.annotate(place=place).best_first()

    def headlines(self):
        """The figure each headline shows (DOMAIN rule 4), per measure and country, in one query."""
        return self.current().ranked().filter(place=1)


def claims_disagree(figures):
    """Whether reports of one number disagree (DOMAIN rule 4): their current figures say different things."""
    return len({(f.value, f.qualifier, f.upper_value) for f in figures if f.rank != Rank.DEPRECATED}) > 1


class Qualifier(models.TextChoices):
    EXACT = "exact", "exactly"
    APPROXIMATELY = "approximately", "about"
    MORE_THAN = "more_than", "more than"
    AT_LEAST = "at_least", "at least"
    FEWER_THAN = "fewer_than", "fewer than"
    AT_MOST = "at_most", "at most"
    RANGE = "range", "between (a range)"


class Rank(models.TextChoices):
    PREFERRED = "preferred", "Preferred"
    NORMAL = "normal", "Normal"
    DEPRECATED = "deprecated", "Deprecated"


class Figure(PublicText, PreciseDates, Publishable):
    """One claim of one source about one measure."""

    precise_dates = (("as_of_on", "as_of_on_precision"), ("period_start_on", "period_start_on_precision"))

    Qualifier = Qualifier
    Rank = Rank

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="figures")
    value = models.PositiveIntegerField(help_text="The number as the source gives it; the lower end of a range.")
    qualifier = models.CharField(max_length=15, choices=Qualifier, default=Qualifier.EXACT)
    upper_value = models.PositiveIntegerField(null=True, blank=True, help_text="Only for a range: its upper end.")
    as_of_on = models.DateField(
        "as of", help_text="The date the number describes (not the date of the article, if different)."
    )
    as_of_on_precision = precision_field("as-of date")
    period_start_on = models.DateField(
        "counted since", null=True, blank=True, help_text="For counts over a period: “since July 2024”."
    )
    period_start_on_precision = precision_field("start of the period")
    country = CountryField()
    event = models.ForeignKey(
        Event,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="figures",
        help_text="For counts of one event, such as the number released in a release.",
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="figures")
    attributed_to = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attributed_figures",
        help_text="Who the source says made the count, when it is not the source itself: "
        "a news report quoting Viasna is attributed to Viasna.",
    )
    quote = models.TextField(blank=True, help_text="The sentence of the source that gives the number, verbatim.")
    rank = models.CharField(max_length=10, choices=Rank, default=Rank.NORMAL)
    deprecation_reason = models.TextField(blank=True, help_text="Why this figure is wrong or superseded.")
    public_text = ("quote", "deprecation_reason")
    internal_notes = models.TextField(blank=True, help_text="Never shown in public.")
    external_id = models.CharField(
        "external ID",
        max_length=100,
        blank=True,
        help_text="The record's key in another system or spreadsheet; imports match rows by it.",
    )

    history = history()
    objects = FigureQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of_on", "-pk"]
        permissions = [("publish_figure", "Can publish, retract, deprecate and restore figures")]
        indexes = [
            # Home headline and figures page: a measure's figures in one country over time.
            models.Index(fields=["measure", "country", "as_of_on"], name="events_figure_measure_country"),
        ]
        constraints = [
            one_of("status", Status, "events_figure_status_valid", "status"),
            one_of("qualifier", Qualifier, "events_figure_qualifier_valid", "qualifier"),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="events_figure_unique_external_id",
                violation_error_message="Another figure already has this external ID.",
            ),
            one_of("rank", Rank, "events_figure_rank_valid", "rank"),
            one_of("as_of_on_precision", Precision, "events_figure_as_of_precision_valid", "precision"),
            one_of("period_start_on_precision", Precision, "events_figure_period_precision_valid", "precision"),
            models.CheckConstraint(
                condition=~Q(qualifier="range") | Q(upper_value__isnull=False),
                name="events_figure_range_has_upper",
                violation_error_message="A range needs an upper value.",
            ),
            models.CheckConstraint(
                condition=Q(qualifier="range") | Q(upper_value__isnull=True),
                name="events_figure_upper_only_for_range",
                violation_error_message="Only a range has an upper value: clear it or choose “between (a range)”.",
            ),
            models.CheckConstraint(
                condition=Q(upper_value__isnull=True) | Q(upper_value__gte=models.F("value")),
                name="events_figure_range_ordered",
                violation_error_message="The upper value of a range cannot be below its lower value.",
            ),
            models.CheckConstraint(
                condition=~Q(rank="deprecated") | ~Q(deprecation_reason=""),
                name="events_figure_deprecated_has_reason",
                violation_error_message="Say why the figure is deprecated.",
            ),
            models.CheckConstraint(
                condition=Q(period_start_on__isnull=True) | Q(period_start_on__lte=models.F("as_of_on")),
                name="events_figure_period_before_as_of",
                violation_error_message="A period cannot start after the date the figure describes.",
            ),
        ]

    def __str__(self):
        try:
            words = self.in_words
        except ValueError:
            # An unsaved figure can break a rule the database will refuse;
            # the admin still needs a title for the form that says so.
            words = str(self.value)
        since = f" since {self.period_start}" if self.period_start else ""
        return f"{words} {self.measure.name if self.measure_id else ''}{since} (as of {self.as_of})"

    @property
    def in_words(self):
        return figure_in_words(self.value, self.qualifier, self.upper_value)

    @property
    def is_headline(self):
        """The best current report of its measure in its country: the first by ranked(), unless deprecated."""
        return self.place == 1 and self.rank != Rank.DEPRECATED

    @property
    def as_of(self):
        return PreciseDate.of(self.as_of_on, self.as_of_on_precision)

    @property
    def period_start(self):
        return PreciseDate.of(self.period_start_on, self.period_start_on_precision)

    def publishing_problems(self):
        problems = []
        if self.source_id is None:
            problems.append("The figure has no source.")
        elif self.source.status != Status.PUBLISHED:
            problems.append(f"Its source “{self.source}” is not published yet.")
        if self.measure_id is None:
            problems.append("The figure says nothing about what it counts: choose a measure.")
        if self.as_of_on is None:
            problems.append("The figure has no as-of date.")
        if self.event_id and self.event.status != Status.PUBLISHED:
            problems.append(f"Its event “{self.event.title}” is not published yet.")
        try:
            self.clean()
        except ValidationError as error:
            problems += error.messages
        problems += self.protected_name_errors().values()
        return [f"{self}: {problem}" for problem in problems] if problems else []

    def clean(self):
        super().clean()
        errors = {}
        if self.measure_id:
            if self.measure.kind == Measure.Kind.FLOW and self.period_start_on is None:
                errors["period_start_on"] = "This measure counts over a period: say since when."
            if self.measure.kind != Measure.Kind.PER_EVENT and getattr(self, "event", None) is not None:
                errors["measure"] = (
                    f"“{self.measure.name}” counts {'at a date' if self.measure.kind == Measure.Kind.STOCK else 'over a period'}, "
                    "not one event: for a count of this event choose a per-event measure such as “people released”."
                )
            if self.measure.kind == Measure.Kind.PER_EVENT and getattr(self, "event", None) is None:
                errors["event"] = "This measure counts one event: choose the event."
        if errors:
            raise ValidationError(errors)
