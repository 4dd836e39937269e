"""The CSV of every public list: the same rows as the page under its filters, escaped, streamed, only public data."""

import csv
import datetime
import io

import pytest
from django.db import connection

from events import exports
from events.columns import BOOLEAN, TABLES, URI
from events.models import Event, Measure
from tests.factories import (
    make_charge,
    make_citation,
    make_detention,
    make_event,
    make_figure,
    make_link,
    make_many,
    make_measure,
    make_participant,
    make_person,
    make_release,
    make_released_detention,
    make_source,
)
from tests.planted import DRAFT, INITIALS_MARKERS, NOTE, WITHHELD_MARKERS, markers_in, world  # noqa: F401 (a fixture)
from tracker.exports import MARK, column_label, escape_formula, unescape_formula

pytestmark = pytest.mark.django_db


def read(response):
    """The body of a streamed CSV, as rows; the BOM must be there and is removed."""
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def download(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.content[:500] if not response.streaming else path
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return response


# --- One table per export: its page, its filters, its first row -----------------


def page_count(client, page, query):
    response = client.get(page + query)
    assert response.status_code == 200
    context = response.context
    if page == "/figures/":
        return sum(row["measure"].reports for row in context["rows"])
    if page == "/prisoners/":
        return sum(len(row.detentions) for row in context["rows"])
    return context["page"].paginator.count


EXPORTS = {
    "/timeline.csv": (
        "/timeline/",
        exports.EVENT_HEADER,
        ["", "?kind=meeting", "?country=US", "?start=2025-01-01&end=2025-10-01&order=oldest", "?q=envoy"],
    ),
    "/releases.csv": (
        "/releases/",
        exports.RELEASE_HEADER,
        ["", "?country=BY", "?year=2024", "?year=2025&deprecated=1"],
    ),
    "/figures.csv": ("/figures/", exports.FIGURE_HEADER, ["", "?country=BY", "?country=lt"]),
    "/prisoners.csv": (
        "/prisoners/",
        exports.PRISONER_HEADER,
        ["", "?status=held", "?detained_year=2022", "?article=342&order=newest", "?status=deported"],
    ),
    "/sources.csv": ("/sources/", exports.SOURCE_HEADER, ["", "?kind=ngo_report", "?kind=news_report"]),
}
PROBES = [
    "?q=Secretus",
    "?q=Hiddenov",
    "?facility=HiddenFacility",
    "?region=HiddenRegion",
    "?q=Initialson",
    "?region=InitialsRegion",
]


@pytest.mark.parametrize("path", EXPORTS)
def test_csv_rows_are_the_rows_of_the_page_under_each_filter(client, world, path):
    page, header, queries = EXPORTS[path]
    counts = set()
    for query in queries:
        rows = read(download(client, path + query))
        assert rows[0] == header
        assert len(rows) - 1 == page_count(client, page, query), query
        counts.add(len(rows) - 1)
    # The filters really filter: not every query gives the same number of rows.
    assert len(counts) > 1


@pytest.mark.parametrize("path", EXPORTS)
def test_csv_is_an_attachment_with_a_bom_and_cyrillic_intact(client, world, path):
    response = download(client, path)
    assert response["Content-Disposition"] == f'attachment; filename="{path.lstrip("/")}"'
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert any(word in text for word in ("Вясна", "Бяляцкі", "Мінск", "Вызваленне"))


def test_timeline_csv_first_row(client, world):
    rows = read(download(client, "/timeline.csv?kind=meeting"))
    row = dict(zip(rows[0], rows[1]))
    meeting = world["meeting"]
    assert row["uid"] == str(meeting.uid)
    assert row["url"] == f"http://testserver/events/{meeting.uid}/"
    # A title a spreadsheet would run is escaped; the page shows it as typed.
    assert row["title"] == "'=1+2 envoy meets president"
    assert row["date"] == "2025-12-12" and row["date_precision"] == "day"
    assert row["countries"] == "BY | US"
    assert row["location"] == "Мінск"
    assert row["participants"] == "John Coale (US Special Envoy) | Name withheld (a witness)"
    assert row["source_urls"].startswith("https://news.example/")


def test_release_csv_keeps_the_month_and_counts_withheld_people(client, world):
    rows = read(download(client, "/releases.csv?year=2025"))
    row = dict(zip(rows[0], rows[1]))
    assert row["title"] == "Вызваленне 52 чалавек"
    assert row["date"] == "2025-09" and row["date_precision"] == "month"
    assert row["mode"] == "Exchange"
    # Maria Freed and the withheld person: a number, never a name.
    assert row["named_released"] == "2"
    assert row["figures"] == "between 40 and 52 people released"
    assert row["in_exchange_for_urls"].startswith("http://testserver/events/")


def test_figures_csv_keeps_numbers_as_numbers(client, world):
    response = download(client, "/figures.csv?country=BY")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    # Measures in headline order, then by name: "people released" comes first.
    assert dict(zip(rows[0], rows[1]))["measure"] == "people released"
    row = dict(zip(rows[0], rows[2]))
    assert (row["value"], row["qualifier"], row["upper_value"], row["in_words"]) == (
        "1200",
        "approximately",
        "",
        "about 1,200",
    )
    assert row["as_of"] == "2025-12-12" and row["country"] == "BY"
    assert row["quote"] == "Каля 1200 палітвязняў"
    # Unquoted in the file: a spreadsheet reads a number, not text.
    assert ",1200,approximately,," in body
    ranged = next(dict(zip(rows[0], r)) for r in rows[1:] if r[rows[0].index("qualifier")] == "range")
    assert (ranged["value"], ranged["upper_value"], ranged["in_words"]) == ("40", "52", "between 40 and 52")
    assert "999" not in [r[rows[0].index("value")] for r in rows[1:]]


def test_prisoners_csv_shows_initials_people_as_the_page_does(client, world):
    rows = read(download(client, "/prisoners.csv?detained_year=2022"))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert row["person_uid"] == str(world["initials"].uid)
    assert (row["name"], row["is_named"]) == ("I. I.", "false")
    assert (row["detained"], row["detained_precision"]) == ("2022", "year")
    assert (row["region"], row["facility"], row["sentence"], row["birth_year"]) == ("", "", "", "")
    assert row["articles"] == "342"
    named = dict(zip(rows[0], read(download(client, "/prisoners.csv?q=Бяляцкі"))[1]))
    assert (named["name"], named["region"], named["facility"]) == ("Алесь Бяляцкі", "Мінск", "Горацкая калонія")
    assert named["charges"] == "Criminal Code 342 (gross violation of public order)"


def test_sources_csv_first_row_and_formula(client, world):
    rows = read(download(client, f"/sources.csv?publisher={world['viasna'].uid}"))
    row = dict(zip(rows[0], rows[1]))
    assert (row["title"], row["publisher"], row["kind"]) == ("Вясна: палітвязні на волі", "Viasna", "NGO report")
    assert row["url"].startswith("http://testserver/sources/#source-")
    formula = read(download(client, "/sources.csv?kind=news_report"))
    assert '\'=HYPERLINK("https://evil.example")' in [r[2] for r in formula[1:]]


@pytest.mark.parametrize("path", EXPORTS)
def test_drafts_notes_and_hidden_people_never_in_any_csv(client, world, path):
    hidden = world["hidden"]
    markers = [DRAFT, NOTE, str(hidden.uid), "1977", *WITHHELD_MARKERS, *INITIALS_MARKERS]
    for query in EXPORTS[path][2]:
        text = "\n".join(",".join(row) for row in read(download(client, path + query)))
        assert not markers_in(text, markers), (path, query, markers_in(text, markers))
    for query in PROBES:
        response = client.get(path + query)
        if response.status_code == 200:
            # A filter this list does not have is ignored, as on the page; a name search finds nobody hidden.
            text = "\n".join(",".join(row) for row in read(response))
            assert not markers_in(text, markers), (path, query)
        else:
            assert response.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/timeline.csv?start=soon",
        "/timeline.csv?kind=party",
        "/releases.csv?deprecated=2",
        "/figures.csv?country=XX",
        "/prisoners.csv?detained_year=abc",
        "/sources.csv?kind=rumour",
    ],
)
def test_bad_filters_are_a_400_in_plain_text(client, world, path):
    response = client.get(path)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith("These filters cannot be applied.")


