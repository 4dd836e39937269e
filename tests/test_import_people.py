"""Importing people and their detentions from CSV and XLSX in the admin."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group, User
from django.db import IntegrityError, connection
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.imports import EventImporter, FigureImporter
from tests.admin_pages import form_data, with_inline_row
from tests.factories import make_detention, make_name_variant, make_organization, make_person, make_source
from tracker.exports import csv_stream
from tracker.imports import PeopleImporter, SheetError, read_sheet
from tracker.models import Charge, Detention, DetentionSource, NameVariant, NameVariantQuerySet, Person
from tracker.publishing import Status

pytestmark = pytest.mark.django_db

HEADER = [
    "person_external_id",
    "name",
    "name_variants",
    "birth_year",
    "detention_external_id",
    "country",
    "detained_on",
    "charges",
]


@pytest.fixture(autouse=True)
def uploads_in_a_temporary_directory(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "imports"


def make_user(*groups, **kwargs):
    kwargs.setdefault("username", f"user{User.objects.count() + 1}")
    user = User.objects.create_user(is_staff=True, **kwargs)
    user.groups.add(*Group.objects.filter(name__in=groups))
    return User.objects.get(pk=user.pk)  # a fresh permission cache


@pytest.fixture
def editor(db):
    return make_user("Editor", username="editor")


@pytest.fixture
def contributor(db):
    return make_user("Contributor", username="contributor")


def csv_bytes(rows, bom=True, delimiter=","):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def plan_sheet(user, data, filename="people.csv"):
    return PeopleImporter(user, filename).plan(read_sheet(filename, data))


def import_sheet(user, data, filename="people.csv"):
    plan = plan_sheet(user, data, filename)
    assert plan.is_valid, [(row.number, row.errors) for row in plan.rows] + plan.problems
    PeopleImporter(user, filename).apply(plan)
    return plan


def actions(plan):
    return [row.action for row in plan.rows]


def errors(plan):
    return {row.number: row.errors for row in plan.rows if row.errors}


def import_url(name="import"):
    return reverse(f"admin:tracker_person_{name}")


def _named(data, filename):
    file = io.BytesIO(data)
    file.name = filename
    return file


def upload(client, data, filename="people.csv"):
    return client.post(import_url(), {"file": _named(data, filename)})


# --- Creating and matching ----------------------------------------------------


def test_import_creates_people_detentions_charges_and_variants_as_drafts(editor):
    sheet = csv_bytes(
        [
            HEADER,
            [
                "viasna-101",
                "Ales K.",
                "Алесь К. | Ales K",
                "1979",
                "viasna-101-1",
                "BY",
                "2021-07-14",
                "342 | 361-1 part 2",
            ],
            ["viasna-101", "Ales K.", "", "", "viasna-101-2", "BY", "2024-03", "130"],
            ["", "Maryna V.", "Марына В.", "", "", "", "", ""],
        ]
    )

    plan = import_sheet(editor, sheet)

    assert actions(plan) == ["create", "create", "create"]
    assert Person.objects.count() == 2
    ales = Person.objects.get(external_id="viasna-101")
    assert ales.status == Status.DRAFT
    assert ales.birth_year == 1979
    assert sorted(ales.detentions.values_list("external_id", flat=True)) == ["viasna-101-1", "viasna-101-2"]
    assert set(Charge.objects.filter(detention__external_id="viasna-101-1").values_list("article", flat=True)) == {
        "342",
        "361-1 part 2",
    }
    variants = dict(ales.name_variants.values_list("name", "script"))
    assert variants == {"Алесь К.": "Cyrl", "Ales K": "Latn"}
    assert Person.objects.get(name="Maryna V.").detentions.count() == 0


def test_the_import_and_the_admin_give_a_name_of_mixed_letters_the_same_script(login, editor):
    """One rule, NameVariant.detect_script: Latin and Cyrillic letters in one name leave the default script."""
    imported = make_person(status=Status.DRAFT, name="Ales B.", external_id="p-1")
    import_sheet(editor, csv_bytes([["person_external_id", "name_variants"], ["p-1", "Ales Бяляцкі"]]))
    typed = make_person(status=Status.DRAFT, name="Ales B.")
    browser = login(editor)
    url = reverse("admin:tracker_person_change", args=[typed.pk])
    response = browser.post(url, with_inline_row(form_data(browser.get(url)), "name_variants", name="Ales Бяляцкі"))
    assert response.status_code == 302

    by_import, by_admin = imported.name_variants.get(), typed.name_variants.get()
    assert by_import.script == by_admin.script == NameVariant.Script.LATIN


def test_imported_name_variants_are_searchable(editor):
    existing = make_person(name="Siarhei T.", external_id="p-1", status=Status.DRAFT)
    sheet = [
        ["person_external_id", "name", "name_variants"],
        ["p-1", "Siarhei T.", "Сяргей Ціханоўскі"],
        ["p-2", "Ales K.", "Алесь Кавалёў"],
    ]

    import_sheet(editor, csv_bytes(sheet))

    assert list(Person.objects.matching("Тихановский")) == [existing]
    assert list(Person.objects.matching("Kavaliou")) == [Person.objects.get(external_id="p-2")]


def test_new_people_default_to_a_withheld_name(contributor):
    import_sheet(contributor, csv_bytes([["name"], ["Someone"]]))

    assert Person.objects.get(name="Someone").identity_level == Person.IdentityLevel.WITHHELD


def test_reimporting_a_corrected_sheet_updates_by_external_id_without_duplicates(editor):
    row = ["viasna-7", "Ihar B.", "", "1980", "viasna-7-1", "BY", "2022-01-05", "342"]
    import_sheet(editor, csv_bytes([HEADER, row]))

    corrected = [*row[:3], "1981", *row[4:6], "2022-01-06", "342 | 130"]
    plan = import_sheet(editor, csv_bytes([HEADER, corrected]))

    assert actions(plan) == ["update"]
    changes = [str(change) for change in plan.rows[0].changes]
    assert "birth_year: 1980 → 1981" in changes
    assert "detained_on: 2022-01-05 → 2022-01-06" in changes
    assert "charges: + 130" in changes
    assert Person.objects.count() == 1
    assert Detention.objects.count() == 1
    assert Person.objects.get().birth_year == 1981
    assert Detention.objects.get().detained_on == datetime.date(2022, 1, 6)


def test_rows_with_a_stable_id_update_that_record(editor):
    person = make_person(name="Pavel S.", status=Status.DRAFT)
    detention = make_detention(person=person, facility="", status=Status.DRAFT)

    plan = import_sheet(
        editor,
        csv_bytes(
            [
                ["person_uid", "region", "detention_uid", "facility"],
                [str(person.uid), "Hrodna", str(detention.uid), "Penal colony No. 1"],
            ]
        ),
    )

    assert actions(plan) == ["update"]
    person.refresh_from_db()
    detention.refresh_from_db()
    assert person.region == "Hrodna"
    assert detention.facility == "Penal colony No. 1"
    assert Person.objects.count() == 1


def test_a_stable_id_that_matches_nothing_is_a_row_error(editor):
    plan = plan_sheet(editor, csv_bytes([["person_uid", "name"], ["b1000003-0000-4000-8000-0000000000ff", "Nobody"]]))

    assert errors(plan) == {2: ["person_uid: no person has the stable ID b1000003-0000-4000-8000-0000000000ff."]}


def test_the_same_detention_key_twice_is_an_error_on_the_second_row(editor):
    plan = plan_sheet(
        editor,
        csv_bytes(
            [
                ["person_external_id", "name", "detention_external_id", "country"],
                ["p-1", "A. B.", "d-1", "BY"],
                ["p-1", "A. B.", "d-1", "BY"],
            ]
        ),
    )

    assert actions(plan) == ["create", "error"]
    assert errors(plan)[3] == ["detention_external_id: “d-1” is also in row 2: each record goes in one row."]


def test_later_rows_of_a_person_must_agree_with_the_first(editor):
    plan = plan_sheet(
        editor,
        csv_bytes([["person_external_id", "name", "birth_year"], ["p-1", "A. B.", "1970"], ["p-1", "", "1971"]]),
    )

    assert errors(plan) == {3: ["birth_year: differs from row 2, which describes the same person."]}


def test_a_detention_of_another_person_is_refused(editor):
    detention = make_detention(status=Status.DRAFT)
    other = make_person(status=Status.DRAFT)

    plan = plan_sheet(editor, csv_bytes([["person_uid", "detention_uid"], [str(other.uid), str(detention.uid)]]))

    assert errors(plan) == {2: ["detention_uid: this detention belongs to another person."]}


# --- Cells --------------------------------------------------------------------


def test_a_bad_date_is_a_row_error_naming_the_column_and_the_value(editor):
    plan = plan_sheet(editor, csv_bytes([["name", "country", "detained_on"], ["A. B.", "BY", "14.07.2021"]]))

    assert errors(plan) == {2: ["detained_on: “14.07.2021” is not a date: write 2025-12-12, 2025-09 or 2025."]}
    assert not plan.is_valid


def test_reduced_iso_dates_keep_their_precision(editor):
    import_sheet(
        editor,
        csv_bytes(
            [
                ["name", "country", "detained_on", "custody_status", "released_on"],
                ["A. B.", "BY", "2020", "released", "2025-09"],
            ]
        ),
    )

    detention = Detention.objects.get()
    assert (detention.detained_on, detention.detained_on_precision) == (datetime.date(2020, 1, 1), "year")
    assert (detention.released_on, detention.released_on_precision) == (datetime.date(2025, 9, 1), "month")


def test_formula_escaped_cells_are_stored_without_the_apostrophe(editor):
    import_sheet(editor, csv_bytes([["name", "occupation"], ["A. B.", "'=SUM(A1)"]]))

    assert Person.objects.get().occupation == "=SUM(A1)"


def test_constraint_violations_are_row_errors_in_words(editor):
    plan = plan_sheet(
        editor,
        csv_bytes([["name", "country", "custody_status", "released_on"], ["A. B.", "BY", "held", "2025-09-11"]]),
    )

    assert errors(plan) == {
        2: ["A person still held has no release date or release mode: change the custody status first."]
    }


def test_organisations_and_sources_are_named_in_cells_and_must_exist(editor):
    viasna = make_organization(name="Viasna")
    source = make_source(url="https://spring96.org/en/news/1")
    sheet = [
        ["name", "country", "recognised_by", "recognised_on", "sources"],
        ["A. B.", "BY", "Viasna", "2021-08-01", "https://spring96.org/en/news/1"],
        ["C. D.", "BY", "Vyasna", "", "https://nowhere.example/"],
    ]

    plan = plan_sheet(editor, csv_bytes(sheet))

    assert errors(plan)[3] == [
        "recognised_by: no organisation is named “Vyasna”: add it in the admin first, or check the spelling.",
        "sources: no source has the URL or stable ID “https://nowhere.example/”: add the source in the admin first.",
    ]
    import_sheet(editor, csv_bytes(sheet[:2]))
    detention = Detention.objects.get()
    assert detention.recognised_by == viasna
    assert list(detention.sources.all()) == [source]


# --- Files --------------------------------------------------------------------


@pytest.mark.parametrize("bom", [True, False], ids=["with BOM", "without BOM"])
@pytest.mark.parametrize("delimiter", [",", ";"], ids=["commas", "semicolons"])
def test_cyrillic_names_survive_a_utf8_csv(editor, bom, delimiter):
    import_sheet(
        editor,
        csv_bytes([["name", "name_variants"], ["Ціханоўскі Ў. Ё.", "Тихановский | Cichanoŭski"]], bom, delimiter),
    )

    person = Person.objects.get()
    assert person.name == "Ціханоўскі Ў. Ё."
    assert set(person.name_variants.values_list("name", flat=True)) == {"Тихановский", "Cichanoŭski"}


def test_cyrillic_names_and_date_cells_survive_an_xlsx(editor):
    sheet = xlsx_bytes(
        [["name", "birth_year", "country", "detained_on"], ["Марына Ў.", 1991, "BY", datetime.datetime(2023, 4, 5)]]
    )

    import_sheet(editor, sheet, "people.xlsx")

    person = Person.objects.get()
    assert person.name == "Марына Ў."
    assert person.birth_year == 1991
    assert (person.detentions.get().detained_on, person.detentions.get().detained_on_precision) == (
        datetime.date(2023, 4, 5),
        "day",
    )


def test_a_csv_in_another_encoding_is_refused_in_words():
    with pytest.raises(SheetError, match="The file is not UTF-8: save it as CSV UTF-8"):
        read_sheet("people.csv", "name\nАлесь\n".encode("cp1251"))


def test_a_file_named_xlsx_that_is_no_workbook_is_refused_in_words():
    with pytest.raises(SheetError, match="The file is not an Excel workbook"):
        read_sheet("people.xlsx", b"name\nAles\n")


def test_the_upload_form_refuses_other_formats(client, editor):
    client.force_login(editor)

    response = client.post(import_url(), {"file": _named(b"name\n", "people.txt")})

    assert response.status_code == 200
    assert "Choose a .csv or .xlsx file." in response.text


def test_the_upload_form_refuses_files_over_10_mb(client, editor):
    client.force_login(editor)

    response = client.post(import_url(), {"file": _named(b"name\n" + b"x" * (10 * 1024 * 1024), "people.csv")})

    assert "The file is larger than 10 MB" in response.text


# --- All or nothing -------------------------------------------------------------


def test_one_bad_row_writes_nothing(client, editor):
    client.force_login(editor)
    before = (Person.objects.count(), Detention.objects.count())
    sheet = csv_bytes([["name", "country", "detained_on"], ["A. B.", "BY", "2021"], ["C. D.", "BY", "someday"]])

    response = upload(client, sheet)

    assert response.status_code == 200
    assert response.context["plan"].counts == {"create": 1, "update": 0, "unchanged": 0, "error": 1}
    assert response.context["token"] == ""
    assert "Nothing can be imported while the sheet has errors" in response.text
    assert "Confirm import" not in response.text
    assert (Person.objects.count(), Detention.objects.count()) == before


def test_a_5000_row_sheet_is_written_in_one_transaction(editor, monkeypatch):
    # The last write of the import fails, after every person and half their
    # history are in: nothing is kept.
    bulk_create = NameVariantQuerySet.bulk_create

    def bulk_create_then_fail(self, objs, *args, **kwargs):
        bulk_create(self, objs, *args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(NameVariantQuerySet, "bulk_create", bulk_create_then_fail)
    rows = [
        ["person_external_id", "name", "name_variants"],
        *([f"p-{n}", f"Person {n}", f"Асоба {n}"] for n in range(5000)),
    ]
    importer = PeopleImporter(editor, "big.csv")
    plan = importer.plan(read_sheet("big.csv", csv_bytes(rows)))
    assert plan.counts["create"] == 5000

    with pytest.raises(RuntimeError):
        importer.apply(plan)

    assert (Person.objects.count(), NameVariant.objects.count()) == (0, 0)
    assert (Person.history.count(), NameVariant.history.count()) == (0, 0)


def test_a_row_the_database_refuses_writes_nothing(editor):
    make_person(name="Someone", external_id="p-1", status=Status.DRAFT)
    sheet = [["person_external_id", "name", "detention_external_id", "country"], ["p-1", "Someone", "p-1-1", "BY"]]
    sheet += [[f"p-{n}", f"Person {n}", f"p-{n}-1", "BY"] for n in range(2, 600)]
    importer = PeopleImporter(editor, "late.csv")
    plan = importer.plan(read_sheet("late.csv", csv_bytes(sheet)))
    # Another editor takes a key of the sheet between its plan and its write.
    make_person(name="Quicker", external_id="p-599", status=Status.DRAFT)
    before = (Person.objects.count(), Detention.objects.count(), Person.history.count(), Detention.history.count())

    with pytest.raises(IntegrityError):
        importer.apply(plan)

    assert (
        Person.objects.count(),
        Detention.objects.count(),
        Person.history.count(),
        Detention.history.count(),
    ) == before


# --- The admin flow ---------------------------------------------------------------


def test_upload_preview_confirm_imports_and_reports_counts(client, editor):
    make_person(name="Already here", external_id="p-1", status=Status.DRAFT)
    client.force_login(editor)
    sheet = csv_bytes([["person_external_id", "name"], ["p-1", "Already here"], ["p-2", "Новы чалавек"]])

    preview = upload(client, sheet)
    token = preview.context["token"]
    assert preview.context["counts"] == {"create": 1, "update": 0, "unchanged": 1, "error": 0}
    assert Person.objects.count() == 1
    response = client.post(import_url("import_confirm"), {"token": token}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:tracker_person_changelist")
    assert "Imported: 1 created, 0 updated, 1 unchanged." in response.text
    assert Person.objects.get(external_id="p-2").name == "Новы чалавек"
    again = client.post(import_url("import_confirm"), {"token": token}, follow=True)
    assert "This import has expired or was already done" in again.text
    assert Person.objects.count() == 2


def test_preview_names_the_record_of_each_row(client, editor):
    make_person(name="Already here", external_id="p-1", status=Status.DRAFT)
    client.force_login(editor)
    sheet = csv_bytes(
        [["person_external_id", "name", "region"], ["p-1", "Already here", "Hrodna"], ["p-2", "Новы чалавек", ""]]
    )

    html = upload(client, sheet).content.decode()

    assert "<td>Already here</td>" in html
    assert "<td>Новы чалавек</td>" in html


def test_the_upload_is_kept_private_until_confirmed_then_deleted(client, editor, settings):
    client.force_login(editor)

    token = upload(client, csv_bytes([["name"], ["A. B."]])).context["token"]

    kept = sorted(settings.IMPORT_TMP_DIR.iterdir())
    assert [path.name for path in kept] == [f"{token}.json", f"{token}.upload"]
    assert {path.stat().st_mode & 0o777 for path in kept} == {0o600}
    client.post(import_url("import_confirm"), {"token": token})
    assert list(settings.IMPORT_TMP_DIR.iterdir()) == []


def test_the_changelist_shows_import_only_to_those_who_may_import(client, contributor):
    viewer = make_user("Viewer")
    client.force_login(contributor)
    assert import_url() in client.get(reverse("admin:tracker_person_changelist")).text

    client.force_login(viewer)
    assert import_url() not in client.get(reverse("admin:tracker_person_changelist")).text


def test_a_viewer_gets_403_on_the_import_urls(client):
    client.force_login(make_user("Viewer"))

    assert client.get(import_url()).status_code == 403
    assert client.post(import_url(), {"file": _named(csv_bytes([["name"], ["A. B."]]), "p.csv")}).status_code == 403
    assert client.post(import_url("import_confirm"), {"token": "x" * 43}).status_code == 403
    assert Person.objects.count() == 0


def test_a_contributor_imports_drafts_but_cannot_update_a_published_person(client, contributor):
    published = make_person(name="Published Person", external_id="p-1", status=Status.PUBLISHED)
    client.force_login(contributor)
    sheet = csv_bytes(
        [["person_external_id", "name", "region"], ["p-1", "Published Person", "Minsk"], ["p-2", "New Draft", ""]]
    )

    response = upload(client, sheet)

    plan = response.context["plan"]
    assert errors(plan) == {2: ["person_uid: this person is published: only an Editor can change it."]}
    assert response.context["token"] == ""
    import_sheet(contributor, csv_bytes([["name"], ["New Draft"]]))
    assert Person.objects.get(name="New Draft").status == Status.DRAFT
    published.refresh_from_db()
    assert published.region == ""


def test_the_confirm_step_refuses_the_token_of_another_user(client, editor):
    client.force_login(editor)
    token = upload(client, csv_bytes([["name"], ["A. B."]])).context["token"]

    client.force_login(make_user("Editor"))
    response = client.post(import_url("import_confirm"), {"token": token})

    assert response.status_code == 403
    assert Person.objects.count() == 0


def test_confirm_plans_again_and_refuses_what_became_an_error(client, contributor):
    person = make_person(name="A. B.", external_id="p-1", status=Status.DRAFT)
    client.force_login(contributor)
    token = upload(client, csv_bytes([["person_external_id", "region"], ["p-1", "Brest"]])).context["token"]
    person.status = Status.PUBLISHED  # an Editor publishes it meanwhile
    person.save()

    response = client.post(import_url("import_confirm"), {"token": token})

    assert response.status_code == 200
    assert "The database changed since the preview" in response.text
    assert response.context["plan"].counts["error"] == 1
    person.refresh_from_db()
    assert person.region == ""


def test_history_names_the_importing_user(client, editor):
    make_person(name="A. B.", external_id="p-1", status=Status.DRAFT)
    make_source(url="https://spring96.org/en/news/3")
    client.force_login(editor)
    sheet = csv_bytes(
        [
            ["person_external_id", "name", "name_variants", "region", "country", "charges", "sources"],
            ["p-1", "A. B.", "", "Homel", "", "", ""],
            ["p-2", "C. D.", "Сі Дзі", "", "BY", "342", "https://spring96.org/en/news/3"],
        ]
    )
    token = upload(client, sheet).context["token"]

    client.post(import_url("import_confirm"), {"token": token})

    imported = Person.history.filter(history_change_reason="import people.csv")
    assert sorted((row.history_type, row.external_id) for row in imported) == [("+", "p-2"), ("~", "p-1")]
    assert {row.history_user for row in imported} == {editor}
    for model in (Detention, NameVariant, Charge, DetentionSource):
        assert {(row.history_user, row.history_change_reason) for row in model.history.all()} == {
            (editor, "import people.csv")
        }


def test_identity_columns_are_ignored_with_a_warning_for_a_contributor(contributor, editor):
    sheet = csv_bytes([["name", "identity_level", "internal_notes"], ["A. B.", "full", "family asked for care"]])

    plan = import_sheet(contributor, sheet)

    assert plan.warnings == [
        "Ignored columns: identity_level, internal_notes. Only Editors set identity levels and internal notes."
    ]
    person = Person.objects.get()
    assert (person.identity_level, person.internal_notes) == ("withheld", "")
    import_sheet(editor, sheet)
    assert Person.objects.get(pk__gt=person.pk).identity_level == "full"


# --- Export → import ----------------------------------------------------------------


def export_people(client, people):
    response = client.post(
        reverse("admin:tracker_person_changelist"),
        {"action": "export_csv", "_selected_action": [person.pk for person in people]},
    )
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("role", ["Editor", "Contributor"])
def test_exported_people_import_back_unchanged(client, role):
    viasna = make_organization(name="Viasna")
    source = make_source(url="https://spring96.org/en/news/2")
    withheld = make_person(name='=HYPERLINK("x")', identity_level="withheld", birth_year=1985, internal_notes="-care")
    make_person(name="Юрый Ш.", identity_level="initials")
    NameVariant.objects.create(person=withheld, name="Юрась", script="Cyrl")
    first = make_detention(
        person=withheld,
        detained_on=datetime.date(2020, 8, 1),
        detained_on_precision="month",
        recognised_by=viasna,
        recognised_on=datetime.date(2020, 9, 3),
    )
    first.sources.add(source)
    Charge.objects.create(detention=first, article="342")
    make_detention(person=withheld, detained_on=None, custody_status="released", external_id="v-2", sentence="+3 years")
    user = make_user(role)
    client.force_login(user)

    exported = export_people(client, Person.objects.all())
    plan = plan_sheet(user, exported)

    assert actions(plan) == ["unchanged", "unchanged", "unchanged"]
    assert exported.decode("utf-8-sig").splitlines()[0].startswith("person_uid,person_external_id,name,name_variants")
    assert ("identity_level" in exported.decode()) == (role == "Editor")


def test_people_export_runs_a_fixed_number_of_queries(editor, django_assert_num_queries):
    for n in range(3):
        detention = make_detention(person=make_person(name=f"P{n}"), recognised_by=make_organization())
        Charge.objects.create(detention=detention, article="342")
    importer = PeopleImporter(editor)

    # people, name variants, detentions with their recognising organisation, charges, sources
    with django_assert_num_queries(5):
        rows = list(importer.export_rows(Person.objects.all()))

    assert len(rows) == 3


@pytest.mark.parametrize("people", [1, 30])
def test_planning_an_unchanged_sheet_runs_a_fixed_number_of_queries(editor, people, django_assert_num_queries):
    organization = make_organization(name="Viasna")
    for n in range(people):
        detention = make_detention(person=make_person(name=f"P{n}"), recognised_by=organization)
        Charge.objects.create(detention=detention, article="342")
    importer = PeopleImporter(editor)
    exported = "".join(csv_stream(importer.header(), importer.export_rows(Person.objects.all())))
    sheet = read_sheet("p.csv", exported.encode())

    # people and their variants; detentions, their charges and sources; organisations named
    with django_assert_num_queries(6):
        plan = importer.plan(sheet)

    assert set(actions(plan)) == {"unchanged"}


@pytest.mark.parametrize("people", [1, 30])
def test_planning_a_sheet_that_changes_every_person_runs_a_fixed_number_of_queries(
    editor, people, django_assert_num_queries
):
    # The preview plans the sheet, and the confirm plans it again: every
    # changed person is validated, and Person.clean() checks that the row
    # lowers nobody's protection (tracker/protection.py) against the level
    # prepare() read with the whole sheet, not with a query per row.
    organization = make_organization(name="Viasna")
    for n in range(people):
        level = Person.IdentityLevel.INITIALS if n % 2 else Person.IdentityLevel.FULL
        detention = make_detention(
            person=make_person(name=f"P{n}", identity_level=level, region="Minsk"), recognised_by=organization
        )
        Charge.objects.create(detention=detention, article="342")
    importer = PeopleImporter(editor)
    exported = "".join(csv_stream(importer.header(), importer.export_rows(Person.objects.all())))
    sheet = read_sheet("p.csv", exported.encode().replace(b",Minsk,", b",Hrodna,"))

    # people and their variants; detentions, their charges and sources; organisations named
    with django_assert_num_queries(6):
        plan = importer.plan(sheet)

    assert set(actions(plan)) == {"update"}, errors(plan)


# --- Writing in bulk --------------------------------------------------------------
# Records, their history and the people's search keys are written a batch at a
# time (Importer.save_records(), publishing.write_history()): what save() and
# simple-history would have stored, row by row.


def history_values(model, record):
    historical = model.history.model
    return {f.attname: getattr(record, f.attname) for f in historical.tracked_fields}


def assert_one_history_row_each(model, records, history_type, user, reason):
    for record in records:
        rows = list(model.history.filter(id=record.pk, history_type=history_type))
        assert len(rows) == 1, (model, record.pk, history_type)
        assert (rows[0].history_user, rows[0].history_change_reason) == (user, reason)
        assert history_values(model, rows[0]) == history_values(model, record)


def test_every_imported_record_has_one_history_row_with_its_values(editor):
    organization = make_organization(name="Viasna")
    make_source(url="https://spring96.org/en/news/3")
    kept = make_person(name="A. B.", external_id="p-1", region="Minsk", status=Status.DRAFT)
    detention = make_detention(person=kept, external_id="p-1-1", country="BY", status=Status.DRAFT)
    sheet = csv_bytes(
        [
            [
                "person_external_id",
                "name",
                "name_variants",
                "region",
                "detention_external_id",
                "country",
                "detained_on",
                "custody_status",
                "released_on",
                "release_mode",
                "charges",
                "recognised_by",
                "sources",
            ],
            [
                "p-1",
                "A. B.",
                "А. Б.",
                "Brest",
                "p-1-1",
                "PL",
                "2021-07-14",
                "released",
                "2024-03",
                "pardon",
                "342",
                "Viasna",
                "",
            ],
            [
                "p-2",
                "C. D.",
                "Сі Дзі | C. D-ski",
                "",
                "p-2-1",
                "BY",
                "2021",
                "",
                "",
                "",
                "342 | 130",
                "",
                "https://spring96.org/en/news/3",
            ],
        ]
    )

    import_sheet(editor, sheet)

    reason = "import people.csv"
    new_person = Person.objects.get(external_id="p-2")
    assert_one_history_row_each(Person, [new_person], "+", editor, reason)
    assert_one_history_row_each(Person, [Person.objects.get(pk=kept.pk)], "~", editor, reason)
    assert_one_history_row_each(Detention, [Detention.objects.get(external_id="p-2-1")], "+", editor, reason)
    assert_one_history_row_each(Detention, [Detention.objects.get(pk=detention.pk)], "~", editor, reason)
    for model in (NameVariant, Charge, DetentionSource):
        assert_one_history_row_each(model, model.objects.all(), "+", editor, reason)
    updated = Detention.objects.get(pk=detention.pk)
    assert (updated.country.code, updated.custody_status, updated.release_mode, updated.recognised_by) == (
        "PL",
        "released",
        "pardon",
        organization,
    )
    assert (updated.released_on, updated.released_on_precision) == (datetime.date(2024, 3, 1), "month")


def test_an_update_increments_the_version_and_changes_only_what_the_sheet_changes(editor):
    people = [
        make_person(name=f"P{n}", external_id=f"p-{n}", region="Minsk", occupation=f"Job {n}", status=Status.DRAFT)
        for n in range(4)
    ]
    untouched = make_person(name="Not in the sheet", region="Minsk", status=Status.DRAFT)
    before = {person.pk: person.updated_at for person in people}
    # Two columns: one value for every row (region), one value per row (name).
    sheet = [["person_external_id", "name", "region"]] + [[f"p-{n}", f"Renamed {n}", "Hrodna"] for n in range(3)]
    sheet.append(["p-3", "P3", "Minsk"])  # unchanged

    plan = import_sheet(editor, csv_bytes(sheet))

    assert actions(plan) == ["update", "update", "update", "unchanged"]
    for n, person in enumerate(people):
        person.refresh_from_db()
        changed = n < 3
        assert (person.name, person.region, person.occupation) == (
            (f"Renamed {n}", "Hrodna") if changed else ("P3", "Minsk")
        ) + (f"Job {n}",)
        assert person.version == (2 if changed else 1)
        assert (person.updated_at > before[person.pk]) == changed
        assert person.history.count() == (2 if changed else 1)
    untouched.refresh_from_db()
    assert (untouched.version, untouched.region, untouched.history.count()) == (1, "Minsk", 1)


def test_search_keys_are_those_save_stores_after_an_import(editor):
    renamed = make_person(name="Sergei Tikhanovsky", external_id="p-1", status=Status.DRAFT)
    make_name_variant(person=renamed, name="Сергей Тихановский")
    unchanged = make_person(name="Ales Bialiatski", external_id="p-2", status=Status.DRAFT)
    sheet = csv_bytes(
        [
            ["person_external_id", "name", "name_variants", "detention_external_id", "country"],
            ["p-1", "Siarhei Tsikhanouski", "", "", ""],  # renamed, no new variant
            ["p-2", "Ales Bialiatski", "Алесь Бяляцкі", "", ""],  # unchanged, a new variant
            ["p-3", "Ihar Losik", "Ігар Лосік", "p-3-1", "BY"],  # new
            ["p-3", "", "Игорь Лосик", "p-3-2", "BY"],  # a later row adds a variant
        ]
    )

    import_sheet(editor, sheet)

    for person in Person.objects.all():
        stored = person.search_key
        person.refresh_search_key()  # what save() computes, from the database
        person.refresh_from_db()
        assert stored == person.search_key, person.name
    assert names_matching("Лосик") == names_matching("Ihar Losik") == ["Ihar Losik"]
    assert names_matching("Бяляцкі") == ["Ales Bialiatski"]
    assert names_matching("Ціханоўскі") == ["Siarhei Tsikhanouski"]
    assert unchanged.history.count() == 1  # the key is derived: no history row, no new version


def names_matching(query):
    return sorted(person.name for person in Person.objects.matching(query))


def people_sheet(first, count, region="Minsk"):
    return csv_bytes(
        [
            [
                "person_external_id",
                "name",
                "name_variants",
                "region",
                "detention_external_id",
                "country",
                "charges",
                "sources",
            ]
        ]
        + [
            [
                f"p-{n}",
                f"Person {n}",
                f"Асоба {n} | Osoba {n}",
                region,
                f"p-{n}-1",
                "BY",
                "342 | 130",
                "https://spring96.org/en/news/3",
            ]
            for n in range(first, first + count)
        ]
    )


def queries_to_import(user, data):
    importer = PeopleImporter(user, "q.csv")
    plan = importer.plan(read_sheet("q.csv", data), lock=True)
    assert plan.is_valid
    with CaptureQueriesContext(connection) as queries:
        importer.apply(plan)
    return len(queries)


def test_writing_a_sheet_takes_as_many_queries_for_40_rows_as_for_10(editor):
    make_source(url="https://spring96.org/en/news/3")

    created = [queries_to_import(editor, people_sheet(0, 10)), queries_to_import(editor, people_sheet(10, 40))]
    updated = [
        queries_to_import(editor, people_sheet(0, 10, "Hrodna")),
        queries_to_import(editor, people_sheet(10, 40, "Hrodna")),
    ]

    assert created[0] == created[1]
    assert updated[0] == updated[1]
    assert Person.objects.filter(region="Hrodna").count() == 50


def test_the_records_an_import_writes_have_no_save_receivers_but_history(editor):
    # save_records() sends no pre_save or post_save: a receiver added to one of
    # these models would not hear imports. Make it hear them (save one by one
    # in Importer.save_records(), or do its work there) before adding it here.
    from simple_history.models import HistoricalRecords

    from tracker.models import name_variant_changed, person_loaded, person_loading

    # person_loading and person_loaded act on fixtures (raw saves) only; NameVariantQuerySet.bulk_create()
    # does what name_variant_changed does (the search key) for variants made in bulk, and
    # PeopleImporter.apply() takes down the text a protected person's new names use (tracker/withholding.py).
    known = {person_loading, person_loaded, name_variant_changed}

    for importer in (PeopleImporter, FigureImporter, EventImporter):
        for model in importer.writes:
            for signal in (pre_save, post_save):
                receivers = signal._live_receivers(model)
                receivers = receivers[0] if isinstance(receivers, tuple) else receivers
                for receiver in receivers:
                    owner = getattr(receiver, "__self__", None)
                    assert isinstance(owner, HistoricalRecords) or receiver in known, (model, signal, receiver)


def test_a_model_with_its_own_save_is_saved_one_by_one(editor, monkeypatch):
    saved = []
    original = Detention.save

    def save(self, *args, **kwargs):
        saved.append(self.external_id)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Detention, "save", save)

    import_sheet(
        editor,
        csv_bytes(
            [
                ["person_external_id", "name", "detention_external_id", "country"],
                ["p-1", "A. B.", "p-1-1", "BY"],
                ["p-2", "C. D.", "p-2-1", "BY"],
            ]
        ),
    )

    assert saved == ["p-1-1", "p-2-1"]
    assert Detention.history.filter(history_user=editor, history_change_reason="import people.csv").count() == 2


def test_history_copied_by_the_database_is_what_simple_history_writes(editor):
    from tracker.publishing import write_history

    viasna = make_organization(name="Viasna")
    people = [make_person(name=f"P{n}", birth_year=1980 + n, region="Minsk", status=Status.DRAFT) for n in range(3)]
    detentions = [
        make_detention(person=person, recognised_by=viasna, detained_on=datetime.date(2021, 7, 14)) for person in people
    ]
    for model, records in ((Person, people), (Detention, detentions)):
        for record in records:
            record._history_user = editor
            record._change_reason = "import x.csv"
        model.history.all().delete()

        write_history(model, records, "~")
        copied = {row.id: row for row in model.history.all()}
        model.history.all().delete()
        model.history.bulk_history_create(records, update=True)
        built = {row.id: row for row in model.history.all()}

        fields = [
            f.attname
            for f in model.history.model._meta.concrete_fields
            if f.attname not in ("history_id", "history_date")
        ]
        assert {pk: [getattr(row, f) for f in fields] for pk, row in copied.items()} == {
            pk: [getattr(row, f) for f in fields] for pk, row in built.items()
        }
        assert len(copied) == 3
