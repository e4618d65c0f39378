"""What each family of language models accepts, and the one check of a chat request against it.

The table has two halves, each declarative and each in one place:

* here, one :class:`Capabilities` per model family: whether it reasons, the ``reasoning_effort``
  values it takes, whether it accepts ``stop`` and the penalties, image input, structured
  output, the server-side tools it can use; each fact with the docs.x.ai page it comes from;
* in :mod:`xai_fake.defaults.models`, the catalogue: which family each model belongs to, and its
  context window (the longest prompt it takes) and prices.

:func:`check` is the only place a request is held against them. Chat, deferred chats, batches
and scripted replies all reach it through :class:`~xai_fake.defaults.chat_answers.ChatAnswers`,
so the same request fails the same way whichever way it came in. A request the model cannot
take fails INVALID_ARGUMENT (docs.x.ai says "an error response" without a code; the REST API
answers HTTP 400 "Model X does not support parameter reasoningEffort", as recorded live in
NousResearch/hermes-agent#23435, and 400 is INVALID_ARGUMENT in gRPC), with a message naming the
parameter, the model and the fix, e.g. ``grok-4 does not support stop; remove it or use a model
that does (e.g. grok-4-1-fast-non-reasoning, ...)``.

docs.x.ai states no model restriction on ``logprobs``, ``n``, structured output or the
server-side tools: every family accepts them (the fields are there for the day it does).

To add a rule: a field on :class:`Capabilities` (defaulting to what most models do), the
families that differ, and an entry in :data:`PARAMETERS` (or a branch of :func:`check` for a
rule on values); the tests in ``tests/fake/test_capabilities.py`` read both and test it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, Protocol

from xai_fake.errors import invalid_argument
from xai_sdk.proto import chat_pb2

__all__ = [
    "EFFORT_NAMES",
    "PARAMETERS",
    "REASONING_BANDS",
    "SERVER_TOOLS",
    "Capabilities",
    "Model",
    "Parameter",
    "accepted_efforts",
    "check",
    "reasoning_budget",
]

NONE, LOW, MEDIUM, HIGH, XHIGH = (
    chat_pb2.EFFORT_NONE,
    chat_pb2.EFFORT_LOW,
    chat_pb2.EFFORT_MEDIUM,
    chat_pb2.EFFORT_HIGH,
    chat_pb2.EFFORT_XHIGH,
)
#: The names the SDKs use for each ``reasoning_effort`` value.
EFFORT_NAMES: Mapping[int, str] = MappingProxyType(
    {NONE: "none", LOW: "low", MEDIUM: "medium", HIGH: "high", XHIGH: "xhigh"}
)
#: Reasoning tokens of each effort level, as an inclusive (least, most) range. The ranges do not
#: overlap, so more effort always means more reasoning tokens, whatever the prompt.
REASONING_BANDS: Mapping[int, tuple[int, int]] = MappingProxyType(
    {NONE: (0, 0), LOW: (24, 96), MEDIUM: (128, 256), HIGH: (320, 640), XHIGH: (768, 1280)}
)
#: The server-side tools of ``chat_pb2.Tool`` (its oneof names, ``function`` aside).
SERVER_TOOLS = frozenset(f.name for f in chat_pb2.Tool.DESCRIPTOR.oneofs_by_name["tool"].fields if f.name != "function")


def _levels(*efforts: int) -> Mapping[int, int]:
    """Efforts that each think at their own level."""
    return MappingProxyType({effort: effort for effort in efforts})


@dataclass(frozen=True)
class Capabilities:
    """What the models of one family accept. The defaults are what most models do."""

    #: A reasoning model: it thinks before answering (``reasoning_tokens``) unless its effort is ``none``.
    reasoning: bool
    #: The ``reasoning_effort`` values it accepts, each mapped to the level of :data:`REASONING_BANDS`
    #: it thinks at. Empty: the parameter is refused.
    efforts: Mapping[int, int] = field(default_factory=lambda: MappingProxyType({}))
    #: The effort when the request sets none; None thinks the fake's default amount.
    default_effort: int | None = None
    #: Accepts ``stop``, ``presence_penalty`` and ``frequency_penalty``.
    sampling: bool = True
    #: Accepts image input (``image_url`` content).
    vision: bool = True
    #: Accepts ``logprobs`` / ``top_logprobs``.
    logprobs: bool = True
    #: Accepts ``n`` > 1.
    several: bool = True
    #: Accepts a ``response_format`` other than text (JSON object or schema).
    structured_output: bool = True
    #: The server-side tools it can use (names of :data:`SERVER_TOOLS`).
    server_tools: frozenset[str] = SERVER_TOOLS

    @cached_property
    def refused(self) -> tuple[Parameter, ...]:
        """The parameters of :data:`PARAMETERS` this family refuses (worked out once)."""
        return tuple(parameter for parameter in PARAMETERS if not parameter.accepted(self))

    def effort(self, requested: int | None) -> int | None:
        """The effort a request runs at: the requested one, else the family's default (None: none given)."""
        return self.default_effort if requested is None else requested


