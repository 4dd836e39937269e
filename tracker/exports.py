"""What every export shares: formula escaping, CSV that Excel opens, streaming.

Spreadsheet programs run a cell that starts with = + - @ as a formula, and
some still do when blanks come first. Every text cell we write goes through
`escape_formula`, which puts an apostrophe in front of such a cell; imports
undo it with `unescape_formula`, so an export → edit → import round trip
changes nothing. The .xlsx cells also leave out the characters XML cannot
hold (tracker/text.py), which the CSV keeps.
"""

import csv
import datetime
import itertools
import tempfile
import uuid
from dataclasses import dataclass

from django.http import FileResponse, StreamingHttpResponse
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from tracker.caching import data_version
from tracker.text import xml_safe

# The signs that start a formula, judged on a cell's first character that is not blank
# (BLANKS) or an apostrophe: LibreOffice's CSV import can trim spaces before it evaluates
# a cell, and other programs and paste paths drop leading blanks or line breaks too. The
# full-width forms are included: reports disagree on whether Excel with a Japanese or
# Chinese input method takes a full-width ＝ typed first in a cell for =, and no program
# documents what its CSV reader makes of them; an apostrophe too many is harmless, a
# formula run is not. The small forms (﹦ ﹢ ﹣ ﹫) likewise.
TRIGGERS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\ufe66", "\ufe62", "\ufe63", "\ufe6b")
# A tab, carriage return or NUL right at the start (after apostrophes) is escaped whatever
# follows, as OWASP's advice on CSV injection has it.
LEADING = ("\t", "\r", "\0")
# Every character str.isspace() calls blank, and the invisible ones a paste can leave in
# front (zero-width space, non-joiner and joiner, word joiner, byte order mark, Mongolian
# vowel separator, soft hyphen), spelled out because the SQL twin of the test
# (events/disclosure.py:prisoners_select) needs them listed; tests/test_formula_escaping.py holds the
# list to str.isspace() and INVISIBLE.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u180e\xad"
BLANKS = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000" + INVISIBLE
)
MARK = "'"
# Every cell that _dangerous() escapes starts with one of these: most cells are let
# through on that one look (cell() runs millions of times for a large download).
FIRST = frozenset(MARK + BLANKS + "".join(LEADING) + "".join(TRIGGERS))
# A UTF-8 byte order mark: without it Excel reads UTF-8 CSV as the local code
# page, and Cyrillic names turn into mojibake.
BOM = "\ufeff"


def _dangerous(text: str) -> bool:
    # Apostrophes in front do not change the answer: that makes unescape_formula
    # undo escape_formula exactly, whatever the text.
    text = text.lstrip(MARK)
    return text.startswith(LEADING) or text.lstrip(BLANKS + MARK).startswith(TRIGGERS)


def escape_formula(value):
    """A cell value that no spreadsheet will run; numbers stay numbers."""
    if isinstance(value, str) and _dangerous(value):
        # Values that already start with apostrophes get one more, so that
        # unescaping is exact.
        return MARK + value
    return value


def unescape_formula(value):
    if isinstance(value, str) and value.startswith(MARK) and _dangerous(value[1:]):
        return value[1:]
    return value


def cell(value):
    """One value as a CSV cell: ISO dates, plain UUIDs, escaped text."""
    if type(value) is str:
        # Most cells: checked first, with the test escape_formula makes.
        return MARK + value if value and value[0] in FIRST and _dangerous(value) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (int, float)):
        return value
    return escape_formula(str(value))


class _Echo:
    def write(self, value):
        return value


# Lines end with a bare newline, as PostgreSQL's COPY writes them (events/disclosure.py:prisoners_select).
LINE_END = "\n"


def csv_writer(file):
    return csv.writer(file, lineterminator=LINE_END)


def csv_stream(header, rows):
    writer = csv_writer(_Echo())
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


def csv_response(filename, header, rows, body=None):
    """A streamed CSV download: the header, then `rows` written here, or `body`, blocks of CSV already written.

    The database is asked once before the download starts (the data
    version, one row): if it cannot be reached, the reader gets the 503 page
    (tracker/outages.py) rather than a 200 whose file stops after its header.
    """
    data_version()
    stream = csv_stream(header, rows) if body is None else itertools.chain(csv_stream(header, ()), body)
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_cell(value):
    """One value as an .xlsx cell: typed as what it is, text left as it is written.

    A cell typed as text is never run as a formula, so the CSV's apostrophe is not
    needed (and would show): text is written as it is, but for the characters XML 1.0
    cannot hold (tracker/text.py), which openpyxl refuses (a 500 for the whole
    download: text saved before the forms refused them, or restored from a backup).
    Only text that itself starts with an apostrophe before a formula sign keeps the
    CSV's escape, so that an import's unescape_formula gives it back exactly.
    Booleans stay booleans, numbers numbers.
    """
    if isinstance(value, bool):
        return value
    value = cell(value)
    if isinstance(value, str):
        value = unescape_formula(value)
        value = xml_safe(value)
        if value.startswith(MARK) and _dangerous(value):
            value = MARK + value
    return value


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A worksheet holds at most 1,048,576 rows, the header included.
XLSX_MAX_ROWS = 1_048_575
# Excel keeps at most 65,530 hyperlinks in a worksheet; the addresses after them stay as text.
XLSX_MAX_LINKS = 65_530
LINKED = ("https://", "http://")


