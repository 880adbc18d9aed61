"""The shape of `wuye_field`, read from the source with `ast` (nothing is imported): the layers drawn in
docs/architecture.md, no import cycle between modules, no module over 600 lines."""
from __future__ import annotations

import ast
from functools import cache
from pathlib import Path


PACKAGE = Path(__file__).resolve().parent.parent / "wuye_field"
MAX_LINES = 600

# Each top-level part of wuye_field and its layer (docs/architecture.md). A module imports from its own
# package and from lower layers only: never up, never sideways into another package of its layer (the
# foundation, layer 0, is one piece).
LAYERS = {
    "config": 0, "extensions": 0, "core": 0,      # foundation: settings, extensions, errors, time, text …
    "sync": 1, "audit": 1, "pwa": 1,             # the offline contract, the record integrity, the app shell
    "accounts": 2,                               # users, roles, sign-in
    "places": 3,                                 # sites, buildings, places, tags
    "photos": 4, "alerts": 4,                    # photo upload, storage and links; alerts to people
    "defects": 5,                                # problems reported at a place
    "patrol": 6, "cleaning": 6, "workorders": 6, "handover": 6,   # the field domains
    "gate": 7, "checks": 7, "incidents": 7,      # duties built on the field domains (posts, defects, orders)
    "reports": 8, "onboarding": 8, "residents": 8,   # over every duty: month figures, import, the public window
    "survey": 8,                                 # the month's satisfaction survey (read by the assessment)
    "assessment": 9,                             # the month's score, from the month figures
    "dashboard": 10, "backup": 10, "demo": 10,   # pages, tools and data over several domains
    "quarantine": 10,                            # actions kept aside, applied late through any domain's view
    "cli": 11,                                   # the `flask wuye …` commands
    "": 12,                                      # wuye_field/__init__.py: the app factory wires it all
}
LOWER_LAYERS = ("core", "sync", "audit")  # the generic layers: they may import no domain at all



def module_name(path: Path) -> str:
    parts = ("wuye_field",) + path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))
            if "translations" not in path.parts}


def part_of(module: str) -> str:
    """`core` for wuye_field.core.time, `cli` for wuye_field.cli, "" for wuye_field itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST):
    """Every import statement, at any depth (a function-level import still ties two modules), except
    those under `if TYPE_CHECKING:`, which never run."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _type_checking_only(node):
            yield from (n for child in node.orelse for n in _import_nodes_in(child))
            continue
        yield from _import_nodes_in(node)


def _import_nodes_in(node: ast.AST):
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node
    else:
        yield from _import_nodes(node)


@cache
def imports_of(module: str) -> frozenset[str]:
    """The wuye_field modules `module` imports: `from a.b import c` names a.b.c when c is a module,
    else a.b; relative imports are resolved against the module's package."""
    known = modules()
    path = known[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")
            anchor = anchor[:len(anchor) - (node.level - 1)]
            base = ".".join(anchor + ([base] if base else []))
        for alias in node.names:
            target = f"{base}.{alias.name}"
            if target in known:
                found.add(target)
            elif base in known:
                found.add(base)
    found.discard(module)
    return frozenset(found)


def import_cycles(graph: dict[str, list[str]] | None = None) -> list[list[str]]:
    """Strongly connected groups of modules (Tarjan): each is one or more import cycles."""
    if graph is None:
        graph = {m: sorted(imports_of(m)) for m in modules()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return sorted(groups)


def all_imports() -> list[tuple[str, str]]:
    return [(module, target) for module in modules() for target in sorted(imports_of(module))]


def layer_violations(edges: list[tuple[str, str]]) -> list[str]:
    """`a → b` for every import that goes up a layer or sideways into another package of the same layer."""
    found = []
    for module, target in edges:
        here, there = part_of(module), part_of(target)
        if there != here and LAYERS[there] >= LAYERS[here] and LAYERS[here] > 0:
            found.append(f"{module} → {target}")
    return found


def domain_imports_of_lower_layers(edges: list[tuple[str, str]]) -> list[str]:
    """`a → b` for every import from core, sync or audit of anything above them (a domain or higher)."""
    return [f"{module} → {target}" for module, target in edges
            if part_of(module) in LOWER_LAYERS and LAYERS[part_of(target)] >= 2]


def long_modules() -> list[str]:
    lengths = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules().items()}
    return [f"{name}: {n} lines" for name, n in sorted(lengths.items()) if n > MAX_LINES]


# ---------------------------------------------------------------- the reader itself


def test_every_package_has_a_layer():
    assert {part_of(m) for m in modules()} <= set(LAYERS), "add the new package to LAYERS and docs/architecture.md"


def test_the_reader_sees_imports_at_every_depth_but_not_type_checking_ones():
    """A module-level and a function-level import count; one under `if TYPE_CHECKING:` does not."""
    assert "wuye_field.core.time" in imports_of("wuye_field.sync.idempotency")
    assert "wuye_field.core.logging" in imports_of("wuye_field")  # inside configure_logging()
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from x import y\n"
                     "def f():\n    from a import b\n")
    assert [n.module for n in _import_nodes(tree)] == ["typing", "a"]


