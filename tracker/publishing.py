"""The publishing workflow every public record shares, and the one door out.

Public pages, exports and feeds read records through `published()` and
nothing else, so a draft or a retraction can never leak through a forgotten
filter.
"""
import uuid

from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


class RecordQuerySet(models.QuerySet):
    def get_by_natural_key(self, uid):
        return self.get(uid=uid)


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

    objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True

    def natural_key(self):
        return (str(self.uid),)


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

