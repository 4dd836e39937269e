"""Issue #15 point 2: a figure's period may end ("pardoned in 2025"), each end with its own precision, said in
words wherever a figure is shown, and counted over by the registry as the source counts."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError

from events.imports import FigureImporter
from events.models import Figure, Measure
from tests.factories import make_detention, make_event, make_figure, make_measure, make_source
from tests.test_import_figures_events import editor, figure_sheet, import_sheet, plan_sheet  # noqa: F401
from tracker.dates import PreciseDate, PrecisePeriod, period_in_words
from tracker.models import Detention

pytestmark = pytest.mark.django_db

D = datetime.date


def said(start, start_precision, end=None, end_precision="day"):
    return period_in_words(PreciseDate(start, start_precision), PreciseDate.of(end, end_precision))


@pytest.mark.parametrize(
    "period, words",
    [
        ((D(2024, 7, 1), "month"), "since July 2024"),
        ((D(2025, 1, 1), "year", D(2025, 1, 1), "year"), "in 2025"),
        ((D(2025, 1, 1), "month", D(2025, 12, 1), "month"), "in 2025"),
        ((D(2025, 1, 1), "day", D(2025, 12, 31), "day"), "in 2025"),
        ((D(2025, 3, 1), "month", D(2025, 3, 1), "month"), "in March 2025"),
        ((D(2025, 3, 1), "day", D(2025, 3, 31), "day"), "in March 2025"),
        ((D(2025, 3, 3), "day", D(2025, 3, 3), "day"), "on 3 March 2025"),
        ((D(2024, 7, 1), "month", D(2025, 12, 1), "month"), "between July 2024 and December 2025"),
        ((D(2025, 1, 1), "month", D(2025, 6, 1), "month"), "between January 2025 and June 2025"),
        ((D(2025, 3, 2), "day", D(2025, 3, 31), "day"), "between 2 March 2025 and 31 March 2025"),
        ((D(2024, 1, 1), "year", D(2025, 1, 1), "year"), "between 2024 and 2025"),
    ],
)
def test_a_period_is_said_in_words(period, words):
    assert said(*period) == words


def test_a_period_is_an_iso_interval_to_each_ends_precision():
    assert PrecisePeriod.of(D(2024, 7, 1), "month", None, "day").iso == "2024-07/.."
    assert PrecisePeriod.of(D(2024, 7, 1), "month", D(2025, 12, 12), "day").iso == "2024-07/2025-12-12"
    assert PrecisePeriod.of(None, "day", None, "day") is None


IN_2025 = {
    "period_start_on": D(2025, 1, 1),
    "period_start_on_precision": "year",
    "period_end_on": D(2025, 1, 1),
    "period_end_on_precision": "year",
}


@pytest.fixture
def pardoned():
    return make_measure(
        name="people pardoned", slug="pardoned", kind=Measure.Kind.FLOW, registry_count=Measure.RegistryCount.RELEASED
    )


def rows(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_a_closed_period_is_said_on_the_pages_the_csv_and_the_api(client, pardoned):
    figure = make_figure(
        measure=pardoned, value=150, qualifier="almost", rank="preferred", as_of_on=D(2026, 1, 10), **IN_2025
    )
    home = client.get("/?country=BY").content.decode()
    assert "<strong>almost 150</strong> people pardoned in 2025</p>" in home
    measure_page = client.get("/figures/pardoned/").content.decode()
    assert "<strong>almost 150</strong> people pardoned in 2025" in measure_page
    assert '<td role="cell" data-label="Period counted">in 2025</td>' in measure_page
    assert "since 2025" not in home + measure_page

    [row] = [row for row in rows(client, "/figures.csv") if row["uid"] == str(figure.uid)]
    assert (row["period_start"], row["period_start_precision"]) == ("2025", "year")
    assert (row["period_end"], row["period_end_precision"]) == ("2025", "year")
    [source] = [row for row in rows(client, "/sources.csv") if row["uid"] == str(figure.source.uid)]
    assert source["figures"] == "almost 150 people pardoned in 2025"

    api = client.get(f"/api/v1/figures/{figure.uid}/").json()
    assert (api["period_start"], api["period_end"], api["period_end_precision"]) == ("2025", "2025", "year")
    assert api["period_in_words"] == "in 2025"
    running = make_figure(measure=pardoned, value=430, period_start_on=D(2024, 7, 1), period_start_on_precision="month")
    api = client.get(f"/api/v1/figures/{running.uid}/").json()
    assert (api["period_end"], api["period_end_precision"], api["period_in_words"]) == (None, None, "since July 2024")


def test_an_events_figure_over_a_closed_period_says_it_on_the_event_page_card_and_timeline_csv(client, pardoned):
    event = make_event(title="A year's pardons", occurred_on=D(2026, 1, 10))
    between = {
        "period_start_on": D(2024, 7, 1),
        "period_start_on_precision": "month",
        "period_end_on": D(2025, 12, 1),
        "period_end_on_precision": "month",
    }
    release_measure = make_measure(name="people released", slug="freed-in-event", kind=Measure.Kind.PER_EVENT)
    make_figure(event=event, measure=release_measure, value=52, as_of_on=D(2026, 1, 10), **between)
    words = "<strong>about 52</strong> people released between July 2024 and December 2025"
    assert words in client.get(event.get_absolute_url()).content.decode()
    assert words in client.get("/timeline/").content.decode()
    [row] = rows(client, "/timeline.csv")
    assert row["figures"] == "about 52 people released between July 2024 and December 2025"


def test_the_registry_counts_the_named_people_released_in_the_closed_period_only(client, pardoned):
    for released_on in (D(2024, 12, 31), D(2025, 1, 1), D(2025, 12, 31), D(2026, 1, 5)):
        make_detention(custody_status=Detention.CustodyStatus.RELEASED, released_on=released_on)
    make_figure(measure=pardoned, value=150, as_of_on=D(2026, 1, 10), **IN_2025)
    html = client.get("/figures/pardoned/").content.decode()
    # 1 January and 31 December 2025: not the day before, nor 5 January 2026, though the figure is as of 10 January.
    assert "This database records 2 people released in that period." in html


def test_a_closed_period_and_a_running_one_of_the_same_date_are_two_groups(client, pardoned):
    make_figure(measure=pardoned, value=150, as_of_on=D(2026, 1, 10), **IN_2025)
    make_figure(
        measure=pardoned,
        value=430,
        as_of_on=D(2026, 1, 10),
        period_start_on=D(2025, 1, 1),
        period_start_on_precision="year",
    )
    html = client.get("/figures/pardoned/").content.decode()
    assert html.count('class="as-of"') == 2
    assert "Sources differ" not in html


@pytest.mark.parametrize(
    "dates, error",
    [
        ({"period_end_on": D(2025, 1, 1)}, "A period that ends needs its start too: say since when it counts."),
        (
            {"period_start_on": D(2025, 6, 1), "period_end_on": D(2025, 5, 31)},
            "A period cannot end before it starts.",
        ),
    ],
)
def test_a_period_that_cannot_be_is_refused_in_words(dates, error):
    # A stock: a count over a period (a flow) without its start is refused sooner, "say since when".
    measure = make_measure(kind=Measure.Kind.STOCK)
    figure = Figure(measure=measure, source=make_source(), value=1, as_of_on=D(2026, 1, 1), country="BY", **dates)
    with pytest.raises(ValidationError) as refused:
        figure.full_clean()
    assert error in refused.value.messages


def test_a_period_cannot_end_after_the_figures_date_to_the_precision_both_are_known(pardoned):
    figure = Figure(measure=pardoned, source=make_source(), value=1, country="BY", **IN_2025)
    figure.as_of_on, figure.as_of_on_precision = D(2025, 11, 1), "month"
    with pytest.raises(ValidationError) as refused:
        figure.full_clean()
    assert refused.value.message_dict["period_end_on"] == [
        "The period cannot end after the date the figure describes (November 2025): "
        "for a count over a period that has ended, the as-of date is the period's end or later."
    ]
    # "As of 2025" may be its last day: a period ending in December 2025 fits it.
    figure.as_of_on, figure.as_of_on_precision = D(2025, 1, 1), "year"
    figure.period_end_on, figure.period_end_on_precision = D(2025, 12, 1), "month"
    figure.full_clean()


def test_an_import_takes_the_periods_end_and_the_export_gives_it_back(editor, pardoned):  # noqa: F811
    make_source(url="https://news.example/held")
    import_sheet(
        FigureImporter,
        editor,
        figure_sheet(measure="pardoned", as_of="2026-01", period_start="2025", period_end="2025-12"),
    )
    figure = Figure.objects.get()
    assert (figure.period_end_on, figure.period_end_on_precision) == (D(2025, 12, 1), "month")
    assert str(figure.period) == "in 2025"
    make_measure(slug="held-stock", kind=Measure.Kind.STOCK)
    plan = plan_sheet(FigureImporter, editor, figure_sheet(measure="held-stock", as_of="2026-01", period_end="2025"))
    assert [row.errors for row in plan.rows] == [["A period that ends needs its start too: say since when it counts."]]
