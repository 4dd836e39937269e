"""Hostile sheets of about 10 MB through the admin import: how fast each is refused, in how much memory.

    .venv/bin/python bench/hostile_sheets.py [--mb 10]

Builds one sheet of each kind issue 12 found (a workbook declaring a billion
cells, a CSV of tens of thousands of columns, a workbook whose table of texts
unpacks to megabytes, a zip bomb, a CSV of too many rows, a CSV with a NUL
byte in every row), a few more of the same families and two a review found
(cells sharing texts of 32,760 characters, a tag of many attributes), then reads each in
a child process of its own, as the admin's upload does: read_sheet(), then,
for a sheet it reads, the plan of its rows as an Editor (the preview). The
child's peak memory (ru_maxrss) is its own (this process, whose peak a
child's ru_maxrss starts from, holds no sheet); a child that only sets up
Django, as every child does first, gives the baseline, and "growth" is a
case's peak over it. Seconds are from the bytes in memory (as Django hands
over an upload) to the refusal; rendering the page is not counted.

The database is a SQLite file in a temporary directory, migrated for the run,
with one Editor; nothing else is touched. The goal (issue 12): each refused
within a second, in under 100 MB.
"""

import argparse
import json
import os
import random
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

# The workbooks are written by hand as the tests write them.
from tests.workbooks import (
    MAIN,
    worksheet,
    xlsx,
    xlsx_sharing_long_texts,
    xlsx_with_a_tag_of_many_attributes,
)

MB = 1024 * 1024


# --- The sheets -----------------------------------------------------------------


def inline_rows(count, width=3):
    """Rows of inline texts that do not pack: each cell a random name."""
    rng = random.Random(12)
    for number in range(1, count + 1):
        cells = "".join(
            f'<c t="inlineStr"><is><t>{"".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=12))}</t></is></c>'
            for _ in range(width)
        )
        yield f'<row r="{number}">{cells}</row>'


def declared_dimension(size):
    # The 1.6 KB workbook declared A1:XFD100000000; this one carries 10 MB of rows under it.
    rows = int(size / 170)
    return xlsx(worksheet(inline_rows(rows), dimension="A1:XFD100000000"), compression=zipfile.ZIP_STORED)


def lying_dimension(size):
    # Declares two rows and holds many more: counted in its bytes before its XML is read.
    rows = int(size / 170)
    return xlsx(worksheet(inline_rows(rows), dimension="A1:C2"), compression=zipfile.ZIP_STORED)


