"""Formula escaping by a cell's first non-blank character, in every download, undone exactly on import."""

import csv
import io
import sys
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from events.exports import PRISONER_HEADER, SOURCE_HEADER
from tests.factories import make_detention, make_person, make_source
from tracker.exports import BLANKS, INVISIBLE, LEADING, MARK, TRIGGERS, cell, escape_formula, unescape_formula
from tracker.imports import PeopleImporter, read_sheet
from tracker.models import Person

# Each reached a spreadsheet as it was before the first non-blank character counted.
VARIANTS = [
    ' =HYPERLINK("https://evil.example")',
    "   +1+1",
    "\xa0=1+1",  # a no-break space
    "\n=1+1",
    "\r\n-1+1",
    "\u3000@SUM(A1)",  # an ideographic space
    "\u2028=1+1",  # a line separator
    "\uff1d1+1",  # ＝, full-width
    "\ufe661+1",  # ﹦, small
    "\ufeff=1+1",  # a byte order mark
    "\u200b\u2060=1+1",  # a zero-width space and a word joiner
    "\xad@SUM(A1)",  # a soft hyphen
    "\uff0b1",  # ＋
    "\uff0d1",  # －
    "\uff20SUM(A1)",  # ＠
    " \uff1d1+1",
    "' =1+1",  # an apostrophe of the text itself, then a blank: escaped once more, as "'=1" is
]
# Escaped before, and still.
FORMERLY = ["=1+1", "+1", "-5", "@SUM(A1)", "\t1", "\rx", "'=1"]
# Text that no spreadsheet runs: written as it is.
PLAIN = ["", "Ales Bialiatski", "a=1", " a = 1", "1-2", "x-1", "'", " ", "'plain", "\xa0Minsk", "Калонія № 4"]


def test_blanks_are_every_character_python_calls_blank():
    # The list the PostgreSQL twin of the rule spells out (events/disclosure.py:prisoners_select).
    assert set(BLANKS) == {chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()} | set(INVISIBLE)
    assert not set(BLANKS) & set(TRIGGERS) and MARK not in BLANKS


@pytest.mark.parametrize("text", VARIANTS + FORMERLY)
def test_text_whose_first_non_blank_character_starts_a_formula_is_escaped(text):
    assert escape_formula(text) == MARK + text
    assert cell(text) == MARK + text
    assert unescape_formula(MARK + text) == text


@pytest.mark.parametrize("text", PLAIN)
def test_other_text_is_written_as_it_is(text):
    assert escape_formula(text) == text
    assert cell(text) == text
    assert unescape_formula(text) == text


@pytest.mark.parametrize("number", [5, -5, -1.5, 0, 10**20])
def test_numbers_stay_numbers(number):
    assert cell(number) == number and type(cell(number)) is type(number)
    assert escape_formula(number) == number and unescape_formula(number) == number


# Text made mostly of what the rule looks at, and any text at all.
RULE_CHARACTERS = st.sampled_from([*BLANKS, *TRIGGERS, *LEADING, MARK, "a", "1", "\u200b", "\ufeff"])
TEXTS = st.one_of(
    st.text(RULE_CHARACTERS, max_size=8), st.text(), st.text(RULE_CHARACTERS, max_size=4).map(lambda t: t + "=x")
)


@given(TEXTS)
def test_unescaping_undoes_escaping_exactly(text):
    assert unescape_formula(escape_formula(text)) == text


@given(TEXTS)
def test_cells_are_escaped_as_escape_formula_says(text):
    escaped = escape_formula(text)
    assert cell(text) == escaped  # cell()'s shortcut makes the same decision
    assert escaped in (text, MARK + text)
    # Apostrophes in front do not change the decision: an escaped cell is escaped again.
    assert escape_formula(escaped) == (escaped if escaped == text else MARK + escaped)


# --- The downloads ----------------------------------------------------------------------


