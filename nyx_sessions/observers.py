"""Observers: hooks that see every start, click, end and store call, for metrics and traces.

A :class:`SessionObserver` is given to the manager (``configure(bot, observers=[...])`` or
``SessionManager(bot, observers=[...])``) and told, at each step of a session's life, what happened
and how long it took. :class:`~nyx_sessions.metrics.PrometheusObserver` and
:class:`~nyx_sessions.tracing.OpenTelemetryObserver` are built on it; write your own by overriding
the hooks you need (every hook is a no-op by default).

With no observer the manager builds none of this: no observation object, no clock read, a falsy
check at each step. With observers, hooks run inline on the event loop: keep them quick, and never
let them raise (an error in a hook is logged, the session goes on).
"""

from __future__ import annotations

import enum
import logging
import time
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Awaitable, Iterable

    import discord

    from nyx_sessions.manager import SessionManager
    from nyx_sessions.sessions.base import AbstractSession
    from nyx_sessions.state import EndCode
    from nyx_sessions.storage import Clock

__all__ = (
    "CLICK_OUTCOMES",
    "ClickObservation",
    "EndObservation",
    "SessionObserver",
    "StartObservation",
    "StoreCallObservation",
    "code_label",
    "kind_label",
)

_log = logging.getLogger(__name__)

T = TypeVar("T")

CLICK_OUTCOMES = ("handled", "denied", "expired", "unknown", "replayed", "error")
"""Every value :attr:`ClickObservation.outcome` takes."""


def kind_label(session: object) -> str:
    """The bounded label of a session's class: its durable ``kind``, else its qualified name.

    ``""`` for no session (a click on a session that is not known here).
    """
    if session is None:
        return ""
    cls = type(session)
    return getattr(cls, "kind", None) or cls.__qualname__


def code_label(code: EndCode) -> str:
    """The label of an end code: a :class:`~nyx_sessions.SessionEndCode`'s name, else ``str(code)``."""
    return code.name if isinstance(code, enum.Enum) else str(code)


def _guild_id(interaction: discord.Interaction[Any] | None) -> int | None:
    return None if interaction is None else interaction.guild_id


class _AnswerObservation:
    """What observations of a session's interaction share: the session, the interaction, and the
    first answer Discord accepted."""

    __slots__ = ("auto_deferred", "first_response_at", "interaction", "session")

    def __init__(
        self, session: AbstractSession[Any] | None, interaction: discord.Interaction[Any] | None
    ) -> None:
        self.session = session
        self.interaction = interaction
        self.first_response_at: float | None = None
        self.auto_deferred = False

    @property
    def kind(self) -> str:
        """:class:`str`: The session's class label (:func:`kind_label`); ``""`` when it is not known."""
        return kind_label(self.session)

    @property
    def guild_id(self) -> int | None:
        """Optional[:class:`int`]: The guild the interaction came from, if any."""
        return _guild_id(self.interaction)

    def _responded(self, auto: bool) -> None:
        """Discord accepted an answer (``auto``: the manager's automatic deferral)."""
        if self.first_response_at is None:
            self.first_response_at = time.perf_counter()
        self.auto_deferred = self.auto_deferred or auto


class StartObservation(_AnswerObservation):
    """One :meth:`SessionManager.start <nyx_sessions.SessionManager.start>`, as observers see it.

    Attributes
    ----------
    session: :class:`~nyx_sessions.AbstractSession`
        The session being started.
    interaction: Optional[:class:`discord.Interaction`]
        The interaction that starts it (``None`` for a prefix command or a channel).
    began_at: :class:`float`
        :func:`time.perf_counter` when the start began.
    finished_at: Optional[:class:`float`]
        :func:`time.perf_counter` when it finished (set before :meth:`SessionObserver.start_finished`).
    first_response_at: Optional[:class:`float`]
        :func:`time.perf_counter` when Discord accepted the first answer to :attr:`interaction` made
        during the start; ``None`` when there was none (or it was answered before).
    outcome: :class:`str`
        ``"started"``, ``"denied"`` (a filter, middleware or limit refused it) or ``"failed"``.
    auto_deferred: :class:`bool`
        Whether the manager deferred the start's interaction because nothing answered it in time.
    """

    __slots__ = ("began_at", "finished_at", "outcome")

    session: AbstractSession[Any]

    def __init__(self, session: AbstractSession[Any]) -> None:
        super().__init__(session, session.start_interaction)
        self.began_at = time.perf_counter()
        self.finished_at: float | None = None
        self.outcome = "failed"


