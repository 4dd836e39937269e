"""Who may do what in the admin: Viewers look, Contributors write drafts, Editors publish.

The matrix asks every admin URL of every registered model as each role; the
tests after it follow the rules that depend on a record's status or on one
field (identity, deprecation).
"""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, User

from events.models import Event, Figure, Measure
from tests.admin_pages import (
    admin_url,
    edit_inline_row,
    form_data,
    messages_of,
    post_action,
    post_transition,
    with_inline_row,
    with_unrendered_versions,
)
from tests.factories import (
    make_charge,
    make_citation,
    make_detention,
    make_event,
    make_figure,
    make_measure,
    make_organization,
    make_person,
    make_source,
    make_user,
)
from tracker.models import Detention, Organization, Person, Source
from tracker.publishing import Status
from tracker.roles import CONTRIBUTOR, EDITOR, VIEWER

pytestmark = pytest.mark.django_db

ANONYMOUS, SUPERUSER = "anonymous", "superuser"
ROLES = [ANONYMOUS, VIEWER, CONTRIBUTOR, EDITOR, SUPERUSER]

PUBLISHABLE = [Organization, Source, Person, Detention, Event, Figure]
REFERENCE = [Measure]
ACCOUNTS = [User, Group]
# django-axes' records of sign-ins: only superusers read them (and lift a pause
# by deleting an attempt); nobody adds or edits them by hand.
SIGN_IN_LOGS = [AccessAttempt, AccessLog, AccessFailureLog]
SIGN_IN = dict(
    username="editor", ip_address="192.0.2.7", user_agent="Firefox", http_accept="*/*", path_info="/admin/login/"
)

# One draft row of each registered model, with no rows in its inlines.
ROWS = {
    Organization: lambda: make_organization(status=Status.DRAFT),
    Source: lambda: make_source(status=Status.DRAFT),
    Person: lambda: make_person(status=Status.DRAFT),
    Detention: lambda: make_detention(status=Status.DRAFT),
    Event: lambda: make_event(status=Status.DRAFT),
    Figure: lambda: make_figure(status=Status.DRAFT),
    Measure: make_measure,
    User: lambda: make_user(username="someone"),
    Group: lambda: Group.objects.create(name="Interns"),
    AccessAttempt: lambda: AccessAttempt.objects.create(**SIGN_IN, failures_since_start=2),
    AccessLog: lambda: AccessLog.objects.create(**SIGN_IN),
    AccessFailureLog: lambda: AccessFailureLog.objects.create(**SIGN_IN),
}

PAGES = ["changelist", "add", "change", "save", "delete", "history", "version", "transition", "export"]


def user_of(role):
    if role == ANONYMOUS:
        return None
    if role == SUPERUSER:
        return make_user(is_superuser=True)
    return make_user(role)


def refused(response):
    if response.status_code == 302 and response["Location"].startswith("/admin/login/"):
        return "login"
    if response.status_code == 403:
        return "forbidden"
    return None


def change_page(response):
    """A change page for editing, or one that only shows the record."""
    return refused(response) or ("edit" if response.context["has_change_permission"] else "view")


def version_page(response):
    """An old version with a restore button (“Revert”), or to look at only."""
    return refused(response) or ("view" if response.context["revert_disabled"] else "restore")


def page(response):
    return refused(response) or ("ok" if response.status_code == 200 else f"HTTP {response.status_code}")


def outcomes(browser, model, row):
    """What each admin URL of `model` does for the user of `browser`."""
    change = browser.get(admin_url(model, "change", row.pk))
    found = {
        "changelist": page(browser.get(admin_url(model, "changelist"))),
        "add": page(browser.get(admin_url(model, "add"))),
        "change": change_page(change),
        "delete": page(browser.get(admin_url(model, "delete", row.pk))),
        "history": page(browser.get(admin_url(model, "history", row.pk))),
    }
    if hasattr(model, "history"):
        version = row.history.earliest()
        found["version"] = version_page(browser.get(admin_url(model, "simple_history", row.pk, version.history_id)))
    # The form as shown, posted back unchanged; a user shown no form posts
    # just the version, which a permission check must refuse before reading.
    data = form_data(change) if found["change"] == "edit" else {"seen_version": getattr(row, "version", "")}
    response = browser.post(admin_url(model, "change", row.pk), data)
    found["save"] = refused(response) or ("saved" if response.status_code == 302 else f"HTTP {response.status_code}")
    if model in PUBLISHABLE:
        response = post_transition(browser, row, "submit")
        row.refresh_from_db()
        found["transition"] = refused(response) or ("moved" if row.status == Status.IN_REVIEW else "stayed")
    if model in PUBLISHABLE + REFERENCE:
        response = post_action(browser, model, "export_csv", [row])
        found["export"] = refused(response) or ("csv" if response["Content-Type"].startswith("text/csv") else "no csv")
    return found


