"""Component containers for session messages that discord.py's ViewStore never dispatches.

A session routes its own components through the cog's ``on_interaction`` listener. If discord.py
also stored the :class:`discord.ui.View` a session sent, both paths would answer the same click and
the second answer would fail (Discord error 40060). discord.py stores a view or modal on send or
edit only while it is not finished, so these containers report themselves finished from birth:
they carry components to Discord and nothing else (no timeout task, no callbacks).
"""

from __future__ import annotations

from typing import Any

import discord

from nyx_sessions._utils import interaction_data

from .submission import ModalAnswer, ModalSubmission

__all__ = ("SessionLayoutView", "SessionModal", "SessionView", "modal_values", "select_values")


class _CheckedPayload(discord.ui.view.BaseView):
    """Hands the components the limit check serialized to the send that follows it.

    A session checks a message's limits on its serialized components, then discord.py serializes
    them again to send them; a page turn would pay twice. The check leaves its copy here
    (:meth:`keep_checked`) and the next :meth:`to_components` takes it, once: any later call
    serializes afresh, so a view changed after a send is never sent stale.
    """

    _checked: list[dict[str, Any]] | None = None

    def keep_checked(self, components: list[dict[str, Any]]) -> None:
        """Keep ``components``, just serialized from this view and checked, for the next send."""
        self._checked = components

    def to_components(self) -> list[dict[str, Any]]:
        """The view's components as Discord takes them (the checked copy, once, when one is kept)."""
        checked, self._checked = self._checked, None
        return checked if checked is not None else super().to_components()


class SessionView(_CheckedPayload, discord.ui.View):
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


class SessionLayoutView(_CheckedPayload, discord.ui.LayoutView):
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


def modal_values(interaction: discord.Interaction[Any]) -> dict[str, ModalAnswer]:
    """Every answer a modal submit carries, by input custom id, as Discord sent it.

    Session modals are never dispatched by discord.py, so their items' values stay empty: read the
    submit with this, or typed with :class:`ModalSubmission`. Text inputs give their ``str``, radio
    groups their pick (``None`` when left unanswered), checkboxes a ``bool``, and selects, checkbox
    groups and file uploads their list of values (ids for entity selects and files). Classic rows
    and label (type 18) wrappers are both read; malformed parts of the payload are skipped.
    """
    return ModalSubmission(interaction).answers


def select_values(interaction: discord.Interaction[Any]) -> list[str]:
    """The values picked in a select, as Discord sent them: option values, or ids for entity selects.

    Session selects are never dispatched by discord.py, so ``Select.values`` stays empty: read the
    pick with this. For user, role, mentionable and channel selects the values are the picked ids
    (``int(value)``); the objects are in ``interaction.data["resolved"]``. Anything that is not a
    select interaction gives ``[]``.
    """
    values = interaction_data(interaction).get("values")
    return [value for value in values if isinstance(value, str)] if isinstance(values, list) else []
