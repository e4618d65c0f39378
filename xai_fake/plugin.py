"""pytest plugin: a fake xAI server per test session, reset for every test.

Installed through the ``pytest11`` entry point, so installing the package is enough::

    def test_answer(xai_fake_server, xai_client):
        xai_fake_server.chat.reply("Hello")
        ...  # XAI_API_HOST, XAI_API_KEY, ... point at the fake during the test

Under pytest-xdist each worker process gets its own server. Async tests (``xai_async_client``)
need pytest-asyncio.

Cassettes, laid out as pytest-recording lays them out: ``@pytest.mark.xai_cassette`` replays
``cassettes/<test module>/<name>.pb`` from the ``cassettes/`` folder next to the test file
(the :func:`xai_cassette_dir` fixture), ``<name>`` being the marker's name or the test's
(``TestClass.test_name`` in a class). Options merge from the :func:`xai_cassette_config`
fixture, then the markers from the module's to the function's; ``--xai-record-mode`` and
``--xai-upstream`` win over both. A replay miss fails the test with the closest recorded
request and a field-level diff; ``--xai-cassette-strict`` also fails a test that left recorded
interactions unplayed. The ``pytest_xai_fake_configure`` hook (:mod:`xai_fake.hooks`)
registers matchers and redactors.

``--xai-block-network`` (or ``xai_block_network = true`` in the ini file) refuses every gRPC
channel to a non-loopback host (:mod:`xai_fake.network_guard`), except in tests marked
``@pytest.mark.xai_live`` and towards the upstream of a cassette that records.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import os
import re
import shlex
import warnings
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from xai_fake import hooks
from xai_fake.hooks import CassetteRegistry, combine_redactors
from xai_fake.network_guard import ChannelGuard
from xai_fake.server import FakeServer

if TYPE_CHECKING:
    import xai_sdk
    from xai_fake.cassette.layer import CassetteLayer
    from xai_fake.credentials import Secrets

CASSETTE_MARKER = "xai_cassette"
LIVE_MARKER = "xai_live"
CASSETTES_DIRECTORY = "cassettes"
BLOCK_NETWORK_OPTION = "--xai-block-network"
BLOCK_NETWORK_INI = "xai_block_network"
#: The binary suffix a cassette name gets unless it ends with a cassette suffix already.
CASSETTE_SUFFIX = ".pb"
#: The longest suffix a cassette's files get (its HTTP side): long names are shortened to fit it.
_LONGEST_SUFFIX = ".http.yaml"
#: Characters that may not appear in a file name, replaced by "-" (pytest-recording's list).
_FORBIDDEN = re.compile(r"[<>?%*:|\"'/\\]")

_LAYER = pytest.StashKey["CassetteLayer"]()
_GUARD = pytest.StashKey[ChannelGuard]()
_REGISTRY = pytest.StashKey[CassetteRegistry]()
_WARNED_NO_VCR = pytest.StashKey[bool]()
#: How long a recording test waits for another recorder of its cassette (an xdist worker, say) to finish.
LOCK_WAIT_SECONDS = 30.0

try:  # async fixtures need pytest-asyncio's decorator in its default (strict) mode
    from pytest_asyncio import fixture as async_fixture
except ImportError:  # pragma: no cover - without pytest-asyncio, async tests cannot run anyway
    async_fixture = pytest.fixture  # type: ignore[assignment]


class HttpNotRecordedWarning(pytest.PytestWarning):
    """A cassette records without vcrpy: the test's HTTP downloads go out unrecorded."""


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hooks)


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
        help="cassette record mode: none (default: replay only, never the network), once, new_episodes, all "
        "or rewrite; wins over the markers and xai_cassette_config",
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
    group.addoption(
        BLOCK_NETWORK_OPTION,
        action="store_true",
        default=False,
        help="refuse every gRPC channel to a non-loopback host (the real API included), before any DNS lookup; "
        f"tests marked @pytest.mark.{LIVE_MARKER} and recording cassettes' upstreams are let through",
    )
    parser.addini(
        BLOCK_NETWORK_INI,
        type="bool",
        default=False,
        help=f"like {BLOCK_NETWORK_OPTION}: refuse gRPC channels to non-loopback hosts",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{CASSETTE_MARKER}(name=None, **options): replay (or record) the test's xAI calls from "
        f"{CASSETTES_DIRECTORY}/<test module>/<name>.pb next to the test file (name: the test's); options "
        "(merged over xai_cassette_config, module to function): match_on, ignore_fields, allow_playback_repeats, "
        "honour_timing, speed, record_mode, redactor, fallback_to_defaults, ...",
    )
    config.addinivalue_line(
        "markers",
        f"{LIVE_MARKER}: the test may open gRPC channels to non-loopback hosts under {BLOCK_NETWORK_OPTION}",
    )
    mode = config.getoption("xai_record_mode", None)
    if mode is not None:
        from xai_fake.cassette.record_mode import RecordMode

        try:
            RecordMode.parse(mode)
        except ValueError as error:
            raise pytest.UsageError(f"--xai-record-mode: {error}") from None
    for option in ("xai_upstream", "xai_management_upstream"):
        value = config.getoption(option, None)
        if value is not None:
            from xai_fake.cassette.recorder import check_upstream

            try:
                check_upstream(value)
            except ValueError as error:
                raise pytest.UsageError(f"--{option.replace('_', '-')}: {error}") from None
    flag = None
    if config.getoption("xai_block_network", False):
        flag = BLOCK_NETWORK_OPTION
    elif config.getini(BLOCK_NETWORK_INI):
        flag = f"the {BLOCK_NETWORK_INI} ini option"
    if flag is not None:
        guard = ChannelGuard(flag)
        guard.install()
        config.stash[_GUARD] = guard


