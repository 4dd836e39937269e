"""Releases: the details of an event of kind release, and the detentions it ended."""

from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import Q
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from events.models.events import Event, EventKind, EventPart
from events.release_effects import end_detention, put_back
from events.wording import release_detail_in_words
from tracker.caching import derived_table
from tracker.history import history
from tracker.models import Detention, published_detention
from tracker.publishing import Record, RecordQuerySet, Status


class ReleaseQuerySet(RecordQuerySet):
    def published(self):
        return self.filter(event__status=Status.PUBLISHED)


class ReleaseMode(models.TextChoices):
    PARDON = "pardon", pgettext_lazy("how people were freed", "Pardon")
    EXCHANGE = "exchange", pgettext_lazy("how people were freed", "Exchange")
    DEPORTATION = "deportation", pgettext_lazy("how people were freed", "Forced deportation")
    AMNESTY = "amnesty", pgettext_lazy("how people were freed", "Amnesty")
    END_OF_SENTENCE = "end_of_sentence", pgettext_lazy("how people were freed", "End of sentences")
    OTHER = "other", pgettext_lazy("how people were freed", "Other")


class Share(models.TextChoices):
    """How many of the people released a detail is said of, as the source says it."""

    ALL = "", pgettext_lazy("of the people released", "all (or not said)")
    MOST = "most", pgettext_lazy("of the people released", "most of them")
    SOME = "some", pgettext_lazy("of the people released", "some of them")


# Which of a release's modes a detention it ends is taken to be ended in (main_mode, below): the one
# that says most about where the person is now, first. "Pardoned and deported" leaves them deported.
MODE_PRECEDENCE = (
    ReleaseMode.DEPORTATION,
    ReleaseMode.PARDON,
    ReleaseMode.AMNESTY,
    ReleaseMode.END_OF_SENTENCE,
    ReleaseMode.EXCHANGE,
    ReleaseMode.OTHER,
)


def main_mode(details):
    """The mode a detention this release ends is recorded with, and the custody it leaves: of the modes said of
    all or most of the people (not "some of them"), the first in MODE_PRECEDENCE; "" when none is."""
    modes = {detail.mode for detail in details if detail.mode and detail.share != Share.SOME}
    return next((mode for mode in MODE_PRECEDENCE if mode in modes), "")


class Release(EventPart, Record):
    """One detail of how the people of a release were freed, and where to: a release has one or several.

    "Pardoned and deported, most to Lithuania, some to Poland" is three: a pardon (of all); a deportation to
    Lithuania (most of them); a deportation to Poland (some of them). Each says its share as the source does.
    """

    public_text = ("destination",)

    Mode = ReleaseMode
    Share = Share

    # Any event: clean() says in words that details belong to a release (a choice limited to releases
    # would refuse a meeting's as "not a valid choice").
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="release_details")
    mode = models.CharField(max_length=20, choices=Mode, blank=True, help_text="How people were freed.")
    share = models.CharField(
        max_length=4,
        choices=Share,
        blank=True,
        help_text="Whether the source says this of most or some of the people released, not all of them.",
    )
    destination = models.CharField(
        max_length=200, blank=True, help_text="Where they were sent, if not home: “Vilnius, Lithuania”."
    )
    destination_country = CountryField(blank=True)

    history = history()
    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["event", "pk"]
        verbose_name = "release detail"
        constraints = [
            models.CheckConstraint(
                condition=Q(mode="") | Q(mode__in=ReleaseMode.values),
                name="events_release_mode_valid",
                violation_error_message="Choose a valid release mode.",
            ),
            models.CheckConstraint(
                condition=Q(share__in=Share.values),
                name="events_release_share_valid",
                violation_error_message="Choose all, most or some.",
            ),
            models.CheckConstraint(
                condition=~Q(mode="", destination="", destination_country=""),
                name="events_release_says_something",
                violation_error_message="Say how people were freed, where they were sent, or both.",
            ),
        ]

    def __str__(self):
        return self.in_words or str(self.event)

    @property
    def in_words(self):
        """This detail as the pages say it: "Forced deportation to Vilnius, Lithuania (most of them)"."""
        return release_detail_in_words(
            self.get_mode_display() if self.mode else "",
            self.destination,
            self.destination_country.name if self.destination_country else "",
            self.share,
        )

    def clean(self):
        super().clean()
        # In the event's inline the event may not be saved yet, and its field
        # is hidden: check the attached object and raise a form-wide error.
        event = getattr(self, "event", None)
        if event is not None and event.kind != Event.Kind.RELEASE:
            raise ValidationError("Release details belong to an event of kind “Release”.")


# The people the database links to each release, kept by triggers (events/migrations/0006_release_counts.py;
# read by events.models.events.released_counts).
derived_table("events_releasecount", "events_releaseddetention", "tracker_detention", "tracker_person")


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
    # And the custody it ends in: a pardon leaves the person pardoned, a deportation deported. An exchange
    # (often a deportation too) and anything else leave them "released", which an editor may correct.
    DETENTION_CUSTODY = {
        ReleaseMode.PARDON: Detention.CustodyStatus.PARDONED,
        ReleaseMode.AMNESTY: Detention.CustodyStatus.PARDONED,
        ReleaseMode.DEPORTATION: Detention.CustodyStatus.DEPORTED,
        ReleaseMode.END_OF_SENTENCE: Detention.CustodyStatus.SERVED_SENTENCE,
    }

    def main_mode(self):
        """The main mode of the release (main_mode) that names this detention."""
        return main_mode(self.release.release_details.all())

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
