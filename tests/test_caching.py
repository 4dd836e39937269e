"""Cached public pages and values: served again while the data is unchanged, fresh after any write."""

import os

import pytest

from events.models import Event
from tests.factories import make_detention, make_event, make_person
from tracker.caching import cached, data_changed, data_version
from tracker.models import Person
from tracker.publishing import Status

pytestmark = pytest.mark.django_db


def test_a_page_is_served_again_from_the_cache_with_one_query(client, django_assert_num_queries):
    make_event(title="Envoy meets president")
    first = client.get("/timeline/")
    with django_assert_num_queries(1):
        again = client.get("/timeline/")
    assert again.status_code == 200 and again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]


@pytest.mark.parametrize(
    "write",
    [
        lambda event: Event.objects.filter(pk=event.pk).update(title="Retitled by a bulk update"),
        lambda event: (setattr(event, "title", "Retitled in the admin"), event.save()),
        lambda event: event.delete(),
        lambda event: Event.objects.filter(pk=event.pk).delete(),
        lambda event: Event.objects.bulk_create(
            [Event(kind="meeting", title="Added in bulk", occurred_on=event.occurred_on, status=Status.PUBLISHED)]
        ),
    ],
    ids=["queryset update", "save", "delete", "queryset delete", "bulk_create"],
)
def test_every_kind_of_write_shows_at_once(client, write):
    event = make_event(title="The first title")
    before = client.get("/timeline/").content
    assert b"The first title" in before
    version = data_version()
    write(event)
    assert data_version() > version
    after = client.get("/timeline/").content
    assert after != before


def test_publishing_a_person_shows_them_in_the_registry_at_once(client):
    person = make_person(name="Ales Bialiatski", status=Status.IN_REVIEW)
    make_detention(person=person)
    assert "Ales Bialiatski" not in client.get("/prisoners/").content.decode()
    person.status = Status.PUBLISHED
    person.save()
    assert "Ales Bialiatski" in client.get("/prisoners/").content.decode()
    Person.objects.filter(pk=person.pk).update(identity_level=Person.IdentityLevel.INITIALS)
    html = client.get("/prisoners/").content.decode()
    assert "Ales Bialiatski" not in html and "A. B." in html


def test_error_pages_are_not_cached(client):
    assert client.get("/timeline/?kind=party").status_code == 400
    response = client.get("/timeline/?kind=party")
    assert response.status_code == 400 and response.context is not None  # rendered again, not from the cache


def test_cached_values_are_computed_once_per_write_to_what_they_read():
    from events.models import Figure
    from tracker.models import Person

    calls = []

    def compute():
        calls.append(Person.objects.count())
        return len(calls)

    assert cached("thing", compute) == 1
    assert cached("thing", compute) == 1
    # A write to a table it did not read leaves it standing (issue #14)...
    data_changed(model=Figure)
    assert cached("thing", compute) == 1
    # ...one to a table it read, or to every table, does not.
    data_changed(model=Person)
    assert cached("thing", compute) == 2
    data_changed()
    assert cached("thing", compute) == 3
    assert cached("other", compute, "part") == 4


def test_a_value_made_from_cached_values_goes_stale_with_theirs():
    """A cached value used inside another's computation brings the tables it was read from."""
    from events.models import Figure
    from tracker.models import Person

    inner_calls, outer_calls = [], []

    def inner():
        inner_calls.append(1)
        return Person.objects.count()

    def outer():
        outer_calls.append(1)
        return cached("inner", inner) + 1

    cached("inner", inner)  # cached first, alone: the outer computation reads no table itself
    assert cached("outer", outer) == Person.objects.count() + 1
    data_changed(model=Figure)
    assert cached("outer", outer) and len(outer_calls) == 1
    data_changed(model=Person)
    cached("outer", outer)
    assert len(outer_calls) == 2 and len(inner_calls) == 2


def test_a_remembered_value_is_the_same_object_until_a_write_to_what_it_read():
    from events.models import Figure
    from tracker.caching import remembered

    def compute():
        return [Person.objects.count()]

    first = remembered("big", compute)
    assert remembered("big", compute) is first  # from this process's memory: not unpickled again
    data_changed(model=Figure)
    assert remembered("big", compute) is first
    data_changed(model=Person)
    assert remembered("big", compute) is not first


