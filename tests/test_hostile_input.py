"""Hostile input on every public URL, API parameter, admin search and import: never a crash, a hang or a 500.

Hypothesis writes the requests: the parameters each page knows and others,
with values from names in every script to control characters, NUL bytes,
lone surrogates, direction marks, unicode digits, huge numbers and long
strings; path values that are not UUIDs, slugs or file names; searches in the
admin; generated sheets for the import. The API's parameters come from its own
OpenAPI schema, with values of the declared type and of every other.

Every request runs in the probe worker (tests/crashproof.py), on the planted
world: one that kills the process (a segfault, as a one-letter word before a
surname once did on SQLite), never ends, or answers 500 fails with its exact
input, and the run goes on. How fast each answer comes is a benchmark, not a
test: run with PROBE_TIMED=1 (`PROBE_TIMED=1 .venv/bin/python -m pytest
tests/test_hostile_input.py`), an answer past 2 s fails too. The inputs issue 12 found are
explicit examples in tests/test_fuzz_regressions.py; here they are only
likely.
"""

import csv
import io
import json
from urllib.parse import quote

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tests.crashproof import Request
from tracker.imports import PeopleImporter

pytest_plugins = ["tests.crashproof"]

# Examples per test (per page for the parametrized ones): the whole file runs
# in about half a minute on two cores, a few hundred requests in all.
EXAMPLES = 20
hostile = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# What a page may answer to anything: itself, a redirect, or a refusal in words.
ANSWERS = {200, 301, 302, 400, 404}

PAGES = [
    "/",
    "/timeline/",
    "/releases/",
    "/figures/",
    "/figures/held/",
    "/prisoners/",
    "/sources/",
    "/data/",
    "/timeline.csv",
    "/timeline.xlsx",
    "/timeline.timelinejs.json",
    "/releases.csv",
    "/releases.xlsx",
    "/figures.csv",
    "/figures.xlsx",
    "/prisoners.csv",
    "/prisoners.xlsx",
    "/sources.csv",
    "/sources.xlsx",
    "/feeds/timeline.atom",
    "/feeds/BY.atom",
    "/api/v1/",
    "/api/v1/schema.json",
]
# Every parameter a public page or download reads, and some it does not.
NAMES = [
    "q",
    "status",
    "region",
    "facility",
    "article",
    "detained_year",
    "released_year",
    "release",
    "order",
    "page",
    "page_size",
    "kind",
    "country",
    "start",
    "end",
    "year",
    "deprecated",
    "person",
    "publisher",
    "format",
    "cursor",
    "name",
    "ordering",
    "search",
    "birth_year",
    "internal_notes",
    "limit",
    "offset",
    "id",
    "uid",
    "__proto__",
]

# --- Values ---------------------------------------------------------------------------

