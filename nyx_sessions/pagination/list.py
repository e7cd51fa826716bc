"""ListPaginationSession: pages of a list (or of an async source), usable with no subclassing."""

from __future__ import annotations

import math
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

import discord

from nyx_sessions._utils import MISSING, maybe_await
from nyx_sessions.messages import MESSAGES, translator_of
from nyx_sessions.pagination import navigation as nav
from nyx_sessions.pagination._message import PageContent
from nyx_sessions.pagination.base import PaginationSession
from nyx_sessions.pagination.navigation import PageNavigation, navigation_from_state, navigation_state

if TYPE_CHECKING:
    from discord.ext import commands
    from typing_extensions import Self

    from nyx_sessions.state import EndCode, SessionEndData, SessionExecutionMeta

__all__ = ("DurableListSession", "ItemSource", "ListPaginationSession", "PageFormatter")

ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")

ItemSource = Iterable[ItemT] | AsyncIterable[ItemT]
"""Where a list paginator's items come from: a sequence (kept as given), another iterable (read into a
list at once), or an async iterable (read page by page)."""

PageFormatter = Callable[
    ["ListPaginationSession[ItemT, Any]", Sequence[ItemT]], PageContent | Awaitable[PageContent]
]
"""``formatter(session, items)``: a function or coroutine function that renders one page's items."""

_EMBED_DESCRIPTION_LIMIT = 4096
_DURABLE_LINES_LIMIT = 64 * 1024
"""The most bytes of rendered lines a ``durable=True`` list stores; bigger lists load their items."""