# -- the families ---------------------------------------------------------------------------------
# Each family cites the docs.x.ai pages its facts come from.

#: grok-4 (grok-4-0709). https://docs.x.ai/docs/models: "Grok 4 is a reasoning model";
#: "presencePenalty, frequencyPenalty and stop parameters are not supported by reasoning models";
#: "Grok 4 does not have a reasoning_effort parameter. If a reasoning_effort is provided, the
#: request will return error." Images: https://docs.x.ai/docs/models (text and image input).
GROK_4 = Capabilities(reasoning=True, sampling=False)
#: grok-4-fast-reasoning, grok-4-1-fast-reasoning. https://docs.x.ai/docs/guides/reasoning:
#: "reasoning_effort is not supported by grok-3, grok-4 and grok-4-fast-reasoning";
#: https://docs.x.ai/developers/model-capabilities/text/reasoning: "reasoning_effort is not
#: supported by grok-4.20 or grok-4-1-fast"; stop and the penalties: reasoning models (same pages).
GROK_4_FAST_REASONING = Capabilities(reasoning=True, sampling=False)
#: grok-4-fast-non-reasoning, grok-4-1-fast-non-reasoning: "based on grok-4-fast-reasoning with
#: reasoning disabled" and "Only grok-3-mini supports reasoning_effort"
#: (https://docs.x.ai/docs/guides/reasoning); grok-4-1-fast: "reasoning_effort is not supported
#: by grok-4.20 or grok-4-1-fast" (https://docs.x.ai/developers/model-capabilities/text/reasoning).
#: Not a reasoning model, so stop and the penalties are accepted.
GROK_4_FAST_NON_REASONING = Capabilities(reasoning=False)
#: grok-4.20-0309-reasoning. https://docs.x.ai/developers/model-capabilities/text/reasoning:
#: "reasoning_effort is not supported by grok-4.20 ... These models reason automatically";
#: "presencePenalty, frequencyPenalty, and stop cannot be used with reasoning models".
GROK_4_20_REASONING = Capabilities(reasoning=True, sampling=False)
#: grok-4.20-0309-non-reasoning: "reasoning_effort is not supported by grok-4.20"
#: (https://docs.x.ai/developers/model-capabilities/text/reasoning); not a reasoning model.
GROK_4_20_NON_REASONING = Capabilities(reasoning=False)
#: grok-4.20-multi-agent. https://docs.x.ai/developers/model-capabilities/text/reasoning: the
#: effort "controls how many agents collaborate": "low" or "medium" 4 agents, "high" or "xhigh"
#: 16 agents; a reasoning model (no stop or penalties).
MULTI_AGENT = Capabilities(
    reasoning=True,
    efforts=MappingProxyType({LOW: LOW, MEDIUM: LOW, HIGH: HIGH, XHIGH: HIGH}),
    sampling=False,
)
#: grok-4.3. https://docs.x.ai/developers/model-capabilities/text/reasoning: "grok-4.3 supports
#: the reasoning_effort parameter"; "none", "low" (default), "medium", "high"; "If set to "none",
#: no reasoning will occur"; stop and the penalties "cannot be used with reasoning models".
GROK_4_3 = Capabilities(reasoning=True, efforts=_levels(NONE, LOW, MEDIUM, HIGH), default_effort=LOW, sampling=False)
#: grok-4.5 (and, a guess, grok-4.6): low, medium, high, default high, no "none", as the
#: docs.x.ai reasoning page is quoted in anomalyco/opencode#39448 (not seen on docs.x.ai itself: guess).
GROK_4_5 = Capabilities(reasoning=True, efforts=_levels(LOW, MEDIUM, HIGH), default_effort=HIGH, sampling=False)
#: grok-code-fast-1 (and, a guess, grok-build-0.1): a reasoning model with text input only
#: (https://docs.x.ai/docs/models); "Only grok-3-mini supports reasoning_effort"
#: (https://docs.x.ai/docs/guides/reasoning).
GROK_CODE = Capabilities(reasoning=True, sampling=False, vision=False)
#: grok-3, grok-3-fast: not reasoning models; "reasoning_effort is not supported by grok-3"
#: (https://docs.x.ai/docs/guides/reasoning); text input only (https://docs.x.ai/docs/models).
GROK_3 = Capabilities(reasoning=False, vision=False)
#: grok-3-mini, grok-3-mini-fast: "Only grok-3-mini supports reasoning_effort", which "must be
#: set to one of these values: low, high"; a reasoning model, so no stop or penalties
#: (https://docs.x.ai/docs/guides/reasoning); text input only (https://docs.x.ai/docs/models).
GROK_3_MINI = Capabilities(reasoning=True, efforts=_levels(LOW, HIGH), sampling=False, vision=False)
#: grok-2-vision-1212: not a reasoning model; image input (https://docs.x.ai/docs/models);
#: "Only grok-3-mini supports reasoning_effort" (https://docs.x.ai/docs/guides/reasoning).
GROK_2_VISION = Capabilities(reasoning=False)