def test_cycles_and_layer_breaks_are_found():
    """The checks are not vacuous: a two-module cycle is one group (a module merely importing into it is
    not in it), and today's known layer break is seen."""
    assert import_cycles({"a": ["b"], "b": ["a"], "c": ["a"]}) == [["a", "b"]]
    assert import_cycles({"a": ["b"], "b": [], "c": ["a"]}) == []
    up, down, sideways, foundation = (
        ("wuye_field.sync.routes", "wuye_field.places.services"),
        ("wuye_field.patrol.services", "wuye_field.places.services"),
        ("wuye_field.patrol.services", "wuye_field.cleaning.services"),
        ("wuye_field.core.errors", "wuye_field.extensions"))
    assert layer_violations([up, down, sideways, foundation]) == [
        "wuye_field.sync.routes → wuye_field.places.services",
        "wuye_field.patrol.services → wuye_field.cleaning.services"]
    assert domain_imports_of_lower_layers([up, down, foundation, ("wuye_field.core.x", "wuye_field.accounts.y")]) == [
        "wuye_field.sync.routes → wuye_field.places.services", "wuye_field.core.x → wuye_field.accounts.y"]


# ---------------------------------------------------------------- the rules


def test_sync_audit_and_core_import_no_domain():
    """The offline contract (sync), the record integrity layer (audit) and core are generic: a domain
    plugs into them (registries, loaders), they never import it.
    Offenders before issue 11's wiring: sync.routes → places.services, audit.routes → accounts.decorators."""
    offenders = domain_imports_of_lower_layers(all_imports())
    assert not offenders, "\n".join(offenders)


def test_imports_go_down_the_layers():
    """No module imports from a higher layer, or sideways into another package of its layer.
    Offenders before issue 11's wiring: audit.routes → accounts.decorators, sync.routes → places.services,
    and the home sections of cleaning, defects, handover, patrol and workorders → dashboard.sections."""
    offenders = layer_violations(all_imports())
    assert not offenders, "\n".join(offenders)


def test_no_import_cycles():
    """Imports run one way. Before issue 11's wiring: blueprint modules import their view modules at the
    bottom and are imported back (accounts, patrol, places, workorders), and patrol's rounds ↔
    inspections ↔ services hide a cycle in function-level imports."""
    cycles = import_cycles()
    assert not cycles, "\n".join(" ↔ ".join(group) for group in cycles)


def test_no_module_over_600_lines():
    """A module one can hold in mind. Before issue 11's splits: cleaning/services.py (≈1,020 lines),
    workorders/services.py (≈860), handover/services.py (≈670)."""
    offenders = long_modules()
    assert not offenders, "\n".join(offenders)
