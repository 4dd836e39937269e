"""Issue #15 point 4: a release ends the detentions it names in the custody its mode leaves, and an editor's
correction stands."""

import datetime

import pytest

from events.models import Event, Release
from tests.factories import make_citation, make_detention, make_event, make_release, make_released_detention
from tracker.models import Detention
from tracker.publishing import Status

pytestmark = pytest.mark.django_db


def release_of(mode):
    event = make_event(kind=Event.Kind.RELEASE, status=Status.DRAFT, occurred_on=datetime.date(2025, 9, 11))
    make_citation(event=event)
    make_release(event=event, mode=mode)
    detention = make_detention(detained_on=datetime.date(2021, 5, 23))
    make_released_detention(release=event, detention=detention)
    return event, detention


@pytest.mark.parametrize(
    ("mode", "custody", "how"),
    [
        (Release.Mode.PARDON, Detention.CustodyStatus.PARDONED, Detention.ReleaseMode.PARDON),
        (Release.Mode.AMNESTY, Detention.CustodyStatus.PARDONED, Detention.ReleaseMode.PARDON),
        (Release.Mode.DEPORTATION, Detention.CustodyStatus.DEPORTED, Detention.ReleaseMode.EXCHANGE_OR_DEPORTATION),
        (Release.Mode.END_OF_SENTENCE, Detention.CustodyStatus.SERVED_SENTENCE, Detention.ReleaseMode.END_OF_SENTENCE),
        (Release.Mode.EXCHANGE, Detention.CustodyStatus.RELEASED, Detention.ReleaseMode.EXCHANGE_OR_DEPORTATION),
        (Release.Mode.OTHER, Detention.CustodyStatus.RELEASED, Detention.ReleaseMode.OTHER),
    ],
)
def test_a_release_ends_a_detention_in_the_custody_its_mode_leaves(mode, custody, how):
    event, detention = release_of(mode)
    event.apply_transition("publish")
    detention.refresh_from_db()
    assert (detention.custody_status, detention.release_mode, detention.released_on) == (
        custody,
        how,
        datetime.date(2025, 9, 11),
    )
    # Retracting the release gives the detention back as it was.
    event.apply_transition("retract")
    detention.refresh_from_db()
    assert (detention.custody_status, detention.release_mode, detention.released_on) == (
        Detention.CustodyStatus.HELD,
        "",
        None,
    )


def test_an_editors_correction_of_the_custody_stands(db):
    # The release was a pardon, but this person was in fact deported with it: the editor says so.
    event, detention = release_of(Release.Mode.PARDON)
    event.apply_transition("publish")
    detention.refresh_from_db()
    detention.custody_status = Detention.CustodyStatus.DEPORTED
    detention.save()
    event.apply_transition("retract")
    detention.refresh_from_db()
    assert detention.custody_status == Detention.CustodyStatus.DEPORTED  # not put back: the editor recorded it
