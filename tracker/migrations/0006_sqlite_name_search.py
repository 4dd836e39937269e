"""On SQLite, a trigram index of the people's search keys (FTS5), kept by triggers.

PostgreSQL answers name searches (search_key LIKE '% key%') from its
trigram index (tracker_person_search_trgm); SQLite has no such index for a
LIKE with a leading wildcard and read every person: seconds per search at
200,000 people. An FTS5 table with the trigram tokenizer answers the same
LIKE from an index (PersonQuerySet.matching). It holds no data of its own
(content='tracker_person'): the triggers tell it what changed.
"""

from django.db import migrations

CREATE = [
    "CREATE VIRTUAL TABLE tracker_person_search USING fts5("
    "search_key, content='tracker_person', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER tracker_person_search_insert AFTER INSERT ON tracker_person BEGIN "
    "INSERT INTO tracker_person_search(rowid, search_key) VALUES (new.id, new.search_key); END",
    "CREATE TRIGGER tracker_person_search_delete AFTER DELETE ON tracker_person BEGIN "
    "INSERT INTO tracker_person_search(tracker_person_search, rowid, search_key) VALUES ('delete', old.id, old.search_key); END",
    "CREATE TRIGGER tracker_person_search_update AFTER UPDATE OF search_key ON tracker_person BEGIN "
    "INSERT INTO tracker_person_search(tracker_person_search, rowid, search_key) VALUES ('delete', old.id, old.search_key); "
    "INSERT INTO tracker_person_search(rowid, search_key) VALUES (new.id, new.search_key); END",
    "INSERT INTO tracker_person_search(tracker_person_search) VALUES ('rebuild')",
]
DROP = [
    "DROP TRIGGER IF EXISTS tracker_person_search_update",
    "DROP TRIGGER IF EXISTS tracker_person_search_delete",
    "DROP TRIGGER IF EXISTS tracker_person_search_insert",
    "DROP TABLE IF EXISTS tracker_person_search",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("tracker", "0005_registry_covering_indexes")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
