"""Stopping the bot: sessions end (and are logged), or are kept in the store, before the database closes."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from example_bot.playground import TOUR
from example_bot.playground.world import create_offline_bot
from nyx_sessions import SessionEndCode, get_session_manager
from nyx_sessions.testing import InteractionHarness, close_test_bot


async def test_the_bot_wired_as_on_discord_keeps_durable_sessions_and_ends_the_others_when_it_stops(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="example_bot")
    bot = await create_offline_bot(db_path)  # no clock: nyx_sessions loaded as an extension
    harness = InteractionHarness(bot).install()
    try:
        assert "nyx_sessions" in bot.extensions
        await harness.message("!settings")
        await harness.message("!tickets")
        settings, tickets = get_session_manager(bot).sessions.values()

        await close_test_bot(bot)
        await harness.settle()
    finally:
        harness.uninstall()

    assert (await settings.wait()).code is SessionEndCode.DETACHED, "kept in the store for the next start"
    assert (await tickets.wait()).code is SessionEndCode.BOT_STOP
    assert "ListPaginationSession of alice ended: the bot is stopping [BOT_STOP]" in caplog.messages
    assert not any("SettingsSession of alice ended" in message for message in caplog.messages)
    with pytest.raises(RuntimeError, match="not open"):
        _ = bot.db.connection
    stored = Path(bot.sessions.removeprefix("sqlite:///"))
    assert await asyncio.to_thread(stored.exists), "the SQLite store beside the database"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is how a terminal sends Ctrl-C on POSIX")
def test_ctrl_c_at_the_playground_prompt_stops_it_cleanly(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "DISCORD_TOKEN"}
    playground = subprocess.Popen(
        [sys.executable, "-m", "example_bot", "--db", str(tmp_path / "ctrl-c.sqlite3")],
        cwd=TOUR.parent.parent,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert playground.stdin is not None and playground.stdout is not None
    try:
        playground.stdin.write("!tickets\n")
        playground.stdin.flush()
        seen = ""
        while "ListPaginationSession started by alice" not in seen:
            line = playground.stdout.readline()
            assert line, "the playground stopped before starting the session"
            seen += line
        playground.send_signal(signal.SIGINT)  # the next prompt waits for input: Ctrl-C lands there
        out, err = playground.communicate(timeout=30)
    finally:
        playground.kill()

    assert playground.returncode == 0, err
    # Ctrl-C may land at the prompt ("(interrupted)") or while the step still renders on a loaded
    # machine; either way the playground must stop cleanly with its sessions ended.
    assert "ListPaginationSession of alice ended: the bot is stopping [BOT_STOP]" in out
