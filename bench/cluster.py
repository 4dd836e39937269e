"""The multi-machine drill: the deployment of docs/deploy.md, on this machine, under load, with two faults.

    python bench/cluster.py [--people 10000] [--seconds 45]

It builds, in a work directory of its own (/work/cluster/drill-<pid> or --work-dir), removed at the end:

- a PostgreSQL primary (initdb, its own port; the machine's main cluster is not touched) and a streaming
  replica of it (pg_basebackup -R) on a second port;
- Redis: the server at --redis-url (database 13 of 127.0.0.1:6379 by default), emptied at start and end;
- a shared directory for the data package and the import's files (SHARED_STORAGE_DIR);
- two application servers (gunicorn, DEBUG off, two workers of four threads each, 127.0.0.1 on two
  ports), each with DATABASE_URL = the primary, DATABASE_REPLICA_URLS = the replica, REDIS_URL;
- nginx in front (deploy/nginx-drill.conf.template), the only address the load generator is given.

Then 8 clients request a mixed sample of public pages through nginx for --seconds, and:

1. after a third of the time, application server A is killed (SIGKILL, its whole process group);
2. after two thirds, the replica is stopped (pg_ctl stop -m fast).

Floors (exit status 1 if one fails): no request lost beyond those in flight at a fault; after each fault,
every page type answers 200 again within RECOVERY_FLOOR seconds; the replica served reads before it was
stopped (the router works) and the primary served them after; an editor's change is read back at once by
that editor (read-your-writes, through the primary) and by the public once the replica has replayed it.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from load import load, percentile  # noqa: E402
from pages import TYPES, choose_terms, page_urls  # noqa: E402
from server import Proxy, Server, free_port, manage, site_environment  # noqa: E402

PG_BIN = Path(os.environ.get("CLUSTER_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_USER = "postgres"
DB_NAME = "tracker"
CLIENTS = 8
# Every page type answers 200 again within this many seconds of a fault.
RECOVERY_FLOOR = 5.0
# The request lost at a fault are at most those in flight at that moment.
LOST_BEYOND_IN_FLIGHT_FLOOR = 0


def say(message):
    print(message, flush=True)


def as_postgres(*command, **kwargs):
    """A PostgreSQL tool, run as the postgres user (initdb and the server refuse root)."""
    prefix = ["runuser", "-u", PG_USER, "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *map(str, command)], check=True, capture_output=True, text=True, **kwargs)


class Cluster:
    """A primary and its streaming replica, in folders of the work directory."""

    def __init__(self, work):
        self.work = work
        self.sockets = work / "run"
        self.primary = work / "primary"
        self.replica = work / "replica"
        self.primary_port = free_port()
        self.replica_port = free_port()

    def url(self, port):
        return f"postgres://{PG_USER}@127.0.0.1:{port}/{DB_NAME}"

    def connect(self, port, dbname=DB_NAME):
        return psycopg.connect(host="127.0.0.1", port=port, user=PG_USER, dbname=dbname, autocommit=True)

    def start_primary(self):
        self.sockets.mkdir(parents=True)
        shutil.chown(self.work, PG_USER)
        shutil.chown(self.sockets, PG_USER)
        as_postgres(PG_BIN / "initdb", "-D", self.primary, "-U", PG_USER, "--auth=trust", "-E", "UTF8", "--no-sync")
        with open(self.primary / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {self.primary_port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.sockets}'\n"
                "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nshared_buffers = 128MB\n"
                # A drill, not a bank: the machine's disk is shared with other work.
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            )
        self.pg_ctl(self.primary, "start")
        with self.connect(self.primary_port, "postgres") as connection:
            connection.execute(f"CREATE DATABASE {DB_NAME}")

    def start_replica(self):
        as_postgres(
            PG_BIN / "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            self.primary_port,
            "-U",
            PG_USER,
            "-D",
            self.replica,
            "-R",
            "-X",
            "stream",
            "--checkpoint=fast",
        )
        with open(self.replica / "postgresql.auto.conf", "a") as conf:
            conf.write(f"port = {self.replica_port}\n")
        self.pg_ctl(self.replica, "start")
        self.wait_for_replay()

    def pg_ctl(self, folder, action, *options):
        as_postgres(PG_BIN / "pg_ctl", "-D", folder, "-l", f"{folder}.log", "-w", "-t", "60", action, *options)

    def stop_replica(self):
        self.pg_ctl(self.replica, "stop", "-m", "fast")

    def stop(self):
        for folder in (self.replica, self.primary):
            if (folder / "postmaster.pid").exists():
                try:
                    self.pg_ctl(folder, "stop", "-m", "immediate")
                except subprocess.CalledProcessError:
                    pass

    def wait_for_replay(self, timeout=60):
        """Until the replica has replayed everything the primary had written when asked; returns the lag (s)."""
        began = time.perf_counter()
        with self.connect(self.primary_port) as primary:
            target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        while time.perf_counter() - began < timeout:
            try:
                with self.connect(self.replica_port) as replica:
                    caught_up = replica.execute(
                        "SELECT pg_is_in_recovery() AND pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)
                    ).fetchone()[0]
                if caught_up:
                    return time.perf_counter() - began
            except psycopg.OperationalError:
                pass
            time.sleep(0.05)
        raise RuntimeError("the replica did not catch up with the primary within a minute")

    def transactions(self, port):
        """Transactions committed in the tracker database of one server so far (pg_stat_database)."""
        with self.connect(port) as connection:
            return connection.execute(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s", (DB_NAME,)
            ).fetchone()[0]


class Sample:
    """What bench/pages.py reads from a database: rows of plain SQL on the primary."""

    backend = "postgresql"

    def __init__(self, cluster):
        self.cluster = cluster

    def rows(self, query, params=()):
        with self.cluster.connect(self.cluster.primary_port) as connection:
            return list(connection.execute(query, params))

    def value(self, query, params=()):
        return self.rows(query, params)[0][0]


def flush_redis(url):
    import redis

    redis.Redis.from_url(url).flushdb()


def status_of(port, url, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", url, headers={"User-Agent": "tracker-cluster-drill", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException):
        return 0, b""
    finally:
        connection.close()


def recovery(port, probes, fault_at, timeout=60):
    """Seconds from the fault until every page type has answered 200 to a request made after it; None if one
    never does. One prober per page, each asking again every 0.1 s until it gets a 200."""
    answered = {}

    def probe(url):
        while time.perf_counter() - fault_at < timeout:
            if status_of(port, url)[0] == 200:
                answered[url] = time.perf_counter() - fault_at
                return
            time.sleep(0.1)

    threads = [threading.Thread(target=probe, args=(url,), daemon=True) for url in probes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return max(answered.values()) if len(answered) == len(probes) else None


def lost(samples, faults):
    """(failed requests in flight at a fault, failed requests that were not): a failure is anything but a 200."""
    in_flight, beyond = [], []
    for sample in samples:
        if sample.status == 200:
            continue
        ended = sample.started + sample.seconds
        if any(sample.started <= at <= ended for at in faults.values()):
            in_flight.append(sample)
        else:
            beyond.append(sample)
    return in_flight, beyond


def phase_stats(samples, start, end):
    chosen = [sample for sample in samples if start <= sample.started < end]
    latencies = [sample.seconds for sample in chosen]
    span = end - start
    return {
        "requests": len(chosen),
        "req_s": round(len(chosen) / span, 1) if span > 0 else None,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1) if latencies else None,
        "non_200": sum(1 for sample in chosen if sample.status != 200),
    }


def editor_reads_own_write(cluster, env):
    """Write through the ORM as an editor's save does, then read as the editor and as the public.

    The editor's request (a session cookie) reads from the primary, so sees the write at once; the public
    reads it from the replica once replayed. Returns (editor saw it, public saw it within 5 s, lag s).
    """
    code = (
        "import django; django.setup();"
        "from django.test import RequestFactory;"
        "from django.http import HttpResponse;"
        "from tracker.routers import ReplicaMiddleware, reading_from;"
        "from tracker.publishing import DataVersion, data_changed;"
        "data_changed();"
        "written = DataVersion.objects.using('default').get(pk=1).number;"
        "view = lambda request: HttpResponse(str(DataVersion.objects.get(pk=1).number) + ' ' + reading_from.get());"
        "editor = ReplicaMiddleware(view)(RequestFactory().get('/', HTTP_COOKIE='sessionid=x')).content.decode();"
        "public = ReplicaMiddleware(view)(RequestFactory().get('/')).content.decode();"
        "print(written, editor, public)"
    )
    written, editor, editor_db, public, public_db = manage(env, "shell", "--no-imports", "-c", code).split()
    replayed = cluster.wait_for_replay(timeout=5)
    return {
        "written_version": int(written),
        "editor_read": f"{editor} from {editor_db}",
        "public_read_at_once": f"{public} from {public_db}",
        "replica_lag_s": round(replayed, 3),
        "ok": editor == written and editor_db == "default" and public_db != "default",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=45.0)
    parser.add_argument("--redis-url", default=os.environ.get("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--work-dir", type=Path, default=Path("/work/cluster"))
    parser.add_argument("--keep", action="store_true", help="leave the work directory (logs) behind")
    args = parser.parse_args()

    work = args.work_dir / f"drill-{os.getpid()}"
    work.mkdir(parents=True)
    work.chmod(0o755)
    args.work_dir.chmod(0o755)
    cluster = Cluster(work)
    proxy = None
    servers = []
    results = {}
    floors = {}
    log = open(work / "drill.log", "a")
    began = time.perf_counter()
    try:
        say(f"[cluster] work directory {work}")
        cluster.start_primary()
        say(f"[cluster] primary on :{cluster.primary_port}")
        flush_redis(args.redis_url)
        shared = work / "shared"
        env = {
            **site_environment(cluster.url(cluster.primary_port), "cluster-drill-" + os.urandom(24).hex()),
            "DATABASE_REPLICA_URLS": cluster.url(cluster.replica_port),
            "REDIS_URL": args.redis_url,
            "SHARED_STORAGE_DIR": str(shared),
            # As behind the proxy of docs/deploy.md: it appends the client's address.
            "TRUSTED_PROXIES": "1",
            "SITE_URL": "http://127.0.0.1",
        }
        for name in ("CACHE_DIR", "IMPORT_TMP_DIR", "DATASET_DIR"):
            env.pop(name, None)
        manage(env, "migrate", "--noinput", log=log)
        manage(env, "collectstatic", "--noinput", log=log)
        say(f"[cluster] seed_demo --people {args.people:,}")
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
        with cluster.connect(cluster.primary_port) as connection:
            connection.execute("VACUUM ANALYZE")
        cluster.start_replica()
        say(f"[cluster] replica on :{cluster.replica_port} (pg_basebackup, streaming)")

        results["read_your_writes"] = editor_reads_own_write(cluster, env)
        floors["editor reads its own write from the primary; the public from the replica"] = results[
            "read_your_writes"
        ]["ok"]

        for name in ("a", "b"):
            server = Server(env, work / f"gunicorn-{name}.log")
            servers.append(server.start())
        say(f"[cluster] application servers A :{servers[0].port}, B :{servers[1].port}")
        proxy = Proxy(work, [server.port for server in servers]).start()
        say(f"[cluster] nginx :{proxy.port} in front of both")

        db = Sample(cluster)
        by_kind = page_urls(db, choose_terms(db))
        kinds = [kind for kind, _ in TYPES if by_kind.get(kind)]
        urls = [url for kind in kinds for url in by_kind[kind]]
        probes = [by_kind[kind][0] for kind in kinds] + ["/api/v1/events/", "/data/"]
        for url in probes:  # one server's first visit fills the shared cache for both
            deadline = time.perf_counter() + 60
            while (status := status_of(proxy.port, url)[0]) != 200 and time.perf_counter() < deadline:
                time.sleep(0.5)  # /data/ answers 503 while the first request builds the package
            if status != 200:
                raise RuntimeError(f"{url} answered {status} before any fault")

        replica_before = cluster.transactions(cluster.replica_port)
        primary_before = cluster.transactions(cluster.primary_port)
        outcome = {}
        started = time.perf_counter()
        runner = threading.Thread(
            target=lambda: outcome.update(result=load(proxy.port, urls, clients=CLIENTS, seconds=args.seconds)),
            daemon=True,
        )
        runner.start()
        faults = {}
        recovered = {}

        time.sleep(args.seconds / 3)
        replica_phase1 = cluster.transactions(cluster.replica_port) - replica_before
        primary_phase1 = cluster.transactions(cluster.primary_port) - primary_before
        faults["server A killed"] = time.perf_counter()
        os.killpg(servers[0].process.pid, signal.SIGKILL)
        servers[0].process.wait()
        say(f"[cluster] t={faults['server A killed'] - started:.1f}s killed application server A (SIGKILL)")
        recovered["server A killed"] = recovery(proxy.port, probes, faults["server A killed"])

        time.sleep(max(0.0, started + 2 * args.seconds / 3 - time.perf_counter()))
        primary_before_stop = cluster.transactions(cluster.primary_port)
        faults["replica stopped"] = time.perf_counter()
        cluster.stop_replica()
        say(f"[cluster] t={faults['replica stopped'] - started:.1f}s stopped the replica (pg_ctl stop -m fast)")
        recovered["replica stopped"] = recovery(proxy.port, probes, faults["replica stopped"])
        runner.join()
        primary_phase3 = cluster.transactions(cluster.primary_port) - primary_before_stop

        result = outcome["result"]
        in_flight, beyond = lost(result.samples, faults)
        first, second = (at - started for at in faults.values())
        results["load"] = {
            "clients": CLIENTS,
            "urls": len(urls),
            "seconds": round(result.wall, 1),
            "requests": len(result.samples),
            "non_200": result.errors,
            "lost_in_flight_at_a_fault": len(in_flight),
            "lost_beyond_in_flight": len(beyond),
            "examples": [f"{s.status} {s.url} t={s.started - started:.2f}s" for s in (beyond or in_flight)[:5]],
        }
        results["phases"] = {
            "both servers, replica": phase_stats(result.samples, started, faults["server A killed"]),
            "server B alone, replica": phase_stats(
                result.samples, faults["server A killed"], faults["replica stopped"]
            ),
            "server B alone, primary only": phase_stats(
                result.samples, faults["replica stopped"], started + result.wall
            ),
        }
        results["faults"] = {
            name: {"at_s": round(at, 1), "every_page_200_again_after_s": None if seconds is None else round(seconds, 2)}
            for (name, seconds), at in zip(recovered.items(), (first, second), strict=True)
        }
        results["databases"] = {
            "replica transactions, first third": replica_phase1,
            "primary transactions, first third": primary_phase1,
            "primary transactions, after the replica stopped": primary_phase3,
        }
        floors[f"no request lost beyond those in flight (≤ {LOST_BEYOND_IN_FLIGHT_FLOOR})"] = (
            len(beyond) <= LOST_BEYOND_IN_FLIGHT_FLOOR
        )
        for name, seconds in recovered.items():
            floors[f"{name}: every page 200 again within {RECOVERY_FLOOR:g} s"] = (
                seconds is not None and seconds <= RECOVERY_FLOOR
            )
        floors["public reads served by the replica while it ran"] = replica_phase1 > primary_phase1
        floors["public reads served by the primary once the replica stopped"] = primary_phase3 > 100
        floors["server B still served after A was killed"] = servers[1].process.poll() is None
    finally:
        if proxy:
            proxy.stop()
        for server in servers:
            server.stop()
        cluster.stop()
        try:
            flush_redis(args.redis_url)
        except Exception:  # noqa: BLE001 - cleaning up: Redis may be what failed
            pass
        log.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    say(json.dumps(results, indent=2, ensure_ascii=False))
    say(f"[cluster] {time.perf_counter() - began:.0f} s in all")
    for name, ok in floors.items():
        say(f"  {'PASS' if ok else 'FAIL'}  {name}")
    sys.exit(0 if floors and all(floors.values()) else 1)


if __name__ == "__main__":
    main()