def test_a_remembered_value_in_use_outlives_a_walk_over_many_others():
    # The least recently used goes when full: the value every page reads (the registry's day counts)
    # stays while a crawler walks more measures than the memory holds.
    from tracker import caching

    def compute():
        return [Person.objects.count()]

    used = caching.remembered("used", compute)
    for number in range(3 * caching.REMEMBERED_MOST):
        caching.remembered("walked", compute, number)
        assert caching.remembered("used", compute) is used
    assert len(caching._remembered) == caching.REMEMBERED_MOST
    # The walk's first values went, least recently used first; its last are kept.
    assert caching._value_key("walked", (0,)) not in caching._remembered
    assert caching._value_key("walked", (3 * caching.REMEMBERED_MOST - 1,)) in caching._remembered


def test_a_flushed_database_gets_its_version_row_back():
    from tracker.publishing import DataVersion

    DataVersion.objects.all().delete()  # as a transactional test's flush does
    data_changed()
    assert DataVersion.objects.get(pk=1).number == 1


def test_a_value_missed_by_many_at_once_is_computed_once(monkeypatch):
    import threading

    from tracker import caching

    # The threads have no test database: the versions are given.
    monkeypatch.setattr(caching, "read_version", lambda using=None: (7, None, {}))
    calls, started, finish = [], threading.Event(), threading.Event()

    def slow():
        calls.append(1)
        started.set()
        finish.wait(5)
        return 42

    results = []
    first = threading.Thread(target=lambda: results.append(caching.cached("slow", slow)))
    first.start()
    assert started.wait(5)
    others = [threading.Thread(target=lambda: results.append(caching.cached("slow", slow))) for _ in range(3)]
    for thread in others:
        thread.start()
    finish.set()
    for thread in [first, *others]:
        thread.join(5)
    assert results == [42, 42, 42, 42]
    assert calls == [1]


def test_another_database_at_the_same_version_never_reads_this_ones_values(settings):
    """The cache is shared (files, by default): keys carry the database's random epoch, not only its version number."""
    import uuid

    from tracker import caching
    from tracker.publishing import DataVersion

    assert settings.CACHES["default"]["BACKEND"].endswith(("FileCache", "LocMemCache"))
    row = DataVersion.objects.get(pk=1)
    assert caching.version_key() == f"{row.epoch.hex}.{row.number}"
    assert cached("answer", lambda: "from this database") == "from this database"

    # A reseeded or another database: the same number, another epoch.
    DataVersion.objects.filter(pk=1).update(epoch=uuid.uuid4())
    caching._version.set(None)
    assert cached("answer", lambda: "from the other database") == "from the other database"


def test_the_cache_is_shared_by_the_server_processes_by_default():
    # As configured (tracker/settings.py); each test run keeps its own (tests/conftest.py, cache_of_this_run).
    from tracker import settings as configured

    default = configured.CACHES["default"]
    if default["BACKEND"] != "tracker.filecache.FileCache":
        pytest.skip("CACHE_DIR=memory or REDIS_URL: this run's cache is not in files.")
    assert default["LOCATION"] == (os.environ.get("CACHE_DIR") or str(configured.BASE_DIR / "var" / "cache"))


def test_another_test_run_emptying_the_shared_cache_leaves_this_runs_pages(client, monkeypatch):
    """Two test runs of one checkout at once: the other run's empty_cache fixture clears the configured cache
    directory before and after each of its tests. This run's cached pages stay (a page computed again failed
    test_unknown_parameters_neither_fill_the_cache_nor_change_the_page now and then, and pinned query counts)."""
    from django.core.cache.backends.filebased import FileBasedCache

    from tracker import settings as configured

    if configured.CACHES["default"]["BACKEND"] != "tracker.filecache.FileCache":
        pytest.skip("CACHE_DIR=memory or REDIS_URL: this run's cache is not in files.")
    make_event(title="Envoy meets president")
    written = page_keys_set(monkeypatch)
    first = client.get("/timeline/")

    FileBasedCache(configured.CACHES["default"]["LOCATION"], {}).clear()  # what the other run does

    again = client.get("/timeline/")
    assert again.content == first.content
    assert len(written()) == 1  # served from this run's cache, not computed again


def page_keys_set(monkeypatch):
    """The page-cache keys written from now on."""
    from django.core.cache import cache

    written = []
    real_set = cache.set
    monkeypatch.setattr(cache, "set", lambda key, *a, **kw: (written.append(key), real_set(key, *a, **kw))[1])
    return lambda: [key for key in written if ":page:" in key]


JUNK = "utm_source=x&fbclid=IwAR0&__proto__=1&%00=%00&zz=" + "a" * 300


