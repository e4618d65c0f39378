"""Chat: message helpers, ``Response`` and ``Chunk``, and the shared chat client base.

Build a conversation with ``client.chat.create(model, messages=[system(...), user(...)])``
then ``sample()``, ``stream()``, ``parse()`` or ``defer()`` it (see ``xai_sdk.sync.chat``
and ``xai_sdk.aio.chat``).
"""

from xai_sdk._chat.base import BaseChat, BaseClient, DeferredChatError
from xai_sdk._chat.messages import (
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
from xai_sdk._chat.request import (
    AGENT_COUNT as AgentCountMap,
)
from xai_sdk._chat.request import (
    GUIDELINE_BEHAVIOR as GuidelineBehaviorMap,
)
from xai_sdk._chat.request import (
    GUIDELINE_CATEGORY as GuidelineCategoryMap,
)
from xai_sdk._chat.request import (
    INCLUDE_OPTION as IncludeOptionMap,
)
from xai_sdk._chat.response import (
    Chunk,
    CompactContextResponse,
    CompletionOutputChunk,
    ImageGenerationOutput,
    Response,
)
from xai_sdk.cost import cost_usd_from_usage
from xai_sdk.meta import ProtoDecorator
from xai_sdk.proto import chat_pb2, chat_pb2_grpc, image_pb2, sample_pb2, usage_pb2
from xai_sdk.search import SearchParameters
from xai_sdk.service_tier import service_tier_from_proto, service_tier_to_proto
from xai_sdk.types.chat import (
    AgentCount,
    Content,
    Guideline,
    ImageDetail,
    IncludeOption,
    ReasoningEffort,
    ResponseFormat,
    ToolMode,
)
from xai_sdk.types.common import ServiceTier
from xai_sdk.types.model import ChatModel

__all__ = [
    "AgentCount",
    "AgentCountMap",
    "BaseChat",
    "BaseClient",
    "ChatModel",
    "Chunk",
    "CompactContextResponse",
    "CompletionOutputChunk",
    "Content",
    "DeferredChatError",
    "Guideline",
    "GuidelineBehaviorMap",
    "GuidelineCategoryMap",
    "ImageDetail",
    "ImageGenerationOutput",
    "IncludeOption",
    "IncludeOptionMap",
    "ProtoDecorator",
    "ReasoningEffort",
    "Response",
    "ResponseFormat",
    "SearchParameters",
    "ServiceTier",
    "ToolMode",
    "assistant",
    "chat_pb2",
    "chat_pb2_grpc",
    "cost_usd_from_usage",
    "developer",
    "file",
    "image",
    "image_pb2",
    "required_tool",
    "sample_pb2",
    "service_tier_from_proto",
    "service_tier_to_proto",
    "system",
    "text",
    "tool",
    "tool_result",
    "usage_pb2",
    "user",
]
