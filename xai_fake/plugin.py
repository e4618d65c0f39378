"""pytest plugin: a fake xAI server per test session, reset for every test.

Installed through the ``pytest11`` entry point, so installing the package is enough::

    def test_answer(xai_fake_server):
        xai_fake_server.script("Chat/GetCompletion").respond(...)
        ...  # XAI_API_HOST, XAI_API_KEY, ... point at the fake during the test

Under pytest-xdist each worker process gets its own server.

Cassettes: ``@pytest.mark.xai_cassette("name", match_on=..., ignore_fields=...)`` replays
``cassettes/<test module>/<name>.pb`` (default name: the test's) through the
``xai_fake_server`` fixture; scripted answers still win. ``--xai-record-mode`` (default
``none``: never the network) and ``--xai-upstream`` record it; a replay miss fails the
test with the closest recorded request and a field-level diff, and
``--xai-cassette-strict`` also fails a test that left recorded interactions unplayed.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from xai_fake.server import FakeServer

if TYPE_CHECKING:
    import xai_sdk
    from xai_fake.cassette.layer import CassetteLayer

CASSETTE_MARKER = "xai_cassette"
CASSETTES_DIRECTORY = "cassettes"
_LAYER = pytest.StashKey["CassetteLayer"]()

try:  # async fixtures need pytest-asyncio's decorator in its default (strict) mode
    from pytest_asyncio import fixture as async_fixture
except ImportError:  # pragma: no cover - without pytest-asyncio, async tests cannot run anyway
    async_fixture = pytest.fixture  # type: ignore[assignment]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("xai_fake", "fake xAI API server")
    group.addoption(
        "--xai-fake-seed",
        type=int,
        default=0,
        help="seed for the fake server's generated answers (default: 0)",
    )
    group.addoption(
        "--xai-record-mode",
        default=None,
        metavar="MODE",
        help="cassette record mode: none (default: replay only, never the network), once, new_episodes or all",
    )
    group.addoption(
        "--xai-upstream",
        default=None,
        metavar="HOST:PORT",
        help="the API that cassettes record from (default: api.x.ai:443, TLS)",
    )
    group.addoption(
        "--xai-management-upstream",
        default=None,
        metavar="HOST:PORT",
        help="the management API that cassettes record from (default: management-api.x.ai:443)",
    )
    group.addoption(
        "--xai-cassette-strict",
        action="store_true",
        default=False,
        help="fail a test that leaves recorded cassette interactions unplayed",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{CASSETTE_MARKER}(name=None, **options): replay (or record) the test's xAI calls from "
        f"{CASSETTES_DIRECTORY}/<test module>/<name>.pb; options: match_on, ignore_fields, "
        "allow_playback_repeats, honour_timing, speed, record_mode, fallback_to_defaults, ...",
    )
    mode = config.getoption("xai_record_mode", None)
    if mode is not None:
        from xai_fake.cassette.record_mode import RecordMode

        try:
            RecordMode.parse(mode)
        except ValueError as error:
            raise pytest.UsageError(f"--xai-record-mode: {error}") from None


def cassette_path(item: pytest.Item, name: str | None) -> Path:
    """Where a test's cassette lives: ``<rootdir>/cassettes/<test module>/<name or test name>.pb``.

    A name with a ``/`` is a path relative to the rootdir; a name without a suffix gets ``.pb``.
    """
    root = Path(item.config.rootpath)
    if name and "/" in name:
        path = root / name
    else:
        module = Path(str(item.path)).stem
        stem = name or re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name).strip("_")
        path = root / CASSETTES_DIRECTORY / module / stem
    return path if path.suffix else path.with_suffix(".pb")


def _cassette_options(item: pytest.Item) -> tuple[Path, dict[str, Any]] | None:
    marker = item.get_closest_marker(CASSETTE_MARKER)
    if marker is None:
        return None
    if len(marker.args) > 1:
        raise pytest.UsageError(f"@pytest.mark.{CASSETTE_MARKER} takes one name, got {marker.args!r}")
    name = marker.args[0] if marker.args else marker.kwargs.get("name")
    options = {k: v for k, v in marker.kwargs.items() if k != "name"}
    config = item.config
    mode = config.getoption("xai_record_mode") or options.pop("record_mode", None) or "none"
    options.pop("record_mode", None)
    options["record_mode"] = mode
    for option, key in (("xai_upstream", "upstream"), ("xai_management_upstream", "management_upstream")):
        value = config.getoption(option)
        if value:
            options[key] = value
    return cassette_path(item, name), options


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Fail a test whose calls missed its cassette (with the diff), or, if strict, left some unplayed."""
    if item.get_closest_marker(CASSETTE_MARKER) is not None and "xai_fake_server" not in getattr(
        item, "fixturenames", ()
    ):
        pytest.fail(f"@pytest.mark.{CASSETTE_MARKER} needs the xai_fake_server fixture (or xai_client)", pytrace=False)
    try:
        result = yield
    except BaseException:
        layer = item.stash.get(_LAYER, None)
        if layer is not None and layer.misses:
            pytest.fail(_misses_report(layer), pytrace=False)
        raise
    layer = item.stash.get(_LAYER, None)
    if layer is not None:
        if layer.misses:
            pytest.fail(_misses_report(layer), pytrace=False)
        unplayed = layer.unplayed()
        if unplayed and item.config.getoption("xai_cassette_strict"):
            methods = ", ".join(i.method for i in unplayed)
            pytest.fail(
                f"{len(unplayed)} recorded interaction(s) of {layer.path} were not played (--xai-cassette-strict): "
                f"{methods}",
                pytrace=False,
            )
    return result


