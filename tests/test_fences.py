"""Fences: rules of the code that a reviewer would otherwise have to remember.

DOMAIN rule 2 (what the public may see of a person) has one home: who is
listed or named is tracker/names.py's, the conditions, querysets and properties
that ask it are tracker/models/conditions.py's and tracker/models/people.py's,
and what a listed person shows is
events/disclosure.py's. Anywhere else, a comparison or a filter on an
identity level is a second copy of the rule, which drifts (the review found
eleven). This test reads the application's source with `ast` and fails on
each one, naming the file and line.
"""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

# Where the identity level may be compared and filtered on: the rule's home.
HOME = {
    "tracker/names.py",
    # listed_person() and named_person(): the conditions every registry queryset and index uses.
    "tracker/models/conditions.py",
    # PersonQuerySet.update() (a bulk change of level) and Person.is_listed/is_named.
    "tracker/models/people.py",
    "events/disclosure.py",
    # Who may lower a person's protection (a write, DOMAIN rule 2's other half): names.py's levels, in order.
    "tracker/protection.py",
}
HOME_PACKAGES = ("events/disclosure/",)

# Application code that may compare identity levels without touching what the public sees.
EXEMPT = {
    # The made-up data of `manage.py seed_demo` chooses each person's level and
    # writes an internal note for withheld ones: it writes, and never shows anything.
    "demo/": "writes made-up people at chosen levels; shows nothing",
}

LEVEL_WORDS = {"identity_level", "IdentityLevel", "LISTED_LEVELS", "NAMED_LEVELS"}
# A keyword argument or dict key that filters on the level: identity_level=..., person__identity_level__in=...
LOOKUP = re.compile(r"(^|__)identity_level(__|$)")
# The level compared in raw SQL: p.identity_level = 'full', identity_level IN (...).
SQL_COMPARISON = re.compile(r"identity_level\s*(=|<>|!=|\bIN\b|\bNOT\b|\bIS\b)", re.IGNORECASE)
# Calls whose keyword arguments (or **{...} keys) are conditions on rows.
FILTERING_CALLS = {"filter", "exclude", "get", "get_or_create", "update_or_create", "Q", "When", "FilteredRelation"}


def application_modules():
    """Every Python module of the project's own apps, migrations aside."""
    packages = {Path(config.path) for config in apps.get_app_configs() if Path(config.path).is_relative_to(ROOT)}
    for package in sorted(packages):
        for path in sorted(package.rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in relative:
                yield relative, path


def mentions_level(node):
    """Whether an expression reads an identity level, or a constant made of levels."""
    for child in ast.walk(node):
        if isinstance(child, ast.Attribute) and child.attr in LEVEL_WORDS:
            return True
        if isinstance(child, ast.Name) and child.id in LEVEL_WORDS:
            return True
        if isinstance(child, ast.Constant) and isinstance(child.value, str) and LOOKUP.search(child.value):
            return True
    return False


def call_name(call):
    function = call.func
    if isinstance(function, ast.Attribute):
        return function.attr
    if isinstance(function, ast.Name):
        return function.id
    return ""


def level_rules_in(source):
    """(line, what) for each comparison of, or filter on, an identity level in a module's source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and any(mentions_level(part) for part in [node.left, *node.comparators]):
            found.append((node.lineno, "compares an identity level"))
        elif isinstance(node, ast.Match) and mentions_level(node.subject):
            found.append((node.lineno, "matches on an identity level"))
        elif isinstance(node, ast.Subscript) and mentions_level(node.slice):
            found.append((node.lineno, "looks something up by an identity level"))
        elif isinstance(node, ast.Call) and call_name(node) in FILTERING_CALLS:
            for keyword in node.keywords:
                if keyword.arg is not None and LOOKUP.search(keyword.arg):
                    found.append((node.lineno, f"filters on {keyword.arg}"))
                elif keyword.arg is None and isinstance(keyword.value, ast.Dict):
                    keys = [key for key in keyword.value.keys if key is not None]
                    if any(mentions_level(key) for key in keys):
                        found.append((node.lineno, "filters on an identity level (**{...})"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_COMPARISON.search(node.value):
            found.append((node.lineno, "compares an identity level in SQL"))
    return found


def is_home(relative):
    return relative in HOME or relative.startswith(HOME_PACKAGES)


def is_exempt(relative):
    return any(relative.startswith(prefix) for prefix in EXEMPT)


def test_only_the_disclosure_home_compares_or_filters_on_identity_levels():
    breaches = [
        f"{relative}:{line}: {what}"
        for relative, path in application_modules()
        if not is_home(relative) and not is_exempt(relative)
        for line, what in level_rules_in(path.read_text(encoding="utf-8"))
    ]
    assert breaches == [], (
        "Only tracker/names.py, tracker/models/conditions.py, tracker/models/people.py, tracker/protection.py and "
        "events/disclosure.py decide who is listed "
        "or named "
        "(DOMAIN rule 2): ask Person.is_listed/is_named, PersonQuerySet.listed()/named(), "
        "DetentionQuerySet.listed()/named() or listed_person()/named_person() instead.\n" + "\n".join(breaches)
    )


def test_the_fence_reads_every_app_and_its_home_exists():
    modules = dict(application_modules())
    # Every module allowed is there: a file moved or renamed leaves no stale name in the allow-list.
    assert HOME <= modules.keys(), sorted(HOME - modules.keys())
    assert "events/disclosure.py" in modules or any(name.startswith("events/disclosure/") for name in modules)
    assert any(name.startswith("events/views/") for name in modules)
    # The home itself does what the fence forbids elsewhere: the check would see it.
    assert level_rules_in((ROOT / "tracker/names.py").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "source",
    [
        "if person.identity_level == IdentityLevel.FULL: pass",
        "shown = person.identity_level != 'withheld'",
        "ok = level in LISTED_LEVELS",
        "Person.objects.filter(identity_level='full')",
        "Detention.objects.exclude(person__identity_level__in=['full'])",
        "Q(**{'person__identity_level': 'full'})",
        "When(identity_level='full', then=1)",
        "sql = \"WHERE p.identity_level = 'full'\"",
        "match person.identity_level:\n    case 'full':\n        pass",
        "label = LABELS[person.identity_level]",
    ],
)
def test_the_fence_sees_each_way_of_asking_for_a_level(source):
    assert level_rules_in(source)


@pytest.mark.parametrize(
    "source",
    [
        "name = published_name(person.name, person.identity_level)",
        "Person(name='A', identity_level=level)",
        "fields = ['name', 'identity_level']",
        "people = Person.objects.named()",
        "if person.is_named: pass",
    ],
)
def test_the_fence_lets_reads_and_writes_of_a_level_pass(source):
    assert level_rules_in(source) == []
