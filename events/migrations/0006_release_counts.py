"""How many people the database links to each release, kept by the database itself (triggers), on PostgreSQL and SQLite.

The release ledger's "Named in this database" column and the measure pages of
"released in the event" stand beside each release the number of its
published released detentions (ReleasedDetentionQuerySet.published(): the
released detention's detention and person published; withheld people are
counted, never named, DOMAIN rule 2). Counted on each page by joining the
released detentions to their detentions and people: 23-52 ms for the ledger's
first page on PostgreSQL at 200,000 people (2,578 released detentions), after
every write of a detention or a person. One small table now holds the count
per release, kept in the same transaction as the write by triggers, so every
path that writes a row keeps it (save(), QuerySet.update(), bulk_create(),
delete(), an import, loaddata's raw saves, a restore, raw SQL):

- events_releasecount(release_id, n): the released detentions of release
  `release_id` whose detention and person are published. The release's own
  status is not looked at: its readers ask only for published releases.

Kept by differences, as tracker/migrations/0010's day counts are: each
trigger takes the written row's old share out and puts its new share in.
A released detention's share is 1 to its release when its detention and
that detention's person are published; a detention's, 1 to the release of
each released detention naming it (at most one) when it and its person are
published; a person's, 1 per released detention of their published
detentions when they are published. A statement writes one table, so the
rows each trigger reads are as the last trigger left them. On PostgreSQL,
where another transaction may write concurrently, a released detention's
trigger first locks its detentions, then their people (FOR NO KEY UPDATE, in
that order, as a detention's write holds its row and 0010's trigger then
locks its person), so a change of the detention or person and a new
released detention wait for each other and the second reads the first's
committed rows. Rows that fall to 0 are kept (a row can never be taken out
twice). PostgreSQL's TRUNCATE fires no row trigger: a statement trigger
rebuilds the table then. Plain table, not a model, as 0010's.
tests/test_release_counts.py holds the table equal to its rebuild and to
the reference count after writes on every path.
"""

from django.db import migrations

TABLE = "CREATE TABLE events_releasecount (release_id integer NOT NULL PRIMARY KEY, n integer NOT NULL)"

INSERT = "INSERT INTO events_releasecount (release_id, n) "
UPSERT = "ON CONFLICT (release_id) DO UPDATE SET n = events_releasecount.n + excluded.n"


def released_share(row, sign):
    """Add (sign 1) or take out (sign -1) the share of the released detention `row` (NEW or OLD)."""
    return (
        f"{INSERT}SELECT {row}.release_id, {sign} FROM tracker_detention d JOIN tracker_person p ON p.id = d.person_id "
        f"WHERE d.id = {row}.detention_id AND d.status = 'published' AND p.status = 'published' {UPSERT}"
    )


def detention_share(row, sign):
    """The share of the detention `row`: its released detention's release, while it and its person are published."""
    return (
        f"{INSERT}SELECT r.release_id, {sign} * COUNT(*) FROM events_releaseddetention r "
        f"JOIN tracker_person p ON p.id = {row}.person_id "
        f"WHERE r.detention_id = {row}.id AND {row}.status = 'published' AND p.status = 'published' "
        f"GROUP BY r.release_id {UPSERT}"
    )


def person_share(row, sign):
    """The share of the person `row`: the releases of their published detentions, while they are published."""
    return (
        f"{INSERT}SELECT r.release_id, {sign} * COUNT(*) FROM events_releaseddetention r "
        "JOIN tracker_detention d ON d.id = r.detention_id "
        f"WHERE d.person_id = {row}.id AND d.status = 'published' AND {row}.status = 'published' "
        f"GROUP BY r.release_id {UPSERT}"
    )


REBUILD = [
    "DELETE FROM events_releasecount",
    f"{INSERT}SELECT r.release_id, COUNT(*) FROM events_releaseddetention r "
    "JOIN tracker_detention d ON d.id = r.detention_id JOIN tracker_person p ON p.id = d.person_id "
    "WHERE d.status = 'published' AND p.status = 'published' GROUP BY r.release_id",
]

