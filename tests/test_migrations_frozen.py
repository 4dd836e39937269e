"""Migrations import no app code: what a migration does on a fresh database is fixed when it is written.

A migration that calls into the app (tracker.roles, tracker.names…) would
silently change behaviour whenever that code changes, on every database
migrated afterwards. Django's advice for data migrations: copy the logic in.
"""

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from tracker.roles import APP_ROLES

ROOT = Path(__file__).resolve().parent.parent
# The project's own packages: a migration may import Django and the standard library, not these.
APP_PACKAGES = {"tracker", "events", "accounts", "demo"}
MIGRATIONS = sorted(
    path
    for package in APP_PACKAGES
    for path in (ROOT / package / "migrations").glob("*.py")
    if path.name != "__init__.py"  # helpers such as _sqlite_triggers.py are checked too
)


def app_imports(source):
    """The project modules a piece of Python imports, anywhere in it (functions too, and import_module("…"))."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] if node.level == 0 else ["(relative import)"]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            names = [str(node.args[0].value)] if called in ("import_module", "__import__") else []
        else:
            continue
        found += [
            name
            for name in names
            if (name.split(".")[0] in APP_PACKAGES and not is_migration(name)) or name == "(relative import)"
        ]
    return found


def is_migration(name):
    """An earlier migration's module (tracker.migrations.0008_registry_totals), or a helper module of the
    migrations package (events.migrations._sqlite_triggers, which Django does not take for a migration):
    frozen itself and held to this test too, so a migration may build on it."""
    parts = name.split(".")
    return len(parts) == 3 and parts[1] == "migrations" and (parts[2][:4].isdigit() or parts[2].startswith("_"))


def test_there_are_migrations_to_check():
    assert len(MIGRATIONS) >= 8
    assert {path.parent.parent.name for path in MIGRATIONS} >= {"tracker", "events"}


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda path: f"{path.parent.parent.name}/{path.name}")
def test_a_migration_imports_no_app_code(path):
    assert app_imports(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "from tracker.roles import grant_roles, grants",
        "import tracker.names",
        "def forwards(apps, schema_editor):\n    from events.wording import figure_in_words",
        "import importlib\nmodule = importlib.import_module('tracker.roles')",
        "import tracker.migrations",
        "from tracker.migrations.helpers import anything",
        "from .helpers import anything",
    ],
)
def test_the_check_sees_each_way_of_importing_app_code(source):
    assert app_imports(source)


def test_the_check_lets_an_earlier_migration_through():
    assert (
        app_imports("import importlib\ntotals = importlib.import_module('tracker.migrations.0008_registry_totals')")
        == []
    )


def test_the_check_lets_django_and_the_standard_library_through():
    source = "import uuid\nimport unicodedata\nfrom django.db import migrations, models\nfrom django.contrib.auth.management import create_permissions"
    assert app_imports(source) == []


@pytest.mark.django_db
def test_the_roles_the_migrations_granted_are_the_role_table():
    """The migrations' frozen copies and tracker/roles.py agree: tests regrant that table after a flush."""
    granted = {
        (group.name, permission.content_type.app_label, permission.codename)
        for group in Group.objects.prefetch_related("permissions__content_type")
        for permission in group.permissions.all()
    }
    table = {
        (role, app_label, codename)
        for app_label, roles in APP_ROLES.items()
        for role, codenames in roles.items()
        for codename in codenames
    }
    assert granted == table


def test_the_levels_frozen_in_the_registry_order_triggers_are_the_levels():
    """events 0005 wrote the triggers keeping the registry's order with the levels of that day: a change of
    tracker/names.py's levels needs a migration writing them again, and fails here until there is one."""
    import importlib

    from tracker.names import LISTED_LEVELS, NAMED_LEVELS

    frozen = importlib.import_module("events.migrations.0005_registry_date_orders")
    assert frozen.LISTED_LEVELS == tuple(str(level) for level in LISTED_LEVELS)
    assert frozen.NAMED_LEVELS == tuple(str(level) for level in NAMED_LEVELS)
