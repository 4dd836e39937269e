"""The benchmark suite: the public site served as production serves it, at two sizes, on both databases.

    make bench                      # everything: PostgreSQL and SQLite, 10,000 and 200,000 people
    python bench/run.py --sizes 10000 --backends postgresql --seconds 3   # a quick subset

For each backend and size it creates a fresh database of its own (PostgreSQL
`bench_<size>_p<pid>`, SQLite var/bench/bench_<size>_p<pid>.sqlite3),
migrates it, fills it with `manage.py seed_demo` (events size/10, figures
size/40), and starts gunicorn (tracker.wsgi, DEBUG off, 2 workers of 4
threads) on a free local port. Then:

- queries per request of every page type, counted in a separate process with
  Django's test Client (bench/count_queries.py), each URL twice (first visit
  and again);
- p50, p95 and requests per second of every public page type under 8
  concurrent keep-alive clients, over a fixed, varied sample of URLs drawn from
  the data (bench/pages.py): every response must be a 200, the others are
  counted as errors. "first p95" is the p95 of the first request of each URL,
  before the site could have cached it;
- the admin changelist of people, logged in, 20 sequential requests;
- the full /prisoners.csv: rows/s, MB/s, time to first byte and the gunicorn
  workers' memory growth (VmRSS sampled every 20 ms, peak minus before), and on
  PostgreSQL, in the same run, COPY (SELECT …) TO STDOUT (FORMAT csv) of the
  same rows and columns (bench/prisoners_copy.sql) through psycopg.

It prints the tables and the issue's floors (evaluated on PostgreSQL) with
PASS or FAIL, and writes both to bench/RESULTS.md with the machine they ran
on. The databases are dropped at the end (--keep keeps them), and gunicorn is
stopped on errors and Ctrl-C too. Logs of every command and of gunicorn are in
var/bench/.

The import benchmark is separate and unchanged: python bench/import_bench.py.
"""

import argparse
import csv
import datetime
import json
import os
import platform
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from databases import SQLITE_DIR, Database, drop_orphans
from load import admin_login, download, load, percentile, recovery_codes, sequential
from pages import LISTS, TYPES, choose_terms, page_urls
from server import THREADS, WORKERS, Server, manage, site_environment

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
RESULTS = BENCH_DIR / "RESULTS.md"
WORK_DIR = SQLITE_DIR  # logs, samples and downloads (var/ is not committed)
ADMIN_USER = "bench"
ADMIN_CHANGELIST = "/admin/tracker/person/"
BACKEND_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


@dataclass
class Run:
    """What one backend at one size measured."""

    backend: str
    size: int
    seed_seconds: float = 0.0
    pages: dict = field(default_factory=dict)
    queries: dict = field(default_factory=dict)
    admin: dict = field(default_factory=dict)
    csv: dict = field(default_factory=dict)
    copy: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)

    @property
    def label(self):
        return f"{BACKEND_NAMES[self.backend]} {self.size:,}"


def ms(seconds):
    return "–" if seconds is None else f"{seconds * 1000:.0f}"


def spread(urls, count):
    """`count` URLs spread over the list, first and last included."""
    if len(urls) <= count:
        return list(urls)
    step = (len(urls) - 1) / (count - 1)
    return [urls[round(index * step)] for index in range(count)]


def csv_rows(path):
    with open(path, newline="", encoding="utf-8-sig") as file:
        reader = csv.reader(file)
        header = next(reader, [])
        return header, sum(1 for _ in reader)


def copy_prisoners(db, base, into):
    """COPY (the same rows and columns) TO STDOUT through psycopg: seconds, first byte, bytes."""
    from psycopg import sql

    query = (BENCH_DIR / "prisoners_copy.sql").read_text()
    query = "\n".join(line for line in query.splitlines() if not line.startswith("--"))
    statement = sql.SQL("COPY ({}) TO STDOUT (FORMAT csv, HEADER)").format(
        sql.SQL(query).format(base=sql.Literal(base))
    )
    connection = db.connect()
    size, first_byte = 0, None
    try:
        started = time.perf_counter()
        with connection.cursor() as cursor, cursor.copy(statement) as copy, open(into, "wb") as out:
            for data in copy:
                if first_byte is None:
                    first_byte = time.perf_counter() - started
                size += len(data)
                out.write(data)
        seconds = time.perf_counter() - started
    finally:
        connection.close()
    return {"seconds": seconds, "first_byte": first_byte or seconds, "bytes": size}


