"""RedisSessionStore: durable sessions shared by every process of a bot, through Redis or Valkey.

Every key lives under one hash tag, ``{nyx:<namespace>}``, so the store also runs on Redis Cluster
(all of a namespace in one slot). Each operation is one Lua script, which Redis runs atomically:

- ``{nyx:ns}:s:<id>``, a hash: the record (``rec``, JSON), its version (``ver``), status (``st``:
  ``run`` or ``end``) and owner (``own``: the name of the process serving it, or empty);
- ``{nyx:ns}:p:<name>``: a process's heartbeat; while it lives, the sessions it owns are its own;
- ``{nyx:ns}:w:<name>``: the sessions other processes asked that process to let go of;
- ``{nyx:ns}:dl``: running sessions by deadline (a sorted set every process polls);
- ``{nyx:ns}:end``: ends in progress by the time their claim runs out (a process that died in
  ``on_end`` is finished by another, without a second ``on_end``);
- ``{nyx:ns}:c:<claimer>``: the ends one store object (one process) claimed and has not finished, so
  it finds a claim whose answer it never got (the record's ``by`` names the claimer);
- ``{nyx:ns}:ix:<interaction id>``: an interaction a process took, for 15 minutes (the token's life);
- ``{nyx:ns}:lim:<limit key>``: the sessions one limit (``max_per_user``, ...) counts, by the time
  each was admitted, and ``{nyx:ns}:lk:<id>``: a start admitted a moment ago whose record does not
  exist yet (it lapses after :data:`~nyx_sessions.storage.STARTING_GRACE`);
- the channels ``{nyx:ns}:ended`` (the id of each session a process finished, for the processes that
  hold a copy of it) and ``{nyx:ns}:let`` (requests to let go), both best effort.

A process keeps the sessions it serves (Discord sends a guild's clicks to one shard, so they come
back to it) and one heartbeat per third of a lease keeps them all: its next click runs its handler
at once and writes after it in one round trip, a commit fenced by ownership and version that also
marks the interaction as taken and moves the deadline. A click that reaches another process asks
the owner to let go (it does, between two clicks) or waits out a dead owner's heartbeat. A name
whose heartbeat ran out is never used again, so ownership that lapsed during a stall never comes
back unseen. Every script that writes is fenced by its caller's give-up moment (``give_up_at``):
Redis runs the scripts queued during a stall when it resumes, and one that runs after its caller
gave up changes nothing, so no start reported failed comes back and no end is claimed that nobody
runs.

Every time stored or compared in Redis (deadlines, end claims, give-up moments) is on the server's
clock: hosts' clocks differ, and a process whose clock ran ahead would otherwise end other
processes' sessions early, one running behind would see every click refused as late. Each process
reads the server's ``TIME`` (at open and every minute) and translates at the store's edge, so the
caller keeps working in its own clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import logging
import math
import secrets
import time
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from nyx_sessions.errors import SessionStoreError

from .store import STARTING_GRACE, Acquired, Admitted, DurableRecord, SessionBusyError

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping, Sequence

    from redis.asyncio import Redis
    from redis.commands.core import AsyncScript

__all__ = ("RedisSessionStore",)

_log = logging.getLogger(__name__)

_REPLAY_MS = 15 * 60 * 1000
"""How long an interaction id is remembered: its token's life, after which Discord refuses it anyway."""

_LATE = """
-- Every script that writes first refuses to act past its caller's give-up moment (ms on this
-- server's clock, 0: none): a stalled server runs queued scripts when it resumes, long after the
-- client gave up, and a start reported failed or a claim nobody waits for must not happen then.
local function too_late(give_up_ms)
    if give_up_ms <= 0 then return false end
    local t = redis.call('TIME')
    return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > give_up_ms
end
local function refuse() return redis.error_reply('NYXLATE reached Redis after its caller gave up') end
-- A session's owner is '<process name>.<taking>': each taking of a session is its own, so a late
-- request of an earlier one never lets go of a later one.
local function name_of(own) return (string.match(own, '^[^.]*')) end
-- Milliseconds another live process goes on owning a session (0: none owns it, the caller does, or
-- its owner's heartbeat ran out).
local function owner_left(own, me, prefix)
    if not own or own == '' then return 0 end
    local name = name_of(own)
    if name == me then return 0 end
    return math.max(redis.call('PTTL', prefix .. 'p:' .. name), 0)
end
-- Ask a session's owner to let go of it: a notice now, and its next heartbeat reads the request.
local function ask(own, id, prefix, keep_ms)
    local name = name_of(own)
    local wanted = prefix .. 'w:' .. name
    redis.call('SADD', wanted, id)
    redis.call('PEXPIRE', wanted, keep_ms)
    redis.pcall('PUBLISH', prefix .. 'let', name .. ' ' .. id)
end
"""

