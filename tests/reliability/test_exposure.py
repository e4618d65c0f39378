"""Exposure: what a fake reachable from other machines, or a download URL from an answer, can reach.

* ``xai-fake serve --host`` other than loopback warns, naming the address;
* ``--require-key`` accepts only the given keys (a stranger gets UNAUTHENTICATED, also for another
  key's file), and each run has its own management key;
* the HTTP file server closes idle and half-sent connections after its read timeout, caps the
  connections it serves at once, and binds the gRPC server's host;
* the SDK's downloads follow redirects only where :func:`xai_sdk._download.next_url` allows.
"""

from __future__ import annotations

import asyncio
import http.server
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import ClassVar

import grpc
import httpx
import pytest

from xai_fake import DEFAULT_MANAGEMENT_KEY, FakeServer, cli
from xai_fake.http_files import HttpFiles
from xai_sdk import Client
from xai_sdk._download import MAX_REDIRECTS, HostKind, RedirectRefused, fetch, fetch_async, host_kind, next_url
from xai_sdk._target import is_local_host

XAI_FAKE = [sys.executable, "-m", "xai_fake"]
KEY_A, KEY_B = "key-of-alice", "key-of-a-stranger"


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


IPV6 = pytest.mark.skipif(not _ipv6_loopback(), reason="this machine cannot bind ::1")


# -- the command line: one process per configuration, all started at once ---------------------------


@dataclass
class Served:
    """An ``xai-fake serve`` process, once it printed its export lines."""

    proc: subprocess.Popen[str]
    env: dict[str, str] = field(default_factory=dict)
    #: stderr up to and including the "serving on" line.
    stderr: list[str] = field(default_factory=list)


#: The processes (each takes ~0.8 s of CPU to start): the first warns, the others are loopback.
RUNS: dict[str, list[str]] = {
    "0.0.0.0": ["--host", "0.0.0.0"],
    "127.0.0.1": ["--host", "127.0.0.1"],
    "localhost": ["--host", "localhost", "--require-key", KEY_A, "--management-key", "my-management-key"],
    "::1": ["--host", "::1"],  # bare: the command brackets it for gRPC
}
IPV6_RUNS = {"::1"}


