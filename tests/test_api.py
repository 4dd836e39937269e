"""The JSON API: the pages' rows under the pages' filters, keyset pages, JSON errors, a schema without private fields."""

import csv
import io

import pytest

from events.models import Event
from tests.factories import make_detention, make_event, make_many, make_person, make_user
from tests.planted import DRAFT, world  # noqa: F401 (a fixture)
from tracker.publishing import Status

pytestmark = pytest.mark.django_db

LISTS = ["events", "releases", "figures", "measures", "prisoners", "sources"]


def get(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, (path, response.content[:500])
    assert response["Content-Type"] == "application/json"
    return response.json()


def every_row(client, path):
    """Every row of a list, following `next` from page to page."""
    rows = []
    while path:
        body = get(client, path)
        rows += body["results"]
        path = body["next"]
    return rows


def csv_column(client, path, column):
    body = b"".join(client.get(path).streaming_content).decode("utf-8-sig")
    return [row[column] for row in csv.DictReader(io.StringIO(body))]


# The same filters as the pages: the API lists the rows the CSV (tested against the page) holds.
SAME_ROWS = {
    "events": (
        "/timeline.csv",
        "uid",
        ["", "?kind=meeting", "?country=us", "?start=2025-01-01&end=2025-10-01&order=oldest", "?q=envoy"],
    ),
    "releases": ("/releases.csv", "uid", ["", "?country=BY", "?year=2024", "?year=2025&deprecated=1"]),
    "prisoners": (
        "/prisoners.csv",
        "person_uid",
        ["", "?status=held", "?detained_year=2022", "?article=342", "?status=deported", "?q=Бяляцкі"],
    ),
    "sources": ("/sources.csv", "uid", ["", "?kind=ngo_report", "?kind=news_report"]),
}


@pytest.mark.parametrize("name", SAME_ROWS)
def test_each_list_holds_the_rows_of_its_page_under_each_filter(client, world, name):
    csv_path, column, queries = SAME_ROWS[name]
    sizes = set()
    for query in queries:
        api = [row["uid"] for row in every_row(client, f"/api/v1/{name}/{query}")]
        assert len(api) == len(set(api)), query
        expected = set(csv_column(client, csv_path + query, column))
        assert set(api) == expected, query
        sizes.add(len(api))
    assert len(sizes) > 1


def test_figures_list_takes_the_figures_page_filters_and_the_measure(client, world):
    current = every_row(client, "/api/v1/figures/")
    assert {row["uid"] for row in current} == set(csv_column(client, "/figures.csv", "uid"))
    assert all(row["rank"] != "deprecated" for row in current)
    with_deprecated = every_row(client, "/api/v1/figures/?deprecated=1")
    assert len(with_deprecated) == len(current) + 1
    lithuania = every_row(client, "/api/v1/figures/?country=lt")
    assert [row["value"] for row in lithuania] == [5]
    held = every_row(client, "/api/v1/figures/?measure=held")
    assert {row["measure_slug"] for row in held} == {"held"} and len(held) == 2
    measures = every_row(client, "/api/v1/measures/")
    assert [m["slug"] for m in measures] == ["held", "released-in-event"]
    assert measures[0]["figures_api_url"] == "http://testserver/api/v1/figures/?measure=held"
    assert get(client, measures[0]["api_url"])["name"] == "political prisoners held"


def test_a_figure_keeps_its_number_qualifier_and_imprecise_dates(client, world):
    ranged = every_row(client, "/api/v1/figures/?measure=released-in-event")[0]
    assert (ranged["value"], ranged["qualifier"], ranged["upper_value"], ranged["in_words"]) == (
        40,
        "range",
        52,
        "between 40 and 52",
    )
    assert ranged["event"]["title"] == "Вызваленне 52 чалавек"
    assert ranged["source"]["title"] == "Вясна: палітвязні на волі"
    assert get(client, ranged["api_url"])["uid"] == ranged["uid"]


def test_an_event_with_links_sources_and_month_precision(client, world):
    release = get(client, f"/api/v1/events/{world['release'].uid}/")
    assert (release["date"], release["date_precision"], release["kind"]) == ("2025-09", "month", "release")
    assert release["release"]["mode"] == "exchange"
    assert [(link["relation"], link["event"]["title"]) for link in release["related_events"]] == [
        ("in exchange for", "Belavia sanctions lifted")
    ]
    # The link reads the other way from the other end, and points back.
    other = get(client, release["related_events"][0]["event"]["api_url"])
    assert [(link["relation"], link["direction"], link["event"]["uid"]) for link in other["related_events"]] == [
        ("given in exchange for", "incoming", release["uid"])
    ]
    meeting = get(client, f"/api/v1/events/{world['meeting'].uid}/")
    names = [participant["name"] for participant in meeting["participants"]]
    assert names == ["John Coale", "Name withheld"]
    assert meeting["participants"][1]["person_url"] is None and meeting["participants"][1]["person_api_url"] is None
    assert get(client, meeting["participants"][0]["person_api_url"])["name"] == "John Coale"


def test_a_person_shown_by_initials_shows_only_what_the_page_shows(client, world):
    person = get(client, f"/api/v1/prisoners/{world['initials'].uid}/")
    assert (person["name"], person["is_named"], person["region"], person["birth_year"]) == ("I. I.", False, "", None)
    [detention] = person["detentions"]
    assert (detention["detained"], detention["detained_precision"], detention["facility"], detention["sentence"]) == (
        "2022",
        "year",
        "",
        "",
    )
    assert detention["charges"] == [{"article": "342", "code": "Criminal Code", "description": ""}]


def test_release_ledger_counts_withheld_people_without_naming_them(client, world):
    [row] = every_row(client, "/api/v1/releases/?year=2025")
    assert row["named_released"] == 2
    assert [figure["in_words"] for figure in row["figures"]] == ["between 40 and 52"]


def test_withheld_people_are_counted_only_without_revealing_filters(client, world):
    assert get(client, "/api/v1/prisoners/")["withheld"] == 1
    assert get(client, "/api/v1/prisoners/?status=held")["withheld"] == 1
    assert get(client, "/api/v1/prisoners/?article=342")["withheld"] is None


def test_a_signed_in_editor_gets_what_the_public_gets(client, world):
    public = client.get("/api/v1/events/?page_size=500").content
    client.force_login(make_user("Editor"))
    assert client.get("/api/v1/events/?page_size=500").content == public
    assert DRAFT not in public.decode()


# --- Keyset pages ------------------------------------------------------------------


def test_pages_follow_each_other_without_gaps_or_repeats_even_on_equal_dates(client, db):
    make_many(7)
    for day in range(5):
        # Several events on one day: the uid decides their order.
        make_event(title=f"Same day {day}")
    everything = get(client, "/api/v1/events/?page_size=500")["results"]
    assert get(client, "/api/v1/events/?page_size=500")["next"] is None
    paged = every_row(client, "/api/v1/events/?page_size=2")
    assert [row["uid"] for row in paged] == [row["uid"] for row in everything]
    dates = [(row["date"], row["uid"]) for row in everything]
    assert dates == sorted(dates, reverse=True)
    oldest = every_row(client, "/api/v1/events/?page_size=3&order=oldest")
    assert [row["uid"] for row in oldest] == [row["uid"] for row in reversed(everything)]


def test_next_link_keeps_the_filters(client, db):
    make_many(5)
    body = get(client, "/api/v1/events/?kind=release&page_size=2")
    assert "kind=release" in body["next"] and "page_size=2" in body["next"] and "cursor=" in body["next"]
    assert len(every_row(client, "/api/v1/events/?kind=release&page_size=2")) == 5


def test_a_deep_page_costs_what_the_first_costs(client, db, django_assert_num_queries):
    make_many(30)
    first = get(client, "/api/v1/prisoners/?page_size=5")
    path = first["next"]
    for _ in range(4):
        path = get(client, path)["next"]
    with django_assert_num_queries(count_queries(client, "/api/v1/prisoners/?page_size=5")):
        assert len(get(client, path)["results"]) == 5


def count_queries(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return len(captured)


# How many queries one page of each list costs, whatever the number of rows.
# Nothing cached yet. Filter choices are read only to check a value given for them (none here);
# where a cached value is read, the data version it is cached under is read first (1).
QUERIES = {
    # Events: 1; participants, citations, outgoing, incoming links, figures, release details: 6.
    "events": 7,
    # Version: 1; filter choices: 1; releases with counts: 1; figures, links both ways, participants, citations,
    # release details: 6.
    "releases": 9,
    # Version: 1; filter choices (countries, measures): 2; figures with measure, source, attribution, event: 1.
    "figures": 4,
    # Measures: 1 (no filter, no version).
    "measures": 1,
    # The page's people: 1; withheld count, from the totals the database keeps: 1 (no version read);
    # their detentions, charges, releases: 3.
    "prisoners": 5,
    # Version: 1; publisher choices: 1; sources: 1; citations, figures: 2.
    "sources": 5,
}


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("count", [10, 1000])
def test_a_page_costs_a_fixed_number_of_queries(client, db, django_assert_num_queries, name, count):
    make_many(count)
    with django_assert_num_queries(QUERIES[name]):
        body = get(client, f"/api/v1/{name}/?page_size=500")
    assert len(body["results"]) == (1 if name == "measures" else min(count + (name == "events"), 500))


# --- Errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, parameter",
    [
        ("/api/v1/events/?kind=party", "kind"),
        ("/api/v1/events/?start=soon", "start"),
        ("/api/v1/events/?start=2025-10-01&end=2025-01-01", "parameters"),
        ("/api/v1/releases/?deprecated=2", "deprecated"),
        ("/api/v1/figures/?country=XX", "country"),
        ("/api/v1/figures/?measure=nothing", "measure"),
        ("/api/v1/prisoners/?detained_year=abc", "detained_year"),
        ("/api/v1/prisoners/?detained_year=99999", "detained_year"),
        ("/api/v1/prisoners/?order=newest", "order"),
        ("/api/v1/prisoners/?name=Secretus", "name"),
        ("/api/v1/sources/?kind=rumour", "kind"),
        ("/api/v1/events/?format=xml", "format"),
        ("/api/v1/events/?page_size=0", "page_size"),
        ("/api/v1/events/?page_size=501", "page_size"),
        ("/api/v1/events/?page_size=ten", "page_size"),
        ("/api/v1/events/?cursor=nonsense", "cursor"),
        ("/api/v1/events/?cursor=WyIyMDI1LTEyLTAxIl0", "cursor"),  # a valid cursor of the wrong length
        ("/api/v1/events/?cursor=WyJ4IiwgInkiXQ", "cursor"),  # ["x", "y"]: not a date and a uid
        ("/api/v1/measures/?q=held", "q"),
    ],
)
def test_invalid_parameters_are_a_400_naming_the_parameter(client, world, path, parameter):
    body = get(client, path, status=400)
    assert body["detail"] == "These parameters cannot be applied."
    assert list(body["errors"]) == [parameter]
    assert all(isinstance(message, str) and message for message in body["errors"][parameter])


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/events/00000000-0000-4000-8000-000000000000/",
        "/api/v1/prisoners/00000000-0000-4000-8000-000000000000/",
        "/api/v1/measures/nothing/",
        "/api/v1/nothing/",
        "/api/",
        "/api/v2/events/",
    ],
)
def test_unknown_addresses_are_a_json_404(client, db, path):
    assert "detail" in get(client, path, status=404)


