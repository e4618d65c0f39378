"""Clients do not cross ``fork()``: a client made before a fork refuses to call from the child.

A forked child inherits the parent's gRPC channels, their open connections included: a call
from the child writes into the parent's HTTP/2 connection, and both processes then read answers
meant for the other, or hang (xai-sdk-python #215: Celery, gunicorn, DataLoader workers). So the
first call a pre-fork client makes in a child raises :class:`ForkedClientError` saying what to do:
create the client after the fork, in the child. The check is one integer comparison per call;
``os.register_at_fork`` moves the counter in each new child.
"""

from __future__ import annotations

import os

__all__ = ["ForkedClientError", "check", "generation"]

_generation = 0


def _forked() -> None:
    global _generation  # noqa: PLW0603 - the one process-wide counter, moved only here
    _generation += 1


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forked)


class ForkedClientError(RuntimeError):
    """A client made in a parent process was used in a child made by ``fork()``."""


def generation() -> int:
    """The process's fork generation now (0 in a process that was not forked since this module loaded)."""
    return _generation


def check(created: int) -> None:
    """Raise :class:`ForkedClientError` if a client of fork generation ``created`` is used after a fork."""
    if created != _generation:
        raise ForkedClientError(
            "this xai_sdk client was created before os.fork() and cannot be used in the child: its gRPC "
            "connections belong to the parent. Create the client after the fork, in the child (e.g. in Celery's "
            "worker_process_init, gunicorn's post_fork, or a DataLoader's worker_init_fn). If the parent used gRPC "
            "before forking, also set GRPC_ENABLE_FORK_SUPPORT=1 (see gRPC's doc/fork_support.md) before grpc is "
            "imported, so that gRPC's own threads are safe in the child."
        )
