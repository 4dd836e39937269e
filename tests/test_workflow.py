"""The workflow: draft → in review → published → retracted, and back, each step checked."""

import re

import pytest
from django.core.exceptions import ValidationError

from events.models import Event, Figure, Measure
from tests.admin_pages import admin_url, messages_of, post_action, post_transition
from tests.factories import (
    make_citation,
    make_detention,
    make_event,
    make_figure,
    make_measure,
    make_organization,
    make_participant,
    make_person,
    make_source,
    make_user,
)
from tracker.models import Detention, Organization
from tracker.publishing import TRANSITIONS, Status
from tracker.roles import CONTRIBUTOR, EDITOR, VIEWER

pytestmark = pytest.mark.django_db

EVERY_STEP = [(name, status) for name in TRANSITIONS for status in Status.values]


def step_id(step):
    return "-from-".join(step)


def refusal(name, status):
    return f"{TRANSITIONS[name].label} is not possible from “{Status(status).label}”."


# Every transition from every status, on a record that breaks no publishing rule.


@pytest.mark.parametrize("name, status", EVERY_STEP, ids=[step_id(step) for step in EVERY_STEP])
def test_transition_moves_from_its_sources_and_refuses_the_rest(name, status):
    organization = make_organization(status=status)
    transition = TRANSITIONS[name]

    if status in transition.sources:
        organization.apply_transition(name)
        organization.refresh_from_db()
        assert organization.status == transition.target
    else:
        with pytest.raises(ValidationError) as refused:
            organization.apply_transition(name)
        assert refused.value.messages == [refusal(name, status)]
        organization.refresh_from_db()
        assert organization.status == status


def test_the_workflow_is_the_documented_one():
    assert {name: (sorted(t.sources), t.target, t.needs_publish_permission) for name, t in TRANSITIONS.items()} == {
        "submit": (["draft"], "in_review", False),
        "to_draft": (["in_review"], "draft", False),
        "publish": (["draft", "in_review"], "published", True),
        "retract": (["published"], "retracted", True),
        "reopen": (["retracted"], "draft", True),
    }


@pytest.mark.parametrize("name, status", EVERY_STEP, ids=[step_id(step) for step in EVERY_STEP])
def test_transition_button_reports_what_happened(login, editor, name, status):
    organization = make_organization(status=status)

    response = post_transition(login(editor), organization, name)

    assert response.status_code == 302
    assert response["Location"] == admin_url(Organization, "change", organization.pk)
    organization.refresh_from_db()
    if status in TRANSITIONS[name].sources:
        assert messages_of(response) == [f"{TRANSITIONS[name].label}: done for 1 organisation."]
        assert organization.status == TRANSITIONS[name].target
    else:
        assert messages_of(response) == [f"“{TRANSITIONS[name].label}” refused: {refusal(name, status)}"]
        assert organization.status == status


def test_transition_url_refuses_get(login, editor):
    organization = make_organization(status=Status.DRAFT)

    response = login(editor).get(admin_url(Organization, "transition", organization.pk))

    assert response.status_code == 405


def test_unknown_transition_is_forbidden(login, editor):
    organization = make_organization(status=Status.DRAFT)

    response = post_transition(login(editor), organization, "delete")

    assert response.status_code == 403


@pytest.mark.parametrize("name", ["publish", "retract", "reopen"])
def test_contributor_may_not_use_the_editors_transitions(login, contributor, name):
    sources = sorted(TRANSITIONS[name].sources)
    organization = make_organization(status=sources[0])

    response = post_transition(login(contributor), organization, name)

    assert response.status_code == 403
    organization.refresh_from_db()
    assert organization.status == sources[0]


# Publishing rules: each refuses with a sentence that names the rule.


def event_without_citation():
    return make_event(status=Status.DRAFT, title="Coale meets Lukashenko")


def event_citing_a_draft_source():
    event = make_event(status=Status.DRAFT, title="Coale meets Lukashenko")
    make_citation(event=event, source=make_source(status=Status.DRAFT))
    return event


def figure_of_a_draft_source():
    return make_figure(status=Status.DRAFT, source=make_source(status=Status.DRAFT, title="Viasna monthly report"))


def figure_of_a_draft_event():
    return make_figure(
        status=Status.DRAFT,
        measure=make_measure(kind=Measure.Kind.PER_EVENT),
        event=make_event(status=Status.DRAFT, title="Release of 52 detainees"),
    )


def flow_figure_without_period():
    return make_figure(status=Status.DRAFT, measure=make_measure(kind=Measure.Kind.FLOW))


def per_event_figure_without_event():
    return make_figure(status=Status.DRAFT, measure=make_measure(kind=Measure.Kind.PER_EVENT))


def detention_of_a_draft_person():
    return make_detention(status=Status.DRAFT, person=make_person(status=Status.DRAFT, name="Ihar Losik"))


