"""No write of a draft changes a published record (issue #13, hole 1).

Naming a detention in a release ends it (custody "released", the release's
date and mode): that is an effect of the release, and it takes effect only
when an Editor publishes the release, and is undone when the release is
retracted or the detention is taken out of the published release. A
Contributor's draft release leaves every published detention as it was.
"""

import datetime

import pytest

from events.models import Event, Release, ReleasedDetention
from tests.admin_pages import admin_url, form_data, post_action, post_transition, with_inline_row
from tests.factories import make_citation, make_detention, make_event, make_release, make_released_detention
from tracker.models import Detention
from tracker.publishing import Status

pytestmark = pytest.mark.django_db

HELD = Detention.CustodyStatus.HELD
RELEASED = Detention.CustodyStatus.RELEASED


def release_event(status=Status.DRAFT, **kwargs):
    kwargs.setdefault("occurred_on", datetime.date(2025, 9, 11))
    event = make_event(kind=Event.Kind.RELEASE, title="Release of 52 detainees", status=status, **kwargs)
    make_release(event=event, mode=Release.Mode.EXCHANGE)
    make_citation(event=event)
    return event


def held_detention(**kwargs):
    return make_detention(detained_on=datetime.date(2021, 5, 1), custody_status=HELD, **kwargs)


def public_state(detention):
    detention.refresh_from_db()
    return (detention.custody_status, detention.released_on, detention.release_mode, detention.version)


def test_contributor_naming_a_published_detention_in_a_draft_release_changes_nothing(login, contributor):
    detention = held_detention()
    before = public_state(detention)
    event = release_event(status=Status.DRAFT)
    browser = login(contributor)
    url = admin_url(Event, "change", event.pk)

    response = browser.post(
        url, with_inline_row(form_data(browser.get(url)), "released_detentions", detention=detention.pk)
    )

    assert response.status_code == 302
    assert ReleasedDetention.objects.filter(release=event, detention=detention).exists()
    assert public_state(detention) == before
    page = login(None).get(detention.person.get_absolute_url()).content.decode()
    assert "Release of 52 detainees" not in page


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.RETRACTED])
def test_a_release_that_is_not_published_ends_no_detention(status):
    detention = held_detention()
    before = public_state(detention)

    make_released_detention(release=release_event(status=status), detention=detention)

    assert public_state(detention) == before


def test_publishing_the_release_ends_the_detentions_it_names(login, editor):
    detention = held_detention()
    event = release_event(status=Status.IN_REVIEW)
    make_released_detention(release=event, detention=detention)

    post_transition(login(editor), event, "publish")

    event.refresh_from_db()
    assert event.status == Status.PUBLISHED
    detention.refresh_from_db()
    assert (detention.custody_status, detention.released_on) == (RELEASED, datetime.date(2025, 9, 11))
    assert detention.release_mode == Detention.ReleaseMode.EXCHANGE_OR_DEPORTATION
    assert detention.history.first().history_change_reason == "named in the release “Release of 52 detainees”"


def test_publishing_by_the_bulk_action_ends_the_detentions_too(login, editor):
    detention = held_detention()
    event = release_event(status=Status.DRAFT)
    make_released_detention(release=event, detention=detention)

    post_action(login(editor), Event, "publish", [event])

    assert public_state(detention)[:2] == (RELEASED, datetime.date(2025, 9, 11))


def test_retracting_the_release_puts_back_the_detentions_it_ended(login, editor):
    detention = held_detention()
    before = public_state(detention)[:3]
    event = release_event(status=Status.DRAFT)
    make_released_detention(release=event, detention=detention)
    event.apply_transition("publish")
    assert public_state(detention)[0] == RELEASED

    post_transition(login(editor), event, "retract")

    assert public_state(detention)[:3] == before
    assert detention.history.first().history_change_reason == "retracted the release “Release of 52 detainees”"
    # Published again, it ends the detention again.
    event.refresh_from_db()
    event.apply_transition("reopen")
    event.apply_transition("publish")
    assert public_state(detention)[0] == RELEASED


def test_retracting_leaves_a_release_the_editor_recorded_differently_since():
    detention = held_detention()
    event = release_event(status=Status.DRAFT)
    make_released_detention(release=event, detention=detention)
    event.apply_transition("publish")
    detention.refresh_from_db()
    detention.custody_status = Detention.CustodyStatus.DEPORTED
    detention.save()

    event.apply_transition("retract")

    detention.refresh_from_db()
    assert (detention.custody_status, detention.released_on) == (
        Detention.CustodyStatus.DEPORTED,
        datetime.date(2025, 9, 11),
    )


def test_a_detention_recorded_as_released_before_it_was_named_stays_released_on_retraction():
    detention = make_detention(
        detained_on=datetime.date(2021, 5, 1),
        custody_status=RELEASED,
        released_on=datetime.date(2025, 9, 11),
        release_mode=Detention.ReleaseMode.EXCHANGE_OR_DEPORTATION,
    )
    event = release_event(status=Status.DRAFT)
    make_released_detention(release=event, detention=detention)
    event.apply_transition("publish")

    event.apply_transition("retract")

    assert public_state(detention)[:2] == (RELEASED, datetime.date(2025, 9, 11))


def test_taking_a_detention_out_of_a_published_release_puts_it_back():
    detention = held_detention()
    event = release_event(status=Status.PUBLISHED)
    named = make_released_detention(release=event, detention=detention)
    assert public_state(detention)[0] == RELEASED

    named.delete()

    assert public_state(detention)[:2] == (HELD, None)


def test_naming_another_detention_instead_puts_back_the_first():
    first, second = held_detention(), held_detention()
    event = release_event(status=Status.PUBLISHED)
    named = make_released_detention(release=event, detention=first)

    named.detention = second
    named.save()

    assert public_state(first)[:2] == (HELD, None)
    assert public_state(second)[0] == RELEASED


@pytest.mark.parametrize(
    "delete",
    [lambda event: event.delete(), lambda event: Event.objects.filter(pk=event.pk).delete()],
    ids=["delete", "queryset delete"],
)
def test_deleting_a_published_release_puts_back_the_detentions_it_ended(delete):
    detention = held_detention()
    event = release_event(status=Status.PUBLISHED)
    make_released_detention(release=event, detention=detention)
    assert public_state(detention)[0] == RELEASED

    delete(event)

    assert public_state(detention)[:2] == (HELD, None)
    assert detention.history.first().history_change_reason == "deleted the release “Release of 52 detainees”"
