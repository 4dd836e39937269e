"""The tables the database keeps from the records by triggers, and a bulk load that rebuilds them once instead.

Triggers keep each derived table (tracker.caching.derived_table) in the same
transaction as every write: tracker/migrations/0006 (SQLite's name search),
0008 rewritten by events/migrations/0005 (the registry's totals and orders),
0009 (what each source backs), 0010 (the day counts) and events/migrations/0006
(the people linked to each release). A bulk load pays them
per row: the demo generator at 200,000 people took 1,303 s with them against
70 s before them. bulk_load() runs a load with those triggers off and, at the
end of its transaction, rebuilds every derived table from the records in one
pass, with each migration's own rebuild statements, kept here as a copy
(migrations must not import app code; tests/test_kept_tables.py holds each
copy equal to its migration's REBUILD).

The triggers go off inside the load's transaction, so a failure rolls their
removal back with the rest (SQLite's DDL and PostgreSQL's ALTER TABLE are
transactional), and other writers wait for the transaction as for any write
(PostgreSQL: ALTER TABLE … DISABLE TRIGGER locks the table against writes).
"""

import contextlib
import re

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from tracker.names import level_sql


def _both(statements):
    return {"sqlite": statements, "postgresql": statements}


def _orders(vendor):
    """events 0005's copied(vendor): what the registry's orders read, set on every tracker_personcustody row."""
    false, year_start = {
        "sqlite": ("0", "strftime('%Y-01-01', {})"),
        "postgresql": ("false", "date_trunc('year', {})::date"),
    }[vendor]
    of_person = "FROM tracker_person p WHERE p.id = tracker_personcustody.person_id"

    def shown(aggregate, none):
        date = f"{aggregate}(d.detained_on)"
        return (
            f"COALESCE((SELECT CASE WHEN {level_sql('p.identity_level', named=True)} THEN {date} "
            f"ELSE {year_start.format(date)} END "
            "FROM tracker_person p JOIN tracker_detention d ON d.person_id = p.id "
            "WHERE p.id = tracker_personcustody.person_id AND d.status = 'published' "
            "AND (tracker_personcustody.custody_status = '' OR d.custody_status = tracker_personcustody.custody_status) "
            f"GROUP BY p.identity_level), '{none}')"
        )

    return (
        "UPDATE tracker_personcustody SET "
        f"listed = COALESCE((SELECT p.status = 'published' AND {level_sql('p.identity_level', named=False)} "
        f"{of_person}), "
        f"{false}), "
        f"sort_name = COALESCE((SELECT p.sort_name {of_person}), ''), "
        f"uid = (SELECT p.uid {of_person}), "
        f"newest = {shown('MAX', '0001-01-01')}, "
        f"oldest = {shown('MIN', '9999-12-31')}"
    )


# tracker/migrations/0008_registry_totals.py's REBUILD.
TOTALS = [
    "DELETE FROM tracker_personcustody",
    "DELETE FROM tracker_registrytotal",
    "INSERT INTO tracker_personcustody (person_id, custody_status, detentions) "
    "SELECT person_id, custody_status, COUNT(*) FROM tracker_detention WHERE status = 'published' "
    "GROUP BY person_id, custody_status "
    "UNION ALL SELECT person_id, '', COUNT(*) FROM tracker_detention WHERE status = 'published' GROUP BY person_id",
    "INSERT INTO tracker_registrytotal (custody_status, identity_level, people) "
    "SELECT c.custody_status, p.identity_level, COUNT(*) FROM tracker_personcustody c "
    "JOIN tracker_person p ON p.id = c.person_id WHERE p.status = 'published' "
    "GROUP BY c.custody_status, p.identity_level",
]

