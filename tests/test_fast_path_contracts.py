"""Each fast path gives what its slow twin gives, on generated input (ARCHITECTURE.md §5.6).

A fast path re-implements a piece of Django or of a domain rule for speed;
tests/test_registry_copy.py holds the prisoners CSV's SQL to the Python rows.
Here, on the same inputs, with Hypothesis writing them:

- the importer's `constraint_errors` (check constraints decided in Python)
  against Django's `validate_constraints()`, the last step of full_clean();
- the importer's writes of changed records (`save_records`, which runs
  `update_records` and writes history in bulk) against `save()`;
- the registry's running totals per day (events/registry_counts.py) against
  the query they replace, `DetentionQuerySet.held_on()` and date ranges.
"""

import datetime
import itertools

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from events import registry_counts
from tests.factories import make_detention, make_person
from tracker.constraints import constraint_errors
from tracker.imports import Importer
from tracker.models import Detention
from tracker.publishing import Status

pytestmark = pytest.mark.django_db

contract = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- constraint_errors against validate_constraints() -----------------------------

# Dates a few days apart, so that generated pairs are often equal, ordered or reversed.
DAYS = st.dates(datetime.date(2024, 12, 30), datetime.date(2025, 1, 3))
TEXTS = st.sampled_from(["", "x", "0" * 64, "https://a.example/"])
NUMBERS = st.sampled_from([-1, 0, 1, 2, 40, 52, 1899, 1900, 1977, 2025, 2200])


