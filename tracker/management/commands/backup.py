import datetime
import gzip
import io
import json
import os
import tempfile
from pathlib import Path

from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from tracker import backup


class Command(BaseCommand):
    help = (
        "Write everything (records with drafts and internal notes, history, users, groups) "
        "to one gzip-compressed JSON file, for `manage.py restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the backup, e.g. tracker-2026-01-31.json.gz")
        parser.add_argument("--force", action="store_true", help="Overwrite the file if it exists.")

    def handle(self, *args, file, force, **options):
        target = Path(file)
        if target.exists() and not force:
            raise CommandError(f"{target} already exists: choose another name or pass --force to overwrite it.")
        if not target.parent.is_dir():
            raise CommandError(f"{target.parent} is not a directory.")

        # One snapshot of every table, so no row refers to one written after
        # it: PostgreSQL needs REPEATABLE READ for that, set as the
        # transaction's first statement (hence the connection's health check
        # first, outside it). Inside an outer transaction, that one decides.
        snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
        if snapshot:
            connection.cursor().close()
        with transaction.atomic():
            if snapshot:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            counts, objects = {}, []
            for model in backup.backed_up_models():
                rows = serializers.serialize(
                    "python",
                    model._base_manager.order_by("pk"),
                    use_natural_foreign_keys=backup.uses_natural_foreign_keys(model),
                    use_natural_primary_keys=backup.uses_natural_primary_key(model),
                )
                counts[backup.label(model)] = len(rows)
                objects += rows

        document = {
            "format": backup.FORMAT,
            "version": backup.VERSION,
            "created_at": datetime.datetime.now(datetime.UTC),
            "counts": counts,
            "objects": objects,
        }
        self.write_atomically(target, document, force)

        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
        self.stdout.write(self.style.SUCCESS(f"Backed up {sum(counts.values())} rows to {target}."))

    def write_atomically(self, target, document, force):
        # A temporary file beside the target, renamed over it when complete:
        # an interrupted backup never leaves a truncated file under the real name.
        # mkstemp creates it readable by its owner only.
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as raw:
                with gzip.GzipFile(fileobj=raw, mode="wb", filename="") as compressed:
                    with io.TextIOWrapper(compressed, encoding="utf-8") as text:
                        json.dump(document, text, cls=backup.Encoder, ensure_ascii=False)
                raw.flush()
                os.fsync(raw.fileno())
            if force:
                os.replace(temporary, target)
            else:
                # Refuses, atomically, a file that appeared since the check above.
                try:
                    os.link(temporary, target)
                except FileExistsError:
                    raise CommandError(
                        f"{target} already exists: choose another name or pass --force to overwrite it."
                    ) from None
                os.unlink(temporary)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
