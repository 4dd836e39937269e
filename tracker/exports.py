"""What every export shares: formula escaping, CSV that Excel opens, streaming.

Spreadsheet programs run a cell that starts with = + - @ (or a tab, carriage
return or NUL before one) as a formula. Every text cell we write goes through
`escape_formula`, which puts an apostrophe in front; imports undo it with
`unescape_formula`, so an export → edit → import round trip changes nothing.
"""
import csv
import datetime
import itertools
import tempfile
import uuid

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from django.utils.text import slugify

from tracker.caching import data_version

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
MARK = "'"
# A UTF-8 byte order mark: without it Excel reads UTF-8 CSV as the local code
# page, and Cyrillic names turn into mojibake.
BOM = "\ufeff"


def _dangerous(text: str) -> bool:
    return text.lstrip(MARK).startswith(TRIGGERS)


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
        return MARK + value if value and value.lstrip(MARK).startswith(TRIGGERS) else value
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


# Lines end with a bare newline, as PostgreSQL's COPY writes them (events/registry_copy.py).
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


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A worksheet holds at most 1,048,576 rows, the header included.
XLSX_MAX_ROWS = 1_048_575


def xlsx_response(filename, header, rows, sheet="Data"):
    """The same cells as the CSV, as an .xlsx workbook: no question of character sets.

    Written row by row by openpyxl's write-only mode into a temporary file, so
    memory does not grow with the rows; text cells are marked as text, so
    that nothing in them is ever read as a formula, and escaped as in the CSV.
    """
    book = Workbook(write_only=True)
    worksheet = book.create_sheet(sheet)
    worksheet.append(header)
    for count, row in enumerate(rows, start=1):
        if count > XLSX_MAX_ROWS:
            # Never cut a list silently: the last row says where the rest is.
            worksheet.append([f"More rows than a worksheet holds: download {filename[:-5]}.csv for all of them."])
            break
        cells = []
        for value in row:
            value = cell(value)
            item = WriteOnlyCell(worksheet, value=value)
            if isinstance(value, str):
                item.data_type = "s"
            cells.append(item)
        worksheet.append(cells)
    file = tempfile.TemporaryFile()
    book.save(file)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX)


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

    def rows():
        for obj in queryset.select_related(*related).order_by("pk").iterator(chunk_size=1000):
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