def pytest_unconfigure(config: pytest.Config) -> None:
    guard = config.stash.get(_GUARD, None)
    if guard is not None:
        guard.uninstall()
        del config.stash[_GUARD]
    registry = config.stash.get(_REGISTRY, None)
    if registry is not None:
        registry.close()
        del config.stash[_REGISTRY]


def pytest_collection_finish(session: pytest.Session) -> None:
    _registry(session.config)


def _registry(config: pytest.Config) -> CassetteRegistry:
    """The session's registry, filled by ``pytest_xai_fake_configure`` the first time it is needed."""
    registry = config.stash.get(_REGISTRY, None)
    if registry is None:
        registry = config.stash[_REGISTRY] = CassetteRegistry()
        config.hook.pytest_xai_fake_configure(config=config, registry=registry)
    return registry


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, object, object]:
    """Under the network guard, a test marked ``xai_live`` may open channels to any host."""
    guard = item.config.stash.get(_GUARD, None)
    if guard is None:
        return (yield)
    guard.exempt(item.get_closest_marker(LIVE_MARKER) is not None)
    try:
        return (yield)
    finally:
        guard.exempt(False)


# -- where cassettes live ---------------------------------------------------------------------


def default_cassette_name(item: pytest.Item) -> str:
    """pytest-recording's default name: ``test_name``, or ``TestClass.test_name`` in a class.

    Characters that cannot be in a file name (``<>?%*:|"'/\\``) become ``-``; a name too long
    for the file system is cut and given a hash of the whole name.
    """
    cls = getattr(item, "cls", None)
    name = f"{cls.__name__}.{item.name}" if cls is not None else item.name
    return _fit(_FORBIDDEN.sub("-", name))


def _fit(name: str) -> str:
    try:
        limit = os.pathconf(".", "PC_NAME_MAX")
    except (AttributeError, ValueError, OSError):  # pragma: no cover - Windows
        limit = 255
    if len(name) + len(_LONGEST_SUFFIX) <= limit:
        return name
    digest = hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()
    return f"{name[: limit - len(_LONGEST_SUFFIX) - len(digest) - 3]}...{digest}"


