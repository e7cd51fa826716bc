"""Component containers for session messages that discord.py's ViewStore never dispatches.

A session routes its own components through the cog's ``on_interaction`` listener. If discord.py
also stored the :class:`discord.ui.View` a session sent, both paths would answer the same click and
the second answer would fail (Discord error 40060). discord.py stores a view or modal on send or
edit only while it is not finished, so these containers report themselves finished from birth:
they carry components to Discord and nothing else (no timeout task, no callbacks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from nyx_sessions._utils import interaction_data

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ("SessionLayoutView", "SessionModal", "SessionView", "modal_values")


class SessionView(discord.ui.View):
    """A classic (action-row) component container for session messages.

    Parameters
    ----------
    *items: :class:`discord.ui.Item`
        Items to add in order, as :meth:`discord.ui.View.add_item` places them.
    """

    def __init__(self, *items: discord.ui.Item[Any]) -> None:
        super().__init__(timeout=None)
        for item in items:
            self.add_item(item)

    def is_finished(self) -> bool:
        """Always ``True``, so discord.py never stores this container for dispatch."""
        return True


class SessionLayoutView(discord.ui.LayoutView):
    """A components-v2 container (:class:`discord.ui.LayoutView`) for session messages.

    Parameters
    ----------
    *items: :class:`discord.ui.Item`
        Top-level v2 items (containers, sections, text displays, action rows, ...).
    """

    def __init__(self, *items: discord.ui.Item[Any]) -> None:
        super().__init__(timeout=None)
        for item in items:
            self.add_item(item)

    def is_finished(self) -> bool:
        """Always ``True``, so discord.py never stores this container for dispatch."""
        return True


class SessionModal(discord.ui.Modal):
    """A modal whose submit is routed to the session that built it.

    Parameters
    ----------
    title: :class:`str`
        The modal's title (at most 45 characters).
    custom_id: :class:`str`
        A session custom id, so the submit reaches the session.
    *items: :class:`discord.ui.Item`
        Text inputs or labels, at most five.
    """

    def __init__(self, title: str, custom_id: str, *items: discord.ui.Item[Any]) -> None:
        if len(title) > 45:
            raise ValueError(
                f"modal title is {len(title)} characters long; Discord allows at most 45: {title!r}"
            )
        super().__init__(title=title, custom_id=custom_id, timeout=None)
        for item in items:
            self.add_item(item)

    def is_finished(self) -> bool:
        """Always ``True``, so discord.py never stores this modal for dispatch."""
        return True


def modal_values(interaction: discord.Interaction[Any]) -> dict[str, Any]:
    """The values a modal submit carries, by component custom id.

    Text inputs give their ``str`` value, selects inside labels their list of ``values``. Both
    classic rows and label (type 18) wrappers are read, so session handlers need no
    :class:`discord.ui.Modal` subclass to read a submit.
    """
    values: dict[str, Any] = {}
    _collect_values(interaction_data(interaction).get("components", ()), values)
    return values


def _collect_values(components: Iterable[Mapping[str, Any]], into: dict[str, Any]) -> None:
    for component in components:
        if "components" in component:
            _collect_values(component["components"], into)
        if "component" in component:
            _collect_values((component["component"],), into)
        if "custom_id" in component:
            if "value" in component:
                into[component["custom_id"]] = component["value"]
            elif "values" in component:
                into[component["custom_id"]] = component["values"]
