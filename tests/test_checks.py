"""The project passes Django's checks, its migrations match its models, and tracker stays below events."""

import ast

import pytest
from django.core.management import call_command

from tracker.settings import BASE_DIR


def test_system_checks_pass(capsys):
    call_command("check", fail_level="WARNING")
    assert "System check identified no issues" in capsys.readouterr().out


@pytest.mark.django_db
def test_migrations_match_the_models(capsys):
    # --check exits non-zero (SystemExit) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=1)
    assert "No changes detected" in capsys.readouterr().out


def imports_of_events(source: str) -> list[str]:
    """Each `import events…`, `from events… import`, or import_module("events…") in the source.

    Parsed rather than grepped, so that a comment or a URLconf string such as
    include("events.urls") does not count, while an import hidden inside a
    function does.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.split(".")[0] == "events"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.split(".")[0] == "events":
            found.append(node.module)
        elif isinstance(node, ast.Call):
            called = getattr(node.func, "attr", getattr(node.func, "id", ""))
            first = node.args[0] if node.args else None
            if (
                called in {"import_module", "__import__"}
                and isinstance(first, ast.Constant)
                and str(first.value).split(".")[0] == "events"
            ):
                found.append(first.value)
    return found


@pytest.mark.parametrize(
    "source, found",
    [
        ("from events.models import Figure", ["events.models"]),
        ("import events.wording as wording", ["events.wording"]),
        ("def f():\n    from events import models\n", ["events"]),
        ("import importlib\nimportlib.import_module('events.models')", ["events.models"]),
        ("path('', include('events.urls'))", []),
        ("# the registry never imports from events\nimport eventsource", []),
        ("from tracker.models import Person\nfrom .events import x", []),
    ],
)
def test_the_import_scanner_finds_imports_and_only_imports(source, found):
    assert imports_of_events(source) == found


def test_tracker_never_imports_from_events():
    files = sorted((BASE_DIR / "tracker").rglob("*.py"))
    assert BASE_DIR / "tracker" / "models" / "people.py" in files
    offenders = {
        str(path.relative_to(BASE_DIR)): imports
        for path in files
        if (imports := imports_of_events(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_lock_pins_every_constrained_package_with_a_hash():
    """requirements.lock (installed with --require-hashes) and constraints.txt name the same versions."""
    import re

    def pins(text):
        return {
            re.sub(r"[-_.]+", "-", name).lower(): version
            for name, version in re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\]+)", text, re.MULTILINE)
        }

    lock = (BASE_DIR / "requirements.lock").read_text()
    constrained, locked = pins((BASE_DIR / "constraints.txt").read_text()), pins(lock)
    assert constrained == locked
    entries = re.findall(r"^\S+==\S+ \\\n    --hash=sha256:[0-9a-f]{64}$", lock, re.MULTILINE)
    assert len(entries) == len(locked)
