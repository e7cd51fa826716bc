"""Gateway-shaped JSON: the ``INTERACTION_CREATE`` envelope, users, members, channels, ``resolved``.

Everything is built the way Discord sends it (ids as strings), from dpytest's guild cache, so
discord.py parses it with its real code paths.
"""

from __future__ import annotations

from typing import Any, Literal

import discord

from .compat import new_snowflake

__all__ = (
    "EntityKind",
    "Resolver",
    "build_interaction",
    "channel_json",
    "member_json",
    "snowflake_of",
    "user_json",
)

Json = dict[str, Any]
EntityKind = Literal["user", "role", "channel", "mentionable"]
SnowflakeLike = int | str | discord.abc.Snowflake

_ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
_DM_CHANNEL = 1
_GUILD_CONTEXT = 0
_BOT_DM_CONTEXT = 1


def snowflake_of(value: SnowflakeLike) -> int:
    """The id of a Discord object, or the id itself."""
    if isinstance(value, (int, str)):
        return int(value)
    return value.id


def user_json(user: discord.abc.User) -> Json:
    """A user object (of a :class:`discord.User` or :class:`discord.Member`)."""
    return {
        "id": str(user.id),
        "username": user.name,
        "discriminator": user.discriminator,
        "global_name": user.global_name,
        "avatar": None if user.avatar is None else user.avatar.key,
        "bot": user.bot,
    }


def member_json(member: discord.Member, channel: discord.abc.GuildChannel, *, with_user: bool = True) -> Json:
    """A guild member object, with ``permissions`` in ``channel`` as interactions carry them."""
    data: Json = {
        "roles": [str(role.id) for role in member.roles if not role.is_default()],
        "joined_at": None if member.joined_at is None else member.joined_at.isoformat(),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": member.flags.value,
        "pending": member.pending,
        "nick": member.nick,
        "avatar": None,
        "communication_disabled_until": None,
        "permissions": str(channel.permissions_for(member).value),
    }
    if with_user:
        data["user"] = user_json(member)
    return data


def channel_json(channel: Any, viewer: discord.abc.User) -> Json:
    """A partial channel as interactions carry it: a DM needs ``type`` 1 and its recipient."""
    guild = getattr(channel, "guild", None)
    if guild is None:
        return {"id": str(channel.id), "type": _DM_CHANNEL, "recipients": [user_json(viewer)]}
    parent_id = getattr(channel, "category_id", None)
    return {
        "id": str(channel.id),
        "type": channel.type.value,
        "name": channel.name,
        "guild_id": str(guild.id),
        "position": channel.position,
        "parent_id": None if parent_id is None else str(parent_id),
        "nsfw": False,
        "permissions": str(channel.permissions_for(viewer).value),
    }


def _role_json(role: discord.Role) -> Json:
    colour = role.colour.value
    return {
        "id": str(role.id),
        "name": role.name,
        "color": colour,
        "colors": {"primary_color": colour, "secondary_color": None, "tertiary_color": None},
        "hoist": role.hoist,
        "position": role.position,
        "permissions": str(role.permissions.value),
        "managed": role.managed,
        "mentionable": role.mentionable,
        "flags": 0,
        "icon": None,
        "unicode_emoji": None,
    }


