"""People and the spellings of their names, with the search keys derived from them."""

import contextlib
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models, router, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from tracker import protection, withholding
from tracker.addresses import uid_address
from tracker.history import history
from tracker.models.conditions import listed_person, named_person, one_of
from tracker.names import LISTED_LEVELS, NAMED_LEVELS, IdentityLevel, PublicText, listed_names, public_name
from tracker.publishing import Publishable, PublishableQuerySet, Record, RecordQuerySet, Status
from tracker.search import query_keys, search_key

# A search key word the FTS5 trigram index can answer: no LIKE wildcard or escape in it,
# and at least two characters, so that " key" holds a whole trigram. A shorter phrase
# is one the index cannot answer (FTS5 finds nobody for it), and SQLite 3.40 (Debian 12's)
# died with a segmentation fault when such a LIKE pattern came before another in the same
# query (tests/test_search.py).
_INDEXED_KEY = re.compile(r"[^%_\\]{2,}")


def _indexed_phrases(parts, joined=" "):
    """The FTS5 query asking for each of `parts` as a substring: one quoted phrase each, all of them (implicit
    AND) or any (joined=" OR ").

    With the trigram tokenizer a quoted phrase is its consecutive trigrams, so
    it matches exactly the rows whose text holds it, as LIKE '%part%' does
    (both fold ASCII case; keys are lower case letters). Unlike that LIKE it is
    answered from the index alone: FTS5 checks a LIKE against the text it holds
    no copy of (content='tracker_person') by reading each candidate person's row.
    """
    return joined.join('"{}"'.format(part.replace('"', '""')) for part in parts)


def _indexed(part):
    """Whether the FTS5 trigram index answers `part` (" key"): three characters or more, none LIKE treats apart."""
    return _INDEXED_KEY.fullmatch(part[1:]) is not None


# The words of a name search that count; more than a name has, and the rest are ignored.
MAX_SEARCH_WORDS = 12


class PersonQuerySet(PublishableQuerySet):
    def update(self, **kwargs):
        if "identity_level" in kwargs:
            return protection.update_in_bulk(self, kwargs["identity_level"], lambda: self._update_names(**kwargs))
        return self._update_names(**kwargs)

    def _update_names(self, **kwargs):
        """UPDATE, then the search keys and listed names of the people whose name or level it wrote."""
        if "name" not in kwargs and "identity_level" not in kwargs:
            return super().update(**kwargs)
        pks = list(self.values_list("pk", flat=True))
        count = super().update(**kwargs)
        refresh_search_keys(pks, using=self.db)
        return count

    update.alters_data = True

    def listed(self):
        """The people the registry lists: published, named in full or by initials."""
        return self.published().filter(listed_person())

    def named(self):
        """The people named in full: published, identity level full."""
        return self.published().filter(named_person())

    def protected(self):
        """The people no public text may name: everyone not named in full, drafts too (tracker.names.PublicText)."""
        return self.exclude(named_person())

    def matching(self, query, keys=None):
        """People any of whose names match every word of `query`, in any script or spelling.

        One `search_key LIKE '% key%'` per word: PostgreSQL answers it from its
        trigram index; on SQLite the people are first narrowed by the same
        test on an FTS5 trigram index of the keys (migration tracker 0006),
        for the words that index can answer, asked as a phrase query
        (_indexed_phrases): the index alone answers it, where its LIKE read
        every candidate's row (a common surname's 3,000 at 200,000 people);
        the plain test then holds every word. `keys`: the words' keys
        (tracker.search.query_keys) instead of `query`'s.
        """
        # Each word once, and a name's worth of them: each adds two LIKEs, and some 500
        # overflowed SQLite's expression depth (a 500 from the admin's search box).
        keys = list(dict.fromkeys(query_keys(query) if keys is None else keys))[:MAX_SEARCH_WORDS]
        if not keys:
            return self.none()
        indexed = [f" {key}" for key in keys if _indexed(f" {key}")]
        if connections[self.db].vendor == "sqlite" and indexed:
            self = self._indexed(_indexed_phrases(indexed))
        for key in keys:
            self = self.filter(search_key__contains=f" {key}")
        return self

    def narrowed_to_any(self, parts):
        """The people whose search key may hold one of `parts` (" key" or " stem"), for conditions that ask it.

        On SQLite, those the FTS5 trigram index finds holding one: a narrowing
        the caller's own conditions then decide (the publishing checks of
        tracker/names.py asked a dozen LIKEs of every person: 0.3-0.5 s each at
        200,000 people). A part the index cannot answer leaves the queryset as
        it is; so does PostgreSQL, whose trigram index answers the LIKEs.
        """
        if connections[self.db].vendor != "sqlite" or not parts or not all(_indexed(part) for part in parts):
            return self
        return self._indexed(_indexed_phrases(sorted(set(parts)), joined=" OR "))

    def _indexed(self, query):
        found = RawSQL("SELECT rowid FROM tracker_person_search WHERE tracker_person_search MATCH %s", [query])
        return self.filter(pk__in=found)


