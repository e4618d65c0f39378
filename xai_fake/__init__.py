"""A fake of the xAI API for tests: an in-process gRPC server.

::

    from xai_fake import FakeServer

    with FakeServer(seed=1) as fake:
        fake.script("Chat/GetCompletion").fail(grpc.StatusCode.UNAVAILABLE, times=2)
        ...  # point a client at fake.address, or os.environ.update(fake.env())
        assert fake.requests.count("Chat/GetCompletion") == 3

Layers of a request: auth (:mod:`xai_fake.auth`), faults (:mod:`xai_fake.faults`),
scripts (:mod:`xai_fake.scripts`), default behaviour (:mod:`xai_fake.defaults`), and
the request log (:mod:`xai_fake.log`).
"""

from xai_fake.auth import DEFAULT_API_KEY, DEFAULT_MANAGEMENT_KEY
from xai_fake.errors import FakeRpcError
from xai_fake.faults import Fault
from xai_fake.log import LoggedCall, RequestLog
from xai_fake.scripts import Error, Script, Stream
from xai_fake.server import FakeServer
from xai_sdk.__about__ import __version__

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_MANAGEMENT_KEY",
    "Error",
    "FakeRpcError",
    "FakeServer",
    "Fault",
    "LoggedCall",
    "RequestLog",
    "Script",
    "Stream",
    "__version__",
]
