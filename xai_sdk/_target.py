"""gRPC target names, parsed once for everything in the SDK that needs to know where a channel goes.

The rules are gRPC's (``doc/naming.md`` and C-core's URI and host:port parsers), so the SDK
reads a target the way the channel will:

* A target is a URI whose scheme (in any case) names a resolver: ``dns:[//authority/]host[:port]``,
  ``ipv4:address[:port][,address[:port]...]``, ``ipv6:...`` (bracket an address given with a
  port), ``unix:path`` or ``unix:///absolute/path``, ``unix-abstract:name``, ``vsock:cid:port``,
  ``xds:///name``, ``google-c2p:///name``. The path ends at ``?`` or ``#``, and ``%XX`` escapes are
  decoded.
* Anything else, scheme-less or with a scheme no resolver claims (``localhost:50051`` has the
  "scheme" ``localhost``), is read as ``dns:///<target>``.
* ``host:port`` splits at the only colon; with no colon or two or more (a bare IPv6 address
  such as ``::1``) it is all host. ``[v6]`` and ``[v6]:port`` are bracketed hosts, which must
  contain a colon. A missing port means 443.

A target is local when every address it names is on this machine: a unix socket, ``localhost``
(any case), an address of ``127.0.0.0/8``, or ``::1`` (also IPv4-mapped, ``::ffff:127.0.0.1``).
Names that only some resolvers map to loopback (``127.1``, ``foo.localhost``) are not local.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

__all__ = ["DEFAULT_PORT", "SCHEMES", "Target", "is_local_host", "parse_target"]

#: The port gRPC uses when a target names none.
DEFAULT_PORT = 443

#: Resolver schemes of gRPC C-core (so of grpcio); any other ``word:`` prefix is part of a DNS name.
SCHEMES = frozenset({"dns", "ipv4", "ipv6", "unix", "unix-abstract", "vsock", "xds", "google-c2p"})

_UNIX_SCHEMES = frozenset({"unix", "unix-abstract"})
#: Schemes whose addresses are IP literals or DNS names, so that they can be local.
_IP_SCHEMES = frozenset({"dns", "ipv4", "ipv6"})
#: Schemes that list several comma-separated addresses.
_LIST_SCHEMES = frozenset({"ipv4", "ipv6"})
#: Port names gRPC's resolvers accept besides numbers.
_NAMED_PORTS = {"http": 80, "https": 443}
_PERCENT = re.compile(rb"%([0-9A-Fa-f]{2})")
#: Everything an IP literal is made of (before a ``%zone``): other hosts are names, and skip :mod:`ipaddress`.
_IP_CHARACTERS = frozenset("0123456789abcdefABCDEF.:")
_MAX_PORT = 65535


@dataclass(frozen=True)
class Target:
    """Where a gRPC target points, as :func:`parse_target` reads it."""

    #: The resolver: ``dns`` (also for targets without a known scheme), ``ipv4``, ``ipv6``,
    #: ``unix``, ``unix-abstract``, ``vsock``, ``xds`` or ``google-c2p``.
    scheme: str
    #: Host name or IP address without brackets (the first address of an ``ipv4:``/``ipv6:``
    #: list); None for unix sockets.
    host: str | None
    #: The port the target gives, or None: absent (gRPC then uses :data:`DEFAULT_PORT`) or invalid.
    port: int | None
    #: Socket path (``unix:``) or abstract name (``unix-abstract:``); None for other schemes.
    path: str | None
    #: The ``//authority/`` part (for ``dns:``, the DNS server to ask); empty when absent.
    authority: str
    #: Every address is on this machine: a unix socket, ``localhost``, ``127.0.0.0/8`` or ``::1``.
    is_local: bool

    @property
    def is_unix(self) -> bool:
        """A unix-domain socket (``unix:`` or ``unix-abstract:``)."""
        return self.path is not None

    @property
    def address(self) -> str:
        """The host, or the socket path of a unix target."""
        return self.path if self.path is not None else self.host or ""


@functools.lru_cache(maxsize=256)
def parse_target(target: str) -> Target:
    """Parse a gRPC channel target the way gRPC resolves it (see the module docstring).

    Never raises: a target gRPC would reject parses to something non-local (a malformed
    ``[...]`` host is kept verbatim as the host, an invalid port is None).
    """
    scheme, colon, rest = target.partition(":")
    scheme = scheme.lower()  # as gRPC's resolver registry matches them
    if not colon or scheme not in SCHEMES:
        scheme, rest = "dns", f"///{target}"  # gRPC's default prefix
    authority, path = _split_uri(rest)
    if scheme in _UNIX_SCHEMES:
        return Target(scheme, None, None, path, authority, is_local=True)
    name = path.removeprefix("/")
    endpoints = [_split_host_port(part) for part in (name.split(",") if scheme in _LIST_SCHEMES else [name])]
    host, port, _ = endpoints[0]
    local = scheme in _IP_SCHEMES and all(valid and _is_local_host(h) for h, _, valid in endpoints)
    return Target(scheme, host, port, None, authority, is_local=local)


def _split_uri(rest: str) -> tuple[str, str]:
    """``(authority, path)`` of what follows a URI's ``scheme:``, as gRPC's ``URI::Parse`` reads them."""
    authority = ""
    if rest.startswith("//"):
        rest = rest[2:]
        end = _find_first(rest, "/?#")
        authority, rest = _percent_decode(rest[:end]), rest[end:]
    return authority, _percent_decode(rest[: _find_first(rest, "?#")])


def _find_first(text: str, characters: str) -> int:
    """Index of the first of ``characters`` in ``text``, or its length."""
    return min((i for i in (text.find(c) for c in characters) if i >= 0), default=len(text))


def _percent_decode(text: str) -> str:
    """Decode valid ``%XX`` escapes, keep anything else verbatim (gRPC's permissive decoding)."""
    if "%" not in text:
        return text
    raw = _PERCENT.sub(lambda m: bytes([int(m.group(1), 16)]), text.encode("utf-8", "surrogatepass"))
    return raw.decode("utf-8", "replace")


def _split_host_port(name: str) -> tuple[str, int | None, bool]:
    """``(host, port, valid)`` of ``host``, ``host:port``, ``[v6]``, ``[v6]:port`` or a bare IPv6 address."""
    if name.startswith("["):
        host, bracket, rest = name[1:].partition("]")
        if not bracket or ":" not in host or (rest and not rest.startswith(":")):
            return name, None, False
        return host, _port(rest[1:]), True
    if name.count(":") == 1:
        host, _, digits = name.partition(":")
        return host, _port(digits), True
    return name, None, True


def _port(text: str) -> int | None:
    if text.isascii() and text.isdigit():
        number = int(text)
        return number if number <= _MAX_PORT else None
    return _NAMED_PORTS.get(text)


def is_local_host(host: str) -> bool:
    """Whether ``host`` (a name or an IP literal, ``[bracketed]`` or not) is on this machine.

    The rule of :attr:`Target.is_local`, for a host alone, e.g. an address to bind:
    ``localhost``, ``127.0.0.0/8`` and ``::1`` are local; the wildcards ``0.0.0.0`` and ``::``
    (every interface) and any other name are not.
    """
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return _is_local_host(host)


def _is_local_host(host: str) -> bool:
    if host.isascii() and host.lower() == "localhost":
        return True
    literal = host.partition("%")[0]
    if not literal or not _IP_CHARACTERS.issuperset(literal):
        return False
    import ipaddress  # only for IP literals: "api.x.ai" and "localhost" do without it

    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback
