"""Hole 7: a source whose only public tie is people the public may not see named is never listed.

Such a source is an article about a withheld (or initials-only) person: listed
on /sources/ with its link and "Detentions documented: 0", it points at the
person the registry hides. It stays published for the editors and unlisted
for the public (SourceQuerySet.published()), and follows the person's level:
a withdrawn consent unlists it at once, everywhere. A public record citing
it (a published event's citation, a published figure) lists it, whoever it
names: tests/test_cited_hidden_sources.py.
"""

import pytest

from tests.factories import make_citation, make_detention, make_event, make_organization, make_person, make_source
from tracker.models import DetentionSource, Person, Source

pytestmark = pytest.mark.django_db


def documenting(*people, **source):
    article = make_source(**source)
    for person in people:
        DetentionSource.objects.create(detention=make_detention(person=person), source=article)
    return article


def shown_everywhere(client, source):
    """Whether each public list of sources shows the source: page, CSV, API list and API record."""
    return {
        "page": source.title in client.get("/sources/").content.decode(),
        "csv": source.title in b"".join(client.get("/sources.csv").streaming_content).decode(),
        "api": str(source.uid) in client.get("/api/v1/sources/").content.decode(),
        "record": client.get(f"/api/v1/sources/{source.uid}/").status_code == 200,
        "package": source.title in b"".join(client.get("/data/package/sources.csv").streaming_content).decode(),
    }


EVERYWHERE = {"page": True, "csv": True, "api": True, "record": True, "package": True}
NOWHERE = {"page": False, "csv": False, "api": False, "record": False, "package": False}


@pytest.mark.parametrize("level", ["withheld", "initials"])
def test_a_source_documenting_only_protected_people_is_not_listed(client, level):
    protected = make_person(name="Anna Mirrorfield", identity_level=level)
    article = documenting(protected, title="Verdict in the Mirrorfield case")
    assert shown_everywhere(client, article) == NOWHERE
    assert article not in Source.objects.published()
    # Published all the same: the editors' record of it is untouched.
    assert Source.objects.get(pk=article.pk).status == "published"


def test_a_source_documenting_a_named_person_too_is_listed(client):
    article = documenting(
        make_person(name="Anna Mirrorfield", identity_level="withheld"),
        make_person(name="Ales Bialiatski"),
        title="Verdicts of the week",
    )
    assert shown_everywhere(client, article) == EVERYWHERE


def test_a_source_documenting_nobody_is_listed_as_before(client):
    assert shown_everywhere(client, make_source(title="Envoy meets president")) == EVERYWHERE


def test_a_draft_detention_of_a_named_person_does_not_list_it(client):
    article = documenting(make_person(name="Anna Mirrorfield", identity_level="withheld"), title="Verdict")
    DetentionSource.objects.create(
        detention=make_detention(person=make_person(name="Ales Bialiatski"), status="draft"), source=article
    )
    assert shown_everywhere(client, article) == NOWHERE


def test_withdrawn_consent_unlists_the_source_at_once(client):
    person = make_person(name="Anna Mirrorfield")
    article = documenting(person, title="Verdict in the Mirrorfield case")
    assert shown_everywhere(client, article) == EVERYWHERE

    Person.objects.filter(pk=person.pk).update(identity_level="withheld")

    assert shown_everywhere(client, article) == NOWHERE


def test_withdrawn_consent_leaves_a_cited_source_listed(client):
    person = make_person(name="Anna Mirrorfield")
    article = documenting(person, title="Verdicts of the week")
    make_citation(event=make_event(title="Court week"), source=article)

    Person.objects.filter(pk=person.pk).update(identity_level="withheld")

    assert shown_everywhere(client, article) == EVERYWHERE


def test_a_publisher_of_unlisted_sources_only_is_no_choice(client):
    court = make_organization(name="Court News Agency")
    documenting(make_person(identity_level="withheld"), title="Verdict", publisher=court)
    assert "Court News Agency" not in client.get("/sources/").content.decode()
