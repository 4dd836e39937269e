"""Junk query parameters against the page cache: do they fill it, and do they slow the site?

Serves the Belarus seed with gunicorn (DEBUG off, a file cache of its own) on
SQLite, then asks the public pages, side by side in rounds: the plain
address, and the same address with random parameters no page reads (as a
scanner or a tracking tag adds them). Prints the cache's entries and size
after each kind, and the latencies. Before the page cache keyed pages by the
parameters they read (tracker/caching.py), 1,500 such requests left 14 MB of
copies of the same pages and took the median from 72 to 117 ms.

    .venv/bin/python bench/junk_parameters.py [--requests 1500]
"""

import argparse
import http.client
import random
import secrets
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import Server, manage, site_environment  # noqa: E402

PAGES = ["/", "/timeline/", "/releases/", "/figures/", "/prisoners/", "/sources/"]


def junk(rng):
    names = ["utm_source", "fbclid", "gclid", "_", "x" + "".join(rng.choices(string.ascii_lowercase, k=6))]
    return urlencode(
        {
            rng.choice(names): "".join(rng.choices(string.ascii_letters + string.digits, k=rng.randint(1, 40)))
            for _ in range(rng.randint(1, 4))
        }
    )


def cache_size(folder):
    files = [path for path in Path(folder).rglob("*") if path.is_file()]
    return len(files), sum(path.stat().st_size for path in files)


def get(connection, path):
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    return response.status, (time.perf_counter() - started) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500, help="requests of each kind (default 1,500)")
    args = parser.parse_args()
    rng = random.Random(12)
    with tempfile.TemporaryDirectory(prefix="junk-bench-") as work:
        env = site_environment(f"sqlite:///{work}/db.sqlite3", secrets.token_urlsafe(50))
        env["CACHE_DIR"] = f"{work}/cache"
        manage(env, "collectstatic", "--noinput")  # DEBUG off serves the hashed names
        manage(env, "migrate", "--noinput")
        manage(env, "loaddata", "belarus")
        server = Server(env, Path(work) / "gunicorn.log").start()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            for page in PAGES:  # every page computed once: what follows reads the cache
                get(connection, page)
            warm = cache_size(env["CACHE_DIR"])
            times = {"plain": [], "junk": []}
            statuses = {"plain": set(), "junk": set()}
            assert warm[0] > len(PAGES), f"the pages were not cached: {warm}"
            sizes = {}
            # Plain first, then junk, each in full, so the cache each leaves behind is its own.
            for kind in ("plain", "junk"):
                for number in range(args.requests):
                    page = PAGES[number % len(PAGES)]
                    status, ms = get(connection, page if kind == "plain" else f"{page}?{junk(rng)}")
                    statuses[kind].add(status)
                    times[kind].append(ms)
                sizes[kind] = cache_size(env["CACHE_DIR"])
        finally:
            server.stop()
    print(f"{args.requests:,} requests of each kind over {len(PAGES)} public pages, gunicorn on SQLite (Belarus seed)")
    print(f"cache after one visit of each page: {warm[0]} entries, {warm[1] / 1024:.0f} KB")
    print(f"{'requests':<34} {'statuses':<10} {'p50 ms':>7} {'p95 ms':>7}  cache after")
    for kind, label in (("plain", "plain addresses"), ("junk", "with random unknown parameters")):
        p50 = statistics.median(times[kind])
        p95 = statistics.quantiles(times[kind], n=20)[-1]
        entries, size = sizes[kind]
        print(
            f"{label:<34} {','.join(map(str, sorted(statuses[kind]))):<10} {p50:>7.1f} {p95:>7.1f}  "
            f"{entries} entries, {size / 1024:.0f} KB"
        )
    ratio = statistics.median(times["junk"]) / statistics.median(times["plain"])
    print(f"median with junk / plain: x{ratio:.2f}; entries added by the junk: {sizes['junk'][0] - sizes['plain'][0]}")


if __name__ == "__main__":
    main()