@pytest.mark.parametrize(
    ("page", "filters"),
    [
        ("/timeline/", "country=BY"),
        ("/releases/", "country=BY"),
        ("/figures/", "country=BY"),
        ("/prisoners/", "status=held"),
        ("/sources/", "kind=news_report"),
    ],
)
def test_every_list_links_to_its_csv_with_the_current_filters(client, world, page, filters):
    # A parameter the page does not read (utm_source) is not carried along.
    html = client.get(f"{page}?{filters}&page=1&utm_source=x").content.decode()
    csv_path = page.rstrip("/") + ".csv"
    assert f'<a href="{csv_path}?{filters}" download>Download CSV</a>' in html


def test_data_page_documents_every_column_and_is_in_the_footer(client, db):
    html = client.get("/data/").content.decode()
    for path, (_, header, _) in EXPORTS.items():
        section = html[html.index(f'id="{path[1:-4]}-csv"') :]
        section = section[: section.index("</section>")]
        assert f'<a href="{path}">{path}</a>' in section
        for column in header:
            assert f"<code>{column}</code>" in section, (path, column)
    assert '<a href="/data/">' in client.get("/timeline/").content.decode()


# --- Query counts: the same for 3 rows and for 30 --------------------------------


def make_rows(count):
    measure = make_measure(kind=Measure.Kind.PER_EVENT)
    for number in range(count):
        source = make_source()
        event = make_event(
            kind=Event.Kind.RELEASE, occurred_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=number)
        )
        make_release(event=event)
        make_citation(event=event, source=source)
        make_participant(event=event)
        make_link(from_event=event, to_event=make_event(kind=Event.Kind.SANCTIONS_CHANGE))
        make_figure(measure=measure, source=source, event=event)
        detention = make_detention(person=make_person(name=f"Prisoner {number}"))
        make_charge(detention=detention)
        make_released_detention(
            release=event,
            detention=make_detention(
                person=make_person(name=f"Freed {number}"), custody_status="deported", released_on=event.occurred_on
            ),
        )


