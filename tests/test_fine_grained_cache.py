"""Cached pages go stale with exactly what they read (issue #14), and never serve what a fresh page would not.

tracker/caching.py keeps each cached page and value with the version
numbers of the tables it read, and a public write moves only its table's
number. The contract: after any public write, every page as served (from
the cache, or computed again) is byte for byte the page computed with
nothing cached. Each write below is of one kind of record, on the Belarus
seed; the pages are every public HTML page.
"""

import datetime

import pytest
from django.core.cache import cache

from events.models import Citation, Event, Figure, Measure, Participant, ReleasedDetention
from tests.factories import (
    make_charge,
    make_citation,
    make_detention,
    make_figure,
    make_name_variant,
    make_participant,
    make_released_detention,
)
from tracker.models import Detention, NameVariant, Organization, Person, Source
from tracker.names import IdentityLevel
from tracker.publishing import Status

pytestmark = pytest.mark.django_db


def pages():
    """Every kind of public page, with one of each detail page that has public data behind it."""
    person = Person.objects.listed().filter(detentions__status=Status.PUBLISHED).first()
    event = Event.objects.published().filter(citations__isnull=False).first()
    release = Event.objects.published().filter(kind=Event.Kind.RELEASE).first()
    measure = Figure.objects.published().first().measure
    return [
        "/",
        "/timeline/",
        "/timeline/?country=BY",
        f"/events/{event.uid}/",
        f"/events/{release.uid}/",
        "/releases/",
        "/figures/",
        f"/figures/{measure.slug}/",
        "/prisoners/",
        "/prisoners/?status=held",
        f"/prisoners/{person.uid}/",
        "/sources/",
    ]


def named_person():
    return Person.objects.named().filter(detentions__status=Status.PUBLISHED).first()


def withhold_a_person():
    person = named_person()
    person.identity_level = IdentityLevel.WITHHELD
    person.save()


def add_a_name_variant():
    make_name_variant(person=named_person(), name="Новае імя", script=NameVariant.Script.CYRILLIC)


def add_a_detention():
    make_detention(person=named_person(), detained_on=datetime.date(2026, 3, 1), facility="Pretrial prison No. 1")


def retract_a_detention():
    detention = Detention.objects.published().filter(person__in=Person.objects.named()).first()
    detention.status = Status.RETRACTED
    detention.save()


def add_a_charge():
    make_charge(
        detention=Detention.objects.published().filter(person__in=Person.objects.named()).first(), article="411"
    )


def retitle_an_event():
    event = Event.objects.published().first()
    event.title = "A title written since"
    event.save()


def retract_an_event_by_update():
    Event.objects.published().filter(pk=Event.objects.published().first().pk).update(status=Status.RETRACTED)


def add_a_participant():
    make_participant(event=Event.objects.published().first(), person=named_person(), role="Witness")


def add_a_citation():
    make_citation(event=Event.objects.published().first(), source=Source.objects.published().first(), quote="Said.")


def free_someone_in_a_release():
    release = Event.objects.published().filter(kind=Event.Kind.RELEASE).first()
    make_released_detention(release=release)


def publish_a_figure():
    measure = Figure.objects.published().first().measure
    make_figure(measure=measure, source=Source.objects.published().first(), value=1234)


def rename_a_measure():
    measure = Figure.objects.published().first().measure
    measure.name = "renamed measure"
    measure.save()


def retitle_a_source():
    source = Source.objects.published().first()
    source.title = "A source retitled"
    source.save()


def rename_an_organisation():
    organisation = Organization.objects.published().first()
    organisation.name = "Renamed organisation"
    organisation.save()


def delete_a_citation():
    Citation.objects.first().delete()


WRITES = [
    withhold_a_person,
    add_a_name_variant,
    add_a_detention,
    retract_a_detention,
    add_a_charge,
    retitle_an_event,
    retract_an_event_by_update,
    add_a_participant,
    add_a_citation,
    free_someone_in_a_release,
    publish_a_figure,
    rename_a_measure,
    retitle_a_source,
    rename_an_organisation,
    delete_a_citation,
]


@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.__name__)
def test_after_a_write_every_page_served_is_the_page_computed_afresh(client, belarus, write):
    addresses = pages()
    for address in addresses:
        assert client.get(address).status_code == 200  # now cached
    write()
    served = {address: client.get(address) for address in addresses}
    cache.clear()
    for address in addresses:
        fresh = client.get(address)
        assert served[address].status_code == fresh.status_code, address
        assert served[address].content == fresh.content, f"{address} served stale after {write.__name__}"


