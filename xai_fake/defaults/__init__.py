"""Default behaviour of every service, when no script, fault or cassette answered a call.

One class per service, in a module of its own, over typed state (:class:`State`); each RPC is
a method ``(request, context)`` returning a message, an iterable of messages (streams) or
raising :class:`~xai_fake.errors.FakeRpcError`. :class:`Defaults` is the registry the defaults
layer (:mod:`xai_fake.layers.defaults`) looks handlers up in; ``register`` replaces a service.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from functools import cache
from typing import Any

import grpc

from xai_fake.defaults.chat_answers import ChatAnswers
from xai_fake.defaults.state import State
from xai_fake.errors import FakeRpcError
from xai_fake.methods import Method, services

Handler = Callable[[Any, Any], Any]


@cache
def handler_classes() -> dict[str, type[Any]]:
    """Every handler class of this package, by the service it declares in ``SERVICE``.

    A new service's defaults are one new module here with a class that sets ``SERVICE``;
    nothing else lists them. Each service of :func:`xai_fake.methods.services` has exactly one.
    """
    found: dict[str, type[Any]] = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for value in vars(module).values():
            service = getattr(value, "SERVICE", None) if inspect.isclass(value) else None
            if isinstance(service, str) and value.__module__ == module.__name__:
                if service in found:
                    raise RuntimeError(f"two default handler classes serve {service}: {found[service]} and {value}")
                found[service] = value
    unknown = set(found) - set(services())
    if unknown:
        raise RuntimeError(f"default handlers declare services the API does not have: {sorted(unknown)}")
    return found


class Defaults:
    """The default behaviours of every service, over one shared :class:`State`."""

    def __init__(self, seed: int = 0) -> None:
        self.state = State(seed)
        #: The one chat answer builder: chat, batch, chat shortcuts and scripted Replies all use it.
        self.chat_answers = ChatAnswers(self.state)
        #: The implementation of each service, by full name; :meth:`register` replaces one.
        self.services: dict[str, Any] = {name: self._build(cls) for name, cls in handler_classes().items()}

    def _build(self, cls: type[Any]) -> Any:
        """``cls(state)``, also given ``service=`` (this registry's lookup) and ``answers=`` (the chat
        answer builder) if it takes them."""
        parameters = inspect.signature(cls).parameters
        offered = {"state": self.state, "service": self.service, "answers": self.chat_answers}
        return cls(**{name: value for name, value in offered.items() if name in parameters})

    def register(self, service: str, implementation: Any) -> None:
        """Install the default behaviour of a service (its RPCs as methods ``(request, context)``)."""
        self.services[service] = implementation

    def service(self, name: str) -> Any:
        """The implementation in use for a service (full name), e.g. for batch to answer through."""
        return self.services[name]

    # -- completing answer values (the scripts layer's Completer) ------------------------------

    def accepts(self, method: str, value: Any) -> bool:
        """True if a builder can complete ``value`` (chat text, a Reply) for ``method``."""
        return self.chat_answers.accepts(method, value)

    def complete(self, method: str, request: Any, value: Any) -> Any:
        """The full answer for ``value`` (a message or messages), or None if no builder can make it."""
        return self.chat_answers.complete(method, request, value)

    def reset(self) -> None:
        """Forget all state (stored files, collections, jobs, ...)."""
        self.state.reset()

    def handler(self, method: Method) -> Handler:
        """The handler of ``method``, or one that answers UNIMPLEMENTED with the fix."""
        found = getattr(self.services.get(method.service), method.name, None)
        return found if found is not None else _unimplemented(method)


def _unimplemented(method: Method) -> Handler:
    def unimplemented(request: Any, context: Any) -> Any:
        raise FakeRpcError(
            grpc.StatusCode.UNIMPLEMENTED,
            f"xai_fake has no default behaviour for {method.full_name}; "
            f"script it with fake.script({method.full_name!r})",
        )

    return unimplemented