_ACQUIRE = """
local s, alive, ix = KEYS[1], KEYS[2], KEYS[3] or ''  -- no interaction key: none to mark
local me, id, prefix = ARGV[1], ARGV[4], ARGV[5]
if too_late(tonumber(ARGV[2])) then return {'late', 0, 0} end
-- The interaction first: of the processes it reached, only the first answers it, whatever it finds
-- (a session another process just ended included).
if ix ~= '' and not redis.call('SET', ix, '1', 'NX', 'PX', ARGV[3]) then return {'replay', 0, 0} end
local found = redis.call('HMGET', s, 'st', 'ver', 'own')
local outcome = nil
if not found[1] then return {'missing', 0, 0} end
if found[1] ~= 'run' then return {'ending', 0, 0} end
local left = owner_left(found[3], me, prefix)
if left > 0 then
    outcome = {'busy', 0, left}
    ask(found[3], id, prefix, ARGV[6])
elseif redis.call('EXISTS', alive) == 0 then
    outcome = {'stale', 0, 0}  -- this process's own heartbeat ran out: it takes a new name first
end
if outcome then
    if ix ~= '' then redis.call('DEL', ix) end  -- the caller tries again with the same interaction
    return outcome
end
redis.call('HSET', s, 'own', ARGV[7])
return {'ok', tonumber(found[2]), 0}
"""

_CREATE = """
local s, dl, starting = KEYS[1], KEYS[2], KEYS[3]
if too_late(tonumber(ARGV[5])) then return refuse() end
if redis.call('EXISTS', s) == 1 then return 0 end
redis.call('HSET', s, 'rec', ARGV[1], 'ver', 1, 'st', 'run', 'kind', ARGV[4], 'dv', ARGV[6], 'own', ARGV[7])
if ARGV[8] ~= '' then redis.call('HSET', s, 'par', ARGV[8]) end  -- a child: reclaim finds its parent
if ARGV[2] ~= '' then redis.call('ZADD', dl, ARGV[2], ARGV[3]) end
redis.call('DEL', starting)  -- an admitted start: its record counts from now on
return 1
"""

_ADMIT = """
-- KEYS: one sorted set per limit. A member counts while its record runs, or while its start is
-- admitted and has no record yet ('lk:<id>' lives); an ending one does not, and is kept until it
-- is finished; the others (finished, or a start that died) are dropped here.
local id, grace, policy, prefix = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
if too_late(tonumber(ARGV[5])) then return refuse() end
local victims, chosen = {}, {}
for i, key in ipairs(KEYS) do
    local limit = tonumber(ARGV[5 + i])
    local counted, starting = {}, {}
    for _, m in ipairs(redis.call('ZRANGE', key, 0, -1)) do
        local st = redis.call('HGET', prefix .. 's:' .. m, 'st')
        if st == 'run' then
            table.insert(counted, m)
        elseif not st and redis.call('EXISTS', prefix .. 'lk:' .. m) == 1 then
            table.insert(counted, m)
            starting[m] = true
        elseif not st then
            redis.call('ZREM', key, m)
        end
    end
    local over = #counted + 1 - limit
    if over > 0 then
        if policy == 'reject' then return {'reject', counted[1], i - 1} end
        for j = 1, over do
            local victim = counted[j]
            if starting[victim] then return {'busy'} end
            if not chosen[victim] then
                chosen[victim] = true
                table.insert(victims, victim)
            end
        end
    end
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _, key in ipairs(KEYS) do redis.call('ZADD', key, now, id) end
redis.call('SET', prefix .. 'lk:' .. id, '1', 'PX', grace)
return {'ok', unpack(victims)}
"""

_COMMIT = """
local s, dl, ix = KEYS[1], KEYS[2], KEYS[3] or ''
local id, owned_as, taken_at, me, prefix = ARGV[3], ARGV[4], ARGV[5], ARGV[8], ARGV[10]
if too_late(tonumber(ARGV[6])) then return refuse() end
local found = redis.call('HMGET', s, 'st', 'own', 'ver')
if found[1] ~= 'run' then return {0, 0} end
-- Fenced by ownership and version: a process that stalled past its heartbeat, while another
-- served the session, cannot overwrite what that one wrote.
if found[2] ~= owned_as or found[3] ~= taken_at then return {-1, 0} end
local ver = redis.call('HINCRBY', s, 'ver', 1)
local asked = redis.call('SREM', prefix .. 'w:' .. name_of(owned_as), id)
redis.call('HSET', s, 'rec', ARGV[1], 'dv', ARGV[7], 'own', asked == 1 and '' or me, 'chd', ARGV[11])
if ARGV[2] ~= '' then redis.call('ZADD', dl, ARGV[2], id) else redis.call('ZREM', dl, id) end
if ix ~= '' then redis.call('SET', ix, '1', 'PX', ARGV[9]) end
return {ver, asked}
"""

_RELEASE = """
-- A click over without a commit (ARGV[5] = '0'), or a request to let go answered (ARGV[5] = '1').
local s, ix = KEYS[1], KEYS[2] or ''
local owned_as, id, prefix = ARGV[1], ARGV[2], ARGV[3]
if ix ~= '' then redis.call('SET', ix, '1', 'PX', ARGV[4]) end
local asked = redis.call('SREM', prefix .. 'w:' .. name_of(owned_as), id)
if (asked == 1 or ARGV[5] == '1') and redis.call('HGET', s, 'own') == owned_as then
    redis.call('HSET', s, 'own', '')
    return 1
end
return 0
"""

_BEAT = """
-- One heartbeat keeps every session this process owns; a lapsed one never comes back (the process
-- takes a new name), and the requests to let go that the notices may have lost come back with it.
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return false end
return redis.call('SMEMBERS', KEYS[2])
"""

