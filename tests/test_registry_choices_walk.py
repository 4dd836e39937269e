"""The registry's filter choices skip along an index: their cost follows the number of values, not of rows.

events/registry.py:distinct_values asks for the first value above the one
before. On SQLite a second lower bound (above "") made each step walk the
index from its start, reading every row before the value it looked for: 0.4 s
per change of the data at 200,000 people. Counted here in SQLite's virtual
machine steps, which do not depend on the machine's speed.
"""

import pytest
from django.db import connection

from events import registry
from tests.factories import make_detention, make_person
from tracker.models import Detention

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's step counter"),
]


def steps_to_read_facilities():
    """SQLite virtual machine steps (in hundreds) that distinct_values() takes to list the facilities."""
    steps = [0]

    def count():
        steps[0] += 1
        return 0  # go on

    # With the statistics seed_demo (and any ANALYZE) gives the planner, as on a real registry.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    raw = connection.connection
    raw.set_progress_handler(count, 100)
    try:
        found = registry.distinct_values(facility=(Detention.objects.named(), "facility"))["facility"]
    finally:
        raw.set_progress_handler(None, 100)
    assert found == ["A colony", "B colony", "C colony"]
    return steps[0]


def add_detentions(facility, count):
    person = make_person()
    Detention.objects.bulk_create(
        [Detention(person=person, country="BY", facility=facility, status="published") for _ in range(count)]
    )


def test_listing_facilities_reads_a_few_index_entries_per_facility_not_every_row():
    for facility in ("A colony", "B colony", "C colony"):
        make_detention(facility=facility)
    few = steps_to_read_facilities()
    # Many more rows in the first facilities: each step must seek past them, not walk through them.
    add_detentions("A colony", 1500)
    add_detentions("B colony", 1500)
    many = steps_to_read_facilities()
    assert many <= few + 5
