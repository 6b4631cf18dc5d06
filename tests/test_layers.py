"""The layering rules of the design (docs: design.md §10-11), checked on the import statements:
nothing imports the CLI; only the CLI imports click; only providers, cache and the test tools
import requests; the store (evidence cache, attributions, cases) never reaches the network, and only
its database module talks to SQLite or PostgreSQL; the second opinion (reference) is pure and only
its graphsense module imports graphsense-lib; the held-out CoinJoin generator shares nothing with the
detectors; only the charts (and the orchestration that forks them) import matplotlib; the walk sees
providers only through base; the explorer (the interactive page, an export family) reads finished
results and the other families' models, never the network nor a module that draws; only jsontext imports orjson and only
memory ctypes, and they, like the other base layers, import nothing above them.

The exports are one room per family (``exports/writing``, ``charts``, ``interchange``, ``report``,
``explorer``; ``exports/__init__.py`` only orchestrates), each building only on the families
below it (:data:`EXPORT_FAMILIES`). No module imports itself back through others: the import
graph of ``btctrace/`` has no cycle (imports inside functions and under ``TYPE_CHECKING`` count:
each is an arrow a reader must follow)."""

import ast
import re
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "btctrace"
# The exports' families, and the families each builds on (nothing else of the exports: no family
# imports the orchestration, exports/__init__.py, which alone calls them all).
EXPORT_FAMILIES = {
    "writing": set(),
    "charts": {"writing"},
    "interchange": {"writing", "charts"},
    "report": {"writing", "charts", "interchange"},
    "explorer": {"writing", "charts", "interchange"},
}


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
    family = export_family(path)
    if family is not None:
        assert "btctrace.exports" not in names, "a family never reaches back into the orchestration"
        used = {n.split(".")[2] for n in names if n.startswith("btctrace.exports.")} - {family}
        assert used <= EXPORT_FAMILIES[family], \
            f"exports/{family} builds only on {', '.join(sorted(EXPORT_FAMILIES[family])) or 'no other family'}"
    if family == "explorer":
        assert not {n for n in names if n.startswith(("btctrace.providers", "btctrace.cache", "btctrace.runner",
                                                     "btctrace.tracing.walk"))}, "the explorer only reads results"
    if family == "writing":
        assert not {n for n in names if n.startswith("btctrace.")} - {"btctrace.errors"} \
            - {n for n in names if n.startswith("btctrace.exports.writing")}, "the writing machinery knows no trace"
    if family == "interchange":
        assert {n for n in names if n.startswith("btctrace.exports.charts")} <= {"btctrace.exports.charts.styles"}, \
            "graph files take the charts' colours, nothing they draw"
    if family == "explorer":
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
                                                     "btctrace.analysis", "btctrace.runner", "btctrace.transport"))}, \
            "the store sits beside the cache: it keeps answers and attributions, never asks the network"
    if not (where == "store" and path.name == "database.py") and where != "testing":
        assert not {"sqlite3", "psycopg"} & top, "only store/database.py talks to the database driver"
    if "orjson" in top:
        assert path.relative_to(PACKAGE).as_posix() == "jsontext.py", "one module encodes JSON with orjson"
    if path.relative_to(PACKAGE).as_posix() == "providers/rate.py":
        assert not {n for n in names if n.startswith("btctrace.")}, "the adaptive rate is pure: clock in, slots out"
    if "ctypes" in top:
        assert path.relative_to(PACKAGE).as_posix() == "memory.py", "one module calls the C library"
    if where in {"model", "units", "addresses", "errors", "files", "safejson", "jsontext", "memory", "version", "urls"}:
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


def readme_layout_levels() -> list[list[str]]:
    """The rooms of the README's Layout drawing, top to bottom: one level per line that starts in
    the first column (a ``;`` starts a lower level), each room a path as written there."""
    readme = (PACKAGE.parent / "README.md").read_text()
    drawing = readme.split("## Layout", 1)[1].split("```", 2)[1]
    levels = []
    for line in drawing.splitlines()[1:]:
        if not line or line[0].isspace():
            continue  # a description carried over
        head = line if "," in line.split("  ")[0] else line.split("  ")[0]
        for part in head.split(";"):
            rooms = re.findall(r"[a-z_]+(?:/[a-z_]+)*(?:/|\.py)", part)
            if rooms:
                levels.append(rooms)
    return levels


def drawn_room(module: str, rooms: set[str]) -> str | None:
    """The room of the drawing *module* is in: its most specific path there."""
    parts = module.split(".")[1:]
    if not parts:
        return None
    path = "/".join(parts)
    own = f"{path}/__init__.py" if (PACKAGE / path / "__init__.py").is_file() else f"{path}.py"
    return next((c for c in [own] + ["/".join(parts[:i]) + "/" for i in range(len(parts), 0, -1)] if c in rooms), None)


def test_the_readme_layout_draws_the_import_order():
    """Every module of btctrace/ is in a room of the README's drawing (but the package face, its
    ``__main__`` and the two rooms the prose describes), and every import runs down the drawing."""
    levels = readme_layout_levels()
    level = {room: i for i, rooms in enumerate(levels) for room in rooms}
    assert len(level) > 25 and "exports/__init__.py" in level and "exports/writing/" in level
    graph = import_graph(PACKAGE)
    room = {}
    for module in graph:
        room[module] = drawn_room(module, set(level))
        undrawn = module in {"btctrace", "btctrace.__main__"} or module.split(".")[1] in {"testing", "scale"}
        assert room[module] or undrawn, f"{module} is in no room of the README's Layout"
    upward = sorted(f"{a} -> {b}" for a, b in graph.edges if room[a] and room[b] and room[a] != room[b]
                    and level[room[a]] >= level[room[b]])
    assert upward == [], "imports the README's Layout draws the wrong way round:\n" + "\n".join(upward)
