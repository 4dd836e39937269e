"""bench/run.py's report: the tables of every part, then FLOORS, each floor with what was measured and PASS or FAIL."""

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from pages import TYPES
from server import EDITOR_NICE, EDITOR_WORKERS, THREADS, WORKERS

BASE_DIR = Path(__file__).resolve().parent.parent
NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
TITLES = dict(TYPES)


def ms(seconds):
    return "–" if seconds is None else f"{seconds * 1000:.0f}"


def kb(size):
    return f"{size / 1000:.0f}"


def rate(stream):
    return stream["rows"] / stream["seconds"] if stream and stream["seconds"] else 0.0


def columns(page):
    if not page:
        return "– | – | –"
    return f"{page['rps']:.1f} | {ms(page['p50'])} | {ms(page['p95'])}"


def who(run):
    return f"{NAMES[run.backend]} | {run.size:,}"


# --- the tables ---------------------------------------------------------------------


def page_table(runs):
    lines = [
        "| backend | people | page | cached req/s | p50 | p95 | not cached req/s | p50 | p95 | URLs not seen before |"
        " after a publish req/s | p50 | p95 | first visit p95 | queries first / again | errors |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        for kind, title in TYPES:
            page = run.pages.get(kind)
            if not page:
                continue
            counted = run.queries.get(kind, [])
            queries = (
                f"{max(row['first'] for row in counted)} / {max(row['again'] for row in counted)}" if counted else "–"
            )
            uncached = page.get("uncached")
            pool = f"{uncached['requests']} of {uncached['pool']}" if uncached else ""
            errors = sum(
                page[column]["errors"] for column in ("first", "cached", "uncached", "written") if column in page
            )
            lines.append(
                f"| {who(run)} | {title} | {columns(page.get('cached'))} | {columns(uncached)} | {pool} | "
                f"{columns(page.get('written'))} | {ms(page['first']['p95']) if 'first' in page else '–'} | {queries} | {errors} |"
            )
    return lines


def growth_table(runs):
    lines = [
        "| backend | page | people | not cached p95 ms | people | not cached p95 ms | × |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for backend, small, big in pairs(runs):
        for kind, title in TYPES:
            a, b = uncached(small, kind), uncached(big, kind)
            if a and b:
                lines.append(
                    f"| {NAMES[backend]} | {title} | {small.size:,} | {ms(a)} | {big.size:,} | {ms(b)} | {b / a:.2f} |"
                )
    return lines


def datasette_table(runs):
    lines = [
        "| people | what | req/s | p50 ms | p95 ms | errors | ours ÷ Datasette table page, req/s |",
        "|---:|---|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        if not run.datasette:
            continue
        table = run.datasette.get("table")
        for kind, what in (("table", "Datasette, table page HTML"), ("stored", "Datasette, stored query JSON")):
            got = run.datasette.get(kind)
            if got:
                lines.append(
                    f"| {run.size:,} | {what} (`{got['url']}`) | {got['rps']:.1f} | {ms(got['p50'])} | {ms(got['p95'])} | {got['errors']} | |"
                )
        for kind, title in TYPES:
            page = run.pages.get(kind, {}).get("uncached")
            if page and table and table["rps"]:
                lines.append(
                    f"| {run.size:,} | ours, SQLite, {title}, not cached | {page['rps']:.1f} | {ms(page['p50'])} | "
                    f"{ms(page['p95'])} | {page['errors']} | × {page['rps'] / table['rps']:.1f} |"
                )
    return lines


def csv_table(runs):
    lines = [
        "| backend | people | what | rows | seconds | rows/s | first byte ms | first data row ms | memory growth MB | ours ÷ this, rows/s |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    labels = {
        "sqlite3": "`sqlite3 -csv` shell, same query",
        "copy_query": "COPY (same query) TO STDOUT",
        "copy_table": "COPY plain table of the same rows",
    }
    for run in runs:
        ours = run.csv
        if not ours:
            continue
        first = getattr(run, "csv_first", None)
        if first:
            lines.append(
                f"| {who(run)} | /prisoners.csv, the first download after a publish (reads the database, stores the file)"
                f"{'' if first['complete'] else ' (cut short)'} | {first['rows']:,} | {first['seconds']:.2f} | "
                f"{rate(first):,.0f} | {ms(first['first_byte'])} | {ms(first['first_row'])} | "
                f"{first['memory_growth_mb']:.1f} | {rate(first) / rate(ours):.2f} |"
            )
        lines.append(
            f"| {who(run)} | /prisoners.csv{', from its file' if first else ''}{'' if ours['complete'] else ' (cut short)'} | {ours['rows']:,} | {ours['seconds']:.2f} | "
            f"{rate(ours):,.0f} | {ms(ours['first_byte'])} | {ms(ours['first_row'])} | {ours['memory_growth_mb']:.1f} | 1 |"
        )
        for name, got in run.baselines.items():
            lines.append(
                f"| {who(run)} | {labels[name]} | {got['rows']:,} | {got['seconds']:.2f} | {rate(got):,.0f} | "
                f"{ms(got['first_byte'])} | {ms(got['first_row'])} | – | {rate(ours) / rate(got):.2f} |"
            )
    return lines


def downloads_table(runs):
    lines = [
        "| backend | people | served through | pages alone p95 ms | req/s | with four full CSV downloads p95 ms | req/s | × | downloads finished | MB downloaded | statuses | memory growth MB |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for run in runs:
        got = run.downloads
        if got:
            alone, during = got["alone"], got["during"]
            ratio = during["p95"] / alone["p95"] if alone["p95"] and during["p95"] else None
            lines.append(
                f"| {who(run)} | {got.get('through', 'gunicorn directly')} | {ms(alone['p95'])} | {alone['rps']:.1f} |"
                f" {ms(during['p95'])} | {during['rps']:.1f} | "
                f"{'–' if ratio is None else f'{ratio:.2f}'} | {got['completed']} | {got.get('megabytes', 0):,.0f} | "
                f"{', '.join(f'{status}: {count}' for status, count in sorted(got['statuses'].items()))} | {got['memory_growth_mb']:.1f} |"
            )
    return lines


def bytes_table(runs):
    lines = [
        "| backend | people | page | URL | kB raw | kB sent to a gzip client | encoding |",
        "|---|---:|---|---|---:|---:|---|",
    ]
    for run in runs:
        for kind, title in TYPES:
            got = run.sizes.get(kind)
            if got:
                lines.append(
                    f"| {who(run)} | {title} | `{got['url']}` | {kb(got['raw'])} | {kb(got['sent'])} | {got['encoding'] or 'none'} |"
                )
    return lines


def saves_table(runs):
    lines = [
        "| backend | people | saves | failed | p50 ms | max ms | readers req/s | p50 | p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        got = run.saves
        if got:
            lines.append(
                f"| {who(run)} | {got['saves']} | {len(got['failures'])} | {ms(got['p50'])} | {ms(got['max'])} | {columns(got['readers'])} |"
            )
    return lines


def news_table(runs):
    lines = [
        "| backend | people | readers/s | seconds | requests | errors | p50 ms | p95 ms | p99 ms | max ms | p95 in the 10 s after a publish | p95 otherwise | publishes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        got = run.news
        if got:
            lines.append(
                f"| {who(run)} | {got['rate']:g} | {got['seconds']:g} | {got['requests']} | {got['errors']} | {ms(got['p50'])} | "
                f"{ms(got['p95'])} | {ms(got['p99'])} | {ms(got['max'])} | {ms(got['after_p95'])} | {ms(got['calm_p95'])} | "
                f"{len(got['publishes'])} |"
            )
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
                f"| {who(run)} | {admin['requests']} | {admin['errors']} | "
                f"{ms(admin['p50'])} | {ms(admin['p95'])} | {ms(admin['max'])} | {admin['queries'] if admin['queries'] is not None else '–'} |"
            )
    return lines


def timing_table(runs):
    parts = []
    for run in runs:
        parts += [name for name in run.timings if name not in parts]
    lines = ["| backend | people | " + " | ".join(parts) + " | total |", "|---|---:|" + "---:|" * (len(parts) + 1)]
    for run in runs:
        cells = [f"{run.timings[name]:.0f}" if name in run.timings else "" for name in parts]
        lines.append(f"| {who(run)} | " + " | ".join(cells) + f" | {sum(run.timings.values()):.0f} |")
    return lines


# --- the floors ---------------------------------------------------------------------


def uncached(run, kind):
    page = run.pages.get(kind, {}).get("uncached") if run else None
    return page["p95"] if page and page["requests"] else None


def pairs(runs):
    """(backend, smallest run, largest run) for each backend measured at two sizes or more."""
    found = []
    for backend in NAMES:
        mine = sorted((run for run in runs if run.backend == backend), key=lambda run: run.size)
        if len(mine) >= 2:
            found.append((backend, mine[0], mine[-1]))
    return found


def largest(runs, backend):
    mine = [run for run in runs if run.backend == backend]
    return max(mine, key=lambda run: run.size) if mine else None


def floors(runs):
    """(floor, where, verdict, measured): the floors of issue #14, then the earlier ones still in force.

    Each is read at the largest size measured (200,000 in `make bench`); a
    floor whose numbers were not measured reads n/a and fails nothing.
    """
    verdicts = []

    def verdict(name, where, ok, measured):
        verdicts.append((name, where, "n/a" if ok is None else ("PASS" if ok else "FAIL"), measured))

    def per_page(name, run, value, ok, show, higher_is_worse=True):
        """One line per floor and database: the worst page, and every page that fails."""
        where = run.label if run else ""
        got = [(kind, value(run, kind)) for kind, _ in TYPES] if run else []
        got = [(kind, found) for kind, found in got if found is not None]
        if not got:
            verdict(name, where, None, "not measured")
            return
        failing = [TITLES[kind] for kind, found in got if not ok(found)]
        worst = max(got, key=lambda item: item[1] if higher_is_worse else -item[1])
        text = f"worst: {TITLES[worst[0]]} {show(worst[1])}"
        if failing:
            text += f"; failing {len(failing)} of {len(got)} pages: {', '.join(failing)}"
        else:
            text += f" ({len(got)} pages)"
        verdict(name, where, not failing, text)

    for backend, limit in (("postgresql", 0.100), ("sqlite", 0.150)):
        run = largest(runs, backend)
        per_page(
            f"page not cached: every public page p95 < {limit * 1000:.0f} ms",
            run,
            lambda run, kind: uncached(run, kind),
            lambda value, limit=limit: value < limit,
            lambda value: f"{ms(value)} ms",
        )
    run = largest(runs, "sqlite")
    table = run.datasette.get("table") if run and run.datasette else None
    per_page(
        "page not cached: req/s ≥ 10 × Datasette's table page on the same file",
        run if table else None,
        lambda run, kind: (
            (run.pages.get(kind, {}).get("uncached") or {}).get("rps", 0) / table["rps"]
            if table and table["rps"] and run.pages.get(kind, {}).get("uncached")
            else None
        ),
        lambda value: value >= 10,
        lambda value: f"× {value:.1f}" + (f" (Datasette {table['rps']:.1f} req/s)" if table else ""),
        higher_is_worse=False,
    )
    run = largest(runs, "postgresql")
    per_page(
        "nothing cached (first request after a publish): every page p95 < 300 ms",
        run,
        lambda run, kind: (run.pages.get(kind, {}).get("written") or {}).get("p95"),
        lambda value: value < 0.300,
        lambda value: f"{ms(value)} ms",
    )
    if not pairs(runs):
        verdict("growth 10,000 → 200,000, not cached: p95 ≤ 2 ×", "", None, "one size measured")
    for backend, small, big in pairs(runs):
        got = {kind: (uncached(small, kind), uncached(big, kind)) for kind, _ in TYPES}
        ratios = {kind: b / a for kind, (a, b) in got.items() if a and b}
        if not ratios:
            verdict("growth, not cached: p95 ≤ 2 ×", NAMES[backend], None, "not measured")
            continue
        failing = [TITLES[kind] for kind, ratio in ratios.items() if ratio > 2]
        worst = max(ratios, key=ratios.get)
        a, b = got[worst]
        verdict(
            f"growth {small.size:,} → {big.size:,}, not cached: p95 ≤ 2 ×",
            NAMES[backend],
            not failing,
            f"worst: {TITLES[worst]} × {ratios[worst]:.2f} ({ms(a)} → {ms(b)} ms)"
            + (f"; failing: {', '.join(failing)}" if failing else ""),
        )
    for backend in NAMES:
        run = largest(runs, backend)
        if not run:
            continue
        got = run.downloads
        if got and got["alone"]["p95"] and got["during"]["p95"]:
            ratio = got["during"]["p95"] / got["alone"]["p95"]
            verdict(
                "pages' p95 while four full CSV downloads run ≤ 2 × without",
                run.label,
                ratio <= 2 and got["during"]["errors"] == 0,
                f"× {ratio:.2f} ({ms(got['alone']['p95'])} → {ms(got['during']['p95'])} ms"
                + (f", {got['during']['errors']} errors" if got["during"]["errors"] else "")
                + ")",
            )
        else:
            verdict("pages' p95 while four full CSV downloads run ≤ 2 × without", run.label, None, "not measured")
        ours = run.csv if run.csv and run.csv.get("status") == 200 else None
        baseline, need, against = (
            ("copy_table", 0.8, "COPY of a plain table of the same rows")
            if backend == "postgresql"
            else ("sqlite3", 0.5, "the sqlite3 shell's CSV of the same query")
        )
        other = run.baselines.get(baseline)
        if ours and other:
            ratio = rate(ours) / rate(other)
            verdict(
                f"CSV rows/s ≥ {need} × {against}",
                run.label,
                ratio >= need and ours["complete"],
                f"× {ratio:.2f} ({rate(ours):,.0f} vs {rate(other):,.0f} rows/s)",
            )
        else:
            verdict(f"CSV rows/s ≥ {need} × {against}", run.label, None, "not measured")
        first = getattr(run, "csv_first", None)
        if first:
            # Not a floor the files can meet for the one reader who reads the database after each change:
            # shown beside it so that the table says what that reader waits.
            verdict(
                "(shown, not a floor) CSV first download after a publish: first data row, rows/s",
                run.label,
                None,
                f"{ms(first['first_row'])} ms, {rate(first):,.0f} rows/s",
            )
        if ours:
            verdict("CSV first data row < 200 ms", run.label, ours["first_row"] < 0.2, f"{ms(ours['first_row'])} ms")
            growth = max(ours["memory_growth_mb"] or 0, (run.downloads or {}).get("memory_growth_mb") or 0)
            verdict(
                "CSV server memory growth < 100 MB (one download, and four at once)",
                run.label,
                growth < 100,
                f"{ours['memory_growth_mb']:.1f} MB; four at once "
                + (f"{run.downloads['memory_growth_mb']:.1f} MB" if run.downloads else "not measured"),
            )
        else:
            verdict("CSV first data row < 200 ms", run.label, None, "not measured")
            verdict("CSV server memory growth < 100 MB", run.label, None, "not measured")
        saves = run.saves
        if saves and (saves["saves"] or saves["failures"]):
            verdict(
                "an editor's save during the uncached load < 100 ms, no failure",
                run.label,
                not saves["failures"] and saves["max"] is not None and saves["max"] < 0.100,
                f"{saves['saves']} saves, max {ms(saves['max'])} ms, p50 {ms(saves['p50'])} ms, {len(saves['failures'])} failed",
            )
        else:
            verdict("an editor's save during the uncached load < 100 ms, no failure", run.label, None, "not measured")

    # Earlier issues' floors, still in force.
    counted = [
        (run, kind, max(max(row["first"], row["again"]) for row in run.queries[kind]))
        for run in runs
        for kind, _ in TYPES
        if run.queries.get(kind)
    ]
    if counted:
        worst = max(counted, key=lambda row: row[2])
        verdict(
            "(earlier) every public page at most 10 queries",
            "every run",
            worst[2] <= 10,
            f"most: {worst[2]} ({TITLES[worst[1]]}, {worst[0].label})",
        )
    for backend in NAMES:
        run = largest(runs, backend)
        if not run:
            continue
        per_page(
            "(earlier) every public page, cached: p95 < 150 ms",
            run,
            lambda run, kind: (run.pages.get(kind, {}).get("cached") or {}).get("p95"),
            lambda value: value < 0.150,
            lambda value: f"{ms(value)} ms",
        )
        if run.admin:
            verdict(
                "(earlier) admin changelist of people p95 < 500 ms",
                run.label,
                run.admin["p95"] < 0.5 and run.admin["errors"] == 0,
                f"{ms(run.admin['p95'])} ms p95, {ms(run.admin['max'])} ms max",
            )
        if run.sizes:
            heavy = {kind: run.sizes[kind]["raw"] for kind in ("home", "measure") if kind in run.sizes}
            verdict(
                "(point 4) home and measure pages < 150 kB uncompressed",
                run.label,
                all(size < 150_000 for size in heavy.values()),
                ", ".join(f"{TITLES[kind]} {kb(size)} kB" for kind, size in heavy.items()),
            )
            plain = [TITLES[kind] for kind, got in run.sizes.items() if got["encoding"] not in ("gzip", "br")]
            verdict(
                "(point 4) HTML compressed for clients that accept gzip",
                run.label,
                not plain,
                "every page" if not plain else f"sent uncompressed: {', '.join(plain)}",
            )
    return verdicts


def floor_lines(verdicts):
    return ["| floor | where | verdict | measured |", "|---|---|---|---|"] + [
        f"| {name} | {where} | **{result}** | {measured} |" for name, where, result, measured in verdicts
    ]


# --- the whole report ---------------------------------------------------------------


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
        size = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f"{size / 1024 / 1024:.1f} GiB"
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
        f" ({WORKERS} workers × {THREADS} threads for the readers; the admin on a server of its own, {EDITOR_WORKERS}"
        f" worker × {THREADS} threads at nice {EDITOR_NICE}, as deploy/ runs it), psycopg {metadata.version('psycopg')}",
        *(f"- {NAMES[backend]} {version}" for backend, version in versions.items()),
        f"- Code: commit {commit}",
        f"- Load average before the run: {' '.join(f'{value:.2f}' for value in os.getloadavg())}",
    ]


def section(title, lines, note=""):
    if len(lines) <= 2:
        return []
    return [f"## {title}", "", *([note, ""] if note else []), *lines, ""]


def report(runs, args, started, versions, finished):
    verdicts = floors(runs)
    errors = [f"- {run.label}: {error}" for run in runs for error in run.errors]
    seeds = ", ".join(f"{run.label} {run.seed_seconds:.0f} s" for run in runs if run.seed_seconds)
    publishes = [seconds for run in runs for seconds in run.pages.get("_publish", {}).get("seconds", [])]
    lines = [
        "# Benchmark results",
        "",
        f"`make bench` (`bench/run.py {' '.join(sys.argv[1:])}`), {started:%Y-%m-%d %H:%M} UTC, "
        f"{(finished - started).total_seconds() / 60:.1f} minutes. Written by bench/run.py: rerun it rather than edit this file.",
        "",
        *machine(versions),
        "",
        f"Each database is fresh: `seed_demo --people N --events N/10 --figures N/40` (seeding took {seeds});"
        " on PostgreSQL then VACUUM ANALYZE, as autovacuum would soon do. Everything is measured over HTTP.",
        "",
        *section(
            "Public pages: cached, not cached, first request after a publish",
            page_table(runs),
            f"{args.clients} concurrent keep-alive clients; times in ms. Cached: the sample of bench/pages.py,"
            f" each URL visited once first (first visit p95), then {args.seconds:g} s. Not cached: URLs no request"
            f" had asked for (filter combinations not seen before), each once, for {args.seconds:g} s or until the"
            f" pool ran out (requests of the pool). After a publish: up to {args.rounds} rounds of a publish through"
            " the admin (a draft release event and a draft figure) then the first request of"
            f" {args.clients} of the page's URLs at once"
            + (f"; each publish's POST took {ms(min(publishes))}–{ms(max(publishes))} ms" if publishes else "")
            + ". Queries: counted with the test Client, the most of any URL; first visit / again.",
        ),
        *section("Growth, not cached", growth_table(runs), "p95 of the not-cached column, smallest to largest size."),
        *section(
            "Datasette on the same SQLite file",
            datasette_table(runs),
            f"Datasette 0.65.5 (var/bench-env), {args.clients} clients for {args.seconds:g} s over the five custody"
            " statuses: its table page of detentions, 25 rows newest first, and a stored query of the same page;"
            " beside ours, not cached.",
        ),
        *section(
            "Full prisoners CSV beside the database's own CSV",
            csv_table(runs),
            "First data row: the first byte after the header line. Memory growth: the gunicorn workers' VmRSS,"
            " peak minus before, sampled every 20 ms.",
        ),
        *section(
            "Pages while four full CSV downloads run",
            downloads_table(runs),
            f"Every type's cached sample, mixed, {args.clients} clients for {args.seconds:g} s alone, then as long"
            " with four clients (a process of their own) downloading /prisoners.csv again and again. With nginx on"
            " the machine, both through nginx in front of a readers' server that answers whole lists with"
            " X-Accel-Redirect, as deploy/nginx.conf serves them; the list's file written once before (not timed).",
        ),
        *section("Page weight", bytes_table(runs), "The first URL of each page type's sample; 1 kB = 1,000 bytes."),
        *section(
            "An editor's save under load",
            saves_table(runs),
            f"A draft event's change form saved through the admin {args.saves} times, 0.3 s apart (its title"
            f" changed; the POST to its redirect timed) while {args.clients} clients ask for registry and search"
            " pages not seen before. The admin runs on the editors' server (deploy/tracker-editors.service), the"
            " readers on theirs, both on the same two cores and the same database.",
        ),
        *section(
            "A busy news day",
            news_table(runs),
            f"Readers arriving at {args.news_rate:g} a second whatever the site's speed (open loop; latency from"
            " when each was due) over the whole URL sample; a draft release published through the admin 20 s in"
            " and every 60 s after.",
        ),
        *section("Admin changelist of people (logged in, sequential)", admin_table(runs)),
        *section("Time per part (seconds)", timing_table(runs)),
        "## Errors",
        "",
        *(errors or ["None: every response was a 200."]),
        "",
        "## FLOORS",
        "",
        "Issue #14's floors (200,000 people, c = 8), read at the largest size measured, then the earlier floors still in force.",
        "",
        *floor_lines(verdicts),
        "",
    ]
    return "\n".join(lines), verdicts
