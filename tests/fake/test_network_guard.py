"""``--xai-block-network``: no gRPC channel of a test session reaches a host other than this machine."""

from __future__ import annotations

import json

import grpc
import grpc.aio
import pytest

from xai_fake.network_guard import ChannelGuard, NetworkBlocked
from xai_sdk._target import parse_target

#: Watches what the inner session does below the guard: every Python-level socket connect and
#: name lookup, and every channel handed to gRPC's C core (cygrpc.Channel / AioChannel), where
#: gRPC resolves and connects on its own, out of reach of the socket module.
WATCH = """
import json, socket
import pytest
from grpc._cython import cygrpc
from xai_sdk._target import parse_target

SEEN = []
CURRENT = [""]
ORIGINAL = {}


def _note(kind, target):
    SEEN.append({"test": CURRENT[0], "kind": kind, "target": str(target)})


def _host_local(host):
    return parse_target(str(host)).is_local


def pytest_configure(config):
    ORIGINAL.update(
        connect=socket.socket.connect, connect_ex=socket.socket.connect_ex, getaddrinfo=socket.getaddrinfo,
        channel=cygrpc.Channel, aio_channel=cygrpc.AioChannel,
    )

    def connect(self, address, *rest):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _host_local(address[0]):
            _note("socket.connect", address[0])
        return ORIGINAL["connect"](self, address, *rest)

    def connect_ex(self, address, *rest):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _host_local(address[0]):
            _note("socket.connect_ex", address[0])
        return ORIGINAL["connect_ex"](self, address, *rest)

    def getaddrinfo(host, *rest, **keywords):
        if host is not None and not _host_local(host):
            _note("socket.getaddrinfo", host)
        return ORIGINAL["getaddrinfo"](host, *rest, **keywords)

    def channel(target, *rest, **keywords):
        _note("cygrpc.Channel", target.decode())
        return ORIGINAL["channel"](target, *rest, **keywords)

    def aio_channel(target, *rest, **keywords):
        _note("cygrpc.AioChannel", target.decode())
        return ORIGINAL["aio_channel"](target, *rest, **keywords)

    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
    cygrpc.Channel, cygrpc.AioChannel = channel, aio_channel


def pytest_unconfigure(config):
    socket.socket.connect, socket.socket.connect_ex = ORIGINAL["connect"], ORIGINAL["connect_ex"]
    socket.getaddrinfo = ORIGINAL["getaddrinfo"]
    cygrpc.Channel, cygrpc.AioChannel = ORIGINAL["channel"], ORIGINAL["aio_channel"]
    with open("seen.json", "w") as file:
        json.dump(SEEN, file)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    CURRENT[0] = item.name
    try:
        return (yield)
    finally:
        CURRENT[0] = ""
"""

TESTS = """
import grpc
import grpc.aio
import pytest
import xai_sdk
from xai_fake.network_guard import NetworkBlocked
from xai_sdk.chat import user


def test_a_client_of_the_real_api(monkeypatch):
    monkeypatch.delenv("XAI_API_HOST", raising=False)  # the xAI default: api.x.ai
    client = xai_sdk.Client(api_key="xai-real-key")
    client.chat.create("grok-4", messages=[user("Hi")]).sample()


def test_raw_channels_and_the_official_sdk_way():
    from grpc import secure_channel  # bound before the test: the guard is on the channel class itself

    blocked = [
        lambda: grpc.insecure_channel("example.com:80"),
        # what the official xai-sdk does: grpc.secure_channel(api_host, ssl credentials + call credentials)
        lambda: grpc.secure_channel("api.x.ai:443", grpc.ssl_channel_credentials()),
        lambda: secure_channel("dns:///management-api.x.ai:443", grpc.ssl_channel_credentials()),
        lambda: grpc.insecure_channel("ipv4:10.1.2.3:50051"),
        lambda: grpc.insecure_channel("0.0.0.0:50051"),
    ]
    for make in blocked:
        with pytest.raises(NetworkBlocked, match="--xai-block-network"):
            make()
    grpc.insecure_channel("localhost:1").close()
    grpc.insecure_channel("unix:/tmp/none.sock").close()


async def test_asyncio_channels_and_clients():
    client = xai_sdk.AsyncClient(api_key="xai-real-key", api_host="api.x.ai")  # opens its channels on first use
    with pytest.raises(NetworkBlocked, match="api.x.ai"):
        await client.models.list_language_models()
    with pytest.raises(NetworkBlocked, match="api.x.ai"):
        grpc.aio.secure_channel("api.x.ai:443", grpc.ssl_channel_credentials())
    with pytest.raises(NetworkBlocked, match="10.0.0.7"):
        grpc.aio.insecure_channel("10.0.0.7:50051")


def test_the_fake_is_loopback(xai_client):
    assert xai_client.models.list_language_models()


@pytest.mark.xai_live
def test_a_live_test_is_let_through():
    # Channels are lazy: made, not connected until a call, so this test touches no network either.
    with xai_sdk.Client(api_key="xai-real-key", api_host="api.x.ai:443") as client:
        assert client.chat is not None
"""


