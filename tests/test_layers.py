"""The layering rules of the design (docs: design.md §10-11), checked on the import statements:
nothing imports the CLI; only the CLI imports click; only providers, cache and the test tools
import requests; the store (evidence cache, attributions, cases) never reaches the network, and only
its database module talks to SQLite or PostgreSQL; the second opinion (reference) is pure and only
its graphsense module imports graphsense-lib; the held-out CoinJoin generator shares nothing with the
detectors; only exports import matplotlib; the walk sees providers only through base; the explorer (the
interactive page) reads finished results and the exports' models, never the network; only jsontext
imports orjson and only memory ctypes, and they, like the other base layers, import nothing above them."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "btctrace"


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
    if where != "exports":
        assert "matplotlib" not in top, "only exports draw"
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
    if where == "exports" and path.name != "__init__.py":
        assert not {n for n in names if n.startswith("btctrace.explorer")}, \
            "the explorer builds on the exports; only the folder writer (exports/__init__.py) calls it"
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
    if where in {"model", "units", "addresses", "errors", "files", "safejson", "jsontext", "memory"}:
        assert not {n for n in names if n.startswith("btctrace.")} - {"btctrace.errors"}, "base layers stay low"


def test_nothing_prints_outside_the_cli():
    for path in MODULES:
        if area(path) in {"cli", "testing"}:
            continue
        calls = [n for n in ast.walk(ast.parse(path.read_text()))
                 if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"]
        assert not calls, f"{path} prints"