# tracker/migrations/0009_source_ties.py's REBUILD.
SOURCE_TIES = [
    "DELETE FROM tracker_sourcetie",
    "INSERT INTO tracker_sourcetie (source_id, tie, level, records) "
    "SELECT x.source_id, 'cited', '', COUNT(*) FROM ("
    "SELECT c.source_id AS source_id FROM events_citation c JOIN events_event e ON e.id = c.event_id "
    "WHERE e.status = 'published' "
    "UNION ALL SELECT f.source_id FROM events_figure f LEFT JOIN events_event e ON e.id = f.event_id "
    "WHERE f.status = 'published' AND (f.event_id IS NULL OR e.status = 'published')) x GROUP BY x.source_id",
    "INSERT INTO tracker_sourcetie (source_id, tie, level, records) "
    "SELECT ds.source_id, 'documented', p.identity_level, COUNT(*) FROM tracker_detentionsource ds "
    "JOIN tracker_detention d ON d.id = ds.detention_id JOIN tracker_person p ON p.id = d.person_id "
    "WHERE d.status = 'published' AND p.status = 'published' GROUP BY ds.source_id, p.identity_level",
]

# tracker/migrations/0010_day_counts.py's REBUILD.
DAY_COUNTS = [
    "DELETE FROM tracker_daycount",
    "INSERT INTO tracker_daycount (field, country, level, day, n, m) "
    "SELECT x.field, x.country, p.identity_level, x.day, SUM(x.n), SUM(x.m) FROM ("
    "SELECT 'detained' AS field, d.country AS country, d.detained_on AS day, 1 AS n, "
    "CASE WHEN d.released_on IS NOT NULL OR d.custody_status = 'held' THEN 1 ELSE 0 END AS m, "
    "d.person_id AS person_id FROM tracker_detention d WHERE d.status = 'published' AND d.detained_on IS NOT NULL "
    "UNION ALL SELECT 'released', d.country, d.released_on, 1, CASE WHEN d.detained_on IS NOT NULL THEN 1 ELSE 0 END, "
    "d.person_id FROM tracker_detention d WHERE d.status = 'published' AND d.released_on IS NOT NULL "
    "UNION ALL SELECT 'recognised', d.country, d.recognised_on, 1, 1, d.person_id FROM tracker_detention d "
    "WHERE d.status = 'published' AND d.recognised_on IS NOT NULL) x "
    "JOIN tracker_person p ON p.id = x.person_id WHERE p.status = 'published' "
    "GROUP BY x.field, x.country, p.identity_level, x.day",
]

# events/migrations/0006_release_counts.py's REBUILD.
RELEASE_COUNTS = [
    "DELETE FROM events_releasecount",
    "INSERT INTO events_releasecount (release_id, n) SELECT r.release_id, COUNT(*) FROM events_releaseddetention r "
    "JOIN tracker_detention d ON d.id = r.detention_id JOIN tracker_person p ON p.id = d.person_id "
    "WHERE d.status = 'published' AND p.status = 'published' GROUP BY r.release_id",
]


def _facets(vendor):
    """tracker/migrations/0013_facet_regions.py's REBUILD (0012's, with the region): the registry's orders per
    filter value."""
    year_start, year = {
        "sqlite": (
            "strftime('%Y-01-01', d.detained_on)",
            "CAST(CAST(strftime('%Y', d.detained_on) AS integer) AS text)",
        ),
        "postgresql": (
            "date_trunc('year', d.detained_on)::date",
            "CAST(CAST(EXTRACT(YEAR FROM d.detained_on) AS integer) AS text)",
        ),
    }[vendor]
    named = level_sql("p.identity_level", named=True)
    date = f"CASE WHEN {named} THEN d.detained_on ELSE {year_start} END"
    region = f"CASE WHEN {named} AND p.region <> '' THEN p.region ELSE NULL END"
    columns = (
        "p.id AS person_id, d.custody_status AS custody_status, p.sort_name AS sort_name, p.uid AS uid, "
        f"{region} AS region"
    )
    joined = (
        "FROM tracker_person p JOIN tracker_detention d ON d.person_id = p.id{} "
        f"WHERE p.status = 'published' AND {level_sql('p.identity_level', named=False)} AND d.status = 'published'"
    )
    rows = " UNION ALL ".join(
        [
            f"SELECT {columns}, 'y' AS facet, {year} AS value, {date} AS shown {joined.format('')}"
            " AND d.detained_on IS NOT NULL",
            f"SELECT {columns}, 'a', c.article, {date} {joined.format(' JOIN tracker_charge c ON c.detention_id = d.id')}",
            f"SELECT {columns}, 'f', d.facility, {date} {joined.format('')} AND {named} AND d.facility <> ''",
            f"SELECT {columns}, 'r', p.region, {date} {joined.format('')} AND {named} AND p.region <> ''",
        ]
    )
    dates = "COALESCE(MAX(x.shown), '0001-01-01'), COALESCE(MIN(x.shown), '9999-12-31')"
    return [
        "DELETE FROM tracker_personfacet",
        "INSERT INTO tracker_personfacet "
        "(person_id, custody_status, facet, value, sort_name, uid, region, newest, oldest) "
        f"SELECT x.person_id, x.custody_status, x.facet, x.value, x.sort_name, x.uid, x.region, {dates} "
        f"FROM ({rows}) x GROUP BY x.person_id, x.custody_status, x.facet, x.value, x.sort_name, x.uid, x.region "
        f"UNION ALL SELECT x.person_id, '', x.facet, x.value, x.sort_name, x.uid, x.region, {dates} "
        f"FROM ({rows}) x GROUP BY x.person_id, x.facet, x.value, x.sort_name, x.uid, x.region",
    ]


