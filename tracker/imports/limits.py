"""What one uploaded sheet may hold, and the error that refuses a sheet past it.

Both readers (tracker/imports/sheets.py for CSV, tracker/imports/xlsx.py for
workbooks) read these limits from this module when they run, so a test or a
deployment that lowers one is heard by both.
"""

from openpyxl.utils.cell import get_column_letter

# What one sheet may hold, written for editors in docs/import.md. An editor's
# sheet is a few thousand rows of some twenty columns; the limits leave ten
# times that. A file is refused by the size it declares before its rows are
# read, and as it is read, at the first row or cell past a limit: a 1.6 KB
# workbook declaring a billion cells once kept a worker busy for hours.
MAX_BYTES = 10 * 1024 * 1024  # the file as uploaded
MAX_ROWS = 50_000  # below the header, empty ones included
MAX_COLUMNS = 100
# Rows below the header × columns named in it: what the rows take in memory,
# about 100 bytes a cell. A people sheet of 25 columns may have 40,000 rows.
MAX_CELLS = 1_000_000
MAX_CELL_CHARACTERS = 32_767  # as many as Excel lets a cell hold
# All the cells together, the header included: each cell is a text of its own
# in memory (trimmed of its spaces), and the preview reads every one. A CSV
# file of 10 MB holds at most some 10 million; a workbook's cells may share
# one text of its table, counted each time a cell uses it: 20 cells × 2,000
# rows of one 32,760-character text, from a 48 KB file, were 1.25 GB.
MAX_CHARACTERS = 20_000_000
# A CSV row is split whole by the csv module: its length bounds what that takes.
MAX_ROW_CHARACTERS = 1_000_000
# An .xlsx file is a zip of XML parts, each read as it is unpacked.
MAX_PARTS = 1_000  # a workbook has a dozen; each one named costs memory to list
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # all the parts together
MAX_PART_BYTES = 25 * 1024 * 1024  # one part: the worksheet, its table of texts…
# Of a part over 1 MB: a sheet's XML packs 5 to 30 times; a zip bomb a thousand.
MAX_COMPRESSION_RATIO = 100
# The table of texts a workbook's cells point into is held in memory whole.
MAX_SHARED_STRINGS = 200_000
# A tag of a part's XML, from its "<" to its ">": expat reads a start tag
# whole, all its attributes in a dict, before any handler can count them
# (850,000 attributes in one tag took 290 MB). The longest Excel writes are a
# part's first (<worksheet>, <styleSheet> with their namespaces), under 1 KB,
# and lists of ranges (sqref), some kilobytes at most before the rows.
MAX_TAG_BYTES = 64 * 1024


class SheetError(Exception):
    """The file as a whole cannot be read; the message is for the upload form."""


def too_many_rows():
    return SheetError(
        f"The sheet has more than {MAX_ROWS:,} rows below the header (empty rows count too): "
        "split it into several files, or delete the empty rows at its end."
    )


def too_many_cells():
    return SheetError(
        f"The sheet has more than {MAX_CELLS:,} cells (rows below the header × columns): "
        "split it into several files, or leave out the columns this import does not read."
    )


def cell_too_long(number, column):
    return SheetError(
        f"Row {number}, column {get_column_letter(column)}: a cell holds more than "
        f"{MAX_CELL_CHARACTERS:,} characters, more than a spreadsheet cell can hold."
    )


def too_many_characters(number):
    return SheetError(
        f"Row {number}: the sheet holds more than {MAX_CHARACTERS:,} characters in all its cells: "
        "split it into several files, or leave out the columns this import does not read."
    )


def filled(value):
    return value is not None and str(value).strip() != ""
