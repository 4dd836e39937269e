"""Reading the first worksheet of an .xlsx file, part by part as it is unpacked, within the limits.

tracker/imports/sheets.py hands a workbook's bytes here and takes its rows
back; the limits are tracker/imports/limits.py's, read when a workbook is read.
"""

import datetime
import io
import posixpath
import re
import zipfile
import zlib
from xml.parsers import expat

from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter, range_boundaries
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601
from openpyxl.utils.exceptions import CellCoordinatesException

from tracker.imports import limits
from tracker.imports.limits import SheetError, cell_too_long, filled, too_many_characters, too_many_rows

# An .xlsx file, read without openpyxl's reader: openpyxl pads every row to the
# width the sheet declares, and builds each part's XML tree (all of a row's
# cells, every string of the table) before anything can be counted. Here the
# parts are streamed through expat and every count is checked as it grows.

_NOT_A_WORKBOOK = "The file is not an Excel workbook: save it as “Excel Workbook (.xlsx)”."
_DAMAGED = "The workbook is damaged: open it in Excel and save it again."
_LOCKED = (
    "The workbook is protected by a password, or is an old Excel 97–2003 (.xls) file: "
    "open it in Excel, remove the password and save it as “Excel Workbook (.xlsx)”."
)
# What encrypted .xlsx and old .xls files are: an OLE2 compound file, not a zip.
_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MB = 1024 * 1024
# Excel's own maximum of cell formats in a workbook.
_MAX_FORMATS = 65_490
# How deep a workbook's XML nests: a dozen at most; a hostile part nests without end.
_MAX_DEPTH = 64
# Elements of a workbook's small parts (its relationships, sheets, styles): a few thousand.
_MAX_ELEMENTS = 1_000_000
# Elements a sheet's row or cell is made of (<c><is><t>…), and a text of the
# table (each run of a formatted text with its font, size, colour…); and a
# margin for the rest (the columns' widths, a few formatted texts).
_ELEMENTS_PER_CELL = 4
_ELEMENTS_PER_TEXT = 16
_SPARE_ELEMENTS = 100_000


# What reading a broken or hostile part can raise, besides the limits' SheetError.
_BROKEN = (
    expat.ExpatError,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    LookupError,
    CellCoordinatesException,
)


class _Stop(Exception):
    """Everything needed from a part is read: stop parsing it."""


