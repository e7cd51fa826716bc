"""RedisSessionStore: durable sessions shared by every process of a bot, through Redis or Valkey.

Every key lives under one hash tag, ``{nyx:<namespace>}``, so the store also runs on Redis Cluster
(all of a namespace in one slot). Each operation is one Lua script, which Redis runs atomically:

- ``{nyx:ns}:s:<id>``, a hash: the record (``rec``, JSON), its version (``ver``) and status (``st``:
  ``run`` or ``end``);
- ``{nyx:ns}:l:<id>``: the lease of the process running a handler of the session (``SET NX PX``);
- ``{nyx:ns}:dl``: running sessions by deadline (a sorted set every process polls);
- ``{nyx:ns}:end``: ends in progress by the time their claim runs out (a process that died in
  ``on_end`` is finished by another, without a second ``on_end``);
- ``{nyx:ns}:c:<claimer>``: the ends one store object (one process) claimed and has not finished, so
  it finds a claim whose answer it never got (the record's ``by`` names the claimer);
- ``{nyx:ns}:ix:<interaction id>``: an interaction a process took, for 15 minutes (the token's life);
- the channel ``{nyx:ns}:ended``: the id of each session a process finished, for the processes that
  hold a copy of it (pub/sub, best effort).

A commit is fenced: it applies only while its lease is the session's (a process that stalled past
its lease cannot overwrite the state another process wrote since). Every script that writes is
fenced by its caller's give-up moment (``give_up_at``): Redis runs the scripts queued during a stall
when it resumes, and one that runs after its caller gave up changes nothing, so no late lease
blocks a session, no start reported failed comes back, and no end is claimed that nobody runs.

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

from .store import Acquired, DurableRecord

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping

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
"""

_ACQUIRE = """
local s, l, ix = KEYS[1], KEYS[2], KEYS[3]
local token, lease_ms, give_up_ms = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if too_late(give_up_ms) then return {'late', 0, 0} end
-- The interaction first: of the processes it reached, only the first answers it, whatever it finds
-- (a session another process just ended included).
if ix ~= '' and not redis.call('SET', ix, '1', 'NX', 'PX', ARGV[4]) then return {'replay', 0, 0} end
local found = redis.call('HMGET', s, 'st', 'ver')
if not found[1] then return {'missing', 0, 0} end
if found[1] ~= 'run' then return {'ending', 0, 0} end
if not redis.call('SET', l, token, 'NX', 'PX', lease_ms) then
    if ix ~= '' then redis.call('DEL', ix) end  -- the caller tries again with the same interaction
    return {'busy', 0, redis.call('PTTL', l)}
end
return {'ok', tonumber(found[2]), 0}
"""

_CREATE = """
local s, dl = KEYS[1], KEYS[2]
if too_late(tonumber(ARGV[5])) then return refuse() end
if redis.call('EXISTS', s) == 1 then return 0 end
redis.call('HSET', s, 'rec', ARGV[1], 'ver', 1, 'st', 'run', 'kind', ARGV[4], 'dv', ARGV[6])
if ARGV[2] ~= '' then redis.call('ZADD', dl, ARGV[2], ARGV[3]) end
return 1
"""