class ListPaginationSession(PaginationSession[ResultT], Generic[ItemT, ResultT]):
    """Shows a list page by page with a navigation row; works as it is, or subclassed.

    ``await ListPaginationSession(bot, ctx, items).start()`` answers with an embed listing the first
    ``per_page`` items (one per line, footer ``Page 1/N``) and the navigation row of
    :meth:`build_navigation`. Customize a page with :meth:`format_page` (override it, or pass
    ``format_page=``); it may return text, an embed, embeds, or a mapping of message keyword
    arguments, from a plain or a coroutine function.

    Items may also come from an async iterable whose length is unknown (a database cursor, an API
    that pages): it is read lazily, one page plus one item ahead so the next button knows whether
    there is more, and :attr:`page_count` stays ``None`` until the source is exhausted.

    Parameters
    ----------
    bot: :class:`discord.Client`
        The bot, with the nyx_sessions extension loaded.
    start: Union[:class:`discord.Interaction`, :class:`discord.ext.commands.Context`]
        What started the session.
    items: Union[Iterable, AsyncIterable]
        The items to show. A sequence is kept as given (mutate it and the pages follow), another
        iterable is read into a list at once, an async iterable is read page by page.
    per_page: :class:`int`
        Items per page, at least 1; 10 by default.
    format_page: Optional[PageFormatter]
        ``formatter(session, items)`` used instead of the default rendering.
    ephemeral: :class:`bool`
        Answer an interaction start with an ephemeral message (only its user sees it). The manager
        disables its components on expiry through the latest interaction token, which works while
        the token is younger than 15 minutes: keep the TTL under that (the default 180 s is).
    navigation: Optional[:class:`PageNavigation`]
        Which controls to show (jump modal, page select, stop button, wrap-around).
    session_id: Optional[:class:`str`]
        As for :class:`~nyx_sessions.AbstractSession`.
    ttl: Optional[:class:`float`]
        As for :class:`~nyx_sessions.AbstractSession`.

    Raises
    ------
    ValueError
        ``per_page`` is below 1.
    TypeError
        ``items`` is not iterable.
    """

    __slots__ = ("_ephemeral", "_formatter", "_items", "_per_page", "_source")

    max_read_ahead: ClassVar[int] = 10
    """How many pages past those already read an async source is read for one page change.

    A page typed into the jump modal, or carried by a forged custom id, never makes the session read
    a source of unknown length without bound (a million items, or a source that never awaits
    freezing the bot); pages further on are answered as out of range.
    """

    def __init__(
        self,
        bot: discord.Client,
        start: discord.Interaction[Any] | commands.Context[Any] | discord.abc.Messageable,
        items: ItemSource[ItemT] = MISSING,
        *,
        per_page: int = 10,
        format_page: PageFormatter[ItemT] | None = None,
        ephemeral: bool = False,
        navigation: PageNavigation | None = None,
        session_id: str | None = None,
        ttl: float | None = MISSING,
        data: Any = None,
        owner: discord.abc.User | None = None,
        durable: bool = False,
    ) -> None:
        if isinstance(per_page, bool) or not isinstance(per_page, int) or per_page < 1:
            raise ValueError(f"per_page must be a whole number of at least 1, got {per_page!r}")
        super().__init__(
            bot, start, navigation=navigation, session_id=session_id, ttl=ttl, data=data, owner=owner
        )
        self._per_page = per_page
        self._formatter = format_page
        self._ephemeral = ephemeral
        self._source: AsyncIterator[ItemT] | None = None
        self._items: Sequence[ItemT] = []
        if items is not MISSING:
            self._use(items)
        elif not self._loads_items:
            raise TypeError(
                f"{type(self).__qualname__} needs items=, or a load_items() override that loads them at start"
            )

    def __new__(cls, *args: Any, durable: bool = False, **kwargs: Any) -> Self:
        # ListPaginationSession(..., durable=True) with no subclass: the built-in durable kind.
        if durable and cls is ListPaginationSession:
            return object.__new__(DurableListSession)  # type: ignore[return-value]
        return object.__new__(cls)

    @property
    def _loads_items(self) -> bool:
        return type(self).load_items is not ListPaginationSession.load_items

    def _use(self, items: ItemSource[ItemT]) -> None:
        if isinstance(items, AsyncIterable):
            self._items = []
            self._source = aiter(items)
        elif isinstance(items, Sequence):
            self._items = items
        elif isinstance(items, Iterable):
            self._items = list(items)  # a generator or a view: read once, it has no slices
        else:
            raise TypeError(
                f"items must be a sequence, an iterable or an async iterable, got {type(items).__name__}"
            )

    async def load_items(self) -> ItemSource[ItemT]:
        """Load the items, for a subclass that builds them from :attr:`data` (a durable list).

        Called at start when the constructor got no ``items``, and again after every restore from a
        store: the items are never stored, only what finds them again. May return a sequence, any
        iterable, or an async iterable.
        """
        raise NotImplementedError(f"{type(self).__qualname__} does not load its items: pass items=")

    def _durable_state(self) -> object:
        return {
            "per_page": self._per_page,
            "ephemeral": self._ephemeral,
            "navigation": navigation_state(self._navigation),
        }

    def _restore_state(self, page: int | None, state: Any) -> None:
        super()._restore_state(page, state)
        state = state or {}
        self._per_page = int(state.get("per_page", 10))
        self._ephemeral = bool(state.get("ephemeral", False))
        if "navigation" in state:
            self._navigation = navigation_from_state(state["navigation"])
        self._formatter = None
        self._source = None
        self._items = []

    async def _reload(self) -> None:
        if self._loads_items:
            self._use(await self.load_items())
        self._current_page = await self._settle_page(self._current_page)

    # -- items and pages --------------------------------------------------------------------------------

    @property
    def items(self) -> Sequence[ItemT]:
        """Sequence: The items; for an async source, the ones read so far.

        Setting it replaces the items (and drops an async source) and clamps :attr:`current_page`;
        call :meth:`refresh` to show the change. A list you mutate in place is seen on the next render.
        """
        return self._items

    @items.setter
    def items(self, items: Sequence[ItemT]) -> None:
        self._source = None  # an abandoned async generator is closed by the loop's asyncgen hooks
        self._items = items
        self._current_page = self._clamp(self._current_page)

    @property
    def per_page(self) -> int:
        """:class:`int`: How many items a page shows."""
        return self._per_page

    @property
    def page_count(self) -> int | None:
        """Optional[:class:`int`]: ``max(1, ceil(len(items) / per_page))``, computed on every read.

        ``None`` while an async source is not exhausted.
        """
        if self._source is not None:
            return None
        return max(1, math.ceil(len(self._items) / self._per_page))

    @property
    def next_page(self) -> int | None:
        """Optional[:class:`int`]: The page after this one, or ``None`` on the last page.

        For an async source, known from the item read ahead of the current page.
        """
        if self._source is None:
            return super().next_page
        following = self._current_page + 1
        return following if len(self._items) > following * self._per_page else None

    @property
    def current_page_items(self) -> Sequence[ItemT]:
        """Sequence: The items of :attr:`current_page`."""
        start = self._current_page * self._per_page
        return self._items[start : start + self._per_page]

    @property
    def ephemeral(self) -> bool:
        """:class:`bool`: Whether an interaction start is answered ephemerally."""
        return self._ephemeral

    @property
    def _start_ephemeral(self) -> bool:
        return self._ephemeral

    # -- rendering -------------------------------------------------------------------------------------

    def format_page(self, items: Sequence[ItemT]) -> PageContent | Awaitable[PageContent]:
        """Render one page's items; override it (plain or ``async def``) or pass ``format_page=``.

        The default is an embed with one item per line and the footer :attr:`page_label`; with
        :attr:`components_v2` set, a container with the same lines and label in text displays.

        Returns
        -------
        :data:`~nyx_sessions.pagination.PageContent`
            Text, an embed, embeds, message keyword arguments, or a components v2 layout (a
            :class:`discord.ui.Container` or a sequence of top-level v2 items). A mapping with a
            ``view`` is sent as it is (add ``*self.build_navigation()`` to it yourself); otherwise
            the navigation is added, inside the layout of a v2 page.
        """
        if self._formatter is not None:
            return self._formatter(self, items)
        lines = "\n".join(str(item) for item in items) or nav.text(self, "nyx_sessions.nav.empty_page")
        if self.components_v2:
            return discord.ui.Container(
                discord.ui.TextDisplay(lines), discord.ui.TextDisplay(f"-# {self.page_label}")
            )
        if len(lines) > _EMBED_DESCRIPTION_LIMIT:
            lines = lines[: _EMBED_DESCRIPTION_LIMIT - 1] + "\u2026"
        return discord.Embed(description=lines).set_footer(text=self.page_label)

    async def render_page(self) -> dict[str, Any]:
        """Return the current page as send keyword arguments, navigation included."""
        if self._texts is not MESSAGES or translator_of(self._bot) is not None:  # no await without one
            await self.load_texts()
        return self._page_message(await maybe_await(self.format_page(self.current_page_items)))

    # -- lifecycle -------------------------------------------------------------------------------------

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        """Answer the start with the first page (ephemeral when asked).

        Without ``items`` given to the constructor, they come from :meth:`load_items` first.
        """
        if self._loads_items and not self._items and self._source is None:
            self._use(await self.load_items())
        self._current_page = await self._settle_page(self._current_page)
        kwargs = await self.render_page()
        if self._ephemeral:
            kwargs["ephemeral"] = True
        await self.respond(**kwargs)

    async def update_page(
        self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta
    ) -> bool | None:
        """Edit the message to show :attr:`current_page` in answer to ``interaction``."""
        await self._show(interaction, await self.render_page())
        return True

    async def refresh(self, interaction: discord.Interaction[Any] | None = None) -> None:
        """Re-render the current page (clamped into range), after you changed :attr:`items`.

        Parameters
        ----------
        interaction: Optional[:class:`discord.Interaction`]
            An unanswered interaction to answer with the edit; without one the message is edited
            directly (through the latest interaction token while it is valid).

        Raises
        ------
        IllegalSessionStateError
            Without ``interaction``, the message can no longer be edited: an ephemeral message
            whose latest interaction token is older than 15 minutes.
        """
        self._current_page = await self._settle_page(self._current_page)
        await self._show(interaction, await self.render_page())

    async def on_child_end(
        self, child_end: SessionEndData[Any], interaction: discord.Interaction[Any] | None
    ) -> None:
        """Show the current page again: the child session had the message."""
        await self.refresh(interaction)

    async def on_end(self, reason: str, code: EndCode, meta: SessionExecutionMeta) -> None:
        """Close an async source that was not read to its end."""
        await self._aclose_source()

    # -- async source ----------------------------------------------------------------------------------

    async def _settle_page(self, page: int) -> int:
        page = max(page, 0)
        # One item past the page, so the next button knows whether another page follows; never more
        # than max_read_ahead pages past what was read, whatever page a user typed or forged.
        wanted = (page + 1) * self._per_page + 1
        await self._read_until(min(wanted, len(self._items) + self.max_read_ahead * self._per_page))
        if self._source is not None:  # the end is still unknown: only pages read can be shown
            page = min(page, self._pages_read - 1)
        return self._clamp(page)

    @property
    def _pages_read(self) -> int:
        """Pages read in full, with the item after them (so their next button is known)."""
        return max(1, (len(self._items) - 1) // self._per_page)

    def _jump_notice(self) -> tuple[str, dict[str, Any]]:
        if self._source is None:
            return super()._jump_notice()
        return "nyx_sessions.notice.page_out_of_range_partial", {"count": self._pages_read}

    async def _read_until(self, count: int) -> None:
        source = self._source
        if source is None:
            return
        items = cast("list[ItemT]", self._items)  # an async source always reads into a list
        while len(items) < count:
            try:
                items.append(await anext(source))
            except StopAsyncIteration:
                self._source = None
                return

    async def _aclose_source(self) -> None:
        source, self._source = self._source, None
        close = getattr(source, "aclose", None)
        if close is not None:
            await close()


class DurableListSession(ListPaginationSession[str, None], kind="nyx.list", data=list[str]):
    """What ``ListPaginationSession(..., durable=True)`` makes: a list that stores its rendered lines.

    The items' lines (``str(item)``, what the default rendering shows) are its :attr:`data`, so the
    list comes back after a restart exactly as it was shown. A custom ``format_page``, an async
    source, or lines over 64 KiB cannot be stored this way: subclass :class:`ListPaginationSession`
    with a ``kind`` and a ``load_items()`` that loads the items again instead.

    Raises
    ------
    SessionDataError
        The list cannot be stored as lines (the message names the fix).
    """

    __slots__ = ()

    def __init__(
        self, bot: discord.Client, start: Any, items: ItemSource[Any] = MISSING, **kwargs: Any
    ) -> None:
        from nyx_sessions.errors import SessionDataError

        kwargs.pop("durable", None)
        if kwargs.get("format_page") is not None:
            raise SessionDataError(
                "?",
                "a durable=True list stores its lines and renders them itself, so it takes no "
                "format_page=: subclass ListPaginationSession with a kind and load_items() instead",
            )
        if items is MISSING or isinstance(items, AsyncIterable):
            raise SessionDataError(
                "?",
                "a durable=True list needs its items up front (not an async source): subclass "
                "ListPaginationSession with a kind and load_items() for items that load later",
            )
        lines = [str(item) for item in items]
        if sum(len(line.encode()) for line in lines) > _DURABLE_LINES_LIMIT:
            raise SessionDataError(
                "?",
                f"a durable=True list stores at most {_DURABLE_LINES_LIMIT // 1024} KiB of lines: "
                "subclass ListPaginationSession with a kind and load_items() for longer lists",
            )
        super().__init__(bot, start, lines, data=lines, **kwargs)

    async def _reload(self) -> None:
        self._use(list(self._data or ()))
        await super()._reload()
