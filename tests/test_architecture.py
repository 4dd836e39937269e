"""The shape of the code (ARCHITECTURE.md §5): what imports what, and how big a module may grow.

These read the source with `ast`; nothing is imported or run. Each rule names the
files that break it, so the failure says where to look.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("tracker", "events", "accounts", "demo")
MAX_LINES = 700


def app_modules():
    """Every module of application code, migrations aside, as (dotted name, path)."""
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join(parts), path


MODULES = dict(app_modules())


def is_type_checking(node):
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def top_level_imports(name, path):
    """The project modules `name` imports when it is loaded (not inside functions or TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()

    def visit(body):
        for node in body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found.add(alias.name)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module
                found.add(module)
                # `from events import models` loads events.models too.
                for alias in node.names:
                    found.add(f"{module}.{alias.name}")
            elif isinstance(node, ast.If) and not is_type_checking(node):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)
            elif isinstance(node, ast.ClassDef):
                visit(node.body)

    visit(tree.body)
    # Importing a.b.c loads the packages a and a.b first.
    loaded = set()
    for module in found:
        parts = module.split(".")
        for end in range(1, len(parts) + 1):
            prefix = ".".join(parts[:end])
            if prefix in MODULES and prefix != name:
                loaded.add(prefix)
    # A package's __init__ is loaded by its own submodules; that is not an edge back.
    return {module for module in loaded if not name.startswith(module + ".")}


def import_graph():
    return {name: top_level_imports(name, path) for name, path in MODULES.items()}


def cycles(graph):
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def strongconnect(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                strongconnect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            strongconnect(node)
    return found


def test_the_graph_is_read():
    graph = import_graph()
    # A sanity check on the reader itself: the views import the models.
    assert "events.models" in graph["events.views.timeline"]
    assert "tracker.models" in graph["events.models.events"]


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_views_never_import_views():
    offenders = sorted(
        f"{name} imports {module}"
        for name, modules in import_graph().items()
        if name.startswith("events.views.")
        for module in modules
        if module.startswith("events.views.")
    )
    assert offenders == []


def test_only_views_and_urls_import_views():
    offenders = sorted(
        f"{name} imports {module}"
        for name, path in MODULES.items()
        if not name.startswith("events.views") and not name.endswith("urls")
        for module in top_level_imports(name, path) | function_level_imports(path)
        if module == "events.views" or module.startswith("events.views.")
    )
    assert offenders == []


def function_level_imports(path):
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_over_700_lines(name):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(ROOT)} has {lines} lines; split it by concern"


def test_no_import_cycles_even_through_function_level_imports():
    """An import inside a function that closes a loop is a loop put off, not removed."""
    graph = {}
    for name, path in MODULES.items():
        modules = top_level_imports(name, path) | function_level_imports(path)
        graph[name] = {
            prefix
            for module in modules
            for prefix in (".".join(module.split(".")[:end]) for end in range(1, len(module.split(".")) + 1))
            if prefix in MODULES and prefix != name and not name.startswith(prefix + ".")
        }
    assert cycles(graph) == []
