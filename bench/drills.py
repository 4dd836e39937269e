"""Load and fault drills against the site as production runs it (gunicorn, DEBUG off) and PostgreSQL.

    python bench/drills.py [--people 20000] [--load-seconds 60]      (make drills)

Loopback only, bounded in time (about four minutes at the defaults). It
makes a fresh database (`bench_<people>_p<pid>`, dropped at the end), seeds
it with `seed_demo`, starts gunicorn, and runs:

1. load: 32 concurrent clients for 60 s of mixed public traffic (pages,
   filtered lists, name searches, event pages, CSV and JSON downloads):
   every response must be a 200, but a whole-list download beyond the
   downloads served at once, which is refused with 503 and Retry-After
   (counted); p50, p95, p99 reported.
2. outage: the same traffic for 30 s with PostgreSQL stopped 8 s in and
   started again 10 s later (pg_ctlcluster): during the outage every
   request must get the 503 page (never a 500 or a traceback), and the site
   must answer 200 again within seconds of the database's return, with no
   restart.
3. disconnect: clients that drop large CSV downloads halfway (the COPY path
   and the row-by-row path): afterwards the site's database sessions must
   all be idle, with no query running and no transaction (or cursor) left
   open.
4. killed import: an admin import of thousands of people, its worker killed
   (SIGKILL) halfway through the write: the database must be exactly as it
   was (every table's rows and their checksum), and the next import works.

It stops PostgreSQL for the outage drill: run it on a machine where nothing
else needs the database for those ten seconds (not during CI). Exit status 1
if any drill fails.
"""

import argparse
import collections
import csv
import gzip
import http.client
import io
import json
import os
import re
import secrets
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from databases import Database, drop_orphans  # noqa: E402
from load import admin_login, get, load, percentile, recovery_codes  # noqa: E402
from pages import choose_terms, page_urls  # noqa: E402
from server import BASE_DIR, Server, manage, site_environment  # noqa: E402

WORK_DIR = BASE_DIR / "var" / "bench"
ADMIN_USER = "drills"
PG_CLUSTER = os.environ.get("BENCH_PG_CLUSTER", "15 main").split()


def say(message):
    print(message, flush=True)


# --- Traffic -------------------------------------------------------------------------


