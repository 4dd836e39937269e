"""No public number says more about a protected person than their own page does (issue #13, hole 6).

A person shown by initials shows the years of their dates on their page, and
a withheld person shows nothing; both are still counted (DOMAIN rule 2). So
moving their dates to other days of the same years must change no public
count: not the registry's counts beside the figures on the measure pages and
the home page, not their charts.
"""

import datetime

import pytest

from events.models import Measure
from tests.factories import make_detention, make_figure, make_measure, make_person
from tracker.models import Detention, Person

pytestmark = pytest.mark.django_db

PAGES = ["/", "/figures/held/", "/figures/released/", "/figures/recognised/"]


@pytest.fixture
def measures(db):
    held = make_measure(slug="held", registry_count=Measure.RegistryCount.HELD, position=1)
    for day in (datetime.date(2024, 11, 20), datetime.date(2025, 12, 12)):
        make_figure(measure=held, as_of_on=day)
    for slug, kind in (("released", Measure.RegistryCount.RELEASED), ("recognised", Measure.RegistryCount.RECOGNISED)):
        measure = make_measure(slug=slug, kind=Measure.Kind.FLOW, registry_count=kind, name=f"people {slug}")
        make_figure(measure=measure, period_start_on=datetime.date(2025, 4, 1), as_of_on=datetime.date(2025, 9, 1))
    # Someone named in full, whose exact days the counts may show.
    make_detention(detained_on=datetime.date(2024, 2, 3))


def counts(client):
    """Every registry count the public pages show, and the pages themselves."""
    shown = {}
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200
        context = response.context
        if path == "/":
            shown[path] = [row["registry_count"] for row in context["headlines"]]
        else:
            shown[path] = (
                [group["registry_count"] for group in context["groups"]],
                {country: registry.counts for country, registry in context["registries"].items()},
            )
        shown[f"{path} page"] = response.content.decode()
    return shown


@pytest.mark.parametrize("level", [Person.IdentityLevel.INITIALS, Person.IdentityLevel.WITHHELD])
def test_counts_do_not_reveal_a_protected_persons_days(client, measures, level):
    person = make_person(name="Ales Hiddenday", identity_level=level)
    detention = make_detention(
        person=person,
        detained_on=datetime.date(2025, 3, 15),
        recognised_on=datetime.date(2025, 4, 2),
        custody_status=Detention.CustodyStatus.RELEASED,
        released_on=datetime.date(2025, 6, 20),
    )
    page = client.get(person.get_absolute_url())
    before = counts(client)

    # Other days of the same years: the person's page cannot tell the two apart.
    detention.detained_on = datetime.date(2025, 8, 1)
    detention.recognised_on = datetime.date(2025, 10, 1)
    detention.released_on = datetime.date(2025, 11, 30)
    detention.save()
    assert client.get(person.get_absolute_url()).content == page.content
    after = counts(client)

    assert after == before


def test_counts_still_count_protected_people(client, measures):
    # Initials-only, held since 2023: counted as held on every date of the held measure.
    make_detention(
        person=make_person(identity_level=Person.IdentityLevel.INITIALS), detained_on=datetime.date(2023, 6, 1)
    )
    response = client.get("/figures/held/")
    assert [group["registry_count"] for group in response.context["groups"]] == [2, 2]
