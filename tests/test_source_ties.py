"""The sources' ties kept by the database (migration tracker 0009) give the rule's reference answer, after any writes.

Which sources are listed (tracker.models.sources.listed_source) and how many
named detentions each documents are read from tracker_sourcetie, kept by
triggers in the transaction of each write. Hypothesis writes sequences on
every path (save, QuerySet.update, bulk_create, delete, a raw save as loaddata
and restore do, raw SQL; withholding a person, retracting a detention, a
citation's event, a figure, an event); after each, the listed sources and
their counts must equal what listed_source_from_records() and a count over the
detentions give, and /sources/ must list exactly those.
"""

import pytest
from django.core import serializers
from django.db import connection
from django.db.models import Count, Q
from hypothesis import given
from hypothesis import strategies as st

from events.models import Citation, Event, Figure
from events.sources import with_cited_facts
from tests.factories import make_citation, make_detention, make_event, make_figure, make_person, make_source
from tests.kept_contracts import (
    INDEX,
    LEVELS,
    PERSON_WRITE_NAMES,
    PERSON_WRITES,
    STATUSES,
    contract,
    pick,
    write_person,
)
from tracker.models import Detention, DetentionSource, Person, Source, named_person
from tracker.models.sources import listed_source_from_records
from tracker.publishing import Status

pytestmark = pytest.mark.django_db


WRITES = st.one_of(
    st.tuples(st.just("link"), INDEX, INDEX),
    st.tuples(st.just("bulk_link"), INDEX, INDEX),
    st.tuples(st.just("unlink"), INDEX),
    st.tuples(st.just("move_link"), INDEX, INDEX),
    st.tuples(st.just("detention"), INDEX, STATUSES),
    st.tuples(st.just("detention_status"), INDEX, STATUSES),
    st.tuples(st.just("detention_save"), INDEX, STATUSES),
    st.tuples(st.just("move_detention"), INDEX, INDEX),
    st.tuples(st.just("delete_detention"), INDEX),
    *PERSON_WRITES,
    st.tuples(st.just("cite"), INDEX, INDEX),
    st.tuples(st.just("uncite"), INDEX),
    st.tuples(st.just("event_status"), INDEX, STATUSES),
    st.tuples(st.just("event_save"), INDEX, STATUSES),
    st.tuples(st.just("figure"), INDEX, INDEX, st.booleans(), STATUSES),
    st.tuples(st.just("figure_status"), INDEX, STATUSES),
    st.tuples(st.just("delete_figure"), INDEX),
    st.tuples(st.just("source_status"), INDEX, STATUSES),
    st.tuples(st.just("reload_link"), INDEX),
    st.tuples(st.just("reload_citation"), INDEX),
)


def reference():
    """{source pk: named detentions} of the sources listed, asked of the records (the rule before the kept table)."""
    listed = Source.objects.filter(listed_source_from_records())
    named = (
        DetentionSource.objects.published()
        .filter(named_person("detention__person__"))
        .values("source")
        .annotate(count=Count("pk"))
    )
    counts = {row["source"]: row["count"] for row in named}
    return {pk: counts.get(pk, 0) for pk in listed.values_list("pk", flat=True)}


def fast():
    """The same, as the pages, downloads and API read it: published() and with_cited_facts()."""
    return {source.pk: source.named_detentions for source in with_cited_facts(Source.objects.published())}


def reload(row):
    # As loaddata and restore write: a raw save of serialized rows, here of a deleted row put back.
    data = serializers.serialize("json", [row])
    row.delete()
    for obj in serializers.deserialize("json", data):
        obj.save()


