"""Hostile sheets through the admin import: each refused in words, writing nothing, leaving no upload behind.

Each file is built here, small: a workbook declaring a billion cells, a CSV
of 40,000 columns, a table of texts that unpacks to megabytes, a zip bomb, a
NUL byte or a vertical tab in a cell. bench/hostile_sheets.py measures the
same refusals on files of 10 MB.
"""

import csv
import datetime
import io
import struct
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

from tests.factories import make_user
from tests.workbooks import (
    MAIN,
    XML,
    worksheet,
    xlsx,
    xlsx_declaring_a_huge_dimension,
    xlsx_sharing_long_texts,
    xlsx_with_a_tag_of_many_attributes,
)
from tracker.imports import MAX_CHARACTER_ERRORS, PeopleImporter, limits, sheets, store_upload
from tracker.imports.limits import MAX_COLUMNS, MAX_ROWS
from tracker.imports.sheets import read_sheet
from tracker.imports.xlsx import Workbook, _xlsx_cell
from tracker.models import Detention, NameVariant, Person
from tracker.roles import EDITOR

pytestmark = pytest.mark.django_db

IMPORT = "/admin/tracker/person/import/"
CONFIRM = "/admin/tracker/person/import/confirm/"
DAMAGED = "The workbook is damaged: open it in Excel and save it again."


