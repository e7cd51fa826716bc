"""PaginationSession: a session whose interactions may carry a page (nyx §1.16 and §5.1, bounds fixed)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

import discord

from nyx_sessions._utils import MISSING, interaction_data
from nyx_sessions.errors import AutoDeferredError
from nyx_sessions.execution import disabled_view_of, send_notice
from nyx_sessions.messages import MESSAGES, message, translate_all, translator_of
from nyx_sessions.pagination import navigation as nav
from nyx_sessions.pagination._message import PageContent, edit_kwargs, layout_with_navigation, message_kwargs
from nyx_sessions.pagination.navigation import PageNavigation
from nyx_sessions.sessions.base import AbstractSession
from nyx_sessions.sessions.components import modal_values
from nyx_sessions.sessions.limits import check_layout

if TYPE_CHECKING:
    from collections.abc import Mapping

    from discord.ext import commands

    from nyx_sessions.codec import PaginationCustomIdBuilder, SessionCustomIdCodec
    from nyx_sessions.state import SessionExecutionMeta

__all__ = ("PaginationSession",)

ResultT = TypeVar("ResultT")

_MAX_NUMBER_DIGITS = 18
"""Longer numbers name no real page; refusing them also keeps :func:`int` away from huge strings."""


def _parse_number(text: str) -> int | None:
    """Read a whole number typed by a user: optional sign, plain ASCII digits, surrounding spaces allowed.

    ``"3abc"``, ``"0x1A"``, ``"1.9"``, ``"3_0"`` and full-width digits are not numbers (nyx's ``parseInt``
    accepted the first three).
    """
    text = text.strip()
    digits = text[1:] if text[:1] in {"-", "+"} else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > _MAX_NUMBER_DIGITS:
        return None
    return int(text)


class PaginationSession(AbstractSession[ResultT]):
    """A session with pages: interactions that carry a page move to it, the others reach the handlers.

    A page travels in a custom id (see :meth:`build_custom_id_for_page`), so a button on an old message
    still means "go to page N". The page is read, in this order, from the custom id of a button,
    select or modal; from the single selected value of a string select when that value is one of
    this session's page ids; or from a modal text input whose custom id is this session's and whose
    value is a whole number (a 0-based page). Every page read is clamped into ``0..page_count - 1``
    (nyx accepted any number), then :attr:`current_page` is set and :meth:`update_page` answers.

    The navigation controls (:meth:`build_navigation`) are handled here too: the jump button opens a
    modal that takes a 1-based page number, and the stop button ends the session. Their first tokens
    (``first``, ``prev``, ``next``, ``last``, ``jump``, ``pages``, ``stop``) are reserved: a page-less
    interaction whose first token is one of them never reaches :meth:`handle_button`.

    Subclasses implement :meth:`on_start` and :meth:`update_page`, and override :attr:`page_count`
    when the number of pages is known.

    Parameters
    ----------
    bot: :class:`discord.Client`
        The bot, with the nyx_sessions extension loaded.
    start: Union[:class:`discord.Interaction`, :class:`discord.ext.commands.Context`]
        What started the session.
    navigation: Optional[:class:`PageNavigation`]
        How the navigation controls behave; defaults to the class's :attr:`default_navigation`.
    session_id, ttl, data, owner:
        As for :class:`~nyx_sessions.AbstractSession`.

    Attributes
    ----------
    default_navigation: :class:`PageNavigation`
        The navigation used when the constructor gets none: jump modal on, no select, no stop
        button, no wrap-around.
    components_v2: :class:`bool`
        Whether the default rendering of a page is a components v2 layout (a container with the
        page's text and the navigation inside it) rather than an embed. A page a subclass renders
        itself is components v2 when it is a layout, whatever this says.
    """

    __slots__ = ("_current_page", "_navigation", "_texts")

    default_navigation: ClassVar[PageNavigation] = PageNavigation()
    components_v2: ClassVar[bool] = False

    def __init__(
        self,
        bot: discord.Client,
        start: discord.Interaction[Any] | commands.Context[Any] | discord.abc.Messageable,
        *,
        navigation: PageNavigation | None = None,
        session_id: str | None = None,
        ttl: float | None = MISSING,
        data: Any = None,
        owner: discord.abc.User | None = None,
    ) -> None:
        super().__init__(bot, start, session_id=session_id, ttl=ttl, data=data, owner=owner)
        self._current_page = 0
        self._navigation = navigation if navigation is not None else self.default_navigation
        self._texts: Mapping[str, str] = MESSAGES

    def _restore_state(self, page: int | None, state: Any) -> None:
        self._current_page = max(page or 0, 0)
        self._navigation = self.default_navigation
        self._texts = MESSAGES

    async def load_texts(self) -> None:
        """Translate the navigation's text (``nyx_sessions.nav.*``) into :attr:`locale`, for the
        builders to use.

        Called before each page is built (:meth:`on_update`, ``render_page``, a stage's
        ``render``); call it yourself before :meth:`build_navigation` in an ``on_start`` of your own.
        Without a translator it costs nothing: the English text stays.
        """
        if self._texts is not MESSAGES or translator_of(self._bot) is not None:
            self._texts = await translate_all(self._bot, nav.NAVIGATION_TEXTS, self._locale)

    def _create_custom_id(self, codec: SessionCustomIdCodec) -> PaginationCustomIdBuilder:
        return codec.create_page_custom_id_builder(self)

    # -- pages -----------------------------------------------------------------------------------------

    @property
    def custom_id(self) -> PaginationCustomIdBuilder:
        """:class:`~nyx_sessions.PaginationCustomIdBuilder`: This session's ids, with no page.

        Clone it before changing it (``clone_set_page``, ``clone_push``).
        """
        return cast("PaginationCustomIdBuilder", self._custom_id)

    @property
    def navigation(self) -> PageNavigation:
        """:class:`PageNavigation`: How the navigation controls behave; settable."""
        return self._navigation

    @navigation.setter
    def navigation(self, navigation: PageNavigation) -> None:
        self._navigation = navigation

    @property
    def current_page(self) -> int:
        """:class:`int`: The page shown, 0-based; setting it clamps into range (re-render yourself)."""
        return self._current_page

    @current_page.setter
    def current_page(self, page: int) -> None:
        self._current_page = self._clamp(page)

    @property
    def _record_page(self) -> int | None:
        return self._current_page

    @property
    def page_count(self) -> int | None:
        """Optional[:class:`int`]: How many pages there are; ``None`` while unknown (the default)."""
        return None

    @property
    def next_page(self) -> int | None:
        """Optional[:class:`int`]: The page after this one; ``None`` on the last page (unless wrapping)."""
        count = self.page_count
        page: int | None = self._current_page + 1
        if count is not None and page is not None and page >= count:
            page = 0 if self._navigation.wrap_around else None
        return None if page == self._current_page else page

    @property
    def previous_page(self) -> int | None:
        """Optional[:class:`int`]: The page before this one; ``None`` on page 0 (unless wrapping)."""
        if self._current_page > 0:
            return self._current_page - 1
        count = self.page_count
        if self._navigation.wrap_around and count is not None and count > 1:
            return count - 1
        return None

    @property
    def page_label(self) -> str:
        """:class:`str`: ``"Page 2/5"`` (1-based), or ``"Page 2"`` while the page count is unknown.

        In :attr:`locale` (``nyx_sessions.nav.page_label``), as :meth:`load_texts` last loaded it.
        """
        count = self.page_count
        page = self._current_page + 1
        if count is None:
            return nav.text(self, "nyx_sessions.nav.page_label_unknown", page=page)
        return nav.text(self, "nyx_sessions.nav.page_label", page=page, count=count)

    @property
    def _message_place(self) -> str:
        return f"page {self._current_page + 1} of session {self._id!r}"

    def build_custom_id_for_page(self, page: int) -> str:
        """Return a custom id of this session that carries ``page`` and no token.

        Raises
        ------
        ValueError
            ``page`` is negative.
        """
        return self.custom_id.clone_set_page(page).build()

    # -- navigation controls ---------------------------------------------------------------------------

    def build_default_page_row(self) -> list[discord.ui.Button[Any]]:
        """Build the navigation buttons: first, previous, page indicator, next, last.

        Previous and next are disabled at the bounds (no wrap-around unless :attr:`navigation` asks
        for it). First and last follow :attr:`PageNavigation.first_last`. The indicator shows
        ``page/count``; it opens the jump modal when jumping is on, and carries no page. With a single
        page every button is disabled. Put the buttons in ``self.view(*row)`` or
        ``discord.ui.ActionRow(*row)`` for a components-v2 layout.
        """
        return nav.build_page_row(self)

    def build_navigation(self, *, row: int = 0) -> list[discord.ui.Item[Any]]:
        """Build every navigation control, each given its row, starting at ``row``.

        The page row comes first, then the page select and the stop button when :attr:`navigation`
        enables them (the stop button joins the page row when it has room). Pass the items to
        ``self.view(...)``; use ``row`` to keep rows above for your own components.
        """
        return nav.build_navigation(self, row)

    def _page_message(self, page: PageContent) -> dict[str, Any]:
        """``page`` as send keyword arguments with the navigation in place: in a view of its own for
        a classic page (unless the page brings a view), inside the layout of a components v2 one."""
        kwargs = message_kwargs(page)
        layout = kwargs.pop("layout", None)
        if layout is not None:
            items = layout_with_navigation(layout, self.build_navigation())
            try:
                kwargs["view"] = self.layout(*items)
            except ValueError:
                # discord.py's refusal names neither the count nor the page: say both, when it is the
                # budget (counting only on this path keeps every page turn from paying for it).
                check_layout(self._message_place, items)
                raise
        else:
            kwargs.setdefault("view", self.view(*self.build_navigation()))
        return kwargs

    async def _show(self, interaction: discord.Interaction[Any] | None, page: dict[str, Any]) -> None:
        """Edit the message to show ``page`` (send keyword arguments, see :meth:`_page_message`).

        Files the message carries already, by name, stay attached instead of being uploaded again:
        the clicked message knows them best, then the message as last edited.
        """
        message = interaction.message if interaction is not None else None
        message = message or self._message
        await self.edit(interaction, **edit_kwargs(page, message.attachments if message is not None else ()))

    # -- updates ---------------------------------------------------------------------------------------

    async def update_page(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> bool | None:
        """Show :attr:`current_page` in answer to ``interaction``; called after every page change.

        Returns
        -------
        Optional[:class:`bool`]
            ``False`` to leave the TTL as it is; ``True`` or ``None`` to refresh it.
        """
        raise NotImplementedError(f"{type(self).__qualname__} must override update_page to show a page")

    async def on_update(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> bool | None:
        """Move to the page the interaction carries, handle a navigation control, or route by kind."""
        if self._texts is not MESSAGES or translator_of(self._bot) is not None:
            await self.load_texts()  # a subclass's update_page may build the navigation itself
        page = self._page_of(interaction)
        if page is not None:
            return await self._move_to(page, interaction, meta)
        token = self._control_of(interaction)
        if token is not None:
            return await self._handle_control(token, interaction, meta)
        return await self._handle_pageless(interaction, meta)

    async def _move_to(
        self, page: int, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> bool | None:
        """Show ``page`` (clamped) in answer to ``interaction``."""
        self._current_page = await self._settle_page(page)
        return await self.update_page(interaction, meta)

    async def _handle_pageless(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> bool | None:
        """Handle an interaction that carries no page and is no navigation control: route it by kind."""
        return await super().on_update(interaction, meta)

    async def _settle_page(self, page: int) -> int:
        """Return the page to show for a requested one: clamped; sources that load pages load it here."""
        return self._clamp(page)

    def _clamp(self, page: int) -> int:
        count = self.page_count
        page = max(page, 0)
        return page if count is None else min(page, count - 1)

    def _page_of(self, interaction: discord.Interaction[Any]) -> int | None:
        data = interaction_data(interaction)
        custom_id = data.get("custom_id")
        if not isinstance(custom_id, str):
            return None
        page = self.manager.codec.extract_page_from_custom_id(custom_id)
        if page is not None:
            return page
        if interaction.type is discord.InteractionType.modal_submit:
            return self._page_from_inputs(interaction)
        values = data.get("values")
        is_string_select = data.get("component_type") == discord.ComponentType.string_select.value
        if is_string_select and isinstance(values, list) and len(values) == 1 and self._owns(values[0]):
            return self.manager.codec.extract_page_from_custom_id(values[0])
        return None

    def _page_from_inputs(self, interaction: discord.Interaction[Any]) -> int | None:
        for custom_id, value in modal_values(interaction).items():
            if isinstance(value, str) and self._owns(custom_id):
                number = _parse_number(value)
                if number is not None:
                    return number
        return None

    def _owns(self, custom_id: object) -> bool:
        """Whether ``custom_id`` routes to this session (nyx accepted any session's id, §6 item 26)."""
        codec = self.manager.codec
        return isinstance(custom_id, str) and codec.deserialize_to_object_id(custom_id) == self.id

    def _control_of(self, interaction: discord.Interaction[Any]) -> str | None:
        custom_id = interaction_data(interaction).get("custom_id")
        codec = self.manager.codec
        iterator = codec.create_iterator_from_custom_id(custom_id) if isinstance(custom_id, str) else None
        token = None if iterator is None else iterator.get_at(0)
        return token if token in nav.NAVIGATION_TOKENS else None

    async def _handle_control(
        self, token: str, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> bool | None:
        if token == nav.JUMP and self._navigation.jump:
            if interaction.type is discord.InteractionType.modal_submit:
                return await self._jump(interaction, meta)
            try:
                await interaction.response.send_modal(nav.build_jump_modal(self))
            except AutoDeferredError:
                # Queued behind a slow click: deferred, and Discord opens no modal after that.
                await send_notice(interaction, message("nyx_sessions.notice.jump_too_late"))
            return None
        if token == nav.STOP and self._navigation.stop:
            await self._stop(interaction)
            return False
        # A control that cannot act (disabled, or its feature is off); the manager acknowledges it.
        return False

    async def _jump(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> bool | None:
        typed = modal_values(interaction).get(nav.JUMP_INPUT_ID, "")
        number = _parse_number(typed) if isinstance(typed, str) else None
        # Unlike page ids, a typed page is not clamped: "999" must not silently mean the last page.
        if number is not None and number >= 1 and await self._settle_page(number - 1) == number - 1:
            return await self._move_to(number - 1, interaction, meta)
        key, fields = self._jump_notice()
        await send_notice(interaction, message(key), **fields)
        return None

    def _jump_notice(self) -> tuple[str, dict[str, Any]]:
        """The key and fields of the notice for a typed page that cannot be shown."""
        return nav.jump_notice(self.page_count)

    async def _stop(self, interaction: discord.Interaction[Any]) -> None:
        message = interaction.message
        if self._navigation.stop_deletes:
            await interaction.response.defer()
            await interaction.delete_original_response()  # the clicked message, ephemeral ones too
        else:
            view = disabled_view_of(message) if message is not None else None
            if view is not None:
                await interaction.response.edit_message(view=view)
        await self.end("stopped with the stop button")
