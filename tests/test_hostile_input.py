"""Hostile input on every public URL: generated query strings and path values never cause a 500 or a slow answer.

Hypothesis writes the requests: the parameters each page knows and others,
with values from plain words to control characters, NUL bytes, huge numbers,
odd Unicode and long strings; path values that are not UUIDs, slugs or file
names. The API's parameters come from its own OpenAPI schema, with values of
the declared type and of every other. Every answer must be below 500, and
no request may take longer than BOUND seconds on this small data.
"""
import time
from urllib.parse import quote, urlencode

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.planted import world  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

BOUND = 3.0  # seconds, for one request on the planted world
EXAMPLES = 40

PAGES = ["/", "/timeline/", "/releases/", "/figures/", "/figures/held/", "/prisoners/", "/sources/", "/data/",
         "/timeline.csv", "/timeline.xlsx", "/timeline.timelinejs.json", "/releases.csv", "/figures.csv", "/prisoners.csv",
         "/prisoners.xlsx", "/sources.csv", "/feeds/timeline.atom", "/feeds/BY.atom", "/api/v1/", "/api/v1/schema.json"]
# Every parameter a public page or download reads, and some it does not.
NAMES = ["q", "status", "region", "facility", "article", "detained_year", "released_year", "release", "order", "page",
         "page_size", "kind", "country", "start", "end", "year", "deprecated", "person", "publisher", "format", "cursor",
         "name", "ordering", "search", "birth_year", "internal_notes", "limit", "offset", "id", "uid", "__proto__"]

values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["\x00", "a\x00b", "%00", "' OR 1=1 --", "<script>alert(1)</script>", "=HYPERLINK(\"x\")", "../../etc/passwd",
                     "9" * 40, "-1", "0", "1e308", "NaN", "2025-02-30", "2025-13-01", "0000-01-01", "99999-01-01", "held",
                     "BY", "by", "ZZ", "00000000-0000-0000-0000-000000000000", "٣", "Ⅻ", "\u202e", "\ud7ff", " ", ""]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(str),
)
queries = st.lists(st.tuples(st.sampled_from(NAMES) | st.text(min_size=1, max_size=12), values), max_size=6)


def fetch(client, path):
    started = time.perf_counter()
    response = client.get(path)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response, time.perf_counter() - started


def well_answered(client, path):
    response, seconds = fetch(client, path)
    assert response.status_code < 500, (path, response.status_code)
    assert seconds < BOUND, (path, seconds)
    return response


hostile = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.parametrize("page", PAGES)
@hostile
@given(query=queries)
def test_generated_query_strings_never_fail_a_public_page(client, world, page, query):
    cache.clear()
    well_answered(client, f"{page}?{urlencode(query)}")


@hostile
@given(
    prefix=st.sampled_from(["/events/", "/prisoners/", "/figures/", "/data/package/", "/feeds/", "/api/v1/events/",
                            "/api/v1/prisoners/", "/api/v1/figures/", "/api/v1/measures/", "/api/v1/sources/", "/api/v1/"]),
    value=st.text(min_size=1, max_size=80),
    suffix=st.sampled_from(["/", "", ".atom", ".csv", "/?page=2"]),
)
def test_generated_path_values_never_fail(client, world, prefix, value, suffix):
    cache.clear()
    well_answered(client, f"{prefix}{quote(value, safe='')}{suffix}")


def api_parameters(client):
    """{path: [(name, declared type)]} of the API's list endpoints, read from its own OpenAPI schema."""
    schema = client.get("/api/v1/schema.json").json()
    found = {}
    for path, operations in schema["paths"].items():
        if "{" in path or "get" not in operations:
            continue
        found[path] = [(p["name"], p.get("schema", {}).get("type", "string")) for p in operations["get"].get("parameters", [])
                       if p.get("in") == "query"]
    return found


TYPED = {
    "integer": st.integers(min_value=-(10**12), max_value=10**12).map(str),
    "number": st.floats(allow_nan=True, allow_infinity=True).map(str),
    "boolean": st.sampled_from(["true", "false", "1", "0", "yes"]),
    "string": st.text(max_size=60),
}


@hostile
@given(data=st.data())
def test_every_api_parameter_of_the_schema_with_values_of_every_type(client, world, data):
    parameters = api_parameters(client)
    assert parameters, "the schema lists the API's endpoints"
    path = data.draw(st.sampled_from(sorted(parameters)))
    names = parameters[path]
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names))) if names else []
    query = [(name, data.draw(TYPED.get(kind, TYPED["string"]) | values)) for name, kind in chosen]
    cache.clear()
    response = well_answered(client, f"{path}?{urlencode(query)}")
    if response.status_code == 200:
        assert response["Content-Type"].startswith("application/json")


def test_the_schema_declares_the_lists_parameters(client, world):
    """The generated API requests are only as good as the schema: it names the filters each list takes."""
    parameters = {path: {name for name, _ in names} for path, names in api_parameters(client).items()}
    assert {"status", "region", "facility", "article", "q"} <= parameters["/api/v1/prisoners/"]
    assert {"kind", "country", "start", "end"} <= parameters["/api/v1/events/"]


# The admin's import: a generated sheet is previewed with its errors in words, never a 500, and the
# preview writes nothing; a sheet with any error offers nothing to confirm.

COLUMNS = ["name", "identity_level", "birth_year", "country", "detained_on", "custody_status", "released_on", "release_mode",
           "articles", "sentence_months", "person_uid", "person_external_id", "name_variants", "recognised_by", "source_urls"]
cells = st.one_of(values, st.sampled_from(["full", "initials", "withheld", "held", "released", "BY", "2021", "2021-05",
                                           "2021-05-07", "342 | 361-1", "pardon", "12"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(header=st.lists(st.sampled_from(COLUMNS) | st.text(max_size=12), min_size=1, max_size=8, unique=True),
       rows=st.lists(st.lists(cells, min_size=0, max_size=9), max_size=5))
def test_a_generated_sheet_is_previewed_in_words_and_writes_nothing(client, world, tmp_path, header, rows):
    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings

    from tests.factories import make_user
    from tracker.models import Detention, NameVariant, Person
    from tracker.roles import EDITOR

    editor = make_user(EDITOR)
    client.force_login(editor)
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    counts = lambda: (Person.objects.count(), Detention.objects.count(), NameVariant.objects.count())  # noqa: E731
    before = counts()
    with override_settings(IMPORT_TMP_DIR=tmp_path):
        response = client.post("/admin/tracker/person/import/", {"file": SimpleUploadedFile("people.csv", buffer.getvalue().encode())})
    assert response.status_code in (200, 400), response.status_code
    assert counts() == before
    plan = response.context.get("plan") if response.context else None
    if plan is not None and plan.counts["error"]:
        assert response.context["token"] == ""
        assert "Nothing can be imported while the sheet has errors" in response.content.decode()