def expected(role, model):
    if role == ANONYMOUS:
        found = dict.fromkeys(PAGES, "login")
    elif model in SIGN_IN_LOGS:
        found = dict.fromkeys(PAGES, "forbidden")
        if role == SUPERUSER:
            found.update(changelist="ok", change="edit", save="saved", delete="ok", history="ok")
    elif role == SUPERUSER:
        found = dict(
            changelist="ok",
            add="ok",
            change="edit",
            save="saved",
            delete="ok",
            history="ok",
            version="restore",
            transition="moved",
            export="csv",
        )
    elif model in ACCOUNTS:
        found = dict.fromkeys(PAGES, "forbidden")
    elif role == VIEWER or (role == CONTRIBUTOR and model in REFERENCE):
        found = dict(
            changelist="ok",
            add="forbidden",
            change="view",
            save="forbidden",
            delete="forbidden",
            history="ok",
            version="view",
            transition="forbidden",
            export="csv",
        )
    elif role == CONTRIBUTOR:
        found = dict(
            changelist="ok",
            add="ok",
            change="edit",
            save="saved",
            delete="forbidden",
            history="ok",
            version="view",
            transition="moved",
            export="csv",
        )
    else:  # Editor
        found = dict(
            changelist="ok",
            add="ok",
            change="edit",
            save="saved",
            delete="ok",
            # Restoring needs publish_<model>; measures, which only Editors change, need change_measure.
            history="ok",
            version="restore",
            transition="moved",
            export="csv",
        )
    if model not in PUBLISHABLE:
        found.pop("transition")
    if model in ACCOUNTS + SIGN_IN_LOGS:
        found.pop("version")
        found.pop("export")
    return found


def test_every_registered_model_is_in_the_matrix():
    assert set(admin.site._registry) == set(ROWS) == set(PUBLISHABLE + REFERENCE + ACCOUNTS + SIGN_IN_LOGS)


@pytest.mark.parametrize("model", list(ROWS), ids=lambda model: model._meta.label)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(login, role, model):
    row = ROWS[model]()

    found = outcomes(login(user_of(role)), model, row)

    assert found == expected(role, model)


# The workflow: status moves only through transitions, publishing only by Editors.


def test_contributor_posting_status_published_leaves_the_status_unchanged(login, contributor):
    event = make_event(status=Status.DRAFT, title="Coale visits Minsk")
    browser = login(contributor)
    url = admin_url(Event, "change", event.pk)

    response = browser.post(url, form_data(browser.get(url), title="Coale meets Lukashenko", status="published"))

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.status) == ("Coale meets Lukashenko", Status.DRAFT)


def test_contributor_posting_transition_publish_is_forbidden(login, contributor):
    event = make_event(status=Status.DRAFT)
    make_citation(event=event)

    response = post_transition(login(contributor), event, "publish")

    assert response.status_code == 403
    event.refresh_from_db()
    assert event.status == Status.DRAFT


def test_contributor_is_not_offered_the_publish_action(login, contributor):
    event = make_event(status=Status.DRAFT)
    make_citation(event=event)
    browser = login(contributor)

    actions = browser.get(admin_url(Event, "changelist")).context["action_form"].fields["action"].choices
    response = post_action(browser, Event, "publish", [event])

    assert "publish" not in dict(actions) and "submit" in dict(actions)
    assert messages_of(response) == ["No action selected."]
    event.refresh_from_db()
    assert event.status == Status.DRAFT


PUBLISHED_ROWS = {
    Organization: lambda: make_organization(),
    Source: lambda: make_source(),
    Person: lambda: make_person(),
    Detention: lambda: make_detention(),
    Event: lambda: make_event(),
    Figure: lambda: make_figure(),
}


@pytest.mark.parametrize("model", PUBLISHABLE, ids=lambda model: model.__name__)
@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.RETRACTED])
def test_contributor_cannot_change_a_published_or_retracted_record(login, contributor, editor, model, status):
    row = PUBLISHED_ROWS[model]()
    row.status = status
    row.save()
    version = row.version
    url = admin_url(model, "change", row.pk)
    data = form_data(login(editor).get(url))
    browser = login(contributor)

    page = browser.get(url)
    response = browser.post(url, data)

    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert "only an Editor can change this record" in page.content.decode()
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.version == version


INLINE_ROWS = {
    "a participant of a published event": (make_event, "participants", lambda: {"person": make_person().pk}),
    "a name variant of a published person": (make_person, "name_variants", lambda: {"name": "Ціханоўскі"}),
    "a charge of a published detention": (make_detention, "charges", lambda: {"article": "342"}),
}


