"""Detentions, the sources that document them, and the articles they were charged under."""

from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField

from tracker.dates import PreciseDate, PreciseDates, Precision, precision_field
from tracker.history import history
from tracker.models.conditions import listed_person, named_person, one_of, published_detention
from tracker.models.people import Person
from tracker.models.sources import Organization, Source
from tracker.names import PublicText
from tracker.publishing import Publishable, Record, RecordQuerySet, Status


def held_on(day):
    """The condition "held on `day`", for filters and conditional counts alike."""
    return Q(detained_on__lte=day) & (
        Q(released_on__isnull=True, custody_status=CustodyStatus.HELD) | Q(released_on__gt=day)
    )


class DetentionQuerySet(RecordQuerySet):
    def published(self):
        return self.filter(published_detention())

    def held_on(self, day):
        """Detentions that had begun and not yet ended on `day`."""
        return self.filter(held_on(day))

    def listed(self):
        """Published detentions of the people the registry lists (full or initials)."""
        return self.published().filter(listed_person("person__"))

    def named(self):
        """Published detentions of people named in full."""
        return self.published().filter(named_person("person__"))


class CustodyStatus(models.TextChoices):
    HELD = "held", "Held"
    RELEASED = "released", "Released"
    SERVED_SENTENCE = "served_sentence", "Served the sentence"
    PARDONED = "pardoned", "Pardoned"
    DEPORTED = "deported", "Deported"
    DIED_IN_CUSTODY = "died_in_custody", "Died in custody"
    UNKNOWN = "unknown", "Unknown"


# The custody statuses of a detention that ended with the person free: a release date belongs with each.
FREED = frozenset(
    {CustodyStatus.RELEASED, CustodyStatus.SERVED_SENTENCE, CustodyStatus.PARDONED, CustodyStatus.DEPORTED}
)


class ReleaseMode(models.TextChoices):
    PARDON = "pardon", "Pardon"
    END_OF_SENTENCE = "end_of_sentence", "End of sentence"
    EXCHANGE_OR_DEPORTATION = "exchange_or_deportation", "Exchange or forced deportation"
    ACQUITTAL = "acquittal", "Acquittal"
    OTHER = "other", "Other"


class Detention(PublicText, PreciseDates, Publishable):
    """One episode of political imprisonment of one person."""

    precise_dates = (("detained_on", "detained_on_precision"), ("released_on", "released_on_precision"))

    CustodyStatus = CustodyStatus
    ReleaseMode = ReleaseMode

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="detentions")
    country = CountryField(help_text="Country holding the person.")
    detained_on = models.DateField(null=True, blank=True)
    detained_on_precision = precision_field("detention date")
    sentence = models.CharField(
        max_length=300, blank=True, help_text="As pronounced: “3 years, general-regime colony”."
    )
    sentence_months = models.PositiveIntegerField(
        null=True, blank=True, help_text="The sentence in months, for sorting."
    )
    facility = models.CharField(max_length=300, blank=True, help_text="Where the person is or was held.")
    custody_status = models.CharField(
        max_length=20, choices=CustodyStatus, default=CustodyStatus.HELD, help_text="Where things stand now."
    )
    recognised_on = models.DateField("recognised as a political prisoner on", null=True, blank=True)
    recognised_by = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recognised_detentions",
        help_text="The organisation that recognised the person as a political prisoner (Viasna, Memorial…).",
    )
    released_on = models.DateField(null=True, blank=True)
    released_on_precision = precision_field("release date")
    release_mode = models.CharField(max_length=25, choices=ReleaseMode, blank=True)
    external_id = models.CharField(
        "external ID",
        max_length=100,
        blank=True,
        help_text="The record's key in another system or spreadsheet; imports match rows by it.",
    )
    sources = models.ManyToManyField(Source, through="DetentionSource", blank=True, related_name="detentions")
    internal_notes = models.TextField(blank=True, help_text="Never shown in public.")

    not_public_fields = ("internal_notes", "external_id")  # tracker/public_changes.py
    # Shown for people named in full (events/disclosure.py): they never name a protected person (tracker/names.py).
    public_text = ("sentence", "facility")
    text_person = "person_id"  # tracker/names.py: their own text may name them
    history = history()
    objects = DetentionQuerySet.as_manager()

    def text_is_public(self):
        return self.is_published and self.person.is_named

    @classmethod
    def rows_with_public_text(cls, using=None):
        return cls._base_manager.db_manager(using).filter(published_detention(), named_person("person__"))

    class Meta:
        ordering = ["-detained_on"]
        permissions = [("publish_detention", "Can publish, retract and restore detentions")]
        indexes = [
            # Registry-derived counts: detentions held on a date, per country.
            models.Index(fields=["country", "custody_status", "detained_on"], name="tracker_detention_held"),
            # Registry filters "facility" (and its list of facilities, read by skipping along this
            # index), "custody status" with "detained in", and "released in": each holds the
            # detention's person and status (PostgreSQL), so a filter reads the index alone.
            models.Index(fields=["facility"], include=["person", "status"], name="tracker_detention_facility"),
            models.Index(
                fields=["custody_status", "detained_on"], include=["person", "status"], name="tracker_detention_custody"
            ),
            models.Index(fields=["released_on"], include=["person", "status"], name="tracker_detention_released"),
        ]
        constraints = [
            one_of("status", Status, "tracker_detention_status_valid", "status"),
            one_of("custody_status", CustodyStatus, "tracker_detention_custody_status_valid", "custody status"),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="tracker_detention_unique_external_id",
                violation_error_message="Another detention already has this external ID.",
            ),
            one_of("detained_on_precision", Precision, "tracker_detention_detained_precision_valid", "precision"),
            one_of("released_on_precision", Precision, "tracker_detention_released_precision_valid", "precision"),
            models.CheckConstraint(
                condition=Q(release_mode="") | Q(release_mode__in=ReleaseMode.values),
                name="tracker_detention_release_mode_valid",
                violation_error_message="Choose a valid release mode.",
            ),
            models.CheckConstraint(
                condition=Q(released_on__isnull=True)
                | Q(detained_on__isnull=True)
                | Q(released_on__gte=models.F("detained_on")),
                name="tracker_detention_released_after_detained",
                violation_error_message="The release date cannot be earlier than the detention date.",
            ),
            models.CheckConstraint(
                condition=~Q(custody_status=CustodyStatus.HELD) | Q(released_on__isnull=True, release_mode=""),
                name="tracker_detention_held_not_released",
                violation_error_message="A person still held has no release date or release mode: "
                "change the custody status first.",
            ),
        ]

    def __str__(self):
        when = self.detained or "date unknown"
        return f"{self.person}, detained {when}"

    def publishing_problems(self):
        if self.person.status != Status.PUBLISHED:
            return [f"{self}: publish the person first (their name shows as their identity level allows)."]
        if not self.person.is_named:
            return []  # its text is not shown (events/disclosure.py)
        return [*self.protected_name_problems(), *(p for c in self.charges.all() for p in c.protected_name_problems())]

    @property
    def detained(self):
        return PreciseDate.of(self.detained_on, self.detained_on_precision)

    @property
    def released(self):
        return PreciseDate.of(self.released_on, self.released_on_precision)