# -- the rules ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    """A request parameter some models refuse: whether a request sends it, whether a family accepts it."""

    #: The parameter as messages name it.
    name: str
    #: ``(request, present)`` -> True if the request uses it (``present``: its set fields by name).
    sent: Callable[[chat_pb2.GetCompletionsRequest, Mapping[str, Any]], bool]
    #: True if a family accepts it.
    accepted: Callable[[Capabilities], bool]
    #: What to do instead, for the message.
    fix: str = "remove it"


def _has_image(request: chat_pb2.GetCompletionsRequest, present: Mapping[str, Any]) -> bool:
    return any(part.WhichOneof("content") == "image_url" for message in request.messages for part in message.content)


def _structured(request: chat_pb2.GetCompletionsRequest, present: Mapping[str, Any]) -> bool:
    fmt = present.get("response_format")
    return fmt is not None and fmt.format_type != chat_pb2.FORMAT_TYPE_TEXT


#: The parameters held against :class:`Capabilities`, in the order they are checked.
PARAMETERS: tuple[Parameter, ...] = (
    Parameter("stop", lambda request, present: "stop" in present, lambda caps: caps.sampling),
    Parameter("presence_penalty", lambda request, present: "presence_penalty" in present, lambda caps: caps.sampling),
    Parameter("frequency_penalty", lambda request, present: "frequency_penalty" in present, lambda caps: caps.sampling),
    Parameter(
        "logprobs",
        lambda request, present: "logprobs" in present or "top_logprobs" in present,
        lambda caps: caps.logprobs,
    ),
    Parameter("n", lambda request, present: present.get("n", 1) > 1, lambda caps: caps.several, "ask for one answer"),
    Parameter("structured output", _structured, lambda caps: caps.structured_output, "ask for text"),
    Parameter("image input", _has_image, lambda caps: caps.vision, "send text only"),
)