def mixed_urls(db):
    """Public traffic as readers make it: pages and searches mostly, some downloads."""
    terms = choose_terms(db)
    urls = page_urls(db, terms)
    mix = []
    for kind in (
        "home",
        "timeline",
        "registry",
        "search_cyrillic",
        "search_latin",
        "event",
        "releases",
        "figures",
        "measure",
    ):
        mix += urls[kind]
    downloads = [
        "/prisoners.csv?status=held",
        "/timeline.csv",
        "/releases.csv",
        "/figures.csv",
        "/sources.csv",
        "/api/v1/prisoners/?page_size=100",
        "/api/v1/events/?page_size=100",
        "/prisoners.csv",
    ]
    # About one request in twelve is a download.
    return mix + downloads * max(1, len(mix) // (12 * len(downloads)))


def summary(result):
    seconds = sorted(sample.seconds for sample in result.samples)
    statuses = collections.Counter(sample.status for sample in result.samples)
    return {
        "requests": len(result.samples),
        "statuses": dict(sorted(statuses.items())),
        "p50_ms": round(percentile(seconds, 0.50) * 1000),
        "p95_ms": round(percentile(seconds, 0.95) * 1000),
        "p99_ms": round(percentile(seconds, 0.99) * 1000),
        "max_ms": round(seconds[-1] * 1000) if seconds else 0,
        "rps": round(len(result.samples) / result.wall, 1),
        "failures": result.failures[:5],
    }


# --- Drills ------------------------------------------------------------------------------


def full_download(url):
    """A whole list as a file: beyond the downloads served at once, it is refused with 503 and Retry-After
    (events/download_files.py), as issue #14 asks, rather than hold every worker."""
    return url.split("?")[0].endswith((".csv", ".xlsx"))


def drill_load(server, urls, seconds):
    result = load(server.port, urls, clients=32, seconds=seconds, seed=7)
    found = summary(result)
    refused = [s for s in result.samples if s.status == 503 and full_download(s.url)]
    found["downloads_refused_at_the_cap"] = len(refused)
    others = [s for s in result.samples if s.status != 200 and not (s.status == 503 and full_download(s.url))]
    ok = not others and not result.failures
    return ok, found


def pg_ctl(action):
    subprocess.run(
        [
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            *PG_CLUSTER,
            action,
            *(["-m", "fast"] if action == "stop" else []),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )


def drill_outage(server, urls, before=8.0, down=10.0, after=12.0):
    """Traffic before, during and after ten seconds without PostgreSQL."""
    marks = {}
    bodies = collections.Counter()
    seen_lock = threading.Lock()

    def controller():
        time.sleep(before)
        marks["stop"] = time.perf_counter()
        pg_ctl("stop")
        marks["stopped"] = time.perf_counter()
        time.sleep(down)
        marks["start"] = time.perf_counter()
        pg_ctl("start")
        marks["started"] = time.perf_counter()

    # A probe that keeps the first bytes of each non-200 page, to check what readers saw.
    def probe(stop):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        while not stop.is_set():
            try:
                response, body, _ = get(connection, "/timeline/?kind=release")
                if response.getheader("Content-Encoding") == "gzip":  # the probe asks for gzip, as browsers do
                    body = gzip.decompress(body)
                if response.status != 200:
                    key = (
                        response.status,
                        "Temporarily unavailable" in body.decode(errors="replace"),
                        "Traceback" in body.decode(errors="replace"),
                        response.getheader("Retry-After"),
                    )
                    with seen_lock:
                        bodies[key] += 1
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            time.sleep(0.05)

    stop = threading.Event()
    thread = threading.Thread(target=controller)
    prober = threading.Thread(target=probe, args=(stop,), daemon=True)
    thread.start()
    prober.start()
    try:
        result = load(server.port, urls, clients=32, seconds=before + down + after, seed=11)
    finally:
        thread.join()
        stop.set()
        prober.join(timeout=35)
    outage = (marks["stop"], marks["started"])
    # While it was down: after the stop had taken hold, before the start began.
    during = [s for s in result.samples if outage[0] + 0.5 <= s.started and s.started + s.seconds <= marks["start"]]
    # Responses cut off (no status) by the stop itself: downloads that were streaming when PostgreSQL went away.
    cut = [s for s in result.samples if s.status == 0 and s.started < outage[0] + 0.5]
    broken = [s for s in result.samples if s.status == 0 and s.started >= outage[0] + 0.5]
    after_samples = sorted((s for s in result.samples if s.started >= marks["started"]), key=lambda s: s.started)
    bad_after = [s for s in after_samples if s.status != 200]
    first_ok = next((s for s in after_samples if s.status == 200), None)
    recovered_in = (first_ok.started + first_ok.seconds - marks["started"]) if first_ok else None
    last_bad = (bad_after[-1].started + bad_after[-1].seconds - marks["started"]) if bad_after else 0.0
    found = {
        "requests": len(result.samples),
        "statuses_overall": dict(sorted(collections.Counter(s.status for s in result.samples).items())),
        "statuses_during_outage": dict(sorted(collections.Counter(s.status for s in during).items())),
        "non_200_pages_seen": {
            f"{status}, our 503 page: {page}, traceback: {trace}, Retry-After: {retry}": n
            for (status, page, trace, retry), n in bodies.items()
        },
        "postgres_stop_s": round(marks["stopped"] - marks["stop"], 1),
        "postgres_start_s": round(marks["started"] - marks["start"], 1),
        "first_200_after_start_s": round(recovered_in, 2) if recovered_in is not None else None,
        "last_non_200_after_start_s": round(last_bad, 2),
        "non_200_after_start": len(bad_after),
        "answered_200_during_outage": dict(
            collections.Counter(s.url.split("?")[0] for s in during if s.status == 200).most_common(5)
        ),
        "streams_cut_by_the_stop": sorted({s.url for s in cut}),
        "connection_errors_after_the_stop": len(broken),
    }
    statuses = set(found["statuses_overall"])
    ok = (
        statuses <= {0, 200, 503}
        and not broken
        and 503 in found["statuses_during_outage"]
        and 500 not in found["statuses_during_outage"]
        and all(page and not trace for (status, page, trace, retry) in bodies if status == 503)
        and not any(status not in (503,) for (status, *_rest) in bodies)
        and recovered_in is not None
        and last_bad < 10
    )
    return ok, found


def sessions(db, application_name=None):
    """The site's sessions on the bench database: state, how long in a transaction, the query's start."""
    rows = db.rows(
        """SELECT pid, state, backend_xid IS NOT NULL, xact_start IS NOT NULL, left(query, 60), now() - state_change
        FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"""
    )
    return [
        {"pid": r[0], "state": r[1], "writing": r[2], "in_transaction": r[3], "query": r[4], "for": str(r[5])}
        for r in rows
    ]


def drop_download(port, url, after_bytes):
    """Start a download, read `after_bytes` of it, then reset the connection (as a browser tab closed)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: drills\r\n\r\n".encode())
    received = 0
    while received < after_bytes:
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += len(chunk)
    # SO_LINGER 0: the close sends a reset, not a polite FIN.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    return received


def drill_disconnect(server, db):
    """Dropped CSV downloads leave no query running and no transaction or cursor open."""
    urls = ["/prisoners.csv", "/prisoners.csv?order=newest", "/prisoners.xlsx", "/timeline.csv"]
    dropped = []
    for url in urls:
        for _ in range(3):
            dropped.append((url, drop_download(server.port, url, after_bytes=256 * 1024)))
    time.sleep(3)  # what a server has to clean up, it does within a few seconds
    left = sessions(db)
    busy = [s for s in left if s["state"] != "idle" or s["in_transaction"]]
    # And the site still answers: its connections were not broken by the drops.
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    statuses = [get(connection, url)[0].status for url in ("/prisoners/", "/prisoners.csv?status=held", "/timeline/")]
    connection.close()
    found = {
        "downloads_dropped": len(dropped),
        "bytes_read_before_dropping": sorted({n for _, n in dropped})[:3],
        "site_sessions_after": len(left),
        "sessions_not_idle_or_in_transaction": busy,
        "statuses_after": statuses,
    }
    return not busy and statuses == [200, 200, 200], found


def snapshot(db):
    """Every table's row count and a checksum of its rows: equal snapshots, equal data."""
    tables = [r[0] for r in db.rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
    # Sessions and sign-in logs change with every request: what an import writes is elsewhere.
    tables = [
        t
        for t in tables
        if t
        not in (
            "django_session",
            "axes_accessattempt",
            "axes_accesslog",
            "axes_accessfailurelog",
            "otp_static_staticdevice",
            "otp_static_statictoken",
            "otp_totp_totpdevice",
        )
    ]
    found = {}
    for table in tables:
        count, checksum = db.rows(f'SELECT count(*), coalesce(sum(hashtext(t::text)::bigint), 0) FROM "{table}" t')[0]
        found[table] = (count, int(checksum))
    return found


def import_sheet(db, rows, prefix):
    """A people sheet of `rows` new people (the admin import's own columns), naming an organisation and a source that exist."""
    header = HEADER
    organisation = db.rows("SELECT name FROM tracker_organization WHERE status = 'published' ORDER BY id LIMIT 1")[0][0]
    source = db.rows("SELECT url FROM tracker_source WHERE status = 'published' AND url <> '' ORDER BY id LIMIT 1")[0][
        0
    ]
    table = [header]
    for n in range(rows):
        table.append(
            [
                "",
                f"{prefix}-{n}",
                f"Асоба {prefix} {n}",
                f"Asoba {prefix} {n}",
                1970 + n % 40,
                "male",
                "Minsk",
                "",
                "",
                "initials",
                "",
                "",
                f"{prefix}-{n}-1",
                "BY",
                "2021-05",
                "held",
                "",
                "",
                "",
                "3 years",
                36,
                "342 | 361-1 part 2",
                "2021-06-01",
                organisation,
                source,
            ]
        )
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table)
    return ("\ufeff" + buffer.getvalue()).encode()


def post_form(port, path, fields, cookie, files=None, timeout=600):
    """POST a form (multipart when it carries a file) with the session's cookie and its CSRF token."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data) in (files or {}).items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: text/csv\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    connection.request(
        "POST",
        path,
        body=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": cookie,
            "Origin": f"http://127.0.0.1:{port}",
            "Referer": f"http://127.0.0.1:{port}{path}",
            "User-Agent": "drills",
        },
    )
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def csrf_token(cookie):
    match = re.search(r"csrftoken=([^;]+)", cookie)
    return match.group(1) if match else ""


def preview(server, cookie, data, name):
    response, body = post_form(
        server.port,
        "/admin/tracker/person/import/",
        {"csrfmiddlewaretoken": csrf_token(cookie)},
        cookie,
        files={"file": (name, data)},
    )
    token = re.search(rb'name="token" value="([^"]+)"', body)
    if response.status != 200 or not token:
        problems = (
            re.findall(rb'<(?:li|p) class="[^"]*error[^"]*"[^>]*>(.*?)</', body)[:5]
            or re.findall(rb"<td[^>]*>([^<]*(?:not|unknown|invalid)[^<]*)</td>", body)[:5]
        )
        (WORK_DIR / "import-preview.html").write_bytes(body)
        raise RuntimeError(
            f"The import preview answered {response.status} without a token: {problems!r} (page: var/bench/import-preview.html)"
        )
    return token.group(1).decode()


def drill_killed_import(server, db, cookie, rows):
    """A confirm killed halfway through its write leaves every table as it was."""
    before = snapshot(db)
    token = preview(server, cookie, import_sheet(db, rows, "kill"), "kill.csv")
    outcome = {}

    def confirm():
        try:
            outcome["response"] = post_form(
                server.port,
                "/admin/tracker/person/import/confirm/",
                {"csrfmiddlewaretoken": csrf_token(cookie), "token": token},
                cookie,
            )[0].status
        except (OSError, http.client.HTTPException) as error:
            outcome["response"] = repr(error)

    thread = threading.Thread(target=confirm)
    started = time.perf_counter()
    thread.start()
    # Halfway: once the import's transaction has written for a while.
    writer = None
    deadline = time.perf_counter() + 120
    while time.perf_counter() < deadline and thread.is_alive():
        writing = [s for s in sessions(db) if s["writing"]]
        if writing and time.perf_counter() - started > 1.0:
            writer = writing[0]
            break
        time.sleep(0.05)
    killed_at = time.perf_counter() - started
    workers = server.worker_pids()
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    thread.join(timeout=60)
    # gunicorn starts new workers; PostgreSQL rolls back the dead one's transaction.
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline and len(server.worker_pids()) < len(workers):
        time.sleep(0.2)
    time.sleep(1)
    after = snapshot(db)
    changed = {
        table: (before.get(table), after.get(table))
        for table in set(before) | set(after)
        if before.get(table) != after.get(table)
    }
    # The next import of the same rows goes through, whole (the session outlived the workers: it is in the database).
    token = preview(server, cookie, import_sheet(db, rows, "kill"), "again.csv")
    response, _ = post_form(
        server.port,
        "/admin/tracker/person/import/confirm/",
        {"csrfmiddlewaretoken": csrf_token(cookie), "token": token},
        cookie,
    )
    imported = db.rows("SELECT count(*) FROM tracker_person WHERE external_id LIKE 'kill-%%'")[0][0]
    found = {
        "rows_in_sheet": rows,
        "writing_when_killed": bool(writer),
        "killed_after_s": round(killed_at, 2),
        "workers_killed": len(workers),
        "confirm_request_saw": outcome.get("response"),
        "tables_compared": len(before),
        "tables_changed": changed,
        "next_import_status": response.status,
        "next_import_people": imported,
    }
    ok = bool(writer) and not changed and response.status == 302 and imported == rows
    return ok, found


PASSWORD, RECOVERY, HEADER = [], [], []


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--load-seconds", type=float, default=60.0)
    parser.add_argument("--import-rows", type=int, default=3_000)
    parser.add_argument("--skip", action="append", default=[], choices=["load", "outage", "disconnect", "import"])
    args = parser.parse_args()

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    drop_orphans(["postgresql"])
    db = Database("postgresql", args.people)
    log = open(WORK_DIR / f"drills-p{os.getpid()}.log", "a")
    server = None
    results = {}
    began = time.perf_counter()
    try:
        say(f"[drills] database {db.name}: migrate, seed_demo --people {args.people:,}")
        db.create()
        env = {
            **site_environment(db.url, secrets.token_urlsafe(40)),
            "CACHE_DIR": str(WORK_DIR / f"{db.name}-cache"),
            "IMPORT_TMP_DIR": str(WORK_DIR / f"{db.name}-imports"),
        }
        manage(env, "migrate", "--noinput", log=log)
        manage(env, "collectstatic", "--noinput", log=log)
        manage(
            env,
            "seed_demo",
            "--people",
            str(args.people),
            "--events",
            str(args.people // 10),
            "--figures",
            str(args.people // 40),
            log=log,
        )
        db.analyze()
        PASSWORD.append(secrets.token_urlsafe(18))
        printed = manage(
            {**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD[0]}, "createadmin", ADMIN_USER, "--no-input", log=log
        )
        RECOVERY.extend(recovery_codes(printed))
        printed = manage(
            env,
            "shell",
            "--no-imports",
            "-c",
            "from tracker.imports import PeopleImporter; print('HEADER', *PeopleImporter.HEADER)",
            log=log,
        )
        HEADER.extend(next(line for line in printed.splitlines() if line.startswith("HEADER ")).split()[1:])
        urls = mixed_urls(db)
        server = Server(env, WORK_DIR / f"{db.name}-gunicorn.log").start()
        master = server.process.pid
        drills = [
            ("load", lambda: drill_load(server, urls, args.load_seconds)),
            ("outage", lambda: drill_outage(server, urls)),
            ("disconnect", lambda: drill_disconnect(server, db)),
            (
                "import",
                lambda: drill_killed_import(
                    server,
                    db,
                    admin_login(server.port, ADMIN_USER, PASSWORD[0], RECOVERY[0])["Cookie"],
                    args.import_rows,
                ),
            ),
        ]
        for name, run in drills:
            if name in args.skip:
                continue
            say(f"[drills] {name}…")
            ok, found = run()
            results[name] = {"ok": ok, **found}
            say(f"[drills] {name}: {'PASS' if ok else 'FAIL'} {json.dumps(found, ensure_ascii=False, default=str)}")
        if "outage" in results:
            # Recovery without a restart: the same gunicorn master served before and after.
            same = server.process.pid == master and server.process.poll() is None
            results["outage"]["same_server_throughout"] = same
            results["outage"]["ok"] = results["outage"]["ok"] and same
    finally:
        if server:
            server.stop()
        # Whatever happened, PostgreSQL is left running.
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *PG_CLUSTER, "start"], capture_output=True)
        time.sleep(1)
        db.drop()
        log.close()
    say("")
    for name, found in results.items():
        say(f"## {name}: {'PASS' if found['ok'] else 'FAIL'}")
        for key, value in found.items():
            if key != "ok":
                say(f"- {key}: {json.dumps(value, ensure_ascii=False, default=str)}")
    say(f"[drills] {len(results)} drills in {(time.perf_counter() - began) / 60:.1f} minutes")
    failed = [name for name, found in results.items() if not found["ok"]]
    say("[drills] all passed" if not failed else f"[drills] FAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