@pytest.fixture(scope="module")
def served() -> Iterator[dict[str, Served]]:
    runs = {name: argv for name, argv in RUNS.items() if name not in IPV6_RUNS or _ipv6_loopback()}
    started = {
        name: Served(
            subprocess.Popen(
                [*XAI_FAKE, "serve", "--port", "0", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        )
        for name, argv in runs.items()
    }
    try:
        for run in started.values():
            assert run.proc.stdout is not None and run.proc.stderr is not None
            for _ in range(4):
                line = run.proc.stdout.readline()
                assert line.startswith("export "), (line, run.proc.stderr.read())
                name, _, value = line.removeprefix("export ").strip().partition("=")
                run.env[name] = shlex.split(value)[0]
            while not run.stderr or "serving on" not in run.stderr[-1]:
                run.stderr.append(run.proc.stderr.readline())
        yield started
    finally:
        for run in started.values():
            run.proc.send_signal(signal.SIGTERM)
        for run in started.values():
            run.proc.communicate(timeout=30)


def test_a_host_reachable_from_other_machines_is_a_warning_naming_it(served: dict[str, Served]) -> None:
    warnings = [line for line in served["0.0.0.0"].stderr if "warning" in line]
    assert warnings == [
        "xai-fake serve: warning: listening on 0.0.0.0, reachable from other machines; any API key is accepted "
        "(restrict them with --require-key KEY)\n"
    ]
    assert served["0.0.0.0"].stderr[-1].startswith("xai-fake "), "then it serves"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", pytest.param("::1", marks=IPV6)])
def test_a_loopback_host_is_no_warning(served: dict[str, Served], host: str) -> None:
    assert len(served[host].stderr) == 1
    assert " serving on " in served[host].stderr[0]
    if host == "::1":
        assert served[host].env["XAI_API_HOST"].startswith("[::1]:")


@pytest.mark.parametrize(
    ("argv", "warning"),
    [
        (["serve", "--host", "::"], "listening on [::], reachable from other machines; any API key is accepted"),
        (["serve", "--host", "[::]"], "listening on [::], reachable"),
        (["serve", "--host", "192.168.1.10"], "listening on 192.168.1.10, reachable"),
        (["exec", "--host", "0.0.0.0", "--", "true"], "xai-fake exec: warning: listening on 0.0.0.0"),
        (
            ["replay", "--host", "myhost.lan", "--cassette", "c.pb", "--require-key", "k"],
            "myhost.lan, reachable from other machines; only the --require-key keys are accepted",
        ),
        (
            ["record", "--host", "0.0.0.0", "--cassette", "c.pb"],
            "xai-fake record: warning: listening on 0.0.0.0, reachable from other machines; anyone who connects",
        ),
        (["serve", "--host", "localhost"], None),
        (["replay", "--host", "::1", "--cassette", "c.pb"], None),
    ],
)
def test_every_serving_command_warns_of_its_host(
    argv: list[str], warning: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    args = cli.build_parser().parse_args(argv)
    assert cli._start_problem(argv[0], args) is False
    printed = capsys.readouterr().err
    if warning is None:
        assert printed == ""
    else:
        assert warning in printed
        assert printed.count("\n") == 1


def test_each_run_has_its_own_management_key(served: dict[str, Served]) -> None:
    keys = {served[name].env["XAI_MANAGEMENT_KEY"] for name in ("0.0.0.0", "127.0.0.1")}
    assert len(keys) == 2
    assert DEFAULT_MANAGEMENT_KEY not in keys
    assert all(len(key) > 32 for key in keys)
    assert served["localhost"].env["XAI_MANAGEMENT_KEY"] == "my-management-key", "--management-key fixes it"


def test_the_generated_management_key_is_the_one_accepted(served: dict[str, Served]) -> None:
    env = served["127.0.0.1"].env
    host = env["XAI_MANAGEMENT_API_HOST"]
    with Client(api_key="any", management_api_key=env["XAI_MANAGEMENT_KEY"], management_api_host=host) as client:
        assert client.collections.list().collections is not None
    with (
        Client(api_key="any", management_api_key=DEFAULT_MANAGEMENT_KEY, management_api_host=host) as client,
        pytest.raises(grpc.RpcError) as info,
    ):
        client.collections.list()
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_require_key_refuses_a_stranger_even_for_the_owners_file(served: dict[str, Served]) -> None:
    env = served["localhost"].env
    assert env["XAI_API_KEY"] == KEY_A
    with Client(api_key=KEY_A, api_host=env["XAI_API_HOST"]) as alice:
        uploaded = alice.files.upload(b"alice's notes", filename="notes.txt")
        assert alice.files.get(uploaded.id).filename == "notes.txt"
    with Client(api_key=KEY_B, api_host=env["XAI_API_HOST"]) as stranger:
        for attempt in (lambda: stranger.files.get(uploaded.id), lambda: stranger.files.content(uploaded.id)):
            with pytest.raises(grpc.RpcError) as info:
                attempt()
            assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
            assert KEY_B not in str(info.value.details())


def test_without_require_key_other_keys_are_other_tenants(served: dict[str, Served]) -> None:
    host = served["127.0.0.1"].env["XAI_API_HOST"]
    with Client(api_key=KEY_A, api_host=host) as alice:
        uploaded = alice.files.upload(b"alice's notes", filename="notes.txt")
    with Client(api_key=KEY_B, api_host=host) as stranger, pytest.raises(grpc.RpcError) as info:
        stranger.files.get(uploaded.id)
    assert info.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("0.0.0.0", False),
        ("::", False),
        ("[::]", False),
        ("", False),
        ("192.168.1.10", False),
        ("myhost.lan", False),
    ],
)
def test_is_local_host_follows_the_target_rule(host: str, local: bool) -> None:
    assert is_local_host(host) is local


# -- the HTTP file server ---------------------------------------------------------------------------


HALF_SENT = b"GET /files/a.bin HTTP/1.1\r\nHost: fake\r\n"  # no blank line: the head never ends


async def _closed_by_server(reader: asyncio.StreamReader) -> bytes:
    try:
        return await reader.read()
    except ConnectionError:
        return b""


async def test_200_idle_half_sent_connections_are_closed_within_the_read_timeout() -> None:
    files = HttpFiles(read_timeout=0.5, max_connections=256)
    await files.start()
    try:
        assert files.port is not None
        opened = [await asyncio.open_connection("127.0.0.1", files.port) for _ in range(200)]
        for number, (_, writer) in enumerate(opened):
            if number % 2:
                writer.write(HALF_SENT)  # half of them half-sent, the others idle
        start = time.monotonic()
        answers = await asyncio.wait_for(asyncio.gather(*(_closed_by_server(r) for r, _ in opened)), 3.0)
        elapsed = time.monotonic() - start
        for _, writer in opened:
            writer.close()
        assert answers == [b""] * 200, "closed without an answer"
        assert 0.3 < elapsed < 0.5 + 1.5
        assert files.connections == 0
        files.files["/files/a.bin"] = (b"still serving", "text/plain")
        assert await asyncio.to_thread(_get, f"{files.base_url}/files/a.bin") == b"still serving"
    finally:
        await files.stop()


async def test_connections_beyond_the_cap_are_answered_503_at_once() -> None:
    files = HttpFiles(read_timeout=5.0, max_connections=3)
    await files.start()
    try:
        assert files.port is not None
        idle = [await asyncio.open_connection("127.0.0.1", files.port) for _ in range(3)]
        await _eventually(lambda: files.connections == 3)
        reader, writer = await asyncio.open_connection("127.0.0.1", files.port)
        answer = await asyncio.wait_for(reader.read(), 1.0)
        writer.close()
        assert answer.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
        idle.pop()[1].close()
        await _eventually(lambda: files.connections == 2)
        files.files["/ok"] = (b"ok", "text/plain")
        assert await asyncio.to_thread(_get, f"{files.base_url}/ok") == b"ok"
        start = time.monotonic()
    finally:
        await files.stop()
    assert time.monotonic() - start < 1.0, "stop closes idle connections without waiting for their timeout"
    assert [await _closed_by_server(r) for r, _ in idle] == [b"", b""]
    for _, writer in idle:
        writer.close()


async def _eventually(check: Callable[[], bool], timeout: float = 2.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition did not become true")


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="read_timeout"):
        HttpFiles(read_timeout=0)
    with pytest.raises(ValueError, match="max_connections"):
        HttpFiles(max_connections=0)


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return bytes(response.read())


def test_files_are_served_on_the_grpc_host() -> None:
    with FakeServer(host="localhost") as fake:
        assert fake.http_files.host == "localhost"
        assert fake.http_url.startswith("http://127.0.0.1:")
    with FakeServer(host="0.0.0.0") as fake:
        url = fake.defaults.state.publish("/files/remote.bin", b"for remote clients")
        host = httpx.URL(url).host
        assert host not in ("0.0.0.0", "::", ""), "URLs name an address a remote client can reach"
        port = int(fake.http_url.rsplit(":", 1)[1])
        assert _get(f"http://127.0.0.1:{port}/files/remote.bin") == b"for remote clients", "every interface"


@IPV6
async def test_ipv6_hosts_are_bracketed_in_urls_and_url_host_overrides() -> None:
    files = HttpFiles("[::1]")
    await files.start()
    try:
        assert files.base_url.startswith("http://[::1]:")
        files.files["/six"] = (b"six", "text/plain")
        assert await asyncio.to_thread(_get, f"{files.base_url}/six") == b"six"
    finally:
        await files.stop()
    named = HttpFiles("0.0.0.0", url_host="files.example")
    await named.start()
    try:
        assert named.base_url == f"http://files.example:{named.port}"
    finally:
        await named.stop()


# -- the SDK's redirects ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("127.0.0.1", HostKind.LOOPBACK),
        ("127.1", HostKind.LOOPBACK),
        ("2130706433", HostKind.LOOPBACK),
        ("0x7f.0.0.1", HostKind.LOOPBACK),
        ("0.0.0.0", HostKind.LOOPBACK),
        ("::1", HostKind.LOOPBACK),
        ("::ffff:127.0.0.1", HostKind.LOOPBACK),
        ("LocalHost.", HostKind.LOOPBACK),
        ("files.localhost", HostKind.LOOPBACK),
        ("10.1.2.3", HostKind.PRIVATE),
        ("192.168.0.7", HostKind.PRIVATE),
        ("169.254.169.254", HostKind.PRIVATE),
        ("fe80::1", HostKind.PRIVATE),
        ("fd00::1", HostKind.PRIVATE),
        ("100.64.0.1", HostKind.PRIVATE),
        ("8.8.8.8", HostKind.PUBLIC),
        ("2001:4860:4860::8888", HostKind.PUBLIC),
        ("imgen.x.ai", HostKind.PUBLIC),
        ("metadata.google.internal", HostKind.PUBLIC),  # a name: never resolved
    ],
)
def test_hosts_are_classified_without_dns(host: str, kind: HostKind) -> None:
    assert host_kind(host) is kind