def test_drafts_and_withheld_people_are_a_404_like_anything_missing(client, world):
    draft = make_event(title="A draft", status=Status.DRAFT)
    assert get(client, f"/api/v1/events/{draft.uid}/", status=404) == get(
        client, "/api/v1/events/00000000-0000-4000-8000-000000000000/", status=404
    )
    get(client, f"/api/v1/prisoners/{world['hidden'].uid}/", status=404)
    unpublished = make_person(status=Status.IN_REVIEW)
    make_detention(person=unpublished)
    get(client, f"/api/v1/prisoners/{unpublished.uid}/", status=404)


def test_the_api_is_read_only(client, world):
    before = Event.objects.count()
    for method in (client.post, client.put, client.patch, client.delete):
        response = method("/api/v1/events/", data="{}", content_type="application/json")
        assert response.status_code == 405
        assert response.json()["detail"]
    assert Event.objects.count() == before


# --- The schema and its page ---------------------------------------------------------

# Stored fields that no public output has: the schema must not even name them.
PRIVATE = {
    "internal_notes",
    "external_id",
    "identity_level",
    "search_key",
    "version",
    "status",
    "created_at",
    "updated_at",
    "pk",
    "id",
    "person_id",
}


def properties(schema):
    """Every property name anywhere in the schema."""
    names = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                names |= set(value)
            names |= properties(value)
    elif isinstance(schema, list):
        for value in schema:
            names |= properties(value)
    return names