def cassette_path(directory: str | os.PathLike[str], name: str) -> Path:
    """The file of cassette ``name`` in ``directory``: ``name`` plus ``.pb`` unless it ends with a cassette suffix.

    An absolute ``name`` is used as it is; a relative one (``"shared/chat"`` too) is taken from ``directory``.
    """
    from xai_fake.cassette.format import TEXT_SUFFIXES

    path = Path(directory) / name
    if not name.endswith((CASSETTE_SUFFIX, *TEXT_SUFFIXES)):
        path = path.with_name(path.name + CASSETTE_SUFFIX)
    return path


def _default_cassette_dir(path: Path) -> Path:
    return path.parent / CASSETTES_DIRECTORY / path.stem


def _old_cassette_path(item: pytest.Item, name: str | None) -> Path:
    """Where xai_fake 0.1 kept this cassette: ``<rootdir>/cassettes/<module stem>/<name>`` (see the migration)."""
    root = Path(item.config.rootpath)
    if name and "/" in name:
        path = root / name
    else:
        stem = name or re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name).strip("_")
        path = root / CASSETTES_DIRECTORY / Path(str(item.path)).stem / stem
    return path if path.suffix else path.with_suffix(CASSETTE_SUFFIX)


@pytest.fixture(scope="module")
def xai_cassette_dir(request: pytest.FixtureRequest) -> Path:
    """The folder of this module's cassettes: ``cassettes/<module>/`` next to the test file; override to move them."""
    return _default_cassette_dir(Path(str(request.node.path)))


@pytest.fixture
def xai_cassette_config() -> dict[str, Any]:
    """Cassette options shared by the tests it covers (any scope); the markers' options win over them."""
    return {}


@dataclasses.dataclass
class _Cassette:
    """One test's cassette: where, with which options, and the name the markers gave (None: the test's)."""

    path: Path
    options: dict[str, Any]
    name: str | None


def _option_names() -> set[str]:
    from xai_fake.cassette.options import CassetteOptions

    return {field.name for field in dataclasses.fields(CassetteOptions)} - {"path"}


def _cassette(request: pytest.FixtureRequest) -> _Cassette | None:
    """The test's cassette, from its markers (broadest first), ``xai_cassette_config`` and the command line."""
    item = request.node
    markers = list(item.iter_markers(CASSETTE_MARKER))  # closest first
    if not markers:
        return None
    config = item.config
    options: dict[str, Any] = dict(request.getfixturevalue("xai_cassette_config") or {})
    name: str | None = options.pop("name", None)
    for marker in reversed(markers):  # the module's, the class's, then the function's: the closest wins
        if len(marker.args) > 1:
            raise pytest.UsageError(f"@pytest.mark.{CASSETTE_MARKER} takes one name, got {marker.args!r}")
        given = marker.args[0] if marker.args else marker.kwargs.get("name")
        if given is not None:
            name = given
        options.update((key, value) for key, value in marker.kwargs.items() if key != "name")
    unknown = sorted(set(options) - _option_names())
    if unknown:
        valid = ", ".join(sorted(_option_names()))
        pytest.fail(f"unknown xai_cassette option(s) {', '.join(unknown)}; the options are: {valid}", pytrace=False)
    if name is not None and (not isinstance(name, str) or not name.strip()):
        pytest.fail(f"@pytest.mark.{CASSETTE_MARKER}: the name must be a non-empty string, got {name!r}", pytrace=False)
    options["record_mode"] = config.getoption("xai_record_mode") or options.get("record_mode") or "none"
    for option, key in (("xai_upstream", "upstream"), ("xai_management_upstream", "management_upstream")):
        value = config.getoption(option)
        if value:
            options[key] = value
    redactor = combine_redactors([*_registry(config).redactors, options.get("redactor")])
    if redactor is not None:
        options["redactor"] = redactor
    directory = Path(request.getfixturevalue("xai_cassette_dir"))
    path = cassette_path(directory, name or default_cassette_name(item))
    if directory == _default_cassette_dir(Path(str(item.path))):
        _check_moved(item, name, path)
    return _Cassette(path, options, name)


