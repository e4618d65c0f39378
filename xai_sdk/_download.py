"""Downloading generated assets over HTTP, blocking or async, with httpx imported on first use.

Redirects are followed by :func:`next_url`, one rule for both facades, so that a URL from an
answer cannot send the SDK somewhere it would not go by itself:

* at most :data:`MAX_REDIRECTS` of them;
* only to ``https`` URLs, except between hosts that are loopback or private (a local server
  redirecting to itself, say, may use plain ``http``);
* to a loopback host only when every URL so far was loopback, and to a private host only when
  every URL so far was loopback or private (a public URL never leads into the local network).

Hosts are classified without DNS (:func:`host_kind`): IP literals by :mod:`ipaddress` (also the
short and numeric IPv4 forms that resolvers accept, ``127.1`` or ``2130706433``), ``localhost``
and ``*.localhost`` as loopback, and any other name as public. A public name that resolves to a
private address is therefore followed; the rule guards against answers, not against DNS.
The first URL is fetched as given (the fake's files are at ``http://127.0.0.1:PORT``).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING

from xai_sdk._channel import USER_AGENT

if TYPE_CHECKING:
    import ipaddress

    import httpx as httpx_types

__all__ = [
    "DOWNLOAD_TIMEOUT_SECONDS",
    "MAX_REDIRECTS",
    "HostKind",
    "RedirectRefused",
    "fetch",
    "fetch_async",
    "host_kind",
    "next_url",
]

#: Time allowed for one download, connection included.
DOWNLOAD_TIMEOUT_SECONDS = 60.0
#: Redirects followed for one download at most.
MAX_REDIRECTS = 5
#: The answers that redirect (those httpx follows); other 3xx answers are errors.
_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
#: What the numeric IPv4 forms ``inet_aton`` reads are made of (``0x7f.1``, ``2130706433``).
_INET_ATON_CHARACTERS = frozenset("0123456789abcdefx.")


class RedirectRefused(ValueError):
    """A download was redirected where the SDK does not follow (see :mod:`xai_sdk._download`)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"refused to follow the redirect to {url}: {reason}")
        #: The refused URL, without its query string (signed URLs carry credentials there).
        self.url = url


class HostKind(enum.IntEnum):
    """Where a host is, from the most to the least trusted."""

    LOOPBACK = 0
    PRIVATE = 1
    PUBLIC = 2


def host_kind(host: str) -> HostKind:
    """Classify a URL's host without DNS: loopback, private (or link-local, reserved...), or public."""
    name = host.lower().removeprefix("[").removesuffix("]").rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return HostKind.LOOPBACK
    address = _ip_address(name)
    if address is None:
        return HostKind.PUBLIC
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 is 127.0.0.1
    if mapped is not None:
        address = mapped
    if address.is_loopback or address.is_unspecified:  # connecting to 0.0.0.0 reaches this machine
        return HostKind.LOOPBACK
    return HostKind.PUBLIC if address.is_global else HostKind.PRIVATE


def _ip_address(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    import ipaddress  # on first use, like httpx: most programs never download
    import socket

    try:
        return ipaddress.ip_address(name.partition("%")[0])
    except ValueError:
        pass
    if not name or not _INET_ATON_CHARACTERS.issuperset(name):
        return None
    try:  # the forms getaddrinfo accepts as IPv4 literals, without asking DNS
        return ipaddress.IPv4Address(socket.inet_aton(name))
    except OSError:
        return None


def next_url(chain: Sequence[httpx_types.URL], status: int, location: str | None) -> httpx_types.URL | None:
    """The URL to get after ``chain[-1]`` answered ``status``, or None when that answer is the last.

    ``chain`` holds the URLs fetched so far, the first one first. Raises :class:`RedirectRefused`
    naming the target when the redirect breaks the rule of the module docstring.
    """
    if status not in _REDIRECT_CODES or not location:
        return None
    target = chain[-1].join(location)
    shown = _shown(target)
    if len(chain) > MAX_REDIRECTS:
        raise RedirectRefused(shown, f"more than {MAX_REDIRECTS} redirects from {_shown(chain[0])}")
    if target.scheme not in ("http", "https"):
        raise RedirectRefused(shown, "downloads follow only http(s) URLs")
    kind = host_kind(target.host)
    # The least trusted URL so far decides: a public hop in between makes the chain public.
    worst = max(chain, key=lambda url: host_kind(url.host))
    worst_kind = host_kind(worst.host)
    if kind is HostKind.LOOPBACK and worst_kind is not HostKind.LOOPBACK:
        raise RedirectRefused(shown, f"a loopback address, reached from {_shown(worst)}, which is not loopback")
    if kind is HostKind.PRIVATE and worst_kind is HostKind.PUBLIC:
        raise RedirectRefused(shown, f"a private address, reached from {_shown(worst)}, which is public")
    if target.scheme != "https" and kind is HostKind.PUBLIC:
        raise RedirectRefused(shown, "plain http to a public host (downloads follow redirects only to https)")
    return target


def _shown(url: httpx_types.URL) -> str:
    """The URL without credentials, query string and fragment, to name in a message."""
    return str(url.copy_with(username=None, password=None, query=None, fragment=None))


def _httpx() -> ModuleType:
    try:
        import httpx
    except ImportError as error:  # pragma: no cover - depends on the installed extras
        raise ImportError(
            "Downloading an image from its URL needs httpx: pip install 'xai-devkit[http]' "
            "(or ask for image_format='base64' to get the bytes inline)"
        ) from error
    return httpx


def fetch(url: str, timeout: float = DOWNLOAD_TIMEOUT_SECONDS) -> bytes:
    """The body of ``GET url``; ``httpx.HTTPStatusError`` on a 4xx/5xx answer, RedirectRefused (a ValueError)."""
    httpx = _httpx()
    chain = [httpx.URL(url)]
    with httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT}) as client:
        while True:
            with client.stream("GET", chain[-1]) as response:
                following = next_url(chain, response.status_code, response.headers.get("location"))
                if following is None:
                    response.read()
                    response.raise_for_status()
                    return bytes(response.content)
            chain.append(following)


async def fetch_async(url: str, timeout: float = DOWNLOAD_TIMEOUT_SECONDS) -> bytes:
    """The body of ``GET url``, awaited; errors as :func:`fetch`."""
    httpx = _httpx()
    chain = [httpx.URL(url)]
    async with httpx.AsyncClient(timeout=timeout, headers={"User-Agent": USER_AGENT}) as client:
        while True:
            async with client.stream("GET", chain[-1]) as response:
                following = next_url(chain, response.status_code, response.headers.get("location"))
                if following is None:
                    await response.aread()
                    response.raise_for_status()
                    return bytes(response.content)
            chain.append(following)
