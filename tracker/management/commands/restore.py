import gzip
import json
from collections import Counter

from django.contrib.auth.models import Group
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.python import Deserializer
from django.db import DatabaseError, connection, transaction

from tracker import backup
from tracker.caching import data_changed


class Command(BaseCommand):
    help = "Load a file written by `manage.py backup` into an empty, migrated database, in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A backup written by `manage.py backup`.")

    def handle(self, *args, file, **options):
        objects, counts = self.read(file)
        models = backup.backed_up_models()
        with transaction.atomic():
            self.refuse_unless_empty(models)
            try:
                self.load(objects, models)
            except (DeserializationError, ObjectDoesNotExist, ValidationError, DatabaseError, ValueError) as error:
                # Raised inside the transaction: it rolls back, nothing is kept.
                raise CommandError(f"Nothing was restored: {file} could not be loaded: {error}") from error
            data_changed()
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
        self.stdout.write(self.style.SUCCESS(f"Restored {sum(counts.values())} rows from {file}."))

    def read(self, file):
        try:
            with gzip.open(file, "rt", encoding="utf-8") as stream:
                document = json.load(stream)
        except FileNotFoundError:
            raise CommandError(f"{file} does not exist.") from None
        except (OSError, EOFError, UnicodeDecodeError, ValueError) as error:
            raise CommandError(
                f"{file} is not a readable backup (corrupt or not gzip-compressed JSON): {error}"
            ) from error

        if not isinstance(document, dict) or document.get("format") != backup.FORMAT:
            raise CommandError(f"{file} is not a backup written by `manage.py backup`.")
        if document.get("version") != backup.VERSION:
            raise CommandError(
                f"{file} is a version {document.get('version')!r} backup; this tracker reads version {backup.VERSION}."
            )
        objects, counts = document.get("objects"), document.get("counts")
        if (
            not isinstance(objects, list)
            or not isinstance(counts, dict)
            or not all(isinstance(o, dict) for o in objects)
        ):
            raise CommandError(f"{file} is damaged: it has no list of objects or no counts.")

        # The header's counts against the rows present: a truncated or edited
        # file is refused before anything is written.
        expected = {backup.label(model).lower(): counts.get(backup.label(model)) for model in backup.backed_up_models()}
        found = Counter(str(o.get("model", "")).lower() for o in objects)
        unknown = set(found) - set(expected)
        if unknown:
            raise CommandError(f"{file} holds rows of models a backup never contains: {', '.join(sorted(unknown))}.")
        wrong = [
            f"{name} ({found[name]} rows, the header says {count})"
            for name, count in expected.items()
            if found[name] != count
        ]
        if wrong:
            raise CommandError(f"{file} is damaged: its rows do not match its counts: {'; '.join(wrong)}.")
        return objects, counts

    def refuse_unless_empty(self, models):
        # Only what `migrate` creates may be there: the role groups (updated
        # from the backup), content types and permissions.
        held = [backup.label(model) for model in models if model is not Group and model._base_manager.exists()]
        if held:
            raise CommandError(
                f"The database is not empty (it holds {', '.join(held)}): restore only into a freshly migrated database."
            )

    def load(self, objects, models):
        # As loaddata does: rows may refer to rows further down the file.
        with connection.constraint_checks_disabled():
            deferred = []
            for obj in Deserializer(objects, handle_forward_references=True):
                obj.save()
                if obj.deferred_fields:
                    deferred.append(obj)
            for obj in deferred:
                obj.save_deferred_fields()
        connection.check_constraints(table_names=[model._meta.db_table for model in models])
        # Rows came in with their ids: move PostgreSQL's sequences past them so
        # the next new row does not collide (SQLite needs nothing).
        statements = connection.ops.sequence_reset_sql(no_style(), models)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