def _check_moved(item: pytest.Item, name: str | None, path: Path) -> None:
    """Fail with the command to run when this cassette sits where xai_fake 0.1 put it, and not where it goes now."""
    old = _old_cassette_path(item, name)
    if old == path or path.exists() or not old.exists():
        return
    root = Path(item.config.rootpath)
    source, target = _shown(old, root), _shown(path, root)
    move = f"mkdir -p {shlex.quote(_shown(path.parent, root))} && git mv {shlex.quote(source)} {shlex.quote(target)}"
    http = old.with_name(old.stem + ".http.yaml")
    if http.exists():
        new_http = _shown(path.with_name(path.stem + ".http.yaml"), root)
        move += f" && git mv {shlex.quote(_shown(http, root))} {shlex.quote(new_http)}"
    pytest.fail(
        f"xai_cassette moved: {source} is now looked for at {target}\n"
        f"Cassettes live next to their test file, in {CASSETTES_DIRECTORY}/<test module>/<test name>, as with "
        "pytest-recording (test modules of the same name in different folders no longer share a folder). "
        f"Move it with:\n    {move}\n"
        "(if test modules of the same file name shared the old folder, it holds whichever recorded last: "
        "record those again), or override the xai_cassette_dir fixture to keep the old place.",
        pytrace=False,
    )


def _shown(path: Path, root: Path) -> str:
    """``path`` relative to the rootdir when it is inside it."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


# -- reporting what a cassette saw --------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Fail a test whose calls missed its cassette or could not reach the upstream, or (strict) left some unplayed."""
    if item.get_closest_marker(CASSETTE_MARKER) is not None and "xai_fake_server" not in getattr(
        item, "fixturenames", ()
    ):
        pytest.fail(f"@pytest.mark.{CASSETTE_MARKER} needs the xai_fake_server fixture (or xai_client)", pytrace=False)
    error: BaseException | None = None
    result: object = None
    try:
        result = yield
    except BaseException as exc:  # re-raised below, unless the cassette explains the failure better
        error = exc
    layer = item.stash.get(_LAYER, None)
    report = None if layer is None else _cassette_report(item, layer, failed=error is not None)
    if report is not None:
        # Raised outside the except block: the test's own error (the gRPC status that carries
        # the same explanation) is not chained to it, so the explanation is printed once.
        pytest.fail(report, pytrace=False)
    if error is not None:
        raise error
    return result


def _cassette_report(item: pytest.Item, layer: CassetteLayer, *, failed: bool) -> str | None:
    root = Path(item.config.rootpath)
    shown = _shown(layer.path, root)
    if layer.proxy_failures:
        return _proxy_failures_report(layer, shown)
    if layer.misses:
        return _misses_report(layer, shown)
    unplayed = layer.unplayed()
    if not failed and unplayed and item.config.getoption("xai_cassette_strict"):
        methods = ", ".join(i.method for i in unplayed)
        return f"{len(unplayed)} recorded interaction(s) of {shown} were not played (--xai-cassette-strict): {methods}"
    return None


def _misses_report(layer: CassetteLayer, shown: str) -> str:
    """First line: what missed and why (the test summary shows it); then each distinct explanation."""
    misses = layer.misses
    first = misses[0]
    if not layer.path.exists():
        cause = f"{shown} does not exist; record it with --xai-record-mode=once"
    elif first.closest is None:
        cause = f"{shown} holds no interaction to compare {first.method} with"
    elif first.diff:
        cause = f"{first.method} differs from the closest recording in {shown}: {first.diff[0].strip()}"
    elif first.played:
        cause = f"{first.method} of {shown} was already played (allow_playback_repeats=True replays it)"
    else:
        cause = f"a matcher refused the closest recording of {first.method} in {shown}"
    more = f" (and {len(misses) - 1} more call(s))" if len(misses) > 1 else ""
    explanations = list(dict.fromkeys(miss.explain() for miss in misses))
    return f"xai_cassette miss: {cause}{more}\n\n" + "\n\n".join(explanations)


