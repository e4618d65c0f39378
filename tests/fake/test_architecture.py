"""The fake's structure: one declared chain, layers that import no layer, no import cycles."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import xai_fake
from xai_fake import FakeServer
from xai_fake.chain import LAYER_ORDER, Call, Chain

PACKAGE = Path(xai_fake.__file__).parent
ROOT = PACKAGE.parent
LAYER_MODULES = {f"xai_fake.layers.{name}": index for index, name in enumerate(LAYER_ORDER, start=1)}
#: Modules that assemble the fake out of the layers; nothing below them may import them.
ASSEMBLY = {
    "xai_fake", "xai_fake.server", "xai_fake.session", "xai_fake.control", "xai_fake.control.service",
    "xai_fake.plugin", "xai_fake.cli", "xai_fake.demo", "xai_fake.__main__",
}  # fmt: skip


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for path in PACKAGE.rglob("*.py")
        if "_proto" not in path.parts and not path.name.endswith("_pb2.py")
    }


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, known: set[str]) -> set[str]:
    """xai_fake modules imported by ``path`` at run time (anywhere, functions included; not TYPE_CHECKING)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for branch in node.orelse:
                visit(branch)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("xai_fake"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("xai_fake"):
            # ``from package import submodule`` is an edge to the submodule (as grimp and import-linter count it).
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & known
            found.update(submodules)
            if len(submodules) < len(node.names):
                found.add(node.module)
        for inner in ast.iter_child_nodes(node):
            visit(inner)

    visit(ast.parse(path.read_text(), str(path)))
    return {name for name in found if name in known}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(path, known) - {name} for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_the_graph_is_read(graph: dict[str, set[str]]) -> None:
    # The walk must see what is really there, or the checks below would pass on nothing.
    assert set(LAYER_MODULES) <= set(graph)
    assert "xai_fake.chain" in graph["xai_fake.layers.scripts"]
    assert "xai_fake.layers.log" in graph["xai_fake.server"]


def test_no_import_cycle(graph: dict[str, set[str]]) -> None:
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_planted_cycle(graph: dict[str, set[str]]) -> None:
    planted = {name: set(edges) for name, edges in graph.items()}
    planted["xai_fake.chain"].add("xai_fake.layers.log")
    assert ["xai_fake.chain", "xai_fake.layers.log"] in _cycles(planted)


def test_no_layer_imports_another_layer_or_the_assembly(graph: dict[str, set[str]]) -> None:
    wrong = {
        module: sorted(imported & (set(LAYER_MODULES) | ASSEMBLY | {"xai_fake.chat_scripts"}))
        for module, imported in graph.items()
        if module in LAYER_MODULES
    }
    assert {module: names for module, names in wrong.items() if names} == {}


def test_what_lies_below_the_layers_imports_none_of_them(graph: dict[str, set[str]]) -> None:
    above = set(LAYER_MODULES) | ASSEMBLY | {"xai_fake.layers", "xai_fake.chat_scripts"}
    below = [module for module in graph if module not in above]
    wrong = {m: sorted(graph[m] & (set(LAYER_MODULES) | ASSEMBLY)) for m in below}
    assert {module: names for module, names in wrong.items() if names} == {}


def test_the_server_runs_the_declared_chain() -> None:
    fake = FakeServer()
    assert tuple(layer.name for layer in fake.chain.layers) == LAYER_ORDER
    with pytest.raises(ValueError, match="order"):
        Chain(list(reversed(fake.chain.layers)))


def test_layer_numbers_agree_in_code_docstrings_and_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for module_name, number in LAYER_MODULES.items():
        text = (ROOT / (module_name.replace(".", "/") + ".py")).read_text()
        name = module_name.rsplit(".", 1)[1]
        assert text.lstrip('"').startswith(f"Layer {number}, {name}"), module_name
        assert re.search(rf"\b{number}\. \*\*{name}\*\*", readme), f"README does not number {name} as {number}"


async def test_a_layer_sees_the_call_and_the_rest_of_the_chain() -> None:
    seen: list[str] = []

    class Recording:
        def __init__(self, name: str) -> None:
            self.name = name

        async def handle(self, call: Call, rest: object) -> object:
            seen.append(self.name)
            if self.name == "defaults":
                return "answer"
            return await rest(call)  # type: ignore[operator]

    chain = Chain([Recording(name) for name in LAYER_ORDER])  # type: ignore[misc]
    assert await chain(None) == "answer"  # type: ignore[arg-type]
    assert tuple(seen) == LAYER_ORDER


def test_the_public_surface_is_all_and_resolves() -> None:
    for name in xai_fake.__all__:
        assert getattr(xai_fake, name) is not None, name
    exported = {name for name in vars(xai_fake) if not name.startswith("_")}
    modules = {name for name in exported if type(getattr(xai_fake, name)).__name__ == "module"}
    assert exported - modules - {"annotations", "TYPE_CHECKING", "Any"} <= set(xai_fake.__all__)
    assert xai_fake.Reply.__module__ == "xai_fake.defaults.chat_answers"
    assert xai_fake.CassetteOptions.__module__ == "xai_fake.cassette.options"


# -- the clock: service handlers read time through the state, never the wall clock -------------

#: Calls that read the wall clock; in ``xai_fake/defaults`` time comes from ``state.time()``/``state.now()``
#: (``fake.clock``). Measuring a span (``time.monotonic``, ``asyncio.sleep`` for pacing) is allowed.
WALL_CLOCK = {
    "time.time", "time.time_ns", "time.localtime", "time.gmtime", "time.ctime", "time.asctime",
    "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today", "datetime.date.today",
}  # fmt: skip
#: Methods that read the wall clock whatever they are called on (a protobuf Timestamp's).
WALL_CLOCK_METHODS = {"GetCurrentTime"}


def _wall_clock_reads(source: str) -> list[str]:
    """``line: name`` for each read of the wall clock in ``source``, through any import alias."""
    tree = ast.parse(source)
    bound: dict[str, str] = {}  # local name -> what it is, e.g. "dt" -> "datetime.datetime"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    bound[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def dotted(node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return bound.get(node.id)
        if isinstance(node, ast.Attribute):
            base = dotted(node.value)
            return None if base is None else f"{base}.{node.attr}"
        return None

    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Name, ast.Attribute)):
            name = dotted(node)
            if name in WALL_CLOCK:
                found.append(f"{node.lineno}: {name}")
        if isinstance(node, ast.Attribute) and node.attr in WALL_CLOCK_METHODS:
            found.append(f"{node.lineno}: .{node.attr}")
    return sorted(set(found))


