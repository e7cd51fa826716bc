"""Several bot processes on one Redis store: real subprocesses (``redis_worker.py``), one real server.

Each worker is a whole bot with its own fake Discord; a message one process sent is shown to another
and clicked there, as Discord delivers a click to whichever process holds the shard.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from nyx_sessions.storage import RedisSessionStore
from nyx_sessions.testing import RedisServer

WORKER = Path(__file__).with_name("redis_worker.py")


class Process:
    """One worker process, driven by JSON lines."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def spawn(
        cls,
        url: str,
        namespace: str,
        lease: float = 2.0,
        skew: float = 0.0,
        data_version: int | None = None,
        traced: bool = False,
    ) -> Process:
        env = dict(os.environ)
        if data_version is not None:
            env["NYX_TEST_DATA_VERSION"] = str(data_version)
        if traced:
            env["NYX_TEST_TRACED"] = "1"
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER),
            url,
            namespace,
            str(lease),
            str(skew),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env=env,
        )
        started = cls(process)
        assert await started._read() == {"ready": True}
        return started

    async def request(self, op: str, **arguments: Any) -> Any:
        await self.send(op, **arguments)
        return await self._read()

    async def send(self, op: str, **arguments: Any) -> None:
        """Send a command without waiting for its answer."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"op": op, **arguments}).encode() + b"\n")
        await self.process.stdin.drain()

    def kill(self) -> None:
        """``kill -9``."""
        self.process.kill()

    def freeze(self) -> None:
        """``SIGSTOP``: the whole process stands still, holding what it holds."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        """``SIGCONT``."""
        os.kill(self.process.pid, signal.SIGCONT)

    async def quit(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # killed by the test
                await self.request("quit")
        await asyncio.wait_for(self.process.wait(), 30)

    async def answer(self) -> Any:
        """The answer to a command sent with :meth:`send`."""
        return await self._read()

    async def _read(self) -> Any:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 60)
        assert line, f"the worker exited (code {await self.process.wait()})"
        return json.loads(line)


Spawn = Callable[..., Awaitable[Process]]


@pytest.fixture
async def spawn(redis_server: RedisServer, redis_namespace: str) -> AsyncIterator[Spawn]:
    processes: list[Process] = []

    async def start(
        lease: float = 2.0,
        skew: float = 0.0,
        url: str | None = None,
        data_version: int | None = None,
        traced: bool = False,
    ) -> Process:
        process = await Process.spawn(
            url or redis_server.url, redis_namespace, lease, skew, data_version, traced
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        await process.quit()


async def test_a_session_continues_in_whichever_process_gets_the_click(spawn: Spawn) -> None:
    one, two, three = await asyncio.gather(spawn(), spawn(), spawn())
    message = (await one.request("start"))["message"]
    assert message["content"] == "count: 0"
    for process, expected in ((two, 1), (one, 2), (three, 3), (two, 4)):
        clicked = await process.request("click", message=message, label="+1", interaction_id=None)
        assert clicked["answered"] and clicked["ephemeral"] == []
        message = clicked["message"]
        assert message["content"] == f"count: {expected}", "each process saw the last committed state"


async def test_one_interaction_delivered_to_two_processes_runs_one_handler(spawn: Spawn) -> None:
    one, two = await asyncio.gather(spawn(), spawn())
    message = (await one.request("start"))["message"]
    for attempt in range(5):
        interaction_id = 990_000_000_000_000_000 + attempt
        first, second = await asyncio.gather(
            one.request("click", message=message, label="+1", interaction_id=interaction_id),
            two.request("click", message=message, label="+1", interaction_id=interaction_id),
        )
        assert [first["answered"], second["answered"]].count(True) == 1, "exactly one process answered"
        message = (first if first["answered"] else second)["message"]
        assert message["content"] == f"count: {attempt + 1}", "the handler ran once"


async def test_the_spans_of_a_click_served_across_two_processes_carry_its_interaction_id(
    spawn: Spawn,
) -> None:
    one, two = await asyncio.gather(spawn(traced=True), spawn(traced=True))
    message = (await one.request("start"))["message"]
    taken = await two.request("click", message=message, label="+1", interaction_id=None)  # a takeover
    interaction_id = 990_000_000_000_000_777
    first, second = await asyncio.gather(
        one.request("click", message=taken["message"], label="+1", interaction_id=interaction_id),
        two.request("click", message=taken["message"], label="+1", interaction_id=interaction_id),
    )
    assert [first["answered"], second["answered"]].count(True) == 1

    spans = {"one": await one.request("spans"), "two": await two.request("spans")}
    (start,) = [attributes for name, attributes in spans["one"] if name == "nyx_sessions.start test.counter"]
    session_id = start["nyx_sessions.session_id"]
    clicks = {
        process: [attributes for name, attributes in found if name.startswith("nyx_sessions.click")]
        for process, found in spans.items()
    }
    assert all(click["nyx_sessions.session_id"] == session_id for found in clicks.values() for click in found)
    served = {
        process: click["nyx_sessions.outcome"]
        for process, found in clicks.items()
        for click in found
        if click["discord.interaction.id"] == str(interaction_id)
    }
    assert sorted(served.values()) == ["handled", "replayed"], (
        "both processes' spans carry the interaction id"
    )
    store_calls = [name for name, _ in spans["two"] if name.startswith("nyx_sessions.store ")]
    assert "nyx_sessions.store acquire" in store_calls, "the takeover's store calls are traced"


async def test_a_click_that_waits_for_the_serving_process_to_let_go_reports_the_wait(spawn: Spawn) -> None:
    one, two = await asyncio.gather(spawn(traced=True), spawn(traced=True))
    message = (await one.request("start"))["message"]
    await one.request("slow", seconds=1.0)
    await one.send("click", message=message, label="+1", interaction_id=None)
    await asyncio.sleep(0.3)  # one's handler runs: two's click waits until one lets go after it
    clicked = await two.request("click", message=message, label="+1", interaction_id=None)
    await one.answer()
    assert clicked["message"]["content"] == "count: 2", "served in turn, after one's handler"

    waits = [
        attributes for _, name, attributes in await two.request("events") if name == "nyx_sessions.lease_wait"
    ]
    assert len(waits) == 1 and 0.2 < waits[0]["seconds"] < 3, "the wait is reported, with its length"
    served = await one.request("events")
    assert all(name != "nyx_sessions.lease_wait" for _, name, _ in served), "the serving process did not wait"


async def test_three_processes_expire_many_sessions_each_exactly_once(spawn: Spawn) -> None:
    processes = await asyncio.gather(spawn(), spawn(), spawn())
    await asyncio.gather(*(process.request("start_many", count=20, ttl=1.0) for process in processes))
    ended: list[list[str]] = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        ended = [end for process in processes for end in (await process.request("ends"))["ends"]]
        if len(ended) >= 60:
            break
    counts = Counter(session_id for session_id, _, _ in ended)
    assert len(counts) == 60, f"{len(counts)} of 60 sessions ended"
    assert set(counts.values()) == {1}, "no session ended twice"
    assert {code for _, code, _ in ended} == {"SessionEndCode.EXPIRED"}


async def test_a_process_killed_mid_handler_loses_only_its_change_and_another_takes_over(
    spawn: Spawn,
) -> None:
    # A 4 s lease: the click that waits for it outlives Discord's 3 s deadline unless it is deferred.
    one, two = await asyncio.gather(spawn(lease=4.0), spawn(lease=4.0))
    message = (await one.request("click", **await _started(one)))["message"]
    assert message["content"] == "count: 1"
    await two.request("freeze", where="handler")
    await two.send("click", message=message, label="+1", interaction_id=None)  # never answers
    await asyncio.sleep(0.5)  # its handler runs, holding the session's lease
    two.kill()

    waited = time.monotonic()
    took_over = await one.request("click", message=message, label="+1", interaction_id=None)
    assert time.monotonic() - waited > 3, "it waited for the dead process's lease"
    assert took_over["deferred"], "deferred before Discord's deadline while it waited"
    assert took_over["answered"] and took_over["ephemeral"] == []
    assert took_over["message"]["content"] == "count: 2", "the dead process's change never landed"


async def test_a_process_killed_in_on_end_never_makes_on_end_run_twice(spawn: Spawn) -> None:
    one, two = await asyncio.gather(spawn(), spawn())
    message = (await one.request("start"))["message"]
    await two.request("freeze", where="on_end")
    await two.send("click", message=message, label="End", interaction_id=None)
    await asyncio.sleep(0.5)  # its on_end runs
    two.kill()

    await asyncio.sleep(3.5)  # its end claim (2 s) runs out; process one's sweep finishes the end
    late = await one.request("click", message=message, label="+1", interaction_id=None)
    assert late["ephemeral"] == ["This session has expired. Run the command again to start a new one."]
    assert (await one.request("ends"))["on_end"] == [], "on_end did not run again"


async def _started(process: Process) -> dict[str, Any]:
    return {"message": (await process.request("start"))["message"], "label": "+1", "interaction_id": None}


async def test_a_click_racing_the_deadline_in_two_processes_is_either_handled_or_expired(
    spawn: Spawn,
) -> None:
    """Process one clicks each session as its deadline comes, processes two and three sweep it."""
    one, two, three = await asyncio.gather(spawn(), spawn(), spawn())
    messages = (await two.request("start_many", count=8, ttl=1.0))["messages"]
    clicks = []
    for index, message in enumerate(messages):
        # Around the deadline: from a little before it to a little after, in steps.
        await asyncio.sleep(0.9 + index * 0.03 if index == 0 else 0.03)
        clicks.append(await one.request("click", message=message, label="+1", interaction_id=None))
    await asyncio.sleep(2.5)  # every session's (refreshed) deadline passes; the sweepers end them
    ended = [end for process in (one, two, three) for end in (await process.request("ends"))["ends"]]
    assert sorted(Counter(session_id for session_id, _, _ in ended).values()) == [1] * len(messages), (
        "every session ended, once"
    )
    for click, message in zip(clicks, messages, strict=True):
        custom_id = message["components"][0]["components"][0]["custom_id"]
        (result,) = [result for session_id, _, result in ended if session_id in custom_id]
        assert click["answered"] or click["ephemeral"], "never neither: the click was answered"
        if click["ephemeral"]:  # expired first: the click changed nothing
            assert click["ephemeral"] == [
                "This session has expired. Run the command again to start a new one."
            ]
            assert result == 0
        else:  # handled first: the end came after, and saw its change (never both)
            assert click["message"]["content"] == "count: 1"
            assert result == 1


async def test_a_process_whose_clock_runs_ahead_ends_no_session_early(spawn: Spawn) -> None:
    """Deadlines are kept on the server's clock, not on the hosts' (which differ)."""
    honest, ahead = await asyncio.gather(spawn(), spawn(skew=30.0))
    message = (await honest.request("start_many", count=1, ttl=10.0))["messages"][0]
    await asyncio.sleep(2.5)  # two polls of the sweep in the process whose clock says 30 s later
    assert (await ahead.request("ends"))["ends"] == [], "the session's 10 s are not over"
    clicked = await ahead.request("click", message=message, label="+1", interaction_id=None)
    assert clicked["ephemeral"] == [] and clicked["message"]["content"] == "count: 1"
    assert (await ahead.request("ends"))["ends"] == []


async def test_a_process_whose_clock_runs_behind_serves_clicks_and_ends_sessions_on_time(
    spawn: Spawn,
) -> None:
    honest, behind = await asyncio.gather(spawn(), spawn(skew=-10.0))
    message = (await honest.request("start_many", count=1, ttl=3.0))["messages"][0]
    clicked = await behind.request("click", message=message, label="+1", interaction_id=None)
    assert clicked["ephemeral"] == [], "a click is not taken for late because this host's clock is behind"
    assert clicked["message"]["content"] == "count: 1"
    await honest.quit()
    clicked_at = time.monotonic()
    ends: list[Any] = []
    while not ends and time.monotonic() - clicked_at < 10:
        await asyncio.sleep(0.25)
        ends = (await behind.request("ends"))["ends"]
    assert [code for _, code, _ in ends] == ["SessionEndCode.EXPIRED"]
    assert time.monotonic() - clicked_at < 6, "ended about 3 s after the click, not 10 s later"


async def _waits_settled(process: Process, within: float) -> dict[str, Any]:
    """Poll ``waits`` until no ``wait()`` of the process is pending, for at most ``within`` seconds."""
    until = time.monotonic() + within
    while True:
        answer: dict[str, Any] = await process.request("waits")
        if None not in answer["waits"].values() or time.monotonic() > until:
            return answer
        await asyncio.sleep(0.25)


async def test_a_process_hears_at_once_of_a_session_another_process_ended(spawn: Spawn) -> None:
    one, two = await asyncio.gather(spawn(), spawn())
    message = (await one.request("start_many", count=1, ttl=600.0))["messages"][0]
    ended = await two.request("click", message=message, label="End", interaction_id=None)
    assert ended["message"]["content"] == "done"
    settled = await _waits_settled(one, within=3)
    assert list(settled["waits"].values()) == ["SessionEndCode.DETACHED"], "told by the notice of the end"
    assert settled["held"] == []
    assert (await one.request("ends"))["ends"] == []


@pytest.fixture
async def deaf_url(redis_server: RedisServer, redis_namespace: str) -> AsyncIterator[str]:
    """A URL for a process whose ACL user may not listen to notices of ends (it loses them all)."""
    admin = RedisSessionStore.from_url(redis_server.url, namespace=redis_namespace).client
    user = f"deaf-{redis_namespace}"
    await admin.execute_command(
        "ACL", "SETUSER", user, "on", ">secret", "allkeys", "resetchannels", "+@all"
    )  # fmt: skip
    yield f"unix://{user}:secret@{redis_server.socket}"
    await admin.execute_command("ACL", "DELUSER", user)
    await admin.aclose()


async def test_a_session_ended_in_another_process_is_let_go_of_here_without_its_notice(
    spawn: Spawn, deaf_url: str
) -> None:
    one, two = await asyncio.gather(spawn(url=deaf_url), spawn())
    message = (await one.request("start_many", count=1, ttl=2.0))["messages"][0]
    ended = await two.request("click", message=message, label="End", interaction_id=None)
    assert ended["message"]["content"] == "done"
    settled = await _waits_settled(one, within=10)
    assert list(settled["waits"].values()) == ["SessionEndCode.DETACHED"], "the wait() here resolved"
    assert settled["held"] == [], "no copy of the ended session stays in the process that started it"
    assert (await one.request("ends"))["ends"] == [], "ended once, in the process that ended it"
    assert len((await two.request("ends"))["ends"]) == 1


async def test_a_session_that_went_on_elsewhere_is_let_go_of_here_and_served_afresh_on_a_click(
    spawn: Spawn,
) -> None:
    one, two = await asyncio.gather(spawn(), spawn())
    message = (await one.request("start_many", count=1, ttl=2.0))["messages"][0]
    clicks = 0
    waits: dict[str, Any] = {}
    until = time.monotonic() + 10
    while None not in waits.values() and time.monotonic() < until:
        # Clicks in process two keep the session alive past the deadline process one knows of.
        message = (await two.request("click", message=message, label="+1", interaction_id=None))["message"]
        clicks += 1
        assert message["content"] == f"count: {clicks}"
        waits = await one.request("waits")
        await asyncio.sleep(0.5)
    assert list(waits["waits"].values()) == ["SessionEndCode.DETACHED"], "the wait() here learnt it left"
    assert waits["held"] == []
    clicked = await one.request("click", message=message, label="+1", interaction_id=None)
    assert clicked["ephemeral"] == []
    assert clicked["message"]["content"] == f"count: {clicks + 1}", (
        "restored from the store with two's change"
    )
    assert (await one.request("ends"))["ends"] == [] and (await two.request("ends"))["ends"] == []


async def test_a_click_here_on_a_session_ended_elsewhere_settles_its_wait_here(spawn: Spawn) -> None:
    one, two = await asyncio.gather(spawn(), spawn())
    message = (await one.request("start_many", count=1, ttl=600.0))["messages"][0]
    await two.request("click", message=message, label="End", interaction_id=None)
    clicked = await one.request("click", message=message, label="+1", interaction_id=None)
    assert clicked["answered"] and clicked["ephemeral"], "answered as an ended session"
    waits = await one.request("waits")
    assert list(waits["waits"].values()) == ["SessionEndCode.DETACHED"] and waits["held"] == []


TRY_AGAIN = "This can't be reached right now. Please try again in a moment."


async def test_redis_killed_and_restarted_mid_session_loses_nothing_and_every_process_resumes(
    spawn: Spawn, redis_server: RedisServer
) -> None:
    one, two = await asyncio.gather(spawn(), spawn())
    message = (await one.request("start"))["message"]
    message = (await two.request("click", message=message, label="+1", interaction_id=None))["message"]
    redis_server.kill()  # kill -9; it comes back from its append-only file, fsynced on every write
    try:
        down = await one.request("click", message=message, label="+1", interaction_id=None)
        assert down["answered"] and down["ephemeral"] == [TRY_AGAIN]
    finally:
        redis_server.start()
    for process, expected in ((one, 2), (two, 3), (one, 4)):
        clicked = await process.request("click", message=message, label="+1", interaction_id=None)
        assert clicked["ephemeral"] == [], "service resumed by itself"
        message = clicked["message"]
        assert message["content"] == f"count: {expected}", "nothing committed before the crash was lost"


async def test_a_latency_spike_in_redis_during_a_click_is_answered_within_three_seconds(
    spawn: Spawn, redis_server: RedisServer
) -> None:
    one, two = await asyncio.gather(spawn(), spawn())
    message = (await one.request("start"))["message"]
    admin = Redis.from_url(redis_server.url)  # no socket timeout: it waits the stall out
    spike = asyncio.ensure_future(admin.execute_command("DEBUG", "SLEEP", "2.5"))  # the server stalls
    await asyncio.sleep(0.1)
    stalled = await two.request("click", message=message, label="+1", interaction_id=None)
    await spike
    await admin.aclose()
    # The fake Discord refuses a first answer later than 3 s after the click: answered means in time.
    assert stalled["answered"], "deferred or told to try again before Discord's deadline"
    served = 0 if stalled["ephemeral"] == [TRY_AGAIN] else 1
    assert stalled["ephemeral"] in ([], [TRY_AGAIN])
    clicked = await one.request("click", message=message, label="+1", interaction_id=None)
    assert clicked["ephemeral"] == [] and clicked["message"]["content"] == f"count: {served + 1}"


# -- stalls, rolling deploys and stale copies (the outside review's findings) ----------------------


async def test_a_redis_stall_over_a_heartbeat_never_lets_another_click_run_inside_the_handler(
    spawn: Spawn, redis_server: RedisServer
) -> None:
    """The heartbeat keeps trying while the handler runs: one heartbeat lost to a frozen Redis is not
    the last, and the owner lets go only once its handler is over."""
    one, two = await asyncio.gather(spawn(lease=4.0), spawn(lease=4.0))
    message = (await one.request("start"))["message"]
    await one.request("slow", seconds=9.0)
    began = time.monotonic()
    await one.send("click", message=message, label="+1", interaction_id=None)
    await asyncio.sleep(1.2)
    redis_server.pause()  # a heartbeat (one per third of the lease) meets a frozen server
    try:
        await asyncio.sleep(2.4)  # longer than a store call may take: that heartbeat fails
    finally:
        redis_server.resume()
    # Past the lease the heartbeat queued in the stall gave (it ran when Redis thawed, at 3.6 s).
    await asyncio.sleep(max(0.0, 8.0 - (time.monotonic() - began)))
    second = await two.request("click", message=message, label="+1", interaction_id=None)
    first = await one.answer()
    assert first["answered"] and second["answered"] and second["ephemeral"] == []
    assert second["message"]["content"] == "count: 2", "it waited for the first handler: both changes landed"


async def test_the_process_that_lost_an_interaction_never_answers_it_when_the_winner_ended_the_session(
    spawn: Spawn,
) -> None:
    one, two = await asyncio.gather(spawn(), spawn())
    for attempt in range(3):
        message = (await one.request("start"))["message"]
        interaction_id = 991_000_000_000_000_000 + attempt
        won = await one.request("click", message=message, label="End", interaction_id=interaction_id)
        lost = await two.request("click", message=message, label="End", interaction_id=interaction_id)
        assert won["answered"] and won["message"]["content"] == "done"
        assert not lost["answered"], "no second initial response to one interaction"


async def test_end_from_code_on_an_out_of_date_copy_ends_the_latest_state(spawn: Spawn) -> None:
    one, two = await asyncio.gather(spawn(), spawn())
    message = (await one.request("start_many", count=1, ttl=600.0))["messages"][0]
    for _ in range(3):  # served by process two: process one's copy is three versions behind
        message = (await two.request("click", message=message, label="+1", interaction_id=None))["message"]
    assert message["content"] == "count: 3"
    ended = await one.request("end")
    assert ended == {"code": "SessionEndCode.SELF_ENDED", "result": 3}, "on_end saw the three clicks"
    assert (await two.request("ends"))["ends"] == []


async def test_an_old_release_leaves_the_sessions_of_a_newer_one_for_it_to_end(spawn: Spawn) -> None:
    """A rolling deploy: the old release cannot read the new data, so it neither ends nor breaks it."""
    newer = await spawn(data_version=3)
    older = await spawn()
    messages = (await newer.request("start_many", count=3, ttl=1.0))["messages"]
    await newer.quit()  # its sessions detach: their records stay
    clicked = await older.request("click", message=messages[0], label="+1", interaction_id=None)
    assert clicked["ephemeral"] == [TRY_AGAIN], "told to try again in a moment"
    buttons = [child for row in clicked["message"]["components"] for child in row["components"]]
    assert not any(button.get("disabled") for button in buttons), "the message is left alone"
    await asyncio.sleep(3.0)  # their deadline passes; the old release sweeps every second
    assert (await older.request("ends"))["ends"] == [], "the old release ended none of them"
    back = await spawn(data_version=3)
    ended: list[Any] = []
    until = time.monotonic() + 10
    while len(ended) < 3 and time.monotonic() < until:
        await asyncio.sleep(0.25)
        ended = (await back.request("ends"))["ends"]
    assert sorted(code for _, code, _ in ended) == ["SessionEndCode.EXPIRED"] * 3, (
        "each ended once, with on_end"
    )


# -- the owner's fast path and takeovers ------------------------------------------------------------


async def test_clicks_from_three_processes_at_once_are_each_handled_once_in_turn(spawn: Spawn) -> None:
    """Takeover under load: each process clicks one session ten times at once; the session moves
    between them between two clicks, and no change is lost or made twice."""
    processes = await asyncio.gather(spawn(), spawn(), spawn())
    message = (await processes[0].request("start"))["message"]
    batches = await asyncio.gather(
        *(
            process.request(
                "click_many",
                message=message,
                label="+1",
                interaction_ids=[992_000_000_000_000_000 + 100 * index + click for click in range(10)],
            )
            for index, process in enumerate(processes)
        )
    )
    answers = [answer for batch in batches for answer in batch["answers"]]
    assert all(answer["answered"] for answer in answers), "every click answered in time"
    handled = [answer for answer in answers if answer["ephemeral"] == []]
    assert len(handled) == 30, [answer["ephemeral"] for answer in answers if answer["ephemeral"]]
    final = await processes[0].request("click", message=message, label="+1", interaction_id=None)
    assert final["message"]["content"] == "count: 31", "no change lost, none made twice"


@pytest.mark.parametrize("stop", ["kill", "freeze"])
async def test_an_owner_that_stops_between_clicks_is_waited_out_and_its_session_served_elsewhere(
    spawn: Spawn, stop: str
) -> None:
    """Killed (SIGKILL) or frozen (SIGSTOP) before it can let go: its heartbeat runs out, and the
    click elsewhere, deferred meanwhile, serves the session from its last committed state. A frozen
    owner that thaws serves nothing on its own any more: its next click takes the session back."""
    one, two = await asyncio.gather(spawn(lease=4.0), spawn(lease=4.0))
    message = (await one.request("click", **await _started(one)))["message"]
    assert message["content"] == "count: 1"
    one.kill() if stop == "kill" else one.freeze()

    waited = time.monotonic()
    took_over = await two.request("click", message=message, label="+1", interaction_id=None)
    assert time.monotonic() - waited > 2, "it waited for the stopped owner's heartbeat to run out"
    assert took_over["deferred"], "deferred before Discord's deadline while it waited"
    assert took_over["answered"] and took_over["ephemeral"] == []
    assert took_over["message"]["content"] == "count: 2"
    if stop == "freeze":
        one.thaw()
        back = await one.request("click", message=took_over["message"], label="+1", interaction_id=None)
        assert back["ephemeral"] == [] and back["message"]["content"] == "count: 3", (
            "the thawed process took the session back, with process two's change"
        )


async def test_an_owner_frozen_inside_a_handler_loses_that_change_to_the_process_that_took_over(
    spawn: Spawn,
) -> None:
    one, two = await asyncio.gather(spawn(lease=2.0), spawn(lease=2.0))
    message = (await one.request("click", **await _started(one)))["message"]
    await one.request("slow", seconds=1.0)
    await one.send("click", message=message, label="+1", interaction_id=None)
    await asyncio.sleep(0.3)
    one.freeze()  # inside its handler: it cannot let go, its heartbeat stops
    took_over = await two.request("click", message=message, label="+1", interaction_id=None)
    assert took_over["ephemeral"] == [] and took_over["message"]["content"] == "count: 2"
    one.thaw()
    await one.answer()  # its handler ends; its write is fenced: another process served the session
    again = await two.request("click", message=took_over["message"], label="+1", interaction_id=None)
    assert again["message"]["content"] == "count: 3", "process one's change never landed"


async def test_a_session_served_by_one_process_is_updated_from_another_in_turn(spawn: Spawn) -> None:
    one, two = await asyncio.gather(spawn(), spawn())
    message = (await one.request("start"))["message"]
    message = (await one.request("click", message=message, label="+1", interaction_id=None))["message"]
    await one.request("slow", seconds=1.0)
    await one.send("click", message=message, label="+1", interaction_id=None)
    await asyncio.sleep(0.3)  # one's handler is running: the update waits for it, then takes over
    updated = await two.request("update", message=message, content="count: 2 (from two)")
    assert updated["updated"] is True and updated["message"]["content"] == "count: 2 (from two)"
    clicked = await one.answer()
    assert clicked["message"]["content"] == "count: 2", "the click before it was kept"
    after = await one.request("click", message=message, label="+1", interaction_id=None)
    assert after["message"]["content"] == "count: 3", "then the session went on where it was"


async def test_a_limit_of_one_per_user_holds_across_processes(spawn: Spawn) -> None:
    one, two = await asyncio.gather(spawn(), spawn())
    first = await one.request("limited", policy="reject")
    assert first["message"] is not None
    refused = await two.request("limited", policy="reject")
    assert refused["message"] is None
    assert refused["ephemeral"][0].startswith(
        "You already have an open limited counter: https://discord.com/"
    )

    replacing = await two.request("limited", policy="replace")
    assert replacing["message"] is not None, "the newer one runs"
    ends_one, ends_two = (await one.request("ends"))["ends"], (await two.request("ends"))["ends"]
    assert ends_one == [] and [code for _, code, _ in ends_two] == ["SessionEndCode.REPLACED"], (
        "the old session was taken from the process serving it and ended once, here"
    )
    late = await one.request("click", message=first["message"], label="+1", interaction_id=None)
    assert late["ephemeral"] == ["This session has expired. Run the command again to start a new one."]


async def test_two_starts_at_once_in_two_processes_never_both_run_over_a_limit_of_one(spawn: Spawn) -> None:
    one, two = await asyncio.gather(spawn(), spawn())
    answers = await asyncio.gather(
        one.request("limited", policy="reject"), two.request("limited", policy="reject")
    )
    assert sorted(answer["message"] is not None for answer in answers) == [False, True]


async def test_a_child_decided_in_another_process_returns_to_its_parent_and_each_ends_once(
    spawn: Spawn,
) -> None:
    one, two = await asyncio.gather(spawn(), spawn())
    message = (await one.request("cases"))["message"]
    opened = await one.request("click", message=message, label="Open", interaction_id=None)
    assert opened["message"]["content"] == "reviewing warn #1"

    decided = await two.request("click", message=opened["message"], label="Approve", interaction_id=None)
    assert decided["ephemeral"] == [] and decided["message"]["content"].endswith("last: warn #1 approved"), (
        "process two ended the child and took the parent from process one for its on_child_end"
    )
    again = await one.request("click", message=decided["message"], label="Open", interaction_id=None)
    assert again["message"]["content"] == "reviewing warn #1", "the parent takes clicks in any process"

    one_ends, two_ends = await one.request("ends"), await two.request("ends")
    assert one_ends["on_end"] == [] and len(two_ends["on_end"]) == 1, "the child's on_end ran once, in two"
    assert [code for _, code, _ in two_ends["ends"]] == ["SessionEndCode.SELF_ENDED"]


async def test_a_process_killed_in_a_childs_on_end_leaves_a_parent_that_expires_once_elsewhere(
    spawn: Spawn,
) -> None:
    one, two = await asyncio.gather(spawn(), spawn())
    message = (await one.request("cases"))["message"]
    opened = await one.request("click", message=message, label="Open", interaction_id=None)
    await two.request("freeze", where="case_end")
    await two.send("click", message=opened["message"], label="Approve", interaction_id=None)
    await asyncio.sleep(0.5)  # the child's on_end runs in two, before the parent heard of the end
    two.kill()

    # Two's claim on the child's end (2 s) runs out; one's sweep finishes it, and the parent that
    # waited for it is due at once.
    deadline = time.monotonic() + 10
    while not (await one.request("ends"))["on_end"] and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    ends = await one.request("ends")
    assert len(ends["on_end"]) == 1 and [code for _, code, _ in ends["ends"]] == ["SessionEndCode.EXPIRED"]
    late = await one.request("click", message=opened["message"], label="Approve", interaction_id=None)
    assert late["ephemeral"] == ["This session has expired. Run the command again to start a new one."]
