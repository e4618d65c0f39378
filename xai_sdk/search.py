"""Live search configuration for ``chat.create(search_parameters=...)``.

Build the sources with ``web_source()``, ``news_source()``, ``x_source()`` and ``rss_source()``
and pass them in a ``SearchParameters``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from google.protobuf.timestamp_pb2 import Timestamp

from xai_sdk.proto import chat_pb2

__all__ = ["SearchMode", "SearchParameters", "news_source", "rss_source", "web_source", "x_source"]

#: ``"auto"`` lets the model decide, ``"on"`` always searches, ``"off"`` never does.
SearchMode: TypeAlias = Literal["auto", "on", "off"]

_SEARCH_MODES: dict[str, chat_pb2.SearchMode] = {
    "auto": chat_pb2.AUTO_SEARCH_MODE,
    "on": chat_pb2.ON_SEARCH_MODE,
    "off": chat_pb2.OFF_SEARCH_MODE,
}


def _set(**fields: Any) -> dict[str, Any]:
    """The given fields without the ``None`` ones (left unset in the proto)."""
    return {name: value for name, value in fields.items() if value is not None}


def timestamp(moment: datetime.datetime | None) -> Timestamp | None:
    """``moment`` as a protobuf Timestamp; naive datetimes are taken as UTC."""
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


@dataclass
class SearchParameters:
    """How a chat request searches live sources.

    Attributes:
        sources: Where to search (``web_source()``, ``news_source()``, ``x_source()``, ``rss_source()``);
            ``None`` lets the server use its defaults (web and X).
        mode: ``"auto"`` (the model decides), ``"on"`` (always search) or ``"off"``.
        from_date: Only consider content published after this moment (naive means UTC).
        to_date: Only consider content published before this moment (naive means UTC).
        return_citations: Whether the response lists the sources it used.
        max_search_results: At most this many results are considered (server default 15).
    """

    sources: Sequence[chat_pb2.Source] | None = None
    mode: SearchMode = "auto"
    from_date: datetime.datetime | None = None
    to_date: datetime.datetime | None = None
    return_citations: bool = True
    max_search_results: int | None = None

    def _to_proto(self) -> chat_pb2.SearchParameters:
        """The ``chat_pb2.SearchParameters`` these settings describe."""
        return chat_pb2.SearchParameters(
            **_set(
                mode=self._mode(),
                sources=self.sources,
                from_date=timestamp(self.from_date),
                to_date=timestamp(self.to_date),
                return_citations=self.return_citations,
                max_search_results=self.max_search_results,
            )
        )

    def _mode(self) -> chat_pb2.SearchMode:
        mode = self.mode
        if isinstance(mode, str) and mode in _SEARCH_MODES:
            return _SEARCH_MODES[mode]
        raise ValueError(f"Invalid search mode: {mode!r}. Use one of: {', '.join(map(repr, _SEARCH_MODES))}")


def web_source(
    country: str | None = None,
    excluded_websites: Sequence[str] | None = None,
    allowed_websites: Sequence[str] | None = None,
    *,
    safe_search: bool = True,
) -> chat_pb2.Source:
    """Search the web.

    Args:
        country: ISO 3166-1 alpha-2 code to favour results from one country.
        excluded_websites: Up to 5 domains (no scheme) to leave out; not together with ``allowed_websites``.
        allowed_websites: Up to 5 domains (no scheme) to search exclusively; not together with
            ``excluded_websites``.
        safe_search: Filter explicit content.
    """
    web = chat_pb2.WebSource(
        **_set(
            country=country,
            excluded_websites=excluded_websites,
            allowed_websites=allowed_websites,
            safe_search=safe_search,
        )
    )
    return chat_pb2.Source(web=web)


def news_source(
    country: str | None = None,
    excluded_websites: Sequence[str] | None = None,
    *,
    safe_search: bool = True,
) -> chat_pb2.Source:
    """Search news articles.

    Args:
        country: ISO 3166-1 alpha-2 code to favour news from one country.
        excluded_websites: Up to 5 domains (no scheme) to leave out.
        safe_search: Filter explicit content.
    """
    news = chat_pb2.NewsSource(**_set(country=country, excluded_websites=excluded_websites, safe_search=safe_search))
    return chat_pb2.Source(news=news)


def x_source(
    included_x_handles: Sequence[str] | None = None,
    excluded_x_handles: Sequence[str] | None = None,
    post_favorite_count: int | None = None,
    post_view_count: int | None = None,
) -> chat_pb2.Source:
    """Search posts on X.

    Args:
        included_x_handles: Only posts by these handles (without ``@``).
        excluded_x_handles: No posts by these handles (without ``@``).
        post_favorite_count: Only posts with at least this many likes.
        post_view_count: Only posts with at least this many views.
    """
    x = chat_pb2.XSource(
        **_set(
            included_x_handles=included_x_handles,
            excluded_x_handles=excluded_x_handles,
            post_favorite_count=post_favorite_count,
            post_view_count=post_view_count,
        )
    )
    return chat_pb2.Source(x=x)


def rss_source(links: Sequence[str]) -> chat_pb2.Source:
    """Search the items of RSS feeds, given by URL."""
    return chat_pb2.Source(rss=chat_pb2.RssSource(links=links))
