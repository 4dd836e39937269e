"""The benchmark's own databases: one fresh database per backend and size, dropped at the end.

Names carry the benchmark's process ID (`bench_200000_p4242` on PostgreSQL,
var/bench/bench_200000_p4242.sqlite3 on SQLite), so two runs at the same time
never share a database, and a run killed without cleaning up is cleaned up by
the next one: a bench database whose process is gone is dropped at start.
"""

import os
import re
import sqlite3
from pathlib import Path

import psycopg
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parent.parent
SQLITE_DIR = BASE_DIR / "var" / "bench"
PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("BENCH_PG_PORT", "5432")
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
NAME = re.compile(r"^bench_(\d+)_p(\d+)$")


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Database:
    """One bench database: its URL for Django, and a plain DB-API connection for the benchmark's own reads."""

    def __init__(self, backend, size):
        self.backend = backend
        self.size = size
        self.name = f"bench_{size}_p{os.getpid()}"

    @property
    def path(self):
        return SQLITE_DIR / f"{self.name}.sqlite3"

    @property
    def url(self):
        if self.backend == "postgresql":
            return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{self.name}"
        return f"sqlite:///{self.path}"

    def create(self):
        self.drop()
        if self.backend == "postgresql":
            with admin_connection() as connection:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        else:
            SQLITE_DIR.mkdir(parents=True, exist_ok=True)

    def drop(self):
        if self.backend == "postgresql":
            with admin_connection() as connection:
                # FORCE: a server that did not stop cleanly may still hold connections.
                connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))
        else:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def connect(self):
        if self.backend == "postgresql":
            return psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=self.name, autocommit=True)
        return sqlite3.connect(self.path)

    def rows(self, query, params=()):
        """Rows of a query written with %s placeholders, on either backend."""
        if self.backend == "sqlite":
            query = query.replace("%s", "?")
        connection = self.connect()
        try:
            return list(connection.execute(query, params))
        finally:
            connection.close()

    def analyze(self):
        """Vacuumed tables and fresh statistics, as autovacuum leaves them soon after a load: plans as in production.

        VACUUM also sets the visibility map, without which PostgreSQL cannot
        answer from an index alone (index-only scans); autovacuum does it after
        large inserts (autovacuum_vacuum_insert_threshold), so production has it.
        """
        if self.backend == "postgresql":
            with self.connect() as connection:
                connection.execute("VACUUM ANALYZE")

    def value(self, query, params=()):
        return self.rows(query, params)[0][0]

    def version(self):
        if self.backend == "postgresql":
            return self.value("SHOW server_version")
        return self.value("SELECT sqlite_version()")


def admin_connection():
    return psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True)


def drop_orphans(backends):
    """Drop the bench databases of runs whose process is gone (killed before they could clean up)."""
    dropped = []
    if "postgresql" in backends:
        with admin_connection() as connection:
            names = [
                row[0] for row in connection.execute("SELECT datname FROM pg_database WHERE datname LIKE 'bench\\_%'")
            ]
            for name in names:
                match = NAME.match(name)
                if match and not alive(int(match.group(2))):
                    connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
                    dropped.append(name)
    if "sqlite" in backends and SQLITE_DIR.exists():
        for path in SQLITE_DIR.glob("bench_*_p*.sqlite3*"):
            match = NAME.match(path.name.split(".")[0])
            if match and not alive(int(match.group(2))):
                path.unlink(missing_ok=True)
                dropped.append(path.name)
    return dropped
