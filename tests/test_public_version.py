"""Only changes to what the public sees move the public data version (issue #13, hole 8).

The cache of public pages is keyed by the data version, and a feed entry's
"updated" (with the feed's Last-Modified) comes from Event.public_updated_at.
If either moved with every write, an outsider timing a page (a cache miss is
thirty times slower) or reading a feed would learn when editors work on
drafts and internal notes.
"""

import datetime

import pytest
from django.test import Client

from events.models import Citation, Event
from tests.factories import make_citation, make_detention, make_event, make_person, make_source
from tracker.models import Person
from tracker.publishing import DataVersion, Status

pytestmark = pytest.mark.django_db


def version():
    return DataVersion.objects.get(pk=1).number


def feed(client):
    response = client.get("/feeds/timeline.atom")
    assert response.status_code == 200
    return response["Last-Modified"], response.content


def save(record, **fields):
    for name, value in fields.items():
        setattr(record, name, value)
    record.save()


# Writes the public cannot see leave the version where it is.


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.RETRACTED, Status.PUBLISHED])
def test_internal_notes_never_move_the_version(status):
    event = make_event(status=status)
    before = version()

    save(event, internal_notes="Called the embassy; waiting for an answer.")
    Event.objects.filter(pk=event.pk).update(internal_notes="Bulk note.")

    assert version() == before


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.RETRACTED])
def test_any_edit_of_a_record_the_public_does_not_see_leaves_the_version(status):
    event = make_event(status=status)
    person = make_person(status=status)
    detention = make_detention(person=person, status=status)
    source = make_source(status=status)
    before = version()

    save(event, title="A new title", summary="A new summary")
    save(person, name="Another Name", birth_year=1970)
    save(detention, facility="Colony 3")
    Event.objects.filter(pk=event.pk).update(title="Retitled in bulk")
    make_citation(event=event, source=source, quote="A sentence.")
    Citation.objects.filter(event=event).delete()
    Event.objects.bulk_create(
        [Event(kind="meeting", title="A draft in bulk", occurred_on=datetime.date(2025, 1, 1), status=status)]
    )
    Event.objects.filter(pk=event.pk).delete()

    assert version() == before


def test_a_draft_child_of_a_published_record_edited_alone_leaves_the_version():
    source = make_source(status=Status.DRAFT)
    event = make_event(status=Status.PUBLISHED)
    before = version()

    # A citation of a draft source is not public (Citation.published()).
    citation = make_citation(event=event, source=source)
    save(citation, quote="Changed while the source is a draft.")

    assert version() == before


def written_long_ago(event):
    """The event as if written (and last changed in public) on 1 January 2025."""
    stamps = {f.name for f in Event._meta.concrete_fields} & {"created_at", "updated_at", "public_updated_at"}
    Event._base_manager.filter(pk=event.pk).update(
        **dict.fromkeys(stamps, datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
    )


def test_internal_notes_of_a_published_event_leave_its_feed_entry_and_last_modified():
    event = make_event(status=Status.PUBLISHED, title="Envoy meets president")
    make_citation(event=event)
    written_long_ago(event)
    before = feed(Client())

    save(Event.objects.get(pk=event.pk), internal_notes="Ask the press office for the photo.")

    assert before[0].endswith("2025 00:00:00 GMT")
    assert feed(Client()) == before


# Writes the public sees move it, whichever way they are made.


@pytest.mark.parametrize(
    "write",
    [
        lambda event: save(event, title="Retitled in the admin"),
        lambda event: Event.objects.filter(pk=event.pk).update(title="Retitled in bulk"),
        lambda event: event.apply_transition("retract"),
        lambda event: event.delete(),
        lambda event: Event.objects.filter(pk=event.pk).delete(),
        lambda event: make_citation(event=event, quote="A new quote."),
        lambda event: Event.objects.bulk_create(
            [Event(kind="meeting", title="Published in bulk", occurred_on=event.occurred_on, status=Status.PUBLISHED)]
        ),
    ],
    ids=["save", "queryset update", "retract", "delete", "queryset delete", "new public child", "bulk_create"],
)
def test_every_public_write_moves_the_version(write):
    event = make_event(status=Status.PUBLISHED)
    before = version()

    write(event)

    assert version() > before


def test_publishing_moves_the_version_and_the_feed_entry():
    event = make_event(status=Status.DRAFT, title="Envoy meets president")
    make_citation(event=event)
    Event.objects.filter(pk=event.pk).update(public_updated_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
    before = version()

    event.apply_transition("publish")

    assert version() > before
    event.refresh_from_db()
    assert event.public_updated_at.year > 2025


def test_a_public_change_of_a_published_event_moves_its_feed_entry():
    event = make_event(status=Status.PUBLISHED, title="Envoy meets president")
    Event.objects.filter(pk=event.pk).update(public_updated_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))

    save(Event.objects.get(pk=event.pk), summary="They met for three hours.")

    assert Event.objects.get(pk=event.pk).public_updated_at.year > 2025


def test_withholding_a_published_person_moves_the_version():
    person = make_person(status=Status.PUBLISHED, identity_level=Person.IdentityLevel.FULL)
    before = version()

    save(person, identity_level=Person.IdentityLevel.WITHHELD)

    assert version() > before


def test_editing_a_draft_does_not_empty_the_page_cache(client, django_assert_num_queries):
    make_event(status=Status.PUBLISHED, title="Envoy meets president")
    draft = make_event(status=Status.DRAFT)
    client.get("/releases/")

    save(draft, internal_notes="Check the date.", title="Still a draft")

    with django_assert_num_queries(1):  # the data version; the page itself from the cache
        client.get("/releases/")
