"""For migrations that make SQLite build a table anew: keep the triggers on it, or naming it, aside meanwhile.

SQLite changes a check constraint, or adds a column with a default, by building the table anew
(Django's table remake): the old table is dropped, which drops the triggers on it (what each source
backs, the registry's counts…), and renaming the new one fails while other tables' triggers name it
("no such table: main.events_figure"). kept_aside(table) gives the two operations to put around such
a change: the first keeps those triggers in a temporary table and drops them, the second writes them
back exactly as they were. PostgreSQL alters tables in place and keeps its triggers: both do nothing.

A module of the migrations package (its leading underscore keeps Django from taking it for a
migration), so that what a migration runs does not change when the app's code does.
"""

from django.db import migrations


def kept_aside(table):
    """(keep, put back): RunPython operations for before and after the operations that remake `table`."""
    kept = f"kept_{table}_triggers"

    def keep(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE {kept} AS SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND (tbl_name = %s OR sql LIKE %s)",
                [table, f"%{table}%"],
            )
            cursor.execute(f"SELECT name FROM {kept}")
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER "{name}"')

    def put_back(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"SELECT sql FROM {kept} ORDER BY rowid")
            for (sql,) in cursor.fetchall():
                cursor.execute(sql)
            cursor.execute(f"DROP TABLE {kept}")

    return migrations.RunPython(keep, put_back), migrations.RunPython(put_back, keep)
