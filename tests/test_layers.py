"""The layering rules of the design (docs: design.md §10-11), checked on the import statements:
nothing imports the CLI; only the CLI imports click; only providers, cache and the test tools
import requests; the store (evidence cache, attributions, cases) never reaches the network, and only
its database module talks to SQLite or PostgreSQL; the second opinion (reference) is pure and only
its graphsense module imports graphsense-lib; the held-out CoinJoin generator shares nothing with the
detectors; only the charts (and the orchestration that forks them) import matplotlib; the walk sees
providers only through base; the explorer (the interactive page) reads finished results and the
exports' models, never the network nor a module that draws; only jsontext imports orjson and only
memory ctypes, and they, like the other base layers, import nothing above them.

The exports are one room per family (``exports/writing``, ``charts``, ``interchange``, ``report``;
``exports/__init__.py`` only orchestrates), stacked writing < charts < interchange < report. No
module imports itself back through others: the import graph of ``btctrace/`` has no cycle (imports
inside functions and under ``TYPE_CHECKING`` count: each is an arrow a reader must follow)."""

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "btctrace"
EXPORT_FAMILIES = ("writing", "charts", "interchange", "report")  # lowest first: each imports only those before it


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def area(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def export_family(path: Path) -> str | None:
    """The family (sub-package) of an exports module; None for the orchestration and outside."""
    parts = path.relative_to(PACKAGE).parts
    return parts[1] if parts[0] == "exports" and len(parts) > 2 else None


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path) -> nx.DiGraph:
    """Module -> the modules of *package* it imports. ``from P import N`` is an arrow to the
    submodule P.N when there is one, else to P (the package's ``__init__``); a module's own
    parent packages, which Python initialises first, are not arrows of its own."""
    modules = {module_name(p, package): p for p in sorted(package.rglob("*.py"))}
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                           for a in node.names]
            else:
                continue
            graph.add_edges_from((name, target) for target in targets if target in modules and target != name)
    return graph


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layering(path):
    where = area(path)
    names = imports_of(path)
    top = {name.split(".")[0] for name in names}
    if where not in {"cli", "__main__"}:
        assert not any(n.startswith("btctrace.cli") for n in names), "nothing imports the CLI"
        assert "click" not in top, "only the CLI imports click"
    if where not in {"providers", "cache", "testing"}:
        assert "requests" not in top, "only providers and cache touch HTTP"
    if "matplotlib" in top:
        assert export_family(path) == "charts" or path.relative_to(PACKAGE).as_posix() == "exports/__init__.py", \
            "only the charts draw (and the orchestration, which sets their rc and forks them)"
    if where == "tracing":
        assert not {n for n in names if n.startswith("btctrace.providers")} - {"btctrace.providers.base"}
    if where == "graph":
        assert not {n for n in names if n.startswith(("btctrace.heuristics", "btctrace.tracing.walk",
                                                     "btctrace.analysis", "btctrace.providers"))}
    if where == "providers":
        assert not {n for n in names if n.startswith(("btctrace.tracing", "btctrace.exports", "btctrace.analysis",
                                                     "btctrace.runner"))}, "providers sit below the walk"
    if where == "heuristics":
        assert not {n for n in names if n.startswith(("btctrace.tracing", "btctrace.providers", "btctrace.cache",
                                                     "btctrace.analysis", "btctrace.exports"))}, "heuristics are pure"
    if where == "reference":
        assert not {n for n in names if n.startswith(("btctrace.tracing", "btctrace.providers", "btctrace.cache",
                                                     "btctrace.analysis", "btctrace.exports", "btctrace.store"))}, \
            "the second opinion is pure, beside the heuristics"
    if "graphsenselib" in top:
        assert path.relative_to(PACKAGE).as_posix() == "reference/graphsense.py", "one module adapts graphsense-lib"
    if path.relative_to(PACKAGE).as_posix() == "testing/coordinators.py":
        assert not {n for n in names if n.startswith(("btctrace.heuristics", "btctrace.reference"))}, \
            "the held-out generator must not share the detectors' rules"
    if where == "explorer":
        assert not {n for n in names if n.startswith(("btctrace.providers", "btctrace.cache", "btctrace.runner",
                                                     "btctrace.tracing.walk"))}, "the explorer only reads results"
    if where == "exports" and path.relative_to(PACKAGE).as_posix() != "exports/__init__.py":
        assert not {n for n in names if n.startswith("btctrace.explorer")}, \
            "the explorer builds on the exports; only the folder writer (exports/__init__.py) calls it"
        assert "btctrace.exports" not in names, "a family never reaches back into the orchestration"
    family = export_family(path)
    if family is not None:
        below = EXPORT_FAMILIES[:EXPORT_FAMILIES.index(family) + 1]
        used = {n.split(".")[2] for n in names if n.startswith("btctrace.exports.")}
        assert used <= set(below), f"exports/{family} imports only from {', '.join(below)}"
    if family == "writing":
        assert not {n for n in names if n.startswith("btctrace.")} - {"btctrace.errors"} \
            - {n for n in names if n.startswith("btctrace.exports.writing")}, "the writing machinery knows no trace"
    if family == "interchange":
        assert {n for n in names if n.startswith("btctrace.exports.charts")} <= {"btctrace.exports.charts.styles"}, \
            "graph files take the charts' colours, nothing they draw"
    if where == "explorer":
        assert not {n for n in names if n.startswith("btctrace.exports.")} & {
            f"btctrace.exports.charts.{m}" for m in ("flow", "entity_chart", "sankey", "timeline", "figure_files",
                                                     "label_layout")}, "the explorer reads the charts' models, never draws"
    if path.relative_to(PACKAGE).as_posix() == "cache/interactions.py":
        assert not {n for n in names if n.startswith("btctrace.cache")}, "one interaction sits below cassette and journal"
    if path.relative_to(PACKAGE).as_posix() == "job.py":
        assert not {n for n in names if n.startswith(("btctrace.runner", "btctrace.transport", "btctrace.manifest",
                                                     "btctrace.exports", "btctrace.store"))}, \
            "a job sits below the runner, the transport and the manifest that read it"
    if where == "store":
        assert not {n for n in names if n.startswith(("btctrace.providers", "btctrace.tracing", "btctrace.exports",
                                                     "btctrace.analysis", "btctrace.runner", "btctrace.explorer",
                                                     "btctrace.transport"))}, \
            "the store sits beside the cache: it keeps answers and attributions, never asks the network"
    if not (where == "store" and path.name == "database.py") and where != "testing":
        assert not {"sqlite3", "psycopg"} & top, "only store/database.py talks to the database driver"
    if "orjson" in top:
        assert path.relative_to(PACKAGE).as_posix() == "jsontext.py", "one module encodes JSON with orjson"
    if path.relative_to(PACKAGE).as_posix() == "providers/rate.py":
        assert not {n for n in names if n.startswith("btctrace.")}, "the adaptive rate is pure: clock in, slots out"
    if "ctypes" in top:
        assert path.relative_to(PACKAGE).as_posix() == "memory.py", "one module calls the C library"
    if where in {"model", "units", "addresses", "errors", "files", "safejson", "jsontext", "memory", "version"}:
        assert not {n for n in names if n.startswith("btctrace.")} - {"btctrace.errors"}, "base layers stay low"


