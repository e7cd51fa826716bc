"""How many sessions of a kind may run at once per user, channel or guild, checked at each start.

A class (or a ``limit_group`` shared by classes) sets ``max_per_user``, ``max_per_channel`` and
``max_per_guild``. A start over a limit either replaces the oldest sessions in the way
(``limit_policy = "replace"``, they end with ``REPLACED``) or is refused (``"reject"``). The count and
the admission of the new session happen in one step of the event loop, so two starts at the same
instant never leave more sessions than the limit allows; sessions still starting count too.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from collections.abc import Iterator

    from nyx_sessions.sessions.base import AbstractSession

__all__ = ("Admission", "LimitPolicy", "SessionLimits", "StartLimits", "jump_url", "label_of")

LimitPolicy = Literal["replace", "reject"]
"""What a start over a limit does: end the oldest sessions in the way, or be refused."""


class SessionLimits:
    """A session's limits, as its class (or its constructor keywords) set them.

    Attributes
    ----------
    per_user, per_channel, per_guild: Optional[:class:`int`]
        How many sessions of the group may run at once for one owner, in one channel, in one
        guild; ``None``: no limit.
    group: Optional[:class:`str`]
        The name the sessions are counted under; ``None``: the session's class.
    policy: :data:`LimitPolicy`
        What a start over a limit does.
    """

    __slots__ = ("group", "per_channel", "per_guild", "per_user", "policy")

    def __init__(
        self,
        per_user: int | None,
        per_channel: int | None,
        per_guild: int | None,
        group: str | None,
        policy: LimitPolicy,
        *,
        owner: str,
    ) -> None:
        counts = (("max_per_user", per_user), ("max_per_channel", per_channel), ("max_per_guild", per_guild))
        for name, value in counts:
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(
                    f"{owner}: {name} must be a whole number of at least 1 or None, got {value!r}"
                )
        if policy not in ("replace", "reject"):
            raise ValueError(f'{owner}: limit_policy must be "replace" or "reject", got {policy!r}')
        if group is not None and not isinstance(group, str):
            raise TypeError(f"{owner}: limit_group must be a str or None, got {type(group).__name__}")
        self.per_user = per_user
        self.per_channel = per_channel
        self.per_guild = per_guild
        self.group = group
        self.policy: LimitPolicy = policy

    @property
    def any(self) -> bool:
        """Whether any limit is set."""
        return self.per_user is not None or self.per_channel is not None or self.per_guild is not None

    def scopes(self, session: AbstractSession[Any]) -> Iterator[tuple[tuple[object, ...], int, str]]:
        """``(key, limit, scope)`` for each limit set that applies to ``session``."""
        group: object = self.group if self.group is not None else type(session)
        guild_id, channel_id = session._place
        for scope, limit, subject in (
            ("user", self.per_user, session.owner_id),
            ("channel", self.per_channel, channel_id),
            ("guild", self.per_guild, guild_id),
        ):
            if limit is not None and subject is not None:
                yield (group, scope, subject), limit, scope


class Admission:
    """What a start's limits decided.

    Attributes
    ----------
    victims: tuple[:class:`str`, ...]
        The sessions to end before the new one starts (``"replace"``), oldest first, by id.
    refused: Optional[:class:`str`]
        The scope (``"user"``, ``"channel"``, ``"guild"``) of the ``"reject"`` limit that refused
        the start; ``None`` when it was admitted.
    link: Optional[:class:`str`]
        With ``refused``: a jump link to the message of the open session in the way, if it has one.
    """

    __slots__ = ("link", "refused", "victims")

    def __init__(
        self, *, victims: tuple[str, ...] = (), refused: str | None = None, link: str | None = None
    ) -> None:
        self.victims = victims
        self.refused = refused
        self.link = link


class StartLimits:
    """The sessions each limit counts, by ``(group, scope, subject)``, in start order."""

    __slots__ = ("_counted",)

    def __init__(self) -> None:
        self._counted: dict[tuple[object, ...], list[AbstractSession[Any]]] = {}

    def admit(self, session: AbstractSession[Any], limits: SessionLimits) -> Admission:
        """Count ``session`` against its limits and admit it, or say what stands in its way.

        Synchronous on purpose: the count and the admission happen in one step of the event loop.
        A refused session is not counted; an admitted one is, with the victims it must replace
        (sessions still starting among them: ending one waits for its start).
        """
        found: list[tuple[tuple[object, ...], list[AbstractSession[Any]]]] = []
        victims: list[AbstractSession[Any]] = []
        for key, limit, scope in limits.scopes(session):
            counted = self._counted.get(key)
            running = [one for one in counted if _counts(one)] if counted else []
            over = len(running) + 1 - limit
            if over > 0:
                if limits.policy == "reject":
                    message = running[0].message
                    return Admission(refused=scope, link=None if message is None else message.jump_url)
                victims += (one for one in running[:over] if one not in victims)
            found.append((key, running))
        for key, running in found:
            running.append(session)
            self._counted[key] = running
        return Admission(victims=tuple(victim.id for victim in victims))

    def release(self, session: AbstractSession[Any], limits: SessionLimits) -> None:
        """Stop counting ``session`` (it ended, or its start was refused or failed)."""
        for key, _, _ in limits.scopes(session):
            counted = self._counted.get(key)
            if counted is not None and session in counted:
                counted.remove(session)
                if not counted:
                    del self._counted[key]


def _counts(session: AbstractSession[Any]) -> bool:
    """Whether a counted session still counts: it has not ended."""
    return session._end_data is None


def jump_url(guild_id: int | None, channel_id: int, message_id: int) -> str:
    """Discord's link to a message (``@me`` for one outside a guild)."""
    return f"https://discord.com/channels/{guild_id or '@me'}/{channel_id}/{message_id}"


def label_of(cls: type[Any]) -> str:
    """A class's name for people: ``TicketWizard`` → ``ticket wizard``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", cls.__name__).lower()