# Filter choices are read (with the data version they are cached under) only to check a value
# given for them: a download without filters reads none. Every download reads the data version
# before it starts (a database that is down is then a 503 page, not a file cut short): 1.
QUERIES = {
    # The data version: 1; the events: 1; their participants, citations, outgoing links, incoming links, figures: 5 per chunk.
    "/timeline.csv": 7,
    # The filter's choices: 1; the releases with their counts of people freed: 1;
    # their release details, figures, outgoing links, incoming links: 4 per chunk.
    "/releases.csv": 7,
    # The filter's country choices: 1; the figures with measure, source, attribution and event: 1.
    "/figures.csv": 3,
    # The data version: 1; the people in public order: 1; per chunk of people: their
    # detentions, the detentions' charges, the releases that ended them: 3. On
    # PostgreSQL the rows are one COPY statement, which Django's query log does not see.
    "/prisoners.csv": 5 if connection.vendor != "postgresql" else 1,
    # The publisher choices: 1; the sources with publisher and counts: 1;
    # their published citations, their published figures: 2 per chunk.
    "/sources.csv": 5,
}


@pytest.mark.parametrize("path", QUERIES)
@pytest.mark.parametrize("count", [3, 30])
def test_csv_query_count_is_fixed(client, db, django_assert_num_queries, path, count):
    make_rows(count)
    with django_assert_num_queries(QUERIES[path]):
        rows = read(download(client, path))
    assert len(rows) > count


# With chunks of 4, the rows of make_rows(6) cost this many more queries than one chunk:
# 12 events (a release and a sanctions change per row) are 3 chunks of 5 prefetches;
# 6 releases 2 chunks of 4; figures have no prefetch; 12 people 3 chunks of 3 (one COPY on
# PostgreSQL); 6 sources 2 chunks of 2.
MORE_CHUNKS = {
    "/timeline.csv": 2 * 5,
    "/releases.csv": 4,
    "/figures.csv": 0,
    "/prisoners.csv": 2 * 3 if connection.vendor != "postgresql" else 0,
    "/sources.csv": 2,
}


@pytest.mark.parametrize("path", MORE_CHUNKS)
def test_csv_reads_rows_in_chunks(client, db, django_assert_num_queries, monkeypatch, path):
    """Each further chunk costs one query per relation, never one per row."""
    make_rows(6)
    monkeypatch.setattr(exports, "CHUNK", 4)
    with django_assert_num_queries(QUERIES[path] + MORE_CHUNKS[path]):
        rows = read(download(client, path))
    assert len(rows) > 6


# --- The same lists as Excel workbooks --------------------------------------------


def workbook_rows(response):
    from openpyxl import load_workbook

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [[cell for cell in row] for row in book.active.iter_rows()]


def workbook(response):
    from openpyxl import load_workbook

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def as_in_a_workbook(text):
    """A CSV cell's text as our workbook holds it: without the CSV's apostrophe (a cell typed as text is never run),
    but for text that itself starts with an apostrophe before a formula sign (tracker.exports.xlsx_cell)."""
    text = unescape_formula(text)
    return MARK + text if text.startswith(MARK) and escape_formula(text) != text else text


