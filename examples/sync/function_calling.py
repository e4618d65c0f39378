"""Let the model call a local function: define the tool, run the call, send back the result.

Run against the fake with ``xai-fake exec -- python examples/sync/function_calling.py``.
"""

import json

from xai_sdk import Client
from xai_sdk.chat import system, tool, tool_result, user

MODEL = "grok-4.20-non-reasoning"

STOCK_TOOL = tool(
    name="check_stock",
    description="How many units of a product are in the warehouse.",
    parameters={
        "type": "object",
        "properties": {
            "product": {"type": "string", "description": "The product name."},
            "warehouse": {"type": "string", "enum": ["north", "south"]},
        },
        "required": ["product", "warehouse"],
    },
)


def check_stock(product: str, warehouse: str) -> dict[str, object]:
    """Our side of the tool: a pretend inventory lookup."""
    return {"product": product, "warehouse": warehouse, "units": 12 if warehouse == "north" else 3}


def main() -> None:
    with Client() as client:
        chat = client.chat.create(
            MODEL, messages=[system("You answer inventory questions.")], tools=[STOCK_TOOL], tool_choice="auto"
        )
        chat.append(user("How many blue kettles are left in the north warehouse?"))
        response = chat.sample()
        chat.append(response)  # the assistant turn carrying the tool calls

        while response.tool_calls:
            for call in response.tool_calls:
                arguments = json.loads(call.function.arguments)
                print(f"model calls {call.function.name}({arguments})")
                result = check_stock(str(arguments["product"]), str(arguments["warehouse"]))
                chat.append(tool_result(json.dumps(result), tool_call_id=call.id))
            response = chat.sample()
            chat.append(response)

        print(f"final answer: {response.content}")


if __name__ == "__main__":
    main()
