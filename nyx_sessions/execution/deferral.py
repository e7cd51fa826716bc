"""Answering in time: Discord drops an interaction left without an initial response for 3 seconds.

The manager hands every interaction it serves a :class:`GuardedResponse` as ``interaction.response`` and
puts it on the :class:`DeferralWatch`. If the interaction is still unanswered ``auto_defer`` seconds after
it arrived (a slow handler, or a click queued behind another click of the same session), the watch
defers it. Handlers keep answering through ``interaction.response`` as discord.py documents it: after
an automatic deferral their calls continue through the original response and followups, so a handler
that happens to be slow, or queued, behaves the same as a fast one. Only a modal cannot follow a
deferral (Discord refuses it): :class:`~nyx_sessions.AutoDeferredError` says so every time.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from typing import TYPE_CHECKING, Any

import discord

from nyx_sessions._utils import DISCORD_ERRORS
from nyx_sessions.errors import AutoDeferredError
from nyx_sessions.storage.clock import Alarm

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from nyx_sessions.storage import Clock

__all__ = (
    "AUTO_DEFER",
    "TOKEN_LIFETIME",
    "DeferralWatch",
    "GuardedResponse",
    "ObservedResponse",
    "Watched",
    "token_alive",
    "token_deadline",
    "unanswered",
)

_log = logging.getLogger(__name__)

AUTO_DEFER = 2.0
"""Seconds after its arrival an unanswered interaction is deferred; Discord's deadline is 3 s."""

TOKEN_LIFETIME = 15 * 60.0
"""Seconds an interaction token can answer, edit and send followups (Discord: 15 minutes)."""

_TOKEN_MARGIN = 15.0
"""Counted from arrival, not creation: stop trusting a token this much before it runs out."""

_DEFERRED_UPDATE = discord.InteractionResponseType.deferred_message_update
_DEFERRED_MESSAGE = discord.InteractionResponseType.deferred_channel_message
_MESSAGE_INTERACTIONS = (discord.InteractionType.component, discord.InteractionType.modal_submit)
_EDIT_ORIGINAL_KEYS = ("content", "embed", "embeds", "attachments", "view", "allowed_mentions")

_BATCH = 0.2
"""Seconds early an interaction may be deferred, to share a timer with those due just before it."""

Watched = list[Any]
"""A watch entry: ``[deadline, order, response]``; the response is ``None`` once released.

A list, not a tuple: releasing an answered interaction drops its reference in place.
"""


