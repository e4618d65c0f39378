"""The one rule for server-streaming calls: a stream the caller stops reading is cancelled at once.

A generator that iterates a gRPC stream is closed when its consumer ``break``s, calls
``aclose()`` / ``close()`` or drops it, but the call underneath it would go on: grpc.aio
cancels an abandoned call only when the call object is garbage-collected, so the server kept
sending (and, against the real API, generating and billing) for seconds. Every streaming method
of the SDK wraps its call in :func:`cancel_on_exit`, in the asyncio and the blocking facades.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Protocol, TypeVar


class _Cancellable(Protocol):
    def cancel(self) -> bool: ...


CallT = TypeVar("CallT", bound=_Cancellable)


@contextlib.contextmanager
def cancel_on_exit(call: CallT) -> Iterator[CallT]:
    """Yield ``call``; cancel it on leaving the block (a no-op for a call that has ended)."""
    try:
        yield call
    finally:
        call.cancel()
