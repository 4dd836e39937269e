"""The registry's counts per country and day, kept by the database itself (triggers), on PostgreSQL and SQLite.

The home page and every measure page stand the registry's own counts beside
the reported figures (DOMAIN rule 5, events/registry_counts.py): how many
were held on a day, released or recognised in a period. They were answered
from running totals that one query built by reading every published
detention with its person: ~0.6-1 s on PostgreSQL at 200,000 people, after
every write of a detention or a person. One small table now holds the
per-day changes those totals add up, kept in the same transaction as the
write by triggers, so every path that writes a row keeps it: save(),
QuerySet.update(), bulk_create(), delete(), an import, the demo generator,
loaddata's raw saves, a restore, and raw SQL.

- tracker_daycount(field, country, level, day, n, m): the published
  detentions of published people at identity level `level`, in `country`,
  whose date `field` is `day`:
  - field 'detained': n of them, and m of those that enter "held" on that day
    (released since, or still held in custody status 'held');
  - field 'released': n of them, and m of those with a detention date (they
    leave "held" on that day);
  - field 'recognised': n of them (m = n).
  Days are the records' own: the protection rule (a person not named in
  full counts on 1 January of the year, docs/counts.md) is applied where the
  table is read, with which levels are named in full: tracker/names.py's.
  Identity levels are not compared here.

Kept by differences, not recomputed: a day of year-precision dates holds
~1,500 detentions at 200,000 people, and recomputing it for each of them
made a bulk load quadratic. Each trigger takes the written row's old share
out and puts its new share in (a person's status or level moves the shares
of all their detentions). That is exact because a statement writes one
table, so the person a detention's trigger reads, and the detentions a
person's trigger reads, are as the last trigger left them. On PostgreSQL,
where another transaction may write concurrently, a detention's trigger
first locks its person's row (FOR NO KEY UPDATE, as the
registry totals' trigger does, so neither upgrades a lock the other shares; two people in id order), so a
change of that person's level or status and a change of their detentions
wait for each other, and the one that goes second reads the other's
committed rows (each statement of a trigger reads afresh). Upserts of one
key wait on its row and add to what the other committed. Rows whose counts
fall to 0 are kept (the reader skips them): a row can never be taken out
twice. PostgreSQL's TRUNCATE fires no row trigger: a statement trigger
rebuilds the table then. Plain table, not a model: a backup holds the
records it is computed from, and a restore's inserts fill it again.
tests/test_day_counts.py holds the table equal to its rebuild, and the
counts read from it equal to the reference query, after writes on every path.
"""

from django.db import migrations

TABLE = (
    "CREATE TABLE tracker_daycount ("
    "field varchar(10) NOT NULL, country varchar(2) NOT NULL, level varchar(8) NOT NULL, day date NOT NULL, "
    "n integer NOT NULL, m integer NOT NULL, PRIMARY KEY (field, country, level, day))"
)


def shares(row):
    """SELECT (field, country, day, n, m) of the detention `row` (NEW, OLD, or a table alias): one row per date it has."""
    return (
        f"SELECT 'detained' AS field, {row}.country AS country, {row}.detained_on AS day, 1 AS n, "
        f"CASE WHEN {row}.released_on IS NOT NULL OR {row}.custody_status = 'held' THEN 1 ELSE 0 END AS m "
        f"WHERE {row}.detained_on IS NOT NULL "
        f"UNION ALL SELECT 'released', {row}.country, {row}.released_on, 1, "
        f"CASE WHEN {row}.detained_on IS NOT NULL THEN 1 ELSE 0 END WHERE {row}.released_on IS NOT NULL "
        f"UNION ALL SELECT 'recognised', {row}.country, {row}.recognised_on, 1, 1 WHERE {row}.recognised_on IS NOT NULL"
    )