class GuardedResponse(discord.InteractionResponse[Any]):
    """``interaction.response`` for the interactions a session manager serves.

    It is discord.py's :class:`discord.InteractionResponse`, and it answers the same way until the
    :class:`DeferralWatch` defers the interaction because nothing answered it in time. From then on:

    - ``defer()`` does nothing (the interaction is acknowledged already);
    - ``send_message(...)`` sends a followup; after a "thinking" deferral the first followup takes
      the place of the "thinking" message (when the visibility differs, that message is deleted
      first, so an ephemeral answer never becomes public);
    - ``edit_message(...)`` edits the original response: the component's message after a deferred
      update, the "thinking" message after a deferred start;
    - ``send_modal(...)`` raises :class:`~nyx_sessions.AutoDeferredError`: Discord allows no modal
      after a deferral.

    While a response call is on its way to Discord, the watch does not defer, so the two never race
    into a second initial response.

    Attributes
    ----------
    arrived_at: :class:`float`
        When the manager received the interaction, on the manager's clock; the token is trusted for
        15 minutes (less a margin) from then.
    auto_defer: Optional[:class:`float`]
        Seconds after arrival the interaction is deferred if still unanswered; ``None``: never.
    """

    __slots__ = (
        "_answering",
        "_deferral",
        "_due",
        "_ephemeral",
        "_thinking",
        "_watch",
        "arrived_at",
        "auto_defer",
    )

    def __init__(
        self,
        parent: discord.Interaction[Any],
        watch: DeferralWatch,
        arrived_at: float,
        auto_defer: float | None,
        thinking: bool,
        ephemeral: bool,
    ) -> None:
        # discord.py's two slots, set here rather than through super().__init__ (this runs on every click).
        self._parent = parent
        self._response_type = None
        self._watch = watch
        self.arrived_at = arrived_at
        self.auto_defer = auto_defer
        self._thinking = thinking
        self._ephemeral = ephemeral
        self._answering = False
        self._due = False
        self._deferral: asyncio.Task[None] | None = None

    @property
    def auto_deferred(self) -> bool:
        """:class:`bool`: Whether the watch deferred the interaction (and Discord accepted it)."""
        return self._deferral is not None and self._response_type is not None

    # -- the watch's side ------------------------------------------------------------------------------

    def _defer_if_unanswered(self) -> None:
        """Called at the deadline: defer unless answered, or as soon as an answer on its way fails."""
        if self._response_type is not None or self._deferral is not None:
            return
        if self._answering:
            self._due = True
            return
        self._answering = True
        self._deferral = self._watch.spawn(self._defer(), f"nyx-sessions:defer:{self._parent.id}")

    async def _defer(self) -> None:
        try:
            await discord.InteractionResponse.defer(self, thinking=self._thinking, ephemeral=self._ephemeral)
        except DISCORD_ERRORS as error:
            _log.debug("could not defer interaction %s in time: %s", self._parent.id, error)
        finally:
            self._answering = False

    async def _taken_over(self) -> bool:
        """Whether the automatic deferral answered the interaction (waiting for one on its way)."""
        deferral = self._deferral
        if deferral is None:
            return False
        if not deferral.done():
            await asyncio.wait((deferral,))  # not ``await deferral``: cancelling us must not cancel it
        return self._response_type is not None

    def _answered(self) -> None:
        """An answer of the handler's is back; if the deadline came meanwhile and it failed, defer now."""
        self._answering = False
        if self._due:
            self._due = False
            self._defer_if_unanswered()

    # -- discord.py's answering calls --------------------------------------------------------------------

    async def defer(
        self, *, ephemeral: bool = False, thinking: bool = False
    ) -> discord.InteractionCallbackResponse[Any] | None:
        """Defer as :meth:`discord.InteractionResponse.defer`; nothing to do after an automatic deferral."""
        if self._deferral is not None and await self._taken_over():
            return None
        self._answering = True
        try:
            return await super().defer(ephemeral=ephemeral, thinking=thinking)
        finally:
            self._answered()

    async def send_message(
        self, content: Any | None = None, **kwargs: Any
    ) -> discord.InteractionCallbackResponse[Any]:
        """As :meth:`discord.InteractionResponse.send_message`; a followup after an automatic deferral."""
        if self._deferral is not None and await self._taken_over():
            return await self._send_followup(content, **kwargs)
        self._answering = True
        try:
            return await super().send_message(content, **kwargs)
        finally:
            self._answered()

    async def edit_message(self, **kwargs: Any) -> discord.InteractionCallbackResponse[Any] | None:
        """As :meth:`discord.InteractionResponse.edit_message`; the original response after a deferral."""
        if self._deferral is not None and await self._taken_over():
            return await self._edit_original(**kwargs)
        self._answering = True
        try:
            return await super().edit_message(**kwargs)
        finally:
            self._answered()

    async def send_modal(self, modal: discord.ui.Modal, /) -> discord.InteractionCallbackResponse[Any]:
        """Open a modal as :meth:`discord.InteractionResponse.send_modal`.

        Raises
        ------
        AutoDeferredError
            The interaction was deferred automatically: Discord accepts no modal after that.
        """
        if self._deferral is not None and await self._taken_over():
            raise AutoDeferredError(self._parent, self.auto_defer)
        self._answering = True
        try:
            return await super().send_modal(modal)
        finally:
            self._answered()

    # -- continuing after an automatic deferral ----------------------------------------------------------

    async def _send_followup(
        self,
        content: Any | None,
        *,
        ephemeral: bool = False,
        delete_after: float | None = None,
        **kwargs: Any,
    ) -> discord.InteractionCallbackResponse[Any]:
        parent = self._parent
        if self._response_type is _DEFERRED_MESSAGE and ephemeral != self._ephemeral:
            # The first followup would take the "thinking" message's place and keep its visibility.
            await parent.delete_original_response()
        message = await parent.followup.send(
            content if content is not None else discord.utils.MISSING,
            ephemeral=ephemeral,
            wait=True,
            **kwargs,
        )
        if delete_after is not None:
            await message.delete(delay=delete_after)
        return self._callback_response(discord.InteractionResponseType.channel_message, message, ephemeral)

    async def _edit_original(
        self, *, delete_after: float | None = None, **kwargs: Any
    ) -> discord.InteractionCallbackResponse[Any] | None:
        parent = self._parent
        if parent.type not in _MESSAGE_INTERACTIONS:
            return None  # as discord.py: only component and modal interactions edit a message
        ignored = set(kwargs) - set(_EDIT_ORIGINAL_KEYS)
        if ignored:
            _log.debug("interaction %s: %s cannot follow an automatic deferral", parent.id, sorted(ignored))
        message = await parent.edit_original_response(
            **{key: value for key, value in kwargs.items() if key in _EDIT_ORIGINAL_KEYS}
        )
        if delete_after is not None:
            await message.delete(delay=delete_after)
        return self._callback_response(
            discord.InteractionResponseType.message_update, message, message.flags.ephemeral
        )

    def _callback_response(
        self, kind: discord.InteractionResponseType, message: discord.Message, ephemeral: bool
    ) -> discord.InteractionCallbackResponse[Any]:
        """What discord.py's call would have returned, with the message it made or edited as resource."""
        parent = self._parent
        data: Any = {
            "interaction": {
                "id": str(parent.id),
                "type": parent.type.value,
                "response_message_id": str(message.id),
                "response_message_loading": False,
                "response_message_ephemeral": ephemeral,
            }
        }
        response = discord.InteractionCallbackResponse(
            data=data, parent=parent, state=parent._state, type=kind
        )
        response.resource = message  # type: ignore[assignment]  # a WebhookMessage after a followup
        return response


