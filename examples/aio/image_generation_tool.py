"""Let the model draw during a chat with the server-side ``image_generation`` tool (async client).

Unlike ``client.image``, the tool is used by the model itself, inside one chat request.
Run against the fake with ``xai-fake exec -- python examples/aio/image_generation_tool.py``.
"""

import asyncio
import tempfile
from pathlib import Path

from xai_sdk import AsyncClient
from xai_sdk.chat import Response, user
from xai_sdk.tools import image_generation, web_search

MODEL = "grok-4.5"


def save(response: Response, folder: Path, stem: str) -> int:
    """Write every image the response carries, say what it is, and return how many there were."""
    for index, output in enumerate(response.image_outputs):
        extension = output.mime_type.split("/")[-1]
        path = folder / f"{stem}-{index}.{extension}"
        path.write_bytes(output.image)
        print(f"  {output.tool_call.function.name}: {len(output.image):,} bytes -> {path.name}")
    return len(response.image_outputs)


async def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="xai-tool-images-"))
    async with AsyncClient() as client:
        chat = client.chat.create(MODEL, tools=[image_generation()])
        chat.append(user("Draw a lemon tree on a balcony, in flat vector style."))
        first = await chat.sample()
        print(f"Grok: {first.content}")
        saved = save(first, folder, "lemon-tree")

        # The generated image stays in the conversation, so a later turn can edit it.
        chat.append(first)
        chat.append(user("Now make it autumn: orange leaves, some lemons on the floor."))
        second = await chat.sample()
        saved += save(second, folder, "lemon-tree-autumn")

        # Combined with search: look something up, then draw it.
        combo = client.chat.create(MODEL, tools=[web_search(), image_generation(action="generate")])
        combo.append(user("Draw the flag of the country that hosts the next Winter Olympics."))
        third = await combo.sample()
        saved += save(third, folder, "flag")
        print(f"server-side tool usage: {third.server_side_tool_usage}")
    print(f"{saved} image(s) in {folder}")


if __name__ == "__main__":
    asyncio.run(main())
