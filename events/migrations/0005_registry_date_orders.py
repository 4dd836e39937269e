"""The registry's orders for custody status alone, kept by the database itself (triggers), on PostgreSQL and SQLite.

The registry by newest or oldest detention (`/prisoners/?order=newest`,
`?status=held&order=oldest`) grouped every published detention per person
and sorted the 200,000 people: 0.3 s on PostgreSQL and 1-1.4 s on SQLite,
after every write. tracker_personcustody (tracker/migrations/0008) already
holds a row per person and custody status with a published detention, kept
by triggers; its rows now also hold what the order reads, so the first
2,001 people of each order are an index read:

- listed: the person is published and listed (tracker/names.py's levels);
- sort_name, uid: copies of the person's, the order's ties;
- newest, oldest: the person's latest and earliest published detention date
  in that status (in all for ''), as the public sees it
  (events.disclosure.by_shown_date: the 1st of January of its year for a
  person not named in full). No date sorts last: '0001-01-01' newest and
  '9999-12-31' oldest, so neither order needs NULLS LAST, which SQLite's
  indexes cannot give.

A write of a detention recomputes its person's rows; a write of a person's
status, level, sort name or uid recomputes theirs. Which levels are listed
and named is tracker/names.py's (frozen below), taken when this migration
runs. tests/test_registry_date_orders.py holds the kept order equal to
events.registry.in_public_order() after writes on every path.

It also fixes 0008's triggers on PostgreSQL: they deleted and inserted a
person's rows with no lock, so two transactions writing detentions of one
person could both insert the same key (a duplicate key error). The detention
trigger now locks the people it recomputes first (FOR NO KEY UPDATE, in id
order, as tracker/migrations/0009 does for sources); the second waits for the
first to commit and recomputes from what it wrote.
"""

import importlib

from django.db import migrations

# tracker/names.py's levels as they stood when this migration was written (frozen: a change of the levels
# needs a migration that writes the triggers again; tests/test_registry_date_orders.py holds them equal).
LISTED_LEVELS = ("full", "initials")
NAMED_LEVELS = ("full",)


def levels_sql(column, levels):
    return f"{column} IN ({', '.join(f"'{level}'" for level in levels)})"


totals = importlib.import_module("tracker.migrations.0008_registry_totals")

# No date: last in either order.
NO_NEWEST, NO_OLDEST = "0001-01-01", "9999-12-31"

COLUMNS = {
    "sqlite": [
        "ALTER TABLE tracker_personcustody ADD COLUMN listed bool NOT NULL DEFAULT 0",
        "ALTER TABLE tracker_personcustody ADD COLUMN sort_name varchar(300) NOT NULL DEFAULT ''",
        "ALTER TABLE tracker_personcustody ADD COLUMN uid char(32) NULL",
        f"ALTER TABLE tracker_personcustody ADD COLUMN newest date NOT NULL DEFAULT '{NO_NEWEST}'",
        f"ALTER TABLE tracker_personcustody ADD COLUMN oldest date NOT NULL DEFAULT '{NO_OLDEST}'",
    ],
    "postgresql": [
        "ALTER TABLE tracker_personcustody ADD COLUMN listed boolean NOT NULL DEFAULT false, "
        "ADD COLUMN sort_name varchar(300) NOT NULL DEFAULT '', ADD COLUMN uid uuid NULL, "
        f"ADD COLUMN newest date NOT NULL DEFAULT '{NO_NEWEST}', ADD COLUMN oldest date NOT NULL DEFAULT '{NO_OLDEST}'",
    ],
}

# The three orders of a custody status, each read along its index (partial: listed people only).
INDEXES = [
    "CREATE INDEX tracker_personcustody_newest ON tracker_personcustody "
    "(custody_status, newest DESC, sort_name, uid, person_id) WHERE listed",
    "CREATE INDEX tracker_personcustody_oldest ON tracker_personcustody "
    "(custody_status, oldest, sort_name, uid, person_id) WHERE listed",
    "CREATE INDEX tracker_personcustody_name ON tracker_personcustody "
    "(custody_status, sort_name, uid, person_id) WHERE listed",
]


def year_start(vendor, date):
    if vendor == "postgresql":
        return f"date_trunc('year', {date})::date"
    return f"strftime('%Y-01-01', {date})"