def empty_cells_in_a_row(size):
    # One row of empty cells without end, which openpyxl built in full before anything counted them.
    header = '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
    row = '<row r="2">' + "<c/>" * ((size - 1000) // 4) + "</row>"
    return xlsx(worksheet([header, row]), compression=zipfile.ZIP_STORED)


def huge_table_of_texts(size):
    # The 203 KB workbook, grown: distinct texts that pack ten times over.
    def table():
        # Packed alongside as zipfile packs the part (the same deflate), to know when the file is large enough.
        packing = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        chunk = f'<sst xmlns="{MAIN}">'.encode()
        packed, count = len(packing.compress(chunk)), 0
        yield chunk
        while packed < size - 64 * 1024:
            chunk = "".join(f"<si><t>name {n:09d}</t></si>" for n in range(count, count + 10_000)).encode()
            packed += len(packing.compress(chunk))
            count += 10_000
            yield chunk
        yield b"</sst>"

    return xlsx(worksheet(['<row r="1"><c t="s"><v>0</v></c></row>']), table())


def many_texts(size):
    # A table of texts within the size limits, stored unpacked: refused by their count, before they are read.
    count = (size - 1000) // 25
    table = f'<sst xmlns="{MAIN}">' + "".join(f"<si><t>{n:09d}</t></si>" for n in range(count)) + "</sst>"
    return xlsx(worksheet(['<row r="1"><c t="s"><v>0</v></c></row>']), table, compression=zipfile.ZIP_STORED)


def zip_bomb(size):
    """Three worksheets, each declaring about a thousand times its packed size (deflate's most): 10 GB in all.

    Built without unpacking anything: one fully flushed deflate block of a
    megabyte of spaces, repeated, stored as it is, then the zip's headers
    patched to say "deflated" and the size it unpacks to. Its checksums are
    left wrong: a refusal by the sizes the zip declares never reads that far.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(b" " * MB) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeats = min((size - 4096) // 3 // len(block), 4095)  # under 4 GB a part: no zip64
    stream = block * repeats + compressor.flush()
    names = [f"xl/worksheets/sheet{n}.xml" for n in (1, 2, 3)]
    data = bytearray(xlsx(stream, extra={name: stream for name in names[1:]}, compression=zipfile.ZIP_STORED))
    # Offsets in a part's own header and in the zip's directory: method, size unpacked, name length, name.
    headers = ((b"PK\x03\x04", 8, 22, 26, 30), (b"PK\x01\x02", 10, 24, 28, 46))
    for signature, method, unpacked, name_length, name_at in headers:
        position = 0
        while (position := data.find(signature, position)) >= 0:
            length = struct.unpack_from("<H", data, position + name_length)[0]
            if bytes(data[position + name_at : position + name_at + length]).decode() in names:
                struct.pack_into("<H", data, position + method, zipfile.ZIP_DEFLATED)
                struct.pack_into("<I", data, position + unpacked, MB * repeats)
            position += 4
    return bytes(data)


def junk_among_the_rows(size):
    # Elements that are neither rows nor cells cost as much to read: counted in the bytes, against the cells.
    rng = random.Random(12)
    names = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=3)) for _ in range(5000)]
    # As many as the limit of a part (25 MB unpacked) holds: about 3.5 million.
    junk = "".join(f"<{rng.choice(names)}/>" for _ in range(24 * MB // 7))
    return xlsx(worksheet(['<row r="1"><c t="inlineStr"><is><t>name</t></is></c></row>', f'<row r="2">{junk}</row>']))


def many_parts(size):
    # A zip of tiny parts: zipfile lists every one of them before anything else.
    tiny = ((f"x/{n}", b"") for n in range((size - 4096) // 100))
    return xlsx(worksheet([]), extra=tiny, compression=zipfile.ZIP_STORED)


def shared_long_texts(size):
    # A review's workbook: 20 texts of 32,760 characters, every cell of every row
    # pointing at one; trimmed into a copy per cell, 50,000 rows of it took 24 GB.
    # Stored unpacked to reach the size (packed, 50,000 rows are 1.1 MB).
    rows = min((size - 700_000) // 450, 50_000)
    return xlsx_sharing_long_texts(rows, compression=zipfile.ZIP_STORED)


def many_attributes(size):
    # One start tag of 600,000 attributes: expat builds them all in a dict before any handler runs.
    return xlsx_with_a_tag_of_many_attributes(size // 17, compression=zipfile.ZIP_STORED)


def wide_header(size):
    # The 270 KB CSV of 40,000 columns, with 90,000 columns and rows to 10 MB.
    header = ",".join(["name", *(f"c{n:05d}" for n in range(90_000))]) + "\n"
    row = "Ales,BY\n"
    return (header + row * ((size - len(header)) // len(row))).encode()


def endless_line(size):
    return b"name\n" + b"Ales," * (size // 5)


def too_many_rows(size):
    return b"name,country\n" + b"Ales,BY\n" * (size // 8)


def nul_in_every_row(size):
    # Every row a person whose name holds a NUL byte: at the preview, every row is an error.
    rows = 50_000
    filler = "x" * (size // rows - 18)
    lines = ["person_external_id,name,country"]
    lines += [f"p-{n},A\x00{filler},BY" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


# (kind, file name, builder): the six kinds of issue 12 first, then more of the same families, then a review's.
KINDS = [
    ("xlsx declaring A1:XFD100000000", "people.xlsx", declared_dimension),
    ("csv, header of 90,001 columns", "people.csv", wide_header),
    ("xlsx, table of texts packed 10×", "people.xlsx", huge_table_of_texts),
    ("xlsx zip bomb (10 GB declared)", "people.xlsx", zip_bomb),
    ("csv, too many rows", "people.csv", too_many_rows),
    ("csv, a NUL byte in every row", "people.csv", nul_in_every_row),
    ("xlsx declaring A1:C2, more rows", "people.xlsx", lying_dimension),
    ("xlsx, a row of empty cells", "people.xlsx", empty_cells_in_a_row),
    ("xlsx, too many texts, unpacked", "people.xlsx", many_texts),
    ("xlsx, 3 million junk elements", "people.xlsx", junk_among_the_rows),
    ("xlsx of 100,000 empty parts", "people.xlsx", many_parts),
    ("csv of one line", "people.csv", endless_line),
    ("xlsx, cells sharing long texts", "people.xlsx", shared_long_texts),
    ("xlsx, a tag of many attributes", "people.xlsx", many_attributes),
]


# --- One child per sheet ----------------------------------------------------------


def child(path, filename):
    """Set up Django, then read the sheet as the admin's upload does; print what happened as JSON."""
    import django

    django.setup()
    from django.contrib.auth.models import User

    from tracker.imports import PeopleImporter, SheetError, read_sheet

    user = User.objects.get(username="bench")
    PeopleImporter(user)  # the Editor's permissions, read once as in a request
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if path is None:
        print(json.dumps({"baseline_kb": baseline}))
        return
    data = Path(path).read_bytes()
    started = time.perf_counter()
    try:
        sheet = read_sheet(filename, data)
    except SheetError as error:
        message = str(error)
    else:
        # The preview: the plan of every row, whose errors the admin shows.
        plan = PeopleImporter(user, filename).plan(sheet)
        errors = [row for row in plan.rows if row.errors]
        if plan.problems:
            message = " ".join(plan.problems)
        elif errors:
            message = (
                f"preview: {len(errors):,} of {len(plan.rows):,} rows with errors, "
                f"{'nothing to confirm' if not plan.is_valid else 'CONFIRMABLE'}; "
                f"row {errors[0].number}: {errors[0].errors[0]}"
            )
        else:
            message = f"NOT REFUSED: {plan.counts}"
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "baseline_kb": baseline, "peak_kb": peak, "message": message}))


