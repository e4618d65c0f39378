"""One reading of gRPC targets: :func:`xai_sdk._target.parse_target` and the three places that use it.

The consumers are :func:`xai_sdk._channel.is_local` (plaintext or TLS for the clients' channels),
:func:`xai_sdk.client.create_channel_credentials` (local or TLS credentials) and
:func:`xai_sdk.telemetry._spans.server_attributes` (``server.address``/``server.port``). They used to
have three parsers that disagreed on ``localhost``, ``::1`` and ``unix-abstract:``.
"""

from __future__ import annotations

import ipaddress
import uuid
from concurrent import futures
from pathlib import Path
from typing import Any
from unittest import mock

import grpc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xai_sdk._channel import channel_mode, is_local
from xai_sdk._target import DEFAULT_PORT, SCHEMES, Target, parse_target
from xai_sdk.client import create_channel_credentials
from xai_sdk.telemetry._spans import server_attributes

# -- the consumers ------------------------------------------------------------------------------


def credential_kind(target: str) -> str:
    """Which channel credentials ``create_channel_credentials`` builds for ``target``: uds, tcp or tls."""
    with (
        mock.patch.object(grpc, "local_channel_credentials", wraps=grpc.local_channel_credentials) as local,
        mock.patch.object(grpc, "ssl_channel_credentials", wraps=grpc.ssl_channel_credentials) as tls,
    ):
        create_channel_credentials("key", target, None)
    if tls.called:
        assert not local.called
        return "tls"
    (connection_type,) = local.call_args.args
    return "uds" if connection_type is grpc.LocalConnectionType.UDS else "tcp"


def expected_attributes(parsed: Target) -> dict[str, Any]:
    if parsed.path is not None:
        return {"server.address": parsed.path}
    return {"server.address": parsed.host, "server.port": DEFAULT_PORT if parsed.port is None else parsed.port}


def assert_consumers_follow(target: str, parsed: Target) -> None:
    """All three consumers read ``target`` as ``parsed`` says."""
    assert is_local(target) is parsed.is_local
    assert channel_mode(target, False) == ("local" if parsed.is_local else "secure")
    assert channel_mode(target, True) == "insecure"
    assert credential_kind(target) == ("uds" if parsed.is_unix else "tcp" if parsed.is_local else "tls")
    if target:
        assert server_attributes(target) == expected_attributes(parsed)


# -- a table of cases ---------------------------------------------------------------------------


def dns(host: str, port: int | None = None, *, local: bool = False, authority: str = "") -> Target:
    return Target("dns", host, port, None, authority, local)


