import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from demo.base import DEMO_HOST, DEMO_PREFIX, Progress
from demo.events import DemoGenerator, holds_demo_data, real_data


class Command(BaseCommand):
    help = (
        "Fill the database with realistic synthetic data for demos and benchmarks: people with Belarusian "
        "and Russian names and their spellings, detentions, charges, events of every kind, releases naming "
        "the people they freed, and figures of every measure. The same --seed gives the same rows, stable "
        "IDs included. Demo rows are marked (external IDs starting with "
        f"“{DEMO_PREFIX}”, web addresses under {DEMO_HOST}) and written without history rows. "
        "Running it again replaces the earlier demo data. It refuses to touch a database that holds any "
        "other (real) data unless given --force; with --force the real data is kept and the demo data "
        "added beside it. Measures missing from the database are loaded from fixtures/belarus.json."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=10_000, help="How many people (default 10,000).")
        parser.add_argument("--events", type=int, default=1_000, help="How many events (default 1,000).")
        parser.add_argument("--figures", type=int, default=500, help="How many figures (default 500).")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random generator (default 1).")
        parser.add_argument(
            "--force", action="store_true", help="Add demo data even though the database holds real data."
        )
        parser.add_argument(
            "--row-triggers",
            action="store_true",
            help="Keep the derived tables row by row by their triggers, as every other write does, instead of "
            "rebuilding them once at the end (slower: for comparison).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default “default”).")

    def handle(self, *args, people, events, figures, seed, force, database, row_triggers, **options):
        for name, value in [("--people", people), ("--events", events), ("--figures", figures)]:
            if value < 0:
                raise CommandError(f"{name} cannot be negative.")
        real = real_data(database)
        if real and not force:
            raise CommandError(
                f"This database holds real data ({', '.join(real)}): refusing to add demo data to it. "
                "Use an empty database, or pass --force to add the demo data beside the real data."
            )
        if holds_demo_data(database):
            self.stderr.write("Replacing the demo data already in the database.")
        started = time.monotonic()

        def progress(label, total):
            return Progress(label, total, stream=self.stderr)

        counts = DemoGenerator(
            people, events, figures, seed=seed, using=database, progress=progress, row_triggers=row_triggers
        ).run()
        # The planner's statistics describe the tables as they were before: on
        # PostgreSQL, until autovacuum catches up, registry pages took seconds.
        with connections[database].cursor() as cursor:
            cursor.execute("ANALYZE")
        for label, count in counts.items():
            self.stdout.write(f"{label:<28} {count:>10,}")
        self.stdout.write(f"Demo data written in {time.monotonic() - started:.1f}s (seed {seed}).")
