"""The registry's totals per custody status, kept by the database itself (triggers), on PostgreSQL and SQLite.

The registry page shows how many people it lists, and how many withheld
people it stands for, in all and per custody status (events/registry.py:
totals). Counting them read every published detention and its person: 0.4 s
on PostgreSQL and 0.8 s on SQLite at 200,000 people, after every write. Two
small tables now hold the answer, kept in the same transaction as the write by
triggers, so every path that writes a row keeps them: save(), QuerySet.update(),
bulk_create(), delete(), an import, the demo generator, loaddata's raw saves,
a restore, and raw SQL.

- tracker_personcustody(person_id, custody_status, detentions): how many
  published detentions each person has in each custody status, and in all
  (custody_status ''); a row only while there is one. Recomputed from
  tracker_detention for the keys a written detention touches (by the person's
  index: a few rows), never adjusted by a difference, so a trigger that runs
  twice or late (PostgreSQL runs row triggers at the end of the statement)
  cannot drift.
- tracker_registrytotal(custody_status, identity_level, people): how many
  published people have a row above, per custody status and identity level.
  Whoever changes a row above takes the person's old share out and puts the
  new one in; a change of a person's status or level moves their shares.

Identity levels are not compared here: the totals are per level, and which
levels are listed is tracker/names.py's (tracker.models.people.registry_totals).
Plain tables, not models: a backup (tracker/backup.py) holds the records they
are computed from, and a restore's inserts fill them again. PostgreSQL's
TRUNCATE (a test database's flush) fires no row trigger: a statement trigger
rebuilds both tables then. tests/test_registry_totals.py holds the tables
equal to the query they replace after writes on every path.
"""

from django.db import migrations

TABLES = [
    "CREATE TABLE tracker_personcustody ("
    "person_id bigint NOT NULL, custody_status varchar(20) NOT NULL, detentions integer NOT NULL, "
    "PRIMARY KEY (person_id, custody_status))",
    "CREATE TABLE tracker_registrytotal ("
    "custody_status varchar(20) NOT NULL, identity_level varchar(8) NOT NULL, people integer NOT NULL, "
    "PRIMARY KEY (custody_status, identity_level))",
]

