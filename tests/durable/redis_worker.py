"""One bot process for the multi-process tests: ``python redis_worker.py URL NAMESPACE [LEASE [SKEW]]``.

``SKEW`` runs the whole process on a clock that many seconds off the true time, as a host whose time
is not synchronised. The environment variable ``NYX_TEST_DATA_VERSION`` makes the counter class
declare that ``data_version``, as a newer release of the bot would; ``NYX_TEST_TRACED=1`` gives the
bot an OpenTelemetryObserver on the SDK, its spans kept in memory.

Each process is a whole bot (its own event loop, its own fake Discord from the testing kit) on one
shared Redis store. The processes agree on one guild, channel and owner (fixed ids), so a message
one process sent can be shown to another (``adopt``) and clicked there, as Discord would deliver a
click to whichever process holds the shard. The test drives a worker with one JSON line per command
on stdin and reads one JSON line back:

- ``{"op": "start"}``: the owner runs ``/counter``; answers the message payload;
- ``{"op": "start_many", "count": n, "ttl": s}``: n counters started in the channel; their messages;
- ``{"op": "click", "message": payload, "label": "+1", "interaction_id": id}``: adopt the message
  and click it (``interaction_id`` delivers one interaction to several processes); answers the
  message after the click and what this process answered;
- ``{"op": "click_many", "message": payload, "label": "+1", "interaction_ids": [...]}``: one click per
  id, all at once; their answers, as ``click`` gives them;
- ``{"op": "ends"}``: the ends this process ran, as ``[id, code, result]``, and the ids whose
  ``on_end`` ran here;
- ``{"op": "waits"}``: for each session ``start_many`` started here, the code its ``wait()`` resolved
  with (``None`` while pending), and the ids of the sessions this process holds;
- ``{"op": "cases"}``: the owner runs ``/cases`` (a durable list whose Open button opens a durable
  case review as its child); answers the message payload;
- ``{"op": "freeze", "where": "handler" | "on_end" | "case_end"}``: the next counter handler (or
  counter ``on_end``, or case review ``on_end``) stops the whole process, as a process about to be
  killed;
- ``{"op": "slow", "seconds": s}``: from now on the counter's ``+1`` handler takes ``s`` seconds;
- ``{"op": "end"}``: code here calls ``end()`` on the session this process holds (its own copy);
  answers the result its ``on_end`` saw;
- ``{"op": "update", "message": payload, "content": text}``: code here calls
  ``manager.update_message`` on the message's session (held here or not); answers whether it ran
  and the message after it;
- ``{"op": "limited", "policy": "reject" | "replace"}``: the owner runs ``/limited`` (one counter
  per user); answers the message, or ``None`` and the notice of a refused start;
- ``{"op": "spans"}``: the spans this process finished (traced workers), as ``[name, attributes]``;
- ``{"op": "events"}``: the events on those spans, as ``[span name, event name, attributes]``;
- ``{"op": "quit"}``: close the bot (durable sessions detach) and exit.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

import discord.ext.test.backend as backend

sys.path.insert(0, str(Path(__file__).parent))

import durable_records

from nyx_sessions import SessionEvent, get_session_manager
from nyx_sessions.storage import RedisSessionStore
from nyx_sessions.testing import InteractionHarness, close_test_bot, create_test_bot

GUILD_ID, CHANNEL_ID, OWNER_ID = 880_000_000_000_000_001, 880_000_000_000_000_002, 880_000_000_000_000_003


class Worker:
    def __init__(self, bot: Any, harness: InteractionHarness) -> None:
        self.bot = bot
        self.harness = harness
        guild = backend.make_guild("shared", id_num=GUILD_ID)
        self.channel = backend.make_text_channel("shared", guild, id_num=CHANNEL_ID)
        backend.make_member(bot.user, guild)
        # The extension's module as load_extension made it (a module object of its own, not an import).
        self.sessions = sys.modules["durable_sessions"]
        self.owner = backend.make_member(backend.make_user("owner", "0001", id_num=OWNER_ID), guild)
        self.ended: list[list[Any]] = []
        self.waiting: dict[str, asyncio.Task[Any]] = {}
        get_session_manager(bot).bus.subscribe(SessionEvent.END, self._on_end)

    def _on_end(self, session: Any, data: Any, meta: Any) -> None:
        self.ended.append([session.id, str(data.code), data.result])

    async def start(self) -> dict[str, Any]:
        started = await self.harness.slash("counter", user=self.owner, channel=self.channel)
        message = self.harness.fake.message(int(started.original_id or 0))
        return {"message": message}

    async def cases(self) -> dict[str, Any]:
        started = await self.harness.slash("cases", user=self.owner, channel=self.channel)
        return {"message": self.harness.fake.message(int(started.original_id or 0))}

    async def limited(self, policy: str) -> dict[str, Any]:
        started = await self.harness.slash(
            "limited", {"policy": policy}, user=self.owner, channel=self.channel
        )
        message = (
            self.harness.fake.message(int(started.original_id or 0)) if not started.ephemeral_texts else None
        )
        return {"message": message, "ephemeral": started.ephemeral_texts}

    async def start_many(self, count: int, ttl: float) -> dict[str, Any]:
        messages = []
        for _ in range(count):
            counter = self.sessions.Counter(
                self.bot, self.channel, owner=self.owner, ttl=ttl, data=self.sessions.CounterData()
            )
            await counter.start()
            self.waiting[counter.id] = asyncio.create_task(counter.wait())
            messages.append(self.harness.fake.message(counter.message.id))
        return {"messages": messages}

    async def click(self, message: dict[str, Any], label: str, interaction_id: int | None) -> dict[str, Any]:
        harness = self.harness
        if harness.fake.message(int(message["id"])) is None:
            backend._cur_config.messages.setdefault(CHANNEL_ID, []).append(message)
        custom_id = next(
            child["custom_id"]
            for row in message["components"]
            for child in row["components"]
            if child.get("label") == label
        )
        payload = harness.build_payload(
            3, {"custom_id": custom_id, "component_type": 2}, user=self.owner, message=int(message["id"])
        )
        if interaction_id is not None:
            payload["id"] = str(interaction_id)
        clicked = await harness.inject(payload)
        response = clicked.response
        return {
            "message": harness.fake.message(int(message["id"])),
            "answered": response is not None,
            "deferred": response is not None and response.type == 6,
            "ephemeral": clicked.ephemeral_texts,
        }

    async def update(self, message: dict[str, Any], content: str) -> dict[str, Any]:
        if self.harness.fake.message(int(message["id"])) is None:
            # Every process is the same bot account on Discord: the message is this bot's own here too.
            mine = {**message, "author": {**message["author"], "id": str(self.bot.user.id)}}
            backend._cur_config.messages.setdefault(CHANNEL_ID, []).append(mine)
        manager = get_session_manager(self.bot)
        custom_id = message["components"][0]["components"][0]["custom_id"]
        session_id = manager.codec.deserialize_to_object_id(custom_id)
        updated = await manager.update_message(session_id, content=content)
        return {"updated": updated, "message": self.harness.fake.message(int(message["id"]))}

    async def click_many(
        self, message: dict[str, Any], label: str, interaction_ids: list[int]
    ) -> dict[str, Any]:
        clicks = (self.click(message, label, interaction_id) for interaction_id in interaction_ids)
        return {"answers": await asyncio.gather(*clicks)}

    def freeze(self, where: str) -> dict[str, Any]:
        # A blocking sleep: the process stands still mid-handler, holding what it holds, until killed.
        counter = self.sessions.Counter
        if where == "handler":
            render = counter.render
            counter.render = lambda session: time.sleep(600) or render(session)
        elif where == "case_end":
            self.sessions.CaseReview.on_end = lambda *args: time.sleep(600)
        else:
            counter.on_end = lambda *args: time.sleep(600)
        return {"frozen": where}

    def slow(self, seconds: float) -> dict[str, Any]:
        counter = self.sessions.Counter
        increment = counter.inc

        async def slow_increment(session: Any, interaction: Any, meta: Any) -> None:
            await asyncio.sleep(seconds)
            await increment(session, interaction, meta)

        counter.inc = slow_increment  # the route names the method: it keeps pointing here
        return {"slow": seconds}

    async def end(self) -> dict[str, Any]:
        (session,) = get_session_manager(self.bot).sessions.values()
        ended = await session.end("ended by code in this process")
        return {"code": str(ended.code), "result": ended.result}

    def spans(self) -> list[list[Any]]:
        exporter = getattr(self, "exporter", None)
        if exporter is None:
            return []
        return [[span.name, dict(span.attributes or {})] for span in exporter.get_finished_spans()]

    def events(self) -> list[list[Any]]:
        exporter = getattr(self, "exporter", None)
        if exporter is None:
            return []
        return [
            [span.name, event.name, dict(event.attributes or {})]
            for span in exporter.get_finished_spans()
            for event in span.events
        ]

    def ends(self) -> dict[str, Any]:
        return {"ends": self.ended, "on_end": [session_id for session_id, _ in durable_records.ENDS]}

    def waits(self) -> dict[str, Any]:
        return {
            "waits": {
                key: str(task.result().code) if task.done() else None for key, task in self.waiting.items()
            },
            "held": list(get_session_manager(self.bot).sessions),
        }


def skew_clock(seconds: float) -> None:
    """Make :func:`time.time` of this process read ``seconds`` later than the true time (earlier if < 0)."""
    true_time = time.time
    time.time = lambda: true_time() + seconds


def _tracing() -> tuple[list[Any], Any]:
    """An OpenTelemetryObserver on the SDK, and the in-memory exporter its spans go to."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from nyx_sessions.tracing import OpenTelemetryObserver

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return [OpenTelemetryObserver(provider)], exporter


