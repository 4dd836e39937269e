"""The publishing workflow every public record shares, and the one door out.

Public pages, exports and feeds read records through `published()` and
nothing else, so a draft or a retraction can never leak through a forgotten
filter.
"""

import contextvars
import functools
import uuid
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.utils import timezone
from simple_history.utils import get_change_reason_from_object

from tracker import public_changes
from tracker.constraints import constraint_errors


class DataVersion(models.Model):
    """One row: how many writes the data has seen. Cached public reads are keyed by it (tracker/caching.py)."""

    number = models.BigIntegerField(default=0)
    # A cache counter, not data: a backup leaves it out and a restored database keeps its own (tracker/backup.py).
    cache_counter = True
    # Random, made with the database: a cache shared by several databases
    # (a test run, a reseeded demo) never mistakes one's version 7 for another's.
    epoch = models.UUIDField(default=uuid.uuid4, editable=False)

    # (number, epoch) as this request last read them (tracker/caching.py):
    # forgotten at each write and at the start of each request.
    last_read = contextvars.ContextVar("data_version", default=None)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pk=1),
                name="tracker_dataversion_one_row",
                violation_error_message="There is one data version.",
            )
        ]

    def __str__(self):
        return f"data version {self.number}"


class TableVersion(models.Model):
    """How many public writes each table has seen: a cached value read from a table is fresh while its number stays.

    tracker/caching.py notes which tables a cached page or value read (by
    the SQL it ran) and keeps their numbers with it; a write moves only the
    number of the table it wrote, so a published figure leaves the registry's
    cached pages standing and a new detention leaves the timeline's. A
    table with no row has seen no public write (0).
    """

    db_table = models.CharField(max_length=100, primary_key=True)
    number = models.BigIntegerField(default=0)
    cache_counter = True  # as DataVersion's

    def __str__(self):
        return f"{self.db_table} version {self.number}"


def data_changed(using=None, model=None):
    """Record that the public data changed: cached values computed before from it are not used again.

    `model`: the model whose table was written, so that only values read
    from that table go stale; None for a write that may have touched any
    (a restore, a demo seed, a delete that cascades).
    """
    manager = DataVersion.objects.db_manager(using)
    if not manager.filter(pk=1).update(number=models.F("number") + 1):
        # A flushed database (a transactional test) has lost the row the migration made.
        manager.get_or_create(pk=1, defaults={"number": 1})
    tables = [model._meta.db_table] if model is not None else versioned_tables()
    # One statement whether the table has its row yet or not (PostgreSQL and SQLite 3.24+ both upsert).
    connection = connections[using or router.db_for_write(TableVersion)]
    quote = connection.ops.quote_name
    table, name, number = quote(TableVersion._meta.db_table), quote("db_table"), quote("number")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({name}, {number}) VALUES {', '.join(['(%s, 1)'] * len(tables))} "
            f"ON CONFLICT ({name}) DO UPDATE SET {number} = {table}.{number} + 1",
            tables,
        )
    DataVersion.last_read.set(None)


@functools.cache
def versioned_tables():
    """The tables of every record model: the ones data_changed() numbers."""
    from django.apps import apps

    return tuple(sorted({model._meta.db_table for model in apps.get_models() if issubclass(model, Record)}))


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


# How a record not yet public is said in a refusal: "…, which is still a draft: publish it first".
UNPUBLISHED_WORDS = {
    Status.DRAFT: "still a draft",
    Status.IN_REVIEW: "still in review",
    Status.RETRACTED: "retracted",
}


def not_public(record) -> str:
    """'still a draft', 'still in review' or 'retracted': why `record` is not on the public pages."""
    return UNPUBLISHED_WORDS.get(record.status, record.get_status_display().lower())


class Transition(NamedTuple):
    name: str
    label: str
    sources: frozenset
    target: str
    needs_publish_permission: bool


# The workflow: draft → in review → published → retracted, and back.
TRANSITIONS = {
    t.name: t
    for t in [
        Transition("submit", "Submit for review", frozenset({Status.DRAFT}), Status.IN_REVIEW, False),
        Transition("to_draft", "Return to draft", frozenset({Status.IN_REVIEW}), Status.DRAFT, False),
        Transition("publish", "Publish", frozenset({Status.DRAFT, Status.IN_REVIEW}), Status.PUBLISHED, True),
        Transition("retract", "Retract", frozenset({Status.PUBLISHED}), Status.RETRACTED, True),
        Transition("reopen", "Reopen as draft", frozenset({Status.RETRACTED}), Status.DRAFT, True),
    ]
}