def checked_models():
    """Every model of the tracker with a constraint, and the fields its constraints name."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in ("tracker", "events") or not model._meta.constraints:
            continue
        names = set()
        for constraint in model._meta.constraints:
            names |= set(getattr(constraint, "fields", ()))
            if getattr(constraint, "condition", None) is not None:
                names |= referenced(constraint.condition)
        fields = [model._meta.get_field(model._meta.pk.name if name == "pk" else name) for name in sorted(names)]
        found.append((model, [field for field in fields if field.concrete]))
    return found


def referenced(condition):
    """The field names a Q condition compares (its lookups' first parts, and the F() it compares with)."""
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= referenced(child)
        elif isinstance(child, tuple):
            lookup, other = child
            names.add(lookup.split("__")[0])
            if isinstance(other, F):
                names.add(other.name)
    return names


def values_for(field):
    """Values for a field: its choices and a few that are not, dates close together, awkward numbers."""
    if field.is_relation:
        values = st.integers(min_value=1, max_value=3)  # a key: compared, never followed
    elif field.choices:
        options = [value for value, _ in field.flatchoices] + ["", "bogus"]
        values = st.sampled_from(options)
    elif isinstance(field, models.DateField):
        values = DAYS
    elif isinstance(field, models.BooleanField):
        values = st.booleans()
    elif isinstance(field, (models.IntegerField, models.DecimalField, models.FloatField)):
        values = NUMBERS
    else:
        values = TEXTS
    return st.none() | values if field.null else values


@st.composite
def constrained_records(draw):
    model, fields = draw(st.sampled_from(checked_models()))
    obj = model()
    for field in fields:
        setattr(obj, field.attname, draw(values_for(field)))
    exclude = draw(st.sets(st.sampled_from([field.name for field in fields]))) if fields else set()
    return obj, exclude


def messages(errors):
    """{field: sorted messages}, from a ValidationError's dict or constraint_errors()'s."""
    return {name: sorted(problems) for name, problems in ValidationError(errors).message_dict.items()}


@contract
@given(constrained_records())
def test_constraint_errors_finds_what_validate_constraints_finds(record):
    obj, exclude = record
    try:
        models.Model.validate_constraints(obj, exclude=exclude)  # Django's own: a query per constraint
        slow = {}
    except ValidationError as error:
        slow = messages(error.error_dict)
    fast = messages(constraint_errors(obj, set(exclude), {}))
    assert fast == slow, (type(obj).__name__, {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields})


# --- save_records / update_records against save() ---------------------------------

# What an import may change on a detention; dates with a precision, so that truncation is part of the contract.
CHANGES = st.fixed_dictionaries(
    {},
    optional={
        "facility": st.sampled_from(["", "Horki colony", "Калонія № 9"]),
        "sentence": st.sampled_from(["", "3 years"]),
        "sentence_months": st.none() | st.integers(0, 600),
        "country": st.sampled_from(["BY", "RU", "US"]),
        "custody_status": st.sampled_from(Detention.CustodyStatus.values),
        "detained_on": DAYS,
        "detained_on_precision": st.sampled_from(["day", "month", "year"]),
        "released_on": st.none() | st.dates(datetime.date(2025, 1, 4), datetime.date(2025, 3, 1)),
        "released_on_precision": st.sampled_from(["day", "month", "year"]),
        "release_mode": st.sampled_from(Detention.ReleaseMode.values + [""]),
        "internal_notes": st.sampled_from(["", "asked by the family"]),
    },
)
# Fields that differ between two records by nature, not by how they were written.
OWN = {"id", "uid", "created_at", "updated_at", "external_id"}
HISTORY_OWN = OWN | {"history_id", "history_date", "history_change_reason", "history_user"}


def stored(obj):
    row = type(obj)._base_manager.values().get(pk=obj.pk)
    return {name: value for name, value in row.items() if name not in OWN}


def last_history(obj):
    row = obj.history.order_by("-history_id").values().first()
    return {name: value for name, value in row.items() if name not in HISTORY_OWN}


@contract
@given(st.lists(CHANGES, min_size=1, max_size=4))
def test_an_imports_bulk_writes_store_what_save_stores(changes):
    with transaction.atomic():
        person = make_person()
        base = {"person": person, "detained_on": datetime.date(2025, 1, 1), "facility": "Before"}
        pairs = [(make_detention(**base), make_detention(**base)) for _ in changes]
        for (slow, fast), change in zip(pairs, changes):
            for obj in (slow, fast):
                obj.refresh_from_db()
                for name, value in change.items():
                    setattr(obj, name, value)
            # Only records the database accepts (with their dates truncated to their precision, as
            # save() stores them): a refused one fails either way.
            try:
                slow.truncate_dates()
                slow.validate_constraints()
            except ValidationError:
                assume(False)
        for slow, _ in pairs:
            slow.save()
        Importer(None, "contract.xlsx").save_records(Detention, [fast for _, fast in pairs])
        for slow, fast in pairs:
            assert stored(fast) == stored(slow)
            assert last_history(fast) == last_history(slow)
            assert fast.history.count() == slow.history.count()
        transaction.set_rollback(True)


# --- the registry's running totals against held_on() ------------------------------

DETENTIONS = st.lists(
    st.fixed_dictionaries(
        {
            "country": st.sampled_from(["BY", "US"]),
            "detained_on": st.none() | DAYS,
            "released_after": st.none() | st.integers(0, 3),
            "custody_status": st.sampled_from(Detention.CustodyStatus.values),
            "status": st.sampled_from([Status.PUBLISHED, Status.PUBLISHED, Status.DRAFT]),
            "person_published": st.booleans() | st.just(True),
            "recognised_on": st.none() | DAYS,
        }
    ),
    max_size=8,
)
SAMPLES = [datetime.date(2024, 12, 29) + datetime.timedelta(days=n) for n in range(10)]


def plant(specs):
    # People named in full: the dates of the others are counted on 1 January of their year
    # (events/registry_counts.py:counted_day, held by tests/test_protected_counts.py), which held_on() does not know.
    people = {True: make_person(), False: make_person(status=Status.DRAFT)}
    for spec in specs:
        detained = spec["detained_on"]
        released = None
        if detained is not None and spec["released_after"] is not None:
            released = detained + datetime.timedelta(days=spec["released_after"])
        status = spec["custody_status"]
        if status == Detention.CustodyStatus.HELD and released is not None:
            status = Detention.CustodyStatus.RELEASED
        make_detention(
            person=people[spec["person_published"]],
            country=spec["country"],
            detained_on=detained,
            released_on=released,
            custody_status=status,
            status=spec["status"],
            recognised_on=spec["recognised_on"],
        )


@contract
@given(DETENTIONS)
def test_the_running_totals_count_what_held_on_counts(specs):
    with transaction.atomic():
        plant(specs)
        cache.clear()  # the totals are cached by data version, which the rollback below reuses
        samples = set(itertools.product(["BY", "US", "LT"], SAMPLES))
        fast = registry_counts.held_on_days(samples)
        published = Detention.objects.published()
        for country, day in samples:
            assert fast[(country, day)] == published.held_on(day).filter(country=country).count(), (country, day)
        periods = [(country, start, end) for country in ("BY", "US") for start in SAMPLES[1:4] for end in SAMPLES[3:7]]
        for field in ("released_on", "recognised_on"):
            fast = registry_counts.in_periods(periods, field)
            for country, start, end in periods:
                slow = published.filter(country=country, **{f"{field}__range": (start, end)}).count()
                assert fast[(country, start, end)] == slow, (field, country, start, end)
        transaction.set_rollback(True)


# --- distinct_values against distinct() ----------------------------------------------

FACILITIES = st.lists(
    st.sampled_from(["", "Akrestsina", "Kresty", "Калонія № 3", "Zhodino", "zhodino", "Ж"]), max_size=8
)


@contract
@given(FACILITIES, FACILITIES)
def test_distinct_values_finds_what_distinct_finds(held, hidden):
    from events.registry import distinct_values

    with transaction.atomic():
        for facility in held:
            make_detention(person=make_person(), facility=facility)
        for facility in hidden:
            make_detention(person=make_person(status=Status.DRAFT), facility=facility)
        listed = Detention.objects.published().listed()
        empty = listed.none()
        fast = distinct_values(
            facility=(listed, "facility"), drafts=(Detention.objects.all(), "facility"), none=(empty, "facility")
        )
        slow = {
            "facility": sorted(set(listed.exclude(facility="").values_list("facility", flat=True).distinct())),
            "drafts": sorted(set(Detention.objects.exclude(facility="").values_list("facility", flat=True).distinct())),
            "none": [],
        }
        assert fast == slow
        transaction.set_rollback(True)


# --- FastSelect against Django's Select ----------------------------------------------

VALUES = st.one_of(st.text(max_size=12), st.integers(-5, 5))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(VALUES, st.text(max_size=12)), max_size=6), st.one_of(st.none(), VALUES))
def test_fast_select_writes_what_select_writes(choices, value):
    from django import forms
    from django.test.html import parse_html

    from events.widgets import FastSelect

    fast = FastSelect(choices=choices).render("facility", value, attrs={"id": "id_facility"})
    slow = forms.Select(choices=choices).render("facility", value, attrs={"id": "id_facility"})
    # The same elements, attributes, texts and escaping; attribute order and whitespace aside.
    assert parse_html(fast) == parse_html(slow)