REBUILD = [
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


def refresh(person, status):
    """The statements that recompute one (person, custody status) row and move the person's share of the totals."""
    shared = (
        f"FROM tracker_person WHERE id = {person} AND status = 'published' AND EXISTS "
        f"(SELECT 1 FROM tracker_personcustody c WHERE c.person_id = {person} AND c.custody_status = {status})"
    )
    return [
        # The person's share as it stood, out.
        f"UPDATE tracker_registrytotal SET people = people - 1 WHERE custody_status = {status} "
        f"AND identity_level = (SELECT identity_level {shared})",
        f"DELETE FROM tracker_personcustody WHERE person_id = {person} AND custody_status = {status}",
        "INSERT INTO tracker_personcustody (person_id, custody_status, detentions) "
        f"SELECT {person}, {status}, COUNT(*) FROM tracker_detention WHERE person_id = {person} "
        f"AND status = 'published' AND ({status} = '' OR custody_status = {status}) HAVING COUNT(*) > 0",
        # And as it stands now, in.
        "INSERT INTO tracker_registrytotal (custody_status, identity_level, people) "
        f"SELECT {status}, identity_level, 1 {shared} "
        "ON CONFLICT (custody_status, identity_level) DO UPDATE SET people = tracker_registrytotal.people + 1",
    ]


def person_share(person, sign):
    """The statement that adds (sign 1) or takes out (sign -1) a person's share of the totals, as `person` stands."""
    return (
        "INSERT INTO tracker_registrytotal (custody_status, identity_level, people) "
        f"SELECT c.custody_status, {person}.identity_level, {sign} FROM tracker_personcustody c "
        f"WHERE c.person_id = {person}.id AND {person}.status = 'published' "
        "ON CONFLICT (custody_status, identity_level) DO UPDATE "
        "SET people = tracker_registrytotal.people + excluded.people"
    )


def detention_keys(row):
    return [(f"{row}.person_id", f"{row}.custody_status"), (f"{row}.person_id", "''")]


DETENTION_CHANGED = (
    "OLD.person_id <> NEW.person_id OR OLD.status <> NEW.status OR OLD.custody_status <> NEW.custody_status"
)
PERSON_CHANGED = "OLD.status <> NEW.status OR OLD.identity_level <> NEW.identity_level"


def sqlite_triggers():
    def trigger(name, when, condition, statements):
        body = "".join(f"{statement}; " for statement in statements)
        return f"CREATE TRIGGER {name} {when} WHEN {condition} BEGIN {body}END"

    def refreshed(*rows):
        return [statement for row in rows for key in detention_keys(row) for statement in refresh(*key)]

    return [
        trigger(
            "tracker_detention_totals_insert",
            "AFTER INSERT ON tracker_detention FOR EACH ROW",
            "NEW.status = 'published'",
            refreshed("NEW"),
        ),
        trigger(
            "tracker_detention_totals_delete",
            "AFTER DELETE ON tracker_detention FOR EACH ROW",
            "OLD.status = 'published'",
            refreshed("OLD"),
        ),
        trigger(
            "tracker_detention_totals_update",
            "AFTER UPDATE ON tracker_detention FOR EACH ROW",
            DETENTION_CHANGED,
            refreshed("OLD", "NEW"),
        ),
        trigger(
            "tracker_person_totals_insert",
            "AFTER INSERT ON tracker_person FOR EACH ROW",
            "NEW.status = 'published'",
            [person_share("NEW", 1)],
        ),
        trigger(
            "tracker_person_totals_delete",
            "AFTER DELETE ON tracker_person FOR EACH ROW",
            "OLD.status = 'published'",
            [person_share("OLD", -1)],
        ),
        trigger(
            "tracker_person_totals_update",
            "AFTER UPDATE ON tracker_person FOR EACH ROW",
            PERSON_CHANGED,
            [person_share("OLD", -1), person_share("NEW", 1)],
        ),
    ]


def postgresql_triggers():
    def function(name, statements):
        body = "".join(f"{statement}; " for statement in statements)
        return f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}RETURN NULL; END $$"

    def refreshed(*rows):
        return [statement for row in rows for key in detention_keys(row) for statement in refresh(*key)]

    def guarded(operations, row, statements):
        # Nested: plpgsql may evaluate both sides of an AND, and OLD is NULL in an INSERT trigger.
        return (
            f"IF TG_OP IN {operations} THEN IF {row}.status = 'published' THEN "
            + "; ".join(statements)
            + "; END IF; END IF"
        )

    detention = [
        guarded("('DELETE', 'UPDATE')", "OLD", refreshed("OLD")),
        guarded("('INSERT', 'UPDATE')", "NEW", refreshed("NEW")),
    ]
    person = [
        guarded("('DELETE', 'UPDATE')", "OLD", [person_share("OLD", -1)]),
        guarded("('INSERT', 'UPDATE')", "NEW", [person_share("NEW", 1)]),
    ]
    return [
        function("tracker_detention_totals", detention),
        function("tracker_person_totals", person),
        function("tracker_registry_totals_rebuild", REBUILD),
        # UPDATE triggers fire only when what the totals read changed.
        "CREATE TRIGGER tracker_detention_totals_write AFTER INSERT OR DELETE ON tracker_detention "
        "FOR EACH ROW EXECUTE FUNCTION tracker_detention_totals()",
        "CREATE TRIGGER tracker_detention_totals_update AFTER UPDATE ON tracker_detention "
        f"FOR EACH ROW WHEN ({DETENTION_CHANGED.replace('<>', 'IS DISTINCT FROM')}) "
        "EXECUTE FUNCTION tracker_detention_totals()",
        "CREATE TRIGGER tracker_person_totals_write AFTER INSERT OR DELETE ON tracker_person "
        "FOR EACH ROW EXECUTE FUNCTION tracker_person_totals()",
        "CREATE TRIGGER tracker_person_totals_update AFTER UPDATE ON tracker_person "
        f"FOR EACH ROW WHEN ({PERSON_CHANGED.replace('<>', 'IS DISTINCT FROM')}) "
        "EXECUTE FUNCTION tracker_person_totals()",
        "CREATE TRIGGER tracker_detention_totals_truncate AFTER TRUNCATE ON tracker_detention "
        "FOR EACH STATEMENT EXECUTE FUNCTION tracker_registry_totals_rebuild()",
        "CREATE TRIGGER tracker_person_totals_truncate AFTER TRUNCATE ON tracker_person "
        "FOR EACH STATEMENT EXECUTE FUNCTION tracker_registry_totals_rebuild()",
    ]


DROP = {
    "sqlite": [
        *(
            f"DROP TRIGGER IF EXISTS {name}"
            for name in (
                "tracker_detention_totals_insert",
                "tracker_detention_totals_delete",
                "tracker_detention_totals_update",
                "tracker_person_totals_insert",
                "tracker_person_totals_delete",
                "tracker_person_totals_update",
            )
        ),
    ],
    "postgresql": [
        "DROP FUNCTION IF EXISTS tracker_detention_totals() CASCADE",
        "DROP FUNCTION IF EXISTS tracker_person_totals() CASCADE",
        "DROP FUNCTION IF EXISTS tracker_registry_totals_rebuild() CASCADE",
    ],
}


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    triggers = {"sqlite": sqlite_triggers, "postgresql": postgresql_triggers}[vendor]()
    for statement in [*TABLES, *REBUILD, *triggers]:
        schema_editor.execute(statement, params=None)


def drop(apps, schema_editor):
    for statement in DROP[schema_editor.connection.vendor]:
        schema_editor.execute(statement, params=None)
    schema_editor.execute("DROP TABLE IF EXISTS tracker_registrytotal", params=None)
    schema_editor.execute("DROP TABLE IF EXISTS tracker_personcustody", params=None)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0007_table_versions")]

    operations = [migrations.RunPython(create, drop)]
