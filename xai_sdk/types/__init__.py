"""Public type aliases, ``TypedDict`` shapes and literal-to-proto tables of the SDK.

Importing this package does not import pydantic: the two pydantic validators
(``KeyframeValidator``, ``ReferenceAudioValidator``) are built on first access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xai_sdk.types.chat import (
    AgentCount,
    AgentCountMap,
    Content,
    Guideline,
    GuidelineBehavior,
    GuidelineBehaviorMap,
    GuidelineCategory,
    GuidelineCategoryMap,
    ImageDetail,
    IncludeOption,
    IncludeOptionMap,
    ReasoningEffort,
    ResponseFormat,
    ToolMode,
)
from xai_sdk.types.common import ServiceTier
from xai_sdk.types.image import ImageAspectRatio, ImageFormat, ImageQuality, ImageResolution
from xai_sdk.types.model import AllModels, ChatModel, ImageGenerationModel, VideoGenerationModel
from xai_sdk.types.video import (
    FileIdKeyframe,
    Keyframe,
    ReferenceAudio,
    UrlKeyframe,
    VideoAspectRatio,
    VideoResolution,
    VoiceAudioRef,
)

if TYPE_CHECKING:
    from xai_sdk.types.video import KeyframeValidator, ReferenceAudioValidator

__all__ = [
    "AgentCount",
    "AgentCountMap",
    "AllModels",
    "ChatModel",
    "Content",
    "FileIdKeyframe",
    "Guideline",
    "GuidelineBehavior",
    "GuidelineBehaviorMap",
    "GuidelineCategory",
    "GuidelineCategoryMap",
    "ImageAspectRatio",
    "ImageDetail",
    "ImageFormat",
    "ImageGenerationModel",
    "ImageQuality",
    "ImageResolution",
    "IncludeOption",
    "IncludeOptionMap",
    "Keyframe",
    "KeyframeValidator",
    "ReasoningEffort",
    "ReferenceAudio",
    "ReferenceAudioValidator",
    "ResponseFormat",
    "ServiceTier",
    "ToolMode",
    "UrlKeyframe",
    "VideoAspectRatio",
    "VideoGenerationModel",
    "VideoResolution",
    "VoiceAudioRef",
]


def __getattr__(name: str) -> Any:
    if name in ("KeyframeValidator", "ReferenceAudioValidator"):
        from xai_sdk.types import video

        value = getattr(video, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
