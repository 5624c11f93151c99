"""The package's shape: no import cycles, no private names used across modules.

The import graph is read from the source (``ast``), counting imports inside functions too: a
cycle hidden behind a function-level import is still a cycle. An import of ``pkg.mod`` is an
edge to ``pkg.mod`` only (not to the packages above it, which Python also runs but which only
re-export).
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "bluehelmet"


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if MODULES[module].name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str) -> list[tuple[str, str | None, int]]:
    """(imported module, imported name or None, line) for every import in ``module``."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    out: list[tuple[str, str | None, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((a.name, None, node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            for a in node.names:
                if f"{target}.{a.name}" in MODULES:
                    out.append((f"{target}.{a.name}", None, node.lineno))
                else:
                    out.append((target, a.name, node.lineno))
    return [(t, n, line) for t, n, line in out if t.split(".")[0] == PACKAGE]


def import_graph() -> dict[str, dict[str, int]]:
    """Module -> {imported module: line} (imports anywhere in the module), within the package."""
    g: dict[str, dict[str, int]] = {m: {} for m in MODULES}
    for module in MODULES:
        for target, _, line in _imports(module):
            if target in MODULES and target != module:
                g[module].setdefault(target, line)
    return g


def strongly_connected(g: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of ``g`` with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in g[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in g:
        if v not in index:
            visit(v)
    return out


def test_the_import_graph_has_no_cycle() -> None:
    g = import_graph()
    cycles = strongly_connected(g)
    described = [
        "; ".join(
            f"{a} imports {b} (line {line})" for a in comp for b, line in g[a].items() if b in comp
        )
        for comp in cycles
    ]
    assert not cycles, "modules that import each other:\n" + "\n".join(described)


def test_cycle_finder_finds_a_cycle() -> None:
    g = {"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3}, "d": {"a": 4}}
    assert strongly_connected(g) == [["a", "b", "c"]]


def test_the_graph_sees_function_level_imports() -> None:
    # cli.plan imports the scenario reader inside its command (fast --help): still an edge.
    assert "bluehelmet.scenario.io" in import_graph()["bluehelmet.cli.plan"]


def test_no_private_name_is_used_from_another_module() -> None:
    found = []
    for module, path in MODULES.items():
        for target, name, line in _imports(module):
            if name is not None and name.startswith("_") and not name.startswith("__"):
                found.append(f"{path.relative_to(SRC)}:{line} imports {target}.{name}")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {
            a.asname or a.name.split(".")[-1]
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for a in node.names
            if f"{_target(module, node)}{a.name}".split(".")[0] == PACKAGE
            or (isinstance(node, ast.ImportFrom) and _resolve(module, node).startswith(PACKAGE))
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
            ):
                found.append(
                    f"{path.relative_to(SRC)}:{node.lineno} uses {node.value.id}.{node.attr}"
                )
    assert not found, "private names used across modules:\n" + "\n".join(found)


def _target(module: str, node: ast.Import | ast.ImportFrom) -> str:
    if isinstance(node, ast.ImportFrom):
        return _resolve(module, node) + "."
    return ""
