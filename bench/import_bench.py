"""Benchmark of the people import in the admin: preview and confirm of a large sheet.

    python bench/import_bench.py [--rows 5000]

Uses the database of DATABASE_URL (SQLite by default) as the test runner
does: it creates the test database (test_<name>), loads the Belarus seed and
drops the database at the end. Each row of the sheet is a new person with 2
name variants, a detention with 2 charges and a source. Three sheets go
through the admin's upload (preview) and confirm, as an Editor:

- new:       every row creates its person and detention;
- updated:   the same sheet with another region: every person changes;
- unchanged: the same sheet again: nothing to write.

The baseline is a plain bulk_create() of the rows "new" writes (people,
detentions, variants, charges, detention sources; no history, no
validation), in a transaction rolled back: the cheapest the database and the
ORM can write them. "ratio" is the confirm time over it. Times are wall clock
(the confirm includes reading the file and planning it again) and, in
brackets, this process's CPU time: on a busy machine the CPU time varies less.
"""

import argparse
import csv
import io
import os
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django

django.setup()

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import (
    setup_databases,
    setup_test_environment,
    teardown_databases,
)

SOURCE = "https://agentictribune.com/article/20251212-u-s-envoy-meets-belarus-president-to-discuss-political-prisoner-release"


class Rollback(Exception):
    pass


class Queries:
    """Counts the queries run on the default connection, by statement and table."""

    def __init__(self):
        self.kinds = Counter()

    def __call__(self, execute, sql, params, many, context):
        table = re.search(r'(?:INTO|FROM|UPDATE)\s+"(\w+)"', sql)
        self.kinds[f"{sql.split()[0].upper()} {table.group(1) if table else ''}".strip()] += 1
        return execute(sql, params, many, context)

    @property
    def total(self):
        return sum(self.kinds.values())


def timed(fn):
    queries = Queries()
    with connection.execute_wrapper(queries):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return result, wall, cpu, queries


def sheet(header, rows, region):
    table = [header]
    for n in range(rows):
        table.append(
            [
                "",
                f"v-{n}",
                f"Асоба {n} Ц.",
                f"Asoba {n} Ts. | Особа {n}",
                1970 + n % 40,
                "male",
                region,
                "",
                "",
                "initials",
                "",
                "",
                f"v-{n}-1",
                "BY",
                "2021-05",
                "held",
                "",
                "",
                "",
                "3 years",
                36,
                "342 | 361-1 part 2",
                "2021-06-01",
                "Viasna",
                SOURCE,
            ]
        )
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table)
    return ("\ufeff" + buffer.getvalue()).encode()


def baseline(rows):
    """A plain bulk_create() of what the "new" sheet writes, rolled back: (wall, cpu) seconds."""
    from tracker.models import (
        Charge,
        Detention,
        DetentionSource,
        NameVariant,
        Organization,
        Person,
        Source,
    )

    viasna = Organization.objects.get(name="Viasna")
    source = Source.objects.get(url=SOURCE)

    def write():
        people = [
            Person(
                name=f"Асоба {n} Ц.",
                external_id=f"w-{n}",
                birth_year=1970 + n % 40,
                gender="male",
                region="Minsk",
                identity_level="initials",
            )
            for n in range(rows)
        ]
        Person._base_manager.bulk_create(people, batch_size=500)
        detentions = [
            Detention(
                person=p,
                external_id=f"w-{n}-1",
                country="BY",
                detained_on="2021-05-01",
                detained_on_precision="month",
                custody_status="held",
                sentence="3 years",
                sentence_months=36,
                recognised_on="2021-06-01",
                recognised_by=viasna,
            )
            for n, p in enumerate(people)
        ]
        Detention._base_manager.bulk_create(detentions, batch_size=500)
        NameVariant._base_manager.bulk_create(
            [
                NameVariant(person=p, name=name, script=script)
                for n, p in enumerate(people)
                for name, script in ((f"Asoba {n} Ts.", "Latn"), (f"Особа {n}", "Cyrl"))
            ],
            batch_size=500,
        )
        Charge._base_manager.bulk_create(
            [Charge(detention=d, article=a) for d in detentions for a in ("342", "361-1 part 2")], batch_size=500
        )
        DetentionSource._base_manager.bulk_create(
            [DetentionSource(detention=d, source=source) for d in detentions], batch_size=500
        )

    def rolled_back():
        try:
            with transaction.atomic():
                write()
                raise Rollback
        except Rollback:
            pass

    _, wall, cpu, _ = timed(rolled_back)
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()

    setup_test_environment()
    settings.IMPORT_TMP_DIR = tempfile.mkdtemp()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old = setup_databases(verbosity=0, interactive=False)
    try:
        from django.contrib.auth.models import Group, User
        from django.core.management import call_command
        from django.test import Client
        from django.urls import reverse

        from tracker.imports import PeopleImporter
        from tracker.models import Detention, Person

        call_command("loaddata", "belarus", verbosity=0)
        user = User.objects.create_user("bench", is_staff=True)
        user.groups.add(Group.objects.get(name="Editor"))
        client = Client()
        client.force_login(user)
        # Every staff session needs its second factor (accounts/second_factor.py): this one has used its app.
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        session = client.session
        session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.create(
            user=user, confirmed=True, name="Bench"
        ).persistent_id
        session.save()

        base = baseline(args.rows)
        print(
            f"{connection.vendor}, {args.rows:,} rows; baseline (plain bulk_create of the rows, no history): "
            f"{base[0]:.2f} s [{base[1]:.2f} s CPU]",
            flush=True,
        )
        print(
            f"{'sheet':<10} {'preview':>17} {'queries':>8} {'confirm':>17} {'queries':>8} {'ratio':>6}  written",
            flush=True,
        )

        def run(label, data):
            upload = io.BytesIO(data)
            upload.name = f"{label}.csv"
            preview, p_wall, p_cpu, p_queries = timed(
                lambda: client.post(reverse("admin:tracker_person_import"), {"file": upload})
            )
            assert preview.status_code == 200 and preview.context["token"], preview.context.get("plan")
            token = preview.context["token"]
            confirm, c_wall, c_cpu, c_queries = timed(
                lambda: client.post(reverse("admin:tracker_person_import_confirm"), {"token": token})
            )
            assert confirm.status_code == 302, confirm.status_code
            counts = preview.context["counts"]
            print(
                f"{label:<10} {p_wall:>6.2f} s [{p_cpu:5.2f}] {p_queries.total:>8} {c_wall:>6.2f} s [{c_cpu:5.2f}] "
                f"{c_queries.total:>8} {c_wall / base[0]:>5.1f}x  {counts}",
                flush=True,
            )
            return c_queries

        details = {}
        details["new"] = run("new", sheet(PeopleImporter.HEADER, args.rows, "Minsk"))
        details["updated"] = run("updated", sheet(PeopleImporter.HEADER, args.rows, "Hrodna"))
        details["unchanged"] = run("unchanged", sheet(PeopleImporter.HEADER, args.rows, "Hrodna"))
        print(f"{Person.objects.count():,} people, {Detention.objects.count():,} detentions after the runs")
        for label, queries in details.items():
            print(f"confirm queries, {label}: " + ", ".join(f"{n} {kind}" for kind, n in queries.kinds.most_common()))
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
