"""What sessions and stages share: building components routed to them, and routing what comes back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import discord

from nyx_sessions._utils import interaction_data
from nyx_sessions.codec import CustomIdIterator
from nyx_sessions.sessions.components import SessionLayoutView, SessionModal, SessionView
from nyx_sessions.sessions.limits import check_modal
from nyx_sessions.sessions.routes import NO_ROUTES, collect_routes

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    from nyx_sessions.codec import MetadatableCustomIdBuilder, SessionCustomIdCodec
    from nyx_sessions.state import SessionExecutionMeta

__all__ = ("ComponentHandler",)

ItemT = TypeVar("ItemT", bound=discord.ui.Item[Any])

# Read once: on_update routes every click by them.
_MODAL_SUBMIT = discord.InteractionType.modal_submit
_BUTTON = discord.ComponentType.button.value
_SELECT_TYPES = frozenset(
    kind.value
    for kind in (
        discord.ComponentType.string_select,
        discord.ComponentType.user_select,
        discord.ComponentType.role_select,
        discord.ComponentType.mentionable_select,
        discord.ComponentType.channel_select,
    )
)


class ComponentHandler:
    """Builds components whose custom ids route back to this object, and routes their interactions.

    :class:`~nyx_sessions.AbstractSession` and :class:`~nyx_sessions.SessionStage` both are one:
    they differ only in the :attr:`custom_id` builder they push tokens onto.
    """

    __slots__ = ()

    _routes: Mapping[tuple[str, str], str] = NO_ROUTES
    """``(kind, first token)`` -> the method :func:`~nyx_sessions.on_button` and friends marked."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._routes = collect_routes(cls)

    @property
    def custom_id(self) -> MetadatableCustomIdBuilder:
        """The builder of this object's custom ids. Clone it before pushing tokens (``clone_push``)."""
        raise NotImplementedError

    @property
    def _codec(self) -> SessionCustomIdCodec:
        """The codec that reads this object's custom ids back."""
        raise NotImplementedError

    # -- building ------------------------------------------------------------------------------------

    def component_id(self, *tokens: str | int) -> str:
        """A custom id routed here, carrying ``tokens`` (read them back with :meth:`tokens`)."""
        return self.custom_id.clone_push(*tokens).build()

    def tokens(self, interaction: discord.Interaction[Any]) -> CustomIdIterator:
        """The extra tokens on ``interaction``'s custom id (what :meth:`component_id` pushed).

        Empty when the custom id is not of this object's namespace.
        """
        custom_id = interaction_data(interaction).get("custom_id")
        iterator = (
            self._codec.create_iterator_from_custom_id(custom_id) if isinstance(custom_id, str) else None
        )
        return iterator if iterator is not None else CustomIdIterator(())

    def button(self, *tokens: str | int, **kwargs: Any) -> discord.ui.Button[Any]:
        """A :class:`discord.ui.Button` routed here; ``kwargs`` go to the button."""
        return discord.ui.Button(custom_id=self.component_id(*tokens), **kwargs)

    def select(
        self,
        *tokens: str | int,
        cls: Callable[..., ItemT] = discord.ui.Select,  # type: ignore[assignment]
        **kwargs: Any,
    ) -> ItemT:
        """A select routed here: ``cls`` is any select kind (``discord.ui.UserSelect``, ...)."""
        return cls(custom_id=self.component_id(*tokens), **kwargs)

    def text_input(self, *tokens: str | int, **kwargs: Any) -> discord.ui.TextInput[Any]:
        """A :class:`discord.ui.TextInput` with a session custom id.

        In a pagination session such an input holding a whole number is read as a page (nyx §5.1);
        give ordinary inputs a plain custom id (``discord.ui.TextInput(custom_id="name", ...)``).
        """
        return discord.ui.TextInput(custom_id=self.component_id(*tokens), **kwargs)

    def modal(
        self, title: str, *items: discord.ui.Item[Any], tokens: tuple[str | int, ...] = ("modal",)
    ) -> SessionModal:
        """A modal whose submit reaches :meth:`handle_modal`; open it with ``response.send_modal``.

        Raises
        ------
        ComponentLimitError
            The modal breaks one of Discord's limits (more than five items, a title or label over
            45 characters, a custom id over 100, ...).
        """
        modal = SessionModal(title, self.component_id(*tokens), *items)
        check_modal(f"modal {title!r}", modal)
        return modal

    @staticmethod
    def view(*items: discord.ui.Item[Any]) -> SessionView:
        """A classic container for ``items`` that discord.py never dispatches (see :class:`SessionView`)."""
        return SessionView(*items)

    @staticmethod
    def layout(*items: discord.ui.Item[Any]) -> SessionLayoutView:
        """A components-v2 container for ``items`` that discord.py never dispatches."""
        return SessionLayoutView(*items)

    # -- routing -------------------------------------------------------------------------------------

    async def on_update(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> bool | None:
        """Handle one interaction on this object's components; by default route it.

        A method marked with :func:`~nyx_sessions.on_button`, :func:`~nyx_sessions.on_select` or
        :func:`~nyx_sessions.on_modal` for the component's kind and first token handles it. Otherwise
        buttons go to :meth:`handle_button`, every select kind to :meth:`handle_select_menu` and modal
        submits to :meth:`handle_modal`.

        Returns
        -------
        Optional[:class:`bool`]
            ``False`` to leave the TTL as it is; ``True`` or ``None`` to refresh it.
        """
        if interaction.type is _MODAL_SUBMIT:
            kind = "modal"
        else:
            component_type = interaction_data(interaction).get("component_type")
            if component_type == _BUTTON:
                kind = "button"
            elif component_type in _SELECT_TYPES:
                kind = "select"
            else:
                raise NotImplementedError(
                    f"{type(self).__qualname__} cannot route component type {component_type!r}"
                )
        routes = self._routes
        if routes:  # only classes with routes pay for reading the token
            route = routes.get((kind, self.tokens(interaction).peek()))  # type: ignore[arg-type]
            if route is not None:
                handler: Callable[..., Awaitable[bool | None]] = getattr(self, route)
                return await handler(interaction, meta)
        if kind == "button":
            return await self.handle_button(interaction, meta)
        if kind == "select":
            return await self.handle_select_menu(interaction, meta)
        return await self.handle_modal(interaction, meta)

    async def handle_button(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> bool | None:
        """Handle a button click; override it when there are buttons."""
        raise NotImplementedError(
            f"{type(self).__qualname__} got a button click but does not override handle_button"
        )

    async def handle_select_menu(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> bool | None:
        """Handle a selection in any select kind; override it when there are selects."""
        raise NotImplementedError(
            f"{type(self).__qualname__} got a select menu interaction "
            "but does not override handle_select_menu"
        )

    async def handle_modal(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> bool | None:
        """Handle a modal submit; override it when modals are opened."""
        raise NotImplementedError(
            f"{type(self).__qualname__} got a modal submit but does not override handle_modal"
        )
