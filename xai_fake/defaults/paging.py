"""One paginator for every list method: opaque page tokens, limits checked like the real API's."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TypeVar

from xai_fake.errors import invalid_argument

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def page(
    items: Sequence[T],
    limit: int,
    token: str | None,
    *,
    default_size: int = DEFAULT_PAGE_SIZE,
    max_size: int = MAX_PAGE_SIZE,
    listing: str | None = None,
) -> tuple[Sequence[T], str | None]:
    """One page of ``items`` and the token of the next page (None on the last page).

    ``limit`` 0 means ``default_size``; a limit outside ``0..max_size`` or a token this
    paginator did not hand out is INVALID_ARGUMENT, with the fix in the message.
    ``listing`` (e.g. ``"files"``) scopes the tokens: a token handed out for another
    listing is refused, and the message names the listing it should come from.
    """
    if not 0 <= limit <= max_size:
        rule = f"limit must be between 1 and {max_size} (0 for the default, {default_size})"
        raise invalid_argument(
            f"limit must not be negative, got {limit}; {rule}" if limit < 0 else f"{rule}, got {limit}"
        )
    size = limit or default_size
    label = listing or "offset"
    start = 0
    if token:
        try:
            found, _, offset = base64.urlsafe_b64decode(token.encode()).decode().rpartition(":")
            start = int(offset)
            if found != label or start < 0:
                raise ValueError(token)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            scope = f": it is not a {listing} token" if listing else ""
            raise invalid_argument(
                f"pagination_token {token!r} is not valid{scope}; pass the pagination_token of the previous page"
            ) from None
    end = start + size
    following = base64.urlsafe_b64encode(f"{label}:{end}".encode()).decode() if end < len(items) else None
    return items[start:end], following
