"""Parameters that reached int() or the database as they came: a 400 in words, never a 500.

`?page_size=²` passed str.isdigit() and broke int(); a cursor is base64 of
JSON, and JSON can spell a NUL or half of a surrogate pair, which PostgreSQL
(DataError) and the UTF-8 encoder (UnicodeEncodeError) refuse. Each input
that did is an explicit example here, run on SQLite and on PostgreSQL.
"""

import base64
import datetime
import json
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from events.pagination import MAX_TEXT_KEY, decode_cursor, encode_cursor
from tests.factories import make_detention, make_figure, make_person

pytestmark = pytest.mark.django_db

LISTS = ["events", "releases", "figures", "measures", "prisoners", "sources"]
UID = "6f1c2b9e-0000-4000-8000-00000000abcd"


@pytest.fixture
def rows(db):
    """A row on each list, so that a cursor that got through would be used in a query."""
    make_detention(person=make_person(name="Ales Bialiatski"))
    make_figure()


def refused(client, path, parameter, value):
    response = client.get(path, {parameter: value})  # encoded by the client: "+5" is a plus sign
    assert response.status_code == 400, (path, value, response.content[:300])
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["detail"] == "These parameters cannot be applied."
    assert list(body["errors"]) == [parameter]
    return body["errors"][parameter]


PAGE_SIZES = [
    "²",
    "¹",
    "①",
    "³",  # str.isdigit() is true, int() fails
    "١",
    "٥٠",
    "５",  # Arabic-Indic and full-width digits: int() reads them, the API takes ASCII only
    "1" * 5000,  # more digits than int() reads
    "0" * 20 + "5",
    " 5",
    "5 ",
    "+5",
    "-5",
    "5.0",
    "0x10",
    "5\n",
    "",
]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("size", PAGE_SIZES, ids=ascii)
def test_a_page_size_that_is_not_ascii_digits_is_a_400(client, rows, name, size):
    messages = refused(client, f"/api/v1/{name}/", "page_size", size)
    assert messages == ["Give a whole number from 1 to 500."]


def cursor_of(json_text):
    """A cursor as the API writes them: URL-safe base64 of JSON, without padding."""
    return base64.urlsafe_b64encode(json_text.encode()).decode().rstrip("=")


CURSORS = {
    # /api/v1/prisoners/: (sort name, uid)
    "prisoners": [
        f'["a\\u0000b", "{UID}"]',  # NUL: PostgreSQL's DataError
        f'["\\u0000", "{UID}"]',
        f'["a\\ud800b", "{UID}"]',  # a lone surrogate: UnicodeEncodeError
        f'["\\udfff", "{UID}"]',
        f'["{"x" * (MAX_TEXT_KEY + 1)}", "{UID}"]',
        f'[1, "{UID}"]',
        f'[null, "{UID}"]',
        f'[["a"], "{UID}"]',
        '["a", "not a uid"]',
        f'["a", "{{{UID}}}"]',  # a uid Python reads, in a form the API never writes
        f'["a", "{UID.replace("-", "")}"]',
        '"a"',
        "{}",
        "[" * 5000 + "]" * 5000,  # nested deeper than the JSON parser goes
    ],
    # /api/v1/measures/: (slug,)
    "measures": ['["a\\u0000"]', '["\\ud800"]', '["\\ud83d"]', "[1]", "[true]", "[]", '["a", "b"]'],
    # /api/v1/events/ and the others: (date, uid)
    "events": [
        f'["20251201", "{UID}"]',  # a date Python reads, in a form the API never writes
        f'["2025-W49-1", "{UID}"]',
        f'["２０２５-12-01", "{UID}"]',
        f'["2025-12-01\\u0000", "{UID}"]',
        f'["2025-02-30", "{UID}"]',
        f'["2025-12-01", "{UID.upper()}"]',
        f'["2025-12-01", "urn:uuid:{UID}"]',
        f'["2025-12-01", "{"１" * 32}"]',
    ],
    "figures": ['["2025-12-01", "a\\u0000"]', f'["\\ud800", "{UID}"]'],
    "sources": ['["\\u0000"]', f'["{UID}\\u0000"]'],
}


@pytest.mark.parametrize(
    "name, text",
    [(name, text) for name, texts in CURSORS.items() for text in texts],
    ids=lambda value: ascii(value)[:60],
)
def test_a_cursor_this_api_did_not_write_is_a_400(client, rows, name, text):
    messages = refused(client, f"/api/v1/{name}/", "cursor", cursor_of(text))
    assert messages == ["This cursor is not one this API gave out: start again from the first page."]


def test_a_cursor_longer_than_any_the_api_writes_is_a_400(client, rows):
    refused(client, "/api/v1/prisoners/", "cursor", "A" * 20_000)


@pytest.mark.parametrize(
    "values, types",
    [
        (["Бяляцкі Алесь " * 21, uuid.UUID(UID)], (str, uuid.UUID)),  # a sort name of 300 Cyrillic characters
        ([datetime.date(2025, 12, 1), uuid.UUID(UID)], (datetime.date, uuid.UUID)),
        (["political-prisoners-held"], (str,)),
        (["Name with a \x0b tab"], (str,)),  # text stored before the forms refused it still pages
    ],
)
def test_every_cursor_the_api_writes_is_read_back(values, types):
    assert decode_cursor(encode_cursor(values), types) == values


def test_the_api_still_pages_through_text_keys(client, db):
    for number in range(3):
        make_detention(person=make_person(name=f"Person {number}"))
    first = client.get("/api/v1/prisoners/?page_size=2").json()
    assert first["next"]
    second = client.get(first["next"]).json()
    names = [row["name"] for row in first["results"] + second["results"]]
    assert names == ["Person 0", "Person 1", "Person 2"]
    cursor = parse_qs(urlsplit(first["next"]).query)["cursor"][0]
    assert json.loads(base64.urlsafe_b64decode(cursor + "==").decode())[0] == "person 1"


# --- The same inputs on the pages and downloads: parameters that reach int() or a date -----------

PAGES = [
    ("/timeline/?page=²", 404),
    ("/timeline/?page=①", 404),
    ("/timeline/?page=" + "9" * 5000, 404),
    ("/sources/?page=²", 404),
    ("/sources/?page=" + "9" * 5000, 404),
    ("/prisoners/?detained_year=²", 400),
    ("/prisoners/?released_year=①", 400),
    ("/prisoners/?detained_year=" + "9" * 5000, 400),
    ("/prisoners/?detained_year=99999999999999999999", 400),
    ("/prisoners.csv?detained_year=²", 400),
    ("/prisoners.xlsx?released_year=" + "1" * 5000, 400),
    # Django's date fields read full-width digits as digits: the same date, a 200.
    ("/timeline/?start=２０２５-01-01", 200),
    ("/timeline.csv?end=2025-02-30", 400),
    ("/timeline.timelinejs.json?start=99999-01-01", 400),
    ("/releases/?year=²", 400),
    ("/releases.csv?year=" + "9" * 5000, 400),
    ("/api/v1/prisoners/?detained_year=²", 400),
    ("/api/v1/events/?start=２０２５-01-01", 200),
]


@pytest.mark.parametrize("path, status", PAGES, ids=lambda value: ascii(value)[:50])
def test_unicode_digits_and_huge_numbers_on_pages_and_downloads_get_a_clear_answer(client, rows, path, status):
    response = client.get(path)
    assert response.status_code == status