@pytest.mark.parametrize("path", EXPORTS)
def test_xlsx_holds_the_cells_of_the_csv(client, world, path):
    xlsx = path.replace(".csv", ".xlsx")
    columns = TABLES[path.strip("/").removesuffix(".csv")]
    for query in EXPORTS[path][2]:
        response = client.get(xlsx + query)
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="{xlsx.lstrip("/")}"'
        book = workbook(response)
        rows = [list(row) for row in book.active.iter_rows()]
        csv_rows = read(download(client, path + query))
        # Headings in words, in bold, above a frozen pane; the CSV's names on the sheet of columns.
        assert [cell.value for cell in rows[0]] == [column_label(name) for name in csv_rows[0]]
        assert all(cell.font.b for cell in rows[0])
        assert book.active.freeze_panes == "A2"
        assert [[cell.value for cell in row] for row in book["Columns"].iter_rows()] == [
            ["Column", "In the CSV", "What it holds"],
            *([column_label(column.name), column.name, column.description] for column in columns),
        ]
        assert len(rows) == len(csv_rows), query
        for row, csv_row in zip(rows[1:], csv_rows[1:]):
            for cell, column, text in zip(row, columns, csv_row):
                if column.type is BOOLEAN:
                    assert cell.value is (text == "true") and text in ("true", "false")
                elif text == "":
                    assert cell.value is None
                elif isinstance(cell.value, int):
                    assert str(cell.value) == text
                else:
                    assert cell.data_type == "s" and cell.value == as_in_a_workbook(text), (query, column.name)
                # Each web address is a link to itself.
                if column.type is URI and text:
                    assert cell.hyperlink is not None and cell.hyperlink.target == text
                elif column.type is not URI:
                    assert cell.hyperlink is None


def test_xlsx_keeps_text_as_text_and_numbers_as_numbers(client, world):
    cells = workbook_rows(client.get("/sources.xlsx"))
    titles = {row[2].value: row[2] for row in cells[1:]}
    formula = titles['=HYPERLINK("https://evil.example")']
    assert formula.data_type == "s"
    assert "Вясна: палітвязні на волі" in titles
    figures = workbook_rows(client.get("/figures.xlsx?country=LT"))
    value = figures[1][figures[0].index(next(c for c in figures[0] if c.value == "Value"))]
    assert (value.value, value.data_type) == (5, "n")
    prisoners = workbook_rows(client.get("/prisoners.xlsx"))
    named = prisoners[0].index(next(c for c in prisoners[0] if c.value == "Is named"))
    assert {row[named].value for row in prisoners[1:]} <= {True, False}
    assert {row[named].data_type for row in prisoners[1:]} == {"b"}


def test_column_labels_read_as_words():
    assert column_label("source_urls") == "Source URLs"
    assert column_label("uid") == "ID"
    assert column_label("related_event_uids") == "Related event IDs"
    assert column_label("archive_sha256") == "Archive SHA-256"
    assert column_label("as_of_precision") == "As of precision"


def test_links_stop_at_what_a_worksheet_holds(monkeypatch):
    from openpyxl import load_workbook

    from tracker import exports as shared

    monkeypatch.setattr(shared, "XLSX_MAX_LINKS", 2)
    columns = [shared.SheetColumn("url", "URL", link=True), shared.SheetColumn("note", "Note")]
    rows = ([f"https://x.example/{n}", "javascript:alert(1)"] for n in range(4))
    file = shared.xlsx_file(["url", "note"], rows, "x.xlsx", columns=columns)
    sheet = load_workbook(file).active
    links = [cell.hyperlink.target if cell.hyperlink else None for (cell,) in sheet.iter_rows(min_row=2, max_col=1)]
    assert links == ["https://x.example/0", "https://x.example/1", None, None]
    file = shared.xlsx_file(["url"], [["javascript:alert(1)"]], "x.xlsx", columns=columns[:1])
    assert load_workbook(file).active["A2"].hyperlink is None  # only web addresses are links


def test_xlsx_bad_filters_are_a_400_as_for_csv(client, world):
    response = client.get("/prisoners.xlsx?detained_year=abc")
    assert response.status_code == 400
    assert response.content.decode().startswith("These filters cannot be applied.")


def test_xlsx_says_when_a_list_is_longer_than_a_worksheet(monkeypatch):
    from openpyxl import load_workbook

    from tracker import exports as shared

    monkeypatch.setattr(shared, "XLSX_MAX_ROWS", 2)
    response = shared.xlsx_response("people.xlsx", ["n"], ([n] for n in range(5)))
    rows = [
        [cell.value for cell in row]
        for row in load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows()
    ]
    assert rows == [["n"], [0], [1], ["More rows than a worksheet holds: download people.csv for all of them."]]


@pytest.mark.parametrize("path", QUERIES)
@pytest.mark.parametrize("count", [10, 999])
def test_csv_query_count_is_the_same_for_10_and_1000_rows(client, db, django_assert_num_queries, path, count):
    # 999 releases and the sanctions change they were exchanged for: 1,000 events, one chunk.
    make_many(count)
    with django_assert_num_queries(QUERIES[path]):
        rows = read(download(client, path))
    assert len(rows) - 1 >= count
