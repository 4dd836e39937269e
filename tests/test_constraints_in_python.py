"""A check constraint decided in Python (tracker/constraints.py) answers what the database answers.

For every check constraint of every model of ours, random rows (the values
near the constraint's own constants and edges, NULLs included) are decided
both ways: by `decide`, and by the query Django's CheckConstraint.validate
runs. Where `decide` says it cannot, the database decides in the admin too;
the test also holds that the plain comparisons are the ones decided in Python,
so the saving it brings is not silently lost. tests/test_fast_path_contracts.py
holds the errors found (`constraint_errors`) to Django's validate_constraints().
"""

import datetime
import decimal
import uuid

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import BooleanField, Q
from django.db.models.functions import Coalesce
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.constraints import Undecided, constraint_errors, decide

pytestmark = pytest.mark.django_db

OUR_APPS = ("tracker", "events", "accounts", "demo")


def our_check_constraints():
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.CheckConstraint):
                found.append(pytest.param(model, constraint, id=f"{model._meta.label}:{constraint.name}"))
    return found


def constants(condition):
    """The constants a condition compares with: the values worth trying, and their neighbours."""
    found = []
    for child in condition.children:
        if isinstance(child, Q):
            found += constants(child)
        elif isinstance(child, tuple):
            value = child[1]
            found += list(value) if isinstance(value, (list, tuple, set)) else [value]
    return [value for value in found if not hasattr(value, "resolve_expression") and value is not None]


def values_for(field, near):
    """A strategy of values for one field: NULL where allowed, the constants, their neighbours, odd ones."""
    if field.is_relation:
        choices = st.integers(min_value=1, max_value=3)
    elif isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        day = datetime.date(2025, 9, 1)
        choices = st.builds(lambda offset: day + datetime.timedelta(days=offset), st.integers(-3, 3))
    elif isinstance(field, models.DateTimeField):
        moment = datetime.datetime(2025, 9, 1, 12, tzinfo=datetime.UTC)
        choices = st.builds(lambda offset: moment + datetime.timedelta(hours=offset), st.integers(-3, 3))
    elif isinstance(field, models.DecimalField):
        choices = st.decimals(min_value=-3, max_value=3, places=0).map(decimal.Decimal)
    elif isinstance(field, models.BooleanField):
        choices = st.booleans()
    elif isinstance(field, (models.IntegerField, models.FloatField)):
        numbers = [value for value in near if isinstance(value, int) and not isinstance(value, bool)]
        edges = [value + step for value in numbers for step in (-1, 0, 1)]
        choices = st.sampled_from(edges) if edges else st.integers(-3, 3)
        choices = choices | st.integers(-3, 3)
    elif isinstance(field, models.UUIDField):
        choices = st.builds(uuid.uuid4)
    else:  # text
        words = [str(value) for value in near if isinstance(value, str)]
        words += [str(value) for value, _ in field.choices or ()]
        choices = st.sampled_from(sorted({"", "x", "Deprecated", *words}))
    return st.none() | choices if field.null else choices


def fields_read(model, constraint):
    refs = set()
    try:
        decide(constraint.condition, model(), model, refs)
    except Undecided:
        return None
    fields = {model._meta.pk if name == "pk" else model._meta.get_field(name) for name in refs}
    return sorted(fields, key=lambda field: field.name)


def database_says(model, instance, constraint):
    """What CheckConstraint.validate asks the database (unknown passes, as a CHECK does)."""
    against = instance._get_field_expression_map(meta=model._meta)
    return Q(Coalesce(constraint.condition, True, output_field=BooleanField())).check(against, using="default")


@pytest.mark.parametrize("model, constraint", our_check_constraints())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_python_and_the_database_decide_alike(model, constraint, data):
    fields = fields_read(model, constraint)
    if fields is None:
        return  # the database decides this one, in the admin as in this test: nothing to compare
    near = constants(constraint.condition)
    instance = model()
    for field in fields:
        setattr(instance, field.attname, data.draw(values_for(field, near), label=field.name))
    answer = decide(constraint.condition, instance, model, set())
    assert (answer is not False) == database_says(model, instance, constraint)


def test_plain_comparisons_are_decided_in_python():
    decided = {
        constraint.name
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        for constraint in model._meta.constraints
        if isinstance(constraint, models.CheckConstraint) and fields_read(model, constraint) is not None
    }
    undecided = {
        constraint.name
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        for constraint in model._meta.constraints
        if isinstance(constraint, models.CheckConstraint) and fields_read(model, constraint) is None
    }
    # A choice kept to its choices, a date after another, a value within bounds, an empty or filled field.
    assert {
        "events_event_kind_valid",
        "events_event_ends_after_start",
        "tracker_person_birth_year_plausible",
    } <= decided, decided
    assert len(decided) >= 15, sorted(undecided)
    # A length is a function of the row: the database decides it.
    assert any("sha256" in name for name in undecided), sorted(decided)


def test_what_python_cannot_decide_goes_to_the_database():
    from tracker.models import Person

    person = Person()
    for condition in (
        Q(names__name="x"),  # a join
        Q(name__gt="a"),  # text ordered by the collation
        Q(name__icontains="a"),  # a lookup of its own
    ):
        with pytest.raises(Undecided):
            decide(condition, person, Person, set())


def test_excluded_fields_are_left_to_the_database():
    from events.models import Event

    [constraint] = [c for c in Event._meta.constraints if c.name == "events_event_ends_after_start"]
    message = str(constraint.get_violation_error_message())
    event = Event(occurred_on=datetime.date(2025, 9, 2), ended_on=datetime.date(2025, 9, 1))
    assert message in ValidationError(constraint_errors(event, set(), {})).messages
    # As Django does: a condition on a field not validated here is not checked.
    assert message not in ValidationError(constraint_errors(event, {"ended_on"}, {}) or {"x": ["-"]}).messages


def test_a_field_equal_to_a_null_field_is_unknown_and_passes():
    from events.models import EventLink

    [constraint] = [c for c in EventLink._meta.constraints if c.name == "events_eventlink_not_self"]
    refs = set()
    assert decide(constraint.condition, EventLink(), EventLink, refs) is None  # NOT (NULL = NULL)
    assert refs == {"from_event", "to_event"}
    assert decide(constraint.condition, EventLink(from_event_id=1, to_event_id=1), EventLink, set()) is False


def test_a_none_in_a_list_is_left_out_as_django_leaves_it_out():
    # Django's IN lookup drops None from the list, so an unmatched value is false, not unknown.
    from events.models import EventLink

    link = EventLink(kind="nothing")
    assert decide(Q(kind__in=["part_of", None]), link, EventLink, set()) is False
    assert decide(Q(kind__in=["nothing", None]), link, EventLink, set()) is True
    with pytest.raises(Undecided):
        decide(Q(kind__in=[None]), link, EventLink, set())  # no list left: the database decides


def test_a_condition_on_the_key_is_left_out_when_pk_is_excluded():
    from events.models import EventLink

    refs = set()
    decide(Q(pk__gt=0), EventLink(pk=5), EventLink, refs)
    assert {"pk", "id"} <= refs