# (the derived tables, their rebuild per database vendor), in the order they are rebuilt.
KEPT = [
    (
        ("tracker_personcustody", "tracker_registrytotal"),
        {vendor: [*TOTALS, _orders(vendor)] for vendor in ("sqlite", "postgresql")},
    ),
    (("tracker_sourcetie",), _both(SOURCE_TIES)),
    (("tracker_daycount",), _both(DAY_COUNTS)),
    (("events_releasecount",), _both(RELEASE_COUNTS)),
    (("tracker_personfacet",), {vendor: _facets(vendor) for vendor in ("sqlite", "postgresql")}),
    # tracker/migrations/0006_sqlite_name_search.py: FTS5's own rebuild from its content table (SQLite only).
    (
        ("tracker_person_search",),
        {"sqlite": ["INSERT INTO tracker_person_search(tracker_person_search) VALUES ('rebuild')"], "postgresql": []},
    ),
]

KEPT_TABLES = frozenset(table for tables, _ in KEPT for table in tables)
_mentions_kept = re.compile(r"\b(?:" + "|".join(sorted(KEPT_TABLES)) + r")\b", re.IGNORECASE)


def rebuild(using=DEFAULT_DB_ALIAS):
    """Rebuild every derived table from the records, each in one pass."""
    connection = connections[using]
    with connection.cursor() as cursor:
        for _, statements in KEPT:
            for statement in statements[connection.vendor]:
                cursor.execute(statement)


def kept_triggers(using=DEFAULT_DB_ALIAS):
    """[(table, trigger name, how to create it again)] of the enabled triggers whose code writes a derived table.

    Read from the database, not from the migrations: whatever migration last
    wrote a trigger, the one in the database is the one put back. SQLite's in
    the order they were created (rowid), so they are created again in it.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY rowid")
        else:
            cursor.execute(
                "SELECT t.tgrelid::regclass::text, t.tgname, p.prosrc FROM pg_trigger t "
                "JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' ORDER BY t.tgname"
            )
        return [(table, name, code) for table, name, code in cursor.fetchall() if _mentions_kept.search(code)]


def _switch(connection, triggers, on):
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        # PostgreSQL refuses to ALTER a table with deferred trigger events pending (its foreign keys'
        # checks): run them now, as loaddata does (SET CONSTRAINTS ALL IMMEDIATE, then DEFERRED again).
        connection.check_constraints()
    with connection.cursor() as cursor:
        for table, name, code in triggers:
            if connection.vendor == "sqlite":
                cursor.execute(code if on else f"DROP TRIGGER {qn(name)}")
            else:
                cursor.execute(f"ALTER TABLE {table} {'ENABLE' if on else 'DISABLE'} TRIGGER {qn(name)}")


@contextlib.contextmanager
def bulk_load(using=DEFAULT_DB_ALIAS):
    """A transaction whose writes leave the derived tables alone; at its end they are rebuilt from the records.

    SQLite: the triggers are dropped and created again from their saved SQL;
    PostgreSQL: disabled and enabled again. Either way inside the transaction,
    so an exception puts them back as it rolls the load back.
    """
    connection = connections[using]
    with transaction.atomic(using=using):
        triggers = kept_triggers(using)
        _switch(connection, triggers, on=False)
        yield
        _switch(connection, triggers, on=True)
        rebuild(using)