@pytest.mark.parametrize("what", list(INLINE_ROWS))
def test_contributor_cannot_add_an_inline_row_to_a_published_record(login, contributor, editor, what):
    make_parent, prefix, row = INLINE_ROWS[what]
    parent = make_parent()
    url = admin_url(type(parent), "change", parent.pk)
    data = with_inline_row(form_data(login(editor).get(url)), prefix, **row())
    browser = login(contributor)

    page = browser.get(url)
    response = browser.post(url, data)

    (formset,) = [inline for inline in page.context["inline_admin_formsets"] if inline.formset.prefix == prefix]
    assert not formset.has_add_permission
    assert response.status_code == 403
    assert not getattr(parent, prefix).exists()


def test_contributor_adds_an_inline_row_to_a_draft(login, contributor):
    event = make_event(status=Status.DRAFT)
    url = admin_url(Event, "change", event.pk)
    browser = login(contributor)

    response = browser.post(url, with_inline_row(form_data(browser.get(url)), "participants", person=make_person().pk))

    assert response.status_code == 302
    assert event.participants.count() == 1


def test_contributor_cannot_change_a_published_figure_through_a_reopened_event(login, contributor):
    event = make_event(kind=Event.Kind.RELEASE)
    make_citation(event=event)
    figure = make_figure(event=event, value=52)
    event.apply_transition("retract")
    event.apply_transition("reopen")
    url = admin_url(Event, "change", event.pk)
    browser = login(contributor)
    page = browser.get(url)
    data = edit_inline_row(with_unrendered_versions(page, form_data(page)), "figures", 0, value=99)

    browser.post(url, data)

    figure.refresh_from_db()
    assert (figure.value, figure.status) == (52, Status.PUBLISHED)


def test_viewer_cannot_post_a_change(login, viewer, editor):
    organization = make_organization(status=Status.DRAFT, name="Viasna")
    url = admin_url(Organization, "change", organization.pk)

    response = login(viewer).post(url, form_data(login(editor).get(url), name="Vyasna"))

    assert response.status_code == 403
    organization.refresh_from_db()
    assert organization.name == "Viasna"


def test_contributor_cannot_delete_a_draft(login, contributor):
    organization = make_organization(status=Status.DRAFT)

    response = login(contributor).post(admin_url(Organization, "delete", organization.pk), {"post": "yes"})

    assert response.status_code == 403
    assert Organization.objects.filter(pk=organization.pk).exists()


# Restoring an old version is an Editor's decision.


def renamed_event():
    event = make_event(status=Status.DRAFT, title="Coale visits Minsk")
    event.title = "Coale meets Lukashenko"
    event.save()
    return event, event.history.earliest()


@pytest.mark.parametrize("role", [VIEWER, CONTRIBUTOR])
def test_only_an_editor_can_restore_an_old_version(login, editor, role):
    event, first = renamed_event()
    url = admin_url(Event, "simple_history", event.pk, first.history_id)
    data = form_data(login(editor).get(url))

    response = login(make_user(role)).post(url, data)

    assert response.status_code == 403
    event.refresh_from_db()
    assert event.title == "Coale meets Lukashenko"


def test_editor_restores_an_old_version(login, editor):
    event, first = renamed_event()
    url = admin_url(Event, "simple_history", event.pk, first.history_id)
    browser = login(editor)

    response = browser.post(url, form_data(browser.get(url)))

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Coale visits Minsk"


# Identity levels and internal notes of people are for Editors only.

IDENTITY_FIELDS = {"identity_level", "internal_notes"}


def test_contributor_form_has_no_identity_fields(login, contributor):
    person = make_person(status=Status.DRAFT)

    response = login(contributor).get(admin_url(Person, "change", person.pk))

    assert IDENTITY_FIELDS.isdisjoint(response.context["adminform"].form.fields)
    assert 'name="identity_level"' not in response.content.decode()


def test_editor_form_has_the_identity_fields(login, editor):
    person = make_person(status=Status.DRAFT)

    response = login(editor).get(admin_url(Person, "change", person.pk))

    assert IDENTITY_FIELDS <= set(response.context["adminform"].form.fields)


def test_contributor_posting_identity_level_full_changes_nothing(login, contributor):
    person = make_person(
        status=Status.DRAFT, identity_level=Person.IdentityLevel.WITHHELD, internal_notes="Family asked."
    )
    url = admin_url(Person, "change", person.pk)
    browser = login(contributor)

    response = browser.post(
        url, form_data(browser.get(url), occupation="Blogger", identity_level="full", internal_notes="")
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.occupation, person.identity_level, person.internal_notes) == ("Blogger", "withheld", "Family asked.")


def test_contributor_adds_people_withheld(login, contributor):
    url = admin_url(Person, "add")
    browser = login(contributor)

    response = browser.post(url, form_data(browser.get(url), name="Ihar Losik", identity_level="full"))

    assert response.status_code == 302
    assert Person.objects.get(name="Ihar Losik").identity_level == Person.IdentityLevel.WITHHELD


