"""Every input issue 12 found, as an explicit example that runs every time, in the probe worker.

Each is a request that once crashed the process, ran for hours, or answered
500. They run through tests/crashproof.py, so a crash fails the one example
with its input and the run goes on; each must also answer (within 2 s with
PROBE_TIMED=1, a benchmark) and with the answer it should have: the person found, a 400 naming the
parameter, a refusal in words.
"""

import base64
import json

import pytest

from tests.crashproof import Request, url
from tests.probe_worker import FORMULAS
from tests.workbooks import (
    MAIN,
    XML,
    worksheet,
    xlsx,
    xlsx_declaring_a_huge_dimension,
    xlsx_sharing_long_texts,
    xlsx_with_a_tag_of_many_attributes,
)

pytest_plugins = ["tests.crashproof"]

# --- 1. A one-letter word before a longer one (SQLite 3.40's FTS5 segfault) -------------

# (query, the person it finds among those tests/probe_worker.py plants)
SEARCHES = [("S Tsikhanouski", "Siarhei Tsikhanouski"), ("A Ivanou", "Aliaksandr Ivanou"), ("я Ціханоўскі", None)]
SEARCHED = ["/prisoners/", "/prisoners.csv", "/prisoners.xlsx", "/api/v1/prisoners/"]


@pytest.mark.parametrize("query, person", SEARCHES)
@pytest.mark.parametrize("page", SEARCHED)
def test_a_one_letter_word_then_a_surname_finds_the_person(prober, page, query, person):
    answer = prober.get(page, {"q": query}, find=[person] if person else [])
    assert answer.status == 200
    if person:
        assert answer.found[person], answer.excerpt


@pytest.mark.parametrize("query, person", SEARCHES)
@pytest.mark.parametrize("changelist", ["/admin/tracker/person/", "/admin/tracker/detention/"])
def test_the_admins_search_takes_a_one_letter_word_then_a_surname(prober, changelist, query, person):
    answer = prober.get(changelist, {"q": query}, role="editor", find=[person] if person else [])
    assert answer.status == 200
    if person:
        assert answer.found[person], answer.excerpt


# --- 3. A vertical tab (and on SQLite a NUL) in published text ---------------------------

FEEDS_AND_SHEETS = [
    ("/feeds/timeline.atom", "Vertical tab meeting"),
    ("/feeds/BY.atom", "Vertical tab meeting"),
    ("/timeline.xlsx", "Vertical tab meeting"),
    ("/releases.xlsx", "Vertical tab release"),
    ("/figures.xlsx", "Vertical tab quote"),
    ("/prisoners.xlsx", "Vertical Tabson"),
    ("/sources.xlsx", "Vertical tab report"),
    ("/timeline.csv", "Vertical tab meeting"),
    ("/timeline.timelinejs.json", "Vertical tab meeting"),
]


def test_the_probe_database_holds_the_control_characters(prober):
    """The examples below are only worth something if the rows really hold a vertical tab, as an old database can."""
    assert "\x0b" in prober.facts["events.Event.summary"]
    assert "\x0b" in prober.facts["tracker.Source.title"]
    assert "\x0b" in prober.facts["tracker.Person.region"]


@pytest.mark.parametrize("page, marker", FEEDS_AND_SHEETS)
def test_feeds_and_downloads_drop_the_characters_xml_cannot_hold(prober, page, marker):
    answer = prober.get(page, find=[marker, "\x0b", "\x00"])
    assert answer.status == 200
    assert answer.found[marker], f"the planted row is in {page}"
    if "xml" in answer.content_type or "spreadsheetml" in answer.content_type:
        assert not answer.found["\x0b"] and not answer.found["\x00"]


# --- 4. API parameters: unicode digits as page sizes, cursors holding NUL or a lone surrogate ---

LISTS = [
    "/api/v1/events/",
    "/api/v1/releases/",
    "/api/v1/figures/",
    "/api/v1/measures/",
    "/api/v1/prisoners/",
    "/api/v1/sources/",
]


