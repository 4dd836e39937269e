"""Reading an uploaded sheet, CSV or XLSX, into rows: streamed, and refused at the first limit it passes.

The limits are in tracker/imports/limits.py and written for editors in
docs/import.md. A file is refused by the size it declares before its rows are
read, and as it is read, at the first row or cell past a limit; every refusal
is a SheetError whose message an editor can act on. A workbook is read by
tracker/imports/xlsx.py; the importer (tracker/imports/importer.py) plans the rows.
"""

import csv
import io
from collections import Counter
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from openpyxl.utils.cell import get_column_letter

from tracker.exports import unescape_formula
from tracker.imports import limits
from tracker.imports.limits import SheetError, cell_too_long, filled, too_many_cells, too_many_characters, too_many_rows
from tracker.imports.xlsx import Workbook
from tracker.text import problem_characters


@dataclass
class Sheet:
    filename: str
    header: list[str]
    # (row number as the spreadsheet shows it, {column: cell}); empty rows skipped.
    rows: list[tuple[int, dict]]


def read_sheet(filename: str, data: bytes) -> Sheet:
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        table = partial(_csv_rows, data)
    elif suffix == ".xlsx":
        table = Workbook(data).rows
    else:
        raise SheetError("Choose a .csv or .xlsx file.")
    try:
        # Read once keeping nothing, then again keeping the rows: a sheet past
        # a limit is refused before its rows fill the memory.
        for _ in _within_limits(table()):
            pass
        return _sheet(filename, _within_limits(table()))
    except UnicodeDecodeError:
        raise SheetError("The file is not UTF-8: save it as CSV UTF-8.") from None
    except csv.Error as error:
        raise SheetError(f"The CSV file cannot be read: {error}.") from None


def _within_limits(rows):
    """The (number, cells) rows of a table as they are read, refused at the first one past a limit.

    The length of a cell is checked by the reader of each format, as it reads it.
    """
    columns = None  # named in the header
    for number, values in rows:
        if number > limits.MAX_ROWS + 1:
            raise too_many_rows()
        if len(values) > limits.MAX_COLUMNS:
            beyond = next(
                (n for n, value in enumerate(values[limits.MAX_COLUMNS :], limits.MAX_COLUMNS + 1) if filled(value)),
                None,
            )
            if beyond:
                raise SheetError(
                    f"Row {number} has a value in column {get_column_letter(beyond)}: a sheet has at most "
                    f"{limits.MAX_COLUMNS} columns. Delete the columns this import does not read."
                )
        if columns is None:
            columns = sum(1 for value in values[: limits.MAX_COLUMNS] if filled(value))
        elif (number - 1) * columns > limits.MAX_CELLS:
            raise too_many_cells()
        yield number, values


def _csv_rows(data):
    """(row number, cells) of a CSV file, decoded and split a line at a time."""
    # Excel writes semicolons where the decimal separator is a comma; our
    # column names contain neither, so the header line tells (counted in
    # bytes, which UTF-8 leaves as they are).
    end = data.find(b"\n", 0, limits.MAX_ROW_CHARACTERS)
    first_line = data[: end if end >= 0 else limits.MAX_ROW_CHARACTERS]
    delimiter = ";" if first_line.count(b";") > first_line.count(b",") else ","
    # utf-8-sig: with or without the byte order mark Excel writes.
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    number = 0
    pending = 0  # characters handed to the csv reader since its last row
    characters = 0  # in the cells of the rows read

    def lines():
        # Read with a limit: a file of one endless line is refused at its
        # first million characters, before the csv module splits it.
        nonlocal pending
        while line := text.readline(limits.MAX_ROW_CHARACTERS + 1 - pending):
            pending += len(line)
            if pending > limits.MAX_ROW_CHARACTERS:
                raise SheetError(
                    f"Row {number + 1} is longer than {limits.MAX_ROW_CHARACTERS:,} characters: "
                    "save the sheet again as CSV UTF-8, one row per line."
                )
            yield line

    reader = csv.reader(lines(), delimiter=delimiter)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # Fields past the csv module's own limit (131,072 characters) end here.
            if str(error).startswith("field larger than field limit"):
                raise SheetError(
                    f"Row {number + 1}: a cell holds more than {limits.MAX_CELL_CHARACTERS:,} characters, "
                    "more than a spreadsheet cell can hold."
                ) from None
            raise
        number += 1
        pending = 0
        if cells and max(map(len, cells)) > limits.MAX_CELL_CHARACTERS:
            raise cell_too_long(number, 1 + max(range(len(cells)), key=lambda n: len(cells[n])))
        characters += sum(map(len, cells))
        if characters > limits.MAX_CHARACTERS:
            raise too_many_characters(number)
        yield number, cells


def _sheet(filename, rows):
    rows = iter(rows)
    number, values = next(rows, (1, []))
    # The header is the first row; a sheet whose first rows are empty has none.
    header = [str(name).strip().lower() for name in values] if number == 1 else []
    named = [name for name in header if name]
    if not named:
        raise SheetError("The first row is empty: it must name the columns.")
    for name in named:
        problem = problem_characters(name)
        if problem:
            raise SheetError(f"A column name in the first row: {problem}")
    twice = sorted(name for name, count in Counter(named).items() if count > 1)
    if twice:
        raise SheetError(f"These columns are named twice: {', '.join(twice)}.")
    result = []
    for number, values in rows:
        values = list(values) + [""] * (len(header) - len(values))
        cells = {name: _cell(value) for name, value in zip(header, values) if name}
        if any(value != "" for value in cells.values()):
            result.append((number, cells))
    return Sheet(filename, named, result)


def _cell(value):
    if isinstance(value, str):
        # Undo our exports' formula escaping first: it is the first character.
        return unescape_formula(value).strip()
    return value