class Person(PublicText, Publishable):
    IdentityLevel = IdentityLevel

    class Gender(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        UNKNOWN = "", "Not recorded"

    name = models.CharField(
        max_length=300,
        help_text="The name as the public pages would show it when the identity level allows.",
    )
    identity_level = models.CharField(
        max_length=8,
        choices=IdentityLevel,
        # The safe default: nobody is named until an editor decides they can be.
        default=IdentityLevel.WITHHELD,
        help_text="What the person or their family agreed to: the public sees the full name, "
        "the initials, or “Name withheld” with no identifying detail.",
    )
    birth_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    gender = models.CharField(max_length=6, choices=Gender, blank=True)
    region = models.CharField(max_length=200, blank=True, help_text="Home region or city.")
    occupation = models.CharField(max_length=200, blank=True)
    description = models.TextField(
        blank=True,
        help_text="Public role, for actors: “US Special Envoy”, “exiled opposition leader”.",
    )
    internal_notes = models.TextField(blank=True, help_text="Never shown in public.")
    external_id = models.CharField(
        "external ID",
        max_length=100,
        blank=True,
        help_text="The record's key in another system or spreadsheet; imports match rows by it.",
    )
    search_key = models.TextField(
        blank=True, editable=False, help_text="Every name variant, folded for search (see tracker/search.py)."
    )
    shown_name = models.CharField(
        max_length=300,
        blank=True,
        editable=False,
        help_text="The name the registry lists the person under once published: full, or initials (see tracker/names.py).",
    )
    sort_name = models.CharField(
        max_length=300,
        blank=True,
        editable=False,
        help_text="That name case-folded: the registry's order.",
    )

    objects = PersonQuerySet.as_manager()
    not_public_fields = ("internal_notes", "external_id")  # tracker/public_changes.py
    # All the public sees of a person not named in full (tracker/public_changes.py): their level and
    # status decide where they are listed and counted; shown_name and sort_name are the initials
    # (tracker.names.listed_names), all events/disclosure.py shows of them besides their uid.
    shown_when_not_named = ("uid", "identity_level", "status", "shown_name", "sort_name")
    history = history(exclude=["search_key", "shown_name", "sort_name"])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        permissions = [
            ("publish_person", "Can publish, retract and restore people"),
            ("manage_identity", "Can see and change identity levels and internal notes of people"),
        ]
        indexes = [
            # Prisoner registry: published people in alphabetical order.
            models.Index(fields=["status", "name"], name="tracker_person_registry"),
            # Prisoner registry: listed people in the order the public sees, then by the random uid.
            models.Index(fields=["sort_name", "uid"], name="tracker_person_sort"),
            # Registry filter "home region", and its list of regions (read by skipping along this index);
            # on PostgreSQL it holds what the filter also asks, so the people table is not read.
            models.Index(fields=["region"], include=["identity_level", "status"], name="tracker_person_region"),
            # Registry filter "home region": the people it may match (published, named in full) of a
            # region, from the index alone on SQLite too (a partial index holds the row's key).
            models.Index(
                fields=["region"],
                include=["id"],
                condition=named_person() & Q(status=Status.PUBLISHED),
                name="tracker_person_named_region",
            ),
            # The people the registry lists (published, named in full or by initials) in its order,
            # with what the lists read (PostgreSQL): a filtered list finds and sorts its people
            # here without reading the table.
            models.Index(
                fields=["sort_name", "uid"],
                include=["id", "identity_level"],
                condition=listed_person() & Q(status=Status.PUBLISHED),
                name="tracker_person_listed",
            ),
        ]
        constraints = [
            one_of("status", Status, "tracker_person_status_valid", "status"),
            one_of("identity_level", IdentityLevel, "tracker_person_identity_level_valid", "identity level"),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="tracker_person_unique_external_id",
                violation_error_message="Another person already has this external ID.",
            ),
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True) | Q(birth_year__gte=1900, birth_year__lte=2100),
                name="tracker_person_birth_year_plausible",
                violation_error_message="A birth year must be between 1900 and 2100.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def public_name(self):
        return public_name(self)

    @property
    def is_listed(self):
        """Published and named in full or by initials: the registry has a row and a page for them."""
        return self.is_published and self.identity_level in LISTED_LEVELS

    @property
    def is_named(self):
        """Published and named in full."""
        return self.is_published and self.identity_level in NAMED_LEVELS

    def get_absolute_url(self):
        # The public registry is served by the events app; named, not imported.
        return uid_address("events:person", self.uid)

    def all_names(self):
        names = [self.name]
        if self.pk:
            names += self.name_variants.values_list("name", flat=True)
        return names

    # Public only for people named in full (events/disclosure.py).
    public_text = ("description",)
    text_person = "pk"  # their own text may name them

    def text_is_public(self):
        return self.is_named

    @classmethod
    def rows_with_public_text(cls, using=None):
        return cls._base_manager.db_manager(using).filter(named_person(), status=Status.PUBLISHED)

    def clean(self):
        super().clean()
        protection.refuse_lowering(self)
        protection.refuse_exposing(self)

    def show_more(self, level, *, by, reason):
        """The one way to show more of a person than before (tracker/protection.py)."""
        protection.show_more(self, level, by=by, reason=reason)

    def save(self, *args, **kwargs):
        known = "_stored_identity_level" in self.__dict__  # an import read it with its whole sheet
        stored, stored_name = self._stored_level()
        update_fields = kwargs.get("update_fields")
        renamed = (
            stored_name is not None and self.name != stored_name and (update_fields is None or "name" in update_fields)
        )
        with contextlib.nullcontext() if known or not stored else protection.stored_level_known(self, stored):
            protection.refuse_lowering(self)
        protection.refuse_exposing(self)
        self.search_key = person_search_key(*self._names())
        self.shown_name, self.sort_name = listed_names(self.name, self.identity_level)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_key", "shown_name", "sort_name"}
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            super().save(*args, **kwargs)
            # Withdrawn consent reaches text already public, in the same transaction (tracker/withholding.py).
            # So does a new name of a protected person: text published earlier may use it.
            if withholding.raised(stored, self.identity_level) or withholding.renamed_while_protected(
                stored, self.identity_level, renamed
            ):
                self.taken_down = withholding.take_down_text_naming(self, using)
        protection.allowed_once(self)

    def _stored_level(self):
        """(identity level, name) as stored, read once for every check of a save ((None, None) for a new person).

        The name is None too when an import read the level with its whole sheet (it checks renames itself).
        """
        known = self.__dict__.get("_stored_identity_level")
        if known is not None or self.pk is None:
            return known, None
        stored = type(self)._base_manager.filter(pk=self.pk).values_list("identity_level", "name").first()
        return stored or (None, None)

    def _names(self):
        names = self.all_names()
        return names[0], names[1:]

    def refresh_search_key(self):
        # Derived columns: written without a history row or a version bump.
        Person._base_manager.filter(pk=self.pk).update(
            search_key=person_search_key(*self._names()),
            **dict(zip(("shown_name", "sort_name"), listed_names(self.name, self.identity_level))),
        )