class Workbook:
    """The first worksheet of an .xlsx file, read part by part as they are unpacked.

    The zip's own directory is checked first: the sizes it declares bound what
    zipfile will unpack (a part that unpacks to more fails its checksum). Then
    the workbook's relationships, styles and table of texts are read, and the
    worksheet is streamed row by row: its declared dimension, its rows, cells
    and texts are each refused as soon as they pass a limit. The rows and
    cells of the worksheet and the texts of the table are also counted in
    their bytes first, some twenty times faster than their XML is read: a
    file of too many is refused before it is parsed.
    """

    def __init__(self, data):
        if data.startswith(_OLE2_SIGNATURE):
            raise SheetError(_LOCKED)
        # Each part has an entry in the zip's directory, which zipfile lists whole.
        if data.count(b"PK\x01\x02") > limits.MAX_PARTS:
            raise SheetError(
                f"The workbook has more than {limits.MAX_PARTS:,} parts: open it in Excel and save it again."
            )
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
            raise SheetError(_NOT_A_WORKBOOK) from None
        parts = self.archive.infolist()
        if any(part.flag_bits & 0x1 for part in parts):
            raise SheetError(_LOCKED)
        if any(part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for part in parts):
            raise SheetError(_DAMAGED)
        if sum(part.file_size for part in parts) > limits.MAX_UNPACKED_BYTES:
            raise SheetError(
                f"The workbook unpacks to more than {limits.MAX_UNPACKED_BYTES // _MB} MB: "
                "split it into several files, or save only the sheet to import."
            )
        for part in parts:
            if part.file_size > limits.MAX_PART_BYTES:
                raise SheetError(
                    f"The workbook's part {part.filename} unpacks to more than {limits.MAX_PART_BYTES // _MB} MB: "
                    "split the sheet into several files."
                )
            ratio = part.file_size // max(part.compress_size, 1)
            if part.file_size > _MB and ratio > limits.MAX_COMPRESSION_RATIO:
                raise SheetError(
                    f"The workbook's part {part.filename} unpacks to {ratio:,} times its packed size "
                    f"(at most {limits.MAX_COMPRESSION_RATIO}): open it in Excel and save it again."
                )
        self.names = {part.filename for part in parts}
        self.counts = None
        try:
            self.read_structure()
        except _BROKEN:
            raise SheetError(_DAMAGED) from None

    def rows(self):
        """(row number, cells) of the first worksheet, its empty rows left out."""
        try:
            if self.counts is None:
                # What the sheet declares, then what it holds, before its XML is read.
                self.check_dimension()
                bounds = {b"row": limits.MAX_ROWS + 1, b"c": limits.MAX_CELLS}
                self.counts, elements = self.count(self.worksheet, _SHEET_TAGS, bounds, until=_END_OF_ROWS)
                # Anything else among the rows costs as much to read as a cell, and is not counted by the limits.
                if elements > _ELEMENTS_PER_CELL * (self.counts[b"row"] + self.counts[b"c"]) + _SPARE_ELEMENTS:
                    raise SheetError(_DAMAGED)
            if self.counts[b"row"] > limits.MAX_ROWS + 1:
                raise too_many_rows()
            if self.counts[b"c"] > limits.MAX_CELLS:
                raise _too_many_xlsx_cells()
            yield from self.read_worksheet()
        except _BROKEN:
            raise SheetError(_DAMAGED) from None

    # Reading parts.

    def open(self, name):
        if name not in self.names:
            raise SheetError(_NOT_A_WORKBOOK)
        return self.archive.open(name)

    def count(self, name, tags, bounds, until=None):
        """How many of the elements `tags` names the part holds, and how many elements in all, counted in its bytes.

        Stops past a limit, or at `until` (the end of a sheet's rows). A
        megabyte at a time, a tag cut by the end of one counted with the next.
        A tag inside a comment counts too: the XML, read afterwards, is
        counted exactly.
        """
        counts = dict.fromkeys(bounds, 0)
        elements = 0
        with self.open(name) as part:
            rest = b""
            while chunk := part.read(_MB):
                chunk = rest + chunk
                end = chunk.rfind(b"<")
                end = end if end >= 0 else len(chunk)
                stop = until.search(chunk, 0, end) if until else None
                end = stop.start() if stop else end
                for tag in tags.findall(chunk, 0, end):
                    counts[tag] += 1
                # Every "<" opens an element but those of end tags, comments and declarations.
                elements += chunk.count(b"<", 0, end) - sum(
                    chunk.count(other, 0, end) for other in (b"</", b"<!", b"<?")
                )
                # A tag's name is in its first bytes: the rest of a long text is not needed.
                rest = chunk[end : end + 64]
                if stop or any(counts[tag] > limit for tag, limit in bounds.items()):
                    break
        return counts, elements

    def parse(self, name, start=None, end=None, text=None, until=None):
        """Stream one part through expat, a chunk at a time, yielding after each one so rows are taken as they come.

        Each chunk is searched for a tag longer than limits.MAX_TAG_BYTES before
        expat sees it (a tag cut by the end of a chunk is searched with the
        next). `until` is where the reader stops (the end of a sheet's
        rows): what follows it in the same chunk is not searched, as expat
        stops there; were it not the end (one in a comment), what follows is
        searched with the next chunk, a tag of it at most twice the bound.
        """
        # Without namespaces (a prefix is dropped by _local): faster, and names are all the reader needs.
        parser = expat.ParserCreate()
        # A workbook's XML has no DTD: entities are how an XML bomb is made.
        parser.StartDoctypeDeclHandler = self.refuse
        parser.EntityDeclHandler = self.refuse
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = text
        parser.buffer_text = True
        try:
            with self.open(name) as part:
                tail = b""  # an unclosed tag at the end of the last chunk
                while chunk := part.read(64 * 1024):
                    scanned = tail + chunk
                    stop = until.search(scanned) if until else None
                    if _LONG_TAG.search(scanned, 0, stop.start() if stop else len(scanned)):
                        raise SheetError(_DAMAGED)
                    opened = scanned.rfind(b"<")
                    tail = scanned[opened:] if opened >= 0 and scanned.find(b">", opened) < 0 else b""
                    parser.Parse(chunk, False)
                    yield
                parser.Parse(b"", True)
        except _Stop:
            pass

    def read(self, name, start, until=None):
        """Read a small part (relationships, the workbook, its styles): `start(within, attributes)` sees each element.

        `within` is the names of the elements open, the innermost last.
        """
        within = []
        elements = 0

        def started(tag, attributes):
            nonlocal elements
            elements += 1
            within.append(_local(tag))
            if len(within) > _MAX_DEPTH or elements > _MAX_ELEMENTS:
                raise SheetError(_DAMAGED)
            start(within, attributes)

        for _ in self.parse(name, started, lambda tag: within.pop(), until=until):
            pass

    @staticmethod
    def refuse(*args):
        raise SheetError(_DAMAGED)

    def relationships(self, name):
        """{id: (type, part name)} of a part, from its .rels part."""
        folder, base = posixpath.split(name)
        found = {}

        def start(within, attributes):
            target = attributes.get("Target", "")
            if within[-1] == "Relationship" and attributes.get("TargetMode") != "External":
                path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                found[attributes.get("Id")] = (attributes.get("Type", "").rpartition("/")[2], path)

        self.read(posixpath.join(folder, "_rels", f"{base}.rels"), start)
        return found

    def read_structure(self):
        book = next((path for kind, path in self.relationships("").values() if kind == "officeDocument"), None)
        if book is None:
            raise SheetError(_NOT_A_WORKBOOK)
        parts = self.relationships(book)
        sheets = []
        self.epoch = WINDOWS_EPOCH

        def start(within, attributes):
            if within[-1] == "workbookPr" and attributes.get("date1904") in ("1", "true"):
                self.epoch = MAC_EPOCH
            elif within[-1] == "sheet":
                # r:id, the sheet's relationship, whatever its namespace's prefix.
                sheets.append(next((value for key, value in attributes.items() if key.endswith(":id")), None))

        self.read(book, start)
        # The first worksheet, as openpyxl's workbook.worksheets[0]: a chart sheet is not one.
        self.worksheet = next((parts[key][1] for key in sheets if parts.get(key, ("",))[0] == "worksheet"), None)
        if self.worksheet is None:
            raise SheetError("The workbook has no worksheet.")
        kinds = {kind: path for kind, path in parts.values()}
        self.read_styles(kinds.get("styles"))
        self.read_strings(kinds.get("sharedStrings"))

    def read_styles(self, name):
        """The cell formats that make a number a date (or a duration), as openpyxl tells them."""
        self.date_styles, self.duration_styles = set(), set()
        if name is None:
            return
        custom, formats = {}, []

        def start(within, attributes):
            if within[-1] == "numFmt":
                custom[_integer(attributes.get("numFmtId"))] = attributes.get("formatCode", "")
            elif within[-2:] == ["cellXfs", "xf"]:
                formats.append(_integer(attributes.get("numFmtId", "0")))
            if len(formats) > _MAX_FORMATS or len(custom) > _MAX_FORMATS:
                raise SheetError(_DAMAGED)

        self.read(name, start)
        for style, format_id in enumerate(formats):
            code = custom[format_id] if format_id in custom else builtin_format_code(format_id)
            if is_date_format(code):
                self.date_styles.add(style)
            if is_timedelta_format(code):
                self.duration_styles.add(style)

    def read_strings(self, name):
        """The workbook's table of texts, which cells of type "s" point into."""
        self.strings = []
        if name is None:
            return
        counts, elements = self.count(name, _TEXT_TAGS, {b"si": limits.MAX_SHARED_STRINGS})
        if counts[b"si"] > limits.MAX_SHARED_STRINGS:
            raise _too_many_texts()
        if elements > _ELEMENTS_PER_TEXT * counts[b"si"] + _SPARE_ELEMENTS:
            raise SheetError(_DAMAGED)
        runs = []
        depth = phonetic = length = 0
        reading = False  # within a <t> of the text, not of its phonetic guide

        def start(tag, attributes):
            nonlocal depth, phonetic, length, reading
            depth += 1
            if depth > _MAX_DEPTH:
                raise SheetError(_DAMAGED)
            tag = _local(tag)
            if tag == "si":
                if len(self.strings) >= limits.MAX_SHARED_STRINGS:
                    raise _too_many_texts()
                runs.clear()
                length = 0
            elif tag == "t":
                reading = not phonetic
            elif tag == "rPh":
                phonetic += 1

        def end(tag):
            nonlocal depth, phonetic, reading
            depth -= 1
            tag = _local(tag)
            if tag == "si":
                self.strings.append("".join(runs))
            elif tag == "t":
                reading = False
            elif tag == "rPh":
                phonetic -= 1

        def text(characters):
            nonlocal length
            if reading:
                length += len(characters)
                if length > limits.MAX_CELL_CHARACTERS:
                    raise SheetError(
                        f"A text of the workbook holds more than {limits.MAX_CELL_CHARACTERS:,} characters, "
                        "more than a spreadsheet cell can hold."
                    )
                runs.append(characters)

        for _ in self.parse(name, start, end, text):
            pass

    def read_worksheet(self):
        rows = []  # read since the last chunk, taken by the caller
        row = {}  # column → value, of the row being read
        runs = None  # the text of the cell being read, once its <v> or <is> opens
        depth = number = count = cells = column = length = phonetic = 0
        held = 0  # characters in the values of the cells read, a text of the table each time a cell uses it
        kind = style = None
        in_cell = reading = False

        def start(tag, attributes):
            nonlocal depth, number, count, cells, column, length, phonetic, kind, style, runs, in_cell, reading
            depth += 1
            if depth > _MAX_DEPTH:
                raise SheetError(_DAMAGED)
            tag = _local(tag)
            if tag == "c":
                cells += 1
                if cells > limits.MAX_CELLS:
                    raise _too_many_xlsx_cells()
                reference = attributes.get("r")
                column = coordinate_to_tuple(reference)[1] if reference else column + 1
                kind, style = attributes.get("t", "n"), _integer(attributes.get("s", "0"))
                runs, length, in_cell = None, 0, True
            elif in_cell and (tag == "v" or (tag == "t" and not phonetic)):
                # The cell's value, or a run of its inline text (<is><t>, <is><r><t>).
                reading = True
                if runs is None:
                    runs = []
            elif tag == "row":
                count += 1
                number = _integer(attributes["r"]) if "r" in attributes else number + 1
                if count > limits.MAX_ROWS + 1 or number > limits.MAX_ROWS + 1:
                    raise too_many_rows()
                column = 0
                row.clear()
            elif tag == "rPh":
                phonetic += 1
            elif tag == "is" and in_cell and runs is None:
                runs = []

        def end(tag):
            nonlocal depth, phonetic, in_cell, reading, held
            depth -= 1
            tag = _local(tag)
            if tag == "c":
                value = self.value(kind, style, runs)
                # Counted before the value is trimmed (a copy) by filled() here, and by _cell when the rows are kept.
                held += len(value) if isinstance(value, str) else length
                if held > limits.MAX_CHARACTERS:
                    raise too_many_characters(number)
                if filled(value):
                    if column > limits.MAX_COLUMNS:
                        raise SheetError(
                            f"Row {number} has a value in column {get_column_letter(column)}: a sheet has at most "
                            f"{limits.MAX_COLUMNS} columns. Delete the columns this import does not read."
                        )
                    row[column] = value
                in_cell = False
            elif tag == "v" or tag == "t":
                reading = False
            elif tag == "row" and row:
                rows.append((number, [_xlsx_cell(row.get(n)) for n in range(1, max(row) + 1)]))
            elif tag == "rPh":
                phonetic -= 1
            elif tag == "sheetData":
                raise _Stop  # the rest of the part is layout

        def text(characters):
            nonlocal length
            if reading:
                length += len(characters)
                if length > limits.MAX_CELL_CHARACTERS:
                    raise cell_too_long(number, column)
                runs.append(characters)

        for _ in self.parse(self.worksheet, start, end, text, until=_END_OF_ROWS):
            yield from rows
            rows.clear()
        yield from rows

    def check_dimension(self):
        """Refuse a sheet by the size its <dimension> declares, before its rows (which are counted all the same)."""
        elements = 0

        def start(within, attributes):
            nonlocal elements
            elements += 1
            if within[-1] == "sheetData" or elements > 1000:
                raise _Stop  # no dimension where Excel writes it, at the start: the rows tell
            if within[-1] != "dimension":
                return
            reference = attributes.get("ref", "")
            try:
                _, _, columns, rows = range_boundaries(reference)
            except (ValueError, TypeError):
                return  # never trusted anyway
            if rows is None or columns is None:
                return
            if rows > limits.MAX_ROWS + 1 or columns > limits.MAX_COLUMNS or (rows - 1) * columns > limits.MAX_CELLS:
                raise SheetError(
                    f"The sheet declares {rows:,} rows and {columns:,} columns ({reference}): a sheet has at most "
                    f"{limits.MAX_ROWS:,} rows below the header, {limits.MAX_COLUMNS} columns and {limits.MAX_CELLS:,} cells. If yours "
                    "is smaller, delete the empty rows and columns after its last cell in Excel and save it again."
                )

        self.read(self.worksheet, start, until=_END_OF_ROWS)

    def value(self, kind, style, runs):
        """A cell's value as openpyxl reads it (data only: a formula's last result)."""
        text = "".join(runs) if runs is not None else None
        if kind == "inlineStr":
            return text
        if not text:
            return None
        if kind == "n":
            value = float(text) if any(mark in text for mark in ".eE") else int(text)
            if style in self.date_styles:
                try:
                    return from_excel(value, self.epoch, timedelta=style in self.duration_styles)
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return value
        if kind == "s":
            # A plain decimal index into the table: int() would also take "-1" (the last text) or "1_0".
            if not _INDEX.fullmatch(text) or int(text) >= len(self.strings):
                raise SheetError(_DAMAGED)
            return self.strings[int(text)]
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return from_ISO8601(text)
        return text  # "str" (a formula's text), "e" (an error such as #N/A)