def test_the_guard_blocks_every_channel_to_another_host_before_any_lookup(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(WATCH)
    pytester.makepyfile(test_network=TESTS)
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    result = pytester.runpytest("-q", "-p", "no:cacheprovider", "--xai-block-network")
    reports = [r for r in result.reprec.getreports("pytest_runtest_logreport") if r.when == "call"]
    calls = {r.nodeid.rpartition("::")[2]: r for r in reports}
    assert len(calls) == 5
    failed = sorted(name for name, report in calls.items() if not report.passed)
    assert failed == ["test_a_client_of_the_real_api"], result.stdout.str()  # the xai_live test passed
    real = calls["test_a_client_of_the_real_api"]
    assert real.duration < 1.0, "it fails at once, not after a timeout"
    message = str(real.longrepr)
    assert "NetworkBlocked: network blocked by --xai-block-network: a gRPC channel to api.x.ai" in message
    # Nothing below the guard: no Python socket went to another host, no name was looked up, and
    # gRPC's C core, which resolves and connects outside Python, got no such target, except in
    # the test marked xai_live (which made its channel and no call).
    seen = json.loads((pytester.path / "seen.json").read_text())
    assert not [entry for entry in seen if entry["kind"].startswith("socket.")], seen
    core = [entry for entry in seen if entry["kind"].startswith("cygrpc.")]
    assert any(entry["target"].startswith("127.0.0.1:") for entry in core), "the fake was reached through C core"
    remote = {(entry["test"], entry["target"]) for entry in core if not parse_target(entry["target"]).is_local}
    assert remote == {("test_a_live_test_is_let_through", "api.x.ai:443")}


def test_the_ini_option_turns_it_on_and_is_named(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_ini="import xai_sdk\n\ndef test_real():\n    xai_sdk.Client(api_key='k', api_host='api.x.ai')\n"
    )
    pytester.makeini("[pytest]\nxai_block_network = true\nasyncio_default_fixture_loop_scope = function\n")
    result = pytester.runpytest("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*network blocked by the xai_block_network ini option*api.x.ai*"])


def test_allowed_targets_exempt_and_uninstall() -> None:
    guard = ChannelGuard("--flag")
    guard.install()
    try:
        with pytest.raises(NetworkBlocked, match="--flag"):
            grpc.insecure_channel("api.x.ai:443")
        guard.allow(["api.x.ai:443"])  # a recording cassette's upstream
        grpc.insecure_channel("api.x.ai:443").close()
        with pytest.raises(NetworkBlocked, match=r"management-api\.x\.ai"):
            grpc.insecure_channel("management-api.x.ai:443")
        guard.allow(())
        guard.exempt(True)  # a test marked xai_live
        grpc.insecure_channel("management-api.x.ai:443").close()
    finally:
        guard.uninstall()
    grpc.insecure_channel("api.x.ai:443").close()
    assert not guard.installed