class Resolver:
    """Collects the ``resolved`` data for the users, roles and channels a payload mentions.

    Parameters
    ----------
    client: discord.Client
        The bot whose cache holds the entities.
    channel:
        The channel the interaction happens in (guild entities come from its guild).
    viewer: discord.abc.User
        The user interacting (channel permissions are computed for them).
    """

    __slots__ = ("_channel", "_client", "_guild", "_viewer", "data")

    def __init__(self, client: discord.Client, channel: Any, viewer: discord.abc.User) -> None:
        self._client = client
        self._channel = channel
        self._guild: discord.Guild | None = getattr(channel, "guild", None)
        self._viewer = viewer
        self.data: Json = {}

    def add(self, kind: EntityKind, value: SnowflakeLike) -> str:
        """Resolve ``value`` as a ``kind`` entity, add it to :attr:`data` and return its id string.

        Raises
        ------
        AssertionError
            Nothing of that kind with that id is in the cache, so no user could pick it.
        """
        ident = snowflake_of(value)
        if kind == "user" or kind == "mentionable":
            if self._add_user(ident):
                return str(ident)
            if kind == "user":
                raise AssertionError(f"no user with id {ident} is known to the bot")
        if kind in ("role", "mentionable"):
            role = None if self._guild is None else self._guild.get_role(ident)
            if role is None:
                raise AssertionError(f"no {kind} with id {ident} exists here")
            self._put("roles", ident, _role_json(role))
            return str(ident)
        channel = (
            self._client.get_channel(ident)
            if self._guild is None
            else self._guild.get_channel_or_thread(ident)
        )
        if channel is None:
            raise AssertionError(f"no channel with id {ident} exists here")
        self._put("channels", ident, channel_json(channel, self._viewer))
        return str(ident)

    def add_file(self, file: discord.File) -> str:
        """Upload ``file`` as a user would to a modal's file upload: add its attachment to
        :attr:`data` (as Discord's CDN would describe it) and return the attachment's id string."""
        ident = new_snowflake()
        content = file.fp.read()
        file.reset()
        url_path = f"attachments/{getattr(self._channel, 'id', 0)}/{ident}/{file.filename}"
        attachment: Json = {
            "id": str(ident),
            "filename": file.filename,
            "size": len(content),
            "url": f"https://cdn.discordapp.com/{url_path}",
            "proxy_url": f"https://media.discordapp.net/{url_path}",
            "ephemeral": True,
        }
        if file.description:
            attachment["description"] = file.description
        if file.spoiler:
            attachment["flags"] = 1 << 3  # IS_SPOILER
        self._put("attachments", ident, attachment)
        return str(ident)

    def channel_type(self, ident: str) -> int:
        """The channel type of a channel added before."""
        channel_type: int = self.data["channels"][ident]["type"]
        return channel_type

    def _add_user(self, ident: int) -> bool:
        member = None if self._guild is None else self._guild.get_member(ident)
        if member is not None:
            self._put("users", ident, user_json(member))
            self._put("members", ident, member_json(member, self._channel, with_user=False))
            return True
        user = self._client.get_user(ident)
        if user is None:
            return False
        self._put("users", ident, user_json(user))
        return True

    def _put(self, section: str, ident: int, value: Json) -> None:
        self.data.setdefault(section, {})[str(ident)] = value


def build_interaction(
    client: discord.Client,
    interaction_type: int,
    data: Json,
    *,
    user: discord.abc.User,
    channel: Any,
    message: Json | None = None,
    locale: str | discord.Locale = "en-US",
) -> Json:
    """An ``INTERACTION_CREATE`` payload with every field discord.py 2.3 to 2.7 requires.

    Parameters
    ----------
    client: discord.Client
        The bot receiving it (its application id must be set).
    interaction_type: int
        2 application command, 3 component, 4 autocomplete, 5 modal submit.
    data: dict
        The interaction ``data``.
    user: discord.abc.User
        Who interacts; in a guild they must be a member of it.
    channel:
        A guild channel, or a :class:`discord.DMChannel` for a DM.
    message: dict | None
        The payload of the message whose component was used.
    locale: Union[str, discord.Locale]
        The user's language (the interaction's ``locale``). The guild's ``guild_locale`` is the
        guild's ``preferred_locale``.
    """
    interaction_id = new_snowflake()
    me = client.user
    if me is None:
        raise RuntimeError("the bot has no user: configure it with dpytest.configure(bot) first")
    payload: Json = {
        "id": str(interaction_id),
        "application_id": str(client.application_id),
        "type": interaction_type,
        "token": f"nyx-sessions-testing-token-{interaction_id}",
        "version": 1,
        "data": data,
        "locale": str(locale),
        "attachment_size_limit": _ATTACHMENT_SIZE_LIMIT,
        "entitlements": [],
        "channel_id": str(channel.id),
    }
    guild: discord.Guild | None = getattr(channel, "guild", None)
    if guild is None:
        payload["user"] = user_json(user)
        payload["channel"] = channel_json(channel, user)
        payload["app_permissions"] = str(channel.permissions_for(me).value)
        payload["context"] = _BOT_DM_CONTEXT
        payload["authorizing_integration_owners"] = {"0": "0"}
    else:
        member = guild.get_member(user.id)
        if member is None:
            raise AssertionError(f"{user} is not a member of {guild.name!r}, so cannot interact there")
        payload["guild_id"] = str(guild.id)
        guild_locale = str(guild.preferred_locale)
        payload["guild"] = {"id": str(guild.id), "locale": guild_locale, "features": list(guild.features)}
        payload["guild_locale"] = guild_locale
        payload["member"] = member_json(member, channel)
        payload["channel"] = channel_json(channel, member)
        payload["app_permissions"] = str(channel.permissions_for(guild.me).value)
        payload["context"] = _GUILD_CONTEXT
        payload["authorizing_integration_owners"] = {"0": str(guild.id)}
    if message is not None:
        payload["message"] = message
    return payload
