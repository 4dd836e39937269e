"""What the contract tests of the tables the database keeps share (tracker/kept_tables.py lists those tables).

Each of tests/test_registry_totals.py, test_source_ties.py and test_day_counts.py
writes random sequences of writes, along every path a row can take, and
compares its kept table with the query it replaces. The settings, the
strategies, picking a row, the writes to people (which every kept table
depends on) and a savepoint rolled back are the same for all, so they are here.
"""

from django.db import connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tracker.models import Person
from tracker.publishing import Status

contract = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

LEVELS = st.sampled_from(list(Person.IdentityLevel.values))
STATUSES = st.sampled_from([Status.PUBLISHED, Status.PUBLISHED, Status.DRAFT])
INDEX = st.integers(min_value=0, max_value=50)

# A person's status and level through the publishing layer, under it (no history, no protection check:
# only the database's own triggers see it), in raw SQL, and a person deleted with their detentions.
PERSON_WRITES = [
    st.tuples(st.just("person_status"), INDEX, STATUSES),
    st.tuples(st.just("person_level"), INDEX, LEVELS),
    st.tuples(st.just("person_level_sql"), INDEX, LEVELS),
    st.tuples(st.just("delete_person"), INDEX),
]
PERSON_WRITE_NAMES = frozenset({"person_status", "person_level", "person_level_sql", "delete_person"})


def pick(queryset, index):
    """One row of the queryset, chosen by an index that wraps around; None if it is empty."""
    rows = list(queryset.order_by("pk"))
    return rows[index % len(rows)] if rows else None


def write_person(name, index, value=None):
    """One of PERSON_WRITES."""
    people = Person.objects.all()
    person = pick(people, index)
    if person is None:
        return
    if name == "person_status":
        Person.objects.filter(pk=person.pk).update(status=value)
    elif name == "person_level":
        Person._base_manager.filter(pk=person.pk).update(identity_level=value)
    elif name == "person_level_sql":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE tracker_person SET identity_level = %s WHERE id = %s", [value, person.pk])
    elif name == "delete_person" and people.count() > 1:
        person.delete()


class Undo(Exception):
    """Raised to roll a savepoint back (rolled_back)."""


def rolled_back(function):
    """What `function` returns, its writes undone (a savepoint)."""
    try:
        with transaction.atomic():
            result = function()
            raise Undo
    except Undo:
        return result


def as_rebuilt(statements, read):
    """What read() returns once the rebuild `statements` (a migration's REBUILD) have run, in a savepoint rolled back."""

    def rebuild():
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        return read()

    return rolled_back(rebuild)
