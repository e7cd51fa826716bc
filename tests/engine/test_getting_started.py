"""The Getting started page, run as written: its code blocks, in order, are one module.

The page includes the README's quick start (a ``--8<--`` snippet); the rest is its own blocks. The
module is executed as one that is not ``__main__`` (so it does not connect); its slash commands are
added to the test bot and driven through the kit as a user would: /hello, /fruits, /live. The
wired-by-hand bot's ``setup_hook`` runs on a test bot without the extension.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import discord
import pytest
from discord.ext import commands

from nyx_sessions import get_session_manager
from nyx_sessions.testing import InteractionHarness, close_test_bot, create_test_bot

_ROOT = Path(__file__).resolve().parents[2]
_FENCE = re.compile(r"^```python\n(.*?)^```\n", re.MULTILINE | re.DOTALL)
_SNIPPET = re.compile(r'^--8<-- "([\w./-]+):(\w+)"$', re.MULTILINE)


def _section(path: str, name: str) -> str:
    """The text between a file's ``--8<-- [start:name]`` and ``[end:name]`` markers."""
    text = (_ROOT / path).read_text(encoding="utf-8")
    found = re.search(rf"\[start:{name}\] -->\n(.*?)<!-- --8<-- \[end:{name}\]", text, re.DOTALL)
    assert found is not None, f"{path} lost its {name} section"
    return found.group(1)


def page_code(page: str) -> str:
    """The page's python blocks in order, its snippets included as MkDocs includes them."""
    text = (_ROOT / page).read_text(encoding="utf-8")
    text = _SNIPPET.sub(lambda m: _section(m.group(1), m.group(2)), text)
    blocks = _FENCE.findall(text)
    assert len(blocks) >= 4, f"{page}: expected the quick start and the page's own blocks"
    return "\n\n".join(blocks)


@pytest.fixture
def page(bot: commands.Bot) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "getting_started"}
    exec(compile(page_code("docs/getting-started.md"), "docs/getting-started.md", "exec"), namespace)
    # The page's own bot never runs: its commands reach sessions through the test bot.
    namespace["bot"] = bot
    for name in ("hello", "fruits", "live"):
        bot.tree.add_command(namespace[name])
    return namespace


async def test_hello_asks_a_name_and_returns_it(
    page: dict[str, Any], harness: InteractionHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    await harness.slash("hello", settle=False)
    await harness.wait_until(lambda: harness.last_message() is not None, what="the question")
    message = harness.last_message()
    assert message is not None and message.content == "What's your name?"

    # /hello waits on its session, so the click that does not end it is sent without settling.
    opened = await harness.click(message, label="Tell me", settle=False)
    await harness.wait_until(lambda: opened.modal is not None, what="the modal")
    await harness.submit_modal(opened, {"name": "Ada"})
    await harness.wait_until(lambda: "Ada" in capsys.readouterr().out, what="the print after wait()")
    assert harness.message_payload(message)["content"] == "Hello Ada!"


async def test_fruits_turns_pages(page: dict[str, Any], harness: InteractionHarness) -> None:
    await harness.slash("fruits")
    message = harness.last_message()
    assert message is not None
    first = harness.message_payload(message)["embeds"][0]
    assert "fruit 1" in first["description"] and "fruit 6" not in first["description"]

    await harness.click(message, _custom_id_with_token(harness, message, "next"))
    second = harness.message_payload(message)["embeds"][0]
    assert "fruit 6" in second["description"] and "fruit 10" in second["description"]
    assert second["footer"]["text"] == "Page 2/3"


async def test_live_counts_the_sessions(page: dict[str, Any], harness: InteractionHarness) -> None:
    await harness.slash("fruits")
    live = await harness.slash("live")
    assert live.response is not None and live.response.content == "1 live sessions"


async def test_the_bot_wired_by_hand_has_its_codec() -> None:
    namespace: dict[str, Any] = {"__name__": "getting_started"}
    exec(compile(page_code("docs/getting-started.md"), "docs/getting-started.md", "exec"), namespace)
    bot = await create_test_bot(extensions=())
    try:
        await namespace["WiredBot"].setup_hook(bot)
        assert get_session_manager(bot).codec.namespace == "APP"
    finally:
        await close_test_bot(bot)


def _custom_id_with_token(harness: InteractionHarness, message: discord.Message, token: str) -> str:
    """The custom id of the message's control whose first token is ``token`` (the built-in ``next``)."""
    manager = get_session_manager(harness.bot)
    for row in harness.message_payload(message)["components"]:
        for child in row["components"]:
            custom_id = child.get("custom_id", "")
            tokens = manager.codec.create_iterator_from_custom_id(custom_id)
            if tokens is not None and tokens.get() == token:
                return str(custom_id)
    raise AssertionError(f"no control with the token {token!r}")
