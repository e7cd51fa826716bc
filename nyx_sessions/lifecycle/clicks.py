"""The way of a click: from a component or modal interaction to its session's handler, and after.

Read :meth:`Clicks.handle` top to bottom: the custom id names the session; a replay is dropped; the
click is watched so it is answered before Discord's deadline; the session's lock is taken; its
backing makes it ready (held here, or brought back from a store); the executor runs the update
middlewares and the handler; the backing keeps what the handler did; the update event fires.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import discord

from nyx_sessions._utils import DISCORD_ERRORS, interaction_data
from nyx_sessions.errors import IllegalSessionStateError
from nyx_sessions.events import SessionEvent
from nyx_sessions.execution import send_notice
from nyx_sessions.execution.deferral import AUTO_DEFER
from nyx_sessions.execution.disabling import component_custom_ids
from nyx_sessions.execution.executor import ExecutionOutcome
from nyx_sessions.execution.replay import ReplayGuard
from nyx_sessions.lifecycle.backing import Answered
from nyx_sessions.lifecycle.live import CLICK
from nyx_sessions.messages import message
from nyx_sessions.observers import NO_OBSERVERS, ClickObservation
from nyx_sessions.state import SessionExecutionMeta, SessionState

if TYPE_CHECKING:
    from collections.abc import Callable

    from nyx_sessions.codec import SessionCustomIdCodec
    from nyx_sessions.execution import SessionExecutor
    from nyx_sessions.execution.deferral import DeferralWatch
    from nyx_sessions.lifecycle.backing import Backing
    from nyx_sessions.lifecycle.live import LiveSessions
    from nyx_sessions.observers import Observers
    from nyx_sessions.sessions.base import AbstractSession
    from nyx_sessions.storage import Clock

__all__ = ("Clicks",)

_log = logging.getLogger(__name__)

_OUTCOMES = {
    ExecutionOutcome.OK: "handled",
    ExecutionOutcome.DENIED: "denied",
    ExecutionOutcome.FAILED: "error",
}
"""How observers count a click by how its execution went."""


class Clicks:
    """Routes interactions to their sessions.

    Parameters
    ----------
    live: :class:`~nyx_sessions.lifecycle.live.LiveSessions`
        The held sessions and their locks.
    codec: :class:`~nyx_sessions.codec.SessionCustomIdCodec`
        Reads the session id from a custom id.
    executor: :class:`~nyx_sessions.SessionExecutor`
        Runs the update middlewares and the handler.
    deferrals: :class:`~nyx_sessions.execution.deferral.DeferralWatch`
        Answers a slow click before Discord's deadline.
    clock: :class:`~nyx_sessions.storage.Clock`
        What deferrals and the replay window are timed on.
    announce: Callable
        Emits the update event.
    backing_of: Callable
        The backing of a held session, or of one this process does not hold (``None``).
    replay_window: :class:`float`
        Seconds an interaction id is remembered.
    observers: :class:`~nyx_sessions.observers.Observers`
        Told of each click; none (falsy) costs a check per step.
    """

    __slots__ = (
        "_announce",
        "_backing_of",
        "_clock",
        "_codec",
        "_deferrals",
        "_executor",
        "_live",
        "_observers",
        "_seen",
    )

    def __init__(
        self,
        live: LiveSessions,
        codec: SessionCustomIdCodec,
        executor: SessionExecutor,
        deferrals: DeferralWatch,
        clock: Clock,
        announce: Callable[..., None],
        backing_of: Callable[[AbstractSession[Any] | None], Backing],
        replay_window: float,
        observers: Observers = NO_OBSERVERS,
    ) -> None:
        self._live = live
        self._observers = observers
        self._codec = codec
        self._executor = executor
        self._deferrals = deferrals
        self._clock = clock
        self._announce = announce
        self._backing_of = backing_of
        self._seen = ReplayGuard(replay_window)

    async def handle(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta | None = None
    ) -> bool:
        """Route ``interaction``; see :meth:`SessionManager.update <nyx_sessions.SessionManager.update>`."""
        session_id = self.session_id_of(interaction)
        if session_id is None:
            return False
        observers = self._observers
        # Nothing is built for observers unless there are some; each step below only names how the
        # click went (a constant), reported once at the end.
        click = ClickObservation(interaction, session_id) if observers else None
        if click is not None:
            observers.click_began(click)
        outcome = "error"  # until a step says otherwise: a click that raised out of here
        try:
            now = self._clock.time()
            if not self._seen.add(interaction.id, now):
                _log.debug("ignoring replayed interaction %s for session %s", interaction.id, session_id)
                outcome = "replayed"
                return True
            live = self._live
            held = live.held.get(session_id)
            # Watched before waiting for the session: a click queued behind a slow one is answered in
            # time too.
            watched = self._deferrals.watch_click(
                interaction, AUTO_DEFER if held is None else held.auto_defer, now
            )
            if click is not None:
                interaction.response.observation = click  # type: ignore[attr-defined]  # an ObservedResponse
            if not live.serial.try_acquire(session_id):  # no coroutine for a free lock: nearly every click
                await self._wait_for_turn(session_id)
            held = live.held.get(session_id)
            backing = self._backing_of(held)
            committed = False
            try:
                session: AbstractSession[Any] | Answered | None = backing.at_hand(held)
                if session is None:  # not at hand: the backing brings it (from a store, or another process)
                    session = await backing.enter(session_id, held, interaction)
                if isinstance(session, Answered):  # a replay, or told to try again
                    outcome = session.outcome
                    return True
                if session is None or session._state is not SessionState.RUNNING:
                    outcome = "expired" if session_id else "unknown"
                    await self._answer_missing(session_id, interaction)
                    return True
                if click is not None:
                    click.session = session
                if session._child is not None:  # it waits for a child session it opened
                    outcome = "denied"
                    await send_notice(interaction, message("nyx_sessions.notice.child_running"))
                    return True
                meta = meta if meta is not None else SessionExecutionMeta(session_id)
                # A child that ends in its handler hands the click to its parent's on_child_end.
                clicked = None if session._parent is None else CLICK.set(interaction)
                try:
                    executed = await self._executor.update(session, interaction, meta)
                finally:
                    if clicked is not None:
                        CLICK.reset(clicked)
                outcome = _OUTCOMES[executed.status]
                if click is not None and executed.ran:
                    click.handler_returned_at = time.perf_counter()
                if not interaction.response.is_done():
                    await _acknowledge(interaction)
                if live.held.get(session_id) is session and executed.ran:
                    session._track_interaction(interaction)
                    committed = True  # the commit gives back what enter took, even if it fails
                    await backing.commit(session, interaction, meta, executed)
                    self._announce(SessionEvent.UPDATE, session, interaction, meta)
            finally:
                if not committed:
                    await backing.leave(session_id, interaction.id)
                live.serial.release(session_id)
                self._deferrals.release(watched)
        finally:
            if click is not None:  # every click_began has its click_finished
                click.outcome = outcome
                observers.click_finished(click)
        return True

    def session_id_of(self, interaction: discord.Interaction[Any]) -> str | None:
        """The session id on the interaction's custom id; ``None`` when it is not in our namespace.

        An id in our namespace that cannot be read (tampered with, or from another version) gives
        ``""``: no session has an empty id, so it is answered as a missing session, not dropped.
        """
        custom_id = interaction_data(interaction).get("custom_id")
        if not isinstance(custom_id, str):
            return None
        # Readable session ids (nearly every click) take one codec call; the others, two.
        session_id = self._codec.deserialize_to_object_id(custom_id)
        if session_id:
            return session_id
        return "" if self._codec.is_session_custom_id(custom_id) else None

    async def _wait_for_turn(self, session_id: str) -> None:
        """Wait for the session's lock, held by another click, a start or an end."""
        serial = self._live.serial
        if serial.held_here(session_id):
            raise IllegalSessionStateError(
                f"update() for session {session_id!r} was called from inside that session's own "
                "handler, and would wait for that handler to end: answer the interaction there instead"
            )
        await serial.acquire(session_id)

    async def _answer_missing(self, session_id: str, interaction: discord.Interaction[Any]) -> None:
        """Answer a click on a session that does not exist (any more).

        The missing handler disables the message's components; a message that a live session owns
        (a forged or stale id on it) keeps them, and the user only gets the notice.
        """
        if self._owned_by_live_session(interaction.message):
            await send_notice(interaction, message("nyx_sessions.notice.expired"))
        else:
            await self._executor.handle_missing(session_id, interaction)

    def _owned_by_live_session(self, message: discord.Message | None) -> bool:
        if message is None:
            return False
        held = self._live.held
        read = self._codec.deserialize_to_object_id
        return any(read(custom_id) in held for custom_id in component_custom_ids(message))


async def _acknowledge(interaction: discord.Interaction[Any]) -> None:
    """Answer an interaction the handler left unanswered, so Discord never shows a failure."""
    try:
        await interaction.response.defer()
    except (*DISCORD_ERRORS, discord.InteractionResponded) as error:
        _log.debug("could not acknowledge interaction %s: %s", interaction.id, error)
