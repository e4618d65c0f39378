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

__all__ = [
    "AgentCountMap",
    "BaseChat",
    "BaseClient",
    "Chunk",
    "CompactContextResponse",
    "CompletionOutputChunk",
    "DeferredChatError",
    "GuidelineBehaviorMap",
    "GuidelineCategoryMap",
    "ImageGenerationOutput",
    "IncludeOptionMap",
    "Response",
    "assistant",
    "developer",
    "file",
    "image",
    "required_tool",
    "system",
    "text",
    "tool",
    "tool_result",
    "user",
]
