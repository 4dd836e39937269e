"""Issue #15 point 9: on save, the admin says which figure heads its number now and why, and warns of a ranking
that looks like a slip: two figures marked Preferred, or a newer figure below an older Preferred one."""

import datetime

import pytest

from events.models import Figure, Measure
from tests.admin_pages import messages_of, post_add_form, post_change_form, post_transition
from tests.factories import make_citation, make_event, make_figure, make_measure, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def held():
    return make_measure(name="political prisoners held", kind=Measure.Kind.STOCK)


def add_figure(admin_client, measure, **fields):
    fields = {
        "measure": measure.pk,
        "source": make_source().pk,
        "country": "BY",
        "qualifier": "approximately",
        **fields,
    }
    response = post_add_form(admin_client, Figure, **fields)
    assert response.status_code == 302, response.content.decode()[:3000]
    return messages_of(response)


def publish(admin_client, measure, **fields):
    """A figure entered as a draft, then published through the admin, as an Editor does: what the admin said."""
    draft = make_figure(measure=measure, status="draft", qualifier="approximately", **fields)
    response = post_transition(admin_client, draft, "publish")
    assert response.status_code == 302
    return messages_of(response)


def test_saving_says_which_figure_heads_the_number_and_why(admin_client, held):
    make_figure(measure=held, value=1200, as_of_on=datetime.date(2025, 12, 12))
    said = publish(admin_client, held, value=1150, as_of_on=datetime.date(2026, 11, 30))
    assert (
        "The headline of “political prisoners held” in Belarus is about 1,150 political prisoners held "
        "(as of 30 November 2026) (this figure): no figure is marked Preferred, and it is the most recent."
    ) in said
    assert not [message for message in said if "stays below" in message or "are marked Preferred" in message]


def test_a_newer_figure_below_an_older_preferred_one_is_pointed_out(admin_client, held):
    make_figure(measure=held, value=1200, as_of_on=datetime.date(2025, 12, 12), rank="preferred")
    said = publish(admin_client, held, value=1150, as_of_on=datetime.date(2026, 11, 30))
    assert (
        "The headline of “political prisoners held” in Belarus is about 1,200 political prisoners held "
        "(as of 12 December 2025): it is marked Preferred."
    ) in said
    assert (
        "A more recent published figure of “political prisoners held” in Belarus stays below the Preferred one: "
        "about 1,150 political prisoners held (as of 30 November 2026). If it should be the headline, mark it "
        "Preferred (and the older one Normal); if not, it stays as it is."
    ) in said


def test_two_preferred_figures_are_pointed_out(admin_client, held):
    make_figure(measure=held, value=1200, as_of_on=datetime.date(2025, 12, 12), rank="preferred")
    said = publish(admin_client, held, value=1150, as_of_on=datetime.date(2026, 11, 30), rank="preferred")
    assert any("it is the most recent of the 2 figures marked Preferred." in message for message in said)
    assert any(
        message.startswith("2 published figures of “political prisoners held” in Belarus are marked Preferred.")
        and "the others are about 1,200 political prisoners held (as of 12 December 2025)" in message
        for message in said
    )


def test_a_draft_is_told_it_cannot_head_the_number_yet(admin_client, held):
    said = add_figure(admin_client, held, value=1150, as_of_on="2026-11-30")
    assert (
        "This figure is draft: it is not public, and cannot head “political prisoners held” in Belarus until it "
        "is published."
    ) in said
    assert (
        "No published figure of “political prisoners held” in Belarus yet: the public pages show no headline for it."
        in said
    )


def test_publishing_says_it_too(admin_client, held):
    make_figure(measure=held, value=1200, as_of_on=datetime.date(2025, 12, 12))
    draft = make_figure(measure=held, value=1150, as_of_on=datetime.date(2026, 11, 30), status="draft")
    response = post_transition(admin_client, draft, "publish")
    assert any(
        "is about 1,150 political prisoners held (as of 30 November 2026) (this figure)" in m
        for m in messages_of(response)
    )


def test_an_events_count_is_ranked_against_that_events_other_reports_only(admin_client):
    released = make_measure(name="people released", kind=Measure.Kind.PER_EVENT)
    september, december = (
        make_event(kind="release", title="September release"),
        make_event(kind="release", title="December release"),
    )
    for event in (september, december):
        make_citation(event=event)
    make_figure(measure=released, event=december, value=30, as_of_on=datetime.date(2025, 12, 1))
    said = publish(admin_client, released, value=52, as_of_on=datetime.date(2025, 9, 11), event=september)
    assert "The headline of “people released” in “September release” is about 52 people released" in " ".join(said)
    # The December release's count is another number, not a newer report of this one.
    assert not [message for message in said if "stays below" in message]


def test_a_change_says_it_again(admin_client, held):
    figure = make_figure(measure=held, value=1200, as_of_on=datetime.date(2025, 12, 12))
    response = post_change_form(admin_client, figure, value=1250)
    assert response.status_code == 302
    assert any("is about 1,250 political prisoners held" in message for message in messages_of(response))