@pytest.mark.parametrize("size", ["²", "¹", "①", "٣", "Ⅻ", "１２", "𝟗", "0", "501", "-1", "9" * 40])
@pytest.mark.parametrize("path", LISTS)
def test_a_page_size_that_is_not_a_plain_number_is_a_400(prober, path, size):
    answer = prober.get(path, {"page_size": size})
    assert answer.status == 400
    assert "page_size" in answer.excerpt


def cursor(values):
    """A cursor as events/pagination.py writes one: URL-safe base64 of a JSON list, without padding."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


# The sort key each list's cursor holds (events/views/api.py, keyset()).
KEYSETS = {
    "/api/v1/events/": ["2025-12-12", "00000000-0000-0000-0000-000000000000"],
    "/api/v1/releases/": ["2025-12-12", "00000000-0000-0000-0000-000000000000"],
    "/api/v1/figures/": ["2025-12-12", "00000000-0000-0000-0000-000000000000"],
    "/api/v1/measures/": ["held"],
    "/api/v1/prisoners/": ["Bialiatski", "00000000-0000-0000-0000-000000000000"],
    "/api/v1/sources/": ["00000000-0000-0000-0000-000000000000"],
}
BROKEN = {"NUL": "a\x00b", "lone surrogate": "\ud800", "NUL alone": "\x00"}
FORGED = [
    pytest.param(
        path, [broken if i == position else value for i, value in enumerate(values)], id=f"{path}-{position}-{name}"
    )
    for path, values in KEYSETS.items()
    for position in range(len(values))
    for name, broken in BROKEN.items()
]


@pytest.mark.parametrize("path, values", FORGED)
def test_a_cursor_holding_nul_or_a_lone_surrogate_is_a_400(prober, path, values):
    answer = prober.get(path, {"cursor": cursor(values)})
    assert answer.status == 400
    assert "cursor" in answer.excerpt


def test_the_forged_cursors_have_the_shape_of_real_ones(prober):
    """A forged cursor tests the database's side only if it has a real one's shape: here, one the API gave out."""
    for path, values in KEYSETS.items():
        given = prober.get(path, {"page_size": 1}, body=True)
        following = json.loads(given.text)["next"]
        assert following, f"{path} has a second page on the probe database"
        real = following.split("cursor=")[1].split("&")[0]
        decoded = json.loads(base64.urlsafe_b64decode(real + "=" * (-len(real) % 4)))
        assert len(decoded) == len(values), path


# --- 2 and 5. Hostile sheets through the admin's import, as an editor --------------------

IMPORT = "/admin/tracker/person/import/"
HEADER = "person_external_id,name,birth_year,country,detained_on,charges"


def csv_with_nul():
    return f"{HEADER}\nnul-1,Nul\x00Person,1980,BY,2021-05-07,342\n".encode()


def xlsx_with_a_huge_shared_strings_table():
    """670 KB whose shared strings unpack to 200 MB: three million strings."""
    count = 3_000_000

    def strings():
        # Written in chunks: the whole table is never in memory here.
        yield f'{XML}<sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">'.encode()
        block = b"<si><t>" + b"x" * 50 + b"</t></si>"
        for _ in range(count // 10_000):
            yield block * 10_000
        yield b"</sst>"

    return xlsx(worksheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), strings())


def csv_with_40000_columns():
    return (",".join(f"column{i}" for i in range(40_000)) + "\n" + "x," * 39_999 + "x\n").encode()


# A refusal in words: the upload form's error, or the preview's errors with nothing to confirm.
REFUSALS = ['class="errorlist', "Nothing can be imported while the sheet has errors"]


def refused_in_words(answer):
    return len(answer.steps) == 1 and not answer.context.get("token") and any(answer.found[words] for words in REFUSALS)


def test_a_nul_byte_in_an_imported_csv_is_refused_in_words_and_nothing_is_left_behind(prober):
    answer = prober.probe(
        Request(
            IMPORT,
            method="POST",
            role="editor",
            file=("people.csv", csv_with_nul()),
            label="a NUL byte in a name",
            confirm=True,
            find=["NUL", *REFUSALS],
        )
    )
    assert answer.status == 200
    assert refused_in_words(answer), "a sheet holding a NUL offers nothing to confirm"
    assert answer.found["NUL"], "the refusal names the character"
    assert not answer.wrote
    assert answer.import_files_left == 0


@pytest.mark.parametrize(
    "name, build, label",
    [
        ("huge.xlsx", xlsx_declaring_a_huge_dimension, "an .xlsx declaring the dimension A1:XFD100000000"),
        ("strings.xlsx", xlsx_with_a_huge_shared_strings_table, "an .xlsx whose shared strings unpack to 200 MB"),
        ("wide.csv", csv_with_40000_columns, "a CSV with 40,000 columns"),
        # And two a review found: 15 KB that took 1.25 GB, and a tag expat read whole into a dict.
        ("shared.xlsx", lambda: xlsx_sharing_long_texts(2000), "an .xlsx of 40,000 cells sharing long texts"),
        (
            "attributes.xlsx",
            lambda: xlsx_with_a_tag_of_many_attributes(100_000),
            "an .xlsx, a tag of 100,000 attributes",
        ),
    ],
    ids=["declared-dimension", "shared-strings", "40000-columns", "shared-long-texts", "many-attributes"],
)
def test_a_sheet_too_large_to_read_is_refused_in_words_at_once(prober, name, build, label):
    answer = prober.probe(
        Request(IMPORT, method="POST", role="editor", file=(name, build()), label=label, confirm=True, find=REFUSALS)
    )
    assert answer.status == 200
    assert refused_in_words(answer), answer.excerpt
    assert not answer.wrote
    assert answer.import_files_left == 0


# --- 6. Parameters no page understands ---------------------------------------------------

PUBLIC_PAGES = ["/", "/timeline/", "/releases/", "/figures/", "/figures/held/", "/prisoners/", "/sources/"]
JUNK = [{"utm_source": "x"}, {"fbclid": "a" * 60}, {"zzz": "1", "yyy": "2"}, {"q ": "x"}, {"\x00": "\ud800"}]


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_unknown_parameters_neither_fill_the_cache_nor_change_the_page(prober, page):
    plain = prober.get(page)
    assert plain.status == 200
    for junk in JUNK:
        answer = prober.probe(Request(url(page, junk), cache="keep"))
        if answer.status == 400:
            continue  # refused, as the API refuses what it does not take
        assert answer.status == 200
        assert answer.digest == plain.digest, f"{url(page, junk)} is the page without its unknown parameters"
        assert answer.cache_entries == plain.cache_entries, f"{url(page, junk)} cached nothing new"


@pytest.mark.parametrize("path", LISTS)
def test_the_api_refuses_parameters_it_does_not_take(prober, path):
    answer = prober.get(path, {"utm_source": "x"})
    assert answer.status == 400
    assert "utm_source" in answer.excerpt


# --- 9. Formulas behind blanks, and full-width ones ------------------------------------


@pytest.mark.parametrize("title", FORMULAS)
def test_a_formula_behind_blanks_is_escaped_in_downloads(prober, title):
    answer = prober.get("/sources.csv", find=[f"'{title}"])
    assert answer.status == 200
    assert answer.found[f"'{title}"], f"{title!r} is written with an apostrophe in front"


@pytest.mark.parametrize("title", FORMULAS)
def test_a_formula_behind_blanks_is_text_in_workbooks(prober, title):
    # A cell typed as text is never run: written as it is, with no apostrophe to show (issue #15 point 18).
    answer = prober.get("/sources.xlsx", find=[title, f"'{title}", "[formula]"])
    assert answer.status == 200
    assert answer.found[title] and not answer.found[f"'{title}"], f"{title!r} is written as it is"
    assert not answer.found["[formula]"], "no cell of the workbook is a formula"