class RecordQuerySet(models.QuerySet):
    def get_by_natural_key(self, uid):
        return self.get(uid=uid)

    def update(self, **kwargs):
        """UPDATE, then one history row per updated record: no write goes unrecorded."""
        # A bulk update is a new version too: forms opened before it are stale.
        kwargs.setdefault("version", models.F("version") + 1)
        with transaction.atomic(using=self.db):
            pks = list(self.values_list("pk", flat=True))
            public = public_changes.writes_public_fields(self.model, kwargs)
            was_public = public_changes.public_keys(self.model, pks, self.db, kwargs) if public and pks else set()
            count = super().update(**kwargs)
            if pks:
                updated = self.model._default_manager.using(self.db).filter(pk__in=pks)
                self.model.history.bulk_history_create(list(updated), update=True)
                shown = was_public | public_changes.public_keys(self.model, pks, self.db, kwargs) if public else set()
                if shown:
                    public_changes.stamp(self.model, shown, self.db)
                    data_changed(self.db, self.model)
        return count

    update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            if created and created[0].pk is not None:
                write_history(self.model, created, using=self.db)
                if public_changes.public_keys(self.model, [obj.pk for obj in created], self.db):
                    data_changed(self.db, self.model)
            elif created:
                # Some backends return no keys from a bulk insert: refuse
                # rather than store rows that have no history.
                raise NotImplementedError("bulk_create without returned keys would skip history")
        return created

    bulk_create.alters_data = True

    def delete(self):
        with transaction.atomic(using=self.db):
            was_public = not hasattr(self, "published") or self.published().exists()
            deleted = super().delete()
            if deleted[0] and was_public:
                # Every table: the rows that pointed at these went with them.
                data_changed(self.db)
        return deleted

    delete.alters_data = True


_HISTORY_BOOKKEEPING = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
HISTORY_BATCH = 500


def write_history(model, objs, history_type="+", using=None):
    """One history row per record, as simple-history's bulk_history_create() writes them ("+" or "~").

    When the records share their user and change reason (an import sets both
    on each), the database copies the rows just written into the history
    table, INSERT … SELECT, one statement per 500 records: built in Python,
    the history rows of a 5,000-row import took longer than the records.
    Anything simple-history would write differently (no user set on a record,
    an explicit _history_date, a history table with other columns) takes its
    own path.
    """
    if not objs or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    historical = model.history.model
    columns = _history_columns(model, historical)
    first = objs[0]
    shared = (
        columns is not None
        and hasattr(first, "_history_user")
        and all(not hasattr(obj, "_history_date") for obj in objs)
        and len({getattr(getattr(obj, "_history_user", None), "pk", None) for obj in objs}) == 1
        and all(hasattr(obj, "_history_user") for obj in objs)
        and len({get_change_reason_from_object(obj) for obj in objs}) == 1
    )
    if not shared:
        model.history.bulk_history_create(objs, update=history_type == "~")
        return
    using = using or router.db_for_write(model)
    connection = connections[using]
    qn = connection.ops.quote_name
    meta = historical._meta
    user = first._history_user
    bookkeeping = [
        (meta.get_field("history_date"), timezone.now()),
        (meta.get_field("history_change_reason"), get_change_reason_from_object(first) or ""),
        (meta.get_field("history_type"), history_type),
        (meta.get_field("history_user"), user.pk if user is not None else None),
    ]
    target = [qn(column) for column, _ in columns] + [qn(f.column) for f, _ in bookkeeping]
    source = [qn(column) for _, column in columns] + ["%s"] * len(bookkeeping)
    values = [f.get_db_prep_save(value, connection) for f, value in bookkeeping]
    pk = model._meta.pk
    pks = [pk.get_db_prep_value(obj.pk, connection) for obj in objs]
    with connection.cursor() as cursor:
        for start in range(0, len(pks), HISTORY_BATCH):
            batch = pks[start : start + HISTORY_BATCH]
            cursor.execute(
                f"INSERT INTO {qn(meta.db_table)} ({', '.join(target)}) "
                f"SELECT {', '.join(source)} FROM {qn(model._meta.db_table)} "
                f"WHERE {qn(pk.column)} IN ({', '.join(['%s'] * len(batch))}) ORDER BY {qn(pk.column)}",
                values + batch,
            )