CASES: list[tuple[str, Target]] = [
    # host, host:port
    ("api.x.ai", dns("api.x.ai")),
    ("api.x.ai:443", dns("api.x.ai", 443)),
    ("management-api.x.ai:8443", dns("management-api.x.ai", 8443)),
    ("localhost", dns("localhost", local=True)),  # was TLS in create_channel_credentials
    ("localhost:50051", dns("localhost", 50051, local=True)),
    ("LocalHost:50051", dns("LocalHost", 50051, local=True)),
    ("localhost:https", dns("localhost", 443, local=True)),
    ("localhost:", dns("localhost", local=True)),
    ("localhost:99999", dns("localhost", local=True)),  # no such port: gRPC fails it
    ("foo.localhost:1", dns("foo.localhost", 1)),
    ("127.0.0.1:5000", dns("127.0.0.1", 5000, local=True)),
    ("127.255.0.9", dns("127.255.0.9", local=True)),
    ("128.0.0.1:5000", dns("128.0.0.1", 5000)),
    ("10.0.0.1:5000", dns("10.0.0.1", 5000)),
    ("127.1:5000", dns("127.1", 5000)),  # inet_aton shorthand: gRPC does not resolve it
    ("0.0.0.0:5000", dns("0.0.0.0", 5000)),
    (":5000", dns("", 5000)),
    ("", dns("")),
    # IPv6: bare (all host), bracketed, with a port
    ("::1", dns("::1", local=True)),  # was TLS in create_channel_credentials
    ("[::1]", dns("::1", local=True)),
    ("[::1]:8080", dns("::1", 8080, local=True)),
    ("::ffff:127.0.0.1", dns("::ffff:127.0.0.1", local=True)),
    ("[::ffff:127.0.0.1]:80", dns("::ffff:127.0.0.1", 80, local=True)),
    ("::2", dns("::2")),
    ("[2001:db8::1]:443", dns("2001:db8::1", 443)),
    ("2001:db8::1:443", dns("2001:db8::1:443")),  # two or more colons: all host, as in gRPC
    ("[localhost]:80", dns("[localhost]:80")),  # a bracketed host must be IPv6: gRPC rejects it
    ("[::1]junk", dns("[::1]junk")),
    ("[::1", dns("[::1")),
    # dns:, with and without an authority
    ("dns:api.x.ai:8443", dns("api.x.ai", 8443)),
    ("dns:///api.x.ai:8443", dns("api.x.ai", 8443)),
    ("dns:/localhost:1", dns("localhost", 1, local=True)),
    ("dns:///localhost:50051", dns("localhost", 50051, local=True)),  # was TLS in is_local
    ("dns:///[::1]:50051", dns("::1", 50051, local=True)),
    ("DNS:///localhost", dns("localhost", local=True)),
    ("dns://8.8.8.8/api.x.ai", dns("api.x.ai", authority="8.8.8.8")),
    ("dns://8.8.8.8:53/127.0.0.1:1", dns("127.0.0.1", 1, local=True, authority="8.8.8.8:53")),
    ("dns://api.x.ai:443", dns("", authority="api.x.ai:443")),  # a common mistake: no name at all
    # URI details: %-escapes, query and fragment
    ("local%68ost:1", dns("localhost", 1, local=True)),
    ("localhost:1?x=y", dns("localhost", 1, local=True)),
    ("localhost:1#x", dns("localhost", 1, local=True)),
    # ipv4:, ipv6: (lists are local when every address is)
    ("ipv4:127.0.0.1:5000", Target("ipv4", "127.0.0.1", 5000, None, "", True)),
    ("ipv4:///10.1.2.3:80", Target("ipv4", "10.1.2.3", 80, None, "", False)),
    ("ipv4:127.0.0.1:1,127.0.0.2:2", Target("ipv4", "127.0.0.1", 1, None, "", True)),
    ("ipv4:127.0.0.1:1,10.0.0.1:2", Target("ipv4", "127.0.0.1", 1, None, "", False)),
    ("ipv6:[::1]:5000", Target("ipv6", "::1", 5000, None, "", True)),
    ("ipv6:::1", Target("ipv6", "::1", None, None, "", True)),
    ("ipv6:[2607:f8b0:400e:c00::ef]:443", Target("ipv6", "2607:f8b0:400e:c00::ef", 443, None, "", False)),
    # unix sockets
    ("unix:/tmp/xai.sock", Target("unix", None, None, "/tmp/xai.sock", "", True)),
    ("unix:///tmp/xai.sock", Target("unix", None, None, "/tmp/xai.sock", "", True)),
    ("unix:relative/xai.sock", Target("unix", None, None, "relative/xai.sock", "", True)),
    ("UNIX:/tmp/xai.sock", Target("unix", None, None, "/tmp/xai.sock", "", True)),
    ("unix-abstract:xai-fake", Target("unix-abstract", None, None, "xai-fake", "", True)),  # was TLS in credentials
    ("unix-abstract:", Target("unix-abstract", None, None, "", "", True)),
    # other resolvers: never local
    ("vsock:3:5000", Target("vsock", "3", 5000, None, "", False)),
    ("xds:///api.x.ai:443", Target("xds", "api.x.ai", 443, None, "", False)),
    ("google-c2p:///localhost", Target("google-c2p", "localhost", None, None, "", False)),
    # "schemes" no resolver claims are DNS names
    ("localhost:1:2", dns("localhost:1:2")),
    ("https://api.x.ai", dns("https")),  # not a URL: "https" with the port "//api.x.ai"
]


@pytest.mark.parametrize(("target", "expected"), CASES, ids=[repr(target) for target, _ in CASES])
def test_parse_target(target: str, expected: Target) -> None:
    assert parse_target(target) == expected
    assert_consumers_follow(target, expected)


