"""Issue #15 point 7: a measure's registry count of people released can be narrowed to how they were released
("people pardoned" counts the detentions that ended in a pardon), set in the admin, refused where it means
nothing, and counted as the public may see it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import escape

from events.models import Measure
from tests.admin_pages import admin_url, form_data
from tests.factories import make_detention, make_figure, make_measure, make_person
from tracker.models import Detention
from tracker.names import IdentityLevel

pytestmark = pytest.mark.django_db

D = datetime.date
IN_2025 = {
    "period_start_on": D(2025, 1, 1),
    "period_start_on_precision": "year",
    "period_end_on": D(2025, 1, 1),
    "period_end_on_precision": "year",
}


def released(on, mode, **person):
    return make_detention(
        **({"person": make_person(**person)} if person else {}),
        custody_status=Detention.CustodyStatus.PARDONED
        if mode == Detention.ReleaseMode.PARDON
        else Detention.CustodyStatus.RELEASED,
        released_on=on,
        release_mode=mode,
    )


@pytest.fixture
def pardoned():
    return make_measure(
        name="people pardoned",
        slug="pardoned",
        kind=Measure.Kind.FLOW,
        registry_count=Measure.RegistryCount.RELEASED,
        registry_release_mode=Detention.ReleaseMode.PARDON,
    )


def test_the_count_beside_a_figure_counts_only_the_people_released_that_way(client, pardoned):
    released(D(2025, 3, 1), Detention.ReleaseMode.PARDON)
    released(D(2025, 6, 1), Detention.ReleaseMode.PARDON)
    released(D(2025, 6, 1), Detention.ReleaseMode.END_OF_SENTENCE)
    released(D(2024, 12, 31), Detention.ReleaseMode.PARDON)  # before the period
    make_figure(measure=pardoned, value=150, as_of_on=D(2026, 1, 10), **IN_2025)
    html = client.get("/figures/pardoned/").content.decode()
    assert "This database records 2 people pardoned in that period." in html
    assert "Named people pardoned in the period, in this database" in html  # the chart's points


def test_a_protected_persons_release_counts_on_the_first_of_january_of_its_year(client, pardoned):
    # As every registry count: a withheld person's day is not shown, even as a step of a count.
    released(D(2025, 12, 31), Detention.ReleaseMode.PARDON, identity_level=IdentityLevel.WITHHELD)
    make_figure(
        measure=pardoned,
        value=1,
        as_of_on=D(2025, 12, 1),
        as_of_on_precision="day",
        period_start_on=D(2025, 6, 1),
        period_start_on_precision="month",
    )
    # Counted on 1 January 2025: before June, so not in the period June to 1 December 2025.
    assert (
        "This database records 0 people pardoned in that period." in client.get("/figures/pardoned/").content.decode()
    )


def test_a_new_release_shows_at_once(client, pardoned):
    make_figure(measure=pardoned, value=150, as_of_on=D(2026, 1, 10), **IN_2025)
    assert "records 0 people pardoned" in client.get("/figures/pardoned/").content.decode()
    released(D(2025, 3, 1), Detention.ReleaseMode.PARDON)
    assert "records 1 person pardoned" in client.get("/figures/pardoned/").content.decode()


def test_only_a_count_of_people_released_can_be_narrowed_to_how(db):
    measure = Measure(
        slug="held",
        name="held",
        definition="Held.",
        kind=Measure.Kind.STOCK,
        registry_count=Measure.RegistryCount.HELD,
        registry_release_mode=Detention.ReleaseMode.PARDON,
    )
    with pytest.raises(ValidationError) as refused:
        measure.full_clean()
    assert refused.value.messages == [
        "Only the count of “Named people released during the period” can be narrowed to how they were released: "
        "clear “counting only those released by”, or choose that count."
    ]


def test_an_editor_sets_it_in_the_admin_and_is_told_when_it_means_nothing(admin_client, pardoned):
    url = admin_url(Measure, "change", pardoned.pk)
    page = admin_client.get(url).content.decode()
    assert 'name="registry_release_mode"' in page
    data = form_data(admin_client.get(url))
    data["registry_count"] = ["recognised"]
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert escape("Only the count of “Named people released during the period” can be narrowed") in (
        response.content.decode()
    )
    pardoned.refresh_from_db()
    assert pardoned.registry_count == Measure.RegistryCount.RELEASED
