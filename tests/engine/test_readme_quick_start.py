"""The README's quick start, read from the README and driven as a user would: /hello, click, form.

The block is executed as a module that is not ``__main__`` (so it does not connect); its ``/hello``
command is added to the test bot, whose tree routes it like any other.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from discord.ext import commands

from nyx_sessions import SessionEndCode
from nyx_sessions.testing import InteractionHarness

_README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
_QUICK_START = re.search(
    r"\[start:quickstart\] -->\n```python\n(.*?)^```\n<!-- --8<-- \[end:quickstart\]",
    _README,
    re.MULTILINE | re.DOTALL,
)


@pytest.fixture
def quick_start(bot: commands.Bot) -> dict[str, Any]:
    assert _QUICK_START is not None, "README.md lost its quick start block"
    namespace: dict[str, Any] = {"__name__": "readme_quick_start"}
    exec(compile(_QUICK_START.group(1), "README.md (quick start)", "exec"), namespace)
    # The block's own bot never runs: its command reaches sessions through the test bot.
    namespace["bot"] = bot
    bot.tree.add_command(namespace["hello"])
    return namespace


async def test_the_quick_start_asks_a_name_and_returns_it(
    quick_start: dict[str, Any], harness: InteractionHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    command = await harness.slash("hello", settle=False)
    await harness.wait_until(lambda: command.response is not None, what="the session's question")
    assert command.response is not None and command.response.content == "What's your name?"
    message = harness.last_message()
    assert message is not None

    # /hello still waits on its session, so clicks that do not end it are sent without settling.
    opened = await harness.click(message, label="Tell me", settle=False)
    await harness.wait_until(lambda: opened.modal is not None, what="the modal")
    assert opened.modal is not None and opened.modal["title"] == "Who are you?"
    await harness.submit_modal(opened, {"name": "Ada"})

    printed = ""

    def command_printed() -> bool:
        nonlocal printed
        printed += capsys.readouterr().out
        return bool(printed)

    # /hello prints once wait() returns: the session ended and handed its result back.
    await harness.wait_until(command_printed, what="the command's print after wait()")
    assert printed == f"Ada {SessionEndCode.SELF_ENDED}\n"
    assert harness.message_payload(message)["content"] == "Hello Ada!"
    assert harness.message_payload(message)["components"] == []


async def test_the_quick_start_session_is_the_owners(
    quick_start: dict[str, Any], harness: InteractionHarness
) -> None:
    await harness.slash("hello", settle=False)
    await harness.wait_until(lambda: harness.last_message() is not None, what="the session's question")
    message = harness.last_message()
    assert message is not None

    stranger = await harness.click(message, label="Tell me", user=1, settle=False)
    await harness.wait_until(lambda: stranger.response is not None, what="the notice to a stranger")
    assert stranger.response is not None and stranger.response.ephemeral
    assert stranger.modal is None

    # The owner still can; answering ends the session, and with it the waiting /hello.
    opened = await harness.click(message, label="Tell me", settle=False)
    await harness.wait_until(lambda: opened.modal is not None, what="the owner's modal")
    await harness.submit_modal(opened, {"name": "Ada"})
