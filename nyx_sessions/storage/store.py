"""Where durable sessions live between clicks, restarts and deploys: the store protocol and its record.

A store keeps plain data only (:class:`DurableRecord`): ids, the page, the last interaction token
while it is valid, the deadline, and the session's ``data`` as JSON bytes. Never a discord.py object,
never pickle. The manager writes a durable session's record after its start and after each handler,
reads it back when a click names a session this process does not hold, and ends the sessions whose
deadline the store reports as passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Literal, Protocol

from nyx_sessions.errors import SessionStoreError

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping, Sequence

__all__ = (
    "STARTING_GRACE",
    "Acquired",
    "Admitted",
    "DurableRecord",
    "SessionBusyError",
    "SessionStore",
    "SharedSessionStore",
)

STARTING_GRACE = 15.0
"""Seconds an admitted start counts against its limits before its record exists: a start that takes
longer (its process died in ``on_start``) stops counting, so a crash never blocks a limit for good."""


@dataclass(slots=True)
class DurableRecord:
    """What a store keeps of one durable session.

    Attributes
    ----------
    id: :class:`str`
        The session id (the key).
    kind: :class:`str`
        The session class's declared kind.
    data_version: :class:`int`
        The ``data_version`` of the class that wrote :attr:`data`.
    data: :class:`bytes`
        ``session.data`` encoded as JSON.
    owner_id: Optional[:class:`int`]
        The user who owns the session; ``None`` for a session anyone may use.
    channel_id, message_id: Optional[:class:`int`]
        The session's message, once sent.
    ephemeral: :class:`bool`
        Whether that message is ephemeral (then only a live token reaches it).
    token: Optional[:class:`str`]
        The last interaction token that reaches the message; never written once expired.
    token_expires_at: Optional[:class:`float`]
        When :attr:`token` stops working, epoch seconds on the manager's clock.
    token_edits_original: :class:`bool`
        The message is the token's ``@original`` (else it is reached by its id).
    page: Optional[:class:`int`]
        The current page (or stage) of a pagination session.
    state: Optional[:class:`bytes`]
        The built-in session class's own state as JSON (a list's page size, a wizard's stage
        results); ``None`` for classes that keep none.
    ttl: Optional[:class:`float`]
        Seconds of inactivity before expiry; ``None`` never expires.
    deadline: Optional[:class:`float`]
        When the session expires, epoch seconds on the manager's clock; ``None`` never.
    created_at: :class:`float`
        When the session started.
    version: :class:`int`
        Bumped by the store on every write.
    result: Optional[:class:`bytes`]
        The session's ``result`` as JSON; ``None`` when it has none.
    lifetime: Optional[:class:`float`]
        The session's ``max_lifetime``: it ends at :attr:`created_at` plus this, whatever its
        clicks; ``None`` for none.
    parent: Optional[:class:`str`]
        The session that opened this one as its child (``open_child``); ``None`` for none.
    child: Optional[:class:`str`]
        The child session this one waits for; ``None`` for none. A store whose claim on the child's
        end ran out (its process died) makes such a parent due at once, so it expires.
    locale: Optional[:class:`str`]
        The session's :attr:`~nyx_sessions.AbstractSession.locale` (``"fr"``, ``"en-US"``);
        ``None`` in records written before locales were kept (read as ``en-US``).
    """

    id: str
    kind: str
    data_version: int
    data: bytes
    owner_id: int | None
    channel_id: int | None
    message_id: int | None
    ephemeral: bool
    token: str | None
    token_expires_at: float | None
    token_edits_original: bool
    page: int | None
    state: bytes | None
    ttl: float | None
    deadline: float | None
    created_at: float
    version: int = field(default=0)
    result: bytes | None = None
    lifetime: float | None = None
    parent: str | None = None
    child: str | None = None
    locale: str | None = None


class SessionStore(Protocol):
    """The async storage of durable sessions; the manager owns the store it is given.

    The manager opens the store when the cog loads and closes it on :meth:`SessionManager.close`,
    so a new bot in the same process can open the same file again. Every call is bounded in time:
    a store that cannot answer raises :class:`~nyx_sessions.SessionStoreError` rather than hang.

    Every call that writes takes ``give_up_at``: when its caller stops waiting for the answer
    (epoch seconds, this host's wall clock; ``None``: never). A store that may run a request after
    its caller gave up (a stalled Redis runs queued scripts when it resumes) must then change
    nothing, so a start the caller reported failed never comes back and a claim nobody knows of
    is never made.

    Attributes
    ----------
    shared: :class:`bool`
        Whether several processes may use the store at once.
    waits: :class:`bool`
        Whether a call may wait on I/O (a network, a worker thread): the manager then bounds each
        call in time. A store whose calls finish on the calling thread says ``False``.
    """

    shared: ClassVar[bool]
    waits: ClassVar[bool]

    async def open(self) -> None:
        """Make the store ready (connect, create tables); sessions left half-ended are finished.

        Raises
        ------
        SessionStoreError
            The store is misconfigured or held by another process.
        """
        ...

    async def close(self) -> None:
        """Release the store's resources; it may be opened again."""
        ...

    async def create(self, record: DurableRecord, *, give_up_at: float | None = None) -> bool:
        """Store a new session; ``False`` (and nothing stored) when its id is taken."""
        ...

    async def load(self, session_id: str) -> DurableRecord | None:
        """The running session with this id, or ``None`` (never stored, ended, or ending)."""
        ...

    async def exists(self, session_id: str) -> bool:
        """Whether a session with this id is stored (running or ending)."""
        ...

    async def commit(
        self, record: DurableRecord, *, interaction_id: int | None = None, give_up_at: float | None = None
    ) -> bool:
        """Replace a running session's record; ``False`` when it is no longer running.

        ``interaction_id`` is the click whose handler wrote it: a shared store remembers it as taken,
        so the same interaction delivered to another process runs no second handler.
        """
        ...

    async def next_deadline(self) -> float | None:
        """The earliest deadline of a running session, or ``None`` when none expires."""
        ...

    async def due(self, now: float, limit: int) -> list[str]:
        """Up to ``limit`` ids of running sessions whose deadline is ``now`` or earlier, earliest first."""
        ...

    async def claim_due(
        self,
        now: float,
        limit: int,
        *,
        kinds: Mapping[str, int],
        busy: Collection[str] = (),
        give_up_at: float | None = None,
    ) -> list[DurableRecord]:
        """Mark up to ``limit`` due sessions as ending, earliest first, and return their records.

        Only sessions the caller can end are claimed: of a kind in ``kinds``, written by a
        ``data_version`` no newer than the one ``kinds`` maps it to (a newer version of the bot may
        be running and must end its own), and none in ``busy`` (a handler of theirs runs in this
        process and may refresh them); a shared store also leaves those whose handler runs in
        another process. Each due session is claimed by one caller of all processes: only it runs
        ``on_end``.
        """
        ...

    async def claim_end(
        self, session_id: str, *, due_by: float | None = None, give_up_at: float | None = None
    ) -> DurableRecord | None:
        """Mark a running session as ending and return its record; ``None`` if it is not running.

        With ``due_by``, only a session whose deadline is at or before it is claimed (an expiry that
        a refreshing click overtook claims nothing). Only the caller that claimed runs ``on_end``.

        Raises
        ------
        SessionBusyError
            (Shared stores, without ``due_by``.) Another process serves the session: it was asked
            to let go, and the claim can be tried again once it has.
        """
        ...

    async def claimed(
        self, *, ignore: Collection[str] = (), give_up_at: float | None = None
    ) -> list[DurableRecord]:
        """The sessions this store (this process) claimed and has not finished, except ``ignore``.

        A claim whose answer never reached its caller (the connection failed just after the store
        made it) is found here, so its claimer still ends it, with ``on_end``, instead of the claim
        running out unseen. A shared store extends each such claim by a whole claim.
        """
        ...

    async def finish(self, session_id: str, *, give_up_at: float | None = None) -> None:
        """Forget an ended (or ending) session (its place under every limit too)."""
        ...

    async def admit(
        self,
        session_id: str,
        limits: Sequence[tuple[str, int]],
        policy: Literal["replace", "reject"],
        *,
        now: float,
        give_up_at: float | None = None,
    ) -> Admitted:
        """Count a new session against its limits, and admit it: in one step, for every process.

        ``limits`` pairs each limit's key (its group, scope and subject) with how many sessions it
        allows. The sessions a limit counts are the running ones admitted under its key, and the
        starts admitted less than :data:`~nyx_sessions.storage.STARTING_GRACE` seconds ago whose
        record does not exist yet; an ending session no longer counts. Admitted, the new session
        counts from now on (its record, once created, keeps it counted until :meth:`finish`).

        Returns
        -------
        :class:`Admitted`
            ``"ok"`` with the sessions a ``"replace"`` must end first (oldest first), ``"reject"``
            with the session in the way, or ``"busy"`` when a ``"replace"`` would have to end a
            session still starting (try again in a moment; nothing was admitted).
        """
        ...

    async def unadmit(self, session_id: str) -> None:
        """Stop counting a start that failed before its record was created."""
        ...


class SessionBusyError(SessionStoreError):
    """Another process serves the session now, and was asked to let go of it: try again shortly.

    Attributes
    ----------
    retry_after: :class:`float`
        Seconds until that process's ownership runs out, should it never let go (it stopped).
    """

    def __init__(self, session_id: str, retry_after: float) -> None:
        super().__init__(f"session {session_id} is served by another process, asked to let go of it")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Admitted:
    """What :meth:`SessionStore.admit` decided.

    Attributes
    ----------
    status: :class:`str`
        ``"ok"``, ``"reject"`` or ``"busy"``.
    victims: tuple[:class:`str`, ...]
        With ``"ok"``: the sessions to end before the new one starts, oldest first.
    blocker: Optional[:class:`str`]
        With ``"reject"``: the oldest session in the way.
    limit: :class:`int`
        With ``"reject"``: the index, in the ``limits`` given, of the limit it broke.
    """

    status: Literal["ok", "reject", "busy"]
    victims: tuple[str, ...] = ()
    blocker: str | None = None
    limit: int = 0


@dataclass(frozen=True, slots=True)
class Acquired:
    """What :meth:`SharedSessionStore.acquire` found.

    Attributes
    ----------
    status: :class:`str`
        ``"ok"`` (the session is this process's), ``"missing"`` (no such session), ``"ending"``
        (another process ends it), ``"busy"`` (another process serves it, and was asked to let
        go), ``"replay"`` (another process took this interaction) or ``"late"`` (the request reached
        the store after its caller gave up; nothing was taken).
    version: :class:`int`
        The stored record's version, with ``"ok"``: a process holding an older one reloads it.
    retry_after: :class:`float`
        With ``"busy"``, seconds until the other process's ownership runs out, should it never let go.
    """

    status: Literal["ok", "missing", "ending", "busy", "replay", "late"]
    version: int = 0
    retry_after: float = 0.0


class SharedSessionStore(SessionStore, Protocol):
    """A store several processes use at once (:attr:`~SessionStore.shared` is ``True``).

    Each running session is *owned* by the process that serves it: only the owner runs its
    handlers, so a session takes one click at a time across processes. A process keeps what it
    serves (Discord sends a guild's clicks to one shard, so a session's next click nearly always
    comes back to it) and its ownership of all of them lives as long as one heartbeat per
    :attr:`lease` keeps it alive: the owner's next click needs no round trip before its handler,
    and one after it (:meth:`~SessionStore.commit`, fenced by ownership and version, which also
    remembers the interaction). A click that reaches another process asks the owner to let go,
    which it does between two clicks, never during one; a dead or frozen owner's sessions are
    taken once its heartbeat has run out. The interactions taken are remembered, so one delivered
    to two processes runs once.

    Attributes
    ----------
    lease: :class:`float`
        Seconds a process keeps its sessions after its last heartbeat: how long a killed or frozen
        process blocks its sessions at most.
    """

    lease: float

    def owns(self, session_id: str) -> bool:
        """Whether this process surely serves the session now: its click needs no call before the
        handler. ``False`` once this process's heartbeat may have run out."""
        ...

    async def acquire(self, session_id: str, *, interaction_id: int | None, give_up_at: float) -> Acquired:
        """Make the session this process's for a click, and mark ``interaction_id`` as taken.

        A session another live process serves answers ``"busy"``, and that process is asked to let
        go of it. ``give_up_at`` is when the caller stops waiting (epoch seconds, wall clock): a
        request that reaches the store later takes nothing.
        """
        ...

    async def release(self, session_id: str, *, interaction_id: int | None = None) -> None:
        """A click is over without a commit: remember its interaction as taken, and let go of the
        session if another process asked for it meanwhile."""
        ...

    async def let_go(self, session_id: str) -> None:
        """Stop serving the session (another process asked for it); call it between two clicks."""
        ...

    async def watch(self, ended: Callable[[str], None], asked: Callable[[str], None]) -> None:
        """Keep this process's ownership alive and listen, until cancelled.

        Calls ``ended(session_id)`` for each session any process finishes, and ``asked(session_id)``
        for each session another process asks this one to let go of (answer with :meth:`let_go`
        between two clicks). Notices are best effort (a notice sent while this process is cut off
        from the store is lost); the heartbeat brings back the requests to let go. Never returns;
        connection failures are retried.
        """
        ...