# --- The timeline filter's choices against the plain reading of the rule ---------------

WHO = st.sampled_from(["named", "initials", "withheld", "draft person", "organisation", "draft organisation"])


@contract
@given(
    st.lists(
        st.tuples(st.booleans(), st.lists(WHO, max_size=3), st.sampled_from(["BY", "BY,RU", "RU", ""])), max_size=6
    )
)
def test_timeline_choices_are_those_of_published_events(events):
    """events.filters.timeline_choices (index walks, a LIMIT 1 per participant) gives what the rule says:
    the countries, people named in full and published organisations of published events, none of drafts."""
    from django.db.models import Q

    from events.filters import timeline_choices
    from events.models import Event, Participant
    from tracker.countries import used_countries
    from tracker.models import Organization, Person

    with transaction.atomic():
        for number, (published, who, countries) in enumerate(events):
            event = Event.objects.create(
                title=f"Event {number}",
                kind=Event.Kind.STATEMENT,
                occurred_on=datetime.date(2025, 1, 1 + number),
                countries=countries,
                status=Status.PUBLISHED if published else Status.DRAFT,
            )
            for place, kind in enumerate(who):
                if "organisation" in kind:
                    status = Status.DRAFT if kind.startswith("draft") else Status.PUBLISHED
                    organization = Organization.objects.create(name=f"Org {number}.{place}", status=status)
                    Participant.objects.create(event=event, organization=organization)
                else:
                    level = {"named": "full", "initials": "initials", "withheld": "withheld"}.get(kind, "full")
                    status = Status.DRAFT if kind == "draft person" else Status.PUBLISHED
                    person = make_person(name=f"Person {number}.{place}", identity_level=level, status=status)
                    Participant.objects.create(event=event, person=person)
        published = Event.objects.filter(status=Status.PUBLISHED)
        taking_part = Participant.objects.filter(event__in=published)
        people = Person.objects.filter(
            Q(status=Status.PUBLISHED, identity_level="full"), pk__in=taking_part.values("person_id")
        )
        organizations = Organization.objects.filter(
            status=Status.PUBLISHED, pk__in=taking_part.values("organization_id")
        )
        expected = {
            "country": used_countries(countries for published, _, countries in events if published),
            "person": sorted(((str(p.uid), p.name) for p in people), key=lambda item: (item[1], item[0])),
            "organization": sorted(((str(o.uid), o.name) for o in organizations), key=lambda item: (item[1], item[0])),
        }
        assert timeline_choices() == expected
        transaction.set_rollback(True)
