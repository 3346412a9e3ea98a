"""The repository's own packages import one way only, and no module imports itself through
others. The arrows: tools -> local stack -> build -> functions, and the site's plugin -> build
-> functions; within the functions, the domain imports nothing but the domain. Every import
statement counts: at the top of a module, deferred inside a function, or for type checking
only, since each is a dependency a reader and a refactoring must follow."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
# Where the packages live: setuptools, mypy and pytest put these folders on the import path.
SOURCES = (ROOT / "functions", ROOT / "infra", ROOT / "site" / "plugins", ROOT)
# What each package may import of the others (tests may import anything).
ALLOWED = {
    "passaparola": set(),
    "passaparola_build": {"passaparola"},
    "passaparola_pages": {"passaparola", "passaparola_build"},
    "passaparola_localstack": {"passaparola", "passaparola_build"},
    "passaparola_tools": {"passaparola", "passaparola_build", "passaparola_localstack"},
}
DOMAIN = "passaparola.domain"
SERVICES = "passaparola.services"
STORAGE = "passaparola.storage"

Graph = dict[str, set[str]]


def modules(sources: tuple[Path, ...]) -> dict[str, Path]:
    """Every module of every package in `sources`, by its dotted name."""
    found = {}
    for source in sources:
        for package in sorted(init.parent for init in source.glob("*/__init__.py")):
            for path in package.rglob("*.py"):
                parts = path.relative_to(source).with_suffix("").parts
                found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from its package, one level up per dot after the first
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from package import module` imports the module; `from module import name`, the module.
            targets |= {f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names}
    owned = set()
    for target in targets:
        module = target
        while module and module not in known:  # an attribute's module, or another project's
            module = module.rpartition(".")[0]
        if module and module != name:
            owned.add(module)
    return owned


def import_graph(sources: tuple[Path, ...] = SOURCES) -> Graph:
    """Module -> the repository's modules it imports."""
    known = modules(sources)
    return {name: _imported(name, path, known) for name, path in known.items()}


def circle(graph: Graph) -> list[str]:
    """One import circle of the graph, as a path that ends where it starts; [] when none."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        return list(reversed(exc.args[1]))
    return []


@pytest.fixture(scope="module")
def graph() -> Graph:
    return import_graph()


def _top(module: str) -> str:
    return module.partition(".")[0]


def test_no_module_imports_itself_through_others(graph):
    assert circle(graph) == []


def test_every_package_has_its_arrows_written_down(graph):
    assert {_top(module) for module in graph} == {*ALLOWED, "tests"}


def test_packages_import_only_downwards(graph):
    upwards = sorted(
        (module, target)
        for module, targets in graph.items()
        for target in targets
        if _top(module) != "tests" and _top(target) not in {_top(module), *ALLOWED[_top(module)]}
    )
    assert upwards == []


def test_the_domain_imports_nothing_of_the_project_but_the_domain(graph):
    outside = sorted(
        (module, target)
        for module, targets in graph.items()
        if module.startswith(DOMAIN)
        for target in targets
        if not target.startswith(DOMAIN)
    )
    assert outside == []


def test_services_import_nothing_of_storage(graph):
    """Services reach storage only through the ports (services/ports.py) that wiring fills."""
    reaching = sorted(
        (module, target)
        for module, targets in graph.items()
        if module.startswith(SERVICES)
        for target in targets
        if target.startswith(STORAGE)
    )
    assert reaching == []


def test_deferred_and_type_checking_imports_count(graph):
    """cli imports the site build inside a function (Pelican is slow to import); config
    imports the campaign models for type checking only."""
    assert "passaparola_build.site_build" in graph["passaparola_tools.cli"]
    assert "passaparola.domain.campaign" in graph["passaparola.config"]
    assert "passaparola_localstack.gateway" in graph["tests.support"]


def test_a_circle_through_a_deferred_import_is_found(tmp_path):
    package = tmp_path / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "orders.py").write_text("from shop import prices\n")
    (package / "prices.py").write_text("def vat():\n    from .orders import total\n")
    (package / "tax.py").write_text("import shop.prices\n")
    found = import_graph((tmp_path,))
    assert found["shop.tax"] == {"shop.prices"}
    assert circle(found) in (
        ["shop.orders", "shop.prices", "shop.orders"],
        ["shop.prices", "shop.orders", "shop.prices"],
    )
