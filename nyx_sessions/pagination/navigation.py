"""The navigation controls of a paginator: the page row, the page select, the stop button and the jump modal.

Every control gets a distinct custom id: each carries its own token (``first``, ``prev``, ``next``,
``last``, ``jump``, ``pos``, ``pages``, ``stop``), and the ones that move carry their target page as
well. A control that cannot move (at a bound, or with a single page) is disabled and carries no
page, so no click on it can change the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import discord

from nyx_sessions.messages import MESSAGES, fill

if TYPE_CHECKING:
    from nyx_sessions.pagination.base import PaginationSession
    from nyx_sessions.sessions.components import SessionModal

__all__ = ("NAVIGATION_TOKENS", "NavigationButton", "PageNavigation")

FIRST = "first"
PREVIOUS = "prev"
NEXT = "next"
LAST = "last"
JUMP = "jump"
POSITION = "pos"
PAGES = "pages"
STOP = "stop"

NAVIGATION_TOKENS = frozenset({FIRST, PREVIOUS, NEXT, LAST, JUMP, POSITION, PAGES, STOP})
"""The first tokens the navigation controls use; a paginator handles them itself."""

JUMP_INPUT_ID = "page"
"""The jump modal's text input; deliberately not a session id, so the §5.1 text-input rule never reads it."""

_JUMP_INPUT_LENGTH = 10
"""How many characters the jump modal's input takes: any real page number, and then some."""

_SELECT_LIMIT = 25
"""Discord's cap on the options of one select menu."""

NAVIGATION_TEXTS = tuple(key for key in MESSAGES if key.startswith("nyx_sessions.nav."))
"""The keys of a paginator's own text: translated together before a page is built (the builders
below are plain functions, called from ``format_page`` too)."""


def text(session: PaginationSession[Any], key: str, **fields: Any) -> str:
    """The text of ``key`` in the session's locale, as last loaded for it, with ``fields`` filled."""
    texts = session._texts
    if texts is MESSAGES:  # no translator: the English template as it is
        return texts[key].format_map(fields)
    return fill(texts[key], fields, MESSAGES[key])


@dataclass(frozen=True, slots=True)
class NavigationButton:
    """How one navigation button looks.

    Parameters
    ----------
    label: Optional[:class:`str`]
        The text on the button.
    emoji: Optional[:class:`str`]
        An emoji before the label (or alone): a unicode emoji or a custom one as ``"<:name:id>"``.
    style: :class:`discord.ButtonStyle`
        Its colour; grey by default.
    """

    label: str | None = None
    emoji: str | None = None
    style: discord.ButtonStyle = discord.ButtonStyle.secondary

    def __post_init__(self) -> None:
        if self.label is None and self.emoji is None:
            raise ValueError("a navigation button needs a label, an emoji, or both")

    @property
    def kwargs(self) -> dict[str, Any]:
        """The keyword arguments of :class:`discord.ui.Button` for this look."""
        return {"label": self.label, "emoji": self.emoji, "style": self.style}