PUBLISHING_RULES = {
    "event without citation": (
        event_without_citation,
        lambda event: "“Coale meets Lukashenko” cites no source: add a citation first.",
    ),
    "event citing only a draft source": (
        event_citing_a_draft_source,
        lambda event: (
            f"“Coale meets Lukashenko” cites no published source yet: publish “{event.citations.get().source}” first."
        ),
    ),
    "figure with a draft source": (
        figure_of_a_draft_source,
        lambda figure: f"{figure}: Its source “Viasna monthly report” is not published yet.",
    ),
    "figure whose event is draft": (
        figure_of_a_draft_event,
        lambda figure: f"{figure}: Its event “Release of 52 detainees” is not published yet.",
    ),
    "flow figure without a period": (
        flow_figure_without_period,
        lambda figure: f"{figure}: This measure counts over a period: say since when.",
    ),
    "per-event figure without an event": (
        per_event_figure_without_event,
        lambda figure: f"{figure}: This measure counts one event: choose the event.",
    ),
    "detention whose person is draft": (
        detention_of_a_draft_person,
        lambda detention: f"{detention}: publish the person first (their name shows as their identity level allows).",
    ),
}


@pytest.mark.parametrize("rule", list(PUBLISHING_RULES))
def test_publishing_refuses_a_record_that_breaks_a_rule(rule):
    make_row, message = PUBLISHING_RULES[rule]
    row = make_row()

    with pytest.raises(ValidationError) as refused:
        row.apply_transition("publish")

    assert refused.value.messages == [message(row)]
    row.refresh_from_db()
    assert row.status == Status.DRAFT


@pytest.mark.parametrize("rule", list(PUBLISHING_RULES))
def test_publish_action_names_the_rule(login, editor, rule):
    make_row, message = PUBLISHING_RULES[rule]
    row = make_row()

    response = post_action(login(editor), type(row), "publish", [row])

    assert messages_of(response) == [f"“Publish” refused: {message(row)}"]
    row.refresh_from_db()
    assert row.status == Status.DRAFT


def test_event_citing_a_published_source_publishes():
    event = make_event(status=Status.DRAFT, title="Coale meets Lukashenko")
    make_citation(event=event)

    event.apply_transition("publish")

    assert event.status == Status.PUBLISHED


def test_event_citing_a_draft_source_beside_a_published_one_waits_for_it():
    # Published, it would show the published source and leave the draft one out without a word (issue #15 point 11).
    event = event_citing_a_draft_source()
    make_citation(event=event)
    draft = event.citations.get(source__status=Status.DRAFT).source

    with pytest.raises(ValidationError) as refused:
        event.apply_transition("publish")
    assert refused.value.messages == [
        f"“{event}” would show the source “{draft}”, which is still a draft: publish it first, or take it out."
    ]
    draft.apply_transition("publish")
    event.apply_transition("publish")
    assert event.status == Status.PUBLISHED


def test_figure_publishes_once_its_source_and_event_are_published():
    figure = figure_of_a_draft_event()
    figure.event.status = Status.PUBLISHED
    figure.event.save()

    figure.apply_transition("publish")

    assert Figure.objects.published().get() == figure


def test_detention_publishes_once_its_person_is_published():
    detention = detention_of_a_draft_person()
    detention.person.apply_transition("publish")

    detention.apply_transition("publish")

    assert Detention.objects.published().get() == detention


def test_retracting_keeps_the_record_and_adds_a_history_row(login, editor):
    event = make_event()
    rows_before = event.history.count()

    post_transition(login(editor), event, "retract")

    event.refresh_from_db()
    assert event.status == Status.RETRACTED
    assert not Event.objects.published().exists()
    assert event.history.count() == rows_before + 1
    latest = event.history.latest()
    assert (latest.status, latest.history_user, latest.history_type) == (Status.RETRACTED, editor, "~")


# The actions on a changelist.


def test_publish_action_publishes_what_it_can_and_explains_the_rest(login, editor):
    ready = [make_event(status=Status.DRAFT, title=f"Meeting {n}") for n in (1, 2)]
    for event in ready:
        make_citation(event=event)
    unsourced = make_event(status=Status.IN_REVIEW, title="Coale meets Lukashenko")

    response = post_action(login(editor), Event, "publish", [*ready, unsourced])

    assert response.status_code == 302
    assert messages_of(response) == [
        "Publish: done for 2 events.",
        "“Publish” refused: “Coale meets Lukashenko” cites no source: add a citation first.",
    ]
    assert set(Event.objects.published()) == set(ready)


def test_submit_action_leaves_published_records_to_editors(login, contributor):
    draft = make_organization(status=Status.DRAFT, name="Viasna")
    published = make_organization(name="Belavia")

    response = post_action(login(contributor), Organization, "submit", [draft, published])

    assert messages_of(response) == [
        "Submit for review: done for 1 organisation.",
        "“Submit for review” refused: “Belavia” is published: only an Editor can change it.",
    ]
    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.status, published.status) == (Status.IN_REVIEW, Status.PUBLISHED)


@pytest.mark.parametrize("name", ["retract", "reopen"])
def test_editor_actions_report_each_record(login, editor, name):
    start = sorted(TRANSITIONS[name].sources)[0]
    rows = [make_organization(status=start) for _ in range(3)]

    response = post_action(login(editor), Organization, name, rows)

    assert messages_of(response) == [f"{TRANSITIONS[name].label}: done for 3 organisations."]
    assert set(Organization.objects.values_list("status", flat=True)) == {TRANSITIONS[name].target}


