"""Types of the video generation API.

``KeyframeValidator`` and ``ReferenceAudioValidator`` are pydantic ``TypeAdapter`` objects;
they are built on first access so that importing this module does not import pydantic.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from xai_sdk.proto import video_pb2

try:  # pydantic validates only typing_extensions' TypedDict before Python 3.12
    from typing_extensions import TypedDict
except ImportError:  # pragma: no cover - typing_extensions is not a dependency
    from typing import TypedDict

if TYPE_CHECKING:
    from pydantic import TypeAdapter

__all__ = [
    "FileIdKeyframe",
    "Keyframe",
    "KeyframeValidator",
    "ReferenceAudio",
    "ReferenceAudioValidator",
    "UrlKeyframe",
    "VideoAspectRatio",
    "VideoAspectRatioMap",
    "VideoResolution",
    "VideoResolutionMap",
    "VoiceAudioRef",
]

VideoAspectRatio: TypeAlias = Literal["1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3"]
VideoResolution: TypeAlias = Literal["480p", "720p", "1080p"]


class VoiceAudioRef(TypedDict):
    """Reference audio naming a preset voice of the xAI voice catalog, e.g. ``{"voice_id": "ara"}``.

    The validator strips ``voice_id`` and rejects it when empty.
    """

    voice_id: str


#: One entry of ``reference_audios``.
ReferenceAudio: TypeAlias = VoiceAudioRef


class UrlKeyframe(TypedDict):
    """A keyframe given by image URL (or ``data:`` URL), shown ``timestamp`` seconds into the video.

    The timestamp must lie strictly between 0 and the video's duration.
    """

    image_url: str
    timestamp: float


class FileIdKeyframe(TypedDict):
    """A keyframe given by the id of an uploaded file, shown ``timestamp`` seconds into the video.

    The timestamp must lie strictly between 0 and the video's duration.
    """

    image_file_id: str
    timestamp: float


#: One entry of ``keyframes``: exactly one image source, and a timestamp.
Keyframe: TypeAlias = UrlKeyframe | FileIdKeyframe

VideoAspectRatioMap: dict[VideoAspectRatio, video_pb2.VideoAspectRatio] = {
    "1:1": video_pb2.VIDEO_ASPECT_RATIO_1_1,
    "16:9": video_pb2.VIDEO_ASPECT_RATIO_16_9,
    "9:16": video_pb2.VIDEO_ASPECT_RATIO_9_16,
    "4:3": video_pb2.VIDEO_ASPECT_RATIO_4_3,
    "3:4": video_pb2.VIDEO_ASPECT_RATIO_3_4,
    "3:2": video_pb2.VIDEO_ASPECT_RATIO_3_2,
    "2:3": video_pb2.VIDEO_ASPECT_RATIO_2_3,
}

VideoResolutionMap: dict[VideoResolution, video_pb2.VideoResolution] = {
    "480p": video_pb2.VIDEO_RESOLUTION_480P,
    "720p": video_pb2.VIDEO_RESOLUTION_720P,
    "1080p": video_pb2.VIDEO_RESOLUTION_1080P,
}


@functools.cache
def _validators() -> dict[str, TypeAdapter[Any]]:
    """Build the pydantic adapters; the strict shapes live here so pydantic stays optional."""
    from typing import Annotated

    from pydantic import ConfigDict, StringConstraints, TypeAdapter
    from typing_extensions import TypedDict as PydanticTypedDict

    # Whitespace is stripped and the result must not be empty.
    Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

    class VoiceAudioRef(PydanticTypedDict):
        voice_id: Text

    class UrlKeyframe(PydanticTypedDict):
        image_url: Text
        timestamp: float

    class FileIdKeyframe(PydanticTypedDict):
        image_file_id: Text
        timestamp: float

    return {
        "ReferenceAudioValidator": TypeAdapter(VoiceAudioRef),
        # Extra keys are refused, so an entry cannot carry both an image URL and a file id.
        "KeyframeValidator": TypeAdapter(
            UrlKeyframe | FileIdKeyframe,
            config=ConfigDict(extra="forbid"),
        ),
    }


if TYPE_CHECKING:
    ReferenceAudioValidator: TypeAdapter[ReferenceAudio]
    KeyframeValidator: TypeAdapter[Keyframe]


def __getattr__(name: str) -> Any:
    if name in ("KeyframeValidator", "ReferenceAudioValidator"):
        value = _validators()[name]
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
