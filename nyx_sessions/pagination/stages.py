"""StagePaginationSession: pages that are stages, small sessions nested in one (nyx §1.18, §5.4)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

from nyx_sessions._utils import MISSING, maybe_await
from nyx_sessions.errors import IllegalSessionStateError
from nyx_sessions.messages import MESSAGES, translator_of
from nyx_sessions.pagination.base import PaginationSession
from nyx_sessions.pagination.navigation import PageNavigation
from nyx_sessions.sessions.handler import ComponentHandler
from nyx_sessions.state import SessionExecutionMeta, SessionState

if TYPE_CHECKING:
    import discord
    from discord.ext import commands

    from nyx_sessions.codec import PaginationCustomIdBuilder, SessionCustomIdCodec
    from nyx_sessions.pagination._message import PageContent
    from nyx_sessions.state import EndCode, SessionEndData

__all__ = ("SessionStage", "SessionStartStage", "StageFactory", "StagePaginationSession")

ResultT = TypeVar("ResultT")


class SessionStage(ComponentHandler, Generic[ResultT]):
    """One stage of a :class:`StagePaginationSession`: a page that behaves like a small session.

    A stage has its own component handlers and its own :attr:`result`; it shares its session's id,
    TTL, filters, message and end. Its custom ids (:attr:`custom_id`, :meth:`button`, ...) route to
    the session, which hands every interaction without a stage change to the current stage's
    :meth:`on_update`.

    The simplest stage only implements :meth:`build_message`: the default :meth:`on_switch` shows
    it, with the session's navigation row unless the message has its own ``view``. Handlers that
    change what the stage shows call :meth:`refresh`.

    Text inputs in a stage's modals should use plain custom ids (``discord.ui.TextInput(custom_id="name")``):
    a text input whose custom id is a session id and whose value is a whole number is read as a page
    (nyx §5.1), which would turn the answer "2" into a stage change. Read the values with
    :func:`~nyx_sessions.modal_values`.

    Parameters
    ----------
    session: :class:`StagePaginationSession`
        The session the stage belongs to.

    Attributes
    ----------
    result: Optional[ResultT]
        What the stage produced; collected in :attr:`StagePaginationSession.stage_results`.
    """

    __slots__ = ("_custom_id", "_session", "result")

    def __init__(self, session: StagePaginationSession[Any]) -> None:
        self._session = session
        self._custom_id = session.custom_id.clone()
        self.result: ResultT | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__qualname__} session={self._session.id!r} result={self.result!r}>"

    @property
    def session(self) -> StagePaginationSession[Any]:
        """:class:`StagePaginationSession`: The session this stage belongs to."""
        return self._session

    @property
    def bot(self) -> discord.Client:
        """:class:`discord.Client`: The session's bot."""
        return self._session.bot

    @property
    def _codec(self) -> SessionCustomIdCodec:
        return self._session.manager.codec

    @property
    def custom_id(self) -> PaginationCustomIdBuilder:
        """:class:`~nyx_sessions.PaginationCustomIdBuilder`: The stage's own copy of the session's ids.

        Clone it before pushing tokens, or every id built afterwards carries them.
        """
        return self._custom_id

    @property
    def index(self) -> int:
        """:class:`int`: The stage's position in the session.

        Raises
        ------
        ValueError
            The stage is not one of its session's stages.
        """
        return self._session.index_of(self)

    # -- custom ids and components ------------------------------------------------------------------

    def build_custom_id_for_page(self, page: int) -> str:
        """Return a custom id of this stage's builder that carries ``page``: clicking it moves there."""
        return self._custom_id.clone_set_page(page).build()

    def build_custom_id_for_stage(self, stage: SessionStage[Any]) -> str:
        """Return a custom id that moves the session to ``stage``.

        Raises
        ------
        ValueError
            ``stage`` is not one of the session's stages.
        """
        return self.build_custom_id_for_page(self._session.index_of(stage))

    def build_default_page_row(self) -> list[discord.ui.Button[Any]]:
        """The session's navigation buttons (previous / indicator / next by default)."""
        return self._session.build_default_page_row()

    # -- rendering ------------------------------------------------------------------------------------

    def build_message(self) -> PageContent | Awaitable[PageContent]:
        """What the stage shows: text, embeds, or message keyword arguments (plain or ``async def``).

        Without a ``view`` the session's navigation controls are added; with one, the view is sent
        as it is (add ``*self.session.build_navigation(row=...)`` to it yourself). A components v2
        layout (a :class:`discord.ui.Container` or a list of top-level v2 items) gets the controls
        inside its last container, or after its items.
        """
        raise NotImplementedError(f"{type(self).__qualname__} must override build_message, or on_switch")

    async def render(self) -> dict[str, Any]:
        """Return :meth:`build_message` as send keyword arguments, navigation included."""
        session = self._session
        if session._texts is not MESSAGES or translator_of(session.bot) is not None:  # no await without one
            await session.load_texts()
        return self._session._page_message(await maybe_await(self.build_message()))

    async def refresh(self, interaction: discord.Interaction[Any] | None = None) -> None:
        """Edit the session's message to show this stage again (after its result changed).

        Parameters
        ----------
        interaction: Optional[:class:`discord.Interaction`]
            An unanswered interaction to answer with the edit (a modal submit works too).
        """
        await self._session._show(interaction, await self.render())

    # -- hooks ----------------------------------------------------------------------------------------

    async def on_switch(
        self, interaction: discord.Interaction[Any], previous: SessionStage[Any], meta: SessionExecutionMeta
    ) -> bool | None:
        """The session moved here from ``previous``: answer ``interaction`` (by default, :meth:`refresh`).

        ``interaction`` may be a modal submit, which cannot be answered with another modal: a stage
        that needs one shows a button that opens it.

        Returns
        -------
        Optional[:class:`bool`]
            ``False`` to leave the TTL as it is; ``True`` or ``None`` to refresh it.
        """
        await self.refresh(interaction)
        return None

    async def on_leave(
        self, interaction: discord.Interaction[Any], next: SessionStage[Any], meta: SessionExecutionMeta
    ) -> None:
        """The session is about to move to ``next``; must not answer ``interaction``. Default: nothing."""