_CLAIM_END = """
local s, dl, ends, mine = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, due_by, now, claim_until, me = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
local claimer, prefix = ARGV[7], ARGV[8]
if too_late(tonumber(ARGV[6])) then return refuse() end
local found = redis.call('HMGET', s, 'st', 'own')
if found[1] ~= 'run' then return false end
local left = owner_left(found[2], me, prefix)
if due_by ~= '' then
    local deadline = redis.call('ZSCORE', dl, id)
    if not deadline or tonumber(deadline) > tonumber(due_by) then return false end
    if left > 0 then return false end  -- its owner ends it
elseif left > 0 then
    -- a click may be running there: the owner lets go between two clicks, then the end is claimed
    ask(found[2], id, prefix, ARGV[9])
    return {'busy', left}
end
redis.call('HSET', s, 'st', 'end', 'by', claimer, 'own', '')
redis.call('ZREM', dl, id)
redis.call('ZADD', ends, claim_until, id)
redis.call('SADD', mine, id)
return {'ok', redis.call('HGET', s, 'rec'), redis.call('HGET', s, 'ver')}
"""

_CLAIM_DUE = """
local dl, ends, mine = KEYS[1], KEYS[2], KEYS[3]
local prefix, now, limit, claim_until = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local give_up_ms, claimer, me, grace = tonumber(ARGV[5]), ARGV[6], ARGV[7], tonumber(ARGV[8])
local kind_count = tonumber(ARGV[9])
if too_late(give_up_ms) then return refuse() end
-- kinds[kind] is the newest data_version the caller reads: a newer version's sessions are its own
local kinds, busy = {}, {}
for i = 10, 9 + kind_count * 2, 2 do kinds[ARGV[i]] = tonumber(ARGV[i + 1]) end
for i = 10 + kind_count * 2, #ARGV do busy[ARGV[i]] = true end
-- Due sessions this process cannot end stay in front; look past them, a bounded way.
local due = redis.call('ZRANGE', dl, '-inf', now, 'BYSCORE', 'LIMIT', 0, limit * 4, 'WITHSCORES')
local claimed, owners = {}, {}  -- owners: each owner's time left, read once per call
for i = 1, #due, 2 do
    if #claimed >= limit * 2 then break end
    local id, deadline = due[i], tonumber(due[i + 1])
    local s = prefix .. 's:' .. id
    local found = redis.call('HMGET', s, 'st', 'kind', 'rec', 'ver', 'dv', 'own')
    local readable = kinds[found[2]]
    if found[1] ~= 'run' then
        redis.call('ZREM', dl, id)
    elseif readable and (tonumber(found[5]) or 0) <= readable and not busy[id] then
        local own = found[6] or ''
        local left = owners[own] or owner_left(own, me, prefix)
        owners[own] = left
        if left > 0 then
            -- Another live process owns it and ends it. One silent past the grace stands still:
            -- look again in a moment (at most a second: it may stop or go on at any time), and
            -- meanwhile past it.
            if now - deadline > grace then redis.call('ZADD', dl, now + math.min(left, 1000) / 1000, id) end
        else
            redis.call('HSET', s, 'st', 'end', 'by', claimer, 'own', '')
            redis.call('ZREM', dl, id)
            redis.call('ZADD', ends, claim_until, id)
            redis.call('SADD', mine, id)
            table.insert(claimed, found[3])
            table.insert(claimed, found[4])
        end
    end
end
return claimed
"""

_CLAIMED = """
local mine, ends = KEYS[1], KEYS[2]
local prefix, claim_until, claimer = ARGV[1], ARGV[2], ARGV[4]
if too_late(tonumber(ARGV[3])) then return refuse() end
local ignore = {}
for i = 5, #ARGV do ignore[ARGV[i]] = true end
local found = {}
for _, id in ipairs(redis.call('SMEMBERS', mine)) do
    local s = prefix .. 's:' .. id
    local held = redis.call('HMGET', s, 'st', 'by', 'rec', 'ver')
    if held[1] ~= 'end' or held[2] ~= claimer then
        redis.call('SREM', mine, id)  -- finished, or finished for a claimer that ran out
    elseif not ignore[id] then
        redis.call('ZADD', ends, claim_until, id)
        table.insert(found, held[3])
        table.insert(found, held[4])
    end
end
return found
"""

_FINISH = """
if too_late(tonumber(ARGV[3])) then return refuse() end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[1])
-- pcall: a user without the channel in its ACL still finishes; only the notice is lost
redis.pcall('PUBLISH', ARGV[2], ARGV[1])
return 1
"""

_RECLAIM = """
local ends, dl, prefix, limit = KEYS[1], KEYS[2], ARGV[2], tonumber(ARGV[3])
local dead = redis.call('ZRANGE', ends, '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, limit)
for _, id in ipairs(dead) do
    local found = redis.call('HMGET', prefix .. 's:' .. id, 'by', 'par')
    if found[1] then redis.call('SREM', prefix .. 'c:' .. found[1], id) end
    -- A parent still waiting for this child would wait for ever: it is due at once, and expires.
    local parent = found[2] and prefix .. 's:' .. found[2]
    if parent and redis.call('HGET', parent, 'chd') == id and redis.call('HGET', parent, 'st') == 'run' then
        redis.call('ZADD', dl, 0, found[2])
    end
    redis.call('DEL', prefix .. 's:' .. id)
    redis.call('ZREM', ends, id)
end
return dead
"""

_SCRIPTS = {
    "acquire": _ACQUIRE,
    "admit": _ADMIT,
    "create": _CREATE,
    "commit": _COMMIT,
    "release": _RELEASE,
    "beat": _BEAT,
    "claim_end": _CLAIM_END,
    "claim_due": _CLAIM_DUE,
    "claimed": _CLAIMED,
    "finish": _FINISH,
    "reclaim": _RECLAIM,
}

