"""The control API: script, fault, inspect and reset a running fake from any language.

``xai_fake.control.v1.Control`` (``protos/xai_fake/control/v1/control.proto``) is served on the
same port as the xAI API, by every :class:`~xai_fake.server.FakeServer` (``control=False`` turns
it off) and so by ``xai-fake serve``, ``replay`` and ``record``. It covers what a Python test does
in process: script a method or the chat shortcuts, add a fault or chaos, read and clear the
request log, load a cassette, move the clock, set health, reset. Messages of the xAI API travel
as their protobuf JSON rendering, so a client in another language needs only the ``.proto``.

Every call carries the server's control token (``fake.control_token``; ``xai-fake serve`` prints
it) as ``x-xai-fake-control-token`` metadata, and acts on the session its
``x-xai-fake-session`` metadata names, else on the server's own.
"""

from xai_fake.control.service import CONTROL_SERVICE, CONTROL_TOKEN_HEADER

__all__ = ["CONTROL_SERVICE", "CONTROL_TOKEN_HEADER"]
