"""Build a fixed corpus of requests with whichever ``xai_sdk`` this interpreter imports; print them as JSON.

Run under our package and under the official ``xai-sdk`` 1.21.0 (both are named ``xai_sdk``, so each
runs in its own interpreter); ``test_request_building.py`` compares the two outputs. Only public API
of the official package is used. The output maps each case name to one of:

* the hex of the deterministic serialization of the proto the case built;
* ``{"error": "ValueError"}`` (or ``"TypeError"``, ...) when building it raised;
* ``{"value": ...}`` for cases whose result is plain data.

``--no-pydantic`` leaves out the cases that need pydantic (a pydantic response format, the video
validators) for interpreters without it.
"""

# Our mypy checks this file against our own ``xai_sdk``; the official one lacks nothing used here,
# but a few calls pass deliberately wrong values to probe the errors.
# mypy: disable-error-code="arg-type,call-overload,typeddict-item,misc"

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections.abc import Callable
from typing import Any

from google.protobuf.message import Message

import xai_sdk
from xai_sdk import search, tools
from xai_sdk.chat import (
    Response,
    assistant,
    developer,
    file,
    image,
    required_tool,
    system,
    text,
    tool,
    tool_result,
    user,
)
from xai_sdk.proto import chat_pb2, documents_pb2, usage_pb2

Case = Callable[[], Any]

