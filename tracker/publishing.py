"""The publishing workflow every public record shares, and the one door out.

Public pages, exports and feeds read records through `published()` and
nothing else, so a draft or a retraction can never leak through a forgotten
filter.
"""
import uuid
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import models, transaction


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


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
            count = super().update(**kwargs)
            if pks:
                updated = self.model._default_manager.using(self.db).filter(pk__in=pks)
                self.model.history.bulk_history_create(list(updated), update=True)
        return count

    update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            if created and created[0].pk is not None:
                self.model.history.bulk_history_create(created)
            elif created:
                # Some backends return no keys from a bulk insert: refuse
                # rather than store rows that have no history.
                raise NotImplementedError("bulk_create without returned keys would skip history")
        return created

    bulk_create.alters_data = True


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

    def natural_key(self):
        return (str(self.uid),)

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)


class Publishable(Record):
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        help_text="Only published records appear on the public site and in exports.",
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

    def publishing_problems(self) -> list[str]:
        """The publishing rules this record breaks, in words; none by default."""
        return []

    def apply_transition(self, name):
        """Move along the workflow, or raise ValidationError saying why not."""
        transition = TRANSITIONS[name]
        if self.status not in transition.sources:
            raise ValidationError(
                f"{transition.label} is not possible from “{self.get_status_display()}”."
            )
        if transition.target == Status.PUBLISHED:
            problems = self.publishing_problems()
            if problems:
                raise ValidationError(problems)
        self.status = transition.target
        self.save(update_fields=["status", "updated_at"])

