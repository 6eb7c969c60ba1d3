"""Server areas do not import each other in circles (design.md); the whole-person picture and the demo
casework are composed above them. Read from the source with ast, so a lazy import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

SERVER = Path(__file__).resolve().parents[2] / "server"
AREAS = ("custody", "people", "investigations", "intelligence", "prosecution")
# What each area may use of the others (the intended import-linter contract): people is the shared base.
ALLOWED = {"people": set(), "custody": {"people"}, "investigations": {"people"}, "intelligence": {"people"},
           "prosecution": {"custody", "people"}}


def _imports(area: str) -> set[str]:
    used: set[str] = set()
    for path in (SERVER / area).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                parts = name.split(".")
                if len(parts) >= 2 and parts[0] == "server" and parts[1] in AREAS and parts[1] != area:
                    used.add(parts[1])
    return used


def test_each_area_imports_only_the_areas_beneath_it():
    assert {area: _imports(area) - ALLOWED[area] for area in AREAS} == {area: set() for area in AREAS}


def test_the_area_graph_has_no_cycle():
    graph = {area: _imports(area) for area in AREAS}
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(area: str, path: list[str]) -> None:
        assert area not in visiting, f"import cycle: {' -> '.join(path + [area])}"
        if area in done:
            return
        visiting.add(area)
        for other in graph[area]:
            visit(other, path + [area])
        visiting.discard(area)
        done.add(area)

    for area in AREAS:
        visit(area, [])