def run(env, *arguments):
    command = [sys.executable, __file__, *arguments]
    result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    if result.returncode:
        raise SystemExit(f"{' '.join(arguments)} failed:\n{result.stderr}")
    return result.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=10, help="size of each sheet, in MB (default 10)")
    parser.add_argument("--build", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--read", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        kind, path = args.build
        builders = {build.__name__: build for _, _, build in KINDS}
        Path(path).write_bytes(builders[kind](int(args.mb * MB)))
        return
    if args.read or args.baseline:
        path, filename = args.read or (None, "")
        return child(path, filename)

    # This process holds no sheet and no Django: on Linux a child's ru_maxrss
    # starts at its parent's peak (kept across fork and exec), so the sheets
    # are built by children of their own, and read by others.
    with tempfile.TemporaryDirectory() as directory:
        directory = Path(directory)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{directory / 'bench.sqlite3'}"}
        print("Migrating a database for the run…", flush=True)
        setup = (
            "import django; django.setup()\n"
            "from django.core.management import call_command\n"
            "from django.contrib.auth.models import Group, User\n"
            "call_command('migrate', verbosity=0)\n"
            "User.objects.create_user('bench', is_staff=True).groups.add(Group.objects.get(name='Editor'))\n"
        )
        subprocess.run([sys.executable, "-c", setup], env=env, check=True, cwd=ROOT)

        baselines = [json.loads(run(env, "--baseline"))["baseline_kb"] / 1024 for _ in range(3)]
        baseline = min(baselines)
        print(
            f"Baseline, a child that only sets up Django and reads the Editor: {baseline:.0f} MB "
            f"(3 runs: {', '.join(f'{b:.0f}' for b in baselines)} MB)\n"
        )
        width = max(len(kind) for kind, _, _ in KINDS)
        print(f"{'kind':<{width}}  {'file':>8}  {'refused in':>10}  {'peak':>6}  {'growth':>7}  message")
        messages = []
        for kind, filename, build in KINDS:
            path = directory / filename
            run(env, "--mb", str(args.mb), "--build", build.__name__, str(path))
            result = json.loads(run(env, "--read", str(path), filename))
            peak = result["peak_kb"] / 1024
            message = result["message"]
            short = message if len(message) <= 100 else message[:99] + "…"
            size = path.stat().st_size / MB
            print(
                f"{kind:<{width}}  {size:>5.1f} MB  {result['seconds']:>8.3f} s  {peak:>3.0f} MB  "
                f"{peak - baseline:>+4.0f} MB  {short}",
                flush=True,
            )
            messages.append((kind, message))
        print("\nThe messages in full:")
        for kind, message in messages:
            print(f"- {kind}: {message}")


if __name__ == "__main__":
    main()