def person_shares(person):
    """SELECT (field, country, day, n, m) of the published detentions of person id `person`, one row per date."""
    return (
        "SELECT 'detained' AS field, d.country AS country, d.detained_on AS day, 1 AS n, "
        "CASE WHEN d.released_on IS NOT NULL OR d.custody_status = 'held' THEN 1 ELSE 0 END AS m "
        f"FROM tracker_detention d WHERE d.person_id = {person} AND d.status = 'published' AND d.detained_on IS NOT NULL "
        "UNION ALL SELECT 'released', d.country, d.released_on, 1, CASE WHEN d.detained_on IS NOT NULL THEN 1 ELSE 0 END "
        f"FROM tracker_detention d WHERE d.person_id = {person} AND d.status = 'published' AND d.released_on IS NOT NULL "
        "UNION ALL SELECT 'recognised', d.country, d.recognised_on, 1, 1 "
        f"FROM tracker_detention d WHERE d.person_id = {person} AND d.status = 'published' AND d.recognised_on IS NOT NULL"
    )


UPSERT = (
    "ON CONFLICT (field, country, level, day) DO UPDATE "
    "SET n = tracker_daycount.n + excluded.n, m = tracker_daycount.m + excluded.m"
)
INSERT = "INSERT INTO tracker_daycount (field, country, level, day, n, m) "


def detention_share(row, sign):
    """Add (sign 1) or take out (sign -1) the share of the detention `row`, at its person's level as it stands now."""
    return (
        f"{INSERT}SELECT x.field, x.country, p.identity_level, x.day, {sign} * x.n, {sign} * x.m "
        f"FROM ({shares(row)}) x JOIN tracker_person p ON p.id = {row}.person_id "
        f"WHERE {row}.status = 'published' AND p.status = 'published' {UPSERT}"
    )


def person_share(row, sign):
    """Add (sign 1) or take out (sign -1) the shares of every published detention of the person `row`, at its level."""
    return (
        f"{INSERT}SELECT x.field, x.country, {row}.identity_level, x.day, {sign} * SUM(x.n), {sign} * SUM(x.m) "
        f"FROM ({person_shares(f'{row}.id')}) x WHERE {row}.status = 'published' "
        f"GROUP BY x.field, x.country, x.day {UPSERT}"
    )


REBUILD = [
    "DELETE FROM tracker_daycount",
    f"{INSERT}SELECT x.field, x.country, p.identity_level, x.day, SUM(x.n), SUM(x.m) FROM ("
    "SELECT 'detained' AS field, d.country AS country, d.detained_on AS day, 1 AS n, "
    "CASE WHEN d.released_on IS NOT NULL OR d.custody_status = 'held' THEN 1 ELSE 0 END AS m, d.person_id AS person_id "
    "FROM tracker_detention d WHERE d.status = 'published' AND d.detained_on IS NOT NULL "
    "UNION ALL SELECT 'released', d.country, d.released_on, 1, CASE WHEN d.detained_on IS NOT NULL THEN 1 ELSE 0 END, "
    "d.person_id FROM tracker_detention d WHERE d.status = 'published' AND d.released_on IS NOT NULL "
    "UNION ALL SELECT 'recognised', d.country, d.recognised_on, 1, 1, d.person_id "
    "FROM tracker_detention d WHERE d.status = 'published' AND d.recognised_on IS NOT NULL"
    ") x JOIN tracker_person p ON p.id = x.person_id WHERE p.status = 'published' "
    "GROUP BY x.field, x.country, p.identity_level, x.day",
]

# When an UPDATE moves a share (IS NOT: the dates may be NULL; PostgreSQL spells it IS DISTINCT FROM).
FIELDS = ("person_id", "status", "country", "detained_on", "released_on", "recognised_on", "custody_status")
DETENTION_CHANGED = " OR ".join(f"OLD.{field} IS NOT NEW.{field}" for field in FIELDS)
PERSON_CHANGED = "OLD.id IS NOT NEW.id OR OLD.status IS NOT NEW.status OR OLD.identity_level IS NOT NEW.identity_level"


