"""``PollTimer``: how long to wait between polls, and when to give up."""

from __future__ import annotations

import datetime
import time

DEFAULT_TIMEOUT = datetime.timedelta(minutes=10)
DEFAULT_INTERVAL = datetime.timedelta(seconds=1)


class PollTimer:
    """Paces a polling loop and raises ``TimeoutError`` once ``timeout`` has elapsed."""

    def __init__(
        self,
        timeout: datetime.timedelta | None = None,
        interval: datetime.timedelta | None = None,
        context: str | None = None,
    ) -> None:
        self._timeout = (timeout or DEFAULT_TIMEOUT).total_seconds()
        self._interval = (interval or DEFAULT_INTERVAL).total_seconds()
        if self._timeout <= 0 or self._interval <= 0:
            raise ValueError("timeout and interval must be positive durations")
        self._context = context
        self._start = time.monotonic()

    def sleep_interval_or_raise(self) -> float:
        """Seconds to sleep before the next poll; ``TimeoutError`` when the time is used up."""
        elapsed = time.monotonic() - self._start
        remaining = self._timeout - elapsed
        if remaining <= 0:
            message = f"Polling timed out after {elapsed:.1f}s"
            raise TimeoutError(f"{message}: {self._context}" if self._context else message)
        return min(remaining, self._interval)
