"""``xai_sdk/_services.py`` against everything that cannot derive from it, or does.

The table is the one list of services. What static typing needs spelled out (the
``TYPE_CHECKING`` annotations of both clients and of ``Stubs``) and what exists as files (proto
modules, facades, cores) is checked here against it, each failure saying what to add where.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import xai_sdk.proto
from xai_fake import methods
from xai_sdk import _services
from xai_sdk._services import MESSAGE_STEMS, PROTO_STEMS, SERVICES, Service
from xai_sdk.client import SUBCLIENTS
from xai_sdk.stubs import Stubs

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "xai_sdk" / "proto"
TABLE = "xai_sdk/_services.py"
FACADES = [service for service in SERVICES if service.module is not None]


def generated_services() -> dict[str, tuple[str, str]]:
    """Full service name -> (stem, service short name), from every generated ``*_pb2.py``."""
    found: dict[str, tuple[str, str]] = {}
    for path in sorted(PROTO_DIR.glob("*_pb2.py")):
        stem = path.name.removesuffix("_pb2.py")
        module = importlib.import_module(f"xai_sdk.proto.{stem}_pb2")
        for service in module.DESCRIPTOR.services_by_name.values():
            assert service.full_name not in found, f"{service.full_name} is defined twice in xai_sdk/proto/"
            found[service.full_name] = (stem, service.name)
    return found


def row_hint(name: str, stem: str, short: str) -> str:
    return f'Service("{stem}", "{name}", "{short}Stub", "<stubs attribute>", "<client attribute>", "<module>")'


def test_every_generated_service_has_exactly_one_row() -> None:
    generated = generated_services()
    counts = Counter(service.name for service in SERVICES)
    problems = [f"{TABLE}: {name} has {n} rows in SERVICES; keep one" for name, n in counts.items() if n > 1]
    problems += [
        f"{TABLE}: add a row for {name} (xai_sdk/proto/{stem}_pb2.py) to SERVICES: {row_hint(name, stem, short)}"
        for name, (stem, short) in generated.items()
        if name not in counts
    ]
    problems += [
        f"{TABLE}: SERVICES names {name}, which no xai_sdk/proto/*_pb2.py defines; "
        "remove the row, or add the .proto and run scripts/gen_protos.py"
        for name in counts
        if name not in generated
    ]
    for service in SERVICES:
        if service.name not in generated:
            continue
        stem, short = generated[service.name]
        if service.stem != stem:
            problems.append(f"{TABLE}: {service.name} is defined in {stem}_pb2.py; set its stem to {stem!r}")
        if service.stub_class != f"{short}Stub":
            problems.append(f"{TABLE}: the stub class of {service.name} is {short}Stub; set stub_class to it")
    assert not problems, "\n".join(problems)


def test_the_stub_classes_exist() -> None:
    for service in SERVICES:
        module = importlib.import_module(f"xai_sdk.proto.{service.stem}_pb2_grpc")
        assert callable(getattr(module, service.stub_class, None)), (
            f"{TABLE}: xai_sdk/proto/{service.stem}_pb2_grpc.py has no {service.stub_class}; fix the row of "
            f"{service.name}, or run scripts/gen_protos.py"
        )


def test_proto_stems_are_every_generated_module() -> None:
    on_disk = {path.name.removesuffix("_pb2.py") for path in PROTO_DIR.glob("*_pb2.py")}
    defining = {stem for stem, _ in generated_services().values()}
    problems = [
        f"{TABLE}: xai_sdk/proto/{stem}_pb2.py defines no service; list {stem!r} in MESSAGE_STEMS"
        for stem in sorted(on_disk - defining - set(MESSAGE_STEMS))
    ]
    problems += [
        f"{TABLE}: {stem!r} is in MESSAGE_STEMS but xai_sdk/proto/{stem}_pb2.py "
        + ("defines a service; give it a row in SERVICES instead" if stem in defining else "does not exist")
        for stem in sorted(set(MESSAGE_STEMS) - (on_disk - defining))
    ]
    assert not problems, "\n".join(problems)
    assert set(PROTO_STEMS) <= on_disk
    lazy = {name for name in dir(xai_sdk.proto) if "_pb2" in name}
    assert lazy == {f"{stem}{suffix}" for stem in PROTO_STEMS for suffix in ("_pb2", "_pb2_grpc")}


def test_attribute_and_module_names_are_unique_identifiers() -> None:
    for field in ("stub", "client", "module"):
        values = [getattr(service, field) for service in SERVICES if getattr(service, field) is not None]
        duplicates = sorted(value for value, n in Counter(values).items() if n > 1)
        assert not duplicates, f"{TABLE}: {field} names must be unique; used twice: {duplicates}"
        assert all(value.isidentifier() and not value.startswith("_") for value in values), values
    assert "stubs" not in {service.client for service in SERVICES}, f"{TABLE}: client attribute 'stubs' is taken"
    assert all(service.generated_sync is False or service.module for service in SERVICES)
    with pytest.raises(ValueError, match="both client= and module="):
        Service("x", "x.X", "XStub", "x", client="x")


def test_the_public_names_are_those_of_the_official_sdk() -> None:
    clients = {service.client: service.module for service in SERVICES if service.client}
    assert clients == {
        "auth": "auth", "batch": "batch", "chat": "chat", "collections": "collections", "documents": "documents",
        "embeddings": "embeddings", "files": "files", "image": "image", "models": "models", "sampler": "sampler",
        "tokenize": "tokenizer", "video": "video",
    }  # fmt: skip
    assert {**clients, "stubs": "stubs"} == SUBCLIENTS
    assert list(SUBCLIENTS) == sorted(SUBCLIENTS)
    assert [service.stub for service in SERVICES] == [
        "auth", "batch", "chat", "collections", "documents", "embedder",
        "files", "image", "models", "sample", "tokenize", "video",
    ]  # fmt: skip
    assert [service.name for service in SERVICES if service.management] == ["collections.Collections"]


@pytest.mark.parametrize("service", FACADES, ids=lambda service: service.module)
def test_facade_and_core_modules_exist(service: Service) -> None:
    assert (ROOT / "xai_sdk" / f"{service.module}.py").is_file(), (
        f"xai_sdk/{service.module}.py: write the I/O-free core of {service.name} (its BaseClient)"
    )
    for package in ("aio", "sync"):
        path = ROOT / "xai_sdk" / package / f"{service.module}.py"
        how = (
            "run scripts/unasync.py"
            if package == "sync" and service.generated_sync
            else f"write it, with a class Client for client.{service.client}"
        )
        assert path.is_file(), f"xai_sdk/{package}/{service.module}.py is missing: {how}"
        module = importlib.import_module(f"xai_sdk.{package}.{service.module}")
        assert isinstance(getattr(module, "Client", None), type), f"xai_sdk/{package}/{service.module}.py: {how}"


def unasync_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("unasync_script", ROOT / "scripts" / "unasync.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_unasync_generates_exactly_the_rows_that_say_so() -> None:
    script = unasync_script()
    expected = tuple(service.module for service in FACADES if service.generated_sync)
    assert expected == script.MODULES
    for service in FACADES:
        path = ROOT / "xai_sdk" / "sync" / f"{service.module}.py"
        if not path.is_file():
            continue  # test_facade_and_core_modules_exist says what to write
        generated = path.read_text().startswith("# AUTOGENERATED from xai_sdk/aio/")
        assert generated == service.generated_sync, (
            f"xai_sdk/sync/{service.module}.py is {'' if generated else 'not '}generated by scripts/unasync.py; "
            f"set generated_sync={generated} in the row of {service.name} in {TABLE}"
        )


# -- what typing needs spelled out --------------------------------------------------------------


def is_type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def declared(module: ModuleType, class_name: str) -> dict[str, Any]:
    """The attributes a class declares under ``if TYPE_CHECKING:``, resolved to the objects they name.

    The module's own ``if TYPE_CHECKING:`` imports are run (they are absent at run time), then
    each annotation is evaluated in the module's namespace.
    """
    assert module.__file__ is not None
    tree = ast.parse(Path(module.__file__).read_text())
    namespace = dict(vars(module))
    imports = [node for block in tree.body if is_type_checking(block) for node in block.body]  # type: ignore[attr-defined]
    exec(compile(ast.Module(body=imports, type_ignores=[]), module.__file__, "exec"), namespace)
    (cls,) = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == class_name]
    result: dict[str, Any] = {}
    for block in cls.body:
        if is_type_checking(block):
            for node in block.body:  # type: ignore[attr-defined]
                if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    expression = ast.Expression(body=node.annotation)
                    result[node.target.id] = eval(compile(expression, module.__file__, "eval"), namespace)
    return result


def compare(where: str, have: dict[str, Any], want: dict[str, Any], hint: dict[str, str]) -> None:
    problems = [f"{where}: declare {name}: {hint[name]}" for name in sorted(want.keys() - have.keys())]
    problems += [
        f"{where}: {name} is declared but is no row's attribute in {TABLE}; remove it or add the row"
        for name in sorted(have.keys() - want.keys())
    ]
    problems += [
        f"{where}: {name} is declared as {have[name]!r}, but the table makes it {want[name]!r}: {hint[name]}"
        for name in sorted(have.keys() & want.keys())
        if have[name] is not want[name]
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("package", ["sync", "aio"])
def test_client_annotations_match_the_table(package: str) -> None:
    module = importlib.import_module(f"xai_sdk.{package}._subclients")
    client = importlib.import_module(f"xai_sdk.{package}.client").Client
    assert issubclass(client, module.SubClients)
    want: dict[str, Any] = {"stubs": Stubs}
    hint = {"stubs": "Stubs"}
    for service in FACADES:
        assert service.client is not None
        if not (ROOT / "xai_sdk" / package / f"{service.module}.py").is_file():
            continue  # test_facade_and_core_modules_exist says what to write
        want[service.client] = importlib.import_module(f"xai_sdk.{package}.{service.module}").Client
        hint[service.client] = "run scripts/gen_service_types.py, then scripts/unasync.py"
    where = f"xai_sdk/{package}/_subclients.py"
    compare(where, declared(module, "SubClients"), want, hint)


def test_stubs_annotations_match_the_table() -> None:
    module = importlib.import_module("xai_sdk._stub_types")
    assert issubclass(Stubs, module.StubTypes)
    want, hint = {}, {}
    for service in SERVICES:
        grpc_module = importlib.import_module(f"xai_sdk.proto.{service.stem}_pb2_grpc")
        want[service.stub] = getattr(grpc_module, service.stub_class)
        hint[service.stub] = "run scripts/gen_service_types.py"
    compare("xai_sdk/_stub_types.py", declared(module, "StubTypes"), want, hint)


def test_the_typing_declarations_are_generated_not_written() -> None:
    """Both declaration files carry the generator's header: a new service needs no hand edit in them."""
    for relative in ("xai_sdk/_stub_types.py", "xai_sdk/aio/_subclients.py"):
        first = (ROOT / relative).read_text().splitlines()[0]
        assert first.startswith("# AUTOGENERATED from xai_sdk/_services.py by scripts/gen_service_types.py"), relative