@pytest.mark.parametrize("role, shown", [(CONTRIBUTOR, False), (VIEWER, False), (EDITOR, True)])
def test_identity_column_and_filter_only_for_editors(login, role, shown):
    make_person(identity_level=Person.IdentityLevel.WITHHELD)

    changelist = login(make_user(role)).get(admin_url(Person, "changelist")).context["cl"]

    assert ("identity_level" in changelist.list_display) is shown
    assert any(spec.title == "identity level" for spec in changelist.filter_specs) is shown


@pytest.mark.parametrize("lookup", ["identity_level__exact=withheld", "internal_notes__icontains=Hrodna"])
def test_contributor_cannot_filter_people_by_their_hidden_fields(login, contributor, lookup):
    make_person(identity_level=Person.IdentityLevel.WITHHELD, internal_notes="Lives in Hrodna.")
    make_person(identity_level=Person.IdentityLevel.FULL)

    response = login(contributor).get(f"{admin_url(Person, 'changelist')}?{lookup}")

    # Django answers a lookup it does not allow with 400 Bad Request.
    assert response.status_code == 400


def test_contributor_history_page_hides_identity_changes(login, contributor):
    person = make_person(status=Status.DRAFT, internal_notes="Lives in Hrodna.")
    person.identity_level = Person.IdentityLevel.WITHHELD
    person.internal_notes = "Moved to Vilnius."
    person.save()

    html = login(contributor).get(admin_url(Person, "history", person.pk)).content.decode()

    assert "Vilnius" not in html and "Hrodna" not in html
    assert "Identity level" not in html


@pytest.mark.parametrize("role, shown", [(CONTRIBUTOR, False), (VIEWER, False), (EDITOR, True)])
def test_people_csv_has_identity_columns_only_for_editors(login, role, shown):
    person = make_person(internal_notes="Lives in Hrodna.")

    response = post_action(login(make_user(role)), Person, "export_csv", [person])

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header = text.splitlines()[0].split(",")
    assert ("identity_level" in header) is shown
    assert ("internal_notes" in header) is shown
    assert ("Hrodna" in text) is shown


# Deprecating a figure is an Editor's call.


def figure_form(browser, figure, **fields):
    url = admin_url(Figure, "change", figure.pk)
    return browser.post(url, form_data(browser.get(url), **fields))


def test_contributor_cannot_deprecate_a_figure(login, contributor):
    figure = make_figure(status=Status.DRAFT)

    response = figure_form(login(contributor), figure, rank="deprecated", deprecation_reason="Superseded.")

    assert response.status_code == 200
    assert "Only an Editor can deprecate a figure." in response.content.decode()
    figure.refresh_from_db()
    assert figure.rank == Figure.Rank.NORMAL


def test_editor_deprecates_a_figure(login, editor):
    figure = make_figure(status=Status.DRAFT)

    response = figure_form(login(editor), figure, rank="deprecated", deprecation_reason="Superseded.")

    assert response.status_code == 302
    figure.refresh_from_db()
    assert figure.rank == Figure.Rank.DEPRECATED


def test_contributor_cannot_deprecate_a_figure_through_its_event(login, contributor):
    event = make_event(status=Status.DRAFT, kind=Event.Kind.RELEASE)
    url = admin_url(Event, "change", event.pk)
    browser = login(contributor)
    figure = {
        "measure": make_measure().pk,
        "source": make_source().pk,
        "country": "BY",
        "value": 52,
        "as_of_on": "2025-09-11",
        "rank": "deprecated",
        "deprecation_reason": "Superseded.",
    }

    response = browser.post(url, with_inline_row(form_data(browser.get(url)), "figures", **figure))

    assert response.status_code == 200
    assert "Only an Editor can deprecate a figure." in response.content.decode()
    assert not Figure.objects.exists()


def test_contributor_keeps_a_figure_deprecated_by_an_editor(login, contributor):
    figure = make_figure(status=Status.DRAFT, rank="deprecated", deprecation_reason="Superseded.")

    response = figure_form(login(contributor), figure, quote="About 1,200 remain behind bars.")

    assert response.status_code == 302
    figure.refresh_from_db()
    assert (figure.rank, figure.quote) == ("deprecated", "About 1,200 remain behind bars.")


def test_contributor_can_still_edit_a_draft_charge(login, contributor):
    charge = make_charge(detention=make_detention(status=Status.DRAFT), article="342")
    url = admin_url(Detention, "change", charge.detention.pk)
    browser = login(contributor)
    page = browser.get(url)

    response = browser.post(
        url, edit_inline_row(with_unrendered_versions(page, form_data(page)), "charges", 0, article="361-1")
    )

    assert response.status_code == 302
    charge.refresh_from_db()
    assert charge.article == "361-1"
