"""Let the server run tools for the model (web search, X search, code) and see what it did.

Run against the fake with ``xai-fake exec -- python examples/sync/server_side_tools.py``.
"""

from xai_sdk import Client
from xai_sdk.chat import user
from xai_sdk.tools import code_execution, get_tool_call_type, web_search, x_search

MODEL = "grok-4.20"


def main() -> None:
    with Client() as client:
        chat = client.chat.create(
            MODEL,
            tools=[web_search(excluded_domains=["example.com"]), x_search(), code_execution()],
            include=["verbose_streaming", "code_execution_call_output"],  # stream tool calls and code output
        )
        chat.append(user("Find today's price of gold per ounce and compute the price of 37 grams."))
        for so_far, chunk in chat.stream():
            response = so_far
            for call in chunk.tool_calls:
                print(f"[{get_tool_call_type(call)}] {call.function.name}({call.function.arguments})")
            for output in chunk.tool_outputs:
                if output.content:
                    print(f"  -> {output.content[:80]}")
            print(chunk.content, end="", flush=True)
        print("\n")

        print("citations:", *response.citations or ["(none)"], sep="\n  ")
        print(f"tool usage: {response.server_side_tool_usage}")
        print(f"{len(response.tool_calls)} tool call(s) in the final response")
        if response.cost_usd is not None:  # one request covers every tool call the server made
            print(f"cost: ${response.cost_usd:.4f}")


if __name__ == "__main__":
    main()