@dataclass(frozen=True)
class SheetColumn:
    """A column as a workbook shows it: its heading, whether its cells are web addresses to link, and (on the
    sheet of columns) the CSV's name for it and what it means."""

    name: str
    label: str
    link: bool = False
    description: str = ""


def column_label(name):
    """A CSV column's name as a heading a reader expects: "source_urls" is "Source URLs"."""
    words = [WORDS.get(word, word) for word in name.split("_")]
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


WORDS = {"url": "URL", "urls": "URLs", "uid": "ID", "uids": "IDs", "iso": "ISO", "sha256": "SHA-256", "api": "API"}


def xlsx_file(header, rows, filename, sheet="Data", columns=None):
    """The same rows as the CSV, as an .xlsx workbook in a temporary file: no question of character sets.

    Written row by row by openpyxl's write-only mode, so memory does not grow
    with the rows (but for the links, XLSX_MAX_LINKS at most). Text cells are typed
    as text (xlsx_cell), so that nothing in them is ever read as a formula. With
    `columns` (a SheetColumn per header name), the headings are words, in bold,
    above a frozen pane; web addresses are links; and a second sheet lists each
    column's heading, its CSV name and what it means.
    """
    book = Workbook(write_only=True)
    worksheet = book.create_sheet(sheet)
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)
    headings = []
    for position, name in enumerate(header):
        heading = WriteOnlyCell(worksheet, value=columns[position].label if columns else name)
        heading.font = bold
        headings.append(heading)
    worksheet.append(headings)
    linked = [position for position, column in enumerate(columns or ()) if column.link]
    links = 0
    for count, row in enumerate(rows, start=1):
        if count > XLSX_MAX_ROWS:
            # Never cut a list silently: the last row says where the rest is.
            worksheet.append([f"More rows than a worksheet holds: download {filename[:-5]}.csv for all of them."])
            break
        cells = []
        for value in row:
            value = xlsx_cell(value)
            item = WriteOnlyCell(worksheet, value=value)
            if isinstance(value, str):
                item.data_type = "s"
            cells.append(item)
        for position in linked:
            value = cells[position].value
            if links < XLSX_MAX_LINKS and isinstance(value, str) and value.startswith(LINKED):
                cells[position].hyperlink = value
                links += 1
        worksheet.append(cells)
    if columns:
        described = book.create_sheet("Columns")
        described.freeze_panes = "A2"
        headings = [WriteOnlyCell(described, value=text) for text in ("Column", "In the CSV", "What it holds")]
        for heading in headings:
            heading.font = bold
        described.append(headings)
        for column in columns:
            described.append(
                [
                    WriteOnlyCell(described, value=xlsx_cell(text))
                    for text in (column.label, column.name, column.description)
                ]
            )
    file = tempfile.TemporaryFile()
    book.save(file)
    file.seek(0)
    return file


def xlsx_response(filename, header, rows, sheet="Data"):
    return FileResponse(
        xlsx_file(header, rows, filename, sheet), as_attachment=True, filename=filename, content_type=XLSX
    )


def tabular_response(format, name, header, rows):
    """CSV (streamed) or XLSX of one list; `name` without its extension."""
    if format == "xlsx":
        return xlsx_response(f"{name}.xlsx", header, rows)
    return csv_response(f"{name}.csv", header, rows)


def export_selected(model, queryset, exclude=()):
    """The admin's "export selected rows": every stored field, related rows by name and stable ID."""
    fields = [
        field
        for field in model._meta.concrete_fields
        if field.name not in exclude and field.name not in ("version", "search_key")
    ]
    header = []
    for field in fields:
        header.append(field.name)
        if field.is_relation:
            header.append(f"{field.name}_uid")
    related = [field.name for field in fields if field.is_relation]

    # select_related() with no names would mean every relation (and is deprecated in Django 6.1).
    listed = queryset.select_related(*related) if related else queryset

    def rows():
        for obj in listed.order_by("pk").iterator(chunk_size=1000):
            row = []
            for field in fields:
                value = getattr(obj, field.name)
                if field.is_relation:
                    row += [str(value) if value is not None else "", getattr(value, "uid", "")]
                else:
                    row.append(value)
            yield row

    stamp = datetime.date.today().isoformat()
    return csv_response(f"{slugify(model._meta.verbose_name_plural)}-{stamp}.csv", header, rows())