def csv_rows(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def xlsx_cells(client, path):
    """The data sheet's cells, after checking that no cell of the workbook is a formula: in its XML, none has one."""
    response = client.get(path)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as parts:
        for name in parts.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in parts.read(name) and b"<f " not in parts.read(name), name
    book = load_workbook(io.BytesIO(body))
    cells = [list(row) for row in book.active.iter_rows()]
    assert not [cell for row in cells for cell in row if cell.data_type == "f"]
    return cells


def csv_rows_or_xlsx_values(client, path, extension):
    if extension == "csv":
        return csv_rows(client, path)
    return [[cell.value for cell in row] for row in xlsx_cells(client, path)]


def in_a_workbook(text):
    """What a text cell of our workbook holds for `text`: the text as it is (typed as text, never run), but for
    one that itself starts with an apostrophe before a formula sign, which keeps the CSV's escape so that an
    import gives it back exactly. A workbook keeps a carriage return as a line break."""
    text = MARK + text if text.startswith(MARK) and escape_formula(text) != text else text
    return text.replace("\r\n", "\n").replace("\r", "\n")


@pytest.mark.django_db
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_every_variant_is_escaped_in_the_sources_download(client, extension):
    for number, text in enumerate(VARIANTS + FORMERLY + PLAIN[1:]):
        make_source(title=text, url=f"https://news.example/{number}")
    rows = csv_rows_or_xlsx_values(client, f"/sources.{extension}", extension)
    column = SOURCE_HEADER.index("title")
    titles = {row[column] for row in rows[1:]}
    if extension == "csv":
        assert titles == {escape_formula(text) for text in VARIANTS + FORMERLY + PLAIN[1:]}
        assert MARK + "\uff1d1+1" in titles and "a=1" in titles
    else:
        titles = {text.replace("\r\n", "\n").replace("\r", "\n") for text in titles}
        assert titles == {in_a_workbook(text) for text in VARIANTS + FORMERLY + PLAIN[1:]}
        assert "\uff1d1+1" in titles and "a=1" in titles


@pytest.mark.django_db
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_prisoners_download_escapes_the_variants_on_every_database(client, extension):
    # On PostgreSQL /prisoners.csv is written by COPY (events/disclosure.py:prisoners_select): the same rule in SQL.
    for text in ("\uff1d1+1", "\xa0=1+1", "plain"):
        make_detention(person=make_person(name=f"Name {text}", occupation=text))
        make_detention(person=make_person(name=text, identity_level=Person.IdentityLevel.FULL))
    rows = csv_rows_or_xlsx_values(client, f"/prisoners.{extension}", extension)
    names = [row[PRISONER_HEADER.index("name")] for row in rows[1:]]
    if extension == "csv":
        assert {"'\uff1d1+1", "'\xa0=1+1", "plain"} <= set(names)
        assert "\uff1d1+1" not in names and "\xa0=1+1" not in names
    else:
        # Typed as text, checked by xlsx_cells: no apostrophe to show.
        assert {"\uff1d1+1", "\xa0=1+1", "plain"} <= set(names)


@pytest.mark.django_db
def test_a_workbook_round_trips_through_the_import_exactly():
    from tracker.exports import xlsx_cell
    from tracker.imports.sheets import _cell

    for text in [*VARIANTS, *FORMERLY, *PLAIN, "'", "''=1", "'plain", "'=1+1", "''"]:
        assert _cell(xlsx_cell(text)) == text.strip(), repr(text)


@pytest.mark.django_db
def test_import_reads_escaped_cells_as_the_text_exported(settings, tmp_path):
    from django.contrib.auth.models import Group, User

    settings.IMPORT_TMP_DIR = tmp_path
    editor = User.objects.create_user(username="editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    editor = User.objects.get(pk=editor.pk)
    # The importer trims blanks around a cell: the variants that start with a sign.
    signs = ["\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20SUM(A1)", "=1", "''=1"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["name", "occupation"])
    for number, text in enumerate(signs):
        writer.writerow([f"Imported {number}", escape_formula(text)])
    data = buffer.getvalue().encode()
    importer = PeopleImporter(editor, "people.csv")
    plan = importer.plan(read_sheet("people.csv", data))
    assert plan.is_valid, [(row.number, row.errors) for row in plan.rows] + plan.problems
    PeopleImporter(editor, "people.csv").apply(plan)
    stored = dict(Person.objects.filter(name__startswith="Imported").values_list("name", "occupation"))
    assert stored == {f"Imported {number}": text for number, text in enumerate(signs)}
