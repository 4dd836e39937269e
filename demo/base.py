"""What every demo generator shares: the demo marks, seeded drawing, the progress bar, and writing in bulk.

Everything comes from one seeded random generator, stable IDs included, so a
seed always gives the same rows. Rows are written in bulk through the base
manager: no history (nobody edited generated data) and no signals, with what
save() would compute (the search key, truncated dates, the script of a name)
computed by the project's own functions.

Demo rows carry a mark, so a database holding nothing else can be told from
one holding real data: people and detentions have an external ID starting
with DEMO_PREFIX, organisations and sources a web address under DEMO_HOST
(.invalid is reserved and never resolves, RFC 2606).
"""

import bisect
import datetime
import itertools
import sys
import time
import uuid

from django.core.management.base import OutputWrapper
from django.core.management.color import no_style
from django.db import connections, models

from tracker.dates import Precision, truncate
from tracker.models import (
    Charge,
    Detention,
    DetentionSource,
    NameVariant,
    Organization,
    Person,
    Source,
)

DEMO_PREFIX = "demo:"
DEMO_HOST = "https://demo.invalid/"
BATCH = 2000
FIRST_DAY = datetime.date(2020, 8, 9)  # the presidential election and the crackdown after it
LAST_DAY = datetime.date(2026, 10, 31)


def demo_uid(rng):
    """A version-4 UUID drawn from the seeded generator: the same seed gives the same IDs."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


class Weighted:
    """Draws one key of {value: weight} by weight."""

    def __init__(self, weights):
        self.values = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def __call__(self, rng):
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


_weighted = {}


def pick(rng, weights):
    """One key of {value: weight}, drawn by weight."""
    key = tuple(weights.items())
    if key not in _weighted:
        _weighted[key] = Weighted(weights)
    return _weighted[key](rng)


def day_between(rng, first, last):
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def precise_day(rng, first, last, weights=None):
    """(date, precision): mostly to the day, some to the month or the year, stored truncated."""
    precision = pick(rng, weights or {Precision.DAY: 85, Precision.MONTH: 11, Precision.YEAR: 4})
    return truncate(day_between(rng, first, last), precision), precision


class Progress:
    """A progress bar on stderr, redrawn at most ten times a second."""

    WIDTH = 30

    def __init__(self, label, total, stream=None):
        self.label, self.total, self.done = label, max(total, 1), 0
        self.stream = stream or sys.stderr
        self.started = self.drawn = time.monotonic()
        self.draw()

    def advance(self, count=1):
        self.done += count
        now = time.monotonic()
        if now - self.drawn >= 0.1 or self.done >= self.total:
            self.drawn = now
            self.draw()

    def draw(self):
        share = min(self.done / self.total, 1)
        filled = round(share * self.WIDTH)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.write(
            f"\r{self.label:<8} [{bar}] {share:4.0%} {self.done:>9,}/{self.total:,} "
            f"{time.monotonic() - self.started:6.1f}s"
        )

    def finish(self):
        self.done = self.total
        self.draw()
        self.write("\n")

    def write(self, text):
        if isinstance(self.stream, OutputWrapper):
            # A command's stderr ends each write with a new line unless told not to.
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()


def insert(model, objs, using):
    """INSERT in batches, primary keys set on the objects; no history, no signals."""
    model._base_manager.db_manager(using).bulk_create(objs, batch_size=BATCH)


class Rows:
    """Rows of one model as tuples, INSERTed with executemany.

    For the large tables: building a model instance per row and Django's
    INSERT for it took three quarters of the time. Primary keys are assigned
    here, after the table's largest, so children can point at rows not yet
    written (reset_sequences() tells PostgreSQL afterwards). The fields not
    named get their default, so a field added to the model later is filled too.
    """

    def __init__(self, model, fields, using, now):
        self.model = model
        self.connection = connection = connections[using]
        meta = model._meta
        named = [meta.get_field(name) for name in fields]
        uid, created_at, updated_at = meta.get_field("uid"), meta.get_field("created_at"), meta.get_field("updated_at")
        others = [f for f in meta.concrete_fields if f not in named and f not in (meta.pk, uid, created_at, updated_at)]
        self.fields = [meta.pk, *named, uid, created_at, updated_at, *others]
        self.prepared = [
            (n, f)
            for n, f in enumerate(self.fields[: len(named) + 2])
            if f.get_internal_type() in ("UUIDField", "DateField")
        ]
        self.tail = [f.get_db_prep_save(now, connection) for f in (created_at, updated_at)] + [
            f.get_db_prep_save(f.get_default(), connection) for f in others
        ]
        qn = connection.ops.quote_name
        self.sql = (
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in self.fields)}) "
            f"VALUES ({', '.join(['%s'] * len(self.fields))})"
        )
        self.copy_sql = f"COPY {qn(meta.db_table)} ({', '.join(qn(f.column) for f in self.fields)}) FROM STDIN"
        top = model._base_manager.db_manager(using).aggregate(top=models.Max("pk"))["top"]
        self.next_pk = (top or 0) + 1
        self.rows = []

    def add(self, uid, *values):
        """Add a row (the uid, then the named fields' values); return its primary key."""
        pk = self.next_pk
        self.next_pk += 1
        row = [pk, *values, uid, *self.tail]
        for n, field in self.prepared:
            row[n] = field.get_db_prep_save(row[n], self.connection)
        self.rows.append(row)
        return pk

    def flush(self):
        """Write the rows added since the last flush; return how many."""
        written = len(self.rows)
        if written:
            with self.connection.cursor() as cursor:
                if self.connection.vendor == "postgresql":
                    # COPY: executemany sends PostgreSQL one statement per row, three times slower.
                    with cursor.cursor.copy(self.copy_sql) as copy:
                        for row in self.rows:
                            copy.write_row(row)
                else:
                    cursor.executemany(self.sql, self.rows)
            self.rows = []
        return written


def reset_sequences(models_written, using):
    """Move PostgreSQL's ID sequences past the keys Rows assigned (nothing to do on SQLite)."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), models_written)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


# --- Telling demo data from real data ------------------------------------------------


def demo_marks():
    """(model, condition a demo row meets) of each registry model that carries the mark."""
    return [
        (Organization, {"website__startswith": DEMO_HOST}),
        (Source, {"url__startswith": DEMO_HOST}),
        (Person, {"external_id__startswith": DEMO_PREFIX}),
        (Detention, {"external_id__startswith": DEMO_PREFIX}),
    ]


def raw_delete(queryset):
    """DELETE without loading rows, cascading or writing history: for generated rows only."""
    return queryset._raw_delete(queryset.db)


def delete_demo_registry(using):
    """Delete the demo rows of the registry, children before parents."""
    people = Person._base_manager.db_manager(using).filter(external_id__startswith=DEMO_PREFIX)
    detentions = Detention._base_manager.db_manager(using).filter(person__in=people)
    raw_delete(Charge._base_manager.db_manager(using).filter(detention__in=detentions))
    raw_delete(DetentionSource._base_manager.db_manager(using).filter(detention__in=detentions))
    raw_delete(detentions)
    raw_delete(NameVariant._base_manager.db_manager(using).filter(person__in=people))
    raw_delete(people)
    raw_delete(Source._base_manager.db_manager(using).filter(url__startswith=DEMO_HOST))
    raw_delete(Organization._base_manager.db_manager(using).filter(website__startswith=DEMO_HOST))
