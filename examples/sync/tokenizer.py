"""Count the tokens of a text and see how a model splits it.

Run against the fake with ``xai-fake exec -- python examples/sync/tokenizer.py [text]``.
"""

import sys

from xai_sdk import Client

MODEL = "grok-4"


def main() -> None:
    text = " ".join(sys.argv[1:]) or "Tokenizers split text into pieces; 12345 digits too!"
    with Client() as client:
        tokens = client.tokenize.tokenize_text(text, model=MODEL)
    print(f"{len(tokens)} tokens for {len(text)} characters with {MODEL}:")
    print(" | ".join(repr(token.string_token) for token in tokens))
    print("ids:", [token.token_id for token in tokens])
    assert b"".join(token.token_bytes for token in tokens) == text.encode()


if __name__ == "__main__":
    main()