@pytest.fixture
def uploads(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "imports"
    return settings.IMPORT_TMP_DIR


@pytest.fixture
def editor(client):
    user = make_user(EDITOR)
    client.force_login(user)
    return user


def written():
    return (
        Person.objects.count(),
        Detention.objects.count(),
        NameVariant.objects.count(),
        Person.history.count(),
        Detention.history.count(),
    )


def left_behind(uploads):
    return sorted(path.name for path in uploads.iterdir()) if uploads.exists() else []


def refused(client, uploads, data, filename):
    """Upload a sheet that must be refused: the refusal, in words, as the upload form shows it."""
    before = written()

    response = client.post(IMPORT, {"file": SimpleUploadedFile(filename, data)})

    assert response.status_code == 200
    errors = response.context["form"].errors.get("file")
    assert errors, "the sheet was not refused"
    assert escape(errors[0]) in response.text
    assert written() == before
    assert left_behind(uploads) == []
    return errors[0]


def csv_bytes(rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


# Workbooks are written by hand (tests/workbooks.py), as a hostile one would be.


def inline_row(number, *values):
    cells = "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in values)
    return f'<row r="{number}">{cells}</row>'


def test_a_workbook_written_by_hand_is_read():
    sheet = read_sheet("p.xlsx", xlsx(worksheet(inline_row(1, "name", "country") + inline_row(3, "Ales", "BY"))))

    assert sheet.header == ["name", "country"]
    assert sheet.rows == [(3, {"name": "Ales", "country": "BY"})]


@pytest.mark.parametrize("epoch", [CALENDAR_WINDOWS_1900, CALENDAR_MAC_1904], ids=["1900", "1904"])
def test_the_importer_reads_a_workbook_as_openpyxl_does(epoch):
    # The importer streams workbooks itself (openpyxl pads rows to the declared
    # width and builds whole parts before they can be counted): the same values.
    book = openpyxl.Workbook()
    book.epoch = epoch
    sheet = book.active
    sheet.append(["name", "day", "moment", "flag", "share", "year", "time", "rich", "formula"])
    sheet.append(
        [
            "Алесь",
            datetime.date(2021, 5, 7),
            datetime.datetime(2021, 5, 7, 12, 30),
            True,
            1.5,
            1985,
            datetime.time(10, 0),
            CellRichText(["a", TextBlock(InlineFont(b=True), "b")]),
            "=1+1",
        ]
    )
    sheet.append([])
    sheet.append(["x", None, None, False, 0, -3])
    sheet["K7"] = "far"
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()

    read_back = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    expected = []
    for number, values in enumerate(read_back.iter_rows(values_only=True), start=1):
        values = [_xlsx_cell(value) for value in values]
        while values and values[-1] == "":
            values.pop()
        if values:
            expected.append((number, values))

    assert list(Workbook(data).rows()) == expected


# --- Refused by the size the file declares, before its rows are read ---------------


def test_a_workbook_declaring_a_billion_cells_is_refused_by_its_dimension(client, uploads, editor):
    data = xlsx_declaring_a_huge_dimension()
    assert len(data) < 2000  # the 1.6 KB file of the issue

    message = refused(client, uploads, data, "people.xlsx")

    assert "The sheet declares 100,000,000 rows and 16,384 columns (A1:XFD100000000)" in message
    assert f"at most {MAX_ROWS:,} rows below the header, {MAX_COLUMNS} columns" in message


def test_a_workbook_declaring_a_small_sheet_is_still_counted_as_it_is_read(client, uploads, editor):
    # Never trusted alone: a row numbered a hundred million, under a dimension of two rows.
    data = xlsx(worksheet(inline_row(1, "name") + inline_row(100_000_000, "Ales"), dimension="A1:A2"))

    message = refused(client, uploads, data, "people.xlsx")

    assert f"The sheet has more than {MAX_ROWS:,} rows below the header" in message


def test_a_workbook_with_a_value_beyond_the_last_column_is_refused(client, uploads, editor):
    cells = '<c r="A2" t="inlineStr"><is><t>Ales</t></is></c><c r="XFD2" t="inlineStr"><is><t>far</t></is></c>'
    data = xlsx(worksheet(inline_row(1, "name") + f'<row r="2">{cells}</row>'))

    message = refused(client, uploads, data, "people.xlsx")

    assert f"Row 2 has a value in column XFD: a sheet has at most {MAX_COLUMNS} columns" in message


def test_a_row_of_empty_cells_without_end_is_refused_as_it_is_read(client, uploads, editor, monkeypatch):
    # openpyxl built every cell of a row before anything could count them.
    monkeypatch.setattr(limits, "MAX_CELLS", 1000)
    data = xlsx(worksheet(inline_row(1, "name") + "<row>" + "<c/>" * 5000 + "</row>"))

    message = refused(client, uploads, data, "people.xlsx")

    assert "The sheet has more than 1,000 cells, counting the empty ones Excel keeps for their format" in message


@pytest.mark.parametrize("in_texts", [False, True], ids=["among the rows", "in a text"])
def test_elements_that_are_neither_rows_nor_cells_are_refused_before_they_are_read(client, uploads, editor, in_texts):
    # Each costs as much to read as a cell, and no limit of rows or cells counts them.
    junk = "<x/>" * 200_000
    if in_texts:
        data = xlsx(worksheet(inline_row(1, "name")), f'<sst xmlns="{MAIN}"><si><t>a</t>{junk}</si></sst>')
    else:
        data = xlsx(worksheet(inline_row(1, "name") + f'<row r="2">{junk}</row>'))

    assert refused(client, uploads, data, "people.xlsx") == DAMAGED


def test_a_huge_table_of_texts_is_refused_by_its_unpacked_size(client, uploads, editor):
    # The 203 KB workbook: a table of texts that unpacks to hundreds of times its size.
    strings = f'<sst xmlns="{MAIN}">' + "<si><t>x</t></si>" * 200_000 + "</sst>"
    data = xlsx(worksheet(inline_row(1, "name")), strings)

    message = refused(client, uploads, data, "people.xlsx")

    assert "The workbook's part xl/sharedStrings.xml unpacks to" in message
    assert "times its packed size (at most 100)" in message


def test_a_table_of_too_many_texts_is_refused_as_it_is_read(client, uploads, editor):
    # Stored, not packed: the ratio does not tell, the count does.
    strings = f'<sst xmlns="{MAIN}">' + "<si/>" * 200_001 + "</sst>"
    data = xlsx(worksheet(inline_row(1, "name")), strings, compression=zipfile.ZIP_STORED)

    message = refused(client, uploads, data, "people.xlsx")

    assert "The workbook holds more than 200,000 different texts" in message


def test_a_zip_bomb_is_refused_by_the_sizes_its_directory_declares(client, uploads, editor):
    bomb = worksheet(inline_row(1, "name")) + " " * (30 * 1024 * 1024)

    message = refused(client, uploads, xlsx(bomb), "people.xlsx")

    assert "The workbook's part xl/worksheets/sheet1.xml unpacks to more than 25 MB" in message


def test_a_part_that_unpacks_past_its_declared_size_is_refused_as_damaged(client, uploads, editor):
    data = bytearray(xlsx(worksheet(inline_row(1, "name") + inline_row(2, "Ales") * 10_000)))
    # The zip's directory and the part's own header say 1,000 bytes: zipfile stops there.
    # (Offsets of the size, the name's length and the name in each kind of header.)
    for signature, size, name_length, name in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        position = 0
        while (position := data.find(signature, position)) >= 0:
            length = struct.unpack_from("<H", data, position + name_length)[0]
            if data[position + name : position + name + length] == b"xl/worksheets/sheet1.xml":
                struct.pack_into("<I", data, position + size, 1000)
            position += 4

    assert refused(client, uploads, bytes(data), "people.xlsx") == DAMAGED


def test_a_csv_of_40000_columns_is_refused_by_its_header(client, uploads, editor):
    # The duplicate-column check was quadratic: 15 s for this 270 KB file.
    data = csv_bytes([["name", *(f"c{n}" for n in range(40_000))], ["Ales"]])

    message = refused(client, uploads, data, "people.csv")

    assert f"Row 1 has a value in column CW: a sheet has at most {MAX_COLUMNS} columns" in message


def test_a_column_named_twice_is_refused_in_words(client, uploads, editor):
    data = csv_bytes([["name", *(["region"] * 90)], ["Ales"]])

    message = refused(client, uploads, data, "people.csv")

    assert message == "These columns are named twice: region."


def test_a_csv_of_too_many_rows_is_refused_before_its_rows_are_kept(client, uploads, editor):
    data = b"name\n" + b"Ales\n" * (MAX_ROWS + 1)

    message = refused(client, uploads, data, "people.csv")

    assert f"The sheet has more than {MAX_ROWS:,} rows below the header (empty rows count too)" in message


def test_a_csv_of_too_many_cells_is_refused(client, uploads, editor):
    header = [f"c{n}" for n in range(100)]
    data = csv_bytes([header, *([""] * 100 for _ in range(10_001))])

    message = refused(client, uploads, data, "people.csv")

    assert "The sheet has more than 1,000,000 cells (rows below the header × columns)" in message


def test_a_csv_cell_longer_than_excel_allows_is_refused(client, uploads, editor):
    assert "a cell holds more than 32,767 characters" in refused(
        client, uploads, csv_bytes([["name"], ["x" * 40_000]]), "people.csv"
    )
    # Past the csv module's own limit (a process-wide setting, which another library may
    # have raised: then the column is named too), the same words.
    message = refused(client, uploads, csv_bytes([["name"], ["x" * 200_000]]), "people.csv")
    assert message.startswith("Row 2") and "a cell holds more than 32,767 characters" in message


def test_a_csv_of_one_endless_line_is_refused_before_it_is_split(client, uploads, editor):
    data = b"name\n" + b"," * 1_200_000

    message = refused(client, uploads, data, "people.csv")

    assert "Row 2 is longer than 1,000,000 characters" in message


# --- Files that are not what they say ------------------------------------------------


def test_a_csv_that_is_not_utf8_is_refused_in_words(client, uploads, editor):
    message = refused(client, uploads, "name\nАлесь\n".encode("cp1251"), "people.csv")

    assert message == "The file is not UTF-8: save it as CSV UTF-8."


@pytest.mark.parametrize(
    "data, words",
    [
        (b"name\nAles\n", "The file is not an Excel workbook"),
        (b"PK\x03\x04" + b"\x00" * 200, "The file is not an Excel workbook"),
        # What Excel writes for a workbook with a password (and what an old .xls is).
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "The workbook is protected by a password"),
    ],
    ids=["text", "truncated zip", "encrypted"],
)
def test_a_file_that_is_no_workbook_is_refused_in_words(client, uploads, editor, data, words):
    assert words in refused(client, uploads, data, "people.xlsx")


def test_a_zip_encrypted_part_is_refused_in_words(client, uploads, editor):
    data = bytearray(xlsx(worksheet(inline_row(1, "name"))))
    # Bit 0 of each header's flags: "encrypted".
    for signature, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = 0
        while (position := data.find(signature, position)) >= 0:
            data[position + flags] |= 1
            position += 4

    assert "The workbook is protected by a password" in refused(client, uploads, bytes(data), "people.xlsx")


@pytest.mark.parametrize(
    "part, content",
    [
        ("xl/worksheets/sheet1.xml", "<worksheet><sheetData><row><c>"),
        ("xl/worksheets/sheet1.xml", '<!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet/>'),
        ("xl/worksheets/sheet1.xml", worksheet('<row r="1"><c t="s"><v>7</v></c></row>')),
        ("xl/worksheets/sheet1.xml", worksheet('<row r="1"><c r="ZZZZ1"><v>1</v></c></row>')),
        ("xl/worksheets/sheet1.xml", worksheet('<row r="one"/>')),
        ("xl/worksheets/sheet1.xml", "<a>" * 100 + "</a>" * 100),
        ("xl/_rels/workbook.xml.rels", "not xml"),
    ],
    ids=["unclosed", "entities", "missing text", "bad reference", "bad row number", "nested", "broken relationships"],
)
def test_a_damaged_workbook_is_refused_in_words(client, uploads, editor, part, content):
    data = xlsx(worksheet(inline_row(1, "name")), extra={part: content}.items())

    assert refused(client, uploads, data, "people.xlsx") == DAMAGED


# --- Texts a workbook's cells share, tags of endless attributes -----------------------


def test_cells_sharing_long_texts_are_refused_by_the_characters_they_hold_before_any_is_copied(
    client, uploads, editor, monkeypatch
):
    # A review's 48 KB workbook: 2,000 rows of 20 cells, each pointing at a text
    # of 32,760 characters (a space at each end), took 1.25 GB once each cell
    # was trimmed into a copy of its own. Each use of a text counts in full.
    trimmed = []
    monkeypatch.setattr(sheets, "_cell", lambda value: trimmed.append(value) or value)
    data = xlsx_sharing_long_texts(2000)
    assert len(data) < 50_000

    message = refused(client, uploads, data, "people.xlsx")

    # 20,000,000 characters are 611 cells of 32,762: the 31st row below the header.
    assert message == (
        "Row 32: the sheet holds more than 20,000,000 characters in all its cells: "
        "split it into several files, or leave out the columns this import does not read."
    )
    assert trimmed == [], "refused in the first reading, before the rows are kept"


def test_a_workbook_within_the_characters_of_all_its_cells_is_read():
    sheet = read_sheet("people.xlsx", xlsx_sharing_long_texts(30))

    assert len(sheet.rows) == 30
    assert sheet.rows[0][1]["h1"] == "x00" * 10_920


def test_a_csv_past_the_characters_of_all_its_cells_is_refused(monkeypatch):
    # A CSV of 10 MB holds at most 10 million: the same limit, lowered to be reached.
    monkeypatch.setattr(limits, "MAX_CHARACTERS", 1000)
    data = csv_bytes([["name", "country"], *([["x" * 98, "BY"]] * 10)])

    with pytest.raises(limits.SheetError, match=r"^Row 11: the sheet holds more than 1,000 characters in all"):
        read_sheet("people.csv", data)
    read_sheet("people.csv", csv_bytes([["name", "country"], *([["x" * 98, "BY"]] * 9)]))


@pytest.mark.parametrize(
    "part, content",
    [
        ("xl/worksheets/sheet1.xml", None),  # 850,000 attributes in 9 MB took 290 MB; 7,000 are past the bound
        ("xl/worksheets/sheet1.xml", worksheet(f'<row r="1"><c t="inlineStr" x="{"1" * 70_000}"/></row>')),
        ("xl/workbook.xml", f'{XML}<workbook xmlns="{MAIN}" x="{"1" * 70_000}"/>'),
        ("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}"><si><t x="{"1" * 200_000}">a</t></si></sst>'),
    ],
    ids=["many attributes", "a long attribute in a cell", "in the workbook", "in the table of texts"],
)
def test_a_tag_longer_than_a_workbook_holds_is_refused_as_damaged(client, uploads, editor, part, content):
    if content is None:
        data = xlsx_with_a_tag_of_many_attributes(7_000)
    else:
        data = xlsx(
            worksheet(inline_row(1, "name")),
            "<sst/>" if part.endswith("sharedStrings.xml") else None,
            extra={part: content},
        )

    assert refused(client, uploads, data, "people.xlsx") == DAMAGED


def test_tags_as_long_as_a_workbook_holds_are_read():
    # Excel's longest tags are a part's first, with its namespaces, or a list
    # of ranges; after the rows, layout is not read, however long its tags.
    ranges = " ".join(f"A{n}" for n in range(1, 20_000))
    sheet_xml = (
        f'{XML}<worksheet xmlns="{MAIN}" {" ".join(f'xmlns:n{n}="{MAIN}/{n}"' for n in range(100))}>'
        f'<sheetViews><sheetView><selection sqref="{ranges[:60_000]}"/></sheetView></sheetViews><sheetData>'
        + inline_row(1, "name")
        + inline_row(2, "Ales")
        + f'</sheetData><conditionalFormatting sqref="{ranges * 5}"/></worksheet>'
    )

    assert read_sheet("people.xlsx", xlsx(sheet_xml)).rows == [(2, {"name": "Ales"})]


def test_a_long_tag_cut_by_the_end_of_a_chunk_is_refused():
    # The part is read 64 KB at a time: this tag starts near 30 KB and ends near 96 KB, measured whole.
    padding = inline_row(1, "name") + '<row r="2"><c t="inlineStr"><is><t>' + "x" * 30_000 + "</t></is></c></row>"
    data = xlsx(worksheet(padding + f'<row r="3" x="{"1" * 66_000}"/>'))

    with pytest.raises(limits.SheetError, match=DAMAGED):
        read_sheet("people.xlsx", data)


@pytest.mark.parametrize("index", ["-1", "1_0", " 1", "+1", "١", "2", "99999999999"])
def test_a_text_index_that_is_not_a_plain_number_within_the_table_is_damaged(index):
    # int() takes "-1" (the last text), "1_0", "+1", " 1" and "١" (an Arabic-Indic one).
    strings = f'<sst xmlns="{MAIN}"><si><t>name</t></si><si><t>Ales</t></si></sst>'
    rows = '<row r="1"><c t="s"><v>0</v></c></row>'

    assert read_sheet("p.xlsx", xlsx(worksheet(rows + '<row r="2"><c t="s"><v>1</v></c></row>'), strings)).rows == [
        (2, {"name": "Ales"})
    ]
    with pytest.raises(limits.SheetError, match=DAMAGED):
        read_sheet("p.xlsx", xlsx(worksheet(rows + f'<row r="2"><c t="s"><v>{index}</v></c></row>'), strings))


# --- Characters no record may hold --------------------------------------------------


@pytest.mark.parametrize(
    "column, cell, named",
    [
        ("name", "A\x00B", "U+0000 (a NUL byte)"),
        ("name", "Line\x0bbreak", "U+000B (a vertical tab"),
        # A key is looked up in the database: PostgreSQL refuses a NUL in a query.
        ("person_external_id", "p-\x002", "U+0000 (a NUL byte)"),
    ],
    ids=["NUL", "vertical tab", "NUL in a key"],
)
def test_a_cell_with_a_control_character_is_a_row_error_and_nothing_can_be_confirmed(
    client, uploads, editor, column, cell, named
):
    before = written()
    row = {"person_external_id": "p-2", "name": "Maryna", "country": "BY", column: cell}
    data = csv_bytes([list(row), ["p-1", "Ales", "BY"], list(row.values())])

    response = client.post(IMPORT, {"file": SimpleUploadedFile("people.csv", data)})

    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.counts == {"create": 1, "update": 0, "unchanged": 0, "error": 1}
    assert [row.number for row in plan.rows] == [2, 3]
    (error,) = plan.rows[1].errors
    assert error.startswith(f"{column}: This text holds characters that web feeds and spreadsheets cannot carry")
    assert named in error
    assert response.context["token"] == ""
    assert "Confirm import" not in response.text
    assert written() == before
    assert left_behind(uploads) == []


def test_a_sheet_of_many_rows_with_such_characters_is_refused_once_for_all(client, uploads, editor):
    # The preview of 50,000 identical row errors took seconds to render: said once instead.
    before = written()
    data = csv_bytes([["name", "country"], *([f"A\x00{n}", "BY"] for n in range(MAX_CHARACTER_ERRORS + 1))])

    response = client.post(IMPORT, {"file": SimpleUploadedFile("people.csv", data)})

    plan = response.context["plan"]
    assert plan.rows == []
    (problem,) = plan.problems
    assert problem.startswith(f"More than {MAX_CHARACTER_ERRORS} rows hold characters that web feeds and spreadsheets")
    assert "the first is row 2, name: " in problem and "U+0000 (a NUL byte)" in problem
    assert response.context["token"] == ""
    assert escape(problem) in response.text
    assert written() == before
    assert left_behind(uploads) == []


def test_a_control_character_in_a_workbook_is_refused_as_damaged(client, uploads, editor):
    # XML 1.0 cannot hold it, not even as a character reference (Excel writes
    # _x000B_, which is read as the seven characters it is).
    data = xlsx(worksheet(inline_row(1, "name") + inline_row(2, "Line&#11;break")))

    assert refused(client, uploads, data, "people.xlsx") == DAMAGED


def test_a_control_character_in_a_column_name_is_refused(client, uploads, editor):
    message = refused(client, uploads, csv_bytes([["name\x00", "country"], ["Ales", "BY"]]), "people.csv")

    assert message.startswith("A column name in the first row: This text holds characters")
    assert "\x00" not in message


def test_a_nul_byte_sheet_stored_before_this_check_is_not_confirmed(client, uploads, editor):
    # A token issued by a preview that let the NUL through (an older version):
    # the confirmation plans again, finds the error, writes nothing, and the file goes.
    before = written()
    data = csv_bytes([["name", "country"], ["A\x00B", "BY"]])
    token = store_upload(editor, Person, "people.csv", data)

    response = client.post(CONFIRM, {"token": token})

    assert response.status_code == 200
    assert "Nothing can be imported while the sheet has errors" in response.text
    assert "U+0000 (a NUL byte)" in response.text
    assert written() == before
    assert left_behind(uploads) == []


def test_any_failure_of_the_confirmation_is_a_message_and_removes_the_upload(client, uploads, editor, monkeypatch):
    data = csv_bytes([["name", "country"], ["Ales", "BY"]])
    token = client.post(IMPORT, {"file": SimpleUploadedFile("people.csv", data)}).context["token"]
    assert token and left_behind(uploads)
    before = written()

    def fail(self, plan):
        raise RuntimeError("a bug in the writer")

    monkeypatch.setattr(PeopleImporter, "apply", fail)
    response = client.post(CONFIRM, {"token": token}, follow=True)

    assert response.status_code == 200
    assert "Nothing was imported: the import failed on an error of the tracker" in response.text
    assert written() == before
    assert left_behind(uploads) == []


def test_a_sheet_the_limits_refuse_at_confirmation_is_a_message_and_removes_the_upload(
    client, uploads, editor, monkeypatch
):
    data = csv_bytes([["name", "country"], ["Ales", "BY"], ["Maryna", "BY"]])
    token = client.post(IMPORT, {"file": SimpleUploadedFile("people.csv", data)}).context["token"]
    monkeypatch.setattr(limits, "MAX_ROWS", 1)  # lowered by a deployment between preview and confirm

    response = client.post(CONFIRM, {"token": token}, follow=True)

    assert "Nothing was imported. The sheet has more than 1 rows below the header" in response.text
    assert Person.objects.count() == 0
    assert left_behind(uploads) == []


# --- What editors import still imports --------------------------------------------------


def test_a_sheet_at_the_limits_of_columns_and_cell_length_is_read():
    header = ["name", *(f"c{n}" for n in range(MAX_COLUMNS - 1))]
    data = csv_bytes([header, ["x" * 32_767, *([""] * (MAX_COLUMNS - 1))]])

    sheet = read_sheet("people.csv", data)

    assert len(sheet.header) == MAX_COLUMNS
    assert sheet.rows[0][1]["name"] == "x" * 32_767
