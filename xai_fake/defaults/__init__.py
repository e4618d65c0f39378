"""Layer 5: default behaviour, when no script, fault or cassette answered a call.

One class per service, in a module of its own; each method is a function
``(request, context)`` returning a message, an iterable of messages (streams) or
raising :class:`~xai_fake.errors.FakeRpcError`. ``Defaults`` routes a method to it.
"""

from __future__ import annotations

from typing import Any

import grpc

from xai_fake.defaults.batch import BatchDefaults
from xai_fake.defaults.chat import ChatDefaults
from xai_fake.defaults.collections import CollectionsDefaults
from xai_fake.defaults.documents import DocumentsDefaults
from xai_fake.defaults.files import FilesDefaults
from xai_fake.defaults.image import ImageDefaults
from xai_fake.defaults.models import ModelsDefaults
from xai_fake.defaults.simple import AuthDefaults, EmbedderDefaults, SampleDefaults, TokenizeDefaults
from xai_fake.defaults.state import State
from xai_fake.defaults.video import VideoDefaults
from xai_fake.errors import FakeRpcError
from xai_fake.methods import Method


class Defaults:
    """The default behaviours of every service, over one shared :class:`State`."""

    def __init__(self, seed: int = 0) -> None:
        self.state = State(seed)
        self.services: dict[str, Any] = {
            "xai_api.Auth": AuthDefaults(self.state),
            "xai_api.Image": ImageDefaults(self.state),
            "xai_api.Video": VideoDefaults(self.state),
            "xai_api.BatchMgmt": BatchDefaults(self.state),
            "collections.Collections": CollectionsDefaults(self.state),
            "xai_api.Documents": DocumentsDefaults(self.state),
            "xai_api.Files": FilesDefaults(self.state),
            "xai_api.Chat": ChatDefaults(self.state),
            "xai_api.Embedder": EmbedderDefaults(self.state),
            "xai_api.Models": ModelsDefaults(),
            "xai_api.Sample": SampleDefaults(self.state),
            "xai_api.Tokenize": TokenizeDefaults(),
        }

    def register(self, service: str, implementation: Any) -> None:
        """Install the default behaviour of a service."""
        self.services[service] = implementation

    def reset(self) -> None:
        """Forget all state (stored files, collections, jobs, ...)."""
        self.state.reset()

    def __call__(self, method: Method) -> Any:
        behaviour = getattr(self.services.get(method.service), method.name, None)
        if behaviour is None:
            return _unimplemented(method)
        return behaviour


def _unimplemented(method: Method) -> FakeRpcError:
    return FakeRpcError(
        grpc.StatusCode.UNIMPLEMENTED,
        f"xai_fake has no default behaviour for {method.full_name}; script it with fake.script({method.full_name!r})",
    )