@pytest.mark.parametrize(
    "role, actions",
    [
        (VIEWER, {"export_csv"}),
        (CONTRIBUTOR, {"export_csv", "submit", "to_draft"}),
        (EDITOR, {"export_csv", "submit", "to_draft", "publish", "retract", "reopen", "delete_selected"}),
    ],
)
def test_changelist_offers_the_actions_of_the_role(login, role, actions):
    response = login(make_user(role)).get(admin_url(Event, "changelist"))

    offered = {name for name, _ in response.context["action_form"].fields["action"].choices if name}
    assert offered == actions


# The buttons on the change page.


def buttons(response):
    return set(re.findall(r'class="historylink transition-(\w+)"', response.content.decode()))


@pytest.mark.parametrize(
    "role, status, shown",
    [
        (VIEWER, Status.DRAFT, set()),
        (VIEWER, Status.PUBLISHED, set()),
        (CONTRIBUTOR, Status.DRAFT, {"submit"}),
        (CONTRIBUTOR, Status.IN_REVIEW, {"to_draft"}),
        (CONTRIBUTOR, Status.PUBLISHED, set()),
        (CONTRIBUTOR, Status.RETRACTED, set()),
        (EDITOR, Status.DRAFT, {"submit", "publish"}),
        (EDITOR, Status.IN_REVIEW, {"to_draft", "publish"}),
        (EDITOR, Status.PUBLISHED, {"retract"}),
        (EDITOR, Status.RETRACTED, {"reopen"}),
    ],
)
def test_change_page_shows_only_the_allowed_buttons(login, role, status, shown):
    organization = make_organization(status=status)

    response = login(make_user(role)).get(admin_url(Organization, "change", organization.pk))

    assert buttons(response) == shown


def test_change_page_states_the_status(login, contributor):
    organization = make_organization(status=Status.IN_REVIEW)

    response = login(contributor).get(admin_url(Organization, "change", organization.pk))

    assert "Status: <strong>In review</strong>" in response.content.decode()


def test_add_page_has_no_transition_buttons(login, editor):
    assert buttons(login(editor).get(admin_url(Organization, "add"))) == set()


def test_a_button_posts_its_transition(login, editor):
    organization = make_organization(status=Status.DRAFT)
    browser = login(editor)
    html = browser.get(admin_url(Organization, "change", organization.pk)).content.decode()
    form = html[html.index('<form method="post" action="') :]
    action = re.search(r'action="([^"]+)"', form).group(1)
    name = re.search(r'name="transition" value="(\w+)"', form).group(1)

    browser.post(action, {"transition": name})

    organization.refresh_from_db()
    assert (name, organization.status) == ("submit", Status.IN_REVIEW)


def test_a_source_whose_publisher_is_a_draft_waits_for_it():
    # Published first, the source would show no publisher at all on every page (issue #15 point 11).
    publisher = make_organization(name="Viasna", status=Status.DRAFT)
    source = make_source(status=Status.DRAFT, title="Viasna monthly report", publisher=publisher)
    with pytest.raises(ValidationError) as refused:
        source.apply_transition("publish")
    assert refused.value.messages == [
        "“Viasna monthly report” would show its publisher “Viasna”, which is still a draft: publish it first, or take it out."
    ]
    publisher.apply_transition("publish")
    source.apply_transition("publish")
    assert source.status == Status.PUBLISHED


def test_a_figure_attributed_to_a_draft_organisation_waits_for_it():
    figure = make_figure(status=Status.DRAFT, attributed_to=make_organization(name="Viasna", status=Status.DRAFT))
    with pytest.raises(ValidationError) as refused:
        figure.apply_transition("publish")
    assert refused.value.messages == [
        f"{figure}: It is attributed to “Viasna”, which is still a draft: publish it first, or take it out."
    ]


def test_an_event_with_a_draft_participant_waits_for_them():
    event = make_event(status=Status.DRAFT, title="Coale meets Lukashenko")
    make_citation(event=event)
    make_participant(event=event, organization=make_organization(name="Belavia", status=Status.IN_REVIEW))
    with pytest.raises(ValidationError) as refused:
        event.apply_transition("publish")
    assert refused.value.messages == [
        f"“{event}” would show the participant “Belavia”, which is still in review: publish it first, or take it out."
    ]


def test_the_admin_lists_the_drafts_a_record_waits_for(admin_client):
    source = make_source(status=Status.DRAFT, title="Viasna monthly report")
    source.publisher = make_organization(name="Viasna", status=Status.DRAFT)
    source.save()
    response = post_transition(admin_client, source, "publish")
    assert (
        "“Publish” refused: “Viasna monthly report” would show its publisher “Viasna”, which is still a draft: publish it first, "
        "or take it out."
    ) in messages_of(response)
    source.refresh_from_db()
    assert source.status == Status.DRAFT
