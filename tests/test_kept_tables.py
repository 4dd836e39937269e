"""tracker/kept_tables.py: a bulk load (the demo generator) leaves the derived tables to one rebuild at its end.

The rebuild must give what the per-row triggers give, the triggers must be
back once the load ends or fails, and every derived table must be covered.
"""

import importlib
import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from tests.factories import make_detention
from tests.kept_contracts import rolled_back
from tracker import caching, kept_tables
from tracker.kept_tables import bulk_load, kept_triggers

pytestmark = pytest.mark.django_db

totals = importlib.import_module("tracker.migrations.0008_registry_totals")
orders = importlib.import_module("events.migrations.0005_registry_date_orders")
ties = importlib.import_module("tracker.migrations.0009_source_ties")
days = importlib.import_module("tracker.migrations.0010_day_counts")
search = importlib.import_module("tracker.migrations.0006_sqlite_name_search")
release_counts = importlib.import_module("events.migrations.0006_release_counts")
facets = importlib.import_module("tracker.migrations.0013_facet_regions")

SIZE = {"people": 300, "events": 60, "figures": 40}


def migrations_rebuild(vendor):
    """Every derived table's rebuild as the migrations that made its triggers wrote it."""
    fts = [search.CREATE[-1]] if vendor == "sqlite" else []
    return [
        *totals.REBUILD,
        orders.copied(vendor),
        *ties.REBUILD,
        *days.REBUILD,
        *release_counts.REBUILD,
        *facets.REBUILD[vendor],
        *fts,
    ]


def rows(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        return sorted(tuple(str(value) for value in row) for row in cursor.fetchall())


def fts_is_whole():
    """FTS5 compares its index with the people's search keys (rank 1: against the content table too)."""
    if connection.vendor != "sqlite":
        return True
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO tracker_person_search(tracker_person_search, rank) VALUES ('integrity-check', 1)"
            )
    except Exception:  # noqa: BLE001 - SQLite reports a stale index as a malformed database
        return False
    return True


def derived_tables():
    """Every derived table's rows (the FTS index: whether it matches the records)."""
    return {
        table: rows(table) if table != "tracker_person_search" else fts_is_whole() for table in caching.derived_tables()
    }


def seeded_tables():
    """derived_tables() with people and sources numbered from the first of the seed: two seeds of the same
    demo compare equal although PostgreSQL's sequences go on after a rollback (SQLite's start again)."""
    from events.models import Event
    from tracker.models import Person, Source

    first_person = Person.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    first_source = Source.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    first_event = Event.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    shifted = {
        "tracker_personcustody": first_person,
        "tracker_personfacet": first_person,
        "tracker_sourcetie": first_source,
        "events_releasecount": first_event,
    }
    tables = derived_tables()
    for table, first in shifted.items():
        tables[table] = sorted((str(int(row[0]) - first), *row[1:]) for row in tables[table])
    return tables


def as_rebuilt():
    """The derived tables as the migrations' REBUILD statements make them from the records."""

    def rebuild():
        with connection.cursor() as cursor:
            for statement in migrations_rebuild(connection.vendor):
                cursor.execute(statement)
        return derived_tables()

    return rolled_back(rebuild)


def seed(**options):
    call_command("seed_demo", **{**SIZE, **options}, stdout=io.StringIO(), stderr=io.StringIO())


def test_each_rebuild_is_the_one_its_migration_wrote():
    assert kept_tables.TOTALS == totals.REBUILD
    assert kept_tables.SOURCE_TIES == ties.REBUILD
    assert kept_tables.DAY_COUNTS == days.REBUILD
    assert kept_tables.RELEASE_COUNTS == release_counts.REBUILD
    for vendor in ("sqlite", "postgresql"):
        kept = [statement for _, statements in kept_tables.KEPT for statement in statements[vendor]]
        assert kept == migrations_rebuild(vendor)


def test_every_derived_table_has_a_rebuild():
    """A new derived table (tracker.caching.derived_table) fails here until tracker/kept_tables.py rebuilds it."""
    assert kept_tables.KEPT_TABLES == set(caching.derived_tables())


def test_the_triggers_kept_are_every_trigger_writing_a_derived_table():
    found = {name for _, name, _ in kept_triggers()}
    # SQLite names a trigger per operation; PostgreSQL's 0009 has one for insert and delete ("write").
    ties = "tracker_detention_ties_insert" if connection.vendor == "sqlite" else "tracker_detention_ties_write"
    assert {"tracker_detention_totals_update", "tracker_person_days_update", ties} <= found
    if connection.vendor == "sqlite":
        assert {"tracker_person_search_insert", "tracker_person_search_update"} <= found
    with bulk_load():
        assert kept_triggers() == []


def test_a_bulk_seed_gives_the_derived_tables_the_triggers_give_and_their_rebuild():
    by_rows = rolled_back(lambda: (seed(row_triggers=True), seeded_tables())[1])
    seed()
    by_load = seeded_tables()
    assert by_load["tracker_personcustody"] and by_load["tracker_daycount"] and by_load["tracker_sourcetie"]
    assert by_load["events_releasecount"] and by_load["tracker_personfacet"]
    assert by_load == by_rows
    assert derived_tables() == as_rebuilt()
    assert fts_is_whole()


def test_writes_inside_a_bulk_load_leave_the_derived_tables_until_its_end():
    with bulk_load():
        make_detention()
        assert rows("tracker_personcustody") == []
        assert fts_is_whole() is False or connection.vendor != "sqlite"
    assert rows("tracker_personcustody") != []
    assert derived_tables() == as_rebuilt()


def test_the_triggers_are_back_after_a_load():
    before = kept_triggers()
    seed()
    assert kept_triggers() == before
    make_detention()  # a later write is kept by the triggers
    assert rows("tracker_personcustody") != []
    assert derived_tables() == as_rebuilt()


def test_the_triggers_are_back_after_a_load_that_failed():
    before = kept_triggers()
    with pytest.raises(ZeroDivisionError), bulk_load():
        make_detention()
        1 / 0  # noqa: B018
    assert kept_triggers() == before
    assert rows("tracker_personcustody") == []  # the load rolled back
    make_detention()
    assert rows("tracker_personcustody") != []
    assert derived_tables() == as_rebuilt()