def person_search_key(name, variant_names):
    """Person.search_key: the name, then the variants in a fixed order (not the database's collation).

    So a key computed in Python from the names being written (a bulk import)
    is exactly the one save() stores.
    """
    return search_key([name, *sorted(set(variant_names))])


SEARCH_KEY_BATCH = 500


def refresh_search_keys(person_pks, using=None):
    """Recompute the search keys (and sort names) of these people after their names changed in bulk.

    Per batch of people: one query for their names, one for their variants and
    one bulk UPDATE of the keys that differ (none if they were right already),
    through the base manager: a derived column, written without a history row
    or a version bump, as refresh_search_key() writes it.
    """
    pks = sorted({pk for pk in person_pks if pk is not None})
    people_manager = Person._base_manager.db_manager(using)
    variant_manager = NameVariant._base_manager.db_manager(using)
    for start in range(0, len(pks), SEARCH_KEY_BATCH):
        batch = pks[start : start + SEARCH_KEY_BATCH]
        variants = {}
        for person_id, name in variant_manager.filter(person_id__in=batch).values_list("person_id", "name"):
            variants.setdefault(person_id, []).append(name)
        stale = []
        fields = ["search_key", "shown_name", "sort_name"]
        for person in people_manager.filter(pk__in=batch).only("pk", "name", "identity_level", *fields):
            derived = (
                person_search_key(person.name, variants.get(person.pk, ())),
                *listed_names(person.name, person.identity_level),
            )
            if derived != (person.search_key, person.shown_name, person.sort_name):
                person.search_key, person.shown_name, person.sort_name = derived
                stale.append(person)
        if stale:
            people_manager.bulk_update(stale, fields, batch_size=SEARCH_KEY_BATCH)