def shown_date(vendor, aggregate, none):
    """The newest (MAX) or oldest (MIN) published detention date of a row's person and status, as shown."""
    date = f"{aggregate}(d.detained_on)"
    named = levels_sql("p.identity_level", NAMED_LEVELS)
    return (
        f"COALESCE((SELECT CASE WHEN {named} THEN {date} ELSE {year_start(vendor, date)} END "
        "FROM tracker_person p JOIN tracker_detention d ON d.person_id = p.id "
        "WHERE p.id = tracker_personcustody.person_id AND d.status = 'published' "
        "AND (tracker_personcustody.custody_status = '' OR d.custody_status = tracker_personcustody.custody_status) "
        f"GROUP BY p.identity_level), '{none}')"
    )


def copied(vendor, person=None):
    """The UPDATE that sets what the order reads on the rows of `person` (SQL), or on every row."""
    listed = f"p.status = 'published' AND {levels_sql('p.identity_level', LISTED_LEVELS)}"
    of_person = "FROM tracker_person p WHERE p.id = tracker_personcustody.person_id"
    false = "false" if vendor == "postgresql" else "0"
    where = "" if person is None else f" WHERE person_id = {person}"
    return (
        "UPDATE tracker_personcustody SET "
        f"listed = COALESCE((SELECT {listed} {of_person}), {false}), "
        f"sort_name = COALESCE((SELECT p.sort_name {of_person}), ''), "
        f"uid = (SELECT p.uid {of_person}), "
        f"newest = {shown_date(vendor, 'MAX', NO_NEWEST)}, "
        f"oldest = {shown_date(vendor, 'MIN', NO_OLDEST)}" + where
    )


def detention_statements(vendor, *rows):
    """0008's recomputation of the rows a detention touches, then what the order reads of its people."""
    statements = [statement for row in rows for key in totals.detention_keys(row) for statement in totals.refresh(*key)]
    people = list(dict.fromkeys(f"{row}.person_id" for row in rows))
    return statements + [copied(vendor, person) for person in people]


def person_statements(vendor, *rows):
    shares = {"OLD": -1, "NEW": 1}
    return [totals.person_share(row, shares[row]) for row in rows] + (
        [copied(vendor, "NEW.id")] if "NEW" in rows else []
    )


# What the order reads of a person: 0008's condition, and their sort name and uid.
PERSON_CHANGED = f"{totals.PERSON_CHANGED} OR OLD.sort_name <> NEW.sort_name OR OLD.uid <> NEW.uid"

SQLITE_TRIGGERS = (
    "tracker_detention_totals_insert",
    "tracker_detention_totals_delete",
    "tracker_detention_totals_update",
    "tracker_person_totals_insert",
    "tracker_person_totals_delete",
    "tracker_person_totals_update",
)


def sqlite_triggers():
    def trigger(name, when, condition, statements):
        body = "".join(f"{statement}; " for statement in statements)
        return f"CREATE TRIGGER {name} {when} WHEN {condition} BEGIN {body}END"

    return [
        *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
        trigger(
            "tracker_detention_totals_insert",
            "AFTER INSERT ON tracker_detention FOR EACH ROW",
            "NEW.status = 'published'",
            detention_statements("sqlite", "NEW"),
        ),
        trigger(
            "tracker_detention_totals_delete",
            "AFTER DELETE ON tracker_detention FOR EACH ROW",
            "OLD.status = 'published'",
            detention_statements("sqlite", "OLD"),
        ),
        trigger(
            "tracker_detention_totals_update",
            "AFTER UPDATE ON tracker_detention FOR EACH ROW",
            # The date too now: the order reads it.
            f"{totals.DETENTION_CHANGED} OR (NEW.status = 'published' AND OLD.detained_on IS NOT NEW.detained_on)",
            detention_statements("sqlite", "OLD", "NEW"),
        ),
        # A person written before their detentions (loaddata, a restore) has no rows yet; one written
        # after them (raw inserts in any order) gets theirs copied here.
        trigger(
            "tracker_person_totals_insert",
            "AFTER INSERT ON tracker_person FOR EACH ROW",
            "1",
            person_statements("sqlite", "NEW"),
        ),
        trigger(
            "tracker_person_totals_delete",
            "AFTER DELETE ON tracker_person FOR EACH ROW",
            "OLD.status = 'published'",
            person_statements("sqlite", "OLD"),
        ),
        trigger(
            "tracker_person_totals_update",
            "AFTER UPDATE ON tracker_person FOR EACH ROW",
            PERSON_CHANGED,
            person_statements("sqlite", "OLD", "NEW"),
        ),
    ]


