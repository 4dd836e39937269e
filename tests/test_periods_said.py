"""Issue #15 point 8: every figure, everywhere, says over which period it counts."""

import csv
import datetime
import io

import pytest

from events.models import Measure
from tests.factories import make_citation, make_event, make_figure, make_measure, make_source

pytestmark = pytest.mark.django_db

JULY_2024 = {"period_start_on": datetime.date(2024, 7, 1), "period_start_on_precision": "month"}


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_home_pages_other_reports_say_their_period(client):
    measure = make_measure(name="prisoners released", kind=Measure.Kind.FLOW)
    make_figure(measure=measure, value=430, qualifier="more_than", rank="preferred", **JULY_2024)
    make_figure(
        measure=measure,
        value=1200,
        qualifier="more_than",
        as_of_on=datetime.date(2025, 11, 1),
        period_start_on=datetime.date(2020, 1, 1),
        period_start_on_precision="year",
    )
    html = page(client, "/?country=BY")
    assert "<strong>over 430</strong> prisoners released since July 2024" in html
    others = html.split('<details class="other-reports">')[1].split("</details>")[0]
    assert "<strong>over 1,200</strong> since 2020, as of 1 November 2025" in others


def test_an_events_figures_say_their_period_on_its_page_its_card_and_in_the_csv(client):
    event = make_event(title="A statement")
    make_citation(event=event)
    measure = make_measure(name="prisoners released", kind=Measure.Kind.FLOW)
    make_figure(event=event, measure=measure, value=430, qualifier="more_than", **JULY_2024)
    make_figure(event=event, measure=make_measure(name="people freed"), value=52, qualifier="exact")
    assert "<strong>over 430</strong> prisoners released since July 2024 —" in page(client, event.get_absolute_url())
    assert "<strong>over 430</strong> prisoners released since July 2024 <span" in page(client, "/timeline/")
    assert "<strong>52</strong> people freed <span" in page(client, "/timeline/")
    response = client.get("/timeline.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert set(rows[0]["figures"].split(" | ")) == {"52 people freed", "over 430 prisoners released since July 2024"}


def test_a_sources_figures_say_their_period_in_the_csv(client):
    source = make_source(title="The source")
    make_figure(source=source, measure=make_measure(name="prisoners released", kind="flow"), value=430, **JULY_2024)
    response = client.get("/sources.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row["figures"] for row in rows if row["title"] == "The source"] == [
        "about 430 prisoners released since July 2024"
    ]


def test_almost_is_said_as_the_source_says_it_everywhere(client):
    from events.models import Figure

    measure = make_measure(name="political prisoners held", slug="held-almost", kind=Measure.Kind.STOCK)
    figure = make_figure(measure=measure, value=1200, qualifier=Figure.Qualifier.ALMOST)
    assert "<strong>almost 1,200</strong> political prisoners held" in page(client, "/?country=BY")
    assert "almost 1,200" in page(client, "/figures/held-almost/")
    response = client.get("/figures.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [(row["qualifier"], row["in_words"]) for row in rows if row["uid"] == str(figure.uid)] == [
        ("almost", "almost 1,200")
    ]
    api = client.get(f"/api/v1/figures/{figure.uid}/").json()
    assert (api["qualifier"], api["in_words"]) == ("almost", "almost 1,200")


def legend(svg):
    import re

    return re.search(r"<desc id=\"[^\"]*\">.*?named\): (.*?)\. A filled shape", svg, re.S).group(1)


def test_an_organisations_counts_are_one_series_whoever_quoted_them(client):
    # Viasna's count, quoted by two news agencies, and Viasna's own report: one series, "Viasna" (issue #15 point 6).
    from tests.factories import make_organization

    viasna = make_organization(name="Viasna")
    measure = make_measure(name="political prisoners held", slug="held-series", kind=Measure.Kind.STOCK)
    for number, publisher in enumerate(["Agency One", "Agency Two"]):
        source = make_source(publisher=make_organization(name=publisher))
        make_figure(measure=measure, source=source, attributed_to=viasna, as_of_on=datetime.date(2025, 10 + number, 1))
    make_figure(measure=measure, source=make_source(publisher=viasna), as_of_on=datetime.date(2025, 12, 1))
    # A draft organisation names no series: the count is drawn as its source's (publisher "Agency One").
    make_figure(
        measure=measure,
        source=make_source(publisher=make_organization(name="Agency One")),
        attributed_to=make_organization(name="Hidden Monitor", status="draft"),
        as_of_on=datetime.date(2025, 9, 1),
    )
    html = page(client, "/figures/held-series/")
    names = legend(html)
    assert "Viasna (" in names and "Agency Two" not in names and "Hidden Monitor" not in html
    assert names.count("(") == 2  # Viasna, and the one source drawn as Agency One's
    home = page(client, "/?country=BY")
    assert "Viasna (" in legend(home) and "Agency Two" not in legend(home)


def test_the_according_to_line_names_the_attributed_organisation_else_the_publisher(client):
    from tests.factories import make_organization

    measure = make_measure(name="political prisoners held", slug="held-by", kind=Measure.Kind.STOCK)
    agency = make_organization(name="Agency One")
    make_figure(measure=measure, source=make_source(publisher=agency), attributed_to=make_organization(name="Viasna"))
    assert "According to Viasna, as" in page(client, "/figures/held-by/")
    other = make_measure(name="people released", slug="released-by", kind=Measure.Kind.STOCK)
    make_figure(measure=other, source=make_source(publisher=agency))
    assert "According to Agency One, as" in page(client, "/figures/released-by/")
    third = make_measure(name="people deported", slug="deported-by", kind=Measure.Kind.STOCK)
    make_figure(measure=third, source=make_source(publisher=make_organization(name="Hidden", status="draft")))
    html = page(client, "/figures/deported-by/")
    assert "According to" not in html and "Hidden" not in html
