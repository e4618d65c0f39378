"""Our own promises about ``xai_sdk.tools``, ``xai_sdk.search``, ``xai_sdk.types``, ``cost`` and ``service_tier``.

Byte equality with the official SDK is checked in ``tests/conformance/test_request_building.py``;
these tests cover what the differential cannot see: lazy imports, one definition per table,
error messages that say what to do, and the tables keeping up with the protos.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
import textwrap
from typing import Any

import pytest

import xai_sdk
from xai_sdk import cost, search, service_tier, tools, types
from xai_sdk._chat import request as requests
from xai_sdk.chat import Response, user
from xai_sdk.proto import chat_pb2, documents_pb2, usage_pb2, video_pb2


def run_python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_public_modules_do_not_import_pydantic() -> None:
    out = run_python(
        """
        import sys
        import xai_sdk, xai_sdk.chat, xai_sdk.types, xai_sdk.tools, xai_sdk.search, xai_sdk.cost, xai_sdk.service_tier
        from xai_sdk.types import Guideline, Keyframe, VoiceAudioRef
        from xai_sdk.types.video import VideoAspectRatioMap
        xai_sdk.tools.web_search(); xai_sdk.search.SearchParameters()._to_proto()
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("pydantic", "pydantic_core")))
        """
    )
    assert out == "[]"


def test_validators_are_built_on_first_access() -> None:
    out = run_python(
        """
        import sys
        import xai_sdk.types as types
        assert "pydantic" not in sys.modules
        validator = types.KeyframeValidator
        assert "pydantic" in sys.modules
        assert validator is types.KeyframeValidator is types.video.KeyframeValidator
        print(validator.validate_python({"image_file_id": " f-1 ", "timestamp": 2}))
        """
    )
    assert out == "{'image_file_id': 'f-1', 'timestamp': 2.0}"


def test_validators_refuse_bad_entries() -> None:
    import pydantic

    assert types.ReferenceAudioValidator.validate_python({"voice_id": "  leo "}) == {"voice_id": "leo"}
    bad_audio: list[object] = [{"voice_id": "  "}, {}, "ara"]
    for value in bad_audio:
        with pytest.raises(pydantic.ValidationError):
            types.ReferenceAudioValidator.validate_python(value)
    bad_keyframes: list[object] = [{"image_url": "u", "image_file_id": "f", "timestamp": 1}, {"image_url": "u"}, {}]
    for value in bad_keyframes:
        with pytest.raises(ValueError, match="validation error"):  # a ValidationError, as in the official SDK
            types.KeyframeValidator.validate_python(value)


def test_types_module_lists_its_names() -> None:
    assert {"KeyframeValidator", "ReferenceAudioValidator", "Guideline"} <= set(dir(types))
    assert set(types.__all__) <= set(dir(types))
    with pytest.raises(AttributeError, match="NoSuchType"):
        types.NoSuchType  # noqa: B018 - the attribute access is the test


def test_tables_are_defined_once() -> None:
    """The private request builder and ``xai_sdk.chat`` use the public tables, not copies."""
    assert requests.AGENT_COUNT is types.AgentCountMap
    assert requests.INCLUDE_OPTION is types.IncludeOptionMap
    assert requests.GUIDELINE_CATEGORY is types.GuidelineCategoryMap
    assert requests.GUIDELINE_BEHAVIOR is types.GuidelineBehaviorMap
    assert requests.SERVICE_TIER is service_tier.ServiceTierMap
    assert xai_sdk.chat.IncludeOptionMap is types.IncludeOptionMap


# Enum values the official 1.21.0 literals do not name either (so neither do ours).
NOT_IN_OFFICIAL_LITERALS = {"INCLUDE_OPTION_CODE_EXECUTION_FILES_OUTPUT"}


@pytest.mark.parametrize(
    ("table", "enum", "prefix"),
    [
        (types.IncludeOptionMap, chat_pb2.IncludeOption, "INCLUDE_OPTION_"),
        (types.AgentCountMap, chat_pb2.AgentCount, "AGENT_COUNT_"),
        (types.GuidelineCategoryMap, chat_pb2.GuidelineCategory, "GUIDELINE_CATEGORY_"),
        (types.GuidelineBehaviorMap, chat_pb2.GuidelineBehavior, "GUIDELINE_BEHAVIOR_"),
        (service_tier.ServiceTierMap, usage_pb2.ServiceTier, "SERVICE_TIER_"),
        (types.video.VideoAspectRatioMap, video_pb2.VideoAspectRatio, "VIDEO_ASPECT_RATIO_"),
        (types.video.VideoResolutionMap, video_pb2.VideoResolution, "VIDEO_RESOLUTION_"),
    ],
)
def test_tables_cover_every_enum_value(table: dict[Any, int], enum: Any, prefix: str) -> None:
    """Each literal maps to the enum value of the same name, and only the unset value has no literal."""
    for literal, value in table.items():
        assert enum.Name(value) == prefix + str(literal).upper().replace(":", "_")
    unmapped = set(enum.values()) - set(table.values())
    allowed = {prefix + "UNSPECIFIED", prefix + "INVALID", *NOT_IN_OFFICIAL_LITERALS}
    assert {enum.Name(value) for value in unmapped} <= allowed


def test_literal_types_match_their_tables() -> None:
    assert list(types.IncludeOption.__args__) == list(types.IncludeOptionMap)  # type: ignore[attr-defined]
    assert list(types.ServiceTier.__args__) == list(service_tier.ServiceTierMap)  # type: ignore[attr-defined]
    assert list(types.VideoResolution.__args__) == list(types.video.VideoResolutionMap)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: tools.collections_search(["c"], retrieval_mode="fuzzy"), r"'fuzzy'.*'hybrid', 'semantic'"),
        (lambda: search.SearchParameters(mode="always")._to_proto(), r"'always'.*'auto', 'on', 'off'"),  # type: ignore[arg-type]
        (lambda: service_tier.service_tier_to_proto("gold"), r"'gold'.*'default', 'priority'"),  # type: ignore[arg-type]
        (lambda: requests.guideline({"category": "nsfw", "behavior": "decline"}), "type.*'policy'"),
        (lambda: requests.guideline({"type": "policy", "category": "gore", "behavior": "decline"}), "'nsfw'"),
        (lambda: requests.guideline("nsfw"), r"\{'type': 'policy'"),
        (lambda: requests.build_request("grok-4", None, agent_count=8), r"agent count: 8.*4, 16"),
        (lambda: requests.build_request("grok-4", None, reasoning_effort="max"), "'xhigh'"),
    ],
)
def test_invalid_values_raise_actionable_value_errors(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_guideline_accepts_any_mapping_and_ignores_extra_keys() -> None:
    from types import MappingProxyType

    mapping = MappingProxyType({"type": "policy", "category": "profanity", "behavior": "decline", "x": 1})
    assert requests.guideline(mapping) == chat_pb2.Guideline(
        policy=chat_pb2.PolicyGuideline(
            category=chat_pb2.GUIDELINE_CATEGORY_PROFANITY, behavior=chat_pb2.GUIDELINE_BEHAVIOR_DECLINE
        )
    )


def test_dates_become_timestamps_in_utc() -> None:
    paris_summer = datetime.timezone(datetime.timedelta(hours=2))
    aware = datetime.datetime(2025, 7, 1, 14, 0, tzinfo=paris_summer)
    naive = datetime.datetime(2025, 7, 1, 12, 0)
    params = search.SearchParameters(from_date=aware, to_date=naive)._to_proto()
    assert params.from_date == params.to_date
    assert params.from_date.ToDatetime() == naive
    x = tools.x_search(from_date=aware).x_search
    assert x.from_date == params.from_date and not x.HasField("to_date")


def test_unset_options_stay_unset() -> None:
    web = tools.web_search().web_search
    assert not web.HasField("user_location")
    assert web.HasField("enable_image_search") and not web.enable_image_search
    assert not tools.image_generation().image_generation.HasField("action")
    collections = tools.collections_search(["c"]).collections_search
    assert collections.WhichOneof("retrieval_mode") is None and not collections.HasField("limit")
    proto_mode = documents_pb2.SemanticRetrieval()
    chosen = tools.collections_search(["c"], retrieval_mode=proto_mode).collections_search
    assert chosen.WhichOneof("retrieval_mode") == "semantic_retrieval"
    params = search.SearchParameters()._to_proto()
    assert not params.HasField("from_date") and not params.HasField("max_search_results")
    assert params.return_citations and params.mode == chat_pb2.AUTO_SEARCH_MODE


def test_get_tool_call_type_names() -> None:
    call = chat_pb2.ToolCall(type=chat_pb2.TOOL_CALL_TYPE_COLLECTIONS_SEARCH_TOOL)
    assert tools.get_tool_call_type(call) == "collections_search_tool"
    assert tools.get_tool_call_type(chat_pb2.ToolCall()) == "invalid"


def test_cost_and_service_tier_feed_the_response() -> None:
    usage = usage_pb2.SamplingUsage(cost_in_usd_ticks=25_000_000_000)
    assert cost.cost_usd_from_usage(usage) == pytest.approx(2.5)
    assert cost.cost_usd_from_usage(usage_pb2.SamplingUsage()) is None
    proto = chat_pb2.GetChatCompletionResponse(usage=usage, service_tier=usage_pb2.SERVICE_TIER_PRIORITY)
    response = Response(proto, None)
    assert response.cost_usd == pytest.approx(2.5)
    assert response.service_tier == "priority"
    assert service_tier.service_tier_from_proto(usage_pb2.SERVICE_TIER_UNSPECIFIED) == "default"


def test_search_parameters_in_chat_create() -> None:
    params = search.SearchParameters(sources=[search.rss_source(["https://a.example/feed"])], mode="on")
    request = requests.build_request("grok-4", [user("hi")], search_parameters=params)
    assert request.search_parameters == params._to_proto()
    assert request.search_parameters.sources[0].rss.links == ["https://a.example/feed"]
