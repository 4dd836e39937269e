"""A home region on each of tracker_personfacet's rows: a registry list filtered by a region and an article
(a year of detention, a facility) read along an index.

Migration 0012 keeps each filter value's people in the registry's orders,
one filter at a time. A region and an article together
(`/prisoners/?status=held&article=342&region=Grodno+region`, 8% of the
bench's registry addresses) still went back to the detentions: 115-155 ms of
SQL at 200,000 people on PostgreSQL, and a join of the article's rows with
the region's measured 30 ms on PostgreSQL and 146 ms on SQLite. Each row now
carries the person's home region where the registry may filter by it (named
in full, region given; NULL otherwise), and three more indexes lead with
(facet, value, custody status, region): such a list is the first rows of an
index range, as a single filter's is.

The rows are 0012's, computed by 0012's own (frozen) statements with the
region added beside the uid; its trigger builders are reused with these
statements in place of its own (`rebuilt_with`), so the triggers are 0012's
in every other respect. A person's region was already among what the
triggers watch (0012's CHANGED).
"""

import importlib
import types

from django.db import migrations

facets = importlib.import_module("tracker.migrations.0012_registry_facets")

REGION = (
    f"CASE WHEN {facets.levels_sql('p.identity_level', facets.NAMED_LEVELS)} AND p.region <> '' "
    "THEN p.region ELSE NULL END"
)
COLUMNS = "person_id, custody_status, facet, value, sort_name, uid, region, newest, oldest"

INDEXES = [
    "CREATE INDEX tracker_personfacet_region_newest ON tracker_personfacet "
    "(facet, value, custody_status, region, newest DESC, sort_name, uid, person_id)",
    "CREATE INDEX tracker_personfacet_region_oldest ON tracker_personfacet "
    "(facet, value, custody_status, region, oldest, sort_name, uid, person_id)",
    "CREATE INDEX tracker_personfacet_region_name ON tracker_personfacet "
    "(facet, value, custody_status, region, sort_name, uid, person_id)",
]
DROP_INDEXES = [
    "DROP INDEX IF EXISTS tracker_personfacet_region_newest",
    "DROP INDEX IF EXISTS tracker_personfacet_region_oldest",
    "DROP INDEX IF EXISTS tracker_personfacet_region_name",
]


def facet_rows(vendor, where):
    """0012's rows, each with the person's region (REGION) after its uid."""
    rows = facets.facet_rows(vendor, where)
    parts = rows.count("p.uid AS uid")
    assert parts == 4, parts  # one per facet: 0012 is frozen, so this holds
    return rows.replace("p.uid AS uid", f"p.uid AS uid, {REGION} AS region")


def filled(vendor, where=""):
    """0012's INSERT of the rows of the people `where` chooses, with their region."""
    rows = facet_rows(vendor, where)
    dates = f"COALESCE(MAX(x.shown), '{facets.NO_NEWEST}'), COALESCE(MIN(x.shown), '{facets.NO_OLDEST}')"
    return (
        f"INSERT INTO tracker_personfacet ({COLUMNS}) "
        f"SELECT x.person_id, x.custody_status, x.facet, x.value, x.sort_name, x.uid, x.region, {dates} "
        f"FROM ({rows}) x GROUP BY x.person_id, x.custody_status, x.facet, x.value, x.sort_name, x.uid, x.region "
        f"UNION ALL SELECT x.person_id, '', x.facet, x.value, x.sort_name, x.uid, x.region, {dates} "
        f"FROM ({rows}) x GROUP BY x.person_id, x.facet, x.value, x.sort_name, x.uid, x.region"
    )


def rebuild(vendor):
    return ["DELETE FROM tracker_personfacet", filled(vendor)]


REBUILD = {vendor: rebuild(vendor) for vendor in ("sqlite", "postgresql")}


def recomputed(vendor, person):
    return [f"DELETE FROM tracker_personfacet WHERE person_id = {person}", filled(vendor, f" AND p.id = {person}")]


def rebuilt_with(builder):
    """0012's trigger builder, reading this migration's statements (recomputed, REBUILD) instead of its own."""
    names = {**vars(facets), "recomputed": recomputed, "REBUILD": REBUILD}
    return types.FunctionType(builder.__code__, names, builder.__name__, builder.__defaults__, builder.__closure__)


TRIGGERS = {
    "sqlite": rebuilt_with(facets.sqlite_triggers),
    "postgresql": rebuilt_with(facets.postgresql_triggers),
}
OLD_TRIGGERS = {"sqlite": facets.sqlite_triggers, "postgresql": facets.postgresql_triggers}


def run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement, params=None)


def add_regions(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    run(schema_editor, facets.DROP[vendor])
    run(schema_editor, ["ALTER TABLE tracker_personfacet ADD COLUMN region varchar(300) NULL"])
    if vendor == "postgresql":
        # Emptied at once (its triggers are gone): the rebuild's DELETE would leave every old row dead,
        # twice the table on disk until a VACUUM FULL (2 GB rather than 0.9 GB at 200,000 people).
        run(schema_editor, ["TRUNCATE tracker_personfacet"])
    run(schema_editor, [*REBUILD[vendor], *INDEXES, *TRIGGERS[vendor]()])
    if vendor == "sqlite":
        run(schema_editor, ["ANALYZE tracker_personfacet"])


def remove_regions(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    run(schema_editor, [*facets.DROP[vendor], *DROP_INDEXES])
    run(schema_editor, ["ALTER TABLE tracker_personfacet DROP COLUMN region"])
    run(schema_editor, [*facets.REBUILD[vendor], *OLD_TRIGGERS[vendor]()])


class Migration(migrations.Migration):
    dependencies = [("tracker", "0012_registry_facets")]

    operations = [migrations.RunPython(add_regions, remove_regions)]
