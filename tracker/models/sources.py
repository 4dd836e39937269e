"""Organisations and sources: who reports, and what they published."""

from django.apps import apps
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django_countries.fields import CountryField

from tracker.history import history
from tracker.models.conditions import named_person, one_of, published_detention
from tracker.names import PublicText
from tracker.publishing import Publishable, PublishableQuerySet, Status


class OrganizationKind(models.TextChoices):
    GOVERNMENT = "government", "Government"
    MINISTRY = "ministry", "Ministry or agency"
    NGO = "ngo", "Non-governmental organisation"
    COMPANY = "company", "Company"
    MEDIA = "media", "Media outlet"
    INTERNATIONAL = "international", "International body"
    COURT = "court", "Court"
    OTHER = "other", "Other"


class Organization(PublicText, Publishable):
    Kind = OrganizationKind

    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=15, choices=Kind, default=Kind.OTHER)
    country = CountryField(blank=True, help_text="Leave empty for international bodies.")
    name_variants = models.TextField(
        blank=True,
        help_text="Other names and spellings, one a line (“Вясна”, “Human Rights Centre Viasna”).",
    )
    website = models.URLField(blank=True)
    internal_notes = models.TextField(blank=True, help_text="Never shown in public.")

    not_public_fields = ("internal_notes",)  # tracker/public_changes.py
    public_text = ("name", "name_variants")  # shown as participants, publishers, “attributed to” (tracker/names.py)
    history = history()

    class Meta:
        ordering = ["name"]
        permissions = [("publish_organization", "Can publish, retract and restore organisations")]
        constraints = [
            one_of("status", Status, "tracker_organization_status_valid", "status"),
            one_of("kind", OrganizationKind, "tracker_organization_kind_valid", "kind of organisation"),
        ]

    def __str__(self):
        return self.name

    @property
    def public_name(self):
        """The name public pages, downloads, the API and feeds show: a draft organisation has none."""
        return self.name if self.is_published else ""

    def publishing_problems(self):
        return self.protected_name_problems()


class SourceKind(models.TextChoices):
    NEWS_REPORT = "news_report", "News report"
    NGO_REPORT = "ngo_report", "NGO report"
    OFFICIAL_STATEMENT = "official_statement", "Official statement"
    COURT_RECORD = "court_record", "Court record"
    SOCIAL_MEDIA = "social_media_post", "Social media post"
    OTHER = "other", "Other"


def listed_source(path=""):
    """The condition "the public may see this source", on a source or through `path` ("source__").

    A source names the people it reports on. One whose documented
    detentions are all of people not named in full (withheld, initials)
    would, shown with its link, point at the person the registry hides: it
    stays published for the editors and unlisted for the public, and is
    listed again once it documents a public detention of someone named in
    full. Only public detentions count (published, of a published person):
    a draft changes nothing the public sees. Following the person's level
    rather than refusing to publish means a withdrawn consent unlists it
    everywhere at once.

    The one rule for every place a source is shown: /sources/, its
    download, the API, the data package (SourceQuerySet.published()), and an
    event's citations and a figure's source (Citation and Figure
    published(), events/models/), so an event citing an unlisted source
    shows no citation of it, and a figure whose source is unlisted is not
    shown.
    """
    # DetentionSource is defined with the detentions, which import this module: named, not imported.
    DetentionSource = apps.get_model("tracker", "DetentionSource")
    documented = DetentionSource.objects.filter(published_detention("detention__"), source=OuterRef(f"{path}pk"))
    named = documented.filter(named_person("detention__person__"))
    return Q(**{f"{path}status": Status.PUBLISHED}) & (~Exists(documented) | Exists(named))


class SourceQuerySet(PublishableQuerySet):
    def published(self):
        """The published sources the public may see: never one that documents protected people only (listed_source)."""
        return self.filter(listed_source())


class Source(PublicText, Publishable):
    Kind = SourceKind

    title = models.CharField(max_length=500)
    publisher = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sources",
    )
    url = models.URLField("URL", max_length=1000, blank=True)
    language = models.CharField(max_length=20, blank=True, help_text="Language code of the document: en, be, ru, pl…")
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.NEWS_REPORT)
    published_on = models.DateField(null=True, blank=True)
    retrieved_on = models.DateField(null=True, blank=True)
    archive_url = models.URLField(
        "archive URL", max_length=1000, blank=True, help_text="A saved copy, in case the original disappears."
    )
    archive_sha256 = models.CharField(
        "SHA-256 of the archived copy",
        max_length=64,
        blank=True,
        validators=[RegexValidator(r"^[0-9a-f]{64}$", "Enter 64 lower-case hexadecimal characters.")],
    )
    internal_notes = models.TextField(blank=True, help_text="Never shown in public.")

    not_public_fields = ("internal_notes",)  # tracker/public_changes.py
    history = history()

    class Meta:
        ordering = ["-published_on", "title"]
        permissions = [("publish_source", "Can publish, retract and restore sources")]
        indexes = [
            # Sources page: published sources, newest first.
            models.Index(fields=["status", "-published_on"], name="tracker_source_list"),
        ]
        constraints = [
            one_of("status", Status, "tracker_source_status_valid", "status"),
            one_of("kind", SourceKind, "tracker_source_kind_valid", "kind of source"),
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="tracker_source_unique_url",
                violation_error_message="Another source already has this URL.",
            ),
            models.CheckConstraint(
                condition=Q(archive_sha256="") | Q(Exact(Length("archive_sha256"), 64)),
                name="tracker_source_sha256_length",
                violation_error_message="A SHA-256 has exactly 64 hexadecimal characters.",
            ),
            models.CheckConstraint(
                condition=Q(retrieved_on__isnull=True)
                | Q(published_on__isnull=True)
                | Q(retrieved_on__gte=models.F("published_on")),
                name="tracker_source_retrieved_after_published",
                violation_error_message="A source cannot be retrieved before it was published.",
            ),
        ]

    public_text = ("title",)
    objects = SourceQuerySet.as_manager()

    def __str__(self):
        return self.title

    def publishing_problems(self):
        return self.protected_name_problems()
