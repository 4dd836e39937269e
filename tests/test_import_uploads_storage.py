"""An import's spreadsheet waits for its confirmation in a storage every application server reads."""

import datetime
import os
import time
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages

from tracker.imports.uploads import discard_upload, load_upload, store_upload
from tracker.models import Person, Source

EDITOR = SimpleNamespace(pk=7)


@pytest.fixture
def shared_storage(settings, tmp_path):
    """STORAGES["imports"] named in the settings, as SHARED_STORAGE_DIR names it: kept in memory here."""
    settings.IMPORT_TMP_DIR = tmp_path / "this-server-only"
    settings.STORAGES = {**settings.STORAGES, "imports": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    return storages["imports"]


def test_an_upload_is_kept_in_the_configured_storage_not_on_this_server(shared_storage, settings):
    token = store_upload(EDITOR, Person, "people.csv", b"name\nA. B.\n")

    assert sorted(shared_storage.listdir("")[1]) == [f"{token}.json", f"{token}.upload"]
    assert not settings.IMPORT_TMP_DIR.exists()
    assert load_upload(EDITOR, Person, token) == ("people.csv", b"name\nA. B.\n")


def test_another_server_confirms_what_one_stored(settings, tmp_path):
    shared = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "shared"}}
    settings.IMPORT_TMP_DIR = tmp_path / "server-a"
    settings.STORAGES = {**settings.STORAGES, "imports": shared}
    token = store_upload(EDITOR, Person, "people.csv", b"name\n")

    # Server B: its own folder, its own storage objects, the same shared place.
    settings.IMPORT_TMP_DIR = tmp_path / "server-b"
    settings.STORAGES = {**settings.STORAGES, "imports": dict(shared)}

    assert load_upload(EDITOR, Person, token) == ("people.csv", b"name\n")
    assert not (tmp_path / "server-a").exists()
    assert not (tmp_path / "server-b").exists()


def test_a_discarded_upload_leaves_nothing_in_the_storage(shared_storage):
    token = store_upload(EDITOR, Person, "people.csv", b"name\n")

    discard_upload(token)

    assert shared_storage.listdir("")[1] == []
    assert load_upload(EDITOR, Person, token) is None


def test_another_users_upload_is_refused_and_another_models_is_gone(shared_storage):
    token = store_upload(EDITOR, Person, "people.csv", b"name\n")

    with pytest.raises(PermissionDenied):
        load_upload(SimpleNamespace(pk=8), Person, token)
    assert load_upload(EDITOR, Source, token) is None


@pytest.mark.parametrize("token", ["", "../../etc/passwd", "x" * 43 + "/", None])
def test_a_token_that_is_not_one_reads_nothing(shared_storage, token):
    assert load_upload(EDITOR, Person, token) is None


def test_uploads_older_than_a_day_are_removed_from_the_storage(settings, tmp_path):
    folder = tmp_path / "shared" / "imports"
    settings.STORAGES = {
        **settings.STORAGES,
        "imports": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": folder}},
    }
    old = store_upload(EDITOR, Person, "old.csv", b"name\n")
    two_days_ago = time.time() - datetime.timedelta(days=2).total_seconds()
    for path in folder.iterdir():
        os.utime(path, (two_days_ago, two_days_ago))

    new = store_upload(EDITOR, Person, "new.csv", b"name\n")

    assert sorted(path.name for path in folder.iterdir()) == [f"{new}.json", f"{new}.upload"]
    assert load_upload(EDITOR, Person, old) is None


def test_without_a_configured_storage_uploads_stay_private_in_import_tmp_dir(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "imports"

    token = store_upload(EDITOR, Person, "people.csv", b"name\n")

    kept = sorted(settings.IMPORT_TMP_DIR.iterdir())
    assert [path.name for path in kept] == [f"{token}.json", f"{token}.upload"]
    assert {path.stat().st_mode & 0o777 for path in kept} == {0o600}
    assert settings.IMPORT_TMP_DIR.stat().st_mode & 0o777 == 0o700