class ClickObservation(_AnswerObservation):
    """One component or modal interaction routed to a session, as observers see it.

    Attributes
    ----------
    interaction: :class:`discord.Interaction`
        The interaction.
    session_id: :class:`str`
        The session id its custom id names (``""`` when it cannot be read).
    session: Optional[:class:`~nyx_sessions.AbstractSession`]
        The session, once known (``None`` for a click on a session this process cannot find).
    began_at: :class:`float`
        :func:`time.perf_counter` when the manager received the interaction.
    handler_returned_at: Optional[:class:`float`]
        :func:`time.perf_counter` when the handler returned (or raised); ``None`` if none ran.
    first_response_at: Optional[:class:`float`]
        :func:`time.perf_counter` when Discord accepted the first answer (the handler's, a notice,
        an automatic deferral, or the manager's acknowledgement).
    finished_at: Optional[:class:`float`]
        :func:`time.perf_counter` when the click was done, everything after the handler included.
    outcome: :class:`str`
        One of :data:`CLICK_OUTCOMES`: ``"handled"`` (the handler ran), ``"denied"`` (a filter or
        middleware turned it down, or a child session runs), ``"expired"`` (no such session any
        more), ``"unknown"`` (a custom id that cannot be read, or a session of a kind no class here
        knows), ``"replayed"`` (an interaction already processed, here or in another process),
        ``"error"`` (the handler raised, or the store did not answer).
    auto_deferred: :class:`bool`
        Whether the manager deferred the interaction because nothing answered it in time.
    """

    __slots__ = ("began_at", "finished_at", "handler_returned_at", "outcome", "session_id")

    interaction: discord.Interaction[Any]

    def __init__(self, interaction: discord.Interaction[Any], session_id: str) -> None:
        super().__init__(None, interaction)
        self.session_id = session_id
        self.began_at = time.perf_counter()
        self.handler_returned_at: float | None = None
        self.finished_at: float | None = None
        # Until a step says otherwise: a click that raised out of the manager is an error.
        self.outcome = "error"


class EndObservation:
    """One run of the end sequence (an end, an expiry, shutdown), as observers see it.

    Attributes
    ----------
    session: :class:`~nyx_sessions.AbstractSession`
        The ending session.
    reason: :class:`str`
        Why it ends.
    code: Union[:class:`~nyx_sessions.SessionEndCode`, :class:`str`, :class:`int`]
        Why it ends, for code.
    expired: :class:`bool`
        Whether it ends because it expired.
    lateness: Optional[:class:`float`]
        For an expiry: seconds from its deadline to the start of its end (on the manager's clock).
    began_at, finished_at: :class:`float`
        :func:`time.perf_counter` around the end sequence (``finished_at`` is ``None`` until done).
    ended_here: :class:`bool`
        ``False`` when another process ends the session (no ``on_end`` here, no event): set when
        the end sequence finishes.
    """

    __slots__ = (
        "began_at",
        "code",
        "ended_here",
        "expired",
        "finished_at",
        "lateness",
        "reason",
        "session",
    )

    def __init__(
        self,
        session: AbstractSession[Any],
        reason: str,
        code: EndCode,
        expired: bool,
        lateness: float | None,
    ) -> None:
        self.session = session
        self.reason = reason
        self.code = code
        self.expired = expired
        self.lateness = lateness
        self.began_at = time.perf_counter()
        self.finished_at: float | None = None
        self.ended_here = False

    @property
    def kind(self) -> str:
        """:class:`str`: The session's class label (:func:`kind_label`)."""
        return kind_label(self.session)


class StoreCallObservation:
    """One call to the store of durable sessions, as observers see it.

    Attributes
    ----------
    store: :class:`str`
        The store's label: ``"sqlite"``, ``"redis"``, ``"memory"``, or a custom store's class name
        in lower case without ``SessionStore``.
    operation: :class:`str`
        The store method called (``"load"``, ``"commit"``, ``"acquire"``, ``"claim_due"``, ...).
    began_at, finished_at: :class:`float`
        :func:`time.perf_counter` around the call (``finished_at`` is ``None`` until done).
    error: Optional[:class:`BaseException`]
        What the call raised (a cancellation means it ran out of time or was given up).
    """

    __slots__ = ("began_at", "error", "finished_at", "operation", "store")

    def __init__(self, store: str, operation: str) -> None:
        self.store = store
        self.operation = operation
        self.began_at = time.perf_counter()
        self.finished_at: float | None = None
        self.error: BaseException | None = None