def _proxy_failures_report(layer: CassetteLayer, shown: str) -> str:
    failures = layer.proxy_failures
    first = failures[0]
    lines = [
        f"xai_cassette recording failed: the upstream {first.target} could not be reached "
        f"({first.code.name}: {first.details}); nothing was written to {shown}",
        f"{len(failures)} call attempt(s) failed in the recording proxy itself, not in the API:",
        *(f"  {failure.explain()}" for failure in dict.fromkeys(failures)),
        "check --xai-upstream and the network, then record again",
    ]
    return "\n".join(lines)


# -- fixtures ---------------------------------------------------------------------------------


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
    cassette = _cassette(request)
    recording = False
    if cassette is not None:
        from xai_fake.cassette.record_mode import RecordMode

        recording = RecordMode.parse(cassette.options["record_mode"]).records(cassette.path)
    for name, value in server.env().items():
        if recording and name.endswith("_KEY") and os.environ.get(name):
            continue
        monkeypatch.setenv(name, value)
    if cassette is None:
        yield server
        return
    guard = request.config.stash.get(_GUARD, None)
    from xai_fake.cassette.writable import waiting_for_lock

    with (
        _cassette_errors_in_one_line(),
        waiting_for_lock(LOCK_WAIT_SECONDS),  # xdist workers sharing a cassette take turns
        server.use_cassette(cassette.path, **cassette.options) as layer,
        _http_cassette(request.node, layer, cassette.options),
        _upstream_allowed(guard, layer),
    ):
        request.node.stash[_LAYER] = layer
        yield server


@contextlib.contextmanager
def _cassette_errors_in_one_line() -> Iterator[None]:
    """A cassette that cannot be read, recorded or written fails the test with its one line, not a traceback."""
    from xai_fake.cassette.format import CassetteError

    try:
        yield
    except CassetteError as error:
        # from None: the error is not printed a second time, as the context of the failure
        raise pytest.fail.Exception(str(error), pytrace=False) from None


@contextlib.contextmanager
def _upstream_allowed(guard: ChannelGuard | None, layer: CassetteLayer) -> Iterator[None]:
    """Under the network guard, a recording cassette's proxy may reach its upstream (and nothing else may)."""
    if guard is None or layer.recorder is None:
        yield
        return
    guard.allow(layer.recorder.targets)
    try:
        yield
    finally:
        guard.allow(())


@contextlib.contextmanager
def _http_cassette(item: pytest.Item, layer: CassetteLayer, options: dict[str, Any]) -> Iterator[None]:
    """Record and replay HTTP downloads (image and video URLs) with vcrpy, next to the gRPC cassette.

    ``cassettes/mod/name.pb`` gets ``cassettes/mod/name.http.yaml``; one marker covers the whole test.
    The file appears only if the test made HTTP requests. Without vcrpy, replaying a recorded
    file fails the test, and recording warns (once) that downloads go out unrecorded.
    """
    from xai_fake.cassette.record_mode import RecordMode

    path = layer.path
    http_path = path.with_name(path.stem + ".http.yaml")
    mode = RecordMode.parse(options.get("record_mode", "none"))
    try:
        import vcr
    except ImportError:
        _without_vcrpy(item, http_path, mode, layer)
        yield
        return
    secrets = _http_secrets(layer)
    recorder = vcr.VCR(
        record_mode=mode.vcr_mode,  # the same names as vcrpy's (rewrite: "all" on a fresh file)
        # Applied to live requests before matching too: a recorded "?token=<redacted>" matches "?token=abc".
        before_record_request=functools.partial(_redacted_request, secrets=secrets),
        before_record_response=functools.partial(_redacted_response, secrets=secrets),
        decode_compressed_response=True,
    )
    recorder.register_persister(AtomicYamlPersister)  # written like the .pb: temporary file, fsync, rename
    repeats = bool(options.get("allow_playback_repeats", False))
    # rewrite: record into a fresh file, which replaces the old one only if the recording succeeded.
    target = http_path.with_name(http_path.name + ".new") if mode is RecordMode.REWRITE else http_path
    if target != http_path:
        target.unlink(missing_ok=True)
    try:
        with recorder.use_cassette(str(target), allow_playback_repeats=repeats):
            yield
    finally:
        if target != http_path:
            if layer.proxy_failures:
                target.unlink(missing_ok=True)
            elif target.exists():
                target.replace(http_path)
            else:
                http_path.unlink(missing_ok=True)