def page_is_computed(client, address, monkeypatch):
    """Whether a GET of the address computes the page (True) or serves it from the cache (False)."""
    from tracker import caching

    computed = []
    real = caching.compute_noting_tables
    monkeypatch.setattr(caching, "compute_noting_tables", lambda compute: (computed.append(1), real(compute))[1])
    assert client.get(address).status_code == 200
    monkeypatch.setattr(caching, "compute_noting_tables", real)
    return bool(computed)


def test_a_published_figure_leaves_the_registry_cached(client, belarus, monkeypatch):
    person = Person.objects.listed().filter(detentions__status=Status.PUBLISHED).first()
    for address in ("/prisoners/", "/prisoners/?status=held", f"/prisoners/{person.uid}/", "/figures/"):
        client.get(address)
    publish_a_figure()
    assert not page_is_computed(client, "/prisoners/", monkeypatch)
    assert not page_is_computed(client, "/prisoners/?status=held", monkeypatch)
    assert not page_is_computed(client, f"/prisoners/{person.uid}/", monkeypatch)
    assert page_is_computed(client, "/figures/", monkeypatch)


def test_a_new_detention_leaves_the_timeline_cached(client, belarus, monkeypatch):
    client.get("/timeline/")
    client.get("/releases/")
    add_a_detention()
    assert not page_is_computed(client, "/timeline/", monkeypatch)
    assert page_is_computed(client, "/prisoners/", monkeypatch)


def test_a_draft_edit_moves_nothing(client, belarus, monkeypatch):
    for address in pages():
        client.get(address)
    draft = Event.objects.filter(status=Status.DRAFT).first() or Event.objects.create(
        kind=Event.Kind.MEETING, title="A draft", occurred_on=datetime.date(2026, 1, 1), status=Status.DRAFT
    )
    draft.title = "A draft, edited"
    draft.save()
    for address in pages():
        assert not page_is_computed(client, address, monkeypatch), address


def test_pages_go_out_compressed_to_clients_that_accept_gzip(client, belarus):
    import gzip

    plain = client.get("/prisoners/")
    for _ in range(2):  # computed, then served from the cache
        packed = client.get("/prisoners/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert packed["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in packed["Vary"]
        assert gzip.decompress(packed.content) == plain.content
        # Compressed (at GZIP_LEVEL 3 this 5 kB page is a third of its size; the test asks for less than half).
        assert len(packed.content) < len(plain.content) / 2
    # And to a client that does not, as it was made.
    again = client.get("/prisoners/")
    assert not again.has_header("Content-Encoding") and again.content == plain.content


def test_measure_and_release_models_are_versioned():
    """Every record model's table is numbered: a page that reads any of them can be told it went stale."""
    from tracker.publishing import versioned_tables

    tables = versioned_tables()
    for model in (Person, NameVariant, Detention, Event, Participant, Citation, ReleasedDetention, Figure, Measure):
        assert model._meta.db_table in tables


# Tables of the record apps that hold no public data of their own: bookkeeping and history.
NOT_DATA = {"tracker_dataversion", "tracker_tableversion"}


def test_every_table_a_page_can_read_is_numbered_or_kept_from_numbered_ones():
    """A census: a table of the record apps is a record table (numbered), derived from record tables
    (tracker.caching.derived_table), history, or bookkeeping. A new table must be one of them, or a page
    read from it would be cached with nothing that tells it went stale."""
    from django.db import connection

    from tracker import caching
    from tracker.publishing import versioned_tables

    prefixes = {table.split("_", 1)[0] for table in versioned_tables()}
    tables = [t for t in connection.introspection.table_names() if t.split("_", 1)[0] in prefixes]
    unknown = [
        table
        for table in tables
        if table not in versioned_tables()
        and table not in caching.derived_tables()
        and table not in NOT_DATA
        and not table.split("_", 1)[1].startswith("historical")
        # An FTS5 table's own shadow tables (tracker_person_search_data, …).
        and not any(table.startswith(f"{derived}_") for derived in caching.derived_tables())
    ]
    assert unknown == []
    for table, sources in caching.derived_tables().items():
        assert sources and sources <= set(versioned_tables()), table


def test_a_value_read_from_a_derived_table_goes_stale_with_the_tables_it_is_kept_from(monkeypatch):
    from tracker import caching
    from tracker.caching import cached, data_changed
    from tracker.publishing import DataVersion

    # Any table will do for the test: here the data version's stands for one kept from the people's.
    monkeypatch.setitem(caching._derived, "tracker_dataversion", frozenset({"tracker_person"}))
    calls = []

    def compute():
        calls.append(1)
        return DataVersion.objects.count()

    cached("derived", compute)
    data_changed(model=Figure)
    cached("derived", compute)
    assert len(calls) == 1
    data_changed(model=Person)
    cached("derived", compute)
    assert len(calls) == 2