def _misses_report(layer: CassetteLayer) -> str:
    return "\n\n".join(miss.explain() for miss in layer.misses)


@pytest.fixture(scope="session")
def xai_fake_server_session(pytestconfig: pytest.Config) -> Iterator[FakeServer]:
    """The session's fake server, started once (one per xdist worker)."""
    with FakeServer(seed=pytestconfig.getoption("xai_fake_seed")) as server:
        yield server


@pytest.fixture
def xai_fake_server(
    xai_fake_server_session: FakeServer, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[FakeServer]:
    """The fake xAI server, reset for this test, with XAI_* environment variables pointing at it.

    With ``@pytest.mark.xai_cassette``, the test's cassette is in use for the test. While it
    records, the real keys of the environment (``XAI_API_KEY``, ``XAI_MANAGEMENT_KEY``) are kept.
    """
    server = xai_fake_server_session
    server.reset()
    cassette = _cassette_options(request.node)
    recording = False
    if cassette is not None:
        from xai_fake.cassette.record_mode import RecordMode

        path, options = cassette
        recording = RecordMode.parse(options["record_mode"]).records(path)
    for name, value in server.env().items():
        if recording and name.endswith("_KEY") and os.environ.get(name):
            continue
        monkeypatch.setenv(name, value)
    if cassette is None:
        yield server
        return
    path, options = cassette
    with server.use_cassette(path, **options) as layer, _http_cassette(path, options):
        request.node.stash[_LAYER] = layer
        yield server


@contextlib.contextmanager
def _http_cassette(path: Path, options: dict[str, Any]) -> Iterator[None]:
    """Record and replay HTTP downloads (image and video URLs) with vcrpy, next to the gRPC cassette.

    ``cassettes/mod/name.pb`` gets ``cassettes/mod/name.http.yaml``; one marker covers the whole test.
    The file appears only if the test made HTTP requests.
    """
    try:
        import vcr
    except ImportError:  # vcrpy comes with the test extra; without it HTTP goes out unrecorded
        yield
        return
    from xai_fake.cassette.record_mode import RecordMode

    recorder = vcr.VCR(
        record_mode=RecordMode.parse(options.get("record_mode", "none")).value,  # the same names as vcrpy's
        before_record_request=_redacted_request,
        before_record_response=_redacted_response,
        decode_compressed_response=True,
    )
    repeats = bool(options.get("allow_playback_repeats", False))
    with recorder.use_cassette(str(path.with_name(path.stem + ".http.yaml")), allow_playback_repeats=repeats):
        yield


def _redacted_request(request: Any) -> Any:
    """The one secrets rule on an HTTP request before vcrpy writes it."""
    from xai_fake.credentials import redact_headers

    redact_headers(request.headers)
    return request


def _redacted_response(response: dict[str, Any]) -> dict[str, Any]:
    """The one secrets rule on an HTTP response (``set-cookie``, ...) before vcrpy writes it."""
    from xai_fake.credentials import redact_headers

    redact_headers(response.get("headers", {}))
    return response


def _client_keys(server: FakeServer) -> dict[str, Any]:
    """While recording, the clients use the environment's real keys."""
    if server.cassette is None or not server.cassette.recording:
        return {}
    keys = {"api_key": os.environ.get("XAI_API_KEY"), "management_api_key": os.environ.get("XAI_MANAGEMENT_KEY")}
    return {name: value for name, value in keys.items() if value}


@pytest.fixture(scope="session")
def _xai_session_client(xai_fake_server_session: FakeServer) -> Iterator[xai_sdk.Client]:
    with xai_fake_server_session.client() as client:
        yield client


@pytest.fixture
def xai_client(xai_fake_server: FakeServer, request: pytest.FixtureRequest) -> Iterator[xai_sdk.Client]:
    """An ``xai_sdk.Client`` connected to the fake server (one per session, so its channel stays warm)."""
    keys = _client_keys(xai_fake_server)
    if not keys:
        yield request.getfixturevalue("_xai_session_client")
        return
    with xai_fake_server.client(**keys) as client:  # recording: the test's real keys
        yield client


@async_fixture
async def xai_async_client(xai_fake_server: FakeServer) -> AsyncIterator[xai_sdk.AsyncClient]:
    """An ``xai_sdk.AsyncClient`` connected to the fake server, in the test's event loop."""
    async with xai_fake_server.async_client(**_client_keys(xai_fake_server)) as client:
        yield client
