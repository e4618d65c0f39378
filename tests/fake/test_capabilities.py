"""Model capabilities drive validation: every rule of the capability table, through real gRPC, sync and async.

The cases are read from the table (:data:`xai_fake.defaults.models.LANGUAGE_SPECS` and
:data:`xai_fake.defaults.capabilities.PARAMETERS`): each model with each parameter, each
``reasoning_effort`` value and its context window. A model that refuses gets INVALID_ARGUMENT
naming the parameter and the model; one that accepts answers. A new rule needs an example
request in :data:`EXAMPLES` (a test fails until it has one) and is then tested for every model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import grpc
import pytest

from tests.fake.test_batch import run_batch
from xai_fake import FakeServer
from xai_fake.defaults.capabilities import EFFORT_NAMES, PARAMETERS, Parameter
from xai_fake.defaults.chat_answers import NON_TEXT_PART_TOKENS, prompt_tokens
from xai_fake.defaults.models import LANGUAGE_SPECS, LanguageSpec
from xai_sdk.chat import user
from xai_sdk.proto import batch_pb2, batch_pb2_grpc, chat_pb2, chat_pb2_grpc

Metadata = tuple[tuple[str, str], ...]
#: Results ListBatchResults returns in one page.
PAGE = 100


def _image(request: chat_pb2.GetCompletionsRequest) -> None:
    request.messages[0].content.add().image_url.image_url = "https://example.com/cat.png"


def _logprobs(request: chat_pb2.GetCompletionsRequest) -> None:
    request.logprobs, request.top_logprobs = True, 2


#: How to send each parameter of :data:`PARAMETERS` in a request.
EXAMPLES: dict[str, Callable[[chat_pb2.GetCompletionsRequest], None]] = {
    "stop": lambda request: request.stop.append("END"),
    "presence_penalty": lambda request: setattr(request, "presence_penalty", 0.5),
    "frequency_penalty": lambda request: setattr(request, "frequency_penalty", 0.5),
    "logprobs": _logprobs,
    "n": lambda request: setattr(request, "n", 2),
    "structured output": lambda request: request.response_format.CopyFrom(
        chat_pb2.ResponseFormat(format_type=chat_pb2.FORMAT_TYPE_JSON_OBJECT)
    ),
    "image input": _image,
}


def base(model: str) -> chat_pb2.GetCompletionsRequest:
    return chat_pb2.GetCompletionsRequest(
        model=model, messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text="Hello")])]
    )


def sized(model: str, prompt: int) -> chat_pb2.GetCompletionsRequest:
    """A request whose prompt is exactly ``prompt`` tokens (file parts are 256 tokens each, cheap to send)."""
    request = chat_pb2.GetCompletionsRequest(model=model)
    message = request.messages.add(role=chat_pb2.ROLE_USER)
    files, rest = divmod(prompt - 3 - 1, NON_TEXT_PART_TOKENS)  # 3: the message's overhead; 1: the word below
    for _ in range(files):
        message.content.add().file.file_id = "file-1"
    message.content.add().text = "Hello" + " a" * rest
    assert prompt_tokens(request.messages) == prompt
    return request


class Case(NamedTuple):
    """A rule of the table applied to one model: its request, and the words an error must hold (None: accepted)."""

    model: str
    rule: str
    build: Callable[[], chat_pb2.GetCompletionsRequest]
    refused: str | None

    @property
    def id(self) -> str:
        return f"{self.model}-{self.rule}"

    @property
    def request(self) -> chat_pb2.GetCompletionsRequest:
        return self.build()


def parameter_case(spec: LanguageSpec, parameter: Parameter) -> Case:
    def build() -> chat_pb2.GetCompletionsRequest:
        request = base(spec.name)
        EXAMPLES[parameter.name](request)
        return request

    accepted = parameter.accepted(spec.capabilities)
    return Case(spec.name, parameter.name, build, None if accepted else f"does not support {parameter.name}")


def effort_case(spec: LanguageSpec, effort: int) -> Case:
    def build() -> chat_pb2.GetCompletionsRequest:
        request = base(spec.name)
        request.reasoning_effort = effort  # type: ignore[assignment]
        return request

    efforts = spec.capabilities.efforts
    refused = None
    if effort not in efforts:
        refused = "does not support reasoning_effort" + (f" '{EFFORT_NAMES[effort]}'" if efforts else ";")
    return Case(spec.name, f"reasoning_effort={EFFORT_NAMES[effort]}", build, refused)


def context_cases(spec: LanguageSpec) -> list[Case]:
    """The longest prompt the model takes, and one token more."""
    return [
        Case(spec.name, "context-window", lambda: sized(spec.name, spec.context), None),
        Case(spec.name, "context-window+1", lambda: sized(spec.name, spec.context + 1), f"limit of {spec.context}"),
    ]


PARAMETER_CASES = [
    *(parameter_case(spec, parameter) for spec in LANGUAGE_SPECS for parameter in PARAMETERS),
    *(effort_case(spec, effort) for spec in LANGUAGE_SPECS for effort in EFFORT_NAMES),
]
CASES = [*PARAMETER_CASES, *(case for spec in LANGUAGE_SPECS for case in context_cases(spec))]
#: The refused parameters (prompts of millions of tokens are not sent again for every path).
REFUSED = [case for case in PARAMETER_CASES if case.refused is not None]


def assert_outcome(case: Case, error: grpc.RpcError | None, response: Any = None) -> None:
    if case.refused is None:
        assert error is None, f"{case.id} was refused: {error.details() if error else ''}"
        assert response.outputs
        return
    assert error is not None, f"{case.id} was accepted"
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert case.model in error.details()
    assert case.refused in error.details(), error.details()


def test_every_parameter_of_the_table_has_an_example() -> None:
    assert set(EXAMPLES) == {parameter.name for parameter in PARAMETERS}


def test_the_table_has_the_rules_docs_x_ai_states() -> None:
    refused = {(case.model, case.rule) for case in REFUSED}
    # https://docs.x.ai/docs/models, https://docs.x.ai/docs/guides/reasoning
    assert {("grok-4", "stop"), ("grok-4", "reasoning_effort=low"), ("grok-3", "reasoning_effort=low")} <= refused
    assert ("grok-4-fast-non-reasoning", "reasoning_effort=high") in refused
    assert ("grok-3-mini", "reasoning_effort=medium") in refused  # "low" or "high" only
    assert ("grok-3", "image input") in refused
    assert ("grok-3-mini", "reasoning_effort=high") not in refused
    assert ("grok-4.3", "reasoning_effort=none") not in refused
    assert ("grok-3", "stop") not in refused


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_each_rule_sync(fake: FakeServer, channel: grpc.Channel, md: Metadata, case: Case) -> None:
    try:
        response = chat_pb2_grpc.ChatStub(channel).GetCompletion(case.request, metadata=md)
    except grpc.RpcError as error:
        assert_outcome(case, error)
    else:
        assert_outcome(case, None, response)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
async def test_each_rule_async(aio_channel: grpc.aio.Channel, md: Metadata, case: Case) -> None:
    try:
        response = await chat_pb2_grpc.ChatStub(aio_channel).GetCompletion(case.request, metadata=md)
    except grpc.aio.AioRpcError as error:
        assert_outcome(case, error)
    else:
        assert_outcome(case, None, response)


@pytest.mark.parametrize("case", REFUSED, ids=lambda case: case.id)
def test_each_refusal_also_refuses_streams_and_deferred_chats(
    fake: FakeServer, channel: grpc.Channel, md: Metadata, case: Case
) -> None:
    chat = chat_pb2_grpc.ChatStub(channel)
    for call in (
        lambda: list(chat.GetCompletionChunk(case.request, metadata=md)),
        lambda: chat.StartDeferredCompletion(case.request, metadata=md),
    ):
        with pytest.raises(grpc.RpcError) as info:
            call()
        assert_outcome(case, info.value)


def test_a_batch_fails_each_refused_request_the_way_a_direct_call_does(
    fake: FakeServer, channel: grpc.Channel, md: Metadata
) -> None:
    chat, batches = chat_pb2_grpc.ChatStub(channel), batch_pb2_grpc.BatchMgmtStub(channel)
    for start in range(0, len(REFUSED), PAGE):  # one page of results per batch
        cases = REFUSED[start : start + PAGE]
        requests = [
            batch_pb2.BatchRequest(batch_request_id=f"r{index}", completion_request=case.request)
            for index, case in enumerate(cases)
        ]
        results = run_batch(batches, md, *requests)
        for index, case in enumerate(cases):
            error = results[f"r{index}"].error
            with pytest.raises(grpc.RpcError) as direct:
                chat.GetCompletion(case.request, metadata=md)
            assert (error.code, error.message) == (grpc.StatusCode.INVALID_ARGUMENT.value[0], direct.value.details())


# -- the issue's cases, through the project's own SDK -------------------------------------------

ISSUE = [
    ("grok-4", {"stop": ["END"]}, "grok-4 does not support stop; remove it or use a model that does"),
    ("grok-4", {"reasoning_effort": "low"}, "grok-4 does not support reasoning_effort; remove it"),
    ("grok-3", {"reasoning_effort": "high"}, "grok-3 does not support reasoning_effort; remove it"),
    (
        "grok-4-fast-non-reasoning",
        {"reasoning_effort": "low"},
        "grok-4-fast-non-reasoning does not support reasoning_effort; remove it",
    ),
    ("grok-3-mini", {"presence_penalty": 0.5}, "grok-3-mini does not support presence_penalty"),
    ("grok-3-mini", {"reasoning_effort": "medium"}, "grok-3-mini does not support reasoning_effort 'medium'"),
]
ALLOWED = [
    ("grok-3", {"stop": ["END"]}),
    ("grok-3-mini", {"reasoning_effort": "high"}),
    ("grok-4.3", {"reasoning_effort": "none"}),
    ("grok-4-fast-non-reasoning", {"frequency_penalty": 0.5}),
    ("grok-4", {}),
]


@pytest.mark.parametrize(("model", "kwargs", "message"), ISSUE)
def test_the_sdk_sees_the_refusal_sync(fake: FakeServer, model: str, kwargs: dict[str, Any], message: str) -> None:
    with fake.client() as client:
        chat = client.chat.create(model, messages=[user("Hi")], **kwargs)
        with pytest.raises(grpc.RpcError) as info:
            chat.sample()
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert message in info.value.details()


@pytest.mark.parametrize(("model", "kwargs", "message"), ISSUE)
async def test_the_sdk_sees_the_refusal_async(
    fake: FakeServer, model: str, kwargs: dict[str, Any], message: str
) -> None:
    client = fake.async_client()
    try:
        chat = client.chat.create(model, messages=[user("Hi")], **kwargs)
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await chat.sample()
    finally:
        await client.close()
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert message in info.value.details()


@pytest.mark.parametrize(("model", "kwargs"), ALLOWED)
def test_the_allowed_combinations_answer_sync(fake: FakeServer, model: str, kwargs: dict[str, Any]) -> None:
    with fake.client() as client:
        response = client.chat.create(model, messages=[user("Hi")], **kwargs).sample()
    assert response.content


@pytest.mark.parametrize(("model", "kwargs"), ALLOWED)
async def test_the_allowed_combinations_answer_async(fake: FakeServer, model: str, kwargs: dict[str, Any]) -> None:
    client = fake.async_client()
    try:
        response = await client.chat.create(model, messages=[user("Hi")], **kwargs).sample()
    finally:
        await client.close()
    assert response.content