def test_telemetry_attributes_keep_their_values() -> None:
    assert server_attributes(None) == {}
    assert server_attributes("") == {}
    assert server_attributes("[::1]") == {"server.address": "::1", "server.port": 443}
    assert server_attributes("unix-abstract:xai") == {"server.address": "xai"}
    assert server_attributes("ipv4:127.0.0.1:1,10.0.0.1:2") == {"server.address": "127.0.0.1", "server.port": 1}


# -- generated targets --------------------------------------------------------------------------

PORTS = st.none() | st.integers(0, 65535)


def is_loopback(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


LOOPBACK_V4 = st.ip_addresses(network="127.0.0.0/8").map(str)
OTHER_V4 = st.ip_addresses(v=4).filter(lambda a: not a.is_loopback).map(str)
LOOPBACK_V6 = (st.just(ipaddress.IPv6Address("::1")) | st.ip_addresses(network="::ffff:127.0.0.0/104")).map(str)
OTHER_V6 = st.ip_addresses(v=6).filter(lambda a: not is_loopback(a)).map(str)
DNS_NAMES = st.from_regex(r"[a-z]([a-z0-9-]{0,12}[a-z0-9])?(\.[a-z]([a-z0-9-]{0,8}[a-z0-9])?){0,3}", fullmatch=True)

#: (host, is local, family) where family is 4, 6 or None for a DNS name.
HOSTS = st.one_of(
    st.tuples(st.sampled_from(["localhost", "LOCALHOST", "Localhost"]), st.just(True), st.none()),
    st.tuples(LOOPBACK_V4, st.just(True), st.just(4)),
    st.tuples(OTHER_V4, st.just(False), st.just(4)),
    st.tuples(LOOPBACK_V6, st.just(True), st.just(6)),
    st.tuples(OTHER_V6, st.just(False), st.just(6)),
    # Not "localhost", and not a scheme: "unix:80" is a unix socket named "80", for gRPC too.
    st.tuples(DNS_NAMES.filter(lambda name: name != "localhost" and name not in SCHEMES), st.just(False), st.none()),
)
#: Socket paths and abstract names: no URI delimiters, no escapes, not starting like an authority.
SOCKET_NAMES = st.text(
    st.characters(codec="utf-8", exclude_characters="?#%\x00", exclude_categories=["Cs"]), min_size=1, max_size=40
).filter(lambda name: not name.startswith("//"))


def host_port(host: str, port: int | None, family: int | None, bracket: bool) -> str:
    if family == 6 and (port is not None or bracket):
        host = f"[{host}]"
    return host if port is None else f"{host}:{port}"


@st.composite
def network_targets(draw: st.DrawFn) -> tuple[str, Target]:
    host, local, family = draw(HOSTS)
    port = draw(PORTS)
    name = host_port(host, port, family, draw(st.booleans()))
    prefixes = ["", "dns:", "dns:/", "dns:///", "Dns:///", "dns://8.8.8.8/", "dns://[::1]:53/"]
    if family is not None:
        prefixes += [f"ipv{family}:", f"ipv{family}:///"]
    prefix = draw(st.sampled_from(prefixes))
    scheme = prefix.partition(":")[0].lower() if prefix else "dns"
    authority = prefix[len("dns://") : -1] if prefix.startswith("dns://") else ""
    return prefix + name, Target(scheme, host, port, None, authority, local)


@st.composite
def address_lists(draw: st.DrawFn) -> tuple[str, Target]:
    family = draw(st.sampled_from([4, 6]))
    loopback, other = (LOOPBACK_V4, OTHER_V4) if family == 4 else (LOOPBACK_V6, OTHER_V6)
    addresses = draw(
        st.lists(st.tuples(loopback, st.just(True)) | st.tuples(other, st.just(False)), min_size=1, max_size=4)
    )
    ports = draw(st.lists(st.integers(0, 65535), min_size=len(addresses), max_size=len(addresses)))
    text = ",".join(host_port(address, port, family, True) for (address, _), port in zip(addresses, ports, strict=True))
    local = all(flag for _, flag in addresses)
    return f"ipv{family}:{text}", Target(f"ipv{family}", addresses[0][0], ports[0], None, "", local)


@st.composite
def socket_targets(draw: st.DrawFn) -> tuple[str, Target]:
    name = draw(SOCKET_NAMES)
    form = draw(st.sampled_from(["unix:", "UNIX:", "unix://", "unix-abstract:"]))
    if form == "unix://":
        name = "/" + name.lstrip("/")
    scheme = "unix-abstract" if form == "unix-abstract:" else "unix"
    return form + name, Target(scheme, None, None, name, "", True)


@settings(derandomize=True, database=None, max_examples=400, deadline=None)
@given(network_targets() | address_lists() | socket_targets())
def test_generated_targets_read_alike_everywhere(case: tuple[str, Target]) -> None:
    target, expected = case
    assert parse_target(target) == expected
    assert_consumers_follow(target, expected)


#: Characters that make targets interesting: brackets, colons, slashes, escapes, scheme letters.
TARGET_TEXT = st.text(st.sampled_from(list("[]:/.%?#,0123456789abcdefhilnostuvx-LH")), max_size=30)


#: Pieces of real targets, strung together.
PIECES = st.sampled_from(
    [
        "unix:",
        "dns:///",
        "dns://",
        "[::1]",
        "localhost",
        ":443",
        "127.0.0.1",
        "%6c",
        "unix-abstract:",
        "ipv4:",
        "::1",
        ",",
    ]
)


@settings(derandomize=True, database=None, max_examples=600, deadline=None)
@given(TARGET_TEXT | st.text(max_size=30) | st.lists(PIECES, max_size=5).map("".join))
def test_the_consumers_agree_on_any_text(target: str) -> None:
    parsed = parse_target(target)  # never raises
    kind = credential_kind(target)
    local = is_local(target)
    assert local is parsed.is_local
    assert (kind != "tls") is local
    assert (channel_mode(target, False) == "local") is local
    assert (kind == "uds") is parsed.is_unix
    if not target:
        return
    attributes = server_attributes(target)
    assert attributes["server.address"] == parsed.address
    assert ("server.port" not in attributes) is parsed.is_unix
    if not parsed.is_unix:
        # A local network target reports a local address; a single one reports local only if it is.
        address = attributes["server.address"]
        looks_local = (address.isascii() and address.lower() == "localhost") or is_loopback_text(address)
        if local:
            assert looks_local
        elif parsed.scheme in {"dns", "ipv4", "ipv6"} and "," not in target and looks_local:
            pytest.fail(f"{target!r} reports the local address {address!r} but is not local")


def is_loopback_text(text: str) -> bool:
    try:
        return is_loopback(ipaddress.ip_address(text))
    except ValueError:
        return False


# -- and gRPC agrees ----------------------------------------------------------------------------


class _Echo(grpc.GenericRpcHandler):  # type: ignore[type-arg]
    """Answers every unary call with the authorization metadata it received."""

    def service(self, handler_call_details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler[bytes, bytes]:
        def echo(request: bytes, context: grpc.ServicerContext) -> bytes:
            return dict(context.invocation_metadata()).get("authorization", "").encode()

        return grpc.unary_unary_rpc_method_handler(echo)


def test_the_credentials_reach_a_local_server_on_tcp_and_unix_sockets(tmp_path: Path) -> None:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((_Echo(),))
    port = server.add_insecure_port("127.0.0.1:0")
    socket = tmp_path / "xai.sock"
    abstract = f"xai-devkit-test-{uuid.uuid4().hex}"
    server.add_insecure_port(f"unix:{socket}")
    server.add_insecure_port(f"unix-abstract:{abstract}")
    server.start()
    try:
        targets = [f"localhost:{port}", f"127.0.0.1:{port}", f"dns:///localhost:{port}", f"ipv4:127.0.0.1:{port}"]
        targets += [f"unix:{socket}", f"unix://{socket}", f"unix-abstract:{abstract}"]
        for target in targets:
            credentials = create_channel_credentials("secret", target, None)
            with grpc.secure_channel(target, credentials) as channel:
                call = channel.unary_unary("/test.Echo/Call", request_serializer=None, response_deserializer=None)
                answer = call(b"", timeout=10)
            assert answer == b"Bearer secret", target
    finally:
        server.stop(None)
