"""Fixes for dpytest 0.7.0 running against discord.py 2.4 and later.

dpytest is unmaintained on PyPI; these patches make the parts nyx_sessions relies on behave like
Discord again. Each fix is applied to dpytest's own module objects, once per process, so plain
``dpytest`` calls benefit from them too:

- snowflakes: ``factories.make_id`` concatenated strings around an unmasked 12-bit counter, so
  ids overflowed after 4,096 per process and crashed after about four million;
- ``Message.components``: dpytest's message dicts had no ``components`` key, so reading
  ``message.components`` raised ``AttributeError``;
- reactions: discord.py 2.4+ reads a ``type`` field on reaction events;
- roles: discord.py 2.6+ sends and reads ``colors`` instead of ``color``;
- ``Client.close()``: ``FakeWebSocket.open`` raised ``AttributeError`` (it has no socket).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from discord.ext.test import backend, callbacks, factories, websocket
from discord.ext.test import state as dpytest_state

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import discord

__all__ = ("apply", "new_snowflake")

_DISCORD_EPOCH_MS = 1_420_070_400_000
_INCREMENT_MASK = 0xFFF
# Worker 1, process 0: the same fixed bits dpytest's own generator used.
_WORKER_BITS = 1 << 17
# Stored on dpytest's module (not here) so a re-imported copy of this module still sees it:
# unloading the ``nyx_sessions`` extension purges ``nyx_sessions.*`` from ``sys.modules``.
_APPLIED_MARK = "_nyx_sessions_compat_applied"
_CLOCK_ATTRIBUTE = "_nyx_sessions_snowflake_clock"

Json = dict[str, Any]


class _SnowflakeClock:
    """Monotonic, valid snowflakes: when one millisecond's 4,096 ids are used, borrow the next."""

    __slots__ = ("_increment", "_millis")

    def __init__(self) -> None:
        self._millis = 0
        self._increment = 0

    def next(self) -> int:
        now = int(time.time() * 1000) - _DISCORD_EPOCH_MS
        if now > self._millis:
            self._millis = now
            self._increment = 0
        elif self._increment < _INCREMENT_MASK:
            self._increment += 1
        else:
            self._millis += 1
            self._increment = 0
        return (self._millis << 22) | _WORKER_BITS | self._increment


def _process_clock() -> _SnowflakeClock:
    # One clock per process, kept on dpytest's module: two clocks (say, from a copy of this module
    # re-imported after an extension reload) could hand out the same id within a millisecond.
    clock: _SnowflakeClock | None = getattr(factories, _CLOCK_ATTRIBUTE, None)
    if clock is None:
        clock = _SnowflakeClock()
        setattr(factories, _CLOCK_ATTRIBUTE, clock)
    return clock


_clock = _process_clock()


def new_snowflake() -> int:
    """Return a new snowflake id, strictly greater than every id returned before in this process.

    Its timestamp is the current time (at most a few milliseconds ahead when more than 4,096 ids
    are drawn in one millisecond), so ``discord.utils.snowflake_time`` always works on it.

    Returns
    -------
    int
        The id.
    """
    return _clock.next()


def apply() -> None:
    """Apply every dpytest fix. Idempotent: later calls do nothing.

    Call it before ``dpytest.configure``; :func:`~nyx_sessions.testing.create_test_bot` and
    :meth:`~nyx_sessions.testing.InteractionHarness.install` call it for you.
    """
    if getattr(factories, _APPLIED_MARK, False):
        return
    factories.make_id = _clock.next
    _always_include_components()
    _add_reaction_type()
    _translate_role_colors()
    websocket.FakeWebSocket.open = property(_never_open)  # type: ignore[method-assign,assignment]
    setattr(factories, _APPLIED_MARK, True)


def _never_open(_socket: object) -> bool:
    return False


