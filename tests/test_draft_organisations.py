"""A draft organisation's name is shown nowhere in public, even beside a published figure attributed to it."""

import datetime

import pytest

from events.models import Event, Measure
from tests.factories import make_event, make_figure, make_measure, make_organization, make_release, make_source
from tracker.publishing import Status

pytestmark = pytest.mark.django_db

MARKER = "Draftorgmarker"


@pytest.fixture
def attributed_to_a_draft(db):
    """Published figures attributed to a draft organisation: one at a date, one of a release."""
    draft = make_organization(name=f"{MARKER} Monitoring Group", status=Status.DRAFT)
    held = make_measure(slug="held-here", registry_count=Measure.RegistryCount.HELD, position=1)
    make_figure(measure=held, attributed_to=draft, rank="preferred", value=1234)
    released = make_measure(slug="released-here", kind=Measure.Kind.PER_EVENT, name="people released")
    release = make_event(
        kind=Event.Kind.RELEASE, title="Release of 52 detainees", occurred_on=datetime.date(2025, 9, 11)
    )
    make_release(event=release)
    make_figure(
        measure=released,
        event=release,
        attributed_to=draft,
        value=52,
        as_of_on=release.occurred_on,
        source=make_source(),
    )
    return release


@pytest.mark.parametrize(
    "path, shown",
    [
        ("/", "1,234"),
        ("/figures/", "1,234"),
        ("/figures/held-here/", "1,234"),
        ("/figures/released-here/", "52"),
        ("/releases/", "52"),
        ("/timeline/", "52"),
        ("/figures.csv", "1234"),
        ("/releases.csv", "52"),
        ("/timeline.csv", "52"),
        ("/timeline.timelinejs.json", "52"),
        ("/feeds/timeline.atom", "Release of 52 detainees"),
        ("/api/v1/figures/", "1234"),
        ("/api/v1/releases/", "52"),
        ("/api/v1/events/", "52"),
    ],
)
def test_a_draft_organisation_is_never_named_beside_a_figure(client, attributed_to_a_draft, path, shown):
    response = client.get(path)
    assert response.status_code == 200
    body = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
    assert shown in body  # what is public is there
    assert MARKER not in body


def test_a_draft_organisation_is_never_named_on_the_release_page(client, attributed_to_a_draft):
    html = client.get(attributed_to_a_draft.get_absolute_url()).content.decode()
    assert "52" in html
    assert MARKER not in html


def test_a_published_organisation_is_named_beside_its_figure(client, db):
    make_figure(measure=make_measure(slug="held-here"), attributed_to=make_organization(name="Viasna"))
    assert "According to Viasna" in client.get("/figures/held-here/").content.decode()