class AtomicYamlPersister:
    """vcrpy's persister for ``.http.yaml`` files: written atomically, and a broken file is an error naming it.

    Saving goes through :func:`xai_fake.cassette.format.atomic_write` (temporary file, fsync,
    rename), so a full disk or a kill never leaves a half-written file; a failed write is a
    :class:`~xai_fake.cassette.format.CassetteWriteError` naming the file, the old file intact.
    Loading refuses, with a :class:`~xai_fake.cassette.format.CassetteError` naming the file, what
    vcrpy would not read (broken YAML, not a cassette, bad encoding, not a regular file), where vcrpy
    would raise an error without the file's name or quietly record over it. A missing or empty
    file is a cassette not recorded yet, as for vcrpy.
    """

    @classmethod
    def load_cassette(cls, cassette_path: str | os.PathLike[str], serializer: Any) -> Any:
        from vcr.persisters.filesystem import CassetteNotFoundError
        from vcr.serialize import deserialize

        from xai_fake.cassette.format import CassetteError, read_cassette_bytes

        path = Path(cassette_path)
        if not path.exists():
            raise CassetteNotFoundError()
        data = read_cassette_bytes(path)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            reason = f"cannot read this HTTP cassette: it is not UTF-8 text ({error.reason})"
            raise CassetteError(path, reason) from None
        if not text.strip():
            raise CassetteNotFoundError()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # vcrpy warns about what it cannot read
                return deserialize(text, serializer)
        except Exception as error:  # yaml errors, a mapping without "interactions", wrong types, ...
            reason = " ".join(str(error).split()) or type(error).__name__
            if isinstance(error, KeyError):
                reason = f"no {reason} key"
            raise CassetteError(
                path,
                f"cannot read this HTTP cassette ({type(error).__name__}: {reason[:300]}); "
                "restore it from version control, or delete it and record again",
            ) from None

    @staticmethod
    def save_cassette(cassette_path: str | os.PathLike[str], cassette_dict: Any, serializer: Any) -> None:
        from vcr.serialize import serialize

        from xai_fake.cassette.format import atomic_write, write_error

        path = Path(cassette_path)
        data = serialize(cassette_dict, serializer).encode("utf-8")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data)
        except OSError as error:
            raise write_error(path, error, what="cannot write this HTTP cassette") from error


def _without_vcrpy(item: pytest.Item, http_path: Path, mode: Any, layer: CassetteLayer) -> None:
    shown = _shown(http_path, Path(item.config.rootpath))
    if http_path.exists() and mode.replays(layer.path):
        pytest.fail(
            f"{shown} holds this test's recorded HTTP downloads (image and video URLs), but vcrpy is not "
            "installed, so they cannot be replayed: pip install vcrpy (it comes with the test extra)",
            pytrace=False,
        )
    if layer.recording and not item.config.stash.get(_WARNED_NO_VCR, False):
        item.config.stash[_WARNED_NO_VCR] = True
        warnings.warn(
            HttpNotRecordedWarning(
                f"vcrpy is not installed: HTTP downloads (image and video URLs) of recording tests are not "
                f"recorded (they would go to {shown}), so replaying such a test offline fails: "
                "pip install vcrpy (it comes with the test extra)"
            ),
            stacklevel=1,
        )