# The scripts names and searches come in: Belarusian and Russian Cyrillic (ў, і),
# Latin with diacritics (Łacinka, Polish, Czech-style romanisations), Arabic,
# Hebrew and CJK.
SCRIPTS = [
    "абвгдеёжзійклмнопрстуўфхцчшщъыьэюяАБВГДЕЁЖЗІЙКЛМНОПРСТУЎФХЦЧШЫЬЭЮЯїєґ'’ʼ",
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZčšžćńŭłśźżéèëñøåüößÇÀÉĆČŁŃŚŠŽŹŻ",
    "".join(chr(code) for code in range(0x0621, 0x064B)),
    "".join(chr(code) for code in range(0x05D0, 0x05EB)),
    "".join(chr(code) for code in range(0x4E00, 0x4E00 + 500)),
]
words = st.one_of(*(st.text(alphabet=script, min_size=2, max_size=14) for script in SCRIPTS))
letters = st.one_of(*(st.sampled_from(script) for script in SCRIPTS))
# Marks that set or override the direction of text, and invisible joiners and spaces.
marks = st.sampled_from(
    [
        "\u200e",
        "\u200f",
        "\u061c",
        "\u202a",
        "\u202b",
        "\u202c",
        "\u202d",
        "\u202e",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u200b",
        "\u200d",
        "\ufeff",
        "\u00a0",
        "\u3000",
    ]
)
controls = st.characters(categories=["Cc"])  # C0, DEL and C1, NUL included
surrogates = st.characters(categories=["Cs"])  # half of a pair, alone: not encodable as UTF-8
# Characters str.isdigit() or int() takes for digits, and some neither does.
digits = st.sampled_from(["²", "¹", "①", "٣", "Ⅻ", "１２", "𝟗", "४", "½", "๓", "⁵"]) | st.text(
    alphabet=st.characters(categories=["Nd", "Nl", "No"]), min_size=1, max_size=6
)
huge = st.integers(min_value=-(10**40), max_value=10**40).map(str) | st.sampled_from(
    ["9" * 400, "1e308", "1e999", "-0", "+1", "0x1F", "1_000", "NaN", "inf", "2147483648", "9223372036854775808"]
)
searches = st.one_of(
    st.lists(words, min_size=1, max_size=3).map(" ".join),
    # A one-letter word, then a longer one: SQLite 3.40's FTS5 segfaulted on
    # `S Tsikhanouski`.
    st.tuples(letters, words).map(" ".join),
    st.tuples(words, letters, words).map(" ".join),
    st.sampled_from(["S Tsikhanouski", "A Ivanou", "я Ціханоўскі", "Алесь Бяляцкі", "Bialiatski", "Ціханоўскі С."]),
    # Names with anything inside.
    st.lists(st.one_of(words, letters, marks, controls, surrogates, digits, st.just(" ")), min_size=1, max_size=8).map(
        "".join
    ),
)
values = st.one_of(
    searches,
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.lists(st.one_of(controls, surrogates, marks), min_size=1, max_size=5).map("".join),
    digits,
    huge,
    st.dates().map(str),
    st.binary(max_size=16),  # bytes that are not UTF-8, sent as they are
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "%00",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            '=HYPERLINK("x")',
            "../../etc/passwd",
            "2025-02-30",
            "2025-13-01",
            "0000-01-01",
            "99999-01-01",
            "held",
            "BY",
            "by",
            "ZZ",
            "00000000-0000-0000-0000-000000000000",
            "\u202e",
            "\ud800",
            "\udfff",
            " ",
            "",
            "x" * 5000,
        ]
    ),
)
queries = st.lists(st.tuples(st.sampled_from(NAMES) | st.text(min_size=1, max_size=12), values), max_size=6)


# --- Public pages and downloads ---------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
@hostile
@given(query=queries)
def test_generated_query_strings_never_fail_a_public_page(prober, page, query):
    assert prober.get(page, query).status in ANSWERS


# The pages that search names: every kind of name, and names with anything inside.
@pytest.mark.parametrize("page", ["/prisoners/", "/prisoners.csv", "/api/v1/prisoners/", "/timeline/"])
@hostile
@given(q=searches)
def test_generated_searches_never_fail(prober, page, q):
    assert prober.get(page, {"q": q}).status in (200, 400)


@hostile
@given(
    prefix=st.sampled_from(
        [
            "/events/",
            "/prisoners/",
            "/figures/",
            "/data/package/",
            "/feeds/",
            "/api/v1/events/",
            "/api/v1/prisoners/",
            "/api/v1/figures/",
            "/api/v1/measures/",
            "/api/v1/sources/",
            "/api/v1/",
        ]
    ),
    value=st.text(min_size=1, max_size=80) | searches,
    suffix=st.sampled_from(["/", "", ".atom", ".csv", "/?page=2"]),
)
def test_generated_path_values_never_fail(prober, prefix, value, suffix):
    path = f"{prefix}{quote(value, safe='', errors='surrogatepass')}{suffix}"
    assert prober.probe(Request(path)).status in ANSWERS


# --- The API, parameter by parameter from its schema -----------------------------------


@pytest.fixture(scope="module")
def api_parameters(prober):
    """{path: [(name, declared type)]} of the API's list endpoints, read from its own OpenAPI schema."""
    schema = json.loads(prober.get("/api/v1/schema.json", body=True).text)
    found = {}
    for path, operations in schema["paths"].items():
        if "{" in path or "get" not in operations:
            continue
        found[path] = [
            (p["name"], p.get("schema", {}).get("type", "string"))
            for p in operations["get"].get("parameters", [])
            if p.get("in") == "query"
        ]
    return found