_COMMIT = """
local s, dl, l = KEYS[1], KEYS[2], KEYS[3]
local token, id, taken_at = ARGV[3], ARGV[4], ARGV[5]
if too_late(tonumber(ARGV[6])) then return refuse() end
if redis.call('HGET', s, 'st') ~= 'run' then return 0 end
local holder = redis.call('GET', l)
if token == '' then
    if holder then return -1 end
elseif holder ~= token then
    -- The lease ran out during a long handler: the write is still safe if no process holds the
    -- session now and none wrote since this one took it.
    if holder or redis.call('HGET', s, 'ver') ~= taken_at then return -1 end
end
local ver = redis.call('HINCRBY', s, 'ver', 1)
redis.call('HSET', s, 'rec', ARGV[1], 'dv', ARGV[7])
if ARGV[2] ~= '' then redis.call('ZADD', dl, ARGV[2], id) else redis.call('ZREM', dl, id) end
if token ~= '' then redis.call('DEL', l) end
return ver
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_RENEW = """
-- Never fenced by time, never taking a lapsed lease again: a renewal that runs late (after the
-- handler's release) finds no lease of its own and does nothing.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

_CLAIM_END = """
local s, dl, ends, l, mine = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local id, due_by, now, claim_until, token = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
local claimer = ARGV[7]
if too_late(tonumber(ARGV[6])) then return refuse() end
if redis.call('HGET', s, 'st') ~= 'run' then return false end
if due_by ~= '' then
    local deadline = redis.call('ZSCORE', dl, id)
    if not deadline or tonumber(deadline) > tonumber(due_by) then return false end
    local left = redis.call('PTTL', l)
    if left > 0 and redis.call('GET', l) ~= token then
        -- a handler runs elsewhere and may refresh the deadline: look again once its lease is over
        redis.call('ZADD', dl, now + left / 1000, id)
        return false
    end
end
redis.call('HSET', s, 'st', 'end', 'by', claimer)
redis.call('ZREM', dl, id)
redis.call('ZADD', ends, claim_until, id)
redis.call('SADD', mine, id)
return {redis.call('HGET', s, 'rec'), redis.call('HGET', s, 'ver')}
"""

_CLAIM_DUE = """
local dl, ends, mine = KEYS[1], KEYS[2], KEYS[3]
local prefix, now, limit, claim_until = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local give_up_ms, claimer, kind_count = tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])
if too_late(give_up_ms) then return refuse() end
-- kinds[kind] is the newest data_version the caller reads: a newer version's sessions are its own
local kinds, busy = {}, {}
for i = 8, 7 + kind_count * 2, 2 do kinds[ARGV[i]] = tonumber(ARGV[i + 1]) end
for i = 8 + kind_count * 2, #ARGV do busy[ARGV[i]] = true end
-- Due sessions this process cannot end stay in front; look past them, a bounded way.
local due = redis.call('ZRANGE', dl, '-inf', now, 'BYSCORE', 'LIMIT', 0, limit * 4)
local claimed = {}
for _, id in ipairs(due) do
    if #claimed >= limit * 2 then break end
    local s = prefix .. 's:' .. id
    local found = redis.call('HMGET', s, 'st', 'kind', 'rec', 'ver', 'dv')
    local readable = kinds[found[2]]
    if found[1] ~= 'run' then
        redis.call('ZREM', dl, id)
    elseif readable and (tonumber(found[5]) or 0) <= readable and not busy[id] then
        local left = redis.call('PTTL', prefix .. 'l:' .. id)
        if left > 0 then
            -- a handler runs and may refresh the deadline: look again once its lease is over
            redis.call('ZADD', dl, now + left / 1000, id)
        else
            redis.call('HSET', s, 'st', 'end', 'by', claimer)
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
redis.call('DEL', KEYS[1], KEYS[4])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('SREM', KEYS[5], ARGV[1])
-- pcall: a user without the channel in its ACL still finishes; only the notice is lost
redis.pcall('PUBLISH', ARGV[2], ARGV[1])
return 1
"""

_RECLAIM = """
local ends, prefix, limit = KEYS[1], ARGV[2], tonumber(ARGV[3])
local dead = redis.call('ZRANGE', ends, '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, limit)
for _, id in ipairs(dead) do
    local by = redis.call('HGET', prefix .. 's:' .. id, 'by')
    if by then redis.call('SREM', prefix .. 'c:' .. by, id) end
    redis.call('DEL', prefix .. 's:' .. id, prefix .. 'l:' .. id)
    redis.call('ZREM', ends, id)
end
return dead
"""

_SCRIPTS = {
    "acquire": _ACQUIRE,
    "create": _CREATE,
    "commit": _COMMIT,
    "release": _RELEASE,
    "renew": _RENEW,
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

_SAFE_SETTINGS = {"maxmemory-policy": "noeviction"}

_CONNECTIONS = 64
"""Connections a store made from a URL opens at most; more concurrent calls wait for one."""


class RedisSessionStore:
    """A :class:`~nyx_sessions.storage.SessionStore` in Redis (or Valkey): any number of processes.

    Every process of the bot configures the same store (same server, same ``namespace``); each
    serves any session. Across processes a session takes one click at a time (a lease per handler),
    an interaction delivered to two processes runs once, and each session ends once.

    Parameters
    ----------
    client_or_url: Union[:class:`redis.asyncio.Redis`, :class:`str`]
        A ``redis.asyncio`` client (any compatible one, such as Valkey's fork), or a URL
        (``redis://``, ``rediss://``, ``unix://``) to make one from. A client given is the caller's:
        :meth:`close` leaves it open. While the bot runs, the store keeps one connection of the
        client's pool listening for notices of ended sessions, so give a bounded pool room for it.
    namespace: :class:`str`
        Separates this bot's sessions from anything else in the database; every process of one
        bot uses the same.
    lease: :class:`float`
        Seconds a process may run one handler before another process may take the session over
        (a killed process blocks its sessions at most this long).
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
        "_leases",
        "_offset",
        "_owns_client",
        "_scripts",
        "_skew_warned",
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
        # The leases this process holds, by session: their tokens and the versions they found.
        self._leases: dict[str, tuple[str, int]] = {}
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
        return f"<RedisSessionStore namespace={self.namespace!r} leases={len(self._leases)}>"

    # -- lifecycle -------------------------------------------------------------------------------------

    async def open(self) -> None:
        """Check the server; an unreachable one is only warned about (it is tried again per call)."""
        self._closed = False
        try:
            await self._client.ping()
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
        """Give back the leases this process holds; close the client if the store made it."""
        self._closed = True  # the watch of ended sessions stops, even if redis-py ate its cancellation
        for session_id in list(self._leases):
            try:
                await self.release(session_id)
            except SessionStoreError:
                break  # the server is gone: the leases run out by themselves
        self._leases.clear()
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
        """Store a new session; ``False`` when its id is taken."""
        keys = [self._session(record.id), self._deadlines]
        arguments = [self._encode(record), self._score(record), record.id, record.kind]
        created = await self._run("create", keys, [*arguments, self._ms(give_up_at), record.data_version])
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

    async def commit(self, record: DurableRecord, *, give_up_at: float | None = None) -> bool:
        """Replace a running session's record, fenced by this process's lease; releases the lease.

        A lease that ran out during a long handler still lets the write through when no process
        has taken the session since, and nothing was written meanwhile. ``False`` when the session
        no longer runs, or when another process took it over (this change is dropped, and logged).
        """
        token, taken_at = self._leases.pop(record.id, ("", 0))
        version = await self._run(
            "commit",
            [self._session(record.id), self._deadlines, self._lease(record.id)],
            [
                self._encode(record),
                self._score(record),
                token,
                record.id,
                taken_at,
                self._ms(give_up_at),
                record.data_version,
            ],
        )
        if version == -1:
            _log.warning(
                "session %s was taken over by another process while this one ran its handler "
                "(its lease of %s s ran out): this change is dropped",
                record.id,
                self.lease,
            )
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
        dead = await self._run("reclaim", [self._ends], [self._server_now(), self._keys, limit])
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
        whose handler runs in any process (a lease is held) are left too, and looked at again when
        the lease is over."""
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
                len(kinds),
                *itertools.chain.from_iterable(kinds.items()),
                *busy,
            ],
        )
        return self._decode_pairs(found)

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
        gets it. With ``due_by``, a session whose handler runs in another process is not claimed."""
        token = self._leases.get(session_id, ("", 0))[0]
        claimed = await self._run(
            "claim_end",
            [self._session(session_id), self._deadlines, self._ends, self._lease(session_id), self._mine],
            [
                session_id,
                "" if due_by is None else due_by + self._offset,
                0 if due_by is None else due_by + self._offset,
                self._server_now() + self.end_claim,
                token,
                self._ms(give_up_at),
                self._claimer,
            ],
        )
        if not claimed:
            return None
        rec, ver = claimed
        return self._decode(rec, int(ver))

    async def finish(self, session_id: str, *, give_up_at: float | None = None) -> None:
        """Forget the session."""
        self._leases.pop(session_id, None)
        await self._run(
            "finish",
            [self._session(session_id), self._deadlines, self._ends, self._lease(session_id), self._mine],
            [session_id, self._ended_channel, self._ms(give_up_at)],
        )

    # -- across processes ------------------------------------------------------------------------------

    async def acquire(self, session_id: str, *, interaction_id: int | None, give_up_at: float) -> Acquired:
        """Take the session for one handler: a lease, and the interaction marked as taken.

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
        token = secrets.token_hex(8)
        index = "" if interaction_id is None else f"{self._keys}ix:{interaction_id}"
        status, version, retry_ms = await self._run(
            "acquire",
            [self._session(session_id), self._lease(session_id), index],
            [token, int(self.lease * 1000), self._ms(give_up_at), _REPLAY_MS],
        )
        outcome: Literal["ok", "missing", "ending", "busy", "replay", "late"] = _text(status)  # type: ignore[assignment]
        if outcome == "ok":
            self._leases[session_id] = (token, int(version))
        return Acquired(outcome, int(version), max(int(retry_ms), 0) / 1000)

    async def renew(self, session_id: str) -> bool:
        """Extend this process's lease on the session by a whole lease; ``False`` if it is lost."""
        held = self._leases.get(session_id)
        if held is None:
            return False
        return bool(await self._run("renew", [self._lease(session_id)], [held[0], int(self.lease * 1000)]))

    async def release(self, session_id: str) -> None:
        """Give the lease back without a commit (the handler did not run, or failed)."""
        held = self._leases.pop(session_id, None)
        if held is not None:
            await self._run("release", [self._lease(session_id)], [held[0]])

    async def watch_ends(self, ended: Callable[[str], None]) -> None:
        """Call ``ended(session_id)`` for each session any process finishes, until cancelled.

        Listens on the namespace's channel (Redis pub/sub: a notice sent while this process is cut
        off is lost). A connection that fails, or stays silent past a ping, is made again.
        """
        waits = iter(_RESUBSCRIBE)
        failing = False
        while not self._closed:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._ended_channel)
                if failing:
                    _log.info("notices of sessions ended in other processes are received again")
                waits, failing = iter(_RESUBSCRIBE), False
                await self._listen(pubsub, ended)
            except Exception as error:  # any client's error: listen again after a pause
                if not failing:
                    refused = "NoPermission" in type(error).__name__ or "NOPERM" in str(error)
                    _log.warning(
                        "notices of sessions ended in other processes are not received (%r); trying again%s",
                        error,
                        f" (the ACL user needs the channel: &{self._ended_channel})" if refused else "",
                    )
                failing = True
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
            await asyncio.sleep(next(waits, _RESUBSCRIBE[-1]))

    async def _listen(self, pubsub: Any, ended: Callable[[str], None]) -> None:
        """Hand each notice to ``ended``; return when the connection went silent past a ping."""
        pinged = False
        while not self._closed:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=_NOTICE_WAIT)
            if message is None:
                if pinged:
                    return  # not even the pong came back
                await pubsub.ping()
                pinged = True
                continue
            pinged = False
            if message["type"] == "message":
                ended(_text(message["data"]))

    # -- helpers ---------------------------------------------------------------------------------------

    @property
    def _ended_channel(self) -> str:
        return self._keys + "ended"

    @property
    def _mine(self) -> str:
        return f"{self._keys}c:{self._claimer}"

    @property
    def _deadlines(self) -> str:
        return self._keys + "dl"

    @property
    def _ends(self) -> str:
        return self._keys + "end"

    def _session(self, session_id: str) -> str:
        return f"{self._keys}s:{session_id}"

    def _lease(self, session_id: str) -> str:
        return f"{self._keys}l:{session_id}"

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
