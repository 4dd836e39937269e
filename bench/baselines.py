"""What the site is measured against, on the same database: Datasette, the `sqlite3` shell, PostgreSQL's COPY.

- Datasette 0.65.5 in a virtual environment of the benchmark's own
  (var/bench-env, made on first use with `python -m venv` and pip), never
  in the project's dependencies, serving the same SQLite file read-only:
  its table page of detentions as HTML, and a stored query of the same
  page as JSON (a canned query in its metadata).
- The `sqlite3` command-line shell's CSV of the prisoners query
  (bench/prisoners_sqlite.sql).
- PostgreSQL's COPY … TO STDOUT of the same query (bench/prisoners_copy.sql),
  and of a plain table holding the same rows (a temporary table made from
  that query): how fast PostgreSQL streams those rows when nothing is computed.

Every CSV is timed to its first data row, the first byte after the header
line, as well as to its end.
"""

import http.client
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from server import free_port

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
BENCH_ENV = BASE_DIR / "var" / "bench-env"
DATASETTE = "datasette==0.65.5"

# The registry's page of 25 held people, newest first, as Datasette shows it: its table page and a stored query.
REGISTRY_QUERY = """
SELECT p.uid, p.name, d.custody_status, d.detained_on, d.country
FROM tracker_detention d JOIN tracker_person p ON p.id = d.person_id
WHERE d.status = 'published' AND p.status = 'published' AND p.identity_level IN ('full', 'initials')
  AND d.custody_status = :status
ORDER BY d.detained_on DESC LIMIT 25
"""
STATUSES = ["held", "released", "pardoned", "served_sentence", "deported"]


class Stream:
    """Bytes arriving from somewhere: the first byte, the first data row (after the first line), the end."""

    def __init__(self):
        self.started = time.perf_counter()
        self.size = 0
        self.header_end = None
        self.first_byte = self.first_row = None
        self.rows = 0

    def add(self, data):
        now = time.perf_counter() - self.started
        if self.first_byte is None and data:
            self.first_byte = now
        if self.header_end is None and b"\n" in data:
            self.header_end = self.size + data.index(b"\n") + 1
        self.size += len(data)
        self.rows += data.count(b"\n")
        if self.first_row is None and self.header_end is not None and self.size > self.header_end:
            self.first_row = now

    def result(self):
        seconds = time.perf_counter() - self.started
        return {
            "seconds": seconds,
            "first_byte": self.first_byte if self.first_byte is not None else seconds,
            "first_row": self.first_row if self.first_row is not None else seconds,
            "bytes": self.size,
            # Lines less the header: no field of these CSVs holds a line break.
            "rows": max(self.rows - 1, 0),
        }


# --- PostgreSQL ---------------------------------------------------------------------


def prisoners_query(name, base):
    text = (BENCH_DIR / name).read_text()
    return "\n".join(line for line in text.splitlines() if not line.startswith("--")).strip().rstrip(";")


def copy_out(connection, statement):
    stream = Stream()
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for data in copy:
            stream.add(bytes(data))
    return stream.result()


def postgresql_copies(db, base):
    """COPY of the prisoners query, and of a plain table of its rows; each once to warm, then timed."""
    from psycopg import sql

    query = sql.SQL(prisoners_query("prisoners_copy.sql", base)).format(base=sql.Literal(base))
    connection = db.connect()
    try:
        of_query = sql.SQL("COPY ({}) TO STDOUT (FORMAT csv, HEADER)").format(query)
        copy_out(connection, of_query)
        results = {"query": copy_out(connection, of_query)}
        connection.execute(sql.SQL("CREATE TEMPORARY TABLE bench_prisoners AS {}").format(query))
        connection.execute("ANALYZE bench_prisoners")
        plain = sql.SQL("COPY bench_prisoners TO STDOUT (FORMAT csv, HEADER)")
        copy_out(connection, plain)
        results["table"] = copy_out(connection, plain)
    finally:
        connection.close()
    return results


# --- SQLite's shell -------------------------------------------------------------------


def sqlite_cli(path, base):
    """`sqlite3 -csv -header` of the prisoners query: once to warm the file's pages, then timed. None without the shell."""
    shell = shutil.which("sqlite3")
    if shell is None:
        return None
    query = prisoners_query("prisoners_sqlite.sql", base).replace("{base}", "'" + base.replace("'", "''") + "'")

    def run():
        process = subprocess.Popen(
            [shell, "-readonly", "-bail", "-csv", "-header", str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        stream = Stream()
        process.stdin.write(query.encode() + b";\n")
        process.stdin.close()
        while data := process.stdout.read1(1 << 16):
            stream.add(data)
        error = process.stderr.read().decode(errors="replace")
        if process.wait() != 0:
            raise RuntimeError(f"sqlite3 failed: {error[-500:]}")
        return stream.result()

    run()
    return run()


# --- Datasette ----------------------------------------------------------------------


def ensure_datasette(log):
    """The benchmark's own environment with Datasette; the path of its `datasette`, or an error."""
    program = BENCH_ENV / "bin" / "datasette"
    if program.exists():
        return program
    log.write(f"$ {sys.executable} -m venv {BENCH_ENV} && pip install {DATASETTE}\n")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_ENV)], check=True, stdout=log, stderr=log)
        subprocess.run(
            [str(BENCH_ENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", DATASETTE],
            check=True,
            stdout=log,
            stderr=log,
            timeout=600,
        )
    except (subprocess.SubprocessError, OSError) as error:
        raise RuntimeError(f"could not install {DATASETTE} into {BENCH_ENV}: {error}") from error
    return program


class Datasette:
    """`datasette serve` of one SQLite file on a free port, with the registry's page as a stored query."""

    def __init__(self, program, path, work_dir):
        self.program, self.path, self.work_dir = program, Path(path), Path(work_dir)
        self.name = self.path.stem
        self.port = free_port()
        self.process = None

    def urls(self):
        table = [
            f"/{self.name}/tracker_detention?custody_status={status}&_sort_desc=detained_on&_size=25&_nosuggest=1"
            for status in STATUSES
        ]
        stored = [f"/{self.name}/registry.json?status={status}" for status in STATUSES]
        return {"table": table, "stored": stored}

    def __enter__(self):
        metadata = self.work_dir / f"{self.name}-datasette.json"
        metadata.write_text(json.dumps({"databases": {self.name: {"queries": {"registry": REGISTRY_QUERY}}}}))
        self.log = open(self.work_dir / f"{self.name}-datasette.log", "ab")
        self.process = subprocess.Popen(
            [
                str(self.program),
                "serve",
                str(self.path),
                "--port",
                str(self.port),
                "--host",
                "127.0.0.1",
                "--metadata",
                str(metadata),
                # Its default limit (1 s) would answer the slower requests under load with an error, not a time.
                "--setting",
                "sql_time_limit_ms",
                "20000",
            ],
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"datasette exited with {self.process.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/-/versions.json")
                if connection.getresponse().status == 200:
                    connection.close()
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("datasette did not answer within 60 s")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()