def _chain(*urls: str) -> list[httpx.URL]:
    return [httpx.URL(url) for url in urls]


@pytest.mark.parametrize(
    ("chain", "location", "refused"),
    [
        (["https://imgen.x.ai/a.png"], "http://cdn.example/a.png", "http://cdn.example/a.png"),
        (["https://imgen.x.ai/a.png"], "https://127.0.0.1/admin", "https://127.0.0.1/admin"),
        (["https://imgen.x.ai/a.png"], "https://localhost:8080/", "https://localhost:8080/"),
        (["https://imgen.x.ai/a.png"], "http://169.254.169.254/latest", "http://169.254.169.254/latest"),
        (["https://imgen.x.ai/a.png"], "https://10.0.0.5/", "https://10.0.0.5/"),
        (["https://imgen.x.ai/a.png"], "https://2130706433/", "https://2130706433/"),
        (["https://imgen.x.ai/a.png"], "https://[::ffff:127.0.0.1]/", "https://[::ffff:127.0.0.1]/"),
        (["http://127.0.0.1:9/a", "https://cdn.example/b"], "http://127.0.0.1:9/c", "http://127.0.0.1:9/c"),
        (["http://10.0.0.5/a"], "https://127.0.0.1/", "https://127.0.0.1/"),
        (["http://127.0.0.1:9/a"], "http://cdn.example/a", "http://cdn.example/a"),
        (["http://127.0.0.1:9/a"], "file:///etc/passwd", "file:/etc/passwd"),
        (["https://a.example/?sig=secret"], "https://127.0.0.1/x?token=secret", "https://127.0.0.1/x"),
        (["https://a.example/"] * (MAX_REDIRECTS + 1), "/again", "https://a.example/again"),
    ],
)
def test_redirects_refused(chain: list[str], location: str, refused: str) -> None:
    with pytest.raises(RedirectRefused) as info:
        next_url(_chain(*chain), 302, location)
    assert info.value.url == refused
    assert f"refused to follow the redirect to {refused}: " in str(info.value)
    assert "secret" not in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("chain", "location", "followed"),
    [
        (["http://127.0.0.1:9/a"], "/b", "http://127.0.0.1:9/b"),
        (["http://127.0.0.1:9/a"], "http://localhost:10/b", "http://localhost:10/b"),
        (["http://localhost:9/a"], "http://[::1]:10/b", "http://[::1]:10/b"),
        (["http://127.0.0.1:9/a"], "http://192.168.1.2/b", "http://192.168.1.2/b"),
        (["http://10.0.0.5/a"], "http://10.0.0.6/b", "http://10.0.0.6/b"),
        (["http://127.0.0.1:9/a"], "https://cdn.example/b", "https://cdn.example/b"),
        (["https://imgen.x.ai/a"], "https://cdn.example/b?sig=1", "https://cdn.example/b?sig=1"),
        (["https://imgen.x.ai/a"], "//cdn.example/b", "https://cdn.example/b"),
        (["https://a.example/"] * MAX_REDIRECTS, "/last", "https://a.example/last"),
    ],
)
def test_redirects_allowed(chain: list[str], location: str, followed: str) -> None:
    assert next_url(_chain(*chain), 307, location) == httpx.URL(followed)