def _http_secrets(layer: CassetteLayer) -> Secrets:
    """What the HTTP cassette scrubs: the keys the recording proxy forwards, and the environment's real keys."""
    from xai_fake.cassette.recorder import ENVIRONMENT_KEYS
    from xai_fake.credentials import Secrets

    secrets = layer.recorder.secrets if layer.recorder is not None else Secrets()
    secrets.update(value for value in map(os.environ.get, ENVIRONMENT_KEYS) if value)
    return secrets


def _redacted_request(request: Any, secrets: Secrets | None = None) -> Any:
    """The one secrets rule on an HTTP request before vcrpy writes it (or matches it): headers, URI, body."""
    from xai_fake.credentials import Secrets, redact_headers

    secrets = secrets if secrets is not None else Secrets()  # no known keys: signed-URL parameters still go

    redact_headers(request.headers)
    for key in list(request.headers):
        request.headers[key] = secrets.scrub_text(str(request.headers[key]))
    request.uri = secrets.scrub_text(request.uri)
    if isinstance(request.body, bytes):
        request.body = secrets.scrub_bytes(request.body)
    elif isinstance(request.body, str):
        request.body = secrets.scrub_text(request.body)
    return request


def _redacted_response(response: dict[str, Any], secrets: Secrets | None = None) -> dict[str, Any]:
    """The one secrets rule on an HTTP response (``set-cookie``, signed ``location`` URLs, its body) for vcrpy."""
    from xai_fake.credentials import Secrets, redact_headers

    secrets = secrets if secrets is not None else Secrets()

    headers = response.get("headers", {})
    redact_headers(headers)
    for key, value in list(headers.items()):
        scrubbed = [secrets.scrub_text(str(item)) for item in value] if isinstance(value, list) else None
        headers[key] = scrubbed if scrubbed is not None else secrets.scrub_text(str(value))
    body = response.get("body")
    if isinstance(body, dict) and isinstance(body.get("string"), bytes | str):
        text = body["string"]
        body["string"] = secrets.scrub_bytes(text) if isinstance(text, bytes) else secrets.scrub_text(text)
    return response


def _client_keys(server: FakeServer) -> dict[str, Any]:
    """While recording, the clients use the environment's real keys."""
    if server.cassette is None or not server.cassette.recording:
        return {}
    keys = {"api_key": os.environ.get("XAI_API_KEY"), "management_api_key": os.environ.get("XAI_MANAGEMENT_KEY")}
    return {name: value for name, value in keys.items() if value}


@pytest.fixture(scope="session")
def _xai_warm_channel(xai_fake_server_session: FakeServer) -> Iterator[None]:
    """Keeps one connection to the session's server open: each test's client then shares it (gRPC pools them)."""
    import grpc

    with xai_fake_server_session.client() as client:
        channel = getattr(client, "_api_channel", None)
        if channel is not None:
            with contextlib.suppress(grpc.FutureTimeoutError):
                grpc.channel_ready_future(channel).result(timeout=5)
        yield


@pytest.fixture
def xai_client(xai_fake_server: FakeServer, request: pytest.FixtureRequest) -> Iterator[xai_sdk.Client]:
    """An ``xai_sdk.Client`` connected to the fake server: this test's own, so closing it harms no other test."""
    keys = _client_keys(xai_fake_server)
    if not keys:
        request.getfixturevalue("_xai_warm_channel")
    with xai_fake_server.client(**keys) as client:  # recording: the test's real keys
        yield client


@async_fixture
async def xai_async_client(xai_fake_server: FakeServer) -> AsyncIterator[xai_sdk.AsyncClient]:
    """An ``xai_sdk.AsyncClient`` connected to the fake server, in the test's event loop (needs pytest-asyncio)."""
    async with xai_fake_server.async_client(**_client_keys(xai_fake_server)) as client:
        yield client
