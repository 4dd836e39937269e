"""Withdrawn consent reaches text already public, at once (tracker/withholding.py; issue #13, holes 2 and 5).

When a person's protection is raised, every published record whose public
text names them goes back to In review in the same transaction, with a
history reason that does not name them; every output stops showing it; the
Editor is told which records to edit; publishing refuses them until the
text no longer names the person. Withdrawing is never refused.
"""

import pytest
from django.core.exceptions import ValidationError

from events.models import Event, Figure
from tests.admin_pages import admin_url, form_data
from tests.factories import (
    make_charge,
    make_citation,
    make_detention,
    make_event,
    make_figure,
    make_measure,
    make_name_variant,
    make_organization,
    make_participant,
    make_person,
    make_release,
    make_released_detention,
    make_source,
)
from tracker.models import Detention, Organization, Person, Source
from tracker.publishing import DataVersion, Status
from tracker.withholding import REASON

pytestmark = pytest.mark.django_db

WITHHELD, INITIALS, FULL = "withheld", "initials", "full"
OUTPUTS = [
    "/timeline/",
    "/timeline.csv",
    "/api/v1/events/",
    "/feeds/timeline.atom",
    "/data/package/timeline.csv",
]


def text(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def version():
    return DataVersion.objects.get(pk=1).number


@pytest.fixture
def maria_in_a_summary(db):
    """The reviewer's scenario: a person named in full, and a published, cited event naming her."""
    maria = make_person(name="Maria Freed")
    event = make_event(title="Exchange in Vilnius", summary="Maria Freed was among those freed.")
    make_citation(event=event)
    return maria, event


@pytest.mark.parametrize("level", [WITHHELD, INITIALS])
def test_withdrawing_consent_takes_the_text_off_every_output_at_once(client, maria_in_a_summary, level):
    maria, event = maria_in_a_summary
    outputs = [event.get_absolute_url(), *OUTPUTS]
    assert all("Maria Freed" in text(client, path) for path in outputs)
    before = version()

    maria.identity_level = level
    maria.save()  # the family withdraws consent: never refused

    leaks = [path for path in outputs[1:] if "Freed" in text(client, path)]
    assert leaks == []
    assert client.get(event.get_absolute_url()).status_code == 404
    event.refresh_from_db()
    assert event.status == Status.IN_REVIEW
    assert version() > before
    assert maria.taken_down == [event]


def test_the_history_says_why_without_naming_her(maria_in_a_summary):
    maria, event = maria_in_a_summary
    maria.identity_level = WITHHELD
    maria.save()
    latest = event.history.order_by("-history_id").first()
    assert latest.status == Status.IN_REVIEW
    assert latest.history_change_reason == REASON
    assert "Maria" not in REASON and "Freed" not in REASON


def test_publishing_refuses_the_text_until_it_no_longer_names_her(maria_in_a_summary):
    maria, event = maria_in_a_summary
    maria.identity_level = WITHHELD
    maria.save()
    event.refresh_from_db()
    with pytest.raises(ValidationError):
        event.apply_transition("publish")
    event.summary = "A person whose name is withheld was among those released."
    event.save()
    event.apply_transition("publish")
    assert Event.objects.published().filter(pk=event.pk).exists()


def test_records_not_naming_her_stay_published(maria_in_a_summary):
    maria, event = maria_in_a_summary
    other = make_event(title="Talks in Minsk", summary="Freedom was discussed.")
    make_citation(event=other)
    maria.identity_level = WITHHELD
    maria.save()
    other.refresh_from_db()
    assert other.status == Status.PUBLISHED
    assert maria.taken_down == [event]


def test_less_protection_takes_nothing_down(login, editor):
    ihar = make_person(name="Ihar Shown", identity_level=INITIALS)
    event = make_event(title="Release", summary="52 people were freed.")
    make_citation(event=event)
    before = version()
    ihar.show_more(FULL, by=editor, reason="the family agreed")
    ihar.save()
    event.refresh_from_db()
    assert event.status == Status.PUBLISHED
    assert getattr(ihar, "taken_down", None) is None
    # Nor does a save that keeps the level.
    ihar.region = "Minsk"
    ihar.save()
    assert getattr(ihar, "taken_down", None) is None
    assert version() > before  # her own page changed, nothing else


def test_every_kind_of_public_text_is_taken_down(db):
    anna = make_person(name="Anna Mirrorfield")
    event_title = make_event(title="Mirrorfield freed")
    make_citation(event=event_title)
    citation = make_citation(event=make_event(title="Citation"), quote="Mirrorfield was freed.")
    participant = make_participant(event=make_event(title="Participant"), role="wife of Mirrorfield")
    release = make_release(event=make_event(kind="release", title="Release"), destination="Vilnius, with Mirrorfield")
    figure = make_figure(quote="52, among them Anna Mirrorfield")
    source = make_source(title="Interview with Mirrorfield's mother")
    husband = make_person(name="Piotr Openov", description="Husband of Anna Mirrorfield")
    charged = make_detention(person=make_person(name="Ivan Openov"))
    make_charge(detention=charged, description="organised a protest with Mirrorfield")
    sentenced = make_detention(person=make_person(name="Olga Openova"), sentence="3 years, like Mirrorfield")
    organisation = make_organization(name="Free Mirrorfield Campaign")
    measure_figure = make_figure(measure=make_measure(definition="People freed with Anna Mirrorfield."))
    # Text the public does not see is left alone: an initials person's charge, a link's note.
    hidden = make_detention(person=make_person(name="Ihar Shown", identity_level=INITIALS))
    make_charge(detention=hidden, description="organised a protest with Mirrorfield")
    make_person(name="Kira Initialled", identity_level=INITIALS, description="Sister of Mirrorfield")

    anna.identity_level = WITHHELD
    anna.save()

    expected = {
        (Event, event_title.pk),
        (Event, citation.event_id),
        (Event, participant.event_id),
        (Event, release.event_id),
        (Figure, figure.pk),
        (Source, source.pk),
        (Person, husband.pk),
        (Detention, charged.pk),
        (Detention, sentenced.pk),
        (Organization, organisation.pk),
        (Figure, measure_figure.pk),
    }
    assert {(type(record), record.pk) for record in anna.taken_down} == expected
    for model, pk in expected:
        assert model.objects.get(pk=pk).status == Status.IN_REVIEW, model


def test_a_taken_down_release_gives_back_the_detentions_it_ended(db):
    maria = make_person(name="Maria Freed")
    release = make_event(kind="release", title="Maria Freed released", status=Status.DRAFT)
    make_citation(event=release)
    released = make_released_detention(release=release, detention=make_detention(person=make_person()))
    release.apply_transition("publish")  # ends the detention
    released.refresh_from_db()
    assert released.ended_detention
    maria.identity_level = WITHHELD
    maria.save()
    released.refresh_from_db()
    assert not released.ended_detention
    assert released.detention.custody_status == Detention.CustodyStatus.HELD


def test_a_name_variant_is_matched_too(db):
    maria = make_person(name="Maria Freed")
    make_name_variant(person=maria, name="Марыя Фрыд", script="Cyrl")
    event = make_event(title="Вызваленне", summary="Марыя Фрыд на волі.")
    make_citation(event=event)
    maria.identity_level = WITHHELD
    maria.save()
    event.refresh_from_db()
    assert event.status == Status.IN_REVIEW


def test_a_person_named_in_full_who_shares_the_surname_explains_it(db):
    anna = make_person(name="Anna Mirrorfield")
    make_person(name="Piotr Mirrorfield")
    event = make_event(title="Statement", summary="Piotr Mirrorfield calls for talks.")
    make_citation(event=event)
    anna.identity_level = WITHHELD
    anna.save()
    event.refresh_from_db()
    assert event.status == Status.PUBLISHED


def test_the_admin_tells_the_editor_which_records_were_taken_down(maria_in_a_summary, login, editor):
    maria, event = maria_in_a_summary
    browser = login(editor)
    url = admin_url(Person, "change", maria.pk)
    response = browser.post(url, form_data(browser.get(url), identity_level=WITHHELD), follow=True)
    assert response.status_code == 200
    maria.refresh_from_db()
    assert maria.identity_level == WITHHELD
    shown = " ".join(str(message) for message in response.context["messages"])
    assert "so each was taken off the public site and is now in review" in shown
    assert admin_url(Event, "change", event.pk) in shown
    event.refresh_from_db()
    assert event.status == Status.IN_REVIEW