class ObservedResponse(GuardedResponse):
    """A :class:`GuardedResponse` that tells its observation when Discord accepted the first answer.

    The watch hands these out only to a manager with observers: without them no click pays for it.

    Attributes
    ----------
    observation: Optional[:class:`~nyx_sessions.observers.ClickObservation`]
        What the first accepted answer is reported to (a click's or a start's observation).
    """

    __slots__ = ("observation",)

    def _answered(self) -> None:
        observation = getattr(self, "observation", None)  # set by the click or start it answers
        if observation is not None and self._response_type is not None:
            observation._responded(False)
        super()._answered()

    async def _defer(self) -> None:
        await super()._defer()
        observation = getattr(self, "observation", None)
        if observation is not None and self._response_type is not None:
            observation._responded(True)


class DeferralWatch:
    """Defers each watched interaction still unanswered at its deadline, with one clock timer for all.

    Watching costs a heap push per interaction; answered interactions are dropped when their
    deadline comes up, so nothing is cancelled per click.

    Parameters
    ----------
    clock: :class:`~nyx_sessions.storage.Clock`
        The time deadlines are measured on.
    spawn: Callable[[Coroutine, str], asyncio.Task]
        Runs a deferral as a named task that its owner keeps until done.
    observed: :class:`bool`
        Hand out :class:`ObservedResponse` objects (the manager has observers).
    """

    __slots__ = ("_alarm", "_clock", "_heap", "_order", "_response", "spawn")

    def __init__(
        self,
        clock: Clock,
        spawn: Callable[[Coroutine[Any, Any, None], str], asyncio.Task[None]],
        *,
        observed: bool = False,
    ) -> None:
        self._clock = clock
        self.spawn = spawn
        self._response = ObservedResponse if observed else GuardedResponse
        self._heap: list[Watched] = []
        self._order = itertools.count()
        self._alarm = Alarm(clock, self._on_alarm)

    def watch_click(
        self, interaction: discord.Interaction[Any], auto_defer: float | None, now: float
    ) -> Watched | None:
        """Guard a component or modal interaction the cog just received; defer its update if unanswered.

        Nothing can have answered it yet: discord.py hands an interaction to every listener in the
        same turn of the event loop, before any answer can have come back from Discord.

        Parameters
        ----------
        interaction: :class:`discord.Interaction`
            The interaction to answer in time.
        auto_defer: Optional[:class:`float`]
            Seconds from ``now``; ``None`` guards the response (its token age is known) but never defers.
        now: :class:`float`
            The arrival time, on the watch's clock.

        Returns
        -------
        Optional[Watched]
            The watch entry, for :meth:`release`; ``None`` when nothing is to be deferred.
        """
        return self._guard(interaction, auto_defer, now, False, False)

    def watch_start(
        self, interaction: discord.Interaction[Any], auto_defer: float | None, now: float, *, ephemeral: bool
    ) -> Watched | None:
        """Guard the interaction that starts a session; defer it with a "thinking" message if unanswered.

        The start may come late in the interaction's life (a handler that starts a session after
        answering, or a session started from another session's click): an interaction answered or
        watched already is left as it is.

        Parameters
        ----------
        interaction: :class:`discord.Interaction`
            The starting interaction.
        auto_defer: Optional[:class:`float`]
            Seconds from ``now``; ``None``: never defer.
        now: :class:`float`
            When the start began, on the watch's clock.
        ephemeral: :class:`bool`
            Make the "thinking" message ephemeral (the session answers privately).

        Returns
        -------
        Optional[Watched]
            The watch entry, for :meth:`release`; ``None`` when nothing is to be deferred.
        """
        existing: discord.InteractionResponse[Any] | None = getattr(interaction, "_cs_response", None)
        if existing is not None and (existing.is_done() or hasattr(existing, "arrived_at")):
            return None
        return self._guard(interaction, auto_defer, now, True, ephemeral)

    def _guard(
        self,
        interaction: discord.Interaction[Any],
        auto_defer: float | None,
        now: float,
        thinking: bool,
        ephemeral: bool,
    ) -> Watched | None:
        response = self._response(interaction, self, now, auto_defer, thinking, ephemeral)
        # discord.py caches Interaction.response in this slot: every caller gets the guarded one.
        interaction._cs_response = response  # type: ignore[attr-defined]
        if auto_defer is None:
            return None
        deadline = now + auto_defer
        entry: Watched = [deadline, next(self._order), response]
        heapq.heappush(self._heap, entry)
        if deadline < self._alarm.when:  # the common case arms nothing: read before calling
            self._alarm.arm(deadline)
        return entry

    @staticmethod
    def release(entry: Watched | None) -> None:
        """Stop watching an interaction that was answered.

        The entry stays on the heap until its deadline, but no longer keeps the interaction alive:
        an answered interaction is freed as soon as its handler is done, as without the watch.
        """
        if entry is not None and entry[2] is not None and entry[2].is_done():
            entry[2] = None

    def close(self) -> None:
        """Stop watching: cancel the timer and drop every watched interaction."""
        self._alarm.cancel()
        self._heap.clear()

    def _on_alarm(self) -> None:
        heap = self._heap
        # Interactions due a moment later are deferred with these: at many clicks a second the timer
        # then fires a few times a second, instead of once per click.
        due = self._clock.time() + _BATCH
        while heap and heap[0][0] <= due:
            response = heapq.heappop(heap)[2]
            if response is not None:
                response._defer_if_unanswered()
        if heap:
            self._alarm.arm(heap[0][0])