# -- what derives from the table, at run time ---------------------------------------------------


def check_sub_clients_and_stubs(client: Any, package: str) -> None:
    for service in FACADES:
        assert service.client is not None
        sub_client = getattr(client, service.client)
        assert type(sub_client) is importlib.import_module(f"xai_sdk.{package}.{service.module}").Client
        assert getattr(client, service.client) is sub_client  # created once
    stubs = client.stubs
    assert set(dir(stubs)) >= {service.stub for service in SERVICES}
    assert set(dir(client)) >= set(SUBCLIENTS)
    for service in SERVICES:
        stub = getattr(stubs, service.stub)
        assert type(stub).__name__ == service.stub_class
        assert getattr(stubs, service.stub) is stub
    with pytest.raises(AttributeError, match="'Stubs' object has no attribute 'nope'"):
        _ = stubs.nope
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        _ = client.nope


def test_the_blocking_client_creates_every_sub_client_and_stub() -> None:
    from xai_sdk import Client

    with Client(api_key="key", management_api_key="management", api_host="localhost:1") as client:
        check_sub_clients_and_stubs(client, "sync")


async def test_the_asyncio_client_creates_every_sub_client_and_stub() -> None:
    from xai_sdk import AsyncClient

    async with AsyncClient(api_key="key", management_api_key="management", api_host="localhost:1") as client:
        check_sub_clients_and_stubs(client, "aio")