def counted_people(using="default"):
    """{custody status, or "" for any: (listed, withheld)}: the published people with a published detention in it.

    A person with detentions in two statuses counts once in each, and once in
    "". Read from the totals the database keeps per identity level in the
    same transaction as every write (triggers, migration tracker 0008): one
    query of a few rows, however large the registry. Which levels are listed
    is decided here, not in the triggers; any level this code does not know
    counts as withheld.
    """
    totals = {}
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT custody_status, identity_level, people FROM tracker_registrytotal WHERE people <> 0")
        for status, level, people in cursor.fetchall():
            listed, withheld = totals.get(status, (0, 0))
            totals[status] = (listed + people, withheld) if level in LISTED_LEVELS else (listed, withheld + people)
    return totals


# The orders of the people with a detention in a custody status, as the database keeps them
# (events/migrations/0005_registry_date_orders.py): each along its own index.
KEPT_ORDERS = {
    "newest": "newest DESC, sort_name, uid",
    "oldest": "oldest, sort_name, uid",
    "name": "sort_name, uid",
}


def kept_order(custody_status, order, limit, using="default"):
    """The keys of the first `limit` listed people with a published detention in `custody_status` ("" for any), in `order`.

    What events.registry.in_public_order() gives for the published detentions
    of that custody status (tests/test_registry_date_orders.py holds them
    equal), read from the rows the database keeps per person and custody
    status in the transaction of every write: the first rows of an index,
    however large the registry. `order` is a key of KEPT_ORDERS.
    """
    sql = (
        "SELECT person_id FROM tracker_personcustody WHERE custody_status = %s AND listed "
        f"ORDER BY {KEPT_ORDERS[order]} LIMIT %s"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [custody_status, limit])
        return [person for (person,) in cursor.fetchall()]


# The registry filters whose lists the database keeps in order (tracker/migrations/0012_registry_facets.py),
# and the facet each value is kept under.
FACETS = {"detained_year": "y", "article": "a", "facility": "f", "region": "r"}


def kept_facet_order(facet, value, custody_status, order, limit, using="default", region=None):
    """kept_order() for the listed people matching one filter value: a detention in year `value`, charged
    under article `value` or held in facility `value`, or a home region `value` (the facet of FACETS), in
    `custody_status` ("" for any); with `region`, only the people named in full whose home region it is
    (tracker/migrations/0013_facet_regions.py).

    What events.registry.in_public_order() gives for the published detentions
    that filter value and custody status choose (tests/test_registry_facets.py
    holds them equal): each person by their latest (earliest) *matching*
    detention, as the public sees it; a facility and a region only for people
    named in full, as PrisonerFilter asks. The first rows of an index.
    """
    sql = "SELECT person_id FROM tracker_personfacet WHERE facet = %s AND value = %s AND custody_status = %s"
    params = [FACETS[facet], str(value), custody_status]
    if region is not None:
        sql += " AND region = %s"
        params.append(region)
    sql += f" ORDER BY {KEPT_ORDERS[order]} LIMIT %s"
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [person for (person,) in cursor.fetchall()]


class NameVariantQuerySet(RecordQuerySet):
    def published(self):
        return self.filter(person__status=Status.PUBLISHED)

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        # bulk_create sends no post_save: refresh the people's search keys
        # here, a few queries per 500 people rather than two per person.
        refresh_search_keys({variant.person_id for variant in created}, using=self.db)
        return created

    bulk_create.alters_data = True