def _always_include_components() -> None:
    make_message_dict: Callable[..., Json] = factories.make_message_dict
    dict_from_message: Callable[[discord.Message], Json] = factories.dict_from_message

    def make_message_dict_with_components(*args: Any, **kwargs: Any) -> Json:
        data = make_message_dict(*args, **kwargs)
        data.setdefault("components", [])
        return data

    def dict_from_message_with_components(message: discord.Message) -> Json:
        data = dict_from_message(message)
        data["components"] = [component.to_dict() for component in getattr(message, "components", ())]
        data["flags"] = message.flags.value
        return data

    factories.make_message_dict = make_message_dict_with_components
    factories.dict_from_message = dict_from_message_with_components


def _add_reaction_type() -> None:
    fake_state = dpytest_state.FakeState
    for name in ("parse_message_reaction_add", "parse_message_reaction_remove"):
        setattr(fake_state, name, _with_reaction_type(getattr(fake_state, name)))


def _with_reaction_type(parse: Callable[[Any, Json], None]) -> Callable[[Any, Json], None]:
    def parse_with_type(state: Any, data: Json) -> None:
        data.setdefault("type", 0)
        parse(state, data)

    return parse_with_type


def _colors(primary: int) -> Json:
    return {"primary_color": primary, "secondary_color": None, "tertiary_color": None}


def _translate_role_colors() -> None:
    make_role_dict: Callable[..., Json] = factories.make_role_dict
    dict_from_role: Callable[[discord.Role], Json] = factories.dict_from_role

    def make_role_dict_with_colors(*args: Any, **kwargs: Any) -> Json:
        data = make_role_dict(*args, **kwargs)
        data["colors"] = _colors(data["color"])
        return data

    def dict_from_role_with_colors(role: discord.Role) -> Json:
        data = dict_from_role(role)
        data["colors"] = _colors(data["color"])
        return data

    factories.make_role_dict = make_role_dict_with_colors
    factories.dict_from_role = dict_from_role_with_colors

    fake_state = dpytest_state.FakeState
    for name in ("parse_guild_role_create", "parse_guild_role_update"):
        setattr(fake_state, name, _with_role_colors(getattr(fake_state, name)))

    fake_http = backend.FakeHttp
    fake_http.create_role = _create_role  # type: ignore[method-assign,assignment]
    fake_http.edit_role = _edit_role  # type: ignore[method-assign,assignment]


def _with_role_colors(parse: Callable[[Any, Json], None]) -> Callable[[Any, Json], None]:
    # dpytest's backend edits ``color``; discord.py 2.6+ only reads ``colors``.
    def parse_with_colors(state: Any, data: Json) -> None:
        role = data["role"]
        if "color" in role:
            role["colors"] = _colors(role["color"])
        parse(state, data)

    return parse_with_colors


def _role_arguments(fields: Mapping[str, Any]) -> Json:
    """Map a discord.py 2.6+ role payload onto dpytest's ``make_role`` / ``update_role`` arguments."""
    arguments: Json = {key: fields[key] for key in ("name", "hoist", "mentionable") if key in fields}
    if "permissions" in fields:
        arguments["permissions"] = int(fields["permissions"])
    colors = fields.get("colors") or {}
    if "primary_color" in colors:
        arguments["colour"] = colors["primary_color"]
    elif "color" in fields:
        arguments["colour"] = fields["color"]
    return arguments


async def _create_role(http: Any, guild_id: int, *, reason: str | None = None, **fields: Any) -> Json:
    guild = http.state._get_guild(int(guild_id))
    arguments = _role_arguments(fields)
    arguments.setdefault("name", "new role")
    role = backend.make_role(guild=guild, **arguments)
    await callbacks.dispatch_event("create_role", guild, role, reason=reason)
    return factories.dict_from_role(role)


async def _edit_role(
    http: Any, guild_id: int, role_id: int, *, reason: str | None = None, **fields: Any
) -> Json:
    guild = http.state._get_guild(int(guild_id))
    role = guild.get_role(int(role_id))
    await callbacks.dispatch_event("edit_role", guild, role, fields, reason=reason)
    backend.update_role(role, **_role_arguments(fields))
    return factories.dict_from_role(role)
