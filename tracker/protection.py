"""A person's protection is lowered only by an Editor, on purpose, with a reason.

To lower it is to move a person to an identity level that shows more of them
(tracker/names.py, shows_more: withheld, then initials, then full). Withdrawn
consent stays withdrawn whatever path a write takes:

- Person.save() and Person.clean() refuse such a change unless show_more()
  allowed exactly that level for this save: a history restore, a stray save
  of a stale copy and a shell session are all saves;
- PersonQuerySet.update() refuses it outright (a bulk action has no reason),
  and a level it cannot read before writing (bulk_update()'s CASE) is
  checked after the write, in the same transaction (update_in_bulk());
- the people import refuses it in the row (tracker/imports/people.py): a sheet is
  not a decision about one person. It reads every person of the sheet in one
  query and hands each one's stored level to the check (stored_level_known()),
  so the check costs no query per row.

show_more() is the one door: an Editor who manages identities, and a reason,
which history keeps as the change reason (Editors alone see it:
tracker/history.py, withhold_from_history). Raising protection (withholding a
name) needs nothing: it is always safe.
"""

from contextlib import contextmanager

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tracker import withholding
from tracker.names import IdentityLevel, is_protected, shows_more
from tracker.publishing import Status

REASON_LENGTH = 100  # history_change_reason holds 100 characters
BULK_BATCH = 500  # people read back at once after a bulk change of levels
# What only Editors who manage identities see and change of a person.
IDENTITY_FIELDS = frozenset({"identity_level", "internal_notes"})


def show_more(person, level, *, by, reason):
    """Let the next save of `person` show more of them, at `level`: the Editor `by` decided it, for `reason`."""
    if not by.has_perm("tracker.manage_identity"):
        raise PermissionDenied("Only an Editor who manages identities can show more of a person.")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("Say why the person may now be shown more: the reason is kept in the history.")
    person.identity_level = level
    person._shows_more = level
    person._change_reason = reason[:REASON_LENGTH]
    person._history_user = by


@contextmanager
def stored_level_known(person, level):
    """Within the block, the checks of `person` (its clean(), its save()) take `level` as the stored identity level.

    For a copy whose level was read in the same breath (the people import
    reads every person of its sheet in one query, and at confirm holds their
    rows locked until it writes): no query per person. Past the block, the
    same copy is checked against the database again, as every other save and
    clean() is: a copy kept for later may be older than a withdrawal.
    """
    person._stored_identity_level = level
    try:
        yield person
    finally:
        person.__dict__.pop("_stored_identity_level", None)


def lowering_problem(person, stored=None):
    """Why saving `person` as it stands would lower their protection without an Editor's reason; "" if it would not.

    `stored`: their stored identity level, if the caller read it just now (see stored_level_known()).
    """
    if person.pk is None:  # a row with its key set (an old version's copy) may exist: it is checked
        return ""
    if not shows_more(person.identity_level, IdentityLevel.WITHHELD):
        return ""  # the strictest level lowers nothing: no query
    stored = stored or person.__dict__.get("_stored_identity_level")
    if stored is None:
        stored = type(person)._base_manager.filter(pk=person.pk).values_list("identity_level", flat=True).first()
    if stored is None or not shows_more(person.identity_level, stored):
        return ""
    if getattr(person, "_shows_more", None) == person.identity_level:
        return ""
    return (
        "This shows more of this person than their current identity level allows: "
        f"“{label(person.identity_level)}” instead of “{label(stored)}”. Only an Editor who manages identities "
        "changes that, on purpose: give the reason in “Reason for showing more of this person”."
    )


def refuse_lowering(person):
    """Raise ValidationError if saving `person` would lower their protection without an Editor's reason."""
    problem = lowering_problem(person)
    if problem:
        raise ValidationError(problem, code="protection_lowered")


def allowed_once(person):
    """The save went through: the next save that shows more needs a reason of its own."""
    person.__dict__.pop("_shows_more", None)
    person.__dict__.pop("_change_reason", None)