NAIVE = datetime.datetime(2025, 1, 2, 3, 4, 5, 678901)
UTC = datetime.datetime(2025, 3, 1, tzinfo=datetime.timezone.utc)
PLUS_TWO = datetime.datetime(2025, 6, 30, 23, 59, 59, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
BEFORE_EPOCH = datetime.datetime(1960, 5, 17, 12, 0, 0, 1)
WEATHER = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
GUIDELINE = {"type": "policy", "category": "violence", "behavior": "decline"}


def _client() -> Any:
    return xai_sdk.Client(api_key="k", api_host="localhost:1")


CLIENT = _client()


def create(**kwargs: Any) -> Any:
    """The request proto of ``chat.create("grok-4", messages=[user("hi")], **kwargs)``."""
    kwargs.setdefault("messages", [user("hi")])
    return CLIENT.chat.create(kwargs.pop("model", "grok-4"), **kwargs).proto


def appended(*messages: Any) -> Any:
    chat = CLIENT.chat.create("grok-4")
    for message in messages:
        chat.append(message)
    return chat.proto


def chat_cases() -> dict[str, Case]:
    cases: dict[str, Case] = {
        "create/minimal": lambda: create(messages=None),
        "create/empty_messages": lambda: create(messages=[]),
        "create/scalars": lambda: create(
            user="u-1",
            safety_identifier="s-1",
            max_tokens=64,
            seed=7,
            stop=["\n\n", "END"],
            temperature=0.5,
            top_p=0.9,
            logprobs=True,
            top_logprobs=3,
            parallel_tool_calls=False,
            frequency_penalty=0.25,
            presence_penalty=-0.5,
            store_messages=True,
            previous_response_id="resp-1",
            use_encrypted_content=True,
            max_turns=3,
            conversation_id="conv-1",
            batch_request_id="b-1",
        ),
        "create/zeros_and_false": lambda: create(
            max_tokens=0,
            seed=0,
            temperature=0.0,
            top_p=0.0,
            logprobs=False,
            top_logprobs=0,
            parallel_tool_calls=False,
            frequency_penalty=0.0,
            presence_penalty=0.0,
            store_messages=False,
            use_encrypted_content=False,
            max_turns=0,
            user="",
            previous_response_id="",
        ),
        "create/stop_empty": lambda: create(stop=[]),
        "create/stop_tuple": lambda: create(stop=("a", "b")),
        "create/tools": lambda: create(
            tools=[tool("get_weather", "Weather in a city", WEATHER), tools.web_search(), tools.code_execution()]
        ),
        "create/tool_choice_required_tool": lambda: create(tool_choice=required_tool("get_weather")),
        "create/tool_choice_proto_mode": lambda: create(tool_choice=chat_pb2.ToolChoice(mode=chat_pb2.TOOL_MODE_AUTO)),
        "create/tool_choice_bad": lambda: create(tool_choice="sometimes"),
        "create/tool_choice_int": lambda: create(tool_choice=1),
        "create/response_format_json_schema_str": lambda: create(response_format="json_schema"),
        "create/response_format_proto": lambda: create(
            response_format=chat_pb2.ResponseFormat(format_type=chat_pb2.FORMAT_TYPE_JSON_SCHEMA, schema="{}")
        ),
        "create/response_format_bad": lambda: create(response_format="yaml"),
        "create/reasoning_effort_proto": lambda: create(reasoning_effort=chat_pb2.EFFORT_HIGH),
        "create/reasoning_effort_zero": lambda: create(reasoning_effort=0),
        "create/reasoning_effort_bad": lambda: create(reasoning_effort="extreme"),
        "create/reasoning_effort_upper": lambda: create(reasoning_effort="HIGH"),
        "create/include_all": lambda: create(
            include=[
                "web_search_call_output",
                "x_search_call_output",
                "code_execution_call_output",
                "collections_search_call_output",
                "attachment_search_call_output",
                "mcp_call_output",
                "inline_citations",
                "verbose_streaming",
            ]
        ),
        "create/include_proto": lambda: create(include=[chat_pb2.INCLUDE_OPTION_INLINE_CITATIONS]),
        "create/include_empty": lambda: create(include=[]),
        "create/include_bad": lambda: create(include=["everything"]),
        "create/agent_count_proto": lambda: create(agent_count=chat_pb2.AGENT_COUNT_16),
        "create/agent_count_bad": lambda: create(agent_count=8),
        "create/agent_count_true": lambda: create(agent_count=True),
        "create/service_tier_proto": lambda: create(service_tier=usage_pb2.SERVICE_TIER_PRIORITY),
        "create/service_tier_bad": lambda: create(service_tier="gold"),
        "create/guidelines_all": lambda: create(
            guidelines=[
                {"type": "policy", "category": "nsfw", "behavior": "decline"},
                {"type": "policy", "category": "violence", "behavior": "decline"},
                {"type": "policy", "category": "profanity", "behavior": "decline"},
            ]
        ),
        "create/guidelines_proto": lambda: create(
            guidelines=[
                chat_pb2.Guideline(
                    policy=chat_pb2.PolicyGuideline(
                        category=chat_pb2.GUIDELINE_CATEGORY_NSFW, behavior=chat_pb2.GUIDELINE_BEHAVIOR_DECLINE
                    )
                )
            ]
        ),
        "create/guidelines_empty": lambda: create(guidelines=[]),
        "create/guidelines_extra_key": lambda: create(guidelines=[{**GUIDELINE, "note": "ignored?"}]),
        "create/guidelines_no_type": lambda: create(guidelines=[{"category": "nsfw", "behavior": "decline"}]),
        "create/guidelines_bad_type": lambda: create(guidelines=[{**GUIDELINE, "type": "rule"}]),
        "create/guidelines_bad_category": lambda: create(guidelines=[{**GUIDELINE, "category": "gore"}]),
        "create/guidelines_bad_behavior": lambda: create(guidelines=[{**GUIDELINE, "behavior": "warn"}]),
        "create/guidelines_int_category": lambda: create(
            guidelines=[{**GUIDELINE, "category": chat_pb2.GUIDELINE_CATEGORY_NSFW}]
        ),
        "create/guidelines_not_a_dict": lambda: create(guidelines=["nsfw"]),
        "create/search_parameters_default": lambda: create(search_parameters=search.SearchParameters()),
        "create/search_parameters_full": lambda: create(
            search_parameters=search.SearchParameters(
                sources=[
                    search.web_source(country="US", excluded_websites=["a.com"]),
                    search.news_source(country="GB", excluded_websites=["b.com"], safe_search=False),
                    search.x_source(included_x_handles=["xai"], post_favorite_count=10, post_view_count=100),
                    search.rss_source(["https://example.com/feed.xml"]),
                ],
                mode="on",
                from_date=NAIVE,
                to_date=PLUS_TWO,
                return_citations=False,
                max_search_results=5,
            )
        ),
        "create/search_parameters_off": lambda: create(
            search_parameters=search.SearchParameters(mode="off", from_date=UTC, max_search_results=0)
        ),
        "create/search_parameters_bad_mode": lambda: create(search_parameters=search.SearchParameters(mode="always")),
        "create/search_parameters_proto": lambda: create(
            search_parameters=chat_pb2.SearchParameters(mode=chat_pb2.ON_SEARCH_MODE)
        ),
        "create/no_model": lambda: create(model=""),
        # messages
        "messages/all_roles": lambda: create(
            messages=[
                system("Be terse."),
                developer("Use metric units."),
                user("Look:", image("https://example.com/a.png"), text(" and "), file("file-1")),
                assistant("Seen."),
                tool_result("18 C", tool_call_id="call-1"),
                tool_result("no id"),
            ]
        ),
        "messages/empty_user": user,
        "messages/user_bad_part": lambda: user(42),
        "messages/image_default": lambda: image("data:image/png;base64,AAAA"),
        "messages/image_none_detail": lambda: image("https://example.com/a.png", detail=None),
        "messages/image_bad_detail": lambda: image("https://example.com/a.png", detail="ultra"),
        "messages/file_data": lambda: file(data=b"%PDF-1.7", filename="a.pdf", mime_type="application/pdf"),
        "messages/file_url": lambda: file(url="https://example.com/a.pdf", filename="a.pdf"),
        "messages/file_url_plain": lambda: file(url="https://example.com/a.pdf"),
        "messages/file_empty_data": lambda: file(data=b""),
        "messages/file_none": file,
        "messages/file_two": lambda: file("file-1", url="https://example.com/a.pdf"),
        "messages/file_id_with_name": lambda: file("file-1", filename="a.pdf"),
        "messages/tool": lambda: tool("f", "does f", {"type": "object", "properties": {}}),
        "messages/tool_unicode": lambda: tool("f", "déjà vu", {"description": "Ünïcödé 🚀"}),
        "messages/required_tool": lambda: required_tool("f"),
        "messages/tool_result_empty": lambda: tool_result(""),
        # append
        "append/messages": lambda: appended(system("s"), user("u"), assistant("a"), tool_result("r", "c")),
        "append/bad": lambda: appended("just a string"),
    }
    for effort in ("none", "low", "medium", "high", "xhigh"):
        cases[f"create/reasoning_effort_{effort}"] = lambda effort=effort: create(reasoning_effort=effort)
    for mode in ("auto", "none", "required"):
        cases[f"create/tool_choice_{mode}"] = lambda mode=mode: create(tool_choice=mode)
    for kind in ("text", "json_object"):
        cases[f"create/response_format_{kind}"] = lambda kind=kind: create(response_format=kind)
    for count in (4, 16):
        cases[f"create/agent_count_{count}"] = lambda count=count: create(agent_count=count)
    for tier in ("default", "priority"):
        cases[f"create/service_tier_{tier}"] = lambda tier=tier: create(service_tier=tier)
    for detail in ("auto", "low", "high"):
        cases[f"messages/image_{detail}"] = lambda detail=detail: image("https://example.com/a.png", detail=detail)
    cases.update(response_cases())
    return cases


def response_cases() -> dict[str, Case]:
    """Appending responses (built from protos, as a server would send them) replays their outputs."""
    call = chat_pb2.ToolCall(
        id="call-1",
        type=chat_pb2.TOOL_CALL_TYPE_WEB_SEARCH_TOOL,
        function=chat_pb2.FunctionCall(name="web_search", arguments='{"q": "x"}'),
    )
    proto = chat_pb2.GetChatCompletionResponse(
        id="resp-1",
        outputs=[
            chat_pb2.CompletionOutput(
                index=0,
                message=chat_pb2.CompletionMessage(
                    role=chat_pb2.ROLE_ASSISTANT, content="", reasoning_content="thinking", tool_calls=[call]
                ),
            ),
            chat_pb2.CompletionOutput(
                index=0,
                message=chat_pb2.CompletionMessage(role=chat_pb2.ROLE_TOOL, content="results", tool_calls=[call]),
            ),
            chat_pb2.CompletionOutput(
                index=0,
                message=chat_pb2.CompletionMessage(
                    role=chat_pb2.ROLE_ASSISTANT, content="Answer.", encrypted_content="enc"
                ),
            ),
        ],
    )
    plain = chat_pb2.GetChatCompletionResponse(
        id="resp-2",
        outputs=[
            chat_pb2.CompletionOutput(
                index=0, message=chat_pb2.CompletionMessage(role=chat_pb2.ROLE_ASSISTANT, content="Hi.")
            )
        ],
    )
    two = chat_pb2.GetChatCompletionResponse()
    two.CopyFrom(proto)
    two.outputs.add(
        index=1,
        message=chat_pb2.CompletionMessage(
            role=chat_pb2.ROLE_ASSISTANT, content="Second.", tool_calls=[chat_pb2.ToolCall(id="call-2")]
        ),
    )
    return {
        "append/response_multi_index_0": lambda: appended(Response(two, 0)),
        "append/response_multi_index_1": lambda: appended(Response(two, 1)),
        "append/response_missing_index": lambda: appended(Response(two, 7)),
        "append/response_multi_unindexed": lambda: appended(Response(two, None)),
        "append/response_empty": lambda: appended(Response(chat_pb2.GetChatCompletionResponse(), None)),
        "append/response_agentic": lambda: appended(user("q"), Response(proto, None)),
        "append/response_indexed": lambda: appended(user("q"), Response(plain, 0)),
        "append/response_plain_unindexed": lambda: appended(user("q"), Response(plain, None)),
    }


def tool_cases() -> dict[str, Case]:
    return {
        "tools/web_search_default": tools.web_search,
        "tools/web_search_full": lambda: tools.web_search(
            excluded_domains=["spam.com"],
            enable_image_understanding=True,
            enable_image_search=True,
            user_location_country="US",
            user_location_city="San Francisco",
            user_location_region="CA",
            user_location_timezone="America/Los_Angeles",
        ),
        "tools/web_search_allowed": lambda: tools.web_search(None, ["example.com"]),
        "tools/web_search_empty_lists": lambda: tools.web_search([], []),
        "tools/web_search_city_only": lambda: tools.web_search(user_location_city="Paris"),
        "tools/web_search_empty_country": lambda: tools.web_search(user_location_country=""),
        "tools/x_search_default": tools.x_search,
        "tools/x_search_full": lambda: tools.x_search(
            NAIVE, PLUS_TWO, ["xai"], None, enable_image_understanding=True, enable_video_understanding=True
        ),
        "tools/x_search_utc_excluded": lambda: tools.x_search(from_date=UTC, excluded_x_handles=["spam"]),
        "tools/x_search_before_epoch": lambda: tools.x_search(to_date=BEFORE_EPOCH),
        "tools/code_execution": tools.code_execution,
        "tools/image_generation_default": tools.image_generation,
        "tools/image_generation_auto": lambda: tools.image_generation("auto"),
        "tools/image_generation_generate": lambda: tools.image_generation("generate"),
        "tools/image_generation_edit": lambda: tools.image_generation(action="edit"),
        "tools/image_generation_other": lambda: tools.image_generation("paint"),
        "tools/collections_search_minimal": lambda: tools.collections_search(["c-1"]),
        "tools/collections_search_full": lambda: tools.collections_search(
            ["c-1", "c-2"], 5, instructions="Prefer recent documents.", retrieval_mode="semantic"
        ),
        "tools/collections_search_limit_zero": lambda: tools.collections_search([], 0, instructions=""),
        "tools/collections_search_hybrid": lambda: tools.collections_search(["c"], retrieval_mode="hybrid"),
        "tools/collections_search_keyword": lambda: tools.collections_search(["c"], retrieval_mode="keyword"),
        "tools/collections_search_proto_hybrid": lambda: tools.collections_search(
            ["c"], retrieval_mode=documents_pb2.HybridRetrieval()
        ),
        "tools/collections_search_proto_semantic": lambda: tools.collections_search(
            ["c"], retrieval_mode=documents_pb2.SemanticRetrieval()
        ),
        "tools/collections_search_proto_keyword": lambda: tools.collections_search(
            ["c"], retrieval_mode=documents_pb2.KeywordRetrieval()
        ),
        "tools/collections_search_bad_mode": lambda: tools.collections_search(["c"], retrieval_mode="fuzzy"),
        "tools/collections_search_bad_mode_type": lambda: tools.collections_search(["c"], retrieval_mode=3),
        "tools/mcp_minimal": lambda: tools.mcp("https://mcp.example.com"),
        "tools/mcp_full": lambda: tools.mcp(
            "https://mcp.example.com",
            "docs",
            "Documentation server",
            ["search", "fetch"],
            "Bearer t",
            {"X-Team": "a", "X-Env": "prod"},
        ),
        "tools/mcp_empty": lambda: tools.mcp("", "", "", [], "", {}),
    }


def tool_call_type_cases() -> dict[str, Case]:
    cases: dict[str, Case] = {}
    for value in chat_pb2.ToolCallType.values():
        name = chat_pb2.ToolCallType.Name(value)
        cases[f"tools/get_tool_call_type_{name}"] = lambda value=value: {
            "value": tools.get_tool_call_type(chat_pb2.ToolCall(type=value))
        }
    cases["tools/get_tool_call_type_unknown"] = lambda: {"value": tools.get_tool_call_type(chat_pb2.ToolCall(type=999))}
    return cases


def search_cases() -> dict[str, Case]:
    cases: dict[str, Case] = {
        "search/web_default": search.web_source,
        "search/web_full": lambda: search.web_source("US", ["a.com"], ["b.com"], safe_search=False),
        "search/web_empty": lambda: search.web_source("", [], []),
        "search/news_default": search.news_source,
        "search/news_full": lambda: search.news_source("FR", ("a.com", "b.com"), safe_search=False),
        "search/x_default": search.x_source,
        "search/x_full": lambda: search.x_source(["xai"], ["spam"], 0, 1_000_000),
        "search/rss": lambda: search.rss_source(["https://a.example/feed", "https://b.example/rss"]),
        "search/rss_empty": lambda: search.rss_source([]),
        "search/params_default": lambda: search.SearchParameters()._to_proto(),
        "search/params_before_epoch": lambda: search.SearchParameters(from_date=BEFORE_EPOCH)._to_proto(),
        "search/params_sources_tuple": lambda: search.SearchParameters(
            sources=(search.web_source(), search.x_source())
        )._to_proto(),
        "search/params_bad_mode": lambda: search.SearchParameters(mode="ON")._to_proto(),
        "search/params_fields": lambda: {
            "value": [
                [field, repr(getattr(search.SearchParameters(), field))]
                for field in ("sources", "mode", "from_date", "to_date", "return_citations", "max_search_results")
            ]
        },
    }
    for mode in ("auto", "on", "off"):
        cases[f"search/params_mode_{mode}"] = lambda mode=mode: search.SearchParameters(
            mode=mode, to_date=UTC
        )._to_proto()
    return cases


def table_cases() -> dict[str, Case]:
    """The public literal-to-enum tables and conversions."""
    from xai_sdk import cost, service_tier, types
    from xai_sdk.types import video

    def table(mapping: dict[Any, int]) -> dict[str, Any]:
        return {"value": [[key, int(value)] for key, value in mapping.items()]}

    cases: dict[str, Case] = {
        "types/AgentCountMap": lambda: table(types.AgentCountMap),
        "types/IncludeOptionMap": lambda: table(types.IncludeOptionMap),
        "types/GuidelineCategoryMap": lambda: table(types.GuidelineCategoryMap),
        "types/GuidelineBehaviorMap": lambda: table(types.GuidelineBehaviorMap),
        "types/VideoAspectRatioMap": lambda: table(video.VideoAspectRatioMap),
        "types/VideoResolutionMap": lambda: table(video.VideoResolutionMap),
        "types/ServiceTierMap": lambda: table(service_tier.ServiceTierMap),
        "types/Guideline_keys": lambda: {"value": sorted(types.Guideline.__annotations__)},
        "service_tier/to_default": lambda: {"value": int(service_tier.service_tier_to_proto("default"))},
        "service_tier/to_priority": lambda: {"value": int(service_tier.service_tier_to_proto("priority"))},
        "service_tier/to_bad": lambda: service_tier.service_tier_to_proto("gold"),
        "cost/usd_per_tick": lambda: {"value": cost.USD_PER_TICK},
        "cost/unset": lambda: {"value": cost.cost_usd_from_usage(usage_pb2.SamplingUsage())},
        "cost/zero": lambda: {"value": cost.cost_usd_from_usage(usage_pb2.SamplingUsage(cost_in_usd_ticks=0))},
        "cost/set": lambda: {"value": cost.cost_usd_from_usage(usage_pb2.SamplingUsage(cost_in_usd_ticks=123_456_789))},
    }
    for name, value in usage_pb2.ServiceTier.items():
        cases[f"service_tier/from_{name}"] = lambda value=value: {"value": service_tier.service_tier_from_proto(value)}
    cases["service_tier/from_unknown"] = lambda: {"value": service_tier.service_tier_from_proto(42)}
    for module, names in (
        ("chat", ("AgentCount", "ReasoningEffort", "ImageDetail", "ToolMode", "ResponseFormat", "IncludeOption")),
        ("chat", ("GuidelineCategory", "GuidelineBehavior")),
        ("common", ("ServiceTier",)),
        ("image", ("ImageFormat", "ImageAspectRatio", "ImageResolution", "ImageQuality")),
        ("model", ("ChatModel", "ImageGenerationModel", "VideoGenerationModel")),
        ("video", ("VideoAspectRatio", "VideoResolution")),
    ):
        for name in names:
            cases[f"types/{module}.{name}"] = lambda module=module, name=name: {
                "value": list(getattr(getattr(types, module), name).__args__)
            }
    return cases


def pydantic_cases() -> dict[str, Case]:
    from pydantic import BaseModel, Field

    class Weather(BaseModel):
        city: str = Field(description="City name")
        celsius: float
        tags: list[str] = []

    def validate(validator_name: str, value: Any) -> Any:
        from xai_sdk import types

        return {"value": getattr(types, validator_name).validate_python(value)}

    return {
        "create/response_format_pydantic": lambda: create(response_format=Weather),
        "validators/keyframe_url": lambda: validate(
            "KeyframeValidator", {"image_url": " https://a/b.png ", "timestamp": 1.5}
        ),
        "validators/keyframe_file": lambda: validate("KeyframeValidator", {"image_file_id": "file-1", "timestamp": 2}),
        "validators/keyframe_both": lambda: validate(
            "KeyframeValidator", {"image_url": "u", "image_file_id": "f", "timestamp": 1}
        ),
        "validators/keyframe_blank": lambda: validate("KeyframeValidator", {"image_url": "  ", "timestamp": 1}),
        "validators/keyframe_no_time": lambda: validate("KeyframeValidator", {"image_url": "u"}),
        "validators/keyframe_str_time": lambda: validate("KeyframeValidator", {"image_url": "u", "timestamp": "3"}),
        "validators/audio": lambda: validate("ReferenceAudioValidator", {"voice_id": " ara "}),
        "validators/audio_blank": lambda: validate("ReferenceAudioValidator", {"voice_id": ""}),
        "validators/audio_extra": lambda: validate("ReferenceAudioValidator", {"voice_id": "leo", "x": 1}),
        "validators/audio_not_dict": lambda: validate("ReferenceAudioValidator", "ara"),
    }


def run(case: Case) -> Any:
    try:
        result = case()
    except Exception as exc:  # the kind of error is what we compare
        for kind in (ValueError, TypeError, KeyError, AttributeError):
            if isinstance(exc, kind):
                return {"error": kind.__name__}
        return {"error": type(exc).__name__}
    if isinstance(result, Message):
        return result.SerializeToString(deterministic=True).hex()
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-pydantic", action="store_true", help="leave out the cases that need pydantic")
    args = parser.parse_args(argv)
    cases = {**chat_cases(), **tool_cases(), **tool_call_type_cases(), **search_cases(), **table_cases()}
    if not args.no_pydantic:
        cases.update(pydantic_cases())
    results = {name: run(case) for name, case in sorted(cases.items())}
    json.dump(results, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