_CLOCK_READ_EVERY = 60.0
"""Seconds between two readings of the server's clock (clocks drift apart by milliseconds a day)."""

_SKEW_WARNING = 1.0
"""Seconds between this host's clock and the server's beyond which the store warns once."""

_NOTICE_WAIT = 15.0
"""Seconds the watch of ended sessions listens before it pings: a connection silent for two of these
is taken for dead and made again."""

_RESUBSCRIBE = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
"""Waits between tries to listen again after the connection failed (the last one repeats)."""

_OWNERSHIP_MARGIN = 0.2
"""The share of a lease a process stops counting on its ownership early: its clock and the server's
may run at slightly different rates, and a handler starts a moment after the check."""

_OWNER_GRACE = 2.0
"""Seconds past a deadline another process leaves a session to its live owner, which ends it; an
owner silent past that stands still, and its session is looked at again each second until the
owner ends it or its heartbeat runs out."""

_SAFE_SETTINGS = {"maxmemory-policy": "noeviction"}

_CONNECTIONS = 64
"""Connections a store made from a URL opens at most; more concurrent calls wait for one."""


class RedisSessionStore:
    """A :class:`~nyx_sessions.storage.SessionStore` in Redis (or Valkey): any number of processes.

    Every process of the bot configures the same store (same server, same ``namespace``); each
    serves any session. Across processes a session takes one click at a time (the process serving
    it owns it; a click elsewhere takes it over), an interaction delivered to two processes runs
    once, and each session ends once. The owner's clicks cost one round trip each.

    Parameters
    ----------
    client_or_url: Union[:class:`redis.asyncio.Redis`, :class:`str`]
        A ``redis.asyncio`` client (any compatible one, such as Valkey's fork), or a URL
        (``redis://``, ``rediss://``, ``unix://``) to make one from. A client given is the caller's:
        :meth:`close` leaves it open. While the bot runs, the store keeps one connection of the
        client's pool listening for notices (sessions ended, requests to let go), so give a
        bounded pool room for it.
    namespace: :class:`str`
        Separates this bot's sessions from anything else in the database; every process of one
        bot uses the same.
    lease: :class:`float`
        Seconds a process keeps the sessions it serves after its last heartbeat (one every third
        of it): a killed or frozen process blocks its sessions at most this long.
    end_claim: :class:`float`
        Seconds an end may take before another process finishes it (without running ``on_end``
        again): a process killed in ``on_end`` leaves its session at most this long.

    Raises
    ------
    SessionStoreError
        ``redis`` is not installed (``pip install "nyx-sessions[redis]"``), or the namespace is empty.
    """

    shared: ClassVar[bool] = True
    waits: ClassVar[bool] = True

    __slots__ = (
        "_claimer",
        "_client",
        "_clock_read_at",
        "_closed",
        "_keys",
        "_name",
        "_offset",
        "_owned",
        "_owned_until",
        "_owns_client",
        "_scripts",
        "_skew_warned",
        "_takings",
        "end_claim",
        "lease",
        "namespace",
    )

    def __init__(
        self,
        client_or_url: Redis | str,
        *,
        namespace: str,
        lease: float = 15.0,
        end_claim: float = 60.0,
    ) -> None:
        if not namespace or "}" in namespace or "{" in namespace:
            raise SessionStoreError(f"namespace={namespace!r}: give a non-empty name without braces")
        if isinstance(client_or_url, str):
            client = _client_from_url(client_or_url)
            self._owns_client = True
        else:
            client = client_or_url
            self._owns_client = False
        self._client: Redis = client
        self.namespace = namespace
        self.lease = lease
        self.end_claim = end_claim
        self._keys = f"{{nyx:{namespace}}}:"
        self._scripts: dict[str, AsyncScript] = {
            name: client.register_script(_LATE + source) for name, source in _SCRIPTS.items()
        }
        # The name this process owns sessions under; a new one whenever its heartbeat ran out, so
        # ownership that lapsed never comes back unseen.
        self._name = secrets.token_hex(8)
        # The sessions this process serves: the name it took each under, that taking's own mark in
        # the record (the name and a count), and the version it holds.
        self._owned: dict[str, tuple[str, str, int]] = {}
        self._takings = itertools.count()
        # Until when (monotonic) this process's ownership surely holds: its last heartbeat's send
        # time plus the lease, less a margin for clocks that run at slightly different rates.
        self._owned_until = -math.inf
        # Names this store's end claims, so it finds again a claim whose answer it never got.
        self._claimer = secrets.token_hex(8)
        self._closed = False
        # The server's clock minus this host's, in seconds, and when (monotonic) it was read.
        self._offset = 0.0
        self._clock_read_at = -math.inf
        self._skew_warned = False

    @classmethod
    def from_url(cls, url: str, *, namespace: str, **options: Any) -> RedisSessionStore:
        """Connect to the Redis server ``url`` names (``redis://``, ``rediss://``, ``unix://``).

        ``options`` go to :class:`RedisSessionStore` (``lease``, ``end_claim``).
        """
        return cls(url, namespace=namespace, **options)

    @property
    def client(self) -> Redis:
        """The Redis client."""
        return self._client

    def __repr__(self) -> str:
        return f"<RedisSessionStore namespace={self.namespace!r} owned={len(self._owned)}>"

    # -- lifecycle -------------------------------------------------------------------------------------

    async def open(self) -> None:
        """Check the server; an unreachable one is only warned about (it is tried again per call)."""
        self._closed = False
        try:
            await self._client.ping()
            await self._take_new_name()
        except Exception as error:  # any client's connection error: the bot starts anyway
            _log.warning(
                "the Redis session store does not answer (%r): durable sessions get a 'try again' "
                "notice until it does",
                error,
            )
            return
        await self._read_clock()
        await self._warn_about_unsafe_settings()

    async def close(self) -> None:
        """Let go of every session this process serves; close the client if the store made it."""
        self._closed = True  # the watch stops, even if redis-py ate its cancellation
        self._owned.clear()
        self._owned_until = -math.inf
        # Other processes take this one's sessions at once, rather than once its heartbeat runs out.
        with contextlib.suppress(SessionStoreError):
            await self._call(self._client.delete(self._alive))
        if self._owns_client:
            await self._client.aclose()

    @property
    def clock_offset(self) -> float:
        """Seconds the server's clock is ahead of this host's (negative: behind), as last read.

        Deadlines are kept on the server's clock; the store translates them to this host's.
        """
        return self._offset

    async def _read_clock(self) -> None:
        """Read the server's clock; the midpoint of the round trip stands for the moment it answered.

        A failed reading keeps the last offset and is tried again in a minute: the calls that need
        the server fail on their own when it is down.
        """
        self._clock_read_at = time.monotonic()
        asked = time.time()
        try:
            seconds, micros = await self._client.time()
        except Exception as error:  # any client's error, as in open()
            _log.warning("reading the Redis server's clock failed (%r); the last offset stays", error)
            return
        answered = time.time()
        self._offset = seconds + micros / 1_000_000 - (asked + answered) / 2
        skewed = abs(self._offset) > _SKEW_WARNING
        if skewed and not self._skew_warned:
            _log.warning(
                "this host's clock is %.1f s %s the Redis server's: session deadlines follow the "
                "server's clock, but check the host's time synchronisation (NTP)",
                abs(self._offset),
                "behind" if self._offset > 0 else "ahead of",
            )
        self._skew_warned = skewed

    async def _warn_about_unsafe_settings(self) -> None:
        try:
            settings: dict[Any, Any] = {}
            for name in ("maxmemory-policy", "appendonly", "appendfsync", "save"):
                settings.update(await self._client.config_get(name))
            settings = {_text(key): value for key, value in settings.items()}
        except Exception:  # CONFIG is often refused to a restricted ACL user: nothing to read
            return
        for name, safe in _SAFE_SETTINGS.items():
            value = _text(settings.get(name, safe))
            if value != safe:
                _log.warning(
                    "Redis %s is %r: sessions may be evicted under memory pressure; set it to %r",
                    name,
                    value,
                    safe,
                )
        if _text(settings.get("appendonly", "no")) != "yes":
            if _text(settings.get("save", "")):
                _log.warning(
                    "Redis keeps sessions in snapshots only (appendonly no): a crash of Redis loses "
                    "the clicks since the last snapshot and brings back sessions that ended since, "
                    "which end again (on_end twice); turn on appendonly yes"
                )
            else:
                _log.warning(
                    "Redis persists nothing (appendonly no, no save points): a restart of Redis "
                    "loses every session; turn on appendonly yes"
                )
        elif _text(settings.get("appendfsync", "everysec")) == "no":
            _log.warning(
                "Redis appendfsync is no: a crash of the host loses the last seconds of clicks and "
                "ends (the system flushes when it likes); set appendfsync everysec (or always)"
            )

    # -- the store protocol ----------------------------------------------------------------------------

    async def create(self, record: DurableRecord, *, give_up_at: float | None = None) -> bool:
        """Store a new session, served by this process; ``False`` when its id is taken."""
        keys = [self._session(record.id), self._deadlines, self._starting(record.id)]
        arguments = [self._encode(record), self._score(record), record.id, record.kind]
        name, taking = self._name, self._taking()
        created = await self._run(
            "create",
            keys,
            [*arguments, self._ms(give_up_at), record.data_version, taking, record.parent or ""],
        )
        if created:
            self._owned[record.id] = (name, taking, 1)
        return bool(created)

    async def load(self, session_id: str) -> DurableRecord | None:
        """The running session's record, or ``None``."""
        st, rec, ver = await self._call(self._client.hmget(self._session(session_id), ["st", "rec", "ver"]))
        if st is None or _text(st) != "run" or rec is None:
            return None
        return self._decode(rec, int(ver))

    async def exists(self, session_id: str) -> bool:
        """Whether the id is stored (running or ending)."""
        return bool(await self._call(self._client.exists(self._session(session_id))))

    async def commit(
        self, record: DurableRecord, *, interaction_id: int | None = None, give_up_at: float | None = None
    ) -> bool:
        """Replace a running session's record, fenced by this process's ownership and the version it
        holds; ``interaction_id`` is remembered as taken, in the same round trip.

        A process whose heartbeat ran out during a long handler still writes when no process has
        taken the session since. ``False`` when the session no longer runs, or when another process
        served it since (this change is dropped, and logged). When another process asked for the
        session meanwhile, this process lets go of it here.
        """
        # Forgotten first: should the answer be lost, the next click asks the store again (the
        # commit may have let go).
        _, owned_as, taken_at = self._owned.pop(record.id, ("", "-", 0))
        name, taking = self._name, self._taking()
        version, let_go = await self._run(
            "commit",
            [self._session(record.id), self._deadlines, *self._interaction(interaction_id)],
            [
                self._encode(record),
                self._score(record),
                record.id,
                owned_as,
                taken_at,
                self._ms(give_up_at),
                record.data_version,
                taking,
                _REPLAY_MS,
                self._keys,
                record.child or "",
            ],
        )
        if version == -1:
            _log.warning(
                "session %s was taken over by another process while this one ran its handler "
                "(this process's heartbeat of %s s ran out): this change is dropped",
                record.id,
                self.lease,
            )
        elif version > 0 and not let_go:
            self._owned[record.id] = (name, taking, int(version))
        return int(version) > 0

    async def next_deadline(self) -> float | None:
        """The earliest deadline of a running session (the sweep asks after each pass: the server's
        clock is read again here once a minute)."""
        if time.monotonic() - self._clock_read_at > _CLOCK_READ_EVERY:
            await self._read_clock()
        earliest = await self._call(self._client.zrange(self._deadlines, 0, 0, withscores=True))
        return float(earliest[0][1]) - self._offset if earliest else None

    async def due(self, now: float, limit: int) -> list[str]:
        """Running sessions whose deadline has passed, earliest first; ends whose process died are
        finished first (without ``on_end``: it may have run)."""
        dead = await self._run(
            "reclaim", [self._ends, self._deadlines], [self._server_now(), self._keys, limit]
        )
        for session_id in dead:
            _log.warning("session %s was left ending by a process that stopped; finished", _text(session_id))
        until = now + self._offset
        found = await self._call(
            self._client.zrange(self._deadlines, "-inf", until, byscore=True, offset=0, num=limit)
        )
        return [_text(session_id) for session_id in found]

    async def claim_due(
        self,
        now: float,
        limit: int,
        *,
        kinds: Mapping[str, int],
        busy: Collection[str] = (),
        give_up_at: float | None = None,
    ) -> list[DurableRecord]:
        """Mark due sessions this process can end (of ``kinds``, no newer ``data_version``, none in
        ``busy``) as ending, in one atomic script: each is claimed by one process of all. Sessions
        another live process serves are left to it; one that stays silent past a short grace
        (frozen) is looked at again once its heartbeat has run out."""
        if not kinds:
            return []
        found = await self._run(
            "claim_due",
            [self._deadlines, self._ends, self._mine],
            [
                self._keys,
                now + self._offset,
                limit,
                self._server_now() + self.end_claim,
                self._ms(give_up_at),
                self._claimer,
                self._name,
                _OWNER_GRACE,
                len(kinds),
                *itertools.chain.from_iterable(kinds.items()),
                *busy,
            ],
        )
        claimed = self._decode_pairs(found)
        for record in claimed:
            self._owned.pop(record.id, None)  # ending here: no click of this process skips the store
        return claimed

    async def claimed(
        self, *, ignore: Collection[str] = (), give_up_at: float | None = None
    ) -> list[DurableRecord]:
        """The ends this store claimed and has not finished, except ``ignore``; each claim is
        extended by :attr:`end_claim` (its claimer is alive and takes it up)."""
        found = await self._run(
            "claimed",
            [self._mine, self._ends],
            [self._keys, self._server_now() + self.end_claim, self._ms(give_up_at), self._claimer, *ignore],
        )
        return self._decode_pairs(found)

    async def claim_end(
        self, session_id: str, *, due_by: float | None = None, give_up_at: float | None = None
    ) -> DurableRecord | None:
        """Mark a running session as ending and return its record; only one caller in all processes
        gets it. With ``due_by``, a session another live process serves is left to that process;
        without, that process is asked to let go (:class:`~nyx_sessions.storage.SessionBusyError`)."""
        self._owned.pop(session_id, None)  # ending, whatever the answer: no click here skips the store
        claimed = await self._run(
            "claim_end",
            [self._session(session_id), self._deadlines, self._ends, self._mine],
            [
                session_id,
                "" if due_by is None else due_by + self._offset,
                0 if due_by is None else due_by + self._offset,
                self._server_now() + self.end_claim,
                self._name,
                self._ms(give_up_at),
                self._claimer,
                self._keys,
                self._keep_requests_ms,
            ],
        )
        if not claimed:
            return None
        if _text(claimed[0]) == "busy":
            raise SessionBusyError(session_id, int(claimed[1]) / 1000)
        return self._decode(claimed[1], int(claimed[2]))

    async def finish(self, session_id: str, *, give_up_at: float | None = None) -> None:
        """Forget the session."""
        self._owned.pop(session_id, None)
        await self._run(
            "finish",
            [self._session(session_id), self._deadlines, self._ends, self._mine],
            [session_id, self._ended_channel, self._ms(give_up_at)],
        )

    async def admit(
        self,
        session_id: str,
        limits: Sequence[tuple[str, int]],
        policy: Literal["replace", "reject"],
        *,
        now: float,
        give_up_at: float | None = None,
    ) -> Admitted:
        """Count a new session against its limits and admit it, for every process at once (one
        script); see the protocol. ``now`` is unused: the server's clock orders admissions."""
        keys = [f"{self._keys}lim:{key}" for key, _ in limits]
        grace_ms = int(STARTING_GRACE * 1000)
        arguments = [session_id, grace_ms, policy, self._keys, self._ms(give_up_at), *(n for _, n in limits)]
        found = [
            _text(part) if isinstance(part, (bytes, str)) else part
            for part in await self._run("admit", keys, arguments)
        ]
        if found[0] == "reject":
            return Admitted("reject", blocker=str(found[1]), limit=int(found[2]))
        if found[0] == "busy":
            return Admitted("busy")
        return Admitted("ok", victims=tuple(str(victim) for victim in found[1:]))

    async def unadmit(self, session_id: str) -> None:
        """Stop counting a start that failed before its record was created."""
        await self._call(self._client.delete(self._starting(session_id)))

    # -- across processes ------------------------------------------------------------------------------

    def owns(self, session_id: str) -> bool:
        """Whether this process surely serves the session now (no call needed before a handler)."""
        owned = self._owned.get(session_id)
        return owned is not None and owned[0] == self._name and time.monotonic() < self._owned_until

    async def acquire(self, session_id: str, *, interaction_id: int | None, give_up_at: float) -> Acquired:
        """Make the session this process's for a click, and mark the interaction as taken.

        Parameters
        ----------
        session_id: :class:`str`
            The session.
        interaction_id: Optional[:class:`int`]
            The interaction to mark; another process receiving it later gets ``"replay"``.
        give_up_at: :class:`float`
            Epoch seconds (wall clock) after which the caller no longer waits: a request reaching
            Redis later takes nothing.
        """
        for _ in range(2):  # a second time only under a new name, when this process's heartbeat lapsed
            name, taking = self._name, self._taking()
            status, version, retry_ms = await self._run(
                "acquire",
                [self._session(session_id), self._alive, *self._interaction(interaction_id)],
                [
                    name,
                    self._ms(give_up_at),
                    _REPLAY_MS,
                    session_id,
                    self._keys,
                    self._keep_requests_ms,
                    taking,
                ],
            )
            outcome = _text(status)
            if outcome != "stale":
                break
            await self._take_new_name()
        else:
            raise SessionStoreError("Redis: this process's heartbeat cannot be kept alive")
        if outcome == "ok":
            self._owned[session_id] = (name, taking, int(version))
        elif outcome in {"missing", "ending"}:
            self._owned.pop(session_id, None)
        return Acquired(outcome, int(version), max(int(retry_ms), 0) / 1000)  # type: ignore[arg-type]

    async def release(self, session_id: str, *, interaction_id: int | None = None) -> None:
        """A click over without a commit: its interaction marked as taken, and the session let go
        of when another process asked for it meanwhile."""
        await self._let_go(session_id, interaction_id, asked=False)

    async def let_go(self, session_id: str) -> None:
        """Stop serving the session: another process asked for it (call it between two clicks)."""
        await self._let_go(session_id, None, asked=True)

    async def _let_go(self, session_id: str, interaction_id: int | None, *, asked: bool) -> None:
        owned = self._owned.pop(session_id, None)  # forgotten first, as in commit()
        if owned is None and interaction_id is None:
            if asked:  # a request for a session this process no longer serves: clear it
                await self._call(self._client.srem(self._requests(self._name), session_id))
            return
        # A click whose handler ended the session no longer owns it, yet its interaction must be
        # marked: the same interaction delivered to another process is then not answered twice.
        owned_as = self._name if owned is None else owned[1]
        gone = await self._run(
            "release",
            [self._session(session_id), *self._interaction(interaction_id)],
            [owned_as, session_id, self._keys, _REPLAY_MS, int(asked)],
        )
        if owned is not None and not gone:
            self._owned[session_id] = owned

    async def watch(self, ended: Callable[[str], None], asked: Callable[[str], None]) -> None:
        """Keep this process's ownership alive and listen for notices, until cancelled.

        A heartbeat every third of :attr:`lease` keeps every session this process serves, and
        brings back the requests to let go that a notice may have lost. Notices come on the
        namespace's channels (Redis pub/sub): a notice sent while this process is cut off is lost.
        A connection that fails, or stays silent past a ping, is made again.
        """
        beating = asyncio.get_running_loop().create_task(
            self._beat(asked), name="nyx-sessions:background:heartbeat"
        )
        try:
            await self._watch(ended, asked)
        finally:
            beating.cancel()
            await asyncio.wait((beating,), timeout=1.0)

    async def _beat(self, asked: Callable[[str], None]) -> None:
        """The heartbeat: one call per third of a lease keeps all this process's sessions."""
        while not self._closed:
            sent = time.monotonic()
            try:
                keys = [self._alive, self._requests(self._name)]
                requests = await self._run("beat", keys, [self._lease_ms])
            except SessionStoreError as error:
                _log.debug("heartbeat failed: %s", error)
            else:
                if requests is None:
                    _log.warning(
                        "this process's heartbeat ran out (Redis or this process stood still for %s s): "
                        "its sessions are served again from their stored state",
                        self.lease,
                    )
                    await self._take_new_name()
                else:
                    self._owned_until = sent + self.lease * (1 - _OWNERSHIP_MARGIN)
                    for session_id in requests:
                        asked(_text(session_id))
            await asyncio.sleep(self.lease / 3)

    def _taking(self) -> str:
        """The mark a new taking of a session leaves in its record: this process's name and a count."""
        return f"{self._name}.{next(self._takings)}"

    async def _take_new_name(self) -> None:
        """Serve sessions under a new name from now on: what was owned under the old one is taken
        again click by click, each checked against the store."""
        self._name = secrets.token_hex(8)
        sent = time.monotonic()
        await self._call(self._client.set(self._alive, b"1", px=self._lease_ms))
        self._owned_until = sent + self.lease * (1 - _OWNERSHIP_MARGIN)

    async def _watch(self, ended: Callable[[str], None], asked: Callable[[str], None]) -> None:
        waits = iter(_RESUBSCRIBE)
        failing = False
        while not self._closed:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._ended_channel, self._let_channel)
                if failing:
                    _log.info("notices from other processes are received again")
                waits, failing = iter(_RESUBSCRIBE), False
                await self._listen(pubsub, ended, asked)
            except Exception as error:  # any client's error: listen again after a pause
                if not failing:
                    refused = "NoPermission" in type(error).__name__ or "NOPERM" in str(error)
                    _log.warning(
                        "notices from other processes are not received (%r); trying again%s",
                        error,
                        f" (the ACL user needs the channels: &{self._keys}*)" if refused else "",
                    )
                failing = True
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
            await asyncio.sleep(next(waits, _RESUBSCRIBE[-1]))

    async def _listen(self, pubsub: Any, ended: Callable[[str], None], asked: Callable[[str], None]) -> None:
        """Hand each notice on; return when the connection went silent past a ping."""
        pinged = False
        while not self._closed:
            waited_from = time.monotonic()
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=_NOTICE_WAIT)
            if message is None and time.monotonic() - waited_from < _NOTICE_WAIT:
                continue  # a subscription's confirmation, which redis-py hands on as nothing
            if message is None:
                if pinged:
                    return  # not even the pong came back
                await pubsub.ping()
                pinged = True
                continue
            pinged = False
            if message["type"] != "message":
                continue
            data = _text(message["data"])
            if _text(message["channel"]) == self._ended_channel:
                self._owned.pop(data, None)
                ended(data)
            else:
                name, _, session_id = data.partition(" ")
                if name == self._name:
                    asked(session_id)

    # -- helpers ---------------------------------------------------------------------------------------

    @property
    def _ended_channel(self) -> str:
        return self._keys + "ended"

    @property
    def _let_channel(self) -> str:
        return self._keys + "let"

    @property
    def _alive(self) -> str:
        """The key that stands for this process's ownership while its heartbeat keeps it."""
        return f"{self._keys}p:{self._name}"

    @property
    def _lease_ms(self) -> int:
        return int(self.lease * 1000)

    @property
    def _keep_requests_ms(self) -> int:
        """How long a request to let go is kept: an owner that never reads it is dead by then."""
        return 2 * self._lease_ms

    def _requests(self, name: str) -> str:
        return f"{self._keys}w:{name}"

    def _interaction(self, interaction_id: int | None) -> list[str]:
        """The key that marks an interaction as taken, as a script's last key; none for none."""
        return [] if interaction_id is None else [f"{self._keys}ix:{interaction_id}"]

    @property
    def _mine(self) -> str:
        return f"{self._keys}c:{self._claimer}"

    @property
    def _deadlines(self) -> str:
        return self._keys + "dl"

    @property
    def _ends(self) -> str:
        return self._keys + "end"

    def _starting(self, session_id: str) -> str:
        return f"{self._keys}lk:{session_id}"

    def _session(self, session_id: str) -> str:
        return f"{self._keys}s:{session_id}"

    def _server_now(self) -> float:
        return time.time() + self._offset

    def _ms(self, moment: float | None) -> int:
        """A moment of this host's as whole milliseconds on the server's clock; ``0`` for none."""
        return 0 if moment is None else int((moment + self._offset) * 1000)

    def _decode_pairs(self, found: list[Any]) -> list[DurableRecord]:
        return [self._decode(found[index], int(found[index + 1])) for index in range(0, len(found), 2)]

    def _encode(self, record: DurableRecord) -> bytes:
        import msgspec

        if record.deadline is not None:
            record = dataclasses.replace(record, deadline=record.deadline + self._offset)
        return msgspec.json.encode(record)

    def _decode(self, raw: bytes | str, version: int) -> DurableRecord:
        import msgspec

        record = msgspec.json.decode(raw, type=DurableRecord)
        deadline = None if record.deadline is None else record.deadline - self._offset
        return dataclasses.replace(record, version=version, deadline=deadline)

    def _score(self, record: DurableRecord) -> float | str:
        return "" if record.deadline is None else record.deadline + self._offset

    async def _run(self, script: str, keys: list[str], args: list[Any]) -> Any:
        return await self._call(self._scripts[script](keys=keys, args=args))

    @staticmethod
    async def _call(work: Any) -> Any:
        try:
            return await work
        except Exception as error:  # redis-py's and its forks' errors share no base class we can name
            if isinstance(error, SessionStoreError):
                raise
            raise SessionStoreError(f"Redis: {type(error).__name__}: {error}") from error


def _client_from_url(url: str) -> Redis:
    try:
        from redis.asyncio import BlockingConnectionPool, Redis
    except ImportError:
        raise SessionStoreError(
            'RedisSessionStore needs the redis package: pip install "nyx-sessions[redis]"'
        ) from None
    # Timeouts as long as the manager waits for a store call (2 s): a click gets its notice within
    # Discord's 3 seconds, and a request still in flight then is refused by the store as late. A
    # burst of clicks waits for a free connection instead of failing past the pool's size.
    pool = BlockingConnectionPool.from_url(
        url, max_connections=_CONNECTIONS, timeout=2.0, socket_timeout=2.0, socket_connect_timeout=2.0
    )
    return Redis(connection_pool=pool)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