TYPED = {
    "integer": st.integers(min_value=-(10**12), max_value=10**12).map(str) | digits | huge,
    "number": st.floats(allow_nan=True, allow_infinity=True).map(str),
    "boolean": st.sampled_from(["true", "false", "1", "0", "yes", "²", "\x00"]),
    "string": st.text(max_size=60) | searches,
}


@hostile
@given(data=st.data())
def test_every_api_parameter_of_the_schema_with_values_of_every_type(prober, api_parameters, data):
    path = data.draw(st.sampled_from(sorted(api_parameters)))
    names = api_parameters[path]
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names))) if names else []
    query = [(name, data.draw(TYPED.get(kind, TYPED["string"]) | values)) for name, kind in chosen]
    answer = prober.get(path, query)
    assert answer.status in (200, 400)
    assert answer.content_type.startswith("application/json")


def test_the_schema_declares_the_lists_parameters(api_parameters):
    """The generated API requests are only as good as the schema: it names the filters each list takes."""
    parameters = {path: {name for name, _ in names} for path, names in api_parameters.items()}
    assert {"status", "region", "facility", "article", "q", "page_size", "cursor"} <= parameters["/api/v1/prisoners/"]
    assert {"kind", "country", "start", "end", "page_size", "cursor"} <= parameters["/api/v1/events/"]


# --- The admin: searches and the import, as an editor -----------------------------------

CHANGELISTS = [
    "/admin/tracker/person/",
    "/admin/tracker/detention/",
    "/admin/tracker/organization/",
    "/admin/tracker/source/",
    "/admin/events/event/",
    "/admin/events/figure/",
    "/admin/events/measure/",
]


@pytest.mark.parametrize("changelist", CHANGELISTS)
@hostile
@given(q=searches | values)
def test_generated_admin_searches_never_fail(prober, changelist, q):
    assert prober.get(changelist, {"q": q}, role="editor").status == 200


# A generated sheet is previewed with its errors in words, never a 500, and the
# preview writes nothing; a sheet with any error offers nothing to confirm.

# The people import's own columns, read from the importer, so a new column is generated too.
COLUMNS = list(PeopleImporter.HEADER)
cells = st.one_of(
    values.filter(lambda value: isinstance(value, str)),
    st.sampled_from(
        [
            "full",
            "initials",
            "withheld",
            "held",
            "released",
            "BY",
            "2021",
            "2021-05",
            "2021-05-07",
            "342 | 361-1",
            "pardon",
            "12",
        ]
    ),
)
REFUSED = "Nothing can be imported while the sheet has errors"


def sheet(kind, header, rows):
    """(file name, bytes) of a CSV, or of a workbook holding what a workbook can."""
    if kind == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows([header, *rows])
        return "people.csv", buffer.getvalue().encode("utf-8", "surrogatepass")
    book = openpyxl.Workbook()
    for row in [header, *rows]:
        # XML cannot hold control characters or lone surrogates: a workbook never has them.
        book.active.append([ILLEGAL_CHARACTERS_RE.sub("", cell).encode("utf-8", "ignore").decode() for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return "people.xlsx", buffer.getvalue()


@hostile
@given(
    kind=st.sampled_from(["csv", "xlsx"]),
    header=st.lists(st.sampled_from(COLUMNS) | st.text(max_size=12), min_size=1, max_size=8, unique=True),
    rows=st.lists(st.lists(cells, min_size=0, max_size=9), max_size=5),
)
def test_a_generated_sheet_is_previewed_in_words_and_writes_nothing(prober, kind, header, rows):
    upload = sheet(kind, header, rows)
    answer = prober.probe(
        Request(
            "/admin/tracker/person/import/",
            method="POST",
            role="editor",
            file=upload,
            label="a generated sheet",
            find=[REFUSED],
        )
    )
    assert answer.status in (200, 400)
    assert not answer.wrote
    counts = answer.context.get("counts")
    if counts and counts.get("error"):
        assert answer.context["token"] == ""
        assert answer.found[REFUSED]
