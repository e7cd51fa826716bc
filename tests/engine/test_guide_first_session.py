"""The guide's "A first session" example (docs/guide/sessions.md), run as the page prints it.

The page's block is read at import and executed with the test bot as its ``bot``, so its
``@bot.command()`` registers ``!hello`` there.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from discord.ext import commands

from nyx_sessions.testing import InteractionHarness

_PAGE = (Path(__file__).resolve().parents[2] / "docs" / "guide" / "sessions.md").read_text(encoding="utf-8")
_BLOCK = re.search(r"^## A first session\n\n```python\n(.*?)^```", _PAGE, re.MULTILINE | re.DOTALL)


@pytest.fixture
def page(bot: commands.Bot) -> dict[str, Any]:
    """The page's block, run with the test bot as its ``bot``: ``!hello`` is registered there."""
    assert _BLOCK is not None, "docs/guide/sessions.md lost its first session"
    namespace: dict[str, Any] = {"__name__": "guide_first_session", "bot": bot}
    exec(compile(_BLOCK.group(1), "docs/guide/sessions.md (a first session)", "exec"), namespace)
    return namespace


async def test_the_guide_first_session(
    page: dict[str, Any], harness: InteractionHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    # !hello waits on its session: everything before the end is sent without settling.
    sending = asyncio.ensure_future(harness.message("!hello", settle=False))
    await harness.wait_until(lambda: harness.last_message() is not None, what="the question")
    message = harness.last_message()
    assert message is not None and message.content == "What's your name?"
    ask, colour = (child.custom_id for row in message.components for child in row.children)

    picked = await harness.select(message, colour, ["blue"], settle=False)
    await harness.wait_until(lambda: picked.response is not None, what="the pick's answer")
    assert picked.response is not None
    assert picked.response.ephemeral and picked.response.content == "You picked blue"

    opened = await harness.click(message, ask, settle=False)
    await harness.wait_until(lambda: opened.modal is not None, what="the modal")
    await harness.submit_modal(opened, {"name": "Ada"}, message=message)
    await sending

    # hello printed wait()'s result: the session ended and handed the name back.
    assert capsys.readouterr().out == "Ada\n"
    assert harness.message_payload(message)["content"] == "Hello Ada!"
    assert harness.message_payload(message)["components"] == []
