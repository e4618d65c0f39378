"""``xai_fake.FakeServer`` in its own process, answering chat the way a test would script it.

``python bench/fake_proc.py MODE`` prints ``READY <port>`` and serves until stdin closes.
``MODE`` is ``scripted`` (``fake.script("Chat/GetCompletion").respond(<canned response>)``,
the same message the bare servicer returns, also in the session :data:`SESSION`), ``reply``
(``fake.chat.reply(...)``, which builds a response per call), ``default`` (nothing scripted: the
fake's generated answer), ``fixed-json`` (``default``, but a JSON-schema answer is the fixed ``Order`` of
:data:`canned.JSON_TEXT`, still checked by the schema's cached ``jsonschema`` validator as the engine
checks its own: the cost of an unscripted structured answer whose generation is free; ``fixed-json
unchecked`` skips that check, so the two tell what the check costs; a diagnostic, not a mode of the
fake), or ``replay PATH`` (``FakeServer(cassette=PATH)``, playback repeats allowed).
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from typing import Any

import canned
from canned_server import announce_and_wait

from xai_fake import FakeServer

MODES = ("scripted", "reply", "default", "fixed-json", "replay")
#: The session ``scripted`` mode also scripts, for calls that carry ``x-xai-fake-session``.
SESSION = "bench"


def fix_json_answers(checked: bool) -> None:
    """Make the engine's value for any schema the fixed ``Order``, checked against that schema first (``checked``)."""
    from xai_fake.defaults import schema
    from xai_fake.schema.validate import checker_for

    fixed = json.loads(canned.JSON_TEXT)

    def checked_fixed(text: str, rng: random.Random, words: list[str]) -> Any:
        if checked and not checker_for(text).ok(fixed):
            raise RuntimeError("fixed-json: the canned Order does not validate against the request's schema")
        return fixed

    schema.value_for_text = checked_fixed


async def main(mode: str, *args: str) -> None:
    if mode not in MODES:
        raise SystemExit(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    if mode == "fixed-json" and args not in ((), ("unchecked",)):
        raise SystemExit(f"fixed-json takes nothing or 'unchecked', not {' '.join(args)!r}")
    if mode == "replay":
        fake = FakeServer(cassette=args[0], record_mode="none", allow_playback_repeats=True)
    else:
        fake = FakeServer()
    await fake.start_async()
    if mode == "scripted":
        for session in (fake, fake.session(SESSION)):  # the same script, unscoped and in a session
            session.script("Chat/GetCompletion").respond(canned.response())
            session.script("Chat/GetCompletionChunk").respond(list(canned.chunks(canned.DEFAULT_CHUNKS)))
    elif mode == "reply":
        fake.chat.reply(canned.TEXT)
    elif mode == "fixed-json":
        fix_json_answers(checked=args == ())
    assert fake.port is not None
    await announce_and_wait(fake.port)
    await fake.stop_async(0)


if __name__ == "__main__":
    asyncio.run(main(*(sys.argv[1:] or ["scripted"])))
