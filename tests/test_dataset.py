"""The versioned data package: the public CSVs, described well enough to validate themselves."""

import csv
import io
import json
import zipfile

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from frictionless import validate

from events import dataset
from events.columns import TABLES
from tests.factories import make_detention, make_event, make_figure, make_person
from tests.planted import world  # noqa: F401 (a fixture)
from tracker.models import Person
from tracker.publishing import Status

pytestmark = pytest.mark.django_db


def build(directory):
    return dataset.build(directory, site_url="http://testserver")


def problems(directory):
    report = validate(str(directory / "datapackage.json"))
    return [] if report.valid else report.flatten(["type", "note"])


def test_the_package_validates_against_its_own_description(world, tmp_path):
    package = build(tmp_path / "package")
    assert problems(tmp_path / "package") == []
    assert [resource["name"] for resource in package["resources"]] == list(TABLES)
    assert package["version"].startswith("1.") and package["created"]
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    fields = {
        resource["name"]: [field["name"] for field in resource["schema"]["fields"]] for resource in package["resources"]
    }
    assert fields == {table: [column.name for column in columns] for table, columns in TABLES.items()}


@pytest.mark.parametrize("table", TABLES)
def test_each_file_is_the_unfiltered_public_csv(client, world, tmp_path, table):
    package = build(tmp_path / "package")
    written = (tmp_path / "package" / f"{table}.csv").read_bytes()
    download = b"".join(client.get(f"/{table}.csv").streaming_content)
    assert written == download.removeprefix("\ufeff".encode())
    [resource] = [resource for resource in package["resources"] if resource["name"] == table]
    assert resource["rows"] == len(list(csv.reader(io.StringIO(written.decode())))) - 1
    assert resource["bytes"] == len(written)


