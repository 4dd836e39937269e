"""What each source backs in public, kept by the database itself (triggers), on PostgreSQL and SQLite.

Whether a published source is listed (tracker.models.sources.listed_source)
depends on what it backs in public: a published citation or figure, and the
public detentions it documents, by how their people are named. Asking that of
every published source read every detention-source link with its detention
and person: ~2 s on PostgreSQL at 200,000 people, twice per /sources/ page
(its count and its rows), and the page also counted each source's named
detentions. One small table now holds the answer, kept in the same
transaction as every write by triggers, so every path that writes a row keeps
it: save(), QuerySet.update(), bulk_create(), delete(), an import, the demo
generator, loaddata's raw saves, a restore, and raw SQL.

- tracker_sourcetie(source_id, tie, level, records):
  - tie 'cited', level '': how many public records cite the source (citations
    of published events, published figures whose event, if any, is published);
  - tie 'documented', level = a person's identity level: how many published
    detentions of published people at that level the source documents.
  A row only while its count is above 0. The source's own status is not
  asked here: the rule asks it on the source.

Recomputed from the record tables for the sources a written row touches (a
link, a detention's links, a person's detentions' links, an event's citations
and figures), never adjusted by a difference, so a trigger that runs twice or
late (PostgreSQL runs row triggers at the end of the statement) cannot drift.
On PostgreSQL the sources recomputed are locked first (FOR NO KEY UPDATE, in
id order), so two transactions recomputing one source cannot both insert its
rows. Identity levels are not compared here: which levels are named is
tracker/names.py's, asked by tracker.models.sources. Plain table, not a model:
a backup (tracker/backup.py) holds the records it is computed from, and a
restore's inserts fill it again. PostgreSQL's TRUNCATE fires no row trigger: a
statement trigger rebuilds the table then. tests/test_source_ties.py holds the
fast rule equal to the reference query after writes on every path.
"""

from django.db import migrations

TABLE = (
    "CREATE TABLE tracker_sourcetie ("
    "source_id bigint NOT NULL, tie varchar(12) NOT NULL, level varchar(8) NOT NULL, records integer NOT NULL, "
    "PRIMARY KEY (source_id, tie, level))"
)


def cited(sources):
    """INSERT the 'cited' rows of the sources `sources` (an SQL subquery of ids, or None for all)."""
    citation = "" if sources is None else f" AND c.source_id IN ({sources})"
    figure = "" if sources is None else f" AND f.source_id IN ({sources})"
    return (
        "INSERT INTO tracker_sourcetie (source_id, tie, level, records) "
        "SELECT x.source_id, 'cited', '', COUNT(*) FROM ("
        "SELECT c.source_id AS source_id FROM events_citation c JOIN events_event e ON e.id = c.event_id "
        f"WHERE e.status = 'published'{citation} "
        "UNION ALL SELECT f.source_id FROM events_figure f LEFT JOIN events_event e ON e.id = f.event_id "
        f"WHERE f.status = 'published' AND (f.event_id IS NULL OR e.status = 'published'){figure}"
        ") x GROUP BY x.source_id"
    )


def cited_statements(sources):
    return [f"DELETE FROM tracker_sourcetie WHERE tie = 'cited' AND source_id IN ({sources})", cited(sources)]


def documented(sources):
    """INSERT the 'documented' rows of the sources `sources` (an SQL subquery of ids, or None for all)."""
    where = "" if sources is None else f" AND ds.source_id IN ({sources})"
    return (
        "INSERT INTO tracker_sourcetie (source_id, tie, level, records) "
        "SELECT ds.source_id, 'documented', p.identity_level, COUNT(*) FROM tracker_detentionsource ds "
        "JOIN tracker_detention d ON d.id = ds.detention_id JOIN tracker_person p ON p.id = d.person_id "
        f"WHERE d.status = 'published' AND p.status = 'published'{where} GROUP BY ds.source_id, p.identity_level"
    )


def documented_statements(sources):
    return [
        f"DELETE FROM tracker_sourcetie WHERE tie = 'documented' AND source_id IN ({sources})",
        documented(sources),
    ]


REBUILD = ["DELETE FROM tracker_sourcetie", cited(None), documented(None)]