# When an UPDATE moves a share (IS NOT: PostgreSQL spells it IS DISTINCT FROM).
CHANGED = {
    "events_releaseddetention": ("id", "release_id", "detention_id"),
    "tracker_detention": ("id", "person_id", "status"),
    "tracker_person": ("id", "status"),
}
SHARES = {
    "events_releaseddetention": released_share,
    "tracker_detention": detention_share,
    "tracker_person": person_share,
}
NAMES = {
    "events_releaseddetention": "events_releaseddetention_counts",
    "tracker_detention": "tracker_detention_release_counts",
    "tracker_person": "tracker_person_release_counts",
}


def changed(table, different="IS NOT"):
    return " OR ".join(f"OLD.{field} {different} NEW.{field}" for field in CHANGED[table])


def sqlite_triggers():
    made = []
    for table, share in SHARES.items():
        name = NAMES[table]
        for operation, condition, statements in (
            ("insert", "", [share("NEW", 1)]),
            ("delete", "", [share("OLD", -1)]),
            ("update", f" WHEN {changed(table)}", [share("OLD", -1), share("NEW", 1)]),
        ):
            body = "".join(f"{statement}; " for statement in statements)
            made.append(
                f"CREATE TRIGGER {name}_{operation} AFTER {operation.upper()} ON {table} FOR EACH ROW{condition} "
                f"BEGIN {body}END"
            )
    return made


def postgresql_triggers():
    def shares(share):
        # Nested: plpgsql may evaluate both sides of an AND, and OLD is NULL in an INSERT trigger.
        return [
            f"IF TG_OP IN ('DELETE', 'UPDATE') THEN {share('OLD', -1)}; END IF",
            f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {share('NEW', 1)}; END IF",
        ]

    # A released detention's detentions, then their people, locked in id order before its shares are read.
    detentions = "SELECT OLD.detention_id WHERE TG_OP <> 'INSERT' UNION SELECT NEW.detention_id WHERE TG_OP <> 'DELETE'"
    lock = [
        f"PERFORM 1 FROM tracker_detention WHERE id IN ({detentions}) ORDER BY id FOR NO KEY UPDATE",
        "PERFORM 1 FROM tracker_person WHERE id IN "
        f"(SELECT person_id FROM tracker_detention WHERE id IN ({detentions})) ORDER BY id FOR NO KEY UPDATE",
    ]

    def function(name, statements):
        return (
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{'; '.join(statements)}; RETURN NULL; END $$"
        )

    made = [function("events_release_counts_rebuild", REBUILD)]
    for table, share in SHARES.items():
        name = NAMES[table]
        made += [
            function(name, [*(lock if table == "events_releaseddetention" else []), *shares(share)]),
            f"CREATE TRIGGER {name}_write AFTER INSERT OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
            f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table} FOR EACH ROW "
            f"WHEN ({changed(table, 'IS DISTINCT FROM')}) EXECUTE FUNCTION {name}()",
            f"CREATE TRIGGER {name}_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION events_release_counts_rebuild()",
        ]
    return made


DROP = {
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {name}_{operation}"
        for name in NAMES.values()
        for operation in ("insert", "delete", "update")
    ],
    "postgresql": [
        *(f"DROP FUNCTION IF EXISTS {name}() CASCADE" for name in NAMES.values()),
        "DROP FUNCTION IF EXISTS events_release_counts_rebuild() CASCADE",
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
    schema_editor.execute("DROP TABLE IF EXISTS events_releasecount", params=None)


class Migration(migrations.Migration):
    dependencies = [("events", "0005_registry_date_orders"), ("tracker", "0011_registry_filter_indexes")]

    operations = [migrations.RunPython(create, drop)]