class SessionObserver:
    """Hooks into every session's life, for metrics and traces; each hook is a no-op by default.

    Subclass it and override what you need. Hooks run on the event loop, inline: keep them quick.
    An exception a hook raises is logged and does not disturb the session. The ``*_began`` and
    ``*_finished`` hooks of one observation come in pairs, in the same task (a tracer may make the
    span current between them); the same observation object is passed to both.
    """

    def attached(self, manager: SessionManager) -> None:
        """The manager opened (the extension loaded) with this observer."""

    def detached(self, manager: SessionManager) -> None:
        """The manager closed: it will report nothing more."""

    def start_began(self, start: StartObservation) -> None:
        """A start begins (before the start middlewares)."""

    def start_finished(self, start: StartObservation) -> None:
        """A start is over: started, denied or failed (see :attr:`StartObservation.outcome`)."""

    def click_began(self, click: ClickObservation) -> None:
        """A component or modal interaction in the namespace arrived."""

    def click_finished(self, click: ClickObservation) -> None:
        """A click is over (see :attr:`ClickObservation.outcome`)."""

    def end_began(self, end: EndObservation) -> None:
        """A session's end sequence begins."""

    def end_finished(self, end: EndObservation) -> None:
        """A session's end sequence is over (``on_end`` ran, unless another process ends it)."""

    def store_call_began(self, call: StoreCallObservation) -> None:
        """A call to the store of durable sessions begins."""

    def store_call_finished(self, call: StoreCallObservation) -> None:
        """A call to the store is over (see :attr:`StoreCallObservation.error`)."""

    def session_failed(self, session: AbstractSession[Any], error: BaseException, during: str) -> None:
        """A session's code raised: ``during`` is ``"start"`` (``on_start`` or a start middleware),
        ``"click"`` (a handler or an update middleware) or ``"end"`` (``on_end``)."""

    def lease_waited(self, session_id: str, seconds: float) -> None:
        """A click or an end waited ``seconds`` for another process to let go of the session
        (shared stores); reported only when it had to wait."""


class Observers(tuple):  # type: ignore[type-arg]  # a tuple: truthiness and iteration stay C-level
    """The observers of one manager, calling each in turn; a hook that raises is logged.

    Empty when there are none: components check ``if observers:`` (a tuple's length, read in C)
    before building anything to report.
    """

    clock: Clock | None

    def __new__(cls, observers: Iterable[SessionObserver] = (), clock: Clock | None = None) -> Observers:
        made = super().__new__(cls, observers)
        made.clock = clock
        return made

    def _each(self, hook: str, *args: Any) -> None:
        for observer in self:
            try:
                getattr(observer, hook)(*args)
            except Exception:
                _log.exception("observer %r raised in %s", observer, hook)

    def attached(self, manager: SessionManager) -> None:
        self._each("attached", manager)

    def detached(self, manager: SessionManager) -> None:
        self._each("detached", manager)

    def start_began(self, start: StartObservation) -> None:
        self._each("start_began", start)

    def start_finished(self, start: StartObservation) -> None:
        start.finished_at = time.perf_counter()
        # Reversed: a tracer's span made current in *_began is undone in the opposite order.
        self._each_reversed("start_finished", start)

    def click_began(self, click: ClickObservation) -> None:
        self._each("click_began", click)

    def click_finished(self, click: ClickObservation) -> None:
        click.finished_at = time.perf_counter()
        self._each_reversed("click_finished", click)

    def end_began(self, end: EndObservation) -> None:
        self._each("end_began", end)

    def end_finished(self, end: EndObservation) -> None:
        end.finished_at = time.perf_counter()
        self._each_reversed("end_finished", end)

    def session_failed(self, session: Any, error: BaseException, during: str) -> None:
        self._each("session_failed", session, error, during)

    def lease_waited(self, session_id: str, seconds: float) -> None:
        self._each("lease_waited", session_id, seconds)

    def end(
        self, session: AbstractSession[Any], reason: str, code: EndCode, expired: bool, deadline: float | None
    ) -> EndObservation:
        """Begin observing an end; the lateness of an expiry is counted on the manager's clock."""
        clock = self.clock
        lateness = None if deadline is None or clock is None else max(0.0, clock.time() - deadline)
        end = EndObservation(session, reason, code, expired, lateness)
        self.end_began(end)
        return end

    async def timed_store_call(self, store: str, work: Awaitable[T]) -> T:
        """Await a store call, reporting it to every observer."""
        call = StoreCallObservation(store, getattr(work, "__name__", "call"))
        self._each("store_call_began", call)
        try:
            return await work
        except BaseException as error:
            call.error = error
            raise
        finally:
            call.finished_at = time.perf_counter()
            self._each_reversed("store_call_finished", call)

    def _each_reversed(self, hook: str, *args: Any) -> None:
        for observer in reversed(self):
            try:
                getattr(observer, hook)(*args)
            except Exception:
                _log.exception("observer %r raised in %s", observer, hook)


NO_OBSERVERS = Observers()
"""Nobody observes: falsy, so nothing is built to report."""


def store_label(store: object) -> str:
    """The ``store`` label of a store: its class name in lower case, without ``SessionStore``."""
    name = type(store).__name__
    return (name[: -len("SessionStore")] if name.endswith("SessionStore") else name).lower() or "store"
