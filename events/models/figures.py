"""Measures (what a figure counts) and figures (one claim of one source), with the queries that rank them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import RowNumber
from django.urls import reverse
from django_countries.fields import CountryField

from events.models.events import Event
from events.wording import figure_in_words, whose_count
from tracker.dates import PreciseDate, PreciseDates, PrecisePeriod, Precision, period_end, precision_field
from tracker.history import history
from tracker.models import Detention, Organization, Source, one_of
from tracker.names import PublicText
from tracker.publishing import Publishable, PublishableQuerySet, Record, RecordQuerySet, Status, not_public


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


class Measure(PublicText, Record):
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
    registry_release_mode = models.CharField(
        "counting only those released by",
        max_length=30,
        choices=Detention.ReleaseMode,
        blank=True,
        help_text="For “Named people released during the period” only: count the people released this way alone "
        "(“people pardoned” counts those whose detention ended in a pardon). Empty counts every release.",
    )

    # Public with its published figures, which are taken down with it (tracker/names.py, tracker/withholding.py).
    public_text = ("name", "definition")
    text_owner = "figures"
    history = history()
    objects = MeasureQuerySet.as_manager()

    def text_is_public(self):
        return self.pk is not None and Measure.objects.published().filter(pk=self.pk).exists()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            one_of("kind", MeasureKind, "events_measure_kind_valid", "kind of measure"),
            models.CheckConstraint(
                condition=Q(registry_release_mode="") | Q(registry_release_mode__in=Detention.ReleaseMode.values),
                name="events_measure_registry_release_mode_valid",
                violation_error_message="Choose a valid way of release.",
            ),
            models.CheckConstraint(
                condition=Q(registry_release_mode="") | Q(registry_count=RegistryCount.RELEASED),
                name="events_measure_release_mode_narrows_released",
                violation_error_message="Only the count of “Named people released during the period” can be narrowed "
                "to how they were released: clear “counting only those released by”, or choose that count.",
            ),
        ]

    # Pickers show what kind of count it is: "people released" (one event)
    # and "prisoners released" (over a period) are easy to confuse.
    KIND_HINTS = {"stock": "at a date", "flow": "over a period", "per_event": "in one event"}

    def __str__(self):
        return f"{self.name} ({self.KIND_HINTS.get(self.kind, self.kind)})"

    def get_absolute_url(self):
        return reverse("events:measure", args=[self.slug])

    # The registry's counts that suit each kind of measure: people held at a date, released or recognised over a
    # period, released in one event.
    COUNTS_OF_KIND = {
        MeasureKind.STOCK: {RegistryCount.HELD},
        MeasureKind.FLOW: {RegistryCount.RELEASED, RegistryCount.RECOGNISED},
        MeasureKind.PER_EVENT: {RegistryCount.RELEASED_IN_EVENT},
    }

    def clean(self):
        super().clean()
        suits = self.COUNTS_OF_KIND.get(self.kind, set())
        if self.registry_count and self.registry_count not in suits:
            raise ValidationError(
                {
                    "registry_count": f"This count does not suit a measure of the kind “{self.get_kind_display()}”: choose "
                    + " or ".join(f"“{RegistryCount(count).label}”" for count in sorted(suits))
                    + ", or none."
                }
            )


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
        # with its source: a claim is never shown without who made it. Its
        # source is then listed (tracker.models.listed_source), whoever else it names.
        return self.filter(status=Status.PUBLISHED, source__status=Status.PUBLISHED).filter(
            Q(event__isnull=True) | Q(event__status=Status.PUBLISHED)
        )

    def current(self):
        return self.exclude(rank=Figure.Rank.DEPRECATED)

    def in_ledger(self, show_deprecated=False):
        """The figures the release ledger's cells show: published counts per event, the current ones unless asked, best first."""
        figures = self.published().filter(measure__kind=Measure.Kind.PER_EVENT)
        return (figures if show_deprecated else figures.current()).best_first()

    def shown_with_events(self):
        """The figures an event's card and page show: published, current, by measure, then the newest first."""
        return self.published().current().order_by("measure__position", "-as_of_on", "pk")

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