async def main(url: str, namespace: str, lease: float) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    store = RedisSessionStore.from_url(url, namespace=namespace, lease=lease, end_claim=2.0)
    observers, exporter = _tracing() if os.environ.get("NYX_TEST_TRACED") else ([], None)
    bot = await create_test_bot(
        extensions=("nyx_sessions", "durable_sessions"), store=store, observers=observers
    )
    newer = os.environ.get("NYX_TEST_DATA_VERSION")
    if newer is not None:
        counter = sys.modules["durable_sessions"].Counter
        counter._kind = dataclasses.replace(counter._kind, data_version=int(newer))
    worker = Worker(bot, InteractionHarness(bot).install())
    worker.exporter = exporter
    reader = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )
    print(json.dumps({"ready": True}), flush=True)
    try:
        while line := await reader.readline():
            command = json.loads(line)
            op = command.pop("op")
            if op == "quit":
                break
            if op in {"ends", "events", "freeze", "slow", "spans", "waits"}:
                answer = getattr(worker, op)(**command)
            else:
                answer = await getattr(worker, op)(**command)
            print(json.dumps(answer, default=str), flush=True)
    finally:
        await close_test_bot(bot)
    print(json.dumps({"closed": True}), flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 4:
        skew_clock(float(sys.argv[4]))
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 2.0))
