"""A fake of the xAI API for tests: an in-process gRPC server.

::

    from xai_fake import FakeServer

    with FakeServer(seed=1) as fake:
        fake.script("Chat/GetCompletion").fail(grpc.StatusCode.UNAVAILABLE, times=2)
        ...  # point a client at fake.address, or os.environ.update(fake.env())
        assert fake.requests.count("Chat/GetCompletion") == 3

Every call passes through one declared chain of layers (:mod:`xai_fake.chain`):
1 log (:mod:`xai_fake.layers.log`), 2 auth (:mod:`xai_fake.layers.auth`),
3 faults (:mod:`xai_fake.layers.faults`), 4 scripts (:mod:`xai_fake.layers.scripts`),
5 cassette (:mod:`xai_fake.layers.cassette`, over :mod:`xai_fake.cassette`) and
6 defaults (:mod:`xai_fake.layers.defaults`, over the service handlers of :mod:`xai_fake.defaults`).

The public surface is :data:`__all__`, plus the modules :mod:`xai_fake.cassette` (record and
replay), :mod:`xai_fake.plugin` (the pytest plugin), :mod:`xai_fake.credentials` (the secrets
rule), :mod:`xai_fake.clock` (``fake.clock``), :mod:`xai_fake.session` (``fake.session(name)``),
:mod:`xai_fake.control` (the control API for other languages), :mod:`xai_fake.proto_files` and,
for contributors, :mod:`xai_fake.chain`,
:mod:`xai_fake.layers` and :mod:`xai_fake.tenancy` (keys separate tenants). Everything else
(``defaults``, ``replies``, ``methods``, ``http_files``, ``cli``, ``demo``, ``_proto``) is
internal and may change without notice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xai_fake.clock import Clock
from xai_fake.errors import FakeRpcError
from xai_fake.health import Health
from xai_fake.latency import Latency
from xai_fake.layers.auth import DEFAULT_API_KEY, DEFAULT_MANAGEMENT_KEY
from xai_fake.layers.faults import Fault
from xai_fake.layers.log import LoggedCall, RequestLog
from xai_fake.layers.scripts import Script
from xai_fake.replies import Error, Stream
from xai_fake.server import FakeServer
from xai_fake.session import Session
from xai_sdk.__about__ import __version__

if TYPE_CHECKING:
    from xai_fake.cassette.matchers import register_matcher
    from xai_fake.cassette.options import CassetteOptions
    from xai_fake.defaults.chat_answers import Reply
    from xai_fake.schema.near_miss import NearMiss

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_MANAGEMENT_KEY",
    "CassetteOptions",
    "Clock",
    "Error",
    "FakeRpcError",
    "FakeServer",
    "Fault",
    "Health",
    "Latency",
    "LoggedCall",
    "NearMiss",
    "Reply",
    "RequestLog",
    "Script",
    "Session",
    "Stream",
    "__version__",
    "register_matcher",
]

#: Public names imported on first use, so that ``import xai_fake`` stays light.
_LAZY = {
    "CassetteOptions": "xai_fake.cassette.options",
    "NearMiss": "xai_fake.schema.near_miss",
    "Reply": "xai_fake.defaults.chat_answers",
    "register_matcher": "xai_fake.cassette.matchers",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'xai_fake' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