def newer_report(headline, reports):
    """The as-of date (a PreciseDate) of the most recent current report of the headline's number dated after the
    headline's as-of period, or None. `reports`: (as_of_on, as_of_on_precision, rank) of the number's reports.

    A headline marked Preferred stands above newer reports (the headline rule, docs/editors.md): its pages then
    say that a newer report is recorded, and never that none is (events/templatetags/ages.py).
    """
    end = period_end(headline.as_of_on, headline.as_of_on_precision)
    newer = [(on, precision) for on, precision, rank in reports if rank != Rank.DEPRECATED and on > end]
    return PreciseDate(*max(newer)) if newer else None


def claims_disagree(figures):
    """Whether reports of one number disagree (DOMAIN rule 4): their current figures say different things."""
    return len({(f.value, f.qualifier, f.upper_value) for f in figures if f.rank != Rank.DEPRECATED}) > 1


class Qualifier(models.TextChoices):
    EXACT = "exact", "exactly"
    APPROXIMATELY = "approximately", "about"
    # A little below, a little above: "almost 1,200", "just under 1,200"; "just over 430". Bounds, and close ones.
    ALMOST = "almost", "almost (just under)"
    JUST_OVER = "just_over", "just over"
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

    precise_dates = (
        ("as_of_on", "as_of_on_precision"),
        ("period_start_on", "period_start_on_precision"),
        ("period_end_on", "period_end_on_precision"),
    )

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
    period_end_on = models.DateField(
        "counted until",
        null=True,
        blank=True,
        help_text="For a count over a period that has ended: “pardoned in 2025” counts from 2025 until 2025. "
        "Leave empty for a count still running (“since July 2024”).",
    )
    period_end_on_precision = precision_field("end of the period")
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
            one_of("period_end_on_precision", Precision, "events_figure_period_end_precision_valid", "precision"),
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
            models.CheckConstraint(
                condition=Q(period_end_on__isnull=True) | Q(period_start_on__isnull=False),
                name="events_figure_period_end_has_start",
                violation_error_message="A period that ends needs its start too: say since when it counts.",
            ),
            models.CheckConstraint(
                condition=Q(period_end_on__isnull=True) | Q(period_end_on__gte=models.F("period_start_on")),
                name="events_figure_period_ordered",
                violation_error_message="A period cannot end before it starts.",
            ),
        ]

    def __str__(self):
        try:
            words = self.in_words
        except ValueError:
            # An unsaved figure can break a rule the database will refuse;
            # the admin still needs a title for the form that says so.
            words = str(self.value)
        period = f" {self.period}" if self.period else ""
        return f"{words} {self.measure.name if self.measure_id else ''}{period} (as of {self.as_of})"

    @property
    def in_words(self):
        return figure_in_words(self.value, self.qualifier, self.upper_value)

    @property
    def stated(self):
        """The figure with what it counts and, for a count over a period, over which: "over 430 prisoners released
        since July 2024", "52 people pardoned in 2025". Wherever a figure is written out in words beside others (a
        CSV cell, a card), this is how, so that no count over a period reads as a count of something else."""
        words = f"{self.in_words} {self.measure.name}"
        return f"{words} {self.period}" if self.period_start_on else words

    @property
    def according_to(self):
        """Whose count this is, as a headline says it: the published organisation it is attributed to, else its
        source's published publisher (events.wording.whose_count); "" when neither may be named."""
        organisation = whose_count(self.attributed_to, self.source.publisher if self.source else None)
        return organisation.public_name if organisation is not None else ""

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

    @property
    def period(self):
        """The period counted over, in words as str() (tracker.dates.period_in_words); None for a count at a date."""
        return PrecisePeriod.of(
            self.period_start_on, self.period_start_on_precision, self.period_end_on, self.period_end_on_precision
        )

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
        if self.attributed_to_id and self.attributed_to.status != Status.PUBLISHED:
            problems.append(
                f"It is attributed to “{self.attributed_to}”, which is {not_public(self.attributed_to)}: "
                "publish it first, or take it out."
            )
        try:
            self.clean()
        except ValidationError as error:
            problems += error.messages
        problems += self.protected_name_errors().values()
        if self.measure_id is not None:
            problems += self.measure.protected_name_errors().values()
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
        # Each to the last day its precision allows: a period ending in December 2025 fits "as of 2025".
        if (
            self.period_end_on
            and self.as_of_on
            and period_end(self.period_end_on, self.period_end_on_precision)
            > period_end(self.as_of_on, self.as_of_on_precision)
        ):
            errors["period_end_on"] = (
                f"The period cannot end after the date the figure describes ({self.as_of}): "
                "for a count over a period that has ended, the as-of date is the period's end or later."
            )
        if errors:
            raise ValidationError(errors)