class Model(Protocol):
    """A catalogue entry as :func:`check` reads it (:class:`xai_fake.defaults.models.LanguageSpec`)."""

    @property
    def name(self) -> str: ...
    @property
    def capabilities(self) -> Capabilities: ...
    @property
    def context(self) -> int: ...


def _refused(
    model: Model, what: str, fix: str, accepted: Callable[[Capabilities], bool], catalogue: Sequence[Model]
) -> Exception:
    names = [other.name for other in catalogue if accepted(other.capabilities)]
    others = f" (e.g. {', '.join(names[:3])})" if names else ""
    return invalid_argument(f"{model.name} does not support {what}; {fix} or use a model that does{others}")


def _names(efforts: Iterable[int]) -> str:
    return ", ".join(repr(EFFORT_NAMES.get(effort, str(effort))) for effort in sorted(efforts, key=_order))


def _order(effort: int) -> int:
    return tuple(REASONING_BANDS).index(effort) if effort in REASONING_BANDS else len(REASONING_BANDS)


def check(
    model: Model,
    request: chat_pb2.GetCompletionsRequest,
    *,
    present: Mapping[str, Any],
    prompt: int,
    catalogue: Sequence[Model],
) -> None:
    """Raise INVALID_ARGUMENT if ``model`` cannot take ``request``; the message names the parameter, model and fix.

    ``present`` is the request's set fields by name, ``prompt`` its prompt in tokens (the stored
    history of a ``previous_response_id`` included) and ``catalogue`` the models a message may
    suggest instead.
    """
    caps = model.capabilities
    for parameter in caps.refused:
        if parameter.sent(request, present):
            raise _refused(model, parameter.name, parameter.fix, parameter.accepted, catalogue)
    effort = present.get("reasoning_effort")
    if effort is not None and effort not in caps.efforts:
        if not caps.efforts:
            raise _refused(model, "reasoning_effort", "remove it", _has_efforts, catalogue)
        raise invalid_argument(
            f"{model.name} does not support reasoning_effort {EFFORT_NAMES.get(effort, effort)!r}; "
            f"use one of {_names(caps.efforts)}"
        )
    if "tools" in present and caps.server_tools != SERVER_TOOLS:
        for tool in request.tools:
            kind = tool.WhichOneof("tool")
            if kind is not None and kind != "function" and kind not in caps.server_tools:
                raise _refused(model, f"the {kind} tool", "remove it", _uses(kind), catalogue)
    if prompt > model.context:
        raise invalid_argument(
            f"the prompt is {prompt} tokens, more than {model.name}'s limit of {model.context}; "
            "shorten the conversation (chat.compact() can help)"
        )


def _has_efforts(caps: Capabilities) -> bool:
    return bool(caps.efforts)


def _uses(tool: str) -> Callable[[Capabilities], bool]:
    def uses(caps: Capabilities) -> bool:
        return tool in caps.server_tools

    return uses


def reasoning_budget(caps: Capabilities, requested: int | None, rng: random.Random) -> int | None:
    """Reasoning tokens of one answer: 0 for none, a draw from the effort's band, None for the default amount.

    None is the answer of a reasoning model given no effort and having no default one; a
    model that does not reason always gets 0.
    """
    if not caps.reasoning:
        return 0
    effort = caps.effort(requested)
    if effort is None:
        return None
    least, most = REASONING_BANDS[caps.efforts.get(effort, effort)]
    return least + rng.randrange(most - least + 1) if most else 0


def accepted_efforts(caps: Capabilities) -> Sequence[int]:
    """The ``reasoning_effort`` values ``caps`` accepts, least effort first."""
    return sorted(caps.efforts, key=_order)
