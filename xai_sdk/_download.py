"""Downloading generated assets over HTTP, blocking or async, with httpx imported on first use."""

from __future__ import annotations

from types import ModuleType

from xai_sdk._channel import USER_AGENT

__all__ = ["DOWNLOAD_TIMEOUT_SECONDS", "fetch", "fetch_async"]

#: Time allowed for one download, connection included.
DOWNLOAD_TIMEOUT_SECONDS = 60.0


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
    """The body of ``GET url``; ``httpx.HTTPStatusError`` on a 4xx/5xx answer."""
    httpx = _httpx()
    response = httpx.get(url, headers={"User-Agent": USER_AGENT}, timeout=timeout, follow_redirects=True)
    response.raise_for_status()
    return bytes(response.content)


async def fetch_async(url: str, timeout: float = DOWNLOAD_TIMEOUT_SECONDS) -> bytes:
    """The body of ``GET url``, awaited; ``httpx.HTTPStatusError`` on a 4xx/5xx answer."""
    httpx = _httpx()
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=True) as client:
        response = await client.get(url, headers={"User-Agent": USER_AGENT})
    response.raise_for_status()
    return bytes(response.content)