class SessionStartStage(SessionStage[ResultT]):
    """A stage that can answer the session's start: stage 0 of every :class:`StagePaginationSession`."""

    __slots__ = ()

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        """Answer the session's start; by default send :meth:`render` with the session's ``respond``.

        Put ``"ephemeral": True`` in :meth:`build_message`'s mapping for an ephemeral wizard.
        """
        await self._session.respond(**await self.render())


StageFactory = Callable[["StagePaginationSession[Any]"], SessionStage[Any]]
"""Builds a stage for a session: a stage class, or any ``factory(session) -> stage``."""


class StagePaginationSession(PaginationSession[ResultT]):
    """A session made of stages: a wizard, a settings panel with sections, a multi-step form.

    Stage 0 is a :class:`SessionStartStage` and answers the start. Moving to another stage (a button
    or select carrying that stage's page, the navigation row, or :meth:`switch_to`) calls
    :meth:`SessionStage.on_leave` on the old stage, then :meth:`SessionStage.on_switch` on the new one,
    which answers. Every other interaction goes to the current stage's :meth:`SessionStage.on_update`,
    including one that carries the current stage's page or a page no stage has (as in nyx).

    Stages answer page changes themselves, so :meth:`update_page` is not used here.

    When the session ends with no :attr:`result` set, its result is :attr:`stage_results`, so
    ``(await session.wait()).result`` holds every stage's result. Call ``super().on_end(...)`` when
    overriding :meth:`on_end` to keep that.

    A subclass may declare its stage factories on the class, ``stages = (AskName, AskColour,
    Confirm)``, used when the constructor gets none. A durable stage session (one with a ``kind``)
    must: a restore rebuilds the stages from them, at the stage it was on, with every stage's
    ``result`` (decoded to the stage class's ``result_type`` when it declares one). The class
    keyword form, ``class Setup(StagePaginationSession[None], kind="setup", stages=(AskName,
    Confirm))``, does the same and type-checks (a type checker reads ``stages = (...)`` as an
    override of the :attr:`stages` property, whose type is the stages themselves).

    Parameters
    ----------
    bot: :class:`discord.Client`
        The bot, with the nyx_sessions extension loaded.
    start: Union[:class:`discord.Interaction`, :class:`discord.ext.commands.Context`]
        What started the session.
    stages: Optional[Iterable[Union[:class:`SessionStage`, StageFactory]]]
        The stages, or factories called with the session (stage classes are factories): stages need
        their session to exist, so ``stages=[AskName, AskColour, Confirm]`` is the usual form. May
        instead be assigned to :attr:`stages` in a subclass's ``__init__``.
    navigation: Optional[:class:`PageNavigation`]
        Defaults to previous / step indicator / next, with no jump and no first/last.
    session_id, ttl, data, owner:
        As for :class:`~nyx_sessions.AbstractSession`.
    """

    __slots__ = ("_stages",)

    default_navigation: ClassVar[PageNavigation] = PageNavigation(jump=False, first_last="never")
    _stage_factories: ClassVar[tuple[StageFactory, ...]] = ()

    def __init_subclass__(
        cls,
        *,
        # Any, not this class: a stage class's __init__ names the session subclass it belongs to.
        stages: Iterable[Callable[[Any], SessionStage[Any]]] | None = None,
        **kwargs: Any,
    ) -> None:
        declared = cls.__dict__.get("stages")
        if declared is not None and not isinstance(declared, property):
            if stages is not None:
                raise TypeError(f"{cls.__qualname__} declares its stages twice: keep the stages= keyword")
            # A class-level list of factories; the instance property stays the way to read them.
            stages = declared
            delattr(cls, "stages")
        if stages is not None:
            cls._stage_factories = tuple(stages)
        super().__init_subclass__(**kwargs)
        if cls.kind is not None and not cls._stage_factories:
            raise TypeError(
                f"{cls.__qualname__} is durable: declare its stages on the class "
                "(stages=(FirstStage, SecondStage, ...) as a class keyword) so a restore can rebuild them"
            )

    def __init__(
        self,
        bot: discord.Client,
        start: discord.Interaction[Any] | commands.Context[Any] | discord.abc.Messageable,
        stages: Iterable[SessionStage[Any] | StageFactory] | None = None,
        *,
        navigation: PageNavigation | None = None,
        session_id: str | None = None,
        ttl: float | None = MISSING,
        data: Any = None,
        owner: discord.abc.User | None = None,
    ) -> None:
        super().__init__(
            bot, start, navigation=navigation, session_id=session_id, ttl=ttl, data=data, owner=owner
        )
        self._stages: tuple[SessionStage[Any], ...] = ()
        if stages is None and self._stage_factories:
            stages = self._stage_factories
        if stages is not None:
            self.stages = stages

    def _durable_state(self) -> object:
        return {"results": [stage.result for stage in self._stages]}

    def _restore_state(self, page: int | None, state: Any) -> None:
        super()._restore_state(page, state)
        from nyx_sessions.durable.data import decode_json, encode_json

        self._stages = tuple(factory(self) for factory in self._stage_factories)
        results = (state or {}).get("results", [])
        for stage, result in zip(self._stages, results, strict=False):
            result_type = getattr(stage, "result_type", None)
            stage.result = (
                result
                if result_type is None or result is None
                else decode_json(encode_json(result), result_type)
            )
        self._current_page = min(self._current_page, max(len(self._stages) - 1, 0))

    # -- stages ---------------------------------------------------------------------------------------

    @property
    def stages(self) -> tuple[SessionStage[Any], ...]:
        """tuple[:class:`SessionStage`, ...]: The stages in order; settable before the session starts.

        Assign stages or factories (``factory(session) -> stage``, e.g. stage classes).

        Raises
        ------
        ValueError
            No stages, stage 0 is not a :class:`SessionStartStage`, a stage belongs to another
            session, or a stage appears twice.
        IllegalSessionStateError
            The session has already started.
        """
        return self._stages

    @stages.setter
    def stages(self, stages: Iterable[SessionStage[Any] | StageFactory]) -> None:
        if self.state is not SessionState.UNINITIALIZED:
            raise IllegalSessionStateError(f"session {self.id!r} cannot change its stages once started")
        built = tuple(stage if isinstance(stage, SessionStage) else stage(self) for stage in stages)
        if not built:
            raise ValueError("a stage session needs at least one stage")
        if not isinstance(built[0], SessionStartStage):
            raise ValueError(f"stage 0 must be a SessionStartStage to answer the start, got {built[0]!r}")
        for stage in built:
            if stage.session is not self:
                raise ValueError(f"{stage!r} belongs to another session; build it with this one")
        if len({id(stage) for stage in built}) != len(built):
            raise ValueError("a stage appears twice; each position needs its own stage object")
        self._stages = built

    def index_of(self, stage: SessionStage[Any]) -> int:
        """Return ``stage``'s position.

        Raises
        ------
        ValueError
            ``stage`` is not one of this session's stages.
        """
        for index, candidate in enumerate(self._stages):
            if candidate is stage:
                return index
        raise ValueError(f"{stage!r} is not a stage of session {self.id!r}")

    @property
    def page_count(self) -> int:
        """:class:`int`: The number of stages."""
        return len(self._stages)

    @property
    def current_stage(self) -> SessionStage[Any]:
        """:class:`SessionStage`: The stage shown now.

        Raises
        ------
        IllegalSessionStateError
            The session has no stages.
        """
        if not self._stages:
            raise IllegalSessionStateError(
                f"session {self.id!r} has no stages: pass stages= or set self.stages"
            )
        return self._stages[self._current_page]

    @property
    def next_stage(self) -> SessionStage[Any] | None:
        """Optional[:class:`SessionStage`]: The stage after the current one, or ``None`` on the last."""
        page = self.next_page
        return None if page is None else self._stages[page]

    @property
    def previous_stage(self) -> SessionStage[Any] | None:
        """Optional[:class:`SessionStage`]: The stage before the current one; stage 0 is a real stage."""
        page = self.previous_page
        return None if page is None else self._stages[page]

    @property
    def stage_results(self) -> tuple[Any, ...]:
        """tuple: Every stage's :attr:`~SessionStage.result`, in stage order."""
        return tuple(stage.result for stage in self._stages)

    # -- lifecycle ------------------------------------------------------------------------------------

    async def on_child_end(
        self, child_end: SessionEndData[Any], interaction: discord.Interaction[Any] | None
    ) -> None:
        """Show the current stage again: the child session had the message."""
        await self.current_stage.refresh(interaction)

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        """Let stage 0 answer the start."""
        # The stages setter guarantees stage 0 is a start stage.
        await cast("SessionStartStage[Any]", self.current_stage).on_start(meta)

    async def switch_to(
        self,
        stage: SessionStage[Any] | int,
        interaction: discord.Interaction[Any],
        meta: SessionExecutionMeta | None = None,
    ) -> bool | None:
        """Move to ``stage`` (a stage or its index) in answer to ``interaction``.

        Calls ``on_leave`` on the current stage, then makes ``stage`` current and returns its
        ``on_switch``, which answers ``interaction``. Switching to the current stage shows it again
        (``previous`` is then the stage itself).

        Raises
        ------
        ValueError
            ``stage`` is not one of this session's stages.
        IndexError
            The index is out of range.
        """
        index = stage if isinstance(stage, int) else self.index_of(stage)
        if not 0 <= index < len(self._stages):
            raise IndexError(
                f"stage index {index} is out of range: session {self.id!r} has {len(self._stages)} stages"
            )
        meta = meta if meta is not None else SessionExecutionMeta(self.id)
        old, new = self.current_stage, self._stages[index]
        await old.on_leave(interaction, new, meta)
        self._current_page = index
        return await new.on_switch(interaction, old, meta)

    async def on_end(self, reason: str, code: EndCode, meta: SessionExecutionMeta) -> None:
        """Make :attr:`stage_results` the session's result unless one was set."""
        if self.result is None:
            self.result = cast("ResultT", self.stage_results)

    # -- routing --------------------------------------------------------------------------------------

    async def _move_to(
        self, page: int, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> bool | None:
        if 0 <= page < len(self._stages) and page != self._current_page:
            return await self.switch_to(page, interaction, meta)
        return await self.current_stage.on_update(interaction, meta)

    async def _handle_pageless(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> bool | None:
        return await self.current_stage.on_update(interaction, meta)
