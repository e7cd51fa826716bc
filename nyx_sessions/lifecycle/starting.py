"""The start sequence: checks, the start middlewares and ``on_start``, then the session is kept."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from nyx_sessions._utils import DISCORD_ERRORS
from nyx_sessions.errors import DuplicateSessionError, IllegalSessionStateError, SessionStoreError
from nyx_sessions.events import SessionEvent
from nyx_sessions.execution import ExecutionOutcome, send_notice
from nyx_sessions.execution.deferral import unanswered
from nyx_sessions.lifecycle.limits import label_of
from nyx_sessions.messages import message, translate
from nyx_sessions.observers import NO_OBSERVERS, StartObservation
from nyx_sessions.state import SessionEndCode, SessionEndData, SessionExecutionMeta, SessionState

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Coroutine

    from discord.app_commands import locale_str

    from nyx_sessions.execution import SessionExecutor
    from nyx_sessions.execution.deferral import DeferralWatch
    from nyx_sessions.lifecycle.backing import Backing
    from nyx_sessions.lifecycle.live import LiveSessions
    from nyx_sessions.lifecycle.outside import OutsideWork
    from nyx_sessions.observers import Observers
    from nyx_sessions.sessions.base import AbstractSession
    from nyx_sessions.storage import Clock

__all__ = ("Starts",)

_log = logging.getLogger(__name__)


class Starts:
    """Starts sessions.

    Parameters
    ----------
    live: :class:`~nyx_sessions.lifecycle.live.LiveSessions`
        The held sessions.
    executor: :class:`~nyx_sessions.SessionExecutor`
        Runs the start middlewares and ``on_start``.
    deferrals: :class:`~nyx_sessions.execution.deferral.DeferralWatch`
        Answers a start in time when ``on_start`` (or the store) is slow.
    clock: :class:`~nyx_sessions.storage.Clock`
        What the deferral is timed on.
    announce: Callable
        Emits the start event.
    backing_of: Callable
        The backing of a session.
    spawn: Callable
        Runs a coroutine as a task the manager waits for.
    outside: :class:`~nyx_sessions.lifecycle.outside.OutsideWork`
        Takes a session's turn from outside its clicks (to end one a newer start replaces).
    end: Callable
        The end sequence (:meth:`~nyx_sessions.lifecycle.ending.Ends.run`).
    observers: :class:`~nyx_sessions.observers.Observers`
        Told of each start.

    Attributes
    ----------
    closed: :class:`bool`
        Whether the manager is closed: starts are refused.
    in_progress: dict[:class:`int`, :class:`~nyx_sessions.AbstractSession`]
        The sessions whose start is running now, by object identity (a session class need not be
        hashable).
    """

    __slots__ = (
        "_announce",
        "_backing_of",
        "_clock",
        "_deferrals",
        "_end",
        "_executor",
        "_live",
        "_observers",
        "_outside",
        "_spawn",
        "closed",
        "in_progress",
    )

    def __init__(
        self,
        live: LiveSessions,
        executor: SessionExecutor,
        deferrals: DeferralWatch,
        clock: Clock,
        announce: Callable[..., None],
        backing_of: Callable[[AbstractSession[Any] | None], Backing],
        spawn: Callable[[Coroutine[Any, Any, None], str], object],
        outside: OutsideWork,
        end: Callable[..., Awaitable[SessionEndData[Any]]],
        observers: Observers = NO_OBSERVERS,
    ) -> None:
        self._live = live
        self._observers = observers
        self._executor = executor
        self._deferrals = deferrals
        self._clock = clock
        self._announce = announce
        self._backing_of = backing_of
        self._spawn = spawn
        self._outside = outside
        self._end = end
        self.closed = False
        self.in_progress: dict[int, AbstractSession[Any]] = {}

    async def start(self, session: AbstractSession[Any], meta: SessionExecutionMeta | None = None) -> bool:
        """Start ``session``; see :meth:`SessionManager.start <nyx_sessions.SessionManager.start>`."""
        # Known from the first step: wait() on a session whose start is scheduled does not refuse it.
        self.in_progress[id(session)] = session
        observers = self._observers
        observed = None
        if observers:
            observed = StartObservation(session)
            observers.start_began(observed)
        try:
            started = await self._start(session, meta, observed)
            if observed is not None:
                observed.outcome = "started" if started else _refusal(session)
            return started
        finally:
            self.in_progress.pop(id(session), None)
            if observed is not None:
                observers.start_finished(observed)

    async def _start(
        self,
        session: AbstractSession[Any],
        meta: SessionExecutionMeta | None,
        observed: StartObservation | None = None,
    ) -> bool:
        self._check(session)
        meta = meta if meta is not None else SessionExecutionMeta(session.id)
        interaction = session.start_interaction
        watched = None
        if interaction is not None:
            # Armed before the backing is asked anything: a slow store still lets the start be answered.
            watched = self._deferrals.watch_start(
                interaction, session.auto_defer, self._clock.time(), ephemeral=session._start_ephemeral
            )
            if observed is not None:
                _report_answers(interaction, observed)
        try:
            return await self._admit_and_run(session, meta, self._backing_of(session))
        finally:
            self._deferrals.release(watched)

    async def _admit_and_run(
        self, session: AbstractSession[Any], meta: SessionExecutionMeta, backing: Backing
    ) -> bool:
        """Refuse a session the backing cannot keep (a taken id, data that cannot be stored: raised)
        or its limits refuse; otherwise hold it, end the sessions it replaces, and run its start."""
        admission = None
        try:
            await backing.check_new(session)
            if session._limits is not None:
                # Memory: counted and admitted in this one step of the loop; a store: in one call.
                admission = await backing.admit(session, session._limits)
        except SessionStoreError as error:
            await self._fail(session, error)
            return False
        if admission is not None and admission.refused is not None:
            await self._refuse_over_limit(session, admission.refused, admission.link)
            return False
        self._live.held[session.id] = session
        started = False
        try:
            # Locked before anything is awaited: a later start that replaces this one waits for it.
            async with self._live.serial(session.id):
                for victim in () if admission is None else admission.victims:
                    await self._replace(victim)  # older than this one: no two starts wait on each other
                started = await self._run(session, meta, backing)
                return started
        except BaseException:
            # Cancelled from outside (asyncio.wait_for, shutdown) or broken after on_start: a failed start.
            self.abandon(session)
            raise
        finally:
            if admission is not None and not started:
                await backing.unadmit(session)

    async def _replace(self, victim_id: str) -> None:
        """End a session this start replaces, in its turn (after its start or running handler)."""
        async with self._outside.turn(victim_id) as victim:
            if victim is None:
                return
            await self._end(victim, "a newer session replaced it", SessionEndCode.REPLACED, None)
        if victim.disable_on_expire:
            await victim._disable_components()

    def abandon(self, session: AbstractSession[Any]) -> None:
        """Fail a start that was cut off (cancelled, broken, or given up at shutdown); nothing of it stays."""
        if session._end_data is not None:
            return
        if self._live.held.get(session.id) is session:
            del self._live.held[session.id]
        self._live.settle(
            session, SessionEndData("the start was interrupted", SessionEndCode.START_FAILED, session.result)
        )
        if _owes_an_answer(session):
            self._spawn(
                self._tell(session, message("nyx_sessions.notice.start_failed")),
                f"nyx-sessions:notice:{session.id}",
            )

    def _check(self, session: AbstractSession[Any]) -> None:
        if session.state is not SessionState.UNINITIALIZED or session._end_data is not None:
            raise IllegalSessionStateError(
                f"session {session.id!r} was already started ({session.state.name})"
            )
        if self.closed:
            raise IllegalSessionStateError(
                f"cannot start session {session.id!r}: the session manager is closed"
            )
        if session.id in self._live.held:
            raise DuplicateSessionError(session.id)
        if session.owner_id is None and _is_owner_only(session.update_filter):
            raise IllegalSessionStateError(
                f"session {session.id!r} belongs to nobody (started from a channel without owner=), so "
                "its update filter OwnerOnly would refuse every click: pass owner=, or set update_filter "
                "to AllowAll() (anyone) or a filter of your own"
            )

    async def _run(self, session: AbstractSession[Any], meta: SessionExecutionMeta, backing: Backing) -> bool:
        outcome = await self._executor.start(session, meta)
        ended = session._end_data
        if ended is not None:
            # on_start ended the session itself (that end stands, even if on_start raised after it),
            # or shutdown gave up waiting and failed the start.
            started = outcome is ExecutionOutcome.OK and ended.code is not SessionEndCode.START_FAILED
            if not started:
                await self._tell(session, message("nyx_sessions.notice.start_failed"))
            return started
        if outcome is not ExecutionOutcome.OK:
            await self._refuse(session, outcome)
            return False
        session._state = SessionState.RUNNING
        session._begin_lifetime(self._clock.time())
        await self._record_message(session)
        try:
            await backing.created(session)
        except SessionStoreError as error:
            del self._live.held[session.id]
            await self._fail(session, error)
            return False
        self._announce(SessionEvent.START, session, meta)
        return True

    async def _refuse(self, session: AbstractSession[Any], outcome: ExecutionOutcome) -> None:
        del self._live.held[session.id]
        if outcome is ExecutionOutcome.DENIED:
            code, reason, notice = (
                SessionEndCode.START_DENIED,
                "a start filter or middleware denied the session",
                message("nyx_sessions.notice.start_denied"),
            )
        else:
            code, reason, notice = (
                SessionEndCode.START_FAILED,
                "the session failed to start",
                message("nyx_sessions.notice.start_failed"),
            )
        self._live.settle(session, SessionEndData(reason, code, session.result))
        await self._tell(session, notice)

    async def _refuse_over_limit(self, session: AbstractSession[Any], scope: str, link: str | None) -> None:
        """A start over a ``"reject"`` limit: refused, and told which session is open, with a link."""
        limits = session._limits
        assert limits is not None
        label = limits.group or label_of(type(session))
        # One whole sentence per scope, with and without the link: translators never glue fragments.
        key = "nyx_sessions.notice.limit_reached" + ("" if scope == "user" else f"_{scope}")
        fields = {"label": label} if link is None else {"label": label, "link": link}
        notice = message(key if link is None else f"{key}_link")
        self._live.settle(
            session, SessionEndData(f"over its max_per_{scope} limit", SessionEndCode.START_DENIED)
        )
        interaction = session.start_interaction
        if interaction is not None:
            if unanswered(interaction):
                await send_notice(interaction, notice, **fields)
        elif session._start_context is not None:
            # A prefix command: no user locale, so the session's own (the guild's preferred one).
            text = await translate(session.bot, notice, session.locale, **fields)
            try:
                await session._start_context.reply(text, mention_author=False)
            except DISCORD_ERRORS as error:
                _log.info("could not tell why session %s was refused: %s", session.id, error)

    async def _fail(self, session: AbstractSession[Any], error: SessionStoreError) -> None:
        """A start whose store did not answer: a failed start, and the user may try again."""
        _log.warning("session %s could not start: %s", session.id, error)
        self._live.settle(
            session, SessionEndData("the session store did not answer", SessionEndCode.START_FAILED)
        )
        await self._tell(session, message("nyx_sessions.notice.try_again"))

    @staticmethod
    async def _tell(session: AbstractSession[Any], notice: locale_str) -> None:
        """Send ``notice`` to the user who started ``session``, unless they have their answer."""
        if _owes_an_answer(session):
            assert session.start_interaction is not None
            await send_notice(session.start_interaction, notice)

    @staticmethod
    async def _record_message(session: AbstractSession[Any]) -> None:
        interaction = session.start_interaction
        if session.message is not None or interaction is None or not interaction.response.is_done():
            return
        if interaction.response.type is discord.InteractionResponseType.modal:
            return
        try:
            session._message = await interaction.original_response()
        except DISCORD_ERRORS as error:
            _log.debug("could not fetch the start response of session %s: %s", session.id, error)


def _refusal(session: AbstractSession[Any]) -> str:
    """How observers count a start that did not start: ``"denied"`` or ``"failed"``."""
    ended = session._end_data
    return "denied" if ended is not None and ended.code is SessionEndCode.START_DENIED else "failed"


def _report_answers(interaction: discord.Interaction[Any], observed: StartObservation) -> None:
    """Have the start's response tell ``observed`` of its first answer, unless a click's already does
    (a session started from a click: the click's observation counts that answer)."""
    response = getattr(interaction, "_cs_response", None)
    if response is not None and getattr(response, "observation", False) is None:
        response.observation = observed


def _owes_an_answer(session: AbstractSession[Any]) -> bool:
    interaction = session.start_interaction
    return interaction is not None and unanswered(interaction)


def _is_owner_only(update_filter: object) -> bool:
    # By name, not class: a filter made before reload_extension("nyx_sessions") is another class.
    return type(update_filter).__name__ == "OwnerOnly"
