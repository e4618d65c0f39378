"""Usage that adds up: stored history, cached prompt tokens, reasoning effort, server-side tools, verbose streams.

Through real gRPC, sync and async, each total is checked against exact arithmetic over the
fake's tokenizer and the catalogue's prices: a message is 3 tokens of overhead plus its text.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import grpc
import pytest

from xai_fake import FakeServer
from xai_fake.defaults import tokens
from xai_fake.defaults.capabilities import REASONING_BANDS, accepted_efforts
from xai_fake.defaults.chat_answers import NON_TEXT_PART_TOKENS
from xai_fake.defaults.models import LANGUAGE_SPECS, language_model
from xai_fake.defaults.server_tools import IMAGE_TOKENS
from xai_fake.defaults.text import words
from xai_sdk.chat import Response, assistant, system, user
from xai_sdk.proto import chat_pb2, chat_pb2_grpc, usage_pb2
from xai_sdk.tools import code_execution, web_search

Metadata = tuple[tuple[str, str], ...]
MODEL = "grok-3"  # no reasoning: prompt and completion are the whole bill
SYSTEM, FIRST, SECOND, THIRD = "You are terse.", "Name a planet.", "And its moon?", "How far is it?"


def turn(text: str) -> int:
    """Prompt tokens of one text message."""
    return 3 + tokens.count(text)


def token_cost(model: str, usage: usage_pb2.SamplingUsage) -> int:
    """What ``usage``'s tokens cost at the catalogue's prices."""
    prices = language_model(model)
    cached = usage.cached_prompt_text_tokens
    return (
        (usage.prompt_text_tokens - cached) * prices.prompt_text_token_price
        + cached * prices.cached_prompt_token_price
        + usage.prompt_image_tokens * prices.prompt_image_token_price
        + (usage.completion_tokens + usage.reasoning_tokens) * prices.completion_text_token_price
    )


def assert_adds_up(model: str, usage: usage_pb2.SamplingUsage, tool_ticks: int = 0) -> None:
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens + usage.reasoning_tokens
    assert usage.cost_in_usd_ticks == token_cost(model, usage) + tool_ticks


# -- a previous_response_id continuation bills the stored history ---------------------------------


def assert_history_billed(first: Response, second: Response, third: Response, whole: Response) -> None:
    assert first.usage.prompt_tokens == turn(SYSTEM) + turn(FIRST)
    assert second.usage.prompt_tokens == first.usage.prompt_tokens + turn(first.content) + turn(SECOND)
    assert third.usage.prompt_tokens == second.usage.prompt_tokens + turn(second.content) + turn(THIRD)
    # ... exactly what the same conversation costs sent in full.
    assert whole.usage.prompt_tokens == third.usage.prompt_tokens
    for response in (first, second, third, whole):
        assert response.usage.cached_prompt_text_tokens == 0  # no x-grok-conv-id: never served from cache
        assert_adds_up(MODEL, response.usage)


def test_a_continuation_bills_the_stored_history_sync(fake: FakeServer) -> None:
    with fake.client() as client:
        create = client.chat.create
        first = create(MODEL, messages=[system(SYSTEM), user(FIRST)], store_messages=True).sample()
        second = create(MODEL, messages=[user(SECOND)], previous_response_id=first.id, store_messages=True).sample()
        third = create(MODEL, messages=[user(THIRD)], previous_response_id=second.id).sample()
        whole = create(MODEL, messages=[system(SYSTEM), user(FIRST)])
        whole.append(first).append(user(SECOND)).append(second).append(user(THIRD))
        assert_history_billed(first, second, third, whole.sample())


async def test_a_continuation_bills_the_stored_history_async(fake: FakeServer) -> None:
    client = fake.async_client()
    try:
        create = client.chat.create
        first = await create(MODEL, messages=[system(SYSTEM), user(FIRST)], store_messages=True).sample()
        second = await create(
            MODEL, messages=[user(SECOND)], previous_response_id=first.id, store_messages=True
        ).sample()
        third = await create(MODEL, messages=[user(THIRD)], previous_response_id=second.id).sample()
        whole = create(MODEL, messages=[system(SYSTEM), user(FIRST)])
        whole.append(first).append(user(SECOND)).append(second).append(user(THIRD))
        assert_history_billed(first, second, third, await whole.sample())
    finally:
        await client.close()


def long_message(tokens_wanted: int) -> chat_pb2.Message:
    """A user message of about ``tokens_wanted`` tokens, cheap to send (file parts are 256 tokens each)."""
    message = chat_pb2.Message(role=chat_pb2.ROLE_USER)
    for _ in range(tokens_wanted // NON_TEXT_PART_TOKENS):
        message.content.add().file.file_id = "file-1"
    message.content.add().text = "Summarise these."
    return message


def test_the_stored_history_counts_against_the_context_window(
    fake: FakeServer, channel: grpc.Channel, md: Metadata
) -> None:
    chat = chat_pb2_grpc.ChatStub(channel)
    model = "grok-2-vision-1212"  # 32,768 tokens (https://docs.x.ai/docs/models)
    first = chat.GetCompletion(
        chat_pb2.GetCompletionsRequest(model=model, messages=[long_message(23_000)], store_messages=True), metadata=md
    )
    follow = chat_pb2.GetCompletionsRequest(model=model, messages=[long_message(11_000)])
    assert chat.GetCompletion(follow, metadata=md).usage.prompt_tokens < 32_768  # the follow-up alone fits ...
    follow.previous_response_id = first.id  # ... but not after the stored history
    with pytest.raises(grpc.RpcError) as info:
        chat.GetCompletion(follow, metadata=md)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "grok-2-vision-1212's limit of 32768" in info.value.details()


# -- cached prompt tokens when a conversation's prefix repeats ------------------------------------

CONVERSATION = (("x-grok-conv-id", "conv-1"),)


def assert_cached(first: Response, second: Response, again: Response, elsewhere: Response) -> None:
    assert first.usage.cached_prompt_text_tokens == 0  # nothing sent before
    # The system and user messages were sent before; so was the answer, as the SDK appends it.
    cached = turn(SYSTEM) + turn(FIRST) + turn(first.content)
    assert second.usage.cached_prompt_text_tokens == cached
    assert second.usage.prompt_tokens == cached + turn(SECOND)
    assert again.usage.cached_prompt_text_tokens == again.usage.prompt_tokens == second.usage.prompt_tokens
    assert elsewhere.usage.cached_prompt_text_tokens == 0
    prices = language_model(MODEL)
    assert second.usage.cost_in_usd_ticks == (
        turn(SECOND) * prices.prompt_text_token_price
        + cached * prices.cached_prompt_token_price
        + second.usage.completion_tokens * prices.completion_text_token_price
    )
    for response in (first, second, again, elsewhere):
        assert_adds_up(MODEL, response.usage)


def test_a_repeated_prefix_is_billed_as_cached_sync(fake: FakeServer) -> None:
    with fake.client(metadata=CONVERSATION) as client, fake.client() as plain:
        chat = client.chat.create(MODEL, messages=[system(SYSTEM), user(FIRST)])
        first = chat.sample()
        chat.append(first).append(user(SECOND))
        second = chat.sample()
        again = chat.sample()  # the exact same request: a full hit
        messages = list(chat.messages)
        elsewhere = plain.chat.create(MODEL, messages=messages).sample()  # no x-grok-conv-id
    assert_cached(first, second, again, elsewhere)


async def test_a_repeated_prefix_is_billed_as_cached_async(fake: FakeServer) -> None:
    client, plain = fake.async_client(metadata=CONVERSATION), fake.async_client(metadata=(("x-grok-conv-id", "b"),))
    try:
        chat = client.chat.create(MODEL, messages=[system(SYSTEM), user(FIRST)])
        first = await chat.sample()
        chat.append(first).append(user(SECOND))
        second = await chat.sample()
        again = await chat.sample()
        elsewhere = await plain.chat.create(MODEL, messages=list(chat.messages)).sample()  # another conversation
    finally:
        await client.close()
        await plain.close()
    assert_cached(first, second, again, elsewhere)


def test_the_cache_stops_at_the_first_message_that_differs(fake: FakeServer) -> None:
    with fake.client(metadata=CONVERSATION) as client:
        client.chat.create(MODEL, messages=[system(SYSTEM), user(FIRST), user(SECOND)]).sample()
        edited = client.chat.create(MODEL, messages=[system(SYSTEM), user("Name a star."), user(SECOND)]).sample()
        # A reasoning model's answer sent back without its reasoning is not what was cached
        # (https://docs.x.ai/developers/advanced-api-usage/prompt-caching/multi-turn).
        chat = client.chat.create("grok-4", messages=[user(FIRST)])
        first = chat.sample()
        assert first.reasoning_content
        kept = client.chat.create("grok-4", messages=[user(FIRST)]).append(first).append(user(SECOND)).sample()
        stripped = client.chat.create("grok-4", messages=[user(FIRST), assistant(first.content), user(THIRD)]).sample()
    assert edited.usage.cached_prompt_text_tokens == turn(SYSTEM)
    assert kept.usage.cached_prompt_text_tokens == turn(FIRST) + turn(first.content)
    assert stripped.usage.cached_prompt_text_tokens == turn(FIRST)
    assert_adds_up("grok-4", stripped.usage)


def test_the_cache_is_the_tenants_own(fake: FakeServer) -> None:
    with (
        fake.client(metadata=CONVERSATION) as mine,
        fake.client(api_key="xai-another-team", metadata=CONVERSATION) as theirs,
    ):
        mine.chat.create(MODEL, messages=[user(FIRST)]).sample()
        other = theirs.chat.create(MODEL, messages=[user(FIRST)]).sample()
        again = mine.chat.create(MODEL, messages=[user(FIRST)]).sample()
    assert other.usage.cached_prompt_text_tokens == 0
    assert again.usage.cached_prompt_text_tokens == turn(FIRST)


def test_a_continuation_is_cached_like_the_conversation_sent_in_full(fake: FakeServer) -> None:
    with fake.client(metadata=CONVERSATION) as client:
        first = client.chat.create(MODEL, messages=[system(SYSTEM), user(FIRST)], store_messages=True).sample()
        continued = client.chat.create(MODEL, messages=[user(SECOND)], previous_response_id=first.id).sample()
    expected = turn(SYSTEM) + turn(FIRST) + turn(first.content)
    assert continued.usage.cached_prompt_text_tokens == expected
    assert continued.usage.prompt_tokens == expected + turn(SECOND)
    assert_adds_up(MODEL, continued.usage)


# -- reasoning_effort moves reasoning tokens monotonically ----------------------------------------

PROMPTS = [" ".join(random.Random(seed).choices(words(), k=3 + seed % 9)) for seed in range(20)]
#: One model of each family with a reasoning_effort, and its efforts least first.
DIALS = {
    spec.name: accepted_efforts(spec.capabilities)
    for spec in {id(spec.capabilities): spec for spec in reversed(LANGUAGE_SPECS) if spec.capabilities.efforts}.values()
}


def effort_request(model: str, prompt: str, effort: int) -> chat_pb2.GetCompletionsRequest:
    return chat_pb2.GetCompletionsRequest(
        model=model,
        messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text=prompt)])],
        reasoning_effort=effort,  # type: ignore[arg-type]
    )


def assert_monotone(model: str, efforts: list[int], answers: list[list[chat_pb2.GetChatCompletionResponse]]) -> None:
    """``answers[p][e]``: prompt ``p`` at ``efforts[e]``; more effort, more reasoning, on every prompt."""
    levels = [language_spec_level(model, effort) for effort in efforts]
    for per_prompt in answers:
        counts = [answer.usage.reasoning_tokens for answer in per_prompt]
        for answer, count in zip(per_prompt, counts, strict=True):
            assert count == tokens.count(answer.outputs[0].message.reasoning_content)
        for (level, count), (next_level, next_count) in zip(
            zip(levels, counts, strict=True), zip(levels[1:], counts[1:], strict=True), strict=False
        ):
            assert count < next_count if level != next_level else True, (model, counts)
        for level, count in zip(levels, counts, strict=True):
            least, most = REASONING_BANDS[level]
            assert least <= count <= most
        for answer in per_prompt:
            assert_adds_up(model, answer.usage)


def language_spec_level(model: str, effort: int) -> int:
    return next(spec for spec in LANGUAGE_SPECS if spec.name == model).capabilities.efforts[effort]


def test_the_families_with_an_effort_are_found() -> None:
    assert set(DIALS) >= {"grok-3-mini", "grok-4.3"}
    assert DIALS["grok-3-mini"] == [chat_pb2.EFFORT_LOW, chat_pb2.EFFORT_HIGH]


@pytest.mark.parametrize("model", sorted(DIALS))
def test_more_effort_more_reasoning_on_every_prompt_sync(
    fake: FakeServer, channel: grpc.Channel, md: Metadata, model: str
) -> None:
    chat = chat_pb2_grpc.ChatStub(channel)
    efforts = DIALS[model]
    answers = [[chat.GetCompletion(effort_request(model, p, e), metadata=md) for e in efforts] for p in PROMPTS]
    assert_monotone(model, efforts, answers)


@pytest.mark.parametrize("model", sorted(DIALS))
async def test_more_effort_more_reasoning_on_every_prompt_async(
    aio_channel: grpc.aio.Channel, md: Metadata, model: str
) -> None:
    chat = chat_pb2_grpc.ChatStub(aio_channel)
    efforts = DIALS[model]
    answers = [
        list(await asyncio.gather(*(chat.GetCompletion(effort_request(model, p, e), metadata=md) for e in efforts)))
        for p in PROMPTS
    ]
    assert_monotone(model, efforts, answers)


def test_effort_none_does_not_reason(fake: FakeServer, channel: grpc.Channel, md: Metadata) -> None:
    answer = chat_pb2_grpc.ChatStub(channel).GetCompletion(
        effort_request("grok-4.3", PROMPTS[0], chat_pb2.EFFORT_NONE), metadata=md
    )
    assert answer.usage.reasoning_tokens == 0
    assert not answer.outputs[0].message.reasoning_content


# -- server-side tools in usage and cost ----------------------------------------------------------

#: https://docs.x.ai/developers/pricing ("Tool Invocation Costs", per 1,000 calls), in ticks of 1e-10 USD.
PRICE_PER_CALL = {
    usage_pb2.SERVER_SIDE_TOOL_WEB_SEARCH: 50_000_000,  # $5
    usage_pb2.SERVER_SIDE_TOOL_X_SEARCH: 50_000_000,  # $5
    usage_pb2.SERVER_SIDE_TOOL_CODE_EXECUTION: 50_000_000,  # $5
    usage_pb2.SERVER_SIDE_TOOL_ATTACHMENT_SEARCH: 100_000_000,  # $10
    usage_pb2.SERVER_SIDE_TOOL_COLLECTIONS_SEARCH: 25_000_000,  # $2.50
    usage_pb2.SERVER_SIDE_TOOL_MCP: 0,  # not priced per call there (a guess: token-based)
    usage_pb2.SERVER_SIDE_TOOL_IMAGE_GENERATION: 200_000_000,  # the image: grok-imagine-image, $0.02
}
TOOLS = [
    chat_pb2.Tool(web_search=chat_pb2.WebSearch()),
    chat_pb2.Tool(x_search=chat_pb2.XSearch()),
    chat_pb2.Tool(code_execution=chat_pb2.CodeExecution()),
    chat_pb2.Tool(collections_search=chat_pb2.CollectionsSearch(collection_ids=["collection-1"])),
    chat_pb2.Tool(attachment_search=chat_pb2.AttachmentSearch()),
    chat_pb2.Tool(mcp=chat_pb2.MCP(server_url="https://mcp.example.com/mcp", server_label="docs")),
    chat_pb2.Tool(image_generation=chat_pb2.ImageGeneration()),
]
ALL_OUTPUTS = [
    chat_pb2.INCLUDE_OPTION_WEB_SEARCH_CALL_OUTPUT,
    chat_pb2.INCLUDE_OPTION_X_SEARCH_CALL_OUTPUT,
    chat_pb2.INCLUDE_OPTION_CODE_EXECUTION_CALL_OUTPUT,
    chat_pb2.INCLUDE_OPTION_COLLECTIONS_SEARCH_CALL_OUTPUT,
    chat_pb2.INCLUDE_OPTION_ATTACHMENT_SEARCH_CALL_OUTPUT,
    chat_pb2.INCLUDE_OPTION_MCP_CALL_OUTPUT,
]
QUESTION = "Who won the match?"


def agentic_request(**fields: Any) -> chat_pb2.GetCompletionsRequest:
    return chat_pb2.GetCompletionsRequest(
        model="grok-4.20",
        messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.Content(text=QUESTION)])],
        tools=TOOLS,
        include=ALL_OUTPUTS,
        **fields,
    )


def assert_tools_billed(response: chat_pb2.GetChatCompletionResponse) -> None:
    """Every step's arguments are completion tokens, every result prompt tokens, every call its price."""
    steps = [o for o in response.outputs if o.message.role == chat_pb2.ROLE_ASSISTANT][:-1]
    results = [o for o in response.outputs if o.message.role == chat_pb2.ROLE_TOOL]
    final = response.outputs[-1].message
    calls = [call for step in steps for call in step.message.tool_calls]
    kinds = list(response.usage.server_side_tools_used)
    assert len(calls) == len(kinds) == len(results) == 8  # web search: search and browse; one call each other tool
    images = [r for r in results if r.message.tool_calls[0].type == chat_pb2.TOOL_CALL_TYPE_IMAGE_GENERATION_TOOL]
    texts = [r for r in results if r not in images]
    usage = response.usage
    assert usage.prompt_text_tokens == turn(QUESTION) + sum(tokens.count(r.message.content) for r in texts)
    assert usage.prompt_image_tokens == IMAGE_TOKENS * len(images) == IMAGE_TOKENS
    assert usage.prompt_tokens == usage.prompt_text_tokens + usage.prompt_image_tokens
    assert usage.completion_tokens == tokens.count(final.content) + sum(
        tokens.count(c.function.arguments) + 1 for c in calls
    )
    assert usage.reasoning_tokens == tokens.count(final.reasoning_content) > 0
    tool_ticks = sum(PRICE_PER_CALL[kind] for kind in kinds)
    assert tool_ticks == 2 * 50_000_000 + 50_000_000 + 50_000_000 + 25_000_000 + 100_000_000 + 0 + 200_000_000
    assert_adds_up("grok-4.20", usage, tool_ticks)