def sqlite_triggers():
    def trigger(name, when, condition, statements):
        condition = f" WHEN {condition}" if condition else ""
        return f"CREATE TRIGGER {name} {when}{condition} BEGIN {''.join(f'{s}; ' for s in statements)}END"

    return [
        trigger(
            "tracker_detention_days_insert",
            "AFTER INSERT ON tracker_detention FOR EACH ROW",
            "NEW.status = 'published'",
            [detention_share("NEW", 1)],
        ),
        trigger(
            "tracker_detention_days_delete",
            "AFTER DELETE ON tracker_detention FOR EACH ROW",
            "OLD.status = 'published'",
            [detention_share("OLD", -1)],
        ),
        trigger(
            "tracker_detention_days_update",
            "AFTER UPDATE ON tracker_detention FOR EACH ROW",
            DETENTION_CHANGED,
            [detention_share("OLD", -1), detention_share("NEW", 1)],
        ),
        trigger(
            "tracker_person_days_insert",
            "AFTER INSERT ON tracker_person FOR EACH ROW",
            "NEW.status = 'published'",
            [person_share("NEW", 1)],
        ),
        trigger(
            "tracker_person_days_delete",
            "AFTER DELETE ON tracker_person FOR EACH ROW",
            "OLD.status = 'published'",
            [person_share("OLD", -1)],
        ),
        trigger(
            "tracker_person_days_update",
            "AFTER UPDATE ON tracker_person FOR EACH ROW",
            PERSON_CHANGED,
            [person_share("OLD", -1), person_share("NEW", 1)],
        ),
    ]


def postgresql_triggers():
    def guarded(operations, row, statements):
        # Nested: plpgsql may evaluate both sides of an AND, and OLD is NULL in an INSERT trigger.
        return (
            f"IF TG_OP IN {operations} THEN IF {row}.status = 'published' THEN {'; '.join(statements)}; END IF; END IF"
        )

    # The people whose shares move, locked in id order before their shares are read (see the docstring).
    lock = (
        "PERFORM 1 FROM tracker_person WHERE id IN ("
        "SELECT OLD.person_id WHERE TG_OP <> 'INSERT' AND OLD.status = 'published' "
        "UNION SELECT NEW.person_id WHERE TG_OP <> 'DELETE' AND NEW.status = 'published') ORDER BY id FOR NO KEY UPDATE"
    )
    detention = [
        lock,
        guarded("('DELETE', 'UPDATE')", "OLD", [detention_share("OLD", -1)]),
        guarded("('INSERT', 'UPDATE')", "NEW", [detention_share("NEW", 1)]),
    ]
    person = [
        guarded("('DELETE', 'UPDATE')", "OLD", [person_share("OLD", -1)]),
        guarded("('INSERT', 'UPDATE')", "NEW", [person_share("NEW", 1)]),
    ]

    def function(name, statements):
        return f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {'; '.join(statements)}; RETURN NULL; END $$"

    changed = {
        "tracker_detention": DETENTION_CHANGED.replace(" IS NOT ", " IS DISTINCT FROM "),
        "tracker_person": PERSON_CHANGED.replace(" IS NOT ", " IS DISTINCT FROM "),
    }
    made = [
        function("tracker_detention_days", detention),
        function("tracker_person_days", person),
        function("tracker_day_counts_rebuild", REBUILD),
    ]
    for table, name in (("tracker_detention", "tracker_detention_days"), ("tracker_person", "tracker_person_days")):
        made += [
            f"CREATE TRIGGER {name}_write AFTER INSERT OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
            f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table} FOR EACH ROW WHEN ({changed[table]}) "
            f"EXECUTE FUNCTION {name}()",
            f"CREATE TRIGGER {name}_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION tracker_day_counts_rebuild()",
        ]
    return made


DROP = {
    "sqlite": [
        f"DROP TRIGGER IF EXISTS tracker_{table}_days_{operation}"
        for table in ("detention", "person")
        for operation in ("insert", "delete", "update")
    ],
    "postgresql": [
        "DROP FUNCTION IF EXISTS tracker_detention_days() CASCADE",
        "DROP FUNCTION IF EXISTS tracker_person_days() CASCADE",
        "DROP FUNCTION IF EXISTS tracker_day_counts_rebuild() CASCADE",
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
    schema_editor.execute("DROP TABLE IF EXISTS tracker_daycount", params=None)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0009_source_ties")]

    operations = [migrations.RunPython(create, drop)]