class NameVariant(Record):
    """One spelling of a person's name, in one script and transliteration system."""

    class Script(models.TextChoices):
        CYRILLIC = "Cyrl", "Cyrillic"
        LATIN = "Latn", "Latin"
        OTHER = "Zyyy", "Other"

    class System(models.TextChoices):
        NATIVE = "native", "As written in the original script"
        PASSPORT = "passport", "Passport spelling"
        LACINKA = "lacinka", "Łacinka (Belarusian Latin)"
        NATIONAL = "national", "National romanisation"
        BGN_PCGN = "bgn_pcgn", "BGN/PCGN"
        ISO9 = "iso9", "ISO 9"
        MEDIA = "media", "Common media spelling"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_variants")
    name = models.CharField(max_length=300)
    script = models.CharField(max_length=4, choices=Script, default=Script.LATIN)
    system = models.CharField("transliteration system", max_length=10, choices=System, default=System.NATIVE)
    language = models.CharField(max_length=20, blank=True, help_text="be, ru, en, pl…")

    history = history()
    objects = NameVariantQuerySet.as_manager()

    @classmethod
    def detect_script(cls, name):
        """Cyrillic or Latin when every letter of `name` is of that script; "" when mixed or another (the editor says)."""
        scripts = set()
        for char in name:
            if char.isalpha():
                letter = unicodedata.name(char, "")
                scripts.add(
                    cls.Script.CYRILLIC
                    if "CYRILLIC" in letter
                    else cls.Script.LATIN
                    if "LATIN" in letter
                    else cls.Script.OTHER
                )
        return scripts.pop() if len(scripts) == 1 and cls.Script.OTHER not in scripts else ""

    def save(self, *args, **kwargs):
        # The letters tell the script; editors need not remember to switch it.
        detected = self.detect_script(self.name)
        if detected:
            self.script = detected
        # name_variant_changed() takes down the text a protected person's new spelling names: the same transaction.
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            super().save(*args, **kwargs)

    class Meta:
        ordering = ["person", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "name", "system"],
                name="tracker_namevariant_unique",
                violation_error_message="This person already has this spelling in this system.",
            ),
        ]

    def __str__(self):
        return self.name


@receiver(post_save, sender=NameVariant)
@receiver(post_delete, sender=NameVariant)
def name_variant_changed(sender, instance, signal=None, raw=False, using=None, **kwargs):
    person = Person._base_manager.db_manager(using).filter(pk=instance.person_id).first()
    if person is not None:  # None while the person itself is being deleted
        person.refresh_search_key()
        # A new spelling of a protected person: public text published earlier may use it (tracker/withholding.py).
        # A fixture (raw) is checked by person_loading(); the people import takes down in bulk.
        level = person.identity_level
        if signal is post_save and not raw and withholding.renamed_while_protected(level, level, True):
            instance.taken_down = withholding.take_down_text_naming(person, using)


@receiver(pre_save, sender=Person)
def person_loading(sender, instance, raw=False, using=None, **kwargs):
    """A fixture (loaddata) saves raw, skipping Person.save(): it may not lower anyone's protection either.

    Over an existing row, the fixture's level is checked against the stored
    one (tracker/protection.py); a fixture has no Editor's reason, so one that
    shows more of a person is refused, and loaddata installs none of it.
    """
    if not raw or instance.pk is None:
        return
    stored = Person._base_manager.db_manager(using).filter(pk=instance.pk).values_list("identity_level", "name")
    instance._loaded_over = stored.first() or (None, None)
    problem = instance._loaded_over[0] and protection.lowering_problem(instance, stored=instance._loaded_over[0])
    if problem:
        raise ValidationError(problem, code="protection_lowered")


@receiver(post_save, sender=Person)
def person_loaded(sender, instance, raw=False, using=None, **kwargs):
    # Fixtures save raw, skipping Person.save(): compute the key here instead.
    if raw:
        instance.refresh_search_key()
        # And take down the public text naming a person the fixture protects more, as Person.save() does.
        stored, stored_name = instance.__dict__.pop("_loaded_over", (None, None))
        renamed = stored_name is not None and instance.name != stored_name
        level = instance.identity_level
        if withholding.raised(stored, level) or withholding.renamed_while_protected(stored, level, renamed):
            instance.taken_down = withholding.take_down_text_naming(instance, using)