def refuse_lowering_in_bulk(queryset, level):
    """Raise ValidationError if setting `level` on every person of `queryset` would show more of any of them."""
    if not shows_more(level, IdentityLevel.WITHHELD):
        return
    stricter = [stored for stored in IdentityLevel.values if shows_more(level, stored)]
    if queryset.filter(identity_level__in=stricter).exists():
        raise ValidationError(
            f"A bulk change cannot show more of anyone: “{label(level)}” would lower the protection of "
            "people who have a stricter identity level. An Editor changes that one person at a time, with a reason.",
            code="protection_lowered",
        )


def update_in_bulk(queryset, level, write):
    """Run `write()`, an UPDATE of `queryset` setting identity_level to `level`, unless it shows more of anyone.

    A plain level is checked before the write (refuse_lowering_in_bulk).
    Anything else (the CASE of bulk_update(), an F()) says nothing until
    it is written: the levels are read before it (the rows locked) and after
    it, in one transaction, and a write that shows more of anyone is undone.
    The people it protects more lose, in the same transaction, the public
    text naming them (tracker/withholding.py), as Person.save() does.
    """
    if isinstance(level, str):
        refuse_lowering_in_bulk(queryset, level)
        if not is_protected(level):
            return write()  # full protects no one more: no query
        with transaction.atomic(using=queryset.db, savepoint=False):
            # The people this write protects more: those whose level shows more than `level` now.
            shown_more = [stored for stored in IdentityLevel.values if shows_more(stored, level)]
            raised = list(queryset.filter(identity_level__in=shown_more).values_list("pk", flat=True))
            count = write()
            withholding.take_down_text_naming_all(raised, queryset.db)
        return count
    with transaction.atomic(using=queryset.db):
        before = dict(queryset.select_for_update().values_list("pk", "identity_level"))
        count = write()
        rows = queryset.model._base_manager.using(queryset.db)
        keys = list(before)
        raised = []
        for start in range(0, len(keys), BULK_BATCH):
            after = rows.filter(pk__in=keys[start : start + BULK_BATCH]).values_list("pk", "identity_level")
            after = list(after)
            shown_more = [stored for pk, stored in after if shows_more(stored, before[pk])]
            if shown_more:
                raise ValidationError(
                    f"A bulk change cannot show more of anyone: “{label(shown_more[0])}” would lower the "
                    "protection of people who have a stricter identity level. An Editor changes that one "
                    "person at a time, with a reason.",
                    code="protection_lowered",
                )
            raised += [pk for pk, stored in after if withholding.raised(before[pk], stored)]
        withholding.take_down_text_naming_all(raised, queryset.db)
    return count


def exposing_problems(person) -> list[str]:
    """Why showing `person` in full now would make public text naming someone protected; [] if it would not.

    Asked when show_more() lets this save name the person in full: their own
    public text (their description, their published detentions' sentence and
    facility, their charges' descriptions: text the public reads of people
    named in full only, tracker.models rows_with_public_text()) becomes public
    at once, without being published, and may name another protected person.
    Showing a withheld person by initials makes none of it public.
    """
    if getattr(person, "_shows_more", None) != person.identity_level or is_protected(person.identity_level):
        return []
    others = type(person).objects.protected().exclude(pk=person.pk)
    problems = [message for message in person.protected_name_errors(others).values()]
    detentions = apps.get_model("tracker", "Detention")._base_manager.filter(person=person, status=Status.PUBLISHED)
    charges = apps.get_model("tracker", "Charge")._base_manager.filter(detention__in=detentions)
    for record in [*detentions, *charges.select_related("detention")]:
        problems += record.protected_name_problems(others)
    return problems


def refuse_exposing(person):
    """Raise ValidationError, under the identity level, if showing more of `person` would make such text public."""
    problems = exposing_problems(person)
    if problems:
        raise ValidationError(
            {"identity_level": [EXPOSING_MESSAGE, *problems]},
            code="protected_name",
        )


EXPOSING_MESSAGE = (
    "Shown in full, this person's own public text would be public at once, and it names a person whom the "
    "public sees only by initials or not at all. Edit that text first, then show more of this person:"
)


def keep_stored_identity(person):
    """Put back the stored identity level and internal notes on `person` (a form that does not show them)."""
    stored = type(person)._base_manager.filter(pk=person.pk).values(*IDENTITY_FIELDS).first()
    for name, value in (stored or {}).items():
        setattr(person, name, value)


def label(level):
    return dict(IdentityLevel.choices).get(level, level)