def _local(tag):
    """An element's name without its namespace prefix."""
    return tag.rpartition(":")[2] if ":" in tag else tag


def _too_many_xlsx_cells():
    return SheetError(
        f"The sheet has more than {limits.MAX_CELLS:,} cells, counting the empty ones Excel keeps for their format: "
        "split it into several files, or delete the rows and columns it does not need."
    )


def _too_many_texts():
    return SheetError(
        f"The workbook holds more than {limits.MAX_SHARED_STRINGS:,} different texts: "
        "split it into several files, or save only the sheet to import."
    )


# The elements counted in a part's bytes before it is read, with or without a namespace prefix.
_SHEET_TAGS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)[\s/>]")
_TEXT_TAGS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(si)[\s/>]")
_END_OF_ROWS = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData\s*>")
# An index into the table of texts: ASCII digits only (str.isdigit takes "٣" too).
_INDEX = re.compile(r"[0-9]{1,10}")
# A tag longer than limits.MAX_TAG_BYTES, from its "<" (a tag holds no other "<" nor ">").
_LONG_TAG = re.compile(rb"<[^<>]{%d}" % limits.MAX_TAG_BYTES)


def _integer(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SheetError(_DAMAGED) from None


def _xlsx_cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date() if value.time() == datetime.time() else value
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 1985 as 1985.0
    return str(value)