def token_deadline(interaction: discord.Interaction[Any]) -> float | None:
    """When ``interaction``'s token stops being trusted, on the manager's clock; ``None`` if unknown.

    Counted from the arrival a :class:`GuardedResponse` recorded (15 minutes, less a margin).
    """
    arrived_at = getattr(interaction.response, "arrived_at", None)
    return None if arrived_at is None else float(arrived_at) + TOKEN_LIFETIME - _TOKEN_MARGIN


def token_alive(interaction: discord.Interaction[Any], clock: Clock) -> bool:
    """Whether ``interaction``'s token can still reach Discord (it lives 15 minutes).

    Measured on ``clock`` from the arrival a :class:`GuardedResponse` recorded; interactions the
    manager never guarded fall back to discord.py's :meth:`discord.Interaction.is_expired`.
    """
    deadline = token_deadline(interaction)
    if deadline is None:
        return not interaction.is_expired()
    return clock.time() < deadline


def unanswered(interaction: discord.Interaction[Any]) -> bool:
    """Whether the user has no answer yet: no initial response, or only an automatic deferral.

    An automatic deferral keeps Discord from failing the interaction but shows the user nothing
    (or a "thinking" message); the handler's answer, or a notice, is still owed.
    """
    response = interaction.response
    return not response.is_done() or getattr(response, "auto_deferred", False) is True