def test_the_schema_describes_every_list_and_no_private_field(client, world):
    schema = client.get("/api/v1/schema.json").json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for name in LISTS:
        operation = paths[f"/api/v1/{name}/"]["get"]
        parameters = {parameter["name"] for parameter in operation["parameters"]}
        assert {"cursor", "page_size"} <= parameters
        assert set(operation["responses"]) == {"200", "400"}
        page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert {"next", "results"} <= set(schema["components"]["schemas"][page]["required"])
        error = operation["responses"]["400"]["content"]["application/json"]["schema"]["$ref"]
        assert error == "#/components/schemas/ApiError"
    assert "withheld" in schema["components"]["schemas"]["PaginatedPersonList"]["required"]
    assert {p["name"] for p in paths["/api/v1/prisoners/"]["get"]["parameters"]} == {
        "q",
        "status",
        "region",
        "facility",
        "article",
        "detained_year",
        "released_year",
        "release",
        "order",
        "cursor",
        "page_size",
    }
    names = properties(schema)
    assert {"uid", "url", "api_url", "next", "results", "withheld", "named_released", "in_words"} <= names
    assert not names & PRIVATE
    yaml = client.get("/api/v1/schema.yaml")
    assert yaml.status_code == 200 and b"openapi: 3" in yaml.content


def test_the_documentation_page_loads_nothing_from_elsewhere(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    for host in ("cdn.", "unpkg", "jsdelivr", "cdnjs"):
        assert host not in html
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and b"/api/v1/schema.json" in script.content


def test_the_index_links_everything(client, db):
    index = get(client, "/api/v1/")
    assert set(index) == {*LISTS, "schema", "documentation"}
    for url in index.values():
        assert client.get(url.removeprefix("http://testserver")).status_code == 200