def test_management_stubs_need_the_management_key() -> None:
    from xai_sdk import Client

    with Client(api_key="key", api_host="localhost:1") as client:
        for service in SERVICES:
            if service.management:
                with pytest.raises(ValueError, match=f"The {service.stub} stub needs a management API key"):
                    getattr(client.stubs, service.stub)
            else:
                assert getattr(client.stubs, service.stub) is not None


def test_the_fake_serves_the_table() -> None:
    assert tuple(service.stem for service in SERVICES) == methods.SERVICE_MODULES
    assert {service.name for service in SERVICES if service.management} == methods.MANAGEMENT_SERVICES
    described = set()
    for service in SERVICES:
        descriptor = importlib.import_module(f"xai_sdk.proto.{service.stem}_pb2").DESCRIPTOR
        (found,) = [s for s in descriptor.services_by_name.values() if s.full_name == service.name]
        described |= {f"{service.name}/{method.name}" for method in found.methods}
    assert set(methods.all_methods()) == described
    assert set(methods.services()) == {service.name for service in SERVICES}
    assert methods.resolve_service("Collections") == "collections.Collections"
    assert methods.resolve_method("Chat/GetCompletion").full_name == "xai_api.Chat/GetCompletion"


def test_todays_api_has_12_services_and_51_methods() -> None:
    # A snapshot of the API this SDK covers: adding a service changes these numbers, on purpose.
    assert (len(methods.services()), len(methods.all_methods())) == (12, 51)


def test_the_table_module_imports_nothing_heavy() -> None:
    source = ast.parse(Path(_services.__file__).read_text())
    imported = {
        alias.name if isinstance(node, ast.Import) else node.module
        for node in ast.walk(source)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    assert imported <= {"__future__", "dataclasses"}, imported
