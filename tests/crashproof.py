"""Requests run in a child process, so that a crash fails one test with its input instead of ending the run.

Generated input once found a query (`/prisoners/?q=S+Tsikhanouski`) that made
SQLite 3.40 segfault: run in the pytest process, it killed the whole test run
with no summary, and only when Hypothesis happened to generate such a query.
Here the code under test runs in a worker process (tests/probe_worker.py) with
a database of its own, of the suite's vendor, migrated and planted once per
run. The Prober sends it one request at a time over a private pipe; when the
worker dies (a signal, an exit) or does not answer in time, or answers 500,
the request fails with the exact input, how the process ended and the end of
its stderr, and a new worker answers the next request.

Test modules load this file as a plugin (`pytest_plugins = ["tests.crashproof"]`)
so that all of them share one `prober` for the session. They import from it
first, so pytest cannot rewrite its asserts; it has none to rewrite:
PYTEST_DONT_REWRITE.
"""

import base64
import json
import os
import select
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The bound: no request may run longer than 2 s on the demo data. A benchmark, not a test
# (STYLE.md): an answer past it fails only when asked (PROBE_TIMED=1). A request that never ends is
# killed at a margin past the limit in every run (see probe()).
LIMIT = 2.0
# A start migrates and plants the database once per run, then warms up.
START_LIMIT = 180.0
TAIL_LINES = 30


class ProbeFailure(AssertionError):
    """A request that crashed the worker, ran out of time, or answered 500; the message names the input."""

    def __init__(self, request, what, tail=""):
        self.request = request
        self.what = what
        message = f"{request.describe()}\n  {what}"
        if tail:
            message += "\n  the worker's stderr ended with:\n" + "\n".join(f"    {line}" for line in tail.splitlines())
        super().__init__(message)


@dataclass
class Request:
    """One input for the worker: an address, who asks, and what to send."""

    url: str
    method: str = "GET"
    role: str = "anonymous"  # or "editor": signed in with the second factor, for /admin/
    data: dict = field(default_factory=dict)
    file: tuple | None = None  # (name, bytes) uploaded as "file"
    label: str = ""  # says what the file is, for the failure message
    confirm: bool = False  # after an import's preview, confirm it if it offers to
    cache: str = "clear"  # or "keep": leave what earlier requests cached
    find: tuple = ()  # strings to look for in the answer's text
    body: bool = False  # send back the whole text, not only an excerpt
    drill: str | None = None  # tests/probe_worker.py's deliberate crashes

    def describe(self):
        words = [self.method, self.url]
        if self.role != "anonymous":
            words.append(f"as an {self.role}")
        if self.file is not None:
            name, content = self.file
            about = f"{len(content):,} bytes{': ' + self.label if self.label else ''}"
            if name.endswith(".csv") and len(content) <= 500:
                about += f": {content!r}"  # the whole input, for a small sheet
            words.append(f"with the file {name} ({about})")
        if self.data:
            words.append(f"with the form {self.data!r}")
        if self.confirm:
            words.append("then confirmed if the preview offers to")
        if self.drill:
            words.append(f"(drill: {self.drill})")
        return " ".join(words)

    def message(self):
        message = {
            "url": self.url,
            "method": self.method,
            "role": self.role,
            "data": self.data,
            "confirm": self.confirm,
            "cache": self.cache,
            "find": list(self.find),
            "body": self.body,
            "drill": self.drill,
        }
        if self.file is not None:
            name, content = self.file
            message["file"] = {"name": name, "content": base64.b64encode(content).decode()}
        return message


def url(path, query=()):
    """`path` with `query` (pairs, or a dict) encoded as a browser would, lone surrogates as the bytes a client can send."""
    if not query:
        return path
    # Lone surrogates cannot be UTF-8: "surrogatepass" writes the bytes
    # (%ED%A0%80) a hostile client sends instead.
    return f"{path}?{urlencode(query, errors='surrogatepass')}"


