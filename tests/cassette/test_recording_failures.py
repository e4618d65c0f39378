"""What fails inside the recording proxy is never written as if the API had answered; rewrite mode."""

from __future__ import annotations

import socket
from pathlib import Path

import grpc
import pytest

from tests.cassette.conftest import make_upstream, real_keys, recording
from xai_fake import FakeServer
from xai_fake._proto import cassette_pb2
from xai_fake.cassette import load
from xai_fake.cassette.recorder import check_upstream, proxy_failure
from xai_sdk.chat import user

NO_RETRIES = [("grpc.enable_retries", 0)]


def closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


def ask(server: FakeServer, prompt: str = "hi") -> str:
    with server.client(**real_keys(), channel_options=NO_RETRIES) as client:
        return client.chat.create("grok-4", messages=[user(prompt)]).sample().content


def test_an_unreachable_upstream_is_reported_and_not_recorded(tmp_path: Path) -> None:
    path = tmp_path / "outage.pb"
    target = closed_port()
    with FakeServer(cassette=path, record_mode="all", upstream=target) as proxy:
        with pytest.raises(grpc.RpcError) as info:
            ask(proxy)
        layer = proxy.cassette
        assert layer is not None
        assert info.value.code() == grpc.StatusCode.UNAVAILABLE
        assert f"xai-fake recording proxy: could not reach the upstream {target}" in info.value.details()
        assert [failure.target for failure in layer.proxy_failures] == [target]
        assert layer.recorder is not None and layer.recorder.interactions == []
    assert not path.exists()
    assert not layer.saved


def test_an_error_the_api_answered_is_recorded(tmp_path: Path) -> None:
    path = tmp_path / "api_error.pb"
    with make_upstream() as upstream:
        upstream.fault(grpc.StatusCode.UNAVAILABLE, "overloaded", times=1)
        with recording(path, upstream) as proxy:
            with pytest.raises(grpc.RpcError) as info:
                ask(proxy)
            assert info.value.details() == "overloaded"
            assert ask(proxy) == ask(proxy)
    statuses = [(i.status_code, i.status_details) for i in load(path).interactions]
    assert statuses[0] == (grpc.StatusCode.UNAVAILABLE.value[0], "overloaded")
    assert len(statuses) == 3
    assert [proxy_failure(i) for i in load(path).interactions] == [None] * 3


def test_old_proxy_failures_are_recognised() -> None:
    details = "errors resolving nonexistent.invalid:443: [field:hostname lookup error:address lookup failed]"
    old = cassette_pb2.Interaction(method="/xai_api.Chat/GetCompletion", status_code=14, status_details=details)
    assert proxy_failure(old) == f"UNAVAILABLE: {details}"
    connect = "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:1: Connection refused"
    assert proxy_failure(cassette_pb2.Interaction(status_code=14, status_details=connect)) is not None
    answered = cassette_pb2.Interaction(status_code=14, status_details=details)
    answered.trailing_metadata.add(key="x-envoy", text="1")  # metadata came from a server: it answered
    assert proxy_failure(answered) is None
    assert proxy_failure(cassette_pb2.Interaction(status_code=14, status_details="overloaded")) is None


def test_rewrite_replaces_only_after_a_recording_that_worked(tmp_path: Path) -> None:
    path = tmp_path / "rewrite.pb"
    with make_upstream() as upstream:
        with recording(path, upstream, record_mode="once") as proxy:
            ask(proxy, "one")
            ask(proxy, "two")
        assert len(load(path).interactions) == 2
        with recording(path, upstream, record_mode="rewrite") as proxy:
            ask(proxy, "three")
        assert len(load(path).interactions) == 1
        before = path.read_bytes()
        with (
            FakeServer(cassette=path, record_mode="rewrite", upstream=closed_port()) as proxy,
            pytest.raises(grpc.RpcError),
        ):
            ask(proxy)
        assert path.read_bytes() == before, "a failed recording leaves the old cassette alone"
        with recording(path, upstream, record_mode="rewrite") as proxy:
            pass
        assert proxy.cassette is not None and proxy.cassette.removed
        assert not path.exists(), "nothing recorded: the cassette holds exactly that"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("bad host:xx", "'bad host' is not a host name"),
        ("api.x.ai:http2", "'http2' is not a port number"),
        ("api.x.ai:0", "'0' is not a port number"),
        ("https://api.x.ai", "has a URL scheme"),
        ("", "is empty"),
        ("api.x.ai:443:1", "bracket an IPv6 address"),
    ],
)
def test_bad_upstreams_are_explained(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=r"e\.g\. api\.x\.ai:443") as info:
        check_upstream(value)
    assert message in str(info.value)


@pytest.mark.parametrize("value", ["api.x.ai:443", "api.x.ai", "127.0.0.1:50051", "[::1]:443", "localhost", "unix:/s"])
def test_good_upstreams_pass(value: str) -> None:
    assert check_upstream(value) == value