def measure(run, args, terms, secret, log):
    db = Database(run.backend, run.size)
    server = None
    try:
        say(f"[{run.label}] creating {db.name}")
        db.create()
        # The site's cache (shared files, by default) starts empty for each
        # server; the query counter keeps its own in memory, so nothing it
        # caches reaches the server's first visits.
        cache_dir = WORK_DIR / f"{db.name}-cache"
        shutil.rmtree(cache_dir, ignore_errors=True)
        env = {**site_environment(db.url, secret), "CACHE_DIR": str(cache_dir)}
        manage(env, "migrate", "--noinput", log=log)
        say(f"[{run.label}] seed_demo --people {run.size:,}")
        started = time.monotonic()
        manage(
            env,
            "seed_demo",
            "--people",
            str(run.size),
            "--events",
            str(max(run.size // 10, 1)),
            "--figures",
            str(max(run.size // 40, 1)),
            log=log,
        )
        run.seed_seconds = time.monotonic() - started
        db.analyze()
        password = secrets.token_urlsafe(18)
        # The admin asks for a second factor: one of the recovery codes the command prints signs the bench in.
        printed = manage(
            {**env, "DJANGO_SUPERUSER_PASSWORD": password},
            "createadmin",
            ADMIN_USER,
            "--email",
            "bench@example.org",
            "--no-input",
            log=log,
        )
        recovery_code = recovery_codes(printed)[0]
        if terms is None:
            terms = choose_terms(db)
            (WORK_DIR / "terms.json").write_text(json.dumps(terms, indent=1, ensure_ascii=False))
        urls = page_urls(db, terms)
        (WORK_DIR / f"urls-{run.backend}-{run.size}.json").write_text(json.dumps(urls, indent=1, ensure_ascii=False))

        say(f"[{run.label}] counting queries")
        plan = {
            "urls": {kind: spread(urls[kind], args.count_urls) for kind, _ in TYPES} | {"admin": [ADMIN_CHANGELIST]},
            "admin_user": ADMIN_USER,
            "budget": args.count_budget,
        }
        plan_path, result_path = WORK_DIR / f"{db.name}-plan.json", WORK_DIR / f"{db.name}-queries.json"
        plan_path.write_text(json.dumps(plan, ensure_ascii=False))
        subprocess.run(
            [sys.executable, str(BENCH_DIR / "count_queries.py"), str(plan_path), str(result_path)],
            cwd=BASE_DIR,
            env={**env, "CACHE_DIR": "memory"},
            check=True,
            stdout=log,
            stderr=log,
            timeout=args.count_budget + 600,
        )
        run.queries = json.loads(result_path.read_text())

        server = Server(env, WORK_DIR / f"{db.name}-gunicorn.log").start()
        say(f"[{run.label}] gunicorn on port {server.port}, workers {server.worker_pids()}")
        # Warm-up outside the sample: each worker imports its code and opens its connections.
        load(
            server.port,
            ["/favicon.ico", "/prisoners/00000000-0000-4000-8000-000000000000/"],
            clients=args.clients,
            seconds=1,
        )

        for kind, title in TYPES:
            result = load(server.port, urls[kind], clients=args.clients, seconds=args.seconds, seed=len(kind))
            counted = run.queries.get(kind, [])
            run.pages[kind] = {
                "urls": len(urls[kind]),
                "requests": len(result.samples),
                "errors": result.errors,
                "p50": percentile(result.latencies, 0.50),
                "p95": percentile(result.latencies, 0.95),
                "first_p95": percentile(result.first_visits(), 0.95),
                "rps": result.per_second,
                "queries_first": max((row["first"] for row in counted), default=None),
                "queries_again": max((row["again"] for row in counted), default=None),
                "query_errors": sum(1 for row in counted if row["status"] != 200),
            }
            if result.errors:
                run.errors.append(
                    f"{title}: {result.errors} non-200 responses, e.g. {'; '.join(result.error_summary())}"
                )
            run.errors += [f"{title}: {failure}" for failure in result.failures[:3]]
            run.errors += [
                f"{title} (query count): {row['status']} {row['url']} {row['error']}".strip()
                for row in counted
                if row["status"] != 200
            ]
            say(
                f"[{run.label}] {title:<30} p50 {ms(run.pages[kind]['p50']):>6} ms  p95 {ms(run.pages[kind]['p95']):>6} ms"
                f"  {run.pages[kind]['rps']:6.1f} req/s  errors {result.errors}"
            )

        say(f"[{run.label}] admin changelist")
        try:
            cookie = admin_login(server.port, ADMIN_USER, password, recovery_code)
            pages_ = [ADMIN_CHANGELIST, f"{ADMIN_CHANGELIST}?p=2"]
            sequential(server.port, pages_, headers=cookie)  # this worker's first render is not measured
            result = sequential(
                server.port, [pages_[index % 2] for index in range(args.admin_requests)], headers=cookie
            )
            counted = run.queries.get("admin", [])
            run.admin = {
                "requests": len(result.samples),
                "errors": result.errors,
                "p50": percentile(result.latencies, 0.50),
                "p95": percentile(result.latencies, 0.95),
                "max": max(result.latencies),
                "queries": max((row["first"] for row in counted), default=None),
            }
            if result.errors:
                run.errors.append(f"admin changelist: {'; '.join(result.error_summary())}")
        except Exception as error:
            run.errors.append(f"admin changelist: {error}")

        say(f"[{run.label}] /prisoners.csv")
        base = f"http://127.0.0.1:{server.port}"
        if run.backend == "postgresql":
            # Once untimed, to warm PostgreSQL's cache for both, then timed; before our CSV, so
            # that a CSV cut short at --csv-seconds cannot still be busy on the server meanwhile.
            copy_prisoners(db, base, WORK_DIR / f"{db.name}-copy.csv")
            run.copy = copy_prisoners(db, base, WORK_DIR / f"{db.name}-copy.csv")
            copy_header, run.copy["rows"] = csv_rows(WORK_DIR / f"{db.name}-copy.csv")
        got = download(
            server.port,
            "/prisoners.csv",
            WORK_DIR / f"{db.name}-prisoners.csv",
            server.worker_pids(),
            limit=args.csv_seconds,
        )
        header, rows = csv_rows(got.path)
        run.csv = {
            "status": got.status,
            "rows": rows,
            "seconds": got.seconds,
            "first_byte": got.first_byte,
            "bytes": got.size,
            "memory_growth_mb": got.memory_growth_mb,
            "memory_peak_mb": got.memory_peak_mb,
            "complete": got.complete,
        }
        if got.status != 200:
            run.errors.append(f"/prisoners.csv answered {got.status}")
        if not got.complete:
            run.errors.append(
                f"/prisoners.csv cut short after {args.csv_seconds:g} s at {rows:,} rows: its rates are over those rows"
            )
        if run.backend == "postgresql":
            if got.complete and (copy_header != header or run.copy["rows"] != rows):
                run.errors.append(
                    f"COPY baseline differs from /prisoners.csv: {run.copy['rows']:,} rows vs {rows:,}"
                    + ("" if copy_header == header else f"; columns {copy_header} vs {header}")
                )
        if not args.keep:
            for suffix in ("-prisoners.csv", "-copy.csv"):
                (WORK_DIR / f"{db.name}{suffix}").unlink(missing_ok=True)
        say(
            f"[{run.label}] CSV {rows:,} rows in {got.seconds:.1f} s"
            + (f"; COPY {run.copy['seconds']:.2f} s" if run.copy else "")
        )
    except KeyboardInterrupt:
        raise
    except Exception as error:
        run.errors.append(f"run stopped: {error}")
        log.write(traceback.format_exc())
        say(f"[{run.label}] FAILED: {error}")
        if server is not None:
            log.write(f"gunicorn log tail:\n{server.log_tail()}\n")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(WORK_DIR / f"{db.name}-cache", ignore_errors=True)
        if args.keep:
            say(f"[{run.label}] kept {db.url}")
        else:
            db.drop()
    return terms


# --- the report -------------------------------------------------------------------


def page_table(runs):
    lines = [
        "| backend | people | page | URLs | requests | errors | p50 ms | p95 ms | first p95 ms | req/s | queries first / again |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        for kind, title in TYPES:
            page = run.pages.get(kind)
            if not page:
                continue
            queries = "–" if page["queries_first"] is None else f"{page['queries_first']} / {page['queries_again']}"
            lines.append(
                f"| {BACKEND_NAMES[run.backend]} | {run.size:,} | {title} | {page['urls']} | {page['requests']} | "
                f"{page['errors']} | {ms(page['p50'])} | {ms(page['p95'])} | {ms(page['first_p95'])} | "
                f"{page['rps']:.1f} | {queries} |"
            )
    return lines


def csv_table(runs):
    lines = [
        "| backend | people | what | rows | seconds | rows/s | MB/s | first byte ms | memory growth MB | rows/s ours ÷ COPY |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        if not run.csv:
            continue
        ours = run.csv
        ratio = "n/a"
        if run.copy:
            ratio = f"{(ours['rows'] / ours['seconds']) / (run.copy['rows'] / run.copy['seconds']):.2f}"
        lines.append(
            f"| {BACKEND_NAMES[run.backend]} | {run.size:,} | /prisoners.csv{'' if ours['complete'] else ' (cut short)'} | {ours['rows']:,} | {ours['seconds']:.2f} | "
            f"{ours['rows'] / ours['seconds']:,.0f} | {ours['bytes'] / 1e6 / ours['seconds']:.2f} | {ms(ours['first_byte'])} | "
            f"{ours['memory_growth_mb']:.1f} | {ratio} |"
        )
        if run.copy:
            copy = run.copy
            lines.append(
                f"| {BACKEND_NAMES[run.backend]} | {run.size:,} | COPY … TO STDOUT | {copy['rows']:,} | {copy['seconds']:.2f} | "
                f"{copy['rows'] / copy['seconds']:,.0f} | {copy['bytes'] / 1e6 / copy['seconds']:.2f} | {ms(copy['first_byte'])} | – | 1 |"
            )
        else:
            lines.append(f"| {BACKEND_NAMES[run.backend]} | {run.size:,} | COPY … TO STDOUT | n/a | | | | | | |")
    return lines


def admin_table(runs):
    lines = [
        "| backend | people | requests | errors | p50 ms | p95 ms | max ms | queries |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        if run.admin:
            admin = run.admin
            lines.append(
                f"| {BACKEND_NAMES[run.backend]} | {run.size:,} | {admin['requests']} | {admin['errors']} | "
                f"{ms(admin['p50'])} | {ms(admin['p95'])} | {ms(admin['max'])} | {admin['queries'] if admin['queries'] is not None else '–'} |"
            )
    return lines


def floors(runs):
    """The issue's floors, on PostgreSQL: (floor, verdict, measured)."""
    pg = {run.size: run for run in runs if run.backend == "postgresql"}
    big, small = pg.get(200_000), pg.get(10_000)
    verdicts = []

    def verdict(name, ok, measured):
        verdicts.append((name, "n/a" if ok is None else ("PASS" if ok else "FAIL"), measured))

    counted = [
        (run.size, title, run.pages[kind]["queries_first"], run.pages[kind]["queries_again"])
        for run in pg.values()
        for kind, title in TYPES
        if kind in run.pages and run.pages[kind]["queries_first"] is not None
    ]
    if counted:
        worst = max(counted, key=lambda row: max(row[2], row[3]))
        verdict(
            "every public page at most 10 queries (all sizes)",
            max(worst[2], worst[3]) <= 10,
            f"most: {max(worst[2], worst[3])} ({worst[1]}, {worst[0]:,} people)",
        )
    else:
        verdict("every public page at most 10 queries (all sizes)", None, "not measured")
    for kind, title in TYPES:
        if kind not in LISTS:
            continue
        page = big.pages.get(kind) if big else None
        if page and page["p95"] is not None:
            verdict(
                f"{title}: p95 < 150 ms at 200,000",
                page["p95"] < 0.150 and page["errors"] == 0,
                f"{ms(page['p95'])} ms" + (f", {page['errors']} errors" if page["errors"] else ""),
            )
        else:
            verdict(f"{title}: p95 < 150 ms at 200,000", None, "not measured")
    for kind, title in TYPES:
        a = big.pages.get(kind) if big else None
        b = small.pages.get(kind) if small else None
        if a and b and a["p95"] is not None and b["p95"]:
            ratio = a["p95"] / b["p95"]
            verdict(
                f"{title}: p95 at 200,000 ≤ 2 × p95 at 10,000",
                ratio <= 2,
                f"{ms(a['p95'])} ms vs {ms(b['p95'])} ms (× {ratio:.2f})",
            )
        else:
            verdict(f"{title}: p95 at 200,000 ≤ 2 × p95 at 10,000", None, "not measured")
    if big and big.csv and big.copy:
        ours, copy = big.csv, big.copy
        ratio = (ours["rows"] / ours["seconds"]) / (copy["rows"] / copy["seconds"])
        verdict(
            "CSV rows/s ≥ 0.5 × COPY at 200,000",
            ratio >= 0.5,
            f"× {ratio:.2f} ({ours['rows'] / ours['seconds']:,.0f} vs {copy['rows'] / copy['seconds']:,.0f} rows/s)",
        )
        verdict("CSV time to first byte < 200 ms at 200,000", ours["first_byte"] < 0.2, f"{ms(ours['first_byte'])} ms")
        verdict(
            "CSV server memory growth < 100 MB at 200,000",
            ours["memory_growth_mb"] < 100,
            f"{ours['memory_growth_mb']:.1f} MB",
        )
    else:
        for name in (
            "CSV rows/s ≥ 0.5 × COPY at 200,000",
            "CSV time to first byte < 200 ms at 200,000",
            "CSV server memory growth < 100 MB at 200,000",
        ):
            verdict(name, None, "not measured")
    if big and big.admin:
        verdict(
            "admin changelist of people < 500 ms at 200,000 (p95)",
            big.admin["p95"] < 0.5 and big.admin["errors"] == 0,
            f"{ms(big.admin['p95'])} ms p95, {ms(big.admin['max'])} ms max",
        )
    else:
        verdict("admin changelist of people < 500 ms at 200,000 (p95)", None, "not measured")
    return verdicts


def floor_lines(verdicts):
    return ["| floor (PostgreSQL) | verdict | measured |", "|---|---|---|"] + [
        f"| {name} | **{result}** | {measured} |" for name, result, measured in verdicts
    ]


def machine(versions):
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=BASE_DIR, capture_output=True, text=True
        ).stdout.strip()
        commit += " (with uncommitted changes)" if dirty else ""
    except OSError:
        commit = "unknown"
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores; RAM {memory}; {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, Django {metadata.version('Django')}, gunicorn {metadata.version('gunicorn')}"
        f" ({WORKERS} workers × {THREADS} threads), psycopg {metadata.version('psycopg')}",
        *(f"- {BACKEND_NAMES[backend]} {version}" for backend, version in versions.items()),
        f"- Code: commit {commit}",
        f"- Load average before the run: {' '.join(f'{value:.2f}' for value in os.getloadavg())}",
    ]


def report(runs, args, started, versions, finished):
    verdicts = floors(runs)
    errors = [f"- {run.label}: {error}" for run in runs for error in run.errors]
    seeds = ", ".join(f"{run.label} {run.seed_seconds:.0f} s" for run in runs if run.seed_seconds)
    lines = [
        "# Benchmark results",
        "",
        f"`make bench` (`bench/run.py {' '.join(sys.argv[1:])}`), {started:%Y-%m-%d %H:%M} UTC, "
        f"{(finished - started).total_seconds() / 60:.1f} minutes. Written by bench/run.py: rerun it rather than edit this file.",
        "",
        *machine(versions),
        "",
        f"Each database is fresh: `seed_demo --people N --events N/10 --figures N/40` (seeding took {seeds});"
        " on PostgreSQL then VACUUM ANALYZE, as autovacuum would soon do.",
        f"Pages: {args.clients} concurrent keep-alive clients for {args.seconds:g} s per page type, over a fixed sample of URLs"
        ' (the URLs column); "first p95" is over the first request of each URL. Queries: counted with the test Client,'
        f" on up to {args.count_urls} URLs per type, the most of any; first visit / visit again.",
        "",
        "## Public pages",
        "",
        *page_table(runs),
        "",
        "## Full prisoners CSV against PostgreSQL's COPY",
        "",
        *csv_table(runs),
        "",
        "## Admin changelist of people (logged in, sequential)",
        "",
        *admin_table(runs),
        "",
        "## Floors",
        "",
        *floor_lines(verdicts),
        "",
        "## Errors",
        "",
        *(errors or ["None: every response was a 200."]),
        "",
    ]
    return "\n".join(lines), verdicts


def say(message):
    print(message, flush=True)


def interrupt(signum, frame):
    raise KeyboardInterrupt


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", nargs="+", default=["postgresql", "sqlite"], choices=["postgresql", "sqlite"])
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 200_000])
    parser.add_argument("--seconds", type=float, default=8.0, help="Load per page type (default 8 s).")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--admin-requests", type=int, default=20)
    parser.add_argument("--csv-seconds", type=float, default=90, help="Cut the CSV download short after this long.")
    parser.add_argument("--count-urls", type=int, default=3, help="URLs per page type whose queries are counted.")
    parser.add_argument("--count-budget", type=float, default=150, help="Seconds for counting queries, per database.")
    parser.add_argument("--keep", action="store_true", help="Keep the databases (and the CSV files) at the end.")
    parser.add_argument("--no-results", action="store_true", help="Do not write bench/RESULTS.md.")
    args = parser.parse_args()

    # A polite stop (kill, a CI timeout) unwinds like Ctrl-C: gunicorn stopped, databases dropped.
    signal.signal(signal.SIGTERM, interrupt)
    started = datetime.datetime.now(datetime.UTC)
    clock = time.monotonic()
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    log_path = WORK_DIR / f"run-p{os.getpid()}.log"
    versions = {}
    if "postgresql" in args.backends:
        try:
            from databases import admin_connection

            with admin_connection() as connection:
                versions["postgresql"] = connection.execute("SHOW server_version").fetchone()[0]
        except Exception as error:
            sys.exit(f"PostgreSQL is not reachable ({error}); run with --backends sqlite, or start it.")
    if "sqlite" in args.backends:
        versions["sqlite"] = sqlite3.sqlite_version
    dropped = drop_orphans(args.backends)
    if dropped:
        say(f"Dropped databases of earlier runs that did not finish: {', '.join(dropped)}")

    runs = []
    secret = secrets.token_urlsafe(50)
    with open(log_path, "a") as log:
        say(f"Logs: {log_path}")
        # Static files do not depend on the database: collected once, for every server.
        manage(
            site_environment(f"sqlite:///{WORK_DIR / 'collectstatic.sqlite3'}", secret),
            "collectstatic",
            "--noinput",
            log=log,
        )
        terms = None
        try:
            for backend in args.backends:
                for size in sorted(args.sizes):
                    run = Run(backend, size)
                    runs.append(run)
                    terms = measure(run, args, terms, secret, log)
        except KeyboardInterrupt:
            say("Interrupted: the servers are stopped and the databases dropped; reporting what was measured.")
            if runs:
                runs[-1].errors.append("interrupted")
    finished = datetime.datetime.now(datetime.UTC)
    text, verdicts = report(runs, args, started, versions, finished)
    print()
    print(text)
    say(f"Total time: {(time.monotonic() - clock) / 60:.1f} minutes.")
    if not args.no_results:
        RESULTS.write_text(text)
        say(f"Written to {RESULTS.relative_to(BASE_DIR)}.")
    # Non-zero when a response failed or a floor does not hold, as a test run would.
    return 1 if any(run.errors for run in runs) or any(result == "FAIL" for _, result, _ in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