def test_no_service_handler_reads_the_wall_clock() -> None:
    modules = {name: path for name, path in _modules().items() if name.startswith("xai_fake.defaults")}
    assert "xai_fake.defaults.video" in modules and "xai_fake.defaults.state" in modules
    reads = {name: _wall_clock_reads(path.read_text()) for name, path in sorted(modules.items())}
    assert {name: found for name, found in reads.items() if found} == {}
    # The one module that does read it, the clock itself, is found: the check sees real modules.
    assert any(read.endswith(": time.time") for read in _wall_clock_reads((PACKAGE / "clock.py").read_text()))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import time\nstarted = time.time()\n", ["2: time.time"]),
        ("import time as t\nx = t.time_ns()\n", ["2: time.time_ns"]),
        ("from time import time\nx = time()\n", ["2: time.time"]),
        ("import datetime\nx = datetime.datetime.now(datetime.timezone.utc)\n", ["2: datetime.datetime.now"]),
        ("from datetime import datetime as dt, date\nx = dt.utcnow()\ny = date.today()\n",
         ["2: datetime.datetime.utcnow", "3: datetime.date.today"]),
        ("from google.protobuf import timestamp_pb2\nstamp = timestamp_pb2.Timestamp()\nstamp.GetCurrentTime()\n",
         ["3: .GetCurrentTime"]),
        ("import time\nstarted = time.monotonic()\n", []),  # a span, not the time of day
        ("def time():\n    return 0\nx = time()\n", []),  # a name that is not the module's
    ],
)  # fmt: skip
def test_the_wall_clock_check_finds_a_planted_read(source: str, expected: list[str]) -> None:
    assert _wall_clock_reads(source) == expected