def write(operation):  # noqa: C901 - one branch per path
    name, *args = operation
    people, sources = Person.objects.all(), Source.objects.all()
    detentions, links = Detention.objects.all(), DetentionSource.objects.all()
    if name in ("link", "bulk_link", "move_link"):
        target = pick(links if name == "move_link" else detentions, args[0])
        source = pick(sources, args[1])
        if target is None or source is None:
            return
        if name == "move_link":
            if not links.filter(detention=target.detention, source=source).exists():
                DetentionSource.objects.filter(pk=target.pk).update(source=source)
        elif not links.filter(detention=target, source=source).exists():
            if name == "link":
                DetentionSource.objects.create(detention=target, source=source)
            else:
                DetentionSource.objects.bulk_create([DetentionSource(detention=target, source=source)])
    elif name == "unlink":
        link = pick(links, args[0])
        if link is not None:
            link.delete()
    elif name == "detention":
        person = pick(people, args[0])
        if person is not None:
            detention = make_detention(person=person, status=args[1])
            DetentionSource.objects.create(detention=detention, source=pick(sources, args[0]))
    elif name in ("detention_status", "detention_save"):
        detention = pick(detentions, args[0])
        if detention is not None and name == "detention_status":
            Detention.objects.filter(pk=detention.pk).update(status=args[1])
        elif detention is not None:
            detention.status = args[1]
            detention.save()
    elif name == "move_detention":
        detention, person = pick(detentions, args[0]), pick(people, args[1])
        if detention is not None and person is not None:
            Detention.objects.filter(pk=detention.pk).update(person=person)
    elif name == "delete_detention":
        detention = pick(detentions, args[0])
        if detention is not None:
            detention.delete()
    elif name in PERSON_WRITE_NAMES:
        write_person(name, *args)
    elif name == "cite":
        event, source = pick(Event.objects.all(), args[0]), pick(sources, args[1])
        if event is not None and source is not None:
            make_citation(event=event, source=source)
    elif name == "uncite":
        citation = pick(Citation.objects.all(), args[0])
        if citation is not None:
            Citation.objects.filter(pk=citation.pk).delete()
    elif name in ("event_status", "event_save"):
        event = pick(Event.objects.all(), args[0])
        if event is not None and name == "event_status":
            Event.objects.filter(pk=event.pk).update(status=args[1])
        elif event is not None:
            event.status = args[1]
            event.save()
    elif name == "figure":
        source, event = pick(sources, args[0]), pick(Event.objects.all(), args[1])
        if source is not None:
            make_figure(source=source, event=event if args[2] else None, status=args[3])
    elif name == "figure_status":
        figure = pick(Figure.objects.all(), args[0])
        if figure is not None:
            Figure.objects.filter(pk=figure.pk).update(status=args[1])
    elif name == "delete_figure":
        figure = pick(Figure.objects.all(), args[0])
        if figure is not None:
            figure.delete()
    elif name == "source_status":
        source = pick(sources, args[0])
        if source is not None:
            Source.objects.filter(pk=source.pk).update(status=args[1])
    elif name == "reload_link":
        link = pick(links, args[0])
        if link is not None:
            reload(link)
    elif name == "reload_citation":
        citation = pick(Citation.objects.all(), args[0])
        if citation is not None:
            reload(citation)


@contract
@given(
    people=st.lists(st.tuples(LEVELS, STATUSES), min_size=1, max_size=4),
    sources=st.lists(STATUSES, min_size=1, max_size=4),
    events=st.lists(STATUSES, max_size=2),
    writes=st.lists(WRITES, max_size=14),
)
def test_the_kept_ties_give_the_rules_answer_after_writes_on_every_path(people, sources, events, writes):
    Figure.objects.all().delete()
    Citation.objects.all().delete()
    DetentionSource.objects.all().delete()
    Detention.objects.all().delete()
    Person.objects.all().delete()
    Event.objects.all().delete()
    Source.objects.all().delete()
    made = [make_person(identity_level=level, status=status) for level, status in people]
    listed = [make_source(status=status) for status in sources]
    for index, person in enumerate(made):
        DetentionSource.objects.create(detention=make_detention(person=person), source=listed[index % len(listed)])
    for status in events:
        make_event(status=status)
    assert fast() == reference()
    for operation in writes:
        write(operation)
        assert fast() == reference(), operation


def test_the_sources_page_lists_what_the_rule_lists(client):
    named, withheld = make_person(), make_person(identity_level="withheld")
    shown = make_source(title="Named case")
    hidden = make_source(title="Withheld case")
    cited = make_source(title="Cited withheld case")
    for detention, source in [(make_detention(person=named), shown), (make_detention(person=withheld), hidden)]:
        DetentionSource.objects.create(detention=detention, source=source)
    DetentionSource.objects.create(detention=withheld.detentions.get(), source=cited)
    make_citation(source=cited)
    make_source(title="Documents nothing")
    page = client.get("/sources/").content.decode()
    expected = set(Source.objects.filter(listed_source_from_records()).values_list("title", flat=True))
    assert expected == {"Named case", "Cited withheld case", "Documents nothing"}
    for title in expected:
        assert title in page
    assert "Withheld case" not in page
    # Retracting the citation's event unlists the source at once: its only public tie left is the withheld person.
    Event.objects.filter(citations__source=cited).update(status=Status.DRAFT)
    assert "Cited withheld case" not in client.get("/sources/").content.decode()
    assert set(Source.objects.published().values_list("title", flat=True)) == set(
        Source.objects.filter(listed_source_from_records()).values_list("title", flat=True)
    )


def test_the_kept_ties_read_no_detention_on_the_sources_page(client, django_assert_max_num_queries):
    # The listed rule and the named counts read the kept table, never the detentions and their people.
    source = make_source()
    DetentionSource.objects.create(detention=make_detention(), source=source)
    queries = []

    def note(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        assert client.get("/sources/?page=1").status_code == 200
    source_queries = [sql for sql in queries if "tracker_source" in sql and "tracker_sourcetie" in sql]
    assert source_queries, queries
    assert not [sql for sql in source_queries if "tracker_detentionsource" in sql or "tracker_person" in sql]


def test_a_person_withheld_by_a_bulk_update_unlists_only_their_sources():
    people = [make_person() for _ in range(3)]
    sources = [make_source() for _ in people]
    for person, source in zip(people, sources, strict=True):
        DetentionSource.objects.create(detention=make_detention(person=person), source=source)
    Person.objects.filter(pk__in=[people[0].pk, people[1].pk]).update(identity_level="withheld")
    assert set(Source.objects.published()) == {sources[2]} == set(Source.objects.filter(listed_source_from_records()))
    assert Source.objects.filter(~Q(pk__in=Source.objects.published())).count() == 2
