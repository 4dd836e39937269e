"""DOMAIN rule 5: the registry's own counts beside the reported figures, one algorithm on every page."""

import datetime

import pytest

from events.models import Measure
from tests.factories import make_detention, make_figure, make_measure
from tracker.models import Detention

pytestmark = pytest.mark.django_db

HELD = Measure.RegistryCount.HELD
RELEASED = Measure.RegistryCount.RELEASED


def home_count(client, measure):
    [row] = [row for row in client.get("/").context["headlines"] if row["measure"] == measure]
    return row["registry_count"]


def measure_page_count(client, figure):
    groups = client.get(figure.measure.get_absolute_url()).context["groups"]
    [group] = [group for group in groups if figure.pk in {shown.pk for shown in group["figures"]}]
    return group["registry_count"]


@pytest.mark.parametrize("precision", ["day", "month", "year"])
def test_home_and_measure_page_show_the_same_held_count(client, precision):
    measure = make_measure(registry_count=HELD)
    figure = make_figure(measure=measure, as_of_on=datetime.date(2025, 9, 1), as_of_on_precision=precision)
    make_detention(detained_on=datetime.date(2024, 3, 1))
    # Detained later in the month, and later in the year, of the as-of date.
    make_detention(detained_on=datetime.date(2025, 9, 20))
    make_detention(detained_on=datetime.date(2025, 11, 20))
    make_detention(
        detained_on=datetime.date(2023, 1, 1),
        custody_status=Detention.CustodyStatus.RELEASED,
        released_on=datetime.date(2025, 8, 10),
    )

    on_home = home_count(client, measure)

    assert on_home == measure_page_count(client, figure)
    # Held on the figure's as-of date, which a year-precision date stores as 1 January.
    assert on_home == {"day": 1, "month": 1, "year": 2}[precision]


@pytest.mark.parametrize("precision", ["day", "month", "year"])
def test_home_and_measure_page_show_the_same_released_count(client, precision):
    measure = make_measure(kind=Measure.Kind.FLOW, registry_count=RELEASED)
    figure = make_figure(
        measure=measure,
        as_of_on=datetime.date(2025, 9, 1),
        as_of_on_precision=precision,
        period_start_on=datetime.date(2024, 7, 1),
        period_start_on_precision="month",
    )
    for released_on in (datetime.date(2024, 6, 30), datetime.date(2024, 7, 1), datetime.date(2025, 9, 15)):
        make_detention(
            detained_on=datetime.date(2023, 1, 1),
            custody_status=Detention.CustodyStatus.RELEASED,
            released_on=released_on,
        )

    on_home = home_count(client, measure)

    assert on_home == measure_page_count(client, figure)
    # Through the end of the as-of period: "as of September 2025" counts all of September.
    assert on_home == (1 if precision == "day" else 2)
