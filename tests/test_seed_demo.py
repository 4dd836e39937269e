"""manage.py seed_demo: realistic, deterministic demo data that keeps every rule, and never lands on real data."""

import hashlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from events.models import Event, EventLink, Figure, Measure, Release, ReleasedDetention
from tests.factories import make_person
from tracker.models import Charge, Detention, IdentityLevel, NameVariant, Person, person_search_key
from tracker.publishing import Status

pytestmark = pytest.mark.django_db

SIZE = {"people": 300, "events": 60, "figures": 40}


def seed(**options):
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("seed_demo", **{**SIZE, **options}, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def fingerprint():
    """A hash of the key columns of every generated table, in uid order."""
    digest = hashlib.sha256()
    for queryset in [
        Person.objects.values_list("uid", "name", "identity_level", "status", "search_key"),
        NameVariant.objects.values_list("uid", "person__uid", "name", "system"),
        Detention.objects.values_list("uid", "person__uid", "detained_on", "custody_status", "released_on", "facility"),
        Charge.objects.values_list("uid", "detention__uid", "article"),
        Event.objects.values_list("uid", "kind", "title", "occurred_on", "status"),
        ReleasedDetention.objects.values_list("uid", "release__uid", "detention__uid"),
        Figure.objects.values_list("uid", "measure__slug", "value", "qualifier", "as_of_on", "source__uid"),
    ]:
        for row in queryset.order_by("uid"):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def test_seed_demo_makes_as_many_people_events_and_figures_as_asked():
    stdout, stderr = seed()
    assert (Person.objects.count(), Event.objects.count(), Figure.objects.count()) == (300, 60, 40)
    assert Detention.objects.count() >= 300 - 10  # everyone but the actors is detained at least once
    assert NameVariant.objects.count() > 2 * 290
    assert "tracker.Person" in stdout and "300" in stdout
    assert "people" in stderr and "100%" in stderr  # the progress bar


def test_the_same_seed_gives_the_same_rows_and_another_seed_other_rows():
    seed(seed=7)
    first = fingerprint()
    seed(seed=7)  # replaces the demo data with the same again
    assert fingerprint() == first
    seed(seed=8)
    assert fingerprint() != first


def test_every_identity_level_event_kind_measure_and_qualifier_is_there():
    seed()
    assert set(Person.objects.values_list("identity_level", flat=True)) == set(IdentityLevel.values)
    assert set(Event.objects.values_list("kind", flat=True)) == set(Event.Kind.values)
    assert set(Figure.objects.values_list("qualifier", flat=True)) == set(Figure.Qualifier.values)
    assert set(Figure.objects.values_list("measure", flat=True)) == set(Measure.objects.values_list("pk", flat=True))
    assert set(Detention.objects.values_list("detained_on_precision", flat=True)) == {"day", "month", "year"}
    assert {"held", "released", "served_sentence", "pardoned"} <= set(
        Detention.objects.values_list("custody_status", flat=True)
    )
    assert set(Detention.objects.values_list("country", flat=True)) == {"BY", "RU"}
    assert {"342", "361-1", "130", "369"} <= set(Charge.objects.values_list("article", flat=True))
    assert {Status.PUBLISHED, Status.DRAFT} <= set(Person.objects.values_list("status", flat=True))
    releases = Event.objects.filter(kind=Event.Kind.RELEASE)
    assert set(Release.objects.values_list("event", flat=True)) == set(releases.values_list("pk", flat=True))
    # Some releases have several details: a pardon and a deportation, most to one country and some to another.
    assert Release.objects.filter(share=Release.Share.SOME).exists()
    assert Release.objects.count() > releases.count()
    assert ReleasedDetention.objects.exists() and EventLink.objects.exists()


def test_published_demo_data_breaks_no_publishing_rule():
    seed()
    published = [
        *Event.objects.published(),
        *Figure.objects.published().select_related("measure", "source", "event"),
        *Detention.objects.published().select_related("person"),
    ]
    assert len(published) > 300
    assert [problem for record in published for problem in record.publishing_problems()] == []
    assert not Figure.objects.filter(status=Status.PUBLISHED).exclude(pk__in=Figure.objects.published()).exists()


def test_a_named_release_ends_the_detention_on_its_date():
    seed()
    for named in ReleasedDetention.objects.select_related("release", "detention"):
        detention, release = named.detention, named.release
        assert detention.custody_status != Detention.CustodyStatus.HELD
        assert (detention.released_on, detention.released_on_precision) == (
            release.occurred_on,
            release.occurred_on_precision,
        )
        assert detention.release_mode == ReleasedDetention.DETENTION_RELEASE_MODES.get(
            named.main_mode(), Detention.ReleaseMode.OTHER
        )


def test_search_keys_are_the_ones_save_computes():
    seed()
    for person in Person.objects.prefetch_related("name_variants"):
        assert person.search_key == person_search_key(person.name, [v.name for v in person.name_variants.all()])


def test_a_demo_person_is_found_by_cyrillic_and_latin_spelling():
    seed()
    variant = NameVariant.objects.filter(language="be", script="Cyrl").select_related("person").first()
    person = variant.person
    assert person in Person.objects.matching(variant.name)
    assert person in Person.objects.matching(person.name)
    russian = person.name_variants.get(language="ru", script="Cyrl", system="native")
    assert person in Person.objects.matching(russian.name)


def test_refuses_a_database_with_real_data():
    make_person(name="Siarhei Tsikhanouski")
    with pytest.raises(CommandError, match="holds real data .*1 person.*--force"):
        seed()
    assert Person.objects.count() == 1 and not Event.objects.exists()


def test_force_adds_the_demo_data_beside_real_data_and_keeps_it():
    real = make_person(name="Siarhei Tsikhanouski")
    seed(force=True)
    seed(force=True)  # a second run replaces its own rows only
    assert Person.objects.count() == 301
    assert Person.objects.filter(pk=real.pk).exists()


def test_no_demo_surname_sounds_like_a_place_the_demo_writes():
    """The protected-name check matches names by sound across scripts: a demo surname that sounds like a facility's
    town ("Соколов" and "Shklov") would make a published detention there name a protected namesake."""
    from demo.names import SURNAMES
    from demo.registry import CITIES, FACILITIES
    from tracker.names import text_words

    places = [name for kinds in FACILITIES.values() for names in kinds.values() for name in names]
    places += [city for cities in CITIES.values() for city in cities] if isinstance(CITIES, dict) else list(CITIES)
    place_keys = {key for place in places for _, key in text_words(place) if len(key) >= 2}
    sounding = {name: key for pair in SURNAMES for name in pair for _, key in text_words(name) if key in place_keys}
    assert sounding == {}
