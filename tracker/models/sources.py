"""Organisations and sources: who reports, and what they published."""

from django.apps import apps
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q
from django.db.models.expressions import RawSQL
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
        # As the public pages spell it (the code keeps Django's spelling of its own names).
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
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

    A published source is listed when the public sees what it backs, or it
    backs nothing the public could tie to a person:

    - a public record cites it: a citation of a published event, or a
      published figure (whose event, if any, is published): the record shown
      says why the source is there, and withholding a person it also names
      takes none of those numbers and events down with it;
    - or it documents a public detention (published, of a published person)
      of someone named in full;
    - or it documents no public detention at all.

    What stays unlisted is a source whose only public tie is documenting
    people not named in full (withheld, initials): shown with its link, it
    would point at the person the registry hides. It stays published for
    the editors and follows the person's level, so a withdrawn consent
    unlists it everywhere at once, unless a public record cites it. Only
    public records count: a draft citation, figure or detention lists or
    unlists nothing.

    The one rule for every list of sources: /sources/, its download, the
    API, the data package, the publisher choices (SourceQuerySet.published()).
    Citations and figures need no test of their own beyond their source
    being published: a source they cite publicly is listed by this rule. So
    neither Citation nor Figure published() may ask this condition (it asks
    theirs). A new kind of record pointing at a source must be weighed here:
    tests/test_cited_hidden_sources.py lists the ones that are.

    Asked of what the database keeps per source (tracker_sourcetie, kept by
    triggers in the transaction of every write, migration tracker 0009): two
    scans of a table of a few rows per source, not of every detention-source
    link. listed_source_from_records() asks the same of the records
    themselves: tests/test_source_ties.py holds the two equal after writes on
    every path.
    """
    named = named_levels()
    public = "tie = 'cited'"
    if named:
        public += f" OR (tie = 'documented' AND level IN ({', '.join(['%s'] * len(named))}))"
    backs_public = RawSQL(f"SELECT source_id FROM tracker_sourcetie WHERE {public}", named)
    documents_public = RawSQL("SELECT source_id FROM tracker_sourcetie WHERE tie = 'documented'", ())
    return Q(**{f"{path}status": Status.PUBLISHED}) & (
        Q(**{f"{path}pk__in": backs_public}) | ~Q(**{f"{path}pk__in": documents_public})
    )


def named_levels():
    """The identity levels of the people named in full, as Person.is_named decides (tracker/names.py)."""
    Person = apps.get_model("tracker", "Person")
    return [
        level for level in Person.IdentityLevel.values if Person(identity_level=level, status=Status.PUBLISHED).is_named
    ]


class NamedDetentionsDocumented(Func):
    """How many public detentions of people named in full a source documents (read from tracker_sourcetie).

    Correlated on the source's key, so the database reads the few kept rows of
    the sources it returns, never the detentions themselves.
    """

    output_field = IntegerField()

    def __init__(self, source="pk"):
        super().__init__(F(source) if isinstance(source, str) else source)

    def as_sql(self, compiler, connection, **extra_context):
        source, params = compiler.compile(self.source_expressions[0])
        named = named_levels()
        if not named:
            return "0", ()
        levels = ", ".join(["%s"] * len(named))
        sql = (
            "(SELECT COALESCE(SUM(records), 0) FROM tracker_sourcetie "
            f"WHERE source_id = {source} AND tie = 'documented' AND level IN ({levels}))"
        )
        return sql, (*params, *named)


def listed_source_from_records(path=""):
    """listed_source(), asked of the records themselves: the reference the kept table must equal (slow: every link)."""
    # The models that document or cite a source are defined after this module, some
    # of them in events (which imports tracker): named, not imported.
    DetentionSource = apps.get_model("tracker", "DetentionSource")
    Citation, Figure = apps.get_model("events", "Citation"), apps.get_model("events", "Figure")
    source = OuterRef(f"{path}pk")
    documented = DetentionSource.objects.filter(published_detention("detention__"), source=source)
    named = documented.filter(named_person("detention__person__"))
    cited = Citation.objects.published().filter(source=source)
    figured = Figure.objects.published().filter(source=source)
    return Q(**{f"{path}status": Status.PUBLISHED}) & (
        Exists(cited) | Exists(figured) | Exists(named) | ~Exists(documented)
    )


class SourceQuerySet(PublishableQuerySet):
    def published(self):
        """The published sources the public may see: never one whose only public tie is protected people (listed_source)."""
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
        return [*self.unpublished_parts([("its publisher", self.publisher)]), *self.protected_name_problems()]
