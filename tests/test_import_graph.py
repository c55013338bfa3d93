"""The wings' import rules, checked on the source: no cycle between modules, and no edge in a
forbidden direction (README, "How it is built").

Every import counts, including those inside functions and under TYPE_CHECKING: a cycle hidden
in a function is still a cycle a reader has to untangle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "keyboards", "storage")

Graph = Mapping[str, frozenset[str]]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def imported_names(path: Path, name: str) -> set[str]:
    """Every dotted name the module imports, absolute, wherever the import statement is."""
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                parent = ".".join([*base, node.module] if node.module else base)
            else:
                parent = node.module or ""
            names.add(parent)
            names.update(f"{parent}.{alias.name}" for alias in node.names)
    return names


def build_graph() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(edges between project modules, every imported top-level-qualified name per module)."""
    modules = project_modules()
    edges: dict[str, frozenset[str]] = {}
    imports: dict[str, frozenset[str]] = {}
    for name, path in modules.items():
        names = imported_names(path, name)
        imports[name] = frozenset(names)
        # "from bot.shop import ledger" is an edge to bot.shop.ledger; "from bot.shop.ledger
        # import post" to bot.shop.ledger: the longest name that is a module.
        targets = {n for n in names if n in modules}
        targets -= {
            t
            for t in targets
            if any(
                o.startswith(t + ".") for o in targets if o in names and _from_parent(o, t, names)
            )
        }
        edges[name] = frozenset(targets - {name})
    return edges, imports


def _from_parent(child: str, parent: str, names: set[str]) -> bool:
    # the parent was only named as the "from" part of an import of the child module
    return child.rsplit(".", 1)[0] == parent


def find_cycle(graph: Graph) -> list[str] | None:
    """One cycle as a path [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


# (importer prefix, what it must not import): a module under the prefix must not import a name
# under any of these.
RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("bot.shop", ("aiogram", "aiogram_i18n", "bot.telegram", "bot.jobs", "handlers", "keyboards")),
    (
        "bot.panel",
        (
            "aiogram",
            "aiogram_i18n",
            "bot.shop",
            "bot.telegram",
            "bot.jobs",
            "storage",
            "handlers",
            "keyboards",
            "bot.context",
            "bot.runtime",
            "bot.app",
        ),
    ),
    (
        "bot.config",
        (
            "bot.shop",
            "bot.telegram",
            "bot.jobs",
            "handlers",
            "keyboards",
            "storage",
            "bot.context",
            "bot.runtime",
            "aiogram",
        ),
    ),
    ("bot.money", ("bot", "handlers", "keyboards", "storage", "aiogram")),
    ("bot.cache", ("bot", "handlers", "keyboards", "storage", "aiogram")),
    ("bot.rate", ("bot", "handlers", "keyboards", "storage", "aiogram")),
    (
        "storage",
        (
            "bot.shop",
            "bot.telegram",
            "bot.jobs",
            "handlers",
            "keyboards",
            "bot.context",
            "bot.runtime",
        ),
    ),
)


def forbidden_edges(imports: Mapping[str, Iterable[str]]) -> list[str]:
    found = []
    for module, names in sorted(imports.items()):
        for prefix, banned in RULES:
            if not _under(module, prefix):
                continue
            for imported in sorted(names):
                if any(_under(imported, b) for b in banned) and not _under(imported, prefix):
                    found.append(f"{module} -> {imported}")
    return found


def forbidden_reach(edges: Graph, imports: Mapping[str, Iterable[str]]) -> list[str]:
    """The rules again over everything a module loads, not only what it names: the shop
    importing a module that imports aiogram loads aiogram all the same."""
    found = []
    for module in sorted(edges):
        reached, todo = {module}, [module]
        while todo:
            for nxt in edges.get(todo.pop(), ()):
                if nxt not in reached:
                    reached.add(nxt)
                    todo.append(nxt)
        for prefix, banned in RULES:
            if not _under(module, prefix):
                continue
            for other in sorted(reached - {module}):
                bad = sorted(
                    n
                    for n in imports.get(other, ())
                    if any(_under(n, b) for b in banned) and not _under(n, prefix)
                )
                found.extend(f"{module} (via {other}) -> {name}" for name in bad[:1])
    return found


def test_no_import_cycle() -> None:
    edges, _ = build_graph()
    assert len(edges) > 100  # the walk found the code
    assert find_cycle(edges) is None, " -> ".join(find_cycle(edges) or [])


def test_no_forbidden_direction() -> None:
    _, imports = build_graph()
    assert forbidden_edges(imports) == []


def test_no_forbidden_direction_through_other_modules() -> None:
    edges, imports = build_graph()
    assert forbidden_reach(edges, imports) == []


def test_graph_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from bot.shop import ledger\n    import aiogram.types\n")
    assert {"bot.shop", "bot.shop.ledger", "aiogram.types"} <= imported_names(module, "late")


def test_a_cycle_is_found() -> None:
    graph = {
        "a": frozenset({"b"}),
        "b": frozenset({"c"}),
        "c": frozenset({"a"}),
        "d": frozenset({"a"}),
    }
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": frozenset({"b"}), "b": frozenset()}) is None


def test_a_forbidden_direction_is_found() -> None:
    imports = {
        "bot.shop.ledger": ["aiogram.types", "bot.money"],
        "bot.panel.client": ["storage.models", "bot.panel.errors"],
        "bot.config": ["bot.shop.payments"],
        "storage.copy": ["bot.shop.ledger"],
        "handlers.start": ["aiogram", "bot.shop.ledger"],
    }
    assert forbidden_edges(imports) == [
        "bot.config -> bot.shop.payments",
        "bot.panel.client -> storage.models",
        "bot.shop.ledger -> aiogram.types",
        "storage.copy -> bot.shop.ledger",
    ]


def test_a_forbidden_direction_through_another_module_is_found() -> None:
    edges = {"bot.shop.a": frozenset({"bot.context"}), "bot.context": frozenset()}
    imports = {"bot.shop.a": ["bot.context"], "bot.context": ["bot.telegram.i18n"]}
    assert forbidden_edges(imports) == []
    assert forbidden_reach(edges, imports) == ["bot.shop.a (via bot.context) -> bot.telegram.i18n"]
