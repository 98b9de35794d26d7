"""Imports only point down (DEVELOPERS.md, docs/architecture.md).

Read from the source, not from ``sys.modules``: every module of ``meetup/`` is parsed and
every import in it counts, at module level and inside functions alike (an import inside a
function still makes the two modules depend on each other; it only hides the circle until
run time). Imports under ``if TYPE_CHECKING:`` do not count: they never run.

``from package import name`` counts as an import of ``package.name`` when that is a module of
ours, else of ``package`` (its ``__init__``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Packages whose modules must not import each other in a circle (``meetup.services`` since
#: ``snapshot``/``phone_snapshot`` build from ``snapshot_parts`` and the doctor's checks from
#: ``doctor/findings``).
CYCLE_FREE = ["meetup.realtime", "meetup.web", "meetup.models", "meetup.reports",
              "meetup.services"]

#: Packages whose ``__init__`` may import its own submodules although they import it back:
#: a blueprint is created in the package's ``__init__``, its submodules add routes to it and
#: the ``__init__`` imports them so that the routes exist (Flask's usual layout).
BLUEPRINT_PACKAGES = ["meetup.web"]

FACES = ["meetup.web", "meetup.realtime", "meetup.cli"]
BELOW_THE_FACES = ["meetup.services", "meetup.models", "meetup.reports"]


def within(module: str, package: str) -> bool:
    """``module`` is ``package`` or inside it; ``meetup.cli`` also covers ``meetup.cli_*``."""
    if package == "meetup.cli" and module.startswith("meetup.cli_"):
        return True
    return module == package or module.startswith(package + ".")


def find_modules(root: Path = ROOT) -> dict[str, tuple[Path, bool]]:
    """Every module of ``meetup/``: dotted name → (file, whether it is a package)."""
    found = {}
    for path in sorted((root / "meetup").rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join(parts)] = (path, is_package)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return ((isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
            or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement under ``node``, at any depth, except ``if TYPE_CHECKING:``
    bodies (their ``else:`` does run, and counts)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            branches = child.orelse
        else:
            branches = [child]
        for branch in branches:
            if isinstance(branch, ast.Import | ast.ImportFrom):
                yield branch
            yield from _import_nodes(branch)


def imports_of(source: str, name: str, is_package: bool, known: set[str]) -> set[str]:
    """The modules in ``known`` that the module ``name`` (its text: ``source``) imports."""
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in _import_nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
            continue
        base = node.module or ""
        if node.level:
            anchor = package
            for _ in range(node.level - 1):
                anchor = anchor.rpartition(".")[0]
            base = f"{anchor}.{base}" if base else anchor
        for alias in node.names:
            if f"{base}.{alias.name}" in known:
                found.add(f"{base}.{alias.name}")
            elif base in known:
                found.add(base)
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = find_modules()
    known = set(modules)
    return {name: imports_of(path.read_text(encoding="utf-8"), name, is_package, known)
            for name, (path, is_package) in modules.items()}


def circles(graph: dict[str, set[str]], package: str) -> list[list[str]]:
    """The strongly connected groups (two or more modules) among ``package``'s modules."""
    nodes = {m for m in graph if within(m, package)}
    edges = {m: sorted(t for t in graph[m] if t in nodes) for m in nodes}
    for blueprints in BLUEPRINT_PACKAGES:
        for m in nodes:
            if within(m, blueprints) and m in edges and _is_package(m, graph):
                edges[m] = [t for t in edges[m] if not t.startswith(m + ".")]
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return groups


def _is_package(module: str, graph: dict[str, set[str]]) -> bool:
    return any(other.startswith(module + ".") for other in graph)


def _describe(graph: dict[str, set[str]], group: list[str]) -> str:
    members = set(group)
    return "; ".join(f"{m} -> {t}" for m in group for t in sorted(graph[m] & members))


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


@pytest.mark.parametrize("package", CYCLE_FREE)
def test_no_modules_of_a_package_import_each_other_in_a_circle(graph, package) -> None:
    found = circles(graph, package)
    assert not found, "import circles: " + " | ".join(_describe(graph, g) for g in found)


def test_web_and_realtime_never_import_each_other(graph) -> None:
    crossing = [f"{m} -> {t}" for m, targets in sorted(graph.items()) for t in sorted(targets)
                if (within(m, "meetup.web") and within(t, "meetup.realtime"))
                or (within(m, "meetup.realtime") and within(t, "meetup.web"))]
    assert crossing == []


@pytest.mark.parametrize("layer", BELOW_THE_FACES)
def test_the_domain_reports_and_models_never_import_a_face(graph, layer) -> None:
    upward = [f"{m} -> {t}" for m, targets in sorted(graph.items()) if within(m, layer)
              for t in sorted(targets) if any(within(t, face) for face in FACES)]
    assert upward == []


def test_the_check_sees_imports_inside_functions_but_not_type_checking_ones() -> None:
    source = """
from typing import TYPE_CHECKING
from . import rooms
if TYPE_CHECKING:
    from meetup.web import helpers
else:
    import meetup.cli
def later():
    from meetup.realtime.handlers import EVENTS
    from ..services import snapshot
"""
    known = {"meetup.realtime.rooms", "meetup.realtime.handlers", "meetup.web",
             "meetup.web.helpers", "meetup.cli", "meetup.services", "meetup.services.snapshot"}
    assert imports_of(source, "meetup.realtime.connection", False, known) == {
        "meetup.realtime.rooms", "meetup.cli", "meetup.realtime.handlers",
        "meetup.services.snapshot"}


def test_a_circle_through_a_function_level_import_is_found() -> None:
    graph = {"meetup.realtime": set(), "meetup.realtime.a": {"meetup.realtime.b"},
             "meetup.realtime.b": {"meetup.realtime.c"}, "meetup.realtime.c": {"meetup.realtime.a"},
             "meetup.realtime.d": {"meetup.realtime.a"}}
    assert circles(graph, "meetup.realtime") == [
        ["meetup.realtime.a", "meetup.realtime.b", "meetup.realtime.c"]]