def test_a_changed_file_or_a_broken_link_between_files_fails_validation(world, tmp_path):
    directory = tmp_path / "package"
    build(directory)
    figures = directory / "figures.csv"
    original = figures.read_text()
    figures.write_text(original.replace("between 40 and 52", "between 40 and 53"))
    assert any(kind == "hash-count" for kind, _ in problems(directory))
    # A figure pointing at an event the timeline file does not hold, with the hash made to match.
    descriptor = json.loads((directory / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        resource.pop("hash"), resource.pop("bytes")
    (directory / "datapackage.json").write_text(json.dumps(descriptor))
    rows = list(csv.DictReader(io.StringIO(original)))
    linked = next(row for row in rows if row["event_uid"])
    figures.write_text(original.replace(linked["event_uid"], "00000000-0000-4000-8000-000000000000"))
    assert any(kind == "foreign-key" for kind, _ in problems(directory))


def test_the_zip_holds_the_same_files(world, tmp_path):
    directory = tmp_path / "package"
    build(directory)
    with zipfile.ZipFile(directory / dataset.ARCHIVE) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(f"{dataset.NAME}/{name}" for name in ["datapackage.json", *(f"{t}.csv" for t in TABLES)])
        assert archive.read(f"{dataset.NAME}/prisoners.csv") == (directory / "prisoners.csv").read_bytes()


def test_a_new_build_replaces_the_old_one_whole(world, tmp_path):
    directory = tmp_path / "package"
    first = build(directory)
    make_event(title="A later event")
    second = build(directory)
    assert [r["rows"] for r in second["resources"]][0] == [r["rows"] for r in first["resources"]][0] + 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["package"]
    assert problems(directory) == []


def test_a_directory_holding_other_files_is_refused_and_left_alone(world, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(CommandError, match="holds other files than a data package"):
        call_command("export_dataset", str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    with pytest.raises(CommandError, match="is a file"):
        call_command("export_dataset", str(tmp_path / "notes.txt"))
    with pytest.raises(CommandError, match="--site-url must start with"):
        call_command("export_dataset", str(tmp_path / "new"), site_url="javascript:alert(1)")


def test_the_command_reports_version_and_rows(world, tmp_path, capsys):
    call_command("export_dataset", str(tmp_path / "package"), site_url="https://tracker.example")
    out = capsys.readouterr().out
    assert out.startswith("Data package version 1.")
    assert "prisoners.csv" in out and "rows" in out
    assert "https://tracker.example/events/" in (tmp_path / "package" / "timeline.csv").read_text()


def served(client, name):
    response = client.get(f"/data/package/{name}")
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


def test_the_data_page_links_the_package_of_the_data_as_it_is(client, world, settings):
    html = client.get("/data/").content.decode()
    [folder] = [path for path in settings.DATASET_DIR.iterdir()]
    package = json.loads((folder / "datapackage.json").read_text())
    assert f"Version <strong>{package['version']}</strong>" in html
    for resource in package["resources"]:
        assert f'<a href="/data/package/{resource["path"]}" download>{resource["path"]}</a>' in html
        assert f'<td class="number" data-label="Rows">{resource["rows"]}</td>' in html
    assert f"data package version {package['version']}, built {package['created'][:10]}" in html
    response = client.get("/data/package/prisoners.csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert b"".join(response.streaming_content) == (folder / "prisoners.csv").read_bytes()
    assert json.loads(served(client, "datapackage.json"))["version"] == package["version"]
    assert client.get(f"/data/package/{dataset.ARCHIVE}")["Content-Type"] == "application/zip"


def test_the_first_request_builds_the_package_and_later_ones_reuse_it(client, world, settings):
    first = served(client, "datapackage.json")
    assert problems(next(settings.DATASET_DIR.iterdir())) == []
    assert served(client, "datapackage.json") == first
    assert client.get("/data/").status_code == 200
    assert len(list(settings.DATASET_DIR.iterdir())) == 1


def withhold(person):
    person.identity_level = Person.IdentityLevel.WITHHELD
    person.save()


def archived(client, name):
    with zipfile.ZipFile(io.BytesIO(served(client, dataset.ARCHIVE))) as archive:
        return archive.read(f"{dataset.NAME}/{name}").decode()


def test_a_withheld_name_leaves_the_package_at_once(client, db, settings):
    """Hole 2: the package kept a withheld person's name until someone ran export_dataset."""
    detention = make_detention(person=make_person(name="Aliaksei Paketnik"))
    make_detention(person=make_person(name="Other Prisoner"))
    call_command("export_dataset", site_url="http://testserver")
    assert "Paketnik" in served(client, "prisoners.csv").decode()
    assert "Paketnik" in archived(client, "prisoners.csv")
    assert [r["rows"] for r in json.loads(served(client, "datapackage.json"))["resources"]][3] == 2

    withhold(detention.person)

    assert "Paketnik" not in client.get("/prisoners.csv").getvalue().decode()
    prisoners = served(client, "prisoners.csv").decode()
    assert "Paketnik" not in prisoners and "Other Prisoner" in prisoners
    for name in ["prisoners.csv", "datapackage.json"]:
        assert "Paketnik" not in archived(client, name)
    package = json.loads(served(client, "datapackage.json"))
    [resource] = [resource for resource in package["resources"] if resource["name"] == "prisoners"]
    assert resource["rows"] == 1
    assert "Paketnik" not in client.get("/data/").content.decode()
    # The package of the earlier version is gone from the storage, not only no longer served.
    assert [path.name for path in settings.DATASET_DIR.iterdir()] == [package_folder(settings)]
    assert not any("Paketnik" in path.read_text(errors="replace") for path in settings.DATASET_DIR.rglob("*.csv"))


def package_folder(settings):
    [folder] = [path.name for path in settings.DATASET_DIR.iterdir()]
    return folder


def test_a_retracted_detention_and_an_unpublished_event_leave_the_package_at_once(client, db):
    detention = make_detention(person=make_person(name="Retracted Prisoner"))
    event = make_event(title="A meeting later retracted")
    call_command("export_dataset", site_url="http://testserver")
    assert "Retracted Prisoner" in served(client, "prisoners.csv").decode()
    assert "later retracted" in served(client, "timeline.csv").decode()
    detention.status = Status.IN_REVIEW
    detention.save()
    event.status = Status.IN_REVIEW
    event.save()
    assert "Retracted Prisoner" not in served(client, "prisoners.csv").decode()
    assert "later retracted" not in served(client, "timeline.csv").decode()
    assert "later retracted" not in archived(client, "timeline.csv")


def test_while_another_request_builds_the_package_the_answer_is_503(client, db, settings, monkeypatch):
    make_detention(person=make_person(name="Waiting Prisoner"))
    cache.add(dataset.CLAIM, True, 60)
    # Held for this test alone: another test run sharing the cache's files may clear them meanwhile.
    monkeypatch.setattr(dataset.cache, "add", lambda key, *args, **kwargs: key != dataset.CLAIM)
    response = client.get("/data/package/prisoners.csv")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "being rebuilt" in response.content.decode()
    assert "being rebuilt with the latest changes" in client.get("/data/").content.decode()
    monkeypatch.undo()
    cache.delete(dataset.CLAIM)
    assert "Waiting Prisoner" in served(client, "prisoners.csv").decode()


def test_a_package_another_server_stored_is_served_as_it_is(client, db, settings):
    """Servers share the storage: a folder of the current version built elsewhere is served, not rebuilt."""
    make_detention(person=make_person(name="Shared Prisoner"))
    folder, package = dataset.publish()
    (settings.DATASET_DIR / folder / "sources.csv").write_text("built elsewhere\n")
    assert served(client, "sources.csv") == b"built elsewhere\n"
    assert json.loads(served(client, "datapackage.json"))["created"] == package["created"]


def test_the_command_without_a_directory_builds_the_served_package(db, settings, capsys):
    make_detention(person=make_person(name="Commanded Prisoner"))
    call_command("export_dataset", site_url="https://tracker.example")
    assert "Data package version 1." in capsys.readouterr().out
    assert "Commanded Prisoner" in (settings.DATASET_DIR / package_folder(settings) / "prisoners.csv").read_text()


@pytest.mark.parametrize("name", ["secret.txt", "..%2Fsettings.py", ".building", "prisoners.csv.bak"])
def test_only_the_package_files_are_served(client, tmp_path, settings, db, name):
    settings.DATASET_DIR = tmp_path
    (tmp_path / "secret.txt").write_text("no")
    assert client.get(f"/data/package/{name}").status_code == 404


def test_files_of_an_older_layout_are_never_served_and_are_removed(client, db, settings):
    settings.DATASET_DIR.mkdir()
    (settings.DATASET_DIR / "prisoners.csv").write_text("Old Name\n")
    assert b"Old Name" not in served(client, "prisoners.csv")
    assert not (settings.DATASET_DIR / "prisoners.csv").exists()


def test_only_published_figures_are_in_the_package(world, tmp_path):
    make_figure(value=424242, status=Status.IN_REVIEW)
    build(tmp_path / "package")
    assert "424242" not in (tmp_path / "package" / "figures.csv").read_text()