class DetentionSourceQuerySet(RecordQuerySet):
    def published(self):
        return self.filter(published_detention("detention__"), source__status=Status.PUBLISHED)


class DetentionSource(Record):
    """A source that documents a detention; a row of its own so its history is its own."""

    detention = models.ForeignKey(Detention, on_delete=models.CASCADE, related_name="detention_sources")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="detention_sources")

    history = history()
    objects = DetentionSourceQuerySet.as_manager()

    class Meta:
        ordering = ["detention", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["detention", "source"],
                name="tracker_detentionsource_unique",
                violation_error_message="This source is already listed for this detention.",
            ),
        ]

    def __str__(self):
        return str(self.source)


class ChargeQuerySet(RecordQuerySet):
    def published(self):
        return self.filter(published_detention("detention__"))


class Charge(PublicText, Record):
    """One criminal-code article a detention was charged or sentenced under."""

    detention = models.ForeignKey(Detention, on_delete=models.CASCADE, related_name="charges")
    article = models.CharField(
        max_length=30, help_text="The article and part as the code numbers them: “342”, “361-1 part 2”."
    )
    code = models.CharField(
        max_length=100, blank=True, default="Criminal Code", help_text="Which code the article belongs to."
    )
    description = models.CharField(max_length=300, blank=True)

    # Shown with the detention, for people named in full (events/disclosure.py); taken down with it.
    public_text = ("description",)
    text_owner = "detention"
    text_person = "detention.person_id"
    history = history()
    objects = ChargeQuerySet.as_manager()

    def text_is_public(self):
        detention = getattr(self, "detention", None)  # in the detention's inline it may not be saved yet
        return detention is not None and detention.text_is_public()

    @classmethod
    def rows_with_public_text(cls, using=None):
        return cls._base_manager.db_manager(using).filter(
            published_detention("detention__"), named_person("detention__person__")
        )

    class Meta:
        ordering = ["detention", "article"]
        indexes = [
            # Registry filter "charged under article N".
            models.Index(fields=["article"], include=["detention"], name="tracker_charge_article"),
            # The same with the detention as a key column: SQLite (which has no INCLUDE) reads an
            # article's detentions from the index alone.
            models.Index(fields=["article", "detention"], name="tracker_charge_article_key"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["detention", "code", "article"],
                name="tracker_charge_unique",
                violation_error_message="This detention already lists this article.",
            ),
        ]

    def __str__(self):
        return f"{self.code} art. {self.article}".strip()