def test_nothing_prints_outside_the_cli():
    for path in MODULES:
        if area(path) in {"cli", "testing"}:
            continue
        calls = [n for n in ast.walk(ast.parse(path.read_text()))
                 if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"]
        assert not calls, f"{path} prints"


def test_exports_are_one_room_per_family():
    exports = PACKAGE / "exports"
    assert sorted(p.name for p in exports.glob("*.py")) == ["__init__.py"], "exports/__init__.py only orchestrates"
    assert sorted(p.name for p in exports.iterdir() if p.is_dir() and p.name != "__pycache__") == sorted(EXPORT_FAMILIES)


def test_no_import_cycle():
    graph = import_graph(PACKAGE)
    assert graph.number_of_nodes() == len(MODULES) and graph.number_of_edges() > len(MODULES)
    cycles = sorted(" -> ".join([*cycle, cycle[0]]) for cycle in nx.simple_cycles(graph))
    assert cycles == [], "import cycles:\n" + "\n".join(cycles[:20])


def test_the_cycle_check_finds_a_new_cycle(tmp_path):
    """The same check, on a package where a lower module takes a name back from a higher one
    (as manifest.py once took TraceJob from runner.py, under TYPE_CHECKING), a package root that
    re-exports a module importing a name of the root, and a submodule named by ``from P import``."""
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("from pkg.runner import run\n")
    (package / "version.py").write_text("VERSION = 1\n")
    (package / "runner.py").write_text("from pkg.manifest import build\n")
    (package / "manifest.py").write_text("from typing import TYPE_CHECKING\nfrom pkg import version\n"
                                         "if TYPE_CHECKING:\n    from pkg.runner import Job\n")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "a.py").write_text("def f():\n    from pkg import VERSION\n")
    graph = import_graph(package)
    assert ("pkg.manifest", "pkg.version") in graph.edges and ("pkg.manifest", "pkg") not in graph.edges
    cycles = {frozenset(c) for c in nx.simple_cycles(graph)}
    assert cycles == {frozenset({"pkg.runner", "pkg.manifest"})}
    (package / "runner.py").write_text("from pkg.sub.a import f\n")
    assert {frozenset(c) for c in nx.simple_cycles(import_graph(package))} == {frozenset({"pkg", "pkg.runner",
                                                                                          "pkg.sub.a"})}