@pytest.mark.parametrize(("status", "location"), [(200, "/x"), (304, "/x"), (302, None), (301, "")])
def test_answers_that_are_not_redirects_end_the_download(status: int, location: str | None) -> None:
    assert next_url(_chain("https://a.example/"), status, location) is None


class _Redirecting(http.server.BaseHTTPRequestHandler):
    """``/file`` is the bytes; ``/hop`` redirects to it; ``/away`` to a public http URL; ``/loop`` to itself."""

    LOCATIONS: ClassVar[dict[str, str]] = {"/hop": "/file", "/away": "http://downloads.example/file", "/loop": "/loop"}

    def do_GET(self) -> None:
        if self.path == "/file":
            self.send_response(200)
            self.send_header("Content-Length", "4")
            self.end_headers()
            self.wfile.write(b"body")
            return
        self.send_response(302)
        self.send_header("Location", self.LOCATIONS[self.path])
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def redirecting() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def test_downloads_follow_loopback_redirects_and_refuse_the_others(redirecting: str) -> None:
    assert await asyncio.to_thread(fetch, f"{redirecting}/hop") == b"body"
    assert await fetch_async(f"{redirecting}/hop") == b"body"
    for path, refused in [("/away", "http://downloads.example/file"), ("/loop", f"{redirecting}/loop")]:
        with pytest.raises(RedirectRefused, match="refused to follow the redirect to ") as info:
            await asyncio.to_thread(fetch, redirecting + path)
        assert info.value.url == refused
        with pytest.raises(RedirectRefused) as info:
            await fetch_async(redirecting + path)
        assert info.value.url == refused


def test_a_wildcard_server_exports_a_loopback_target_the_sdk_can_use(served: dict[str, Served]) -> None:
    env = served["0.0.0.0"].env
    assert env["XAI_API_HOST"].startswith("127.0.0.1:")
    client = Client(api_key=env["XAI_API_KEY"], api_host=env["XAI_API_HOST"])
    try:
        assert client.models.list_language_models()
    finally:
        client.close()