def _history_columns(model, historical):
    """(history column, record column) of each tracked field, or None if the history table holds more."""
    meta = historical._meta
    tracked = historical.tracked_fields
    if model._meta.parents or meta.pk.name != "history_id" or not isinstance(meta.pk, models.AutoField):
        return None
    if {f.name for f in meta.concrete_fields} != {f.name for f in tracked} | _HISTORY_BOOKKEEPING:
        return None
    return [(meta.get_field(f.name).column, f.column) for f in tracked]


class PublishableQuerySet(RecordQuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)


class Record(models.Model):
    """A row with a stable public identifier.

    `uid` is the natural key of fixtures and exports: loading the seed twice
    updates rows instead of duplicating them, and it never collides with the
    auto-increment keys of a database that already holds real data.
    """

    uid = models.UUIDField("stable ID", default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: each save increments it; a form that was opened on
    # an older version is refused instead of silently overwriting.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True

    # Fields the public never sees: a write that changes only these moves no public data version
    # (tracker/public_changes.py); each model adds its own (internal notes).
    not_public_fields = ()

    def save(self, *args, **kwargs):
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        before = public_changes.Before(self, using, kwargs.get("update_fields"))
        if not self._state.adding:
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)
        if before.changed_in_public(self, using):
            stamped = public_changes.stamp(type(self), [self.pk], using)
            if stamped is not None:
                self.public_updated_at = stamped
            data_changed(using, type(self))

    def delete(self, *args, **kwargs):
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        was_public = bool(public_changes.public_keys(type(self), [self.pk], using))
        deleted = super().delete(*args, **kwargs)
        if was_public:
            # Every table: the rows that pointed at this one went with it.
            data_changed(using)
        return deleted

    def validate_constraints(self, exclude=None):
        """Model.validate_constraints, with the plain checks decided in Python (tracker/constraints.py)."""
        errors = constraint_errors(self, set(exclude or ()), {})
        if errors:
            raise ValidationError(errors)

    def natural_key(self):
        return (str(self.uid),)

    def is_editable_by(self, user):
        """Whether `user` may change this record: a record without a workflow has no locked state."""
        return True


class Publishable(Record):
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        help_text="Only published records appear on the public site and in public exports. "
        "It changes through the buttons at the top of the page, not here.",
    )

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED

    @property
    def is_editable_by_contributors(self):
        """Published and retracted records change only through an Editor."""
        return self.status in (Status.DRAFT, Status.IN_REVIEW)

    def is_editable_by(self, user):
        """Contributors change drafts and records in review; published and retracted ones need an Editor."""
        return self.is_editable_by_contributors or self.can_be_published_by(user)

    @classmethod
    def can_be_published_by(cls, user):
        """Whether `user` may publish, retract and reopen records of this model (the Editors)."""
        return user.has_perm(f"{cls._meta.app_label}.publish_{cls._meta.model_name}")

    def publishing_problems(self) -> list[str]:
        """The publishing rules this record breaks, in words; none by default."""
        return []

    def unpublished_parts(self, parts) -> list[str]:
        """Problems for the records this one would show once published but that are not: the public pages would
        leave each out without a word (a source with no publisher, a figure attributed to nobody). `parts` is
        [(what it is to this record, the record or None)]."""
        return [
            f"“{self}” would show {what} “{part}”, which is {not_public(part)}: publish it first, or take it out."
            for what, part in parts
            if part is not None and part.status != Status.PUBLISHED
        ]

    def apply_transition(self, name):
        """Move along the workflow, or raise ValidationError saying why not."""
        transition = TRANSITIONS[name]
        if self.status not in transition.sources:
            raise ValidationError(f"{transition.label} is not possible from “{self.get_status_display()}”.")
        if transition.target == Status.PUBLISHED:
            problems = self.publishing_problems()
            if problems:
                raise ValidationError(problems)
        self.status = transition.target
        self.save(update_fields=["status", "updated_at"])