@dataclass(frozen=True, slots=True)
class PageNavigation:
    """How a paginator's navigation controls look and behave; shared by every session that uses it.

    Parameters
    ----------
    jump: :class:`bool`
        The page indicator opens a "jump to page" modal (1-based input). Otherwise the indicator is
        a disabled label.
    page_select: :class:`bool`
        Add a select menu of pages under the buttons. With more than 25 pages it offers the 25 pages
        around the current one.
    stop: :class:`bool`
        Add a stop button that ends the session and disables the message's components.
    wrap_around: :class:`bool`
        Previous on the first page goes to the last one and next on the last page to the first.
        Needs a known page count.
    first_last: Literal["auto", "always", "never"]
        The first-page and last-page buttons. ``"auto"`` shows them only when the page count is known
        and above 2: with two pages they would do what previous and next do, and a last button
        cannot work while the count is unknown. ``"always"`` shows them (last stays disabled while
        the count is unknown).
    indicator: :class:`bool`
        Show the page indicator (``2/5``) between previous and next.
    jump_button: Optional[:class:`NavigationButton`]
        A separate "go to page" button that opens the jump modal; the indicator then only shows the
        page. ``None`` (the default): the indicator itself opens the modal.
    stop_deletes: :class:`bool`
        The stop button deletes the message instead of disabling its components.
    first_button, previous_button, next_button, last_button, stop_button: :class:`NavigationButton`
        How each button looks; emoji by default (⏮ ◀ ▶ ⏭, and a red ⏹).
    indicator_style: :class:`discord.ButtonStyle`
        The indicator's colour.

    Raises
    ------
    ValueError
        ``first_last`` is none of the three choices.
    """

    jump: bool = True
    page_select: bool = False
    stop: bool = False
    wrap_around: bool = False
    first_last: Literal["auto", "always", "never"] = "auto"
    indicator: bool = True
    jump_button: NavigationButton | None = None
    stop_deletes: bool = False
    first_button: NavigationButton = NavigationButton(emoji="\u23ee")
    previous_button: NavigationButton = NavigationButton(emoji="\u25c0")
    next_button: NavigationButton = NavigationButton(emoji="\u25b6")
    last_button: NavigationButton = NavigationButton(emoji="\u23ed")
    stop_button: NavigationButton = NavigationButton(emoji="\u23f9", style=discord.ButtonStyle.danger)
    indicator_style: discord.ButtonStyle = discord.ButtonStyle.secondary

    def __post_init__(self) -> None:
        if self.first_last not in {"auto", "always", "never"}:
            raise ValueError(f'first_last must be "auto", "always" or "never", got {self.first_last!r}')

    def shows_first_last(self, page_count: int | None) -> bool:
        """Whether the first and last buttons are part of the row for ``page_count`` pages."""
        if self.first_last == "auto":
            return page_count is not None and page_count > 2
        return self.first_last == "always"


def navigation_state(navigation: PageNavigation) -> dict[str, Any]:
    """``navigation`` as plain JSON values, for a durable session's record."""
    state: dict[str, Any] = {}
    for name in PageNavigation.__dataclass_fields__:
        value = getattr(navigation, name)
        if isinstance(value, NavigationButton):
            value = {"label": value.label, "emoji": value.emoji, "style": value.style.value}
        elif isinstance(value, discord.ButtonStyle):
            value = value.value
        state[name] = value
    return state


def navigation_from_state(state: dict[str, Any]) -> PageNavigation:
    """The :class:`PageNavigation` :func:`navigation_state` wrote."""
    fields: dict[str, Any] = {}
    for name, value in state.items():
        if name not in PageNavigation.__dataclass_fields__:
            continue  # written by a later version: its default stands
        if isinstance(value, dict):
            value = NavigationButton(
                value.get("label"), value.get("emoji"), discord.ButtonStyle(value["style"])
            )
        elif name == "indicator_style":
            value = discord.ButtonStyle(value)
        fields[name] = value
    return PageNavigation(**fields)


