"""Importing figures and events from CSV and XLSX in the admin, and the example sheets."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.urls import reverse

from events.imports import EventImporter, FigureImporter
from events.models import Citation, Event, Figure, Measure
from tests.factories import make_citation, make_event, make_figure, make_measure, make_organization, make_source
from tracker.imports import PeopleImporter, read_sheet
from tracker.models import Person
from tracker.publishing import Status

pytestmark = pytest.mark.django_db

EXAMPLES = Path(settings.BASE_DIR) / "fixtures" / "examples"


@pytest.fixture(autouse=True)
def uploads_in_a_temporary_directory(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "imports"


def make_user(*groups, **kwargs):
    kwargs.setdefault("username", f"user{User.objects.count() + 1}")
    user = User.objects.create_user(is_staff=True, **kwargs)
    user.groups.add(*Group.objects.filter(name__in=groups))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def editor(db):
    return make_user("Editor")


@pytest.fixture
def contributor(db):
    return make_user("Contributor")


def csv_bytes(rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode()


def plan_sheet(importer, user, data, filename="sheet.csv"):
    return importer(user, filename).plan(read_sheet(filename, data))


def import_sheet(importer, user, data, filename="sheet.csv"):
    plan = plan_sheet(importer, user, data, filename)
    assert plan.is_valid, [(row.number, row.errors) for row in plan.rows] + plan.problems
    importer(user, filename).apply(plan)
    return plan


def actions(plan):
    return [row.action for row in plan.rows]


def errors(plan):
    return {row.number: row.errors for row in plan.rows if row.errors}


def figure_sheet(**cells):
    cells.setdefault("measure", "political-prisoners-held")
    cells.setdefault("value", "1200")
    cells.setdefault("qualifier", "approximately")
    cells.setdefault("as_of", "2025-12-12")
    cells.setdefault("country", "BY")
    cells.setdefault("source", "https://news.example/held")
    return csv_bytes([list(cells), list(cells.values())])


@pytest.fixture
def held(db):
    make_measure(slug="political-prisoners-held")
    return make_source(url="https://news.example/held")


# --- Figures ----------------------------------------------------------------------


def test_figure_import_creates_a_draft_figure(editor, held):
    viasna = make_organization(name="Viasna")

    plan = import_sheet(
        FigureImporter,
        editor,
        figure_sheet(external_id="f-1", as_of="2025-09", attributed_to="Viasna", quote="'=about 1,200"),
    )

    assert actions(plan) == ["create"]
    figure = Figure.objects.get()
    assert (figure.status, figure.value, figure.qualifier) == (Status.DRAFT, 1200, "approximately")
    assert (figure.as_of_on, figure.as_of_on_precision) == (datetime.date(2025, 9, 1), "month")
    assert figure.source == held
    assert figure.attributed_to == viasna
    assert figure.quote == "=about 1,200"


def test_reimporting_figures_updates_by_external_id_without_duplicates(editor, held):
    import_sheet(FigureImporter, editor, figure_sheet(external_id="f-1"))

    plan = import_sheet(FigureImporter, editor, figure_sheet(external_id="f-1", value="1150"))

    assert actions(plan) == ["update"]
    assert [str(change) for change in plan.rows[0].changes] == ["value: 1200 → 1150"]
    assert Figure.objects.get().value == 1150


def test_figures_update_by_stable_id(editor, held):
    figure = make_figure(measure=Measure.objects.get(slug="political-prisoners-held"), source=held, status=Status.DRAFT)

    plan = import_sheet(FigureImporter, editor, figure_sheet(uid=str(figure.uid), value="1300"))

    assert actions(plan) == ["update"]
    figure.refresh_from_db()
    assert figure.value == 1300
    assert Figure.objects.count() == 1


def test_imported_figure_updates_are_new_versions_with_history_naming_the_importer(editor, held):
    figures = [
        make_figure(
            measure=Measure.objects.get(slug="political-prisoners-held"),
            source=held,
            status=Status.DRAFT,
            external_id=f"f-{n}",
            value=100 + n,
        )
        for n in range(3)
    ]
    sheet = (
        [["external_id", "value", "quote"]]
        + [[f"f-{n}", str(200 + n), "About 200."] for n in range(2)]
        + [["f-2", "102", ""]]
    )

    plan = import_sheet(FigureImporter, editor, csv_bytes(sheet), filename="figures.csv")

    assert actions(plan) == ["update", "update", "unchanged"]
    for n, figure in enumerate(figures):
        figure.refresh_from_db()
        assert (figure.value, figure.quote, figure.version) == ((200 + n, "About 200.", 2) if n < 2 else (102, "", 1))
    rows = Figure.history.filter(history_type="~")
    assert sorted((row.external_id, row.value, row.history_user, row.history_change_reason) for row in rows) == [
        ("f-0", 200, editor, "import figures.csv"),
        ("f-1", 201, editor, "import figures.csv"),
    ]


def test_imported_event_updates_change_their_countries(editor):
    events = [make_event(external_id=f"e-{n}", countries=["BY"], status=Status.DRAFT) for n in range(3)]

    import_sheet(
        EventImporter,
        editor,
        csv_bytes([["external_id", "countries"], ["e-0", "BY | LT"], ["e-1", "PL"], ["e-2", "BY"]]),
    )

    assert [[country.code for country in Event.objects.get(pk=event.pk).countries] for event in events] == [
        ["BY", "LT"],
        ["PL"],
        ["BY"],
    ]
    assert [Event.objects.get(pk=event.pk).version for event in events] == [2, 2, 1]


def test_an_unknown_measure_is_a_row_error(editor, held):
    plan = plan_sheet(FigureImporter, editor, figure_sheet(measure="prisoners-on-mars"))

    assert errors(plan) == {
        2: ["measure: unknown measure “prisoners-on-mars”: use the slug of a measure defined in the admin."]
    }


def test_a_bad_as_of_date_is_a_row_error_naming_the_value(editor, held):
    plan = plan_sheet(FigureImporter, editor, figure_sheet(as_of="December 2025"))

    assert errors(plan) == {2: ["as_of: “December 2025” is not a date: write 2025-12-12, 2025-09 or 2025."]}


def test_figure_constraints_are_row_errors(editor, held):
    plan = plan_sheet(FigureImporter, editor, figure_sheet(qualifier="range", value="52", upper_value="40"))

    assert errors(plan) == {2: ["The upper value of a range cannot be below its lower value."]}


def test_the_same_external_id_twice_is_an_error_on_the_second_row(editor, held):
    sheet = figure_sheet(external_id="f-1") + figure_sheet(external_id="f-1").split(b"\n", 1)[1]

    plan = plan_sheet(FigureImporter, editor, sheet)

    assert actions(plan) == ["create", "error"]
    assert errors(plan)[3] == ["external_id: “f-1” is also in row 2: each record goes in one row."]


def test_a_contributor_cannot_deprecate_a_figure(contributor, held):
    plan = plan_sheet(FigureImporter, contributor, figure_sheet(rank="deprecated", deprecation_reason="Superseded."))

    assert errors(plan) == {2: ["rank: only an Editor can deprecate a figure."]}


def test_an_editor_deprecates_a_figure_with_a_reason(editor, held):
    figure = make_figure(measure=make_measure(), source=held, external_id="f-9")
    sheet = csv_bytes(
        [["external_id", "rank", "deprecation_reason"], ["f-9", "deprecated", "Superseded by Viasna's count."]]
    )

    import_sheet(FigureImporter, editor, sheet)

    figure.refresh_from_db()
    assert (figure.rank, figure.deprecation_reason) == ("deprecated", "Superseded by Viasna's count.")


# --- Events -------------------------------------------------------------------------


def test_event_import_creates_drafts_with_citations(editor):
    source = make_source(url="https://news.example/meeting")

    plan = import_sheet(
        EventImporter,
        editor,
        csv_bytes(
            [
                ["external_id", "kind", "title", "date", "countries", "location", "sources"],
                [
                    "e-1",
                    "meeting",
                    "Сустрэча ў Мінску",
                    "2025-12-12",
                    "US | by",
                    "Мінск",
                    "https://news.example/meeting",
                ],
            ]
        ),
    )

    assert actions(plan) == ["create"]
    event = Event.objects.get()
    assert (event.title, event.location, event.status) == ("Сустрэча ў Мінску", "Мінск", Status.DRAFT)
    assert [country.code for country in event.countries] == ["BY", "US"]
    assert [citation.source for citation in event.citations.all()] == [source]


def test_event_sources_are_added_never_removed(editor):
    kept = make_source(url="https://news.example/kept")
    make_source(url="https://news.example/added")
    event = make_event(external_id="e-1", status=Status.DRAFT)
    make_citation(event=event, source=kept)

    plan = import_sheet(
        EventImporter, editor, csv_bytes([["external_id", "sources"], ["e-1", "https://news.example/added"]])
    )

    assert [str(change) for change in plan.rows[0].changes] == ["sources: + https://news.example/added"]
    assert sorted(citation.source.url for citation in event.citations.all()) == [
        "https://news.example/added",
        "https://news.example/kept",
    ]


def test_an_event_date_keeps_its_precision(editor):
    import_sheet(
        EventImporter, editor, csv_bytes([["kind", "title", "date"], ["visit", "Envoy visits Belarus", "2025-09"]])
    )

    event = Event.objects.get()
    assert (event.occurred_on, event.occurred_on_precision) == (datetime.date(2025, 9, 1), "month")


def test_a_contributor_cannot_update_a_published_event(contributor):
    make_event(external_id="e-1", title="Published", status=Status.PUBLISHED)

    plan = plan_sheet(EventImporter, contributor, csv_bytes([["external_id", "title"], ["e-1", "Changed"]]))

    assert errors(plan) == {2: ["uid: this event is published: only an Editor can change it."]}


# --- Export → import ------------------------------------------------------------------


def export(client, model, objects):
    response = client.post(
        reverse(f"admin:events_{model._meta.model_name}_changelist"),
        {"action": "export_csv", "_selected_action": [obj.pk for obj in objects]},
    )
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_exported_figures_import_back_unchanged(client, belarus, editor):
    make_figure(
        qualifier="range",
        value=40,
        upper_value=52,
        quote="-between 40 and 52",
        period_start_on=datetime.date(2024, 7, 1),
        period_start_on_precision="month",
    )
    client.force_login(editor)

    plan = plan_sheet(FigureImporter, editor, export(client, Figure, Figure.objects.all()))

    assert len(plan.rows) == 6
    assert set(actions(plan)) == {"unchanged"}


def test_exported_events_import_back_unchanged(client, belarus, editor):
    client.force_login(editor)

    plan = plan_sheet(EventImporter, editor, export(client, Event, Event.objects.all()))

    assert len(plan.rows) == 5
    assert set(actions(plan)) == {"unchanged"}


def test_the_export_is_formula_escaped(client, editor):
    make_event(title="=1+1", summary="@SUM(A1)")
    client.force_login(editor)

    exported = export(client, Event, Event.objects.all()).decode("utf-8-sig")

    assert ",'=1+1,'@SUM(A1)," in exported


def test_figure_export_runs_a_fixed_number_of_queries(editor, django_assert_num_queries):
    for _ in range(3):
        make_figure(event=make_event(), attributed_to=make_organization())

    # figures with their measure, source, event and attributed organisation
    with django_assert_num_queries(1):
        rows = list(FigureImporter(editor).export_rows(Figure.objects.all()))

    assert len(rows) == 3


def test_event_export_runs_a_fixed_number_of_queries(editor, django_assert_num_queries):
    for _ in range(3):
        make_citation()

    # events, their citations, the cited sources
    with django_assert_num_queries(3):
        rows = list(EventImporter(editor).export_rows(Event.objects.all()))

    assert len(rows) == 3


# --- Permissions ----------------------------------------------------------------------


@pytest.mark.parametrize("model", ["event", "figure"])
def test_a_viewer_gets_403_on_the_import_urls(client, model):
    client.force_login(make_user("Viewer"))

    assert client.get(reverse(f"admin:events_{model}_import")).status_code == 403
    assert client.post(reverse(f"admin:events_{model}_import_confirm"), {"token": "x" * 43}).status_code == 403


def test_a_contributor_imports_figures_through_the_admin(client, contributor, held):
    client.force_login(contributor)
    file = io.BytesIO(figure_sheet(external_id="f-1"))
    file.name = "figures.csv"

    token = client.post(reverse("admin:events_figure_import"), {"file": file}).context["token"]
    response = client.post(reverse("admin:events_figure_import_confirm"), {"token": token}, follow=True)

    assert "Imported: 1 created, 0 updated, 0 unchanged." in response.text
    figure = Figure.objects.get()
    assert figure.status == Status.DRAFT
    assert figure.history.get().history_user == contributor


def test_citations_are_created_with_history_naming_the_importer(editor):
    make_source(url="https://news.example/a")

    import_sheet(
        EventImporter,
        editor,
        csv_bytes([["kind", "title", "date", "sources"], ["visit", "A visit", "2025", "https://news.example/a"]]),
    )

    history = Citation.history.get()
    assert (history.history_type, history.history_user, history.history_change_reason) == (
        "+",
        editor,
        "import sheet.csv",
    )


# --- The example sheets ---------------------------------------------------------------


@pytest.mark.parametrize(
    "importer, name, created",
    [
        (PeopleImporter, "people.csv", 5),
        (PeopleImporter, "people.xlsx", 5),
        (FigureImporter, "figures.csv", 3),
        (EventImporter, "events.csv", 2),
    ],
)
def test_the_example_sheets_import_cleanly_into_the_belarus_seed(belarus, editor, importer, name, created):
    data = (EXAMPLES / name).read_bytes()

    plan = import_sheet(importer, editor, data, name)

    assert plan.counts == {"create": created, "update": 0, "unchanged": len(plan.rows) - created, "error": 0}
    assert plan.warnings == []
    again = plan_sheet(importer, editor, data, name)
    assert set(actions(again)) == {"unchanged"}


def test_the_example_people_keep_their_cyrillic_names(belarus, editor):
    import_sheet(PeopleImporter, editor, (EXAMPLES / "people.xlsx").read_bytes(), "people.xlsx")

    person = Person.objects.get(external_id="example-0002")
    assert person.name == "Наталля Бялькевіч"
    assert person.identity_level == "withheld"
    assert set(person.name_variants.values_list("name", "script")) == {
        ("Natallia Bialkevich", "Latn"),
        ("Наталья Белькевич", "Cyrl"),
    }
    assert person.detentions.get().recognised_on is None
    recognised = Person.objects.get(external_id="example-0001").detentions.get(external_id="example-0001-2")
    assert recognised.recognised_on == datetime.date(2021, 9, 2)