def locked(*rows):
    """Lock the people whose rows a detention trigger recomputes, in id order (PostgreSQL)."""
    people = ", ".join(f"{row}.person_id" for row in rows)
    return f"PERFORM 1 FROM tracker_person WHERE id IN ({people}) ORDER BY id FOR NO KEY UPDATE"


def postgresql_triggers():
    def function(name, body):
        return f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"

    def guarded(operation, condition, statements):
        return f"IF TG_OP = '{operation}' AND {condition} THEN {'; '.join(statements)}; END IF;"

    def changed(condition):
        return condition.replace("<>", "IS DISTINCT FROM")

    # Nested IFs where OLD or NEW may be NULL: plpgsql may evaluate both sides of an AND.
    detention = " ".join(
        [
            f"IF TG_OP = 'INSERT' THEN IF NEW.status = 'published' THEN "
            f"{locked('NEW')}; {'; '.join(detention_statements('postgresql', 'NEW'))}; END IF; END IF;",
            f"IF TG_OP = 'DELETE' THEN IF OLD.status = 'published' THEN "
            f"{locked('OLD')}; {'; '.join(detention_statements('postgresql', 'OLD'))}; END IF; END IF;",
            f"IF TG_OP = 'UPDATE' THEN {locked('OLD', 'NEW')}; "
            f"{'; '.join(detention_statements('postgresql', 'OLD', 'NEW'))}; END IF;",
        ]
    )
    # 0008's shares, each only for a published person (plpgsql does evaluate the nested IFs lazily).
    person = " ".join(
        [
            "IF TG_OP IN ('DELETE', 'UPDATE') THEN IF OLD.status = 'published' THEN "
            f"{totals.person_share('OLD', -1)}; END IF; END IF;",
            "IF TG_OP IN ('INSERT', 'UPDATE') THEN IF NEW.status = 'published' THEN "
            f"{totals.person_share('NEW', 1)}; END IF; {copied('postgresql', 'NEW.id')}; END IF;",
        ]
    )
    rebuild = f"{'; '.join([*totals.REBUILD, copied('postgresql')])};"
    detention_changed = changed(
        f"{totals.DETENTION_CHANGED} OR (NEW.status = 'published' AND OLD.detained_on <> NEW.detained_on)"
    )
    return [
        function("tracker_detention_totals", detention),
        function("tracker_person_totals", person),
        function("tracker_registry_totals_rebuild", rebuild),
        "DROP TRIGGER IF EXISTS tracker_detention_totals_update ON tracker_detention",
        "CREATE TRIGGER tracker_detention_totals_update AFTER UPDATE ON tracker_detention "
        f"FOR EACH ROW WHEN ({detention_changed}) EXECUTE FUNCTION tracker_detention_totals()",
        "DROP TRIGGER IF EXISTS tracker_person_totals_write ON tracker_person",
        "CREATE TRIGGER tracker_person_totals_write AFTER INSERT OR DELETE ON tracker_person "
        "FOR EACH ROW EXECUTE FUNCTION tracker_person_totals()",
        "DROP TRIGGER IF EXISTS tracker_person_totals_update ON tracker_person",
        "CREATE TRIGGER tracker_person_totals_update AFTER UPDATE ON tracker_person "
        f"FOR EACH ROW WHEN ({changed(PERSON_CHANGED)}) EXECUTE FUNCTION tracker_person_totals()",
    ]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    triggers = {"sqlite": sqlite_triggers, "postgresql": postgresql_triggers}[vendor]()
    for statement in [*COLUMNS[vendor], copied(vendor), *INDEXES, *triggers]:
        schema_editor.execute(statement, params=None)
    if vendor == "sqlite":
        schema_editor.execute("ANALYZE tracker_personcustody", params=None)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in totals.DROP[vendor]:
        schema_editor.execute(statement, params=None)
    for name in ("newest", "oldest", "name"):
        schema_editor.execute(f"DROP INDEX IF EXISTS tracker_personcustody_{name}", params=None)
    for column in ("listed", "sort_name", "uid", "newest", "oldest"):
        schema_editor.execute(f"ALTER TABLE tracker_personcustody DROP COLUMN {column}", params=None)
    triggers = {"sqlite": totals.sqlite_triggers, "postgresql": totals.postgresql_triggers}[vendor]()
    for statement in triggers:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0009_source_ties"), ("events", "0004_event_public_updated_at")]

    operations = [migrations.RunPython(create, drop)]