def page_window(current: int, known_pages: int, size: int = _SELECT_LIMIT) -> range:
    """Return the pages a select offers: all of them, or ``size`` pages around ``current``.

    The window is centred on ``current`` where it can be and slides to stay inside ``0..known_pages``.
    """
    if known_pages <= size:
        return range(known_pages)
    start = min(max(current - size // 2, 0), known_pages - size)
    return range(start, start + size)


def build_page_row(session: PaginationSession[Any]) -> list[discord.ui.Button[Any]]:
    """Build first / previous / indicator / next / last for ``session`` (see :class:`PageNavigation`)."""
    navigation = session.navigation
    count = session.page_count
    current = session.current_page
    row = [_move_button(session, PREVIOUS, navigation.previous_button, session.previous_page)]
    if navigation.indicator:
        row.append(_indicator(session))
    row.append(_move_button(session, NEXT, navigation.next_button, session.next_page))
    if navigation.shows_first_last(count):
        last = None if count is None or current >= count - 1 else count - 1
        row.insert(0, _move_button(session, FIRST, navigation.first_button, 0 if current > 0 else None))
        row.append(_move_button(session, LAST, navigation.last_button, last))
    return row


def build_page_select(session: PaginationSession[Any]) -> discord.ui.Select[Any] | None:
    """Build the page select, or ``None`` when there is only one page to offer.

    Option values are the pages' full custom ids: the nyx model (§5.1) reads the page from the single
    selected value, so a select on a stale message still means "go to page N".
    """
    count = session.page_count
    current = session.current_page
    next_page = session.next_page
    known = count if count is not None else max(current, next_page or 0) + 1
    if known <= 1:
        return None
    options = [
        discord.SelectOption(
            label=text(session, "nyx_sessions.nav.select_option", page=page + 1),
            value=session.build_custom_id_for_page(page),
            default=page == current,
        )
        for page in page_window(current, known)
    ]
    placeholder = text(session, "nyx_sessions.nav.select_placeholder")
    return session.select(PAGES, options=options, placeholder=placeholder)


def build_stop_button(session: PaginationSession[Any]) -> discord.ui.Button[Any]:
    """Build the stop button: it ends the session and never carries a page."""
    return session.button(STOP, **session.navigation.stop_button.kwargs)


def build_jump_button(session: PaginationSession[Any]) -> discord.ui.Button[Any] | None:
    """Build the separate jump button, or ``None`` when :attr:`PageNavigation.jump_button` is unset."""
    navigation = session.navigation
    if navigation.jump_button is None:
        return None
    usable = navigation.jump and session.page_count != 1
    return session.button(JUMP, disabled=not usable, **navigation.jump_button.kwargs)


_ROW_SIZE = 5
"""Discord's cap on the buttons of one row."""


def build_navigation(session: PaginationSession[Any], row: int) -> list[discord.ui.Item[Any]]:
    """Build every enabled control with its row: the page row, the jump and stop buttons, the page select.

    The jump and stop buttons join the page row while it has room (five buttons at most); the page
    select takes the next row, and the buttons that did not fit the row after it.
    """
    navigation = session.navigation
    buttons: list[discord.ui.Item[Any]] = [*build_page_row(session)]
    extras = [build_jump_button(session), build_stop_button(session) if navigation.stop else None]
    buttons += (button for button in extras if button is not None)
    rows: list[list[discord.ui.Item[Any]]] = [buttons[:_ROW_SIZE]]
    if navigation.page_select:
        select = build_page_select(session)
        if select is not None:
            rows.append([select])
    rows += (buttons[start : start + _ROW_SIZE] for start in range(_ROW_SIZE, len(buttons), _ROW_SIZE))
    items: list[discord.ui.Item[Any]] = []
    for offset, items_of_row in enumerate(rows):
        for item in items_of_row:
            item.row = row + offset
            items.append(item)
    return items


def build_jump_modal(session: PaginationSession[Any]) -> SessionModal:
    """Build the "jump to page" modal: one text input for a 1-based page number."""
    count = session.page_count
    hint = (
        text(session, "nyx_sessions.nav.jump_placeholder", count=count)
        if count is not None
        else text(session, "nyx_sessions.nav.jump_placeholder_unknown")
    )
    field: discord.ui.TextInput[Any] = discord.ui.TextInput(
        custom_id=JUMP_INPUT_ID,
        placeholder=hint,
        min_length=1,
        # Room for out-of-range numbers: they get a notice naming the range, not Discord's length error.
        max_length=_JUMP_INPUT_LENGTH,
    )
    label = discord.ui.Label(text=text(session, "nyx_sessions.nav.jump_label"), component=field)
    return session.modal(text(session, "nyx_sessions.nav.jump_title"), label, tokens=(JUMP,))


def jump_notice(page_count: int | None) -> tuple[str, dict[str, Any]]:
    """The key and fields of the notice for a typed page that is not a page: it names the valid range."""
    if page_count is None:
        return "nyx_sessions.notice.page_out_of_range_unknown", {}
    if page_count == 1:
        return "nyx_sessions.notice.single_page", {}
    return "nyx_sessions.notice.page_out_of_range", {"count": page_count}


def _move_button(
    session: PaginationSession[Any], token: str, look: NavigationButton, target: int | None
) -> discord.ui.Button[Any]:
    if target is None:
        return session.button(token, disabled=True, **look.kwargs)
    custom_id = session.custom_id.clone_set_page(target).push(token).build()
    return discord.ui.Button(custom_id=custom_id, **look.kwargs)


def _indicator(session: PaginationSession[Any]) -> discord.ui.Button[Any]:
    navigation = session.navigation
    count = session.page_count
    page = session.current_page + 1
    label = (
        text(session, "nyx_sessions.nav.indicator", page=page, count=count)
        if count is not None
        else text(session, "nyx_sessions.nav.indicator_unknown", page=page)
    )
    if navigation.jump_button is not None:  # the jump has a button of its own: this one only shows
        return session.button(POSITION, label=label, disabled=True, style=navigation.indicator_style)
    clickable = navigation.jump and count != 1
    return session.button(JUMP, label=label, disabled=not clickable, style=navigation.indicator_style)
