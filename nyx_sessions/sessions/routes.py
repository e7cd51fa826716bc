"""Handlers by component: decorators that route a button, select or modal to a method by its first token.

Instead of one ``handle_button`` with a ``match`` on tokens::

    class Settings(AbstractSession[None]):
        async def on_start(self, meta):
            await self.respond("Settings", view=self.view(self.button("save", label="Save")))

        @on_button("save")
        async def save(self, interaction, meta):
            await interaction.response.edit_message(content="Saved")

A component whose first token has no route still reaches ``handle_button`` /
``handle_select_menu`` / ``handle_modal``, so both styles mix.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:
    import discord

    from nyx_sessions.state import SessionExecutionMeta

__all__ = ("RouteKind", "collect_routes", "on_button", "on_modal", "on_select")

RouteKind = Literal["button", "select", "modal"]
"""What a route answers: button clicks, selections in any select kind, or modal submits."""

Handler = Callable[[Any, "discord.Interaction[Any]", "SessionExecutionMeta"], Awaitable["bool | None"]]
HandlerT = TypeVar("HandlerT", bound=Handler)

_ROUTE = "__nyx_sessions_route__"
"""The attribute a decorated method carries: ``(kind, first token)``."""

NO_ROUTES: Mapping[tuple[str, str], str] = MappingProxyType({})


def _route(kind: RouteKind, token: str) -> Callable[[HandlerT], HandlerT]:
    if not isinstance(token, str) or not token:
        raise TypeError(f"on_{kind}() takes the component's first token, a non-empty str; got {token!r}")

    def mark(method: HandlerT) -> HandlerT:
        setattr(method, _ROUTE, (kind, token))
        return method

    return mark


def on_button(token: str) -> Callable[[HandlerT], HandlerT]:
    """Route clicks on buttons whose first token is ``token`` to the decorated method.

    The method takes ``(self, interaction, meta)`` and returns like a handler: ``False`` leaves the
    TTL as it is, ``None`` or ``True`` refreshes it. Build the button with ``self.button(token, ...)``;
    further tokens (``self.button("delete", item_id)``) are read with ``self.tokens(interaction)``.
    """
    return _route("button", token)


def on_select(token: str) -> Callable[[HandlerT], HandlerT]:
    """Route selections in selects (any kind) whose first token is ``token`` to the decorated method.

    Read what was picked with :func:`~nyx_sessions.select_values`.
    """
    return _route("select", token)


def on_modal(token: str) -> Callable[[HandlerT], HandlerT]:
    """Route submits of modals whose first token is ``token`` to the decorated method.

    Build the modal with ``self.modal(title, *items, tokens=(token,))``; read it with
    :func:`~nyx_sessions.modal_values`.
    """
    return _route("modal", token)


def collect_routes(cls: type) -> Mapping[tuple[str, str], str]:
    """Map ``(kind, token)`` to the name of the method that handles it, for ``cls`` and its bases.

    A subclass's route wins over its base's for the same kind and token; a method overridden
    without the decorator keeps the route its base declared (the route names the method).

    Raises
    ------
    TypeError
        Two methods of one class claim the same kind and token.
    """
    routes: dict[tuple[str, str], str] = {}
    for klass in reversed(cls.__mro__):
        declared: dict[tuple[str, str], str] = {}
        for name, value in vars(klass).items():
            route = getattr(value, _ROUTE, None)
            if route is None:
                continue
            if route in declared:
                raise TypeError(
                    f"{klass.__qualname__}.{name} and .{declared[route]} both handle the {route[0]} "
                    f"token {route[1]!r}"
                )
            declared[route] = name
        routes.update(declared)
    return MappingProxyType(routes) if routes else NO_ROUTES