def test_server_side_tools_show_in_usage_and_cost_sync(fake: FakeServer, channel: grpc.Channel, md: Metadata) -> None:
    chat = chat_pb2_grpc.ChatStub(channel)
    response = chat.GetCompletion(agentic_request(), metadata=md)
    assert_tools_billed(response)
    last = list(chat.GetCompletionChunk(agentic_request(), metadata=md))[-1]
    assert last.usage == response.usage


async def test_server_side_tools_show_in_usage_and_cost_async(aio_channel: grpc.aio.Channel, md: Metadata) -> None:
    chat = chat_pb2_grpc.ChatStub(aio_channel)
    response = await chat.GetCompletion(agentic_request(), metadata=md)
    assert_tools_billed(response)
    chunks = [chunk async for chunk in chat.GetCompletionChunk(agentic_request(), metadata=md)]
    assert chunks[-1].usage == response.usage


# -- verbose streaming: tool progress as it happens, citations at the end ---------------------------


def verbose_chat(client: Any) -> Any:
    return client.chat.create(
        "grok-4.20",
        messages=[user(QUESTION)],
        tools=[web_search(), code_execution()],
        include=["verbose_streaming", "code_execution_call_output"],
    )


def assert_verbose_shape(events: list[tuple[Response, Any]], whole: Response) -> None:
    """The agentic loop streamed as it runs: calls IN_PROGRESS, then results, then the answer; citations last."""
    started = [call for _, chunk in events for call in chunk.tool_calls]
    assert [call.function.name for call in started] == ["web_search", "browse_page", "code_execution"]
    assert {call.status for call in started} == {chat_pb2.TOOL_CALL_STATUS_IN_PROGRESS}
    finished = [out for _, chunk in events for out in chunk.tool_outputs]
    assert [out.proto.delta.tool_calls[0].status for out in finished] == [chat_pb2.TOOL_CALL_STATUS_COMPLETED]
    first_content = next(i for i, (_, chunk) in enumerate(events) if chunk.content)
    last_call = max(i for i, (_, chunk) in enumerate(events) if chunk.tool_calls or chunk.tool_outputs)
    assert last_call < first_content  # the loop's steps come before the answer
    # Every chunk carries the usage so far; it only grows, and ends as the unary answer's.
    generated = [response.usage.completion_tokens + response.usage.reasoning_tokens for response, _ in events]
    assert generated == sorted(generated) and generated[0] > 0
    assert [bool(chunk.citations) for _, chunk in events] == [False] * (len(events) - 1) + [True]
    final = events[-1][0]
    assert list(final.citations) == list(whole.citations) != []
    assert final.usage == whole.usage
    assert final.content == whole.content


def test_verbose_streaming_shows_tool_progress_sync(fake: FakeServer) -> None:
    with fake.client() as client:
        chat = verbose_chat(client)
        events = list(chat.stream())
        whole = chat.sample()
    assert_verbose_shape(events, whole)


async def test_verbose_streaming_shows_tool_progress_async(fake: FakeServer) -> None:
    client = fake.async_client()
    try:
        chat = verbose_chat(client)
        events = [event async for event in chat.stream()]
        whole = await chat.sample()
    finally:
        await client.close()
    assert_verbose_shape(events, whole)
