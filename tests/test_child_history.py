"""A record's history page also shows the changes to the rows edited inside its page."""

import pytest

from tests.factories import (
    make_citation,
    make_detention,
    make_event,
    make_name_variant,
    make_person,
    make_source,
    make_user,
)
from tracker.roles import EDITOR

pytestmark = pytest.mark.django_db


def test_event_history_shows_its_citations_changes(client):
    event = make_event(title="Coale meets Lukashenko")
    citation = make_citation(event=event, source=make_source(title="Report"), quote="first words")
    citation.quote = "second words"
    citation.save()
    client.force_login(make_user(EDITOR))
    html = client.get(f"/admin/events/event/{event.pk}/history/").content.decode()
    assert "Changes to the rows edited on this page" in html
    assert "<strong>quote</strong>: first words → second words" in html
    assert html.count("citation: Report → Coale meets Lukashenko") == 2  # added, then changed


def test_person_history_shows_name_variants_and_detentions(client):
    person = make_person(name="Ales Testovich")
    variant = make_name_variant(person=person, name="Алесь Тэстовіч")
    make_detention(person=person, facility="Colony 1")
    variant.delete()
    client.force_login(make_user(EDITOR))
    html = client.get(f"/admin/tracker/person/{person.pk}/history/").content.decode()
    assert "name variant: Алесь Тэстовіч" in html
    assert "Deleted" in html and "Added" in html
    assert "detention: Ales Testovich" in html