@pytest.mark.parametrize(
    "path", ["/", "/timeline/", "/releases/", "/figures/", "/figures/held/", "/prisoners/", "/sources/"]
)
def test_unknown_parameters_neither_fill_the_cache_nor_change_the_page(client, monkeypatch, path):
    from tests.factories import make_figure, make_measure

    make_figure(measure=make_measure(slug="held", name="political prisoners held"))
    make_event(title="Envoy meets president")
    written = page_keys_set(monkeypatch)
    plain = client.get(path)
    assert plain.status_code == 200 and len(written()) == 1
    for query in (JUNK, "junk=1", "fbclid=2&other=3"):
        again = client.get(f"{path}?{query}")
        assert again.status_code == 200
        assert again.content == plain.content  # no link on the page carries the junk along
    assert len(written()) == 1


def test_the_order_of_the_parameters_makes_no_new_page(client, monkeypatch):
    make_event(title="Envoy meets president", countries=["BY"])
    written = page_keys_set(monkeypatch)
    first = client.get("/timeline/?kind=meeting&country=BY")
    second = client.get("/timeline/?country=BY&junk=1&kind=meeting")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and len(written()) == 1


def test_understood_parameters_still_filter(client):
    make_event(title="Envoy meets president", kind=Event.Kind.MEETING)
    make_event(title="Belavia sanctions lifted", kind=Event.Kind.SANCTIONS_CHANGE)
    page = client.get("/timeline/?kind=meeting&junk=1").content.decode()
    assert "Envoy meets president" in page and "Belavia sanctions lifted" not in page


def test_every_cached_page_understands_every_parameter_its_filters_read():
    """A filter added to a page's FilterSet but not to its decorator would be silently dropped."""
    from events import filters, urls
    from events.views import figures, registry, releases, site, sources, timeline

    pages = {
        timeline.timeline: filters.EventFilter,
        registry.prisoners: filters.PrisonerFilter,
        sources.source_list: filters.SourceFilter,
        releases.release_ledger: filters.ReleaseFilter,
        figures.figure_index: filters.CountryFigureFilter,
        figures.measure_detail: filters.FigureFilter,
    }
    for view, filterset_class in pages.items():
        assert set(filterset_class.base_filters) <= view.understood, view.__name__
    decorated = {pattern.callback for pattern in urls.urlpatterns if hasattr(pattern.callback, "understood")}
    unfiltered = {timeline.home, timeline.event_detail, registry.person_detail, site.about}
    assert decorated == set(pages) | unfiltered  # every cached page is checked here


@pytest.mark.parametrize("path", ["/timeline/", "/releases/", "/figures/", "/prisoners/", "/sources/"])
def test_every_field_of_a_pages_form_is_a_parameter_the_page_understands(client, path):
    """A form field the decorator did not name would be dropped before the view sees it, silently."""
    import re

    from django.urls import resolve

    make_event(title="Envoy meets president")
    html = client.get(path).content.decode()
    form = html[html.index("<form") : html.index("</form>")]
    fields = set(re.findall(r'name="([^"]+)"', form)) - {"csrfmiddlewaretoken"}
    assert fields and fields <= resolve(path).func.understood


def test_a_repeated_parameter_is_one_page(client, monkeypatch):
    make_event(title="Envoy meets president")
    written = page_keys_set(monkeypatch)
    once = client.get("/timeline/?page=1")
    twice = client.get("/timeline/?page=1&page=1")
    assert once.content == twice.content and len(written()) == 1


def test_a_new_release_of_the_code_reads_nothing_an_older_one_cached(client, settings, tmp_path, monkeypatch):
    """Keys carry a hash of the code, templates and static files served (caching.code_key): a page of old
    templates, or a row of fewer fields than the new code reads, is never served by the new one."""
    from tracker import caching

    (tmp_path / "templates").mkdir()
    (tmp_path / "static").mkdir()
    (tmp_path / "templates" / "page.html").write_text("<p>old</p>")
    settings.BASE_DIR = tmp_path
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates"]}]
    settings.STATICFILES_DIRS = [tmp_path / "static"]
    old = caching.code_key.__wrapped__()
    (tmp_path / "static" / "__pycache__").mkdir()
    (tmp_path / "static" / "__pycache__" / "x.pyc").write_bytes(b"compiled")
    assert caching.code_key.__wrapped__() == old  # what Python compiles is not the code
    (tmp_path / "templates" / "page.html").write_text("<p>new</p>")
    new = caching.code_key.__wrapped__()
    assert new != old and len(new) == 12

    # The cache keys carry it: the same data, another release, another value.
    monkeypatch.setattr(caching, "code_key", lambda: old)
    assert cached("rows", lambda: ("13 fields",)) == ("13 fields",)
    assert cached("rows", lambda: ("computed again",)) == ("13 fields",)
    monkeypatch.setattr(caching, "code_key", lambda: new)
    assert cached("rows", lambda: ("15 fields",)) == ("15 fields",)