@dataclass
class Answer:
    """The worker's answer to the last step of a request (an import's confirm, else its only step)."""

    status: int
    seconds: float
    content_type: str
    excerpt: str
    digest: str
    found: dict
    context: dict
    location: str | None
    text: str | None
    steps: list
    cache_entries: int
    import_files_left: int  # files the request left in IMPORT_TMP_DIR
    wrote: bool  # the data version moved: a record was written
    pid: int


def ended(returncode):
    """How a process ended, in words."""
    if returncode is None:
        return "still running"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = "unknown signal"
        return f"killed by signal {-returncode} ({name})"
    return f"exit code {returncode}"


class _Dead(Exception):
    pass


class Prober:
    """A worker process and the pipe to it; probe() sends one request and checks the answer."""

    def __init__(self, database, folder, prepare=False, env=None, limit=LIMIT, timed=None):
        self.database = database
        self.folder = Path(folder)
        self.prepare = prepare
        self.env = env or {}
        self.limit = limit
        self.timed = os.environ.get("PROBE_TIMED") == "1" if timed is None else timed
        self.process = None
        self.starts = []  # each start's timings, as the worker measured them
        self.facts = {}
        self._log = None

    # --- The worker's life ---------------------------------------------------------

    def start(self):
        (self.folder / "cache").mkdir(parents=True, exist_ok=True)
        (self.folder / "imports").mkdir(parents=True, exist_ok=True)
        self._log = self.folder / f"worker-{len(self.starts) + 1}.log"
        to_worker, requests = os.pipe()
        answers, from_worker = os.pipe()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "tracker.settings"),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "PROBE_DATABASE_NAME": str(self.database),
            "CACHE_DIR": str(self.folder / "cache"),
            "IMPORT_TMP_DIR": str(self.folder / "imports"),
            "DATASET_DIR": str(self.folder / "dataset"),
            **self.env,
        }
        command = [sys.executable, "-m", "tests.probe_worker", str(to_worker), str(from_worker)]
        if self.prepare and not self.starts:
            command.append("--prepare")
        with open(self._log, "wb") as log:
            # stdout and stderr both to the log: only the pipe carries answers.
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(to_worker, from_worker),
                start_new_session=True,
            )
        os.close(to_worker)
        os.close(from_worker)
        self._requests = os.fdopen(requests, "wb")
        self._answers = answers
        self._buffer = b""
        try:
            ready = self._read(time.monotonic() + START_LIMIT)
        except _Dead:
            raise RuntimeError(f"the probe worker did not start: {ended(self.process.wait())}\n{self.tail()}") from None
        if ready is None:
            self._kill()
            raise RuntimeError(f"the probe worker did not start within {START_LIMIT:g} s\n{self.tail()}")
        self.starts.append(ready["timings"])
        self.facts = ready["facts"]

    def close(self):
        if self.process is None:
            return
        try:
            self._requests.close()  # the worker reads the end of its input and exits
        except OSError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._kill()
        os.close(self._answers)
        self.process = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def _kill(self):
        self.process.kill()
        self.process.wait()

    def tail(self):
        """The end of the worker's stderr; from the top of a stack faulthandler printed last, where it begins."""
        if self._log is None or not self._log.exists():
            return ""
        # faulthandler ends a crash report with the list of every loaded extension module: noise here.
        lines = [
            line
            for line in self._log.read_text(errors="replace").splitlines()
            if not line.startswith("Extension modules:")
        ]
        # faulthandler prints the innermost call first: the lines that matter
        # are at the top of its report, not at the end of the file.
        reports = [i for i, line in enumerate(lines) if line.startswith(("Fatal Python error", "Current thread"))]
        start = reports[-1] if reports else max(0, len(lines) - TAIL_LINES)
        if len(reports) > 1 and reports[-2] >= start - 2:
            start = reports[-2]  # "Fatal Python error: Segmentation fault", a blank line, then the stack
        shown = lines[start : start + TAIL_LINES]
        if start + TAIL_LINES < len(lines):
            shown.append(f"[… {len(lines) - start - TAIL_LINES} more lines in {self._log}]")
        return "\n".join(shown)

    # --- Requests ------------------------------------------------------------------

    def probe(self, request):
        """The answer to `request`; a ProbeFailure if it crashed the worker, ran out of time or answered 500."""
        __tracebackhide__ = True  # a failure shows the test's line and the input, not this harness
        if self.process is None or self.process.poll() is not None:
            self.close()
            self.start()
        pid = self.process.pid
        steps = 2 if request.confirm else 1
        # The worker times each step; this deadline catches a step that never ends.
        # Its margin is wide: a step answered a little past the limit on a busy machine must come back
        # (and fail as slow, with its time), not be killed as hung.
        deadline = self.limit * steps + 3
        try:
            self._requests.write(json.dumps(request.message()).encode() + b"\n")
            self._requests.flush()
            reply = self._read(time.monotonic() + deadline)
        except (_Dead, BrokenPipeError):
            how = ended(self.process.wait())
            tail = self.tail()
            self.close()
            raise ProbeFailure(request, f"the worker died: {how}", tail) from None
        if reply is None:
            # Where it was stuck: the worker prints its stack on SIGUSR1 (faulthandler).
            self.process.send_signal(signal.SIGUSR1)
            time.sleep(0.3)
            self._kill()
            tail = self.tail()
            self.close()
            raise ProbeFailure(request, f"no answer within {deadline:g} s ({self.limit:g} s a step): killed", tail)
        if "refused" in reply:
            raise ProbeFailure(request, f"the worker refused the request: {reply['refused']}")
        for step in reply["steps"]:
            self._check(request, step)
        last = reply["steps"][-1]
        return Answer(
            status=last["status"],
            seconds=last["seconds"],
            content_type=last["content_type"],
            excerpt=last["excerpt"],
            digest=last["digest"],
            found=last["found"],
            context=last["context"],
            location=last["location"],
            text=last.get("text"),
            steps=reply["steps"],
            cache_entries=reply["cache_entries"],
            import_files_left=reply["import_files_left"],
            wrote=any(step["wrote"] for step in reply["steps"]),
            pid=pid,
        )

    def get(self, path, query=(), **kwargs):
        __tracebackhide__ = True
        return self.probe(Request(url(path, query), **kwargs))

    def _check(self, request, step):
        __tracebackhide__ = True
        where = f"{step['method']} {step['url']}: " if step["url"] != request.url else ""
        if step["status"] is None:
            raise ProbeFailure(request, f"{where}raised before answering:\n{step['error']}")
        if step["error"] and step["status"] < 500:
            raise ProbeFailure(
                request, f"{where}answered {step['status']}, then raised while sending the body:\n{step['error']}"
            )
        if step["status"] >= 500:
            raise ProbeFailure(request, f"{where}answered {step['status']}:\n{step['error'] or step['excerpt']}")
        if self.timed and step["seconds"] >= self.limit:
            raise ProbeFailure(
                request,
                f"{where}answered {step['status']} after {step['seconds']:.2f} s, over the {self.limit:g} s limit",
            )

    def _read(self, deadline):
        """The next answer from the worker, or None at the deadline; _Dead when its pipe closes."""
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self._answers], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self._answers, 1 << 16)
            if not chunk:
                raise _Dead
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)


# --- The session's worker ---------------------------------------------------------------


@pytest.fixture(scope="session")
def prober(django_db_setup, django_db_blocker, tmp_path_factory):
    """One worker for the whole run, on a database of its own (made and dropped here)."""
    folder = tmp_path_factory.mktemp("probe")
    with probe_database(django_db_blocker, folder) as database:
        with Prober(database, folder, prepare=True) as worker:
            yield worker


@contextmanager
def probe_database(django_db_blocker, folder):
    """A database of the suite's vendor for the worker: a file on SQLite, <test database>_probe on PostgreSQL.

    Never the suite's own test database: the worker must see committed rows
    only, not the open transaction of whichever test runs in this process.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        yield str(folder / "probe.sqlite3")
        return
    # Beside the suite's test database (test_tracker); one a killed run left behind is replaced.
    name = f"{connection.settings_dict['NAME']}_probe"
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
        cursor.execute(drop)
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
            cursor.execute(drop)
