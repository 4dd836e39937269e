import gzip
import json

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.core.management.base import CommandError

from events.models import Figure
from tests.factories import make_figure, make_name_variant, make_person, make_source, make_user, regrant_roles
from tracker.models import Person, Source
from tracker.publishing import Status
from tracker.roles import EDITOR

pytestmark = pytest.mark.django_db

PASSWORD = "Lukashenko-meets-Coale-1212"


def snapshot():
    """Every row of every registry and history table, and who belongs to which group.

    Not the data and table versions: cache counters that every write moves on, not data.
    """
    rows = {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_label in {"tracker", "events"} and not getattr(model, "cache_counter", False)
    }
    rows["auth.User"] = list(User.objects.order_by("pk").values())

    def permissions(queryset):
        return sorted(queryset.values_list("content_type__app_label", "codename"))

    rows["groups"] = {group.name: permissions(group.permissions) for group in Group.objects.all()}
    rows["memberships"] = {
        user.username: (sorted(user.groups.values_list("name", flat=True)), permissions(user.user_permissions))
        for user in User.objects.all()
    }
    return rows


def read(path):
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        return stream.read()


def write(path, document):
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        json.dump(document, stream)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restored_into_an_empty_database_loses_nothing(tmp_path):
    call_command("loaddata", "belarus", verbosity=0)
    draft = make_source(status=Status.DRAFT, title="Unconfirmed report of a second release")
    draft.title = "Unconfirmed report of a third release"
    draft.save()  # an edit: a second history row
    withheld = make_person(identity_level=Person.IdentityLevel.WITHHELD, internal_notes="Family asked: no name.")
    make_name_variant(person=withheld, name="Іван Іваноў")
    make_figure(status=Status.DRAFT, value=52)
    editor = make_user(EDITOR, password=PASSWORD)
    editor.user_permissions.add(Permission.objects.get(codename="manage_identity"))
    before = snapshot()
    assert before["tracker.HistoricalSource"] and before["events.HistoricalFigure"]

    call_command("backup", tmp_path / "tracker.json.gz", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    regrant_roles()
    assert not Source.objects.exists() and not User.objects.exists()
    call_command("restore", tmp_path / "tracker.json.gz", verbosity=0)

    assert snapshot() == before
    # Ids continue after the restored ones (PostgreSQL's sequences were reset).
    assert make_source().pk > max(row["id"] for row in before["tracker.Source"])
    assert make_figure().pk > max(row["id"] for row in before["events.Figure"])


def test_the_backup_holds_no_password_in_clear_text(tmp_path):
    make_user(EDITOR, password=PASSWORD)

    call_command("backup", tmp_path / "tracker.json.gz", verbosity=0)

    text = read(tmp_path / "tracker.json.gz")
    assert PASSWORD not in text
    assert User.objects.get().password in text  # the hash, so logins survive a restore


def test_backup_prints_the_counts_per_model(tmp_path, belarus, capsys):
    call_command("backup", tmp_path / "tracker.json.gz")

    out = capsys.readouterr().out
    assert f"events.Figure: {Figure.objects.count()}" in out
    assert "tracker.HistoricalPerson: " in out


def test_backup_refuses_to_overwrite_a_file_without_force(tmp_path):
    target = tmp_path / "tracker.json.gz"
    target.write_text("an older backup")

    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", target, verbosity=0)
    assert target.read_text() == "an older backup"

    call_command("backup", target, force=True, verbosity=0)
    assert json.loads(read(target))["format"] == "prisoner-release-tracker backup"
    assert [p.name for p in tmp_path.iterdir()] == ["tracker.json.gz"]  # no temporary file left


def test_restore_refuses_a_database_that_holds_data(tmp_path, belarus):
    call_command("backup", tmp_path / "tracker.json.gz", verbosity=0)
    before = snapshot()

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", tmp_path / "tracker.json.gz", verbosity=0)
    assert snapshot() == before


def test_restore_refuses_a_database_that_holds_users(tmp_path):
    call_command("backup", tmp_path / "tracker.json.gz", verbosity=0)
    make_user()

    with pytest.raises(CommandError, match="auth.User"):
        call_command("restore", tmp_path / "tracker.json.gz", verbosity=0)


@pytest.mark.parametrize(
    "content",
    [b"not a backup", gzip.compress(b"{not json"), gzip.compress(b'[{"model": "tracker.source"}]')],
    ids=["not gzip", "not json", "not a backup"],
)
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, content):
    (tmp_path / "bad.json.gz").write_bytes(content)

    with pytest.raises(CommandError, match="bad.json.gz"):
        call_command("restore", tmp_path / "bad.json.gz", verbosity=0)
    assert not User.objects.exists()


def test_restore_refuses_a_truncated_file(tmp_path):
    make_user(EDITOR)
    call_command("backup", tmp_path / "tracker.json.gz", verbosity=0)
    data = (tmp_path / "tracker.json.gz").read_bytes()
    (tmp_path / "tracker.json.gz").write_bytes(data[: len(data) // 2])
    User.objects.all().delete()

    with pytest.raises(CommandError, match="not a readable backup"):
        call_command("restore", tmp_path / "tracker.json.gz", verbosity=0)
    assert not User.objects.exists()


def test_restore_writes_nothing_when_a_row_fails_to_load(tmp_path):
    make_user(EDITOR, username="editor")
    make_source(status=Status.DRAFT)
    call_command("backup", tmp_path / "tracker.json.gz", verbosity=0)
    document = json.loads(read(tmp_path / "tracker.json.gz"))
    source = next(o for o in document["objects"] if o["model"] == "tracker.source")
    source["fields"]["published_on"] = "the twelfth of December"
    write(tmp_path / "tracker.json.gz", document)
    User.objects.all().delete()
    Source.history.all().delete()
    Source.objects.all().delete()
    Source.history.all().delete()

    with pytest.raises(CommandError, match="Nothing was restored"):
        call_command("restore", tmp_path / "tracker.json.gz", verbosity=0)
    assert not User.objects.exists() and not Source.objects.exists()


def test_restore_refuses_a_file_whose_rows_do_not_match_its_counts(tmp_path):
    make_user(EDITOR)
    call_command("backup", tmp_path / "tracker.json.gz", verbosity=0)
    document = json.loads(read(tmp_path / "tracker.json.gz"))
    document["objects"] = [o for o in document["objects"] if o["model"] != "auth.user"]
    write(tmp_path / "tracker.json.gz", document)
    User.objects.all().delete()

    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", tmp_path / "tracker.json.gz", verbosity=0)
    assert not Group.objects.filter(user__isnull=False).exists()