# Per table: what a written row's version (OLD or NEW) changes — the sources whose rows it moves, and which ties;
# and when an UPDATE moves anything.
WRITES = {
    "tracker_detentionsource": {
        "sources": lambda row: f"SELECT {row}.source_id",
        "ties": [documented_statements],
        "changed": "OLD.source_id <> NEW.source_id OR OLD.detention_id <> NEW.detention_id",
    },
    "tracker_detention": {
        "sources": lambda row: f"SELECT source_id FROM tracker_detentionsource WHERE detention_id = {row}.id",
        "ties": [documented_statements],
        "changed": "OLD.id <> NEW.id OR OLD.status <> NEW.status OR OLD.person_id <> NEW.person_id",
    },
    "tracker_person": {
        "sources": lambda row: (
            "SELECT ds.source_id FROM tracker_detentionsource ds JOIN tracker_detention d ON d.id = ds.detention_id "
            f"WHERE d.person_id = {row}.id"
        ),
        "ties": [documented_statements],
        "changed": "OLD.id <> NEW.id OR OLD.status <> NEW.status OR OLD.identity_level <> NEW.identity_level",
    },
    "events_citation": {
        "sources": lambda row: f"SELECT {row}.source_id",
        "ties": [cited_statements],
        "changed": "OLD.source_id <> NEW.source_id OR OLD.event_id <> NEW.event_id",
    },
    "events_figure": {
        "sources": lambda row: f"SELECT {row}.source_id",
        "ties": [cited_statements],
        "changed": ("OLD.source_id <> NEW.source_id OR OLD.status <> NEW.status OR OLD.event_id IS NOT NEW.event_id"),
    },
    "events_event": {
        "sources": lambda row: (
            f"SELECT source_id FROM events_citation WHERE event_id = {row}.id "
            f"UNION SELECT source_id FROM events_figure WHERE event_id = {row}.id"
        ),
        "ties": [cited_statements],
        "changed": "OLD.id <> NEW.id OR OLD.status <> NEW.status",
    },
}


def statements(table, *rows):
    write = WRITES[table]
    sources = " UNION ".join(write["sources"](row) for row in rows)
    return [statement for ties in write["ties"] for statement in ties(sources)]


def sqlite_triggers():
    def trigger(name, when, condition, body):
        condition = f" WHEN {condition}" if condition else ""
        return f"CREATE TRIGGER {name} {when}{condition} BEGIN {''.join(f'{s}; ' for s in body)}END"

    made = []
    for table, write in WRITES.items():
        made += [
            trigger(f"{table}_ties_insert", f"AFTER INSERT ON {table} FOR EACH ROW", "", statements(table, "NEW")),
            trigger(f"{table}_ties_delete", f"AFTER DELETE ON {table} FOR EACH ROW", "", statements(table, "OLD")),
            trigger(
                f"{table}_ties_update",
                f"AFTER UPDATE ON {table} FOR EACH ROW",
                write["changed"],
                statements(table, "OLD", "NEW"),
            ),
        ]
    return made


def locked(sources):
    return f"PERFORM 1 FROM tracker_source WHERE id IN ({sources}) ORDER BY id FOR NO KEY UPDATE"


def postgresql_triggers():
    made = []
    for table, write in WRITES.items():
        branches = []
        for operation, rows in (("INSERT", ["NEW"]), ("DELETE", ["OLD"]), ("UPDATE", ["OLD", "NEW"])):
            sources = " UNION ".join(write["sources"](row) for row in rows)
            body = [locked(sources), *statements(table, *rows)]
            branches.append(f"IF TG_OP = '{operation}' THEN {'; '.join(body)}; END IF;")
        made += [
            f"CREATE FUNCTION {table}_ties() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{' '.join(branches)} RETURN NULL; END $$",
            f"CREATE TRIGGER {table}_ties_write AFTER INSERT OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_ties()",
            f"CREATE TRIGGER {table}_ties_update AFTER UPDATE ON {table} "
            f"FOR EACH ROW WHEN ({write['changed'].replace('<>', 'IS DISTINCT FROM').replace(' IS NOT ', ' IS DISTINCT FROM ')}) "
            f"EXECUTE FUNCTION {table}_ties()",
            f"CREATE TRIGGER {table}_ties_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION tracker_source_ties_rebuild()",
        ]
    rebuild = (
        "CREATE FUNCTION tracker_source_ties_rebuild() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{'; '.join(REBUILD)}; RETURN NULL; END $$"
    )
    return [rebuild, *made]


DROP = {
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {table}_ties_{operation}"
        for table in WRITES
        for operation in ("insert", "delete", "update")
    ],
    "postgresql": [
        *(f"DROP FUNCTION IF EXISTS {table}_ties() CASCADE" for table in WRITES),
        "DROP FUNCTION IF EXISTS tracker_source_ties_rebuild() CASCADE",
    ],
}


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    triggers = {"sqlite": sqlite_triggers, "postgresql": postgresql_triggers}[vendor]()
    for statement in [TABLE, *REBUILD, *triggers]:
        schema_editor.execute(statement, params=None)


def drop(apps, schema_editor):
    for statement in DROP[schema_editor.connection.vendor]:
        schema_editor.execute(statement, params=None)
    schema_editor.execute("DROP TABLE IF EXISTS tracker_sourcetie", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0008_registry_totals"),
        ("events", "0004_event_public_updated_at"),
    ]

    operations = [migrations.RunPython(create, drop)]
