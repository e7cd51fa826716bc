"""The server side of the test world: Discord's interaction, webhook and message endpoints.

:class:`FakeDiscord` answers the requests discord.py makes to reply to interactions (the interaction
callback and the webhook endpoints) and the REST message endpoints dpytest gets wrong (send keeps
components and flags; edit and delete update the cache and fire events). It behaves like the
server, so tests assert on what a user would see:

- visible messages go into dpytest's channel store and are announced with ``MESSAGE_CREATE`` (the
  message cache, ``on_message``) and into dpytest's ``sent_queue`` (``dpytest.verify()``);
- ephemeral messages (flag 64) are only recorded: they never reach history or ``sent_queue``;
- edits update the stored payload and are announced with ``MESSAGE_UPDATE`` (cache,
  ``on_message_edit``, tracked views), deletes with ``MESSAGE_DELETE``;
- an interaction accepts exactly one initial response; a second one fails with error 40060;
- deadlines are Discord's, measured on the fake's clock from the moment an interaction is injected:
  an initial response later than 3 seconds fails with 10062 "Unknown interaction", and any use of
  the token later than 15 minutes (followups, edits of its messages) with 401 "Invalid Webhook Token"
  (50027). Pass a :class:`~nyx_sessions.storage.ManualClock` to move that time in a test;
- every request body is checked as Discord checks it (:mod:`nyx_sessions.testing.discord_api`:
  Discord's OpenAPI specification plus the documented component rules): one Discord would refuse
  fails with its 400 answer, 50035 "Invalid Form Body" and the ``errors`` tree (or 50006 for an
  empty message), so discord.py raises the :class:`discord.HTTPException` it would raise in
  production.
"""

from __future__ import annotations

import copy
import datetime
import json
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import discord
from discord.ext.test import backend, callbacks, factories

from nyx_sessions.storage import SystemClock

from .compat import new_snowflake
from .discord_api import check_request
from .records import Reply, ReplyKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from discord.http import MultipartParameters, Route

    from nyx_sessions.storage import Clock

__all__ = (
    "COMPONENTS_V2",
    "EPHEMERAL",
    "INITIAL_RESPONSE_DEADLINE",
    "LOADING",
    "TOKEN_LIFETIME",
    "Exchange",
    "FakeDiscord",
)

Json = dict[str, Any]

EPHEMERAL = 1 << 6
LOADING = 1 << 7
COMPONENTS_V2 = 1 << 15
# Discord never changes these on edit; LOADING goes as soon as the "thinking" message is edited.
_PERMANENT_FLAGS = EPHEMERAL | COMPONENTS_V2

_APPLICATION_COMMAND = 2
_CHAT_INPUT_COMMAND_MESSAGE = 20
_CHANNEL_MESSAGE = 4
_DEFERRED_CHANNEL_MESSAGE = 5
_DEFERRED_UPDATE_MESSAGE = 6
_UPDATE_MESSAGE = 7
_MODAL = 9

_CREATE_FIELDS = ("embeds", "components", "tts", "nonce", "message_reference")
_EDIT_FIELDS = ("content", "embeds", "components")
_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}

INITIAL_RESPONSE_DEADLINE = 3.0
"""Seconds after an interaction is created within which Discord takes its initial response."""

TOKEN_LIFETIME = 15 * 60.0
"""Seconds an interaction token answers: followups, and edits and reads of its messages."""


class _Response(NamedTuple):
    status: int
    reason: str


def _http_error(status: int, code: int, text: str, errors: Json | None = None) -> discord.HTTPException:
    """Build the exception discord.py raises for a Discord error response."""
    kind = {403: discord.Forbidden, 404: discord.NotFound}.get(status, discord.HTTPException)
    response = cast("Any", _Response(status, _REASONS.get(status, "Error")))
    answer: Json = {"code": code, "message": text}
    if errors is not None:
        answer["errors"] = errors
    return kind(response, answer)


def _utcnow() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def _request_body(payload: Json | None, multipart: Sequence[Json] | None) -> Json:
    if payload is not None:
        return payload
    for part in multipart or ():
        if part.get("name") == "payload_json":
            body: Json = json.loads(part["value"])
            return body
    return {}


class Exchange:
    """The server's view of one interaction: who, where, and every reply so far.

    Attributes
    ----------
    id, token, type:
        The interaction's id, token and type.
    user_id: int
        Who triggered it.
    channel: discord.abc.Messageable
        Where; replies are posted there.
    message_id: int | None
        The message whose component was used.
    replies: list[Reply]
        Every request the bot made for it.
    response: Reply | None
        The accepted initial response.
    initial_attempts: int
        How many initial responses were attempted (refused ones included).
    opened_at: float
        When it was injected, on the fake's clock; Discord's deadlines count from here.
    original_id: int | None
        The original response message (the component's message after types 6 and 7).
    placeholder_id: int | None
        The "thinking" message of a type-5 defer until it is replaced.
    message_ids: set[int]
        Every message this interaction created.
    """

    __slots__ = (
        "channel",
        "id",
        "initial_attempts",
        "message_id",
        "message_ids",
        "opened_at",
        "original_id",
        "placeholder_id",
        "replies",
        "response",
        "token",
        "type",
        "user",
    )

    def __init__(self, payload: Json, channel: Any, opened_at: float = 0.0) -> None:
        self.id = int(payload["id"])
        self.opened_at = opened_at
        self.token: str = payload["token"]
        self.type = int(payload["type"])
        self.user: Json = payload["member"]["user"] if "member" in payload else payload["user"]
        self.channel = channel
        message = payload.get("message")
        self.message_id = None if message is None else int(message["id"])
        self.replies: list[Reply] = []
        self.response: Reply | None = None
        self.initial_attempts = 0
        self.original_id: int | None = None
        self.placeholder_id: int | None = None
        self.message_ids: set[int] = set()

    @property
    def user_id(self) -> int:
        """The id of the user who triggered the interaction."""
        return int(self.user["id"])

    @property
    def channel_id(self) -> int:
        """The id of the channel the interaction happened in."""
        return int(self.channel.id)

    def metadata(self) -> Json:
        """The ``interaction_metadata`` Discord attaches to messages this interaction creates."""
        metadata: Json = {"id": str(self.id), "type": self.type, "user": self.user}
        if self.message_id is not None:
            metadata["interacted_message_id"] = str(self.message_id)
        return metadata


class FakeDiscord:
    """The fake server behind one configured dpytest bot.

    Parameters
    ----------
    client: discord.Client
        A bot configured with ``dpytest.configure``; its application id must be set.
    clock: Clock | None
        What Discord's 3-second and 15-minute deadlines are measured on; the system clock by default.
    check_payloads: bool
        Check every request body as Discord does and refuse the ones Discord would refuse (also an
        attribute: set ``harness.fake.check_payloads = False`` to turn it off in one test).
    """

    __slots__ = (
        "_app_id",
        "_by_id",
        "_by_token",
        "_index",
        "_modals",
        "_state",
        "_store",
        "_uploads",
        "check_payloads",
        "clock",
    )

    def __init__(
        self, client: discord.Client, clock: Clock | None = None, *, check_payloads: bool = True
    ) -> None:
        self.clock: Clock = SystemClock() if clock is None else clock
        self.check_payloads = check_payloads
        # dpytest's FakeState is untyped, and the payload dicts below are plain JSON.
        self._state = cast("Any", client._connection)
        self._app_id = int(self._state.application_id)
        config = backend._cur_config
        if config is None:
            raise RuntimeError("dpytest is not configured: call dpytest.configure(bot) first")
        self._store: dict[int, list[Json]] = config.messages
        self._index: dict[int, Json] = {}
        self._by_token: dict[str, Exchange] = {}
        self._by_id: dict[int, Exchange] = {}
        self._modals: dict[str, Json] = {}
        self._uploads: Path | None = None

    # ------------------------------------------------------------------ reading server state

    def message(self, message_id: int, channel_id: int | None = None) -> Json | None:
        """The live stored payload of a message, or ``None`` if it does not exist (any more)."""
        found = self._index.get(message_id)
        if found is not None:
            return found
        # Messages made by dpytest itself (user messages, or sent before the fake existed).
        channels = self._store.values() if channel_id is None else (self._store.get(channel_id, ()),)
        for messages in channels:
            for payload in reversed(messages):
                if payload["id"] == message_id:
                    return payload
        return None

    def history(self, channel_id: int) -> list[Json]:
        """Copies of the visible messages in a channel, oldest first."""
        return [dict(payload) for payload in self._store.get(channel_id, ())]

    def last_message_by(self, author_id: int, channel_id: int | None = None) -> Json | None:
        """The newest visible message written by ``author_id`` (in one channel, or anywhere)."""
        channels = self._store.values() if channel_id is None else (self._store.get(channel_id, ()),)
        newest: Json | None = None
        for messages in channels:
            for payload in reversed(messages):
                if int(payload["author"]["id"]) == author_id:
                    if newest is None or payload["id"] > newest["id"]:
                        newest = payload
                    break
        return newest

    def modal(self, custom_id: str) -> Json | None:
        """The last modal the bot opened with ``custom_id``."""
        return self._modals.get(custom_id)

    def exchange(self, interaction_id: int) -> Exchange | None:
        """The exchange of an interaction the fake knows about."""
        return self._by_id.get(interaction_id)

    # ------------------------------------------------------------------ lifecycle

    def open(self, payload: Json, channel: Any) -> Exchange:
        """Start answering the interaction ``payload``, which happens in ``channel``, from now on."""
        exchange = Exchange(payload, channel, self.clock.time())
        self._by_token[exchange.token] = exchange
        self._by_id[exchange.id] = exchange
        return exchange

    def forget(self) -> None:
        """Drop interaction records, recorded modals and ephemeral messages (keep visible ones)."""
        self._by_token.clear()
        self._by_id.clear()
        self._modals.clear()
        self._index = {
            message_id: message
            for message_id, message in self._index.items()
            if not message["flags"] & EPHEMERAL
        }

    def close(self) -> None:
        """Remove the files uploaded during the test."""
        if self._uploads is not None:
            shutil.rmtree(self._uploads, ignore_errors=True)
            self._uploads = None

    # ------------------------------------------------------------------ interaction endpoints

    async def webhook_request(
        self,
        route: Route,
        payload: Json | None,
        multipart: Sequence[Json] | None,
        files: Sequence[discord.File] | None,
    ) -> Any:
        """Answer a request discord.py sent through its webhook adapter."""
        body = _request_body(payload, multipart)
        files = files or ()
        exchange = self._by_token.get(route.webhook_token or "")
        age = 0.0 if exchange is None else self.clock.time() - exchange.opened_at
        if route.path.endswith("/callback"):
            if exchange is None:
                raise _http_error(404, 10062, "Unknown interaction")
            if age > INITIAL_RESPONSE_DEADLINE:
                raise self._refuse(exchange, "callback", body, 404, 10062, "Unknown interaction")
            return await self._callback(exchange, body, files)
        if exchange is None:
            raise _http_error(404, 10015, "Unknown Webhook")
        if age > TOKEN_LIFETIME:
            kind = "followup" if route.method == "POST" else _webhook_kind(route)
            raise self._refuse(exchange, kind, body, 401, 50027, "Invalid Webhook Token")
        if route.method == "POST" and route.path == "/webhooks/{webhook_id}/{webhook_token}":
            return await self._followup(exchange, body, files)
        if "/messages/" in route.path:
            return await self._webhook_message(exchange, route, body, files)
        raise NotImplementedError(f"the fake Discord does not implement {route.method} {route.path}")

    def _refuse(
        self,
        exchange: Exchange,
        kind: ReplyKind,
        body: Json,
        status: int,
        code: int,
        text: str,
        errors: Json | None = None,
    ) -> discord.HTTPException:
        exchange.replies.append(Reply(kind, body, error=code))
        return _http_error(status, code, text, errors)

    def _refusal(
        self, operation: str, body: Json, files: Sequence[discord.File], message: Json | None = None
    ) -> Json | None:
        """Discord's 400 answer to a body it would refuse (checked against ``message``, if an edit)."""
        if not self.check_payloads:
            return None
        flags = 0 if message is None else int(message.get("flags") or 0)
        return check_request(operation, body, files=len(files), current_flags=flags)

    def _check(
        self,
        exchange: Exchange,
        kind: ReplyKind,
        operation: str,
        body: Json,
        files: Sequence[discord.File],
        message: Json | None = None,
    ) -> None:
        refusal = self._refusal(operation, body, files, message)
        if refusal is not None:
            raise self._refuse(
                exchange, kind, body, 400, refusal["code"], refusal["message"], refusal.get("errors")
            )

    async def _callback(self, exchange: Exchange, body: Json, files: Sequence[discord.File]) -> Json:
        exchange.initial_attempts += 1
        if exchange.response is not None:
            raise self._refuse(
                exchange, "callback", body, 400, 40060, "Interaction has already been acknowledged."
            )
        target = None if exchange.message_id is None else self.message(exchange.message_id)
        self._check(exchange, "callback", "create_interaction_response", body, files, target)
        rtype = int(body["type"])
        data: Json = body.get("data") or {}
        message: Json | None = None
        if rtype in (_DEFERRED_UPDATE_MESSAGE, _UPDATE_MESSAGE):
            if target is None and rtype == _UPDATE_MESSAGE:
                raise self._refuse(exchange, "callback", body, 404, 10008, "Unknown Message")
            exchange.original_id = exchange.message_id
            if rtype == _UPDATE_MESSAGE and target is not None:
                await self._edit(target, data, files)
                message = target
        elif rtype == _CHANNEL_MESSAGE:
            message = await self._create(exchange, data, files)
        elif rtype == _DEFERRED_CHANNEL_MESSAGE:
            thinking = {"flags": (int(data.get("flags") or 0) & EPHEMERAL) | LOADING}
            message = await self._create(exchange, thinking, ())
            exchange.placeholder_id = int(message["id"])
        elif rtype == _MODAL:
            self._modals[data["custom_id"]] = data
        reply = Reply("callback", body, message=_snapshot(message), files=_names(files))
        exchange.response = reply
        exchange.replies.append(reply)
        return self._callback_result(exchange, rtype, message)

    def _callback_result(self, exchange: Exchange, rtype: int, message: Json | None) -> Json:
        flags = 0 if message is None else int(message.get("flags") or 0)
        result: Json = {
            "interaction": {
                "id": str(exchange.id),
                "type": exchange.type,
                "response_message_id": None if exchange.original_id is None else str(exchange.original_id),
                "response_message_loading": rtype == _DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": bool(flags & EPHEMERAL),
            },
            "resource": {"type": rtype},
        }
        if message is not None:
            result["resource"]["message"] = dict(message)
        return result

    async def _followup(self, exchange: Exchange, body: Json, files: Sequence[discord.File]) -> Json:
        if exchange.response is None:
            raise self._refuse(exchange, "followup", body, 404, 10015, "Unknown Webhook")
        self._check(exchange, "followup", "execute_webhook", body, files)
        placeholder = None if exchange.placeholder_id is None else self._index.get(exchange.placeholder_id)
        if placeholder is not None:
            # Discord turns the first followup after a "thinking" defer into that message.
            await self._edit(placeholder, body, files)
            message = placeholder
        else:
            message = await self._create(exchange, body, files)
        exchange.replies.append(Reply("followup", body, message=_snapshot(message), files=_names(files)))
        return dict(message)

    async def _webhook_message(
        self, exchange: Exchange, route: Route, body: Json, files: Sequence[discord.File]
    ) -> Json | None:
        target = route.url.rsplit("/", 1)[1]
        original = target == "@original"
        message = self._original(exchange) if original else self._followup_message(exchange, int(target))
        action = _ACTIONS[route.method]
        kind = _webhook_kind(route)
        if message is None:
            raise self._refuse(exchange, kind, body, 404, 10008, "Unknown Message")
        if action == "edit":
            operation = "update_original_webhook_message" if original else "update_webhook_message"
            self._check(exchange, kind, operation, body, files, message)
            await self._edit(message, body, files)
        elif action == "delete":
            self._delete(message)
        exchange.replies.append(Reply(kind, body, message=_snapshot(message), files=_names(files)))
        return None if action == "delete" else dict(message)

    def _original(self, exchange: Exchange) -> Json | None:
        return None if exchange.original_id is None else self.message(exchange.original_id)

    def _followup_message(self, exchange: Exchange, message_id: int) -> Json | None:
        message = self._index.get(message_id)
        if message is None:
            return None
        if message_id in exchange.message_ids or message_id == exchange.original_id:
            return message
        # Any visible message the application's webhook made can be reached with a valid token.
        if message.get("webhook_id") == self._app_id and not message["flags"] & EPHEMERAL:
            return message
        return None

    # ------------------------------------------------------------------ REST message endpoints

    async def send_message(self, channel_id: int, *, params: MultipartParameters) -> Json:
        """``POST /channels/{id}/messages``, keeping components and flags (dpytest drops them)."""
        channel = self._state.get_channel(int(channel_id))
        if channel is None:
            raise _http_error(404, 10003, "Unknown Channel")
        me = channel.guild.me if getattr(channel, "guild", None) is not None else self._state.user
        permissions = channel.permissions_for(me)
        if not (permissions.send_messages or permissions.administrator):
            raise _http_error(403, 50013, "Missing Permissions")
        body = _request_body(params.payload, params.multipart)
        _raise_refusal(self._refusal("create_message", body, params.files or ()))
        message = self._new_message(channel, body, params.files or (), None)
        await self._publish(message)
        return dict(message)

    async def edit_message(self, channel_id: int, message_id: int, *, params: MultipartParameters) -> Json:
        """``PATCH /channels/{id}/messages/{id}``: updates the store, the cache, ``on_message_edit``."""
        message = self._visible(int(channel_id), int(message_id))
        if int(message["author"]["id"]) != self._state.user.id:
            raise _http_error(403, 50005, "Cannot edit a message authored by another user")
        body = _request_body(params.payload, params.multipart)
        _raise_refusal(self._refusal("update_message", body, params.files or (), message))
        await self._edit(message, body, params.files or ())
        return dict(message)

    async def get_message(self, channel_id: int, message_id: int) -> Json:
        """``GET /channels/{id}/messages/{id}``: a visible message as the server has it now."""
        return dict(self._visible(int(channel_id), int(message_id)))

    async def delete_message(self, channel_id: int, message_id: int, *, reason: str | None = None) -> None:
        """``DELETE /channels/{id}/messages/{id}``."""
        self._delete(self._visible(int(channel_id), int(message_id)))

    def _visible(self, channel_id: int, message_id: int) -> Json:
        message = self.message(message_id, channel_id)
        if message is None or message.get("flags", 0) & EPHEMERAL:
            raise _http_error(404, 10008, "Unknown Message")
        return message

    # ------------------------------------------------------------------ the store

    async def _create(self, exchange: Exchange, fields: Json, files: Sequence[discord.File]) -> Json:
        message = self._new_message(exchange.channel, fields, files, exchange)
        message_id = int(message["id"])
        exchange.message_ids.add(message_id)
        if exchange.original_id is None:
            exchange.original_id = message_id
        await self._publish(message)
        return message

    def _new_message(
        self, channel: Any, fields: Json, files: Sequence[discord.File], exchange: Exchange | None
    ) -> Json:
        content = fields.get("content") or ""
        guild = getattr(channel, "guild", None)
        message: Json = factories.make_message_dict(
            channel,
            self._state.user,
            new_snowflake(),
            content=content,
            mentions=[m for m in backend.find_user_mentions(content, guild) if m is not None],
            mention_roles=backend.find_role_mentions(content, guild),
            mention_channels=[c for c in backend.find_channel_mentions(content, guild) if c is not None],
        )
        message.update({key: fields[key] for key in _CREATE_FIELDS if fields.get(key) is not None})
        message["flags"] = int(fields.get("flags") or 0)
        message["attachments"] = self._attachments(fields.get("attachments"), files, [])
        if exchange is not None:
            message["webhook_id"] = self._app_id
            message["application_id"] = self._app_id
            message["interaction_metadata"] = exchange.metadata()
            if exchange.type == _APPLICATION_COMMAND:
                message["type"] = _CHAT_INPUT_COMMAND_MESSAGE
        return message

    async def _publish(self, message: Json) -> None:
        self._index[int(message["id"])] = message
        if message["flags"] & EPHEMERAL:
            return
        self._store.setdefault(int(message["channel_id"]), []).append(message)
        self._state.parse_message_create(message)
        if not message["flags"] & LOADING:
            await self._announce(message)

    async def _announce(self, message: Json) -> None:
        """Put a visible message into dpytest's ``sent_queue`` (once it has real content)."""
        cached = self._state._messages
        if cached and cached[-1].id == message["id"]:
            found = cached[-1]
        else:
            found = self._state._get_message(message["id"])
        if found is None:
            channel, _ = self._state._get_guild_channel(message)
            found = discord.Message(state=self._state, channel=channel, data=cast("Any", message))
        # A copy, as sent: later edits update the cached message, not what the queue recorded.
        await callbacks.dispatch_event("send_message", copy.copy(found))

    async def _edit(self, message: Json, fields: Json, files: Sequence[discord.File]) -> None:
        flags = int(message.get("flags") or 0)
        was_thinking = bool(flags & LOADING)
        for key in _EDIT_FIELDS:
            if key in fields:
                value = fields[key]
                message[key] = value if value is not None else ("" if key == "content" else [])
        requested = flags if fields.get("flags") is None else int(fields["flags"])
        message["flags"] = (flags & _PERMANENT_FLAGS) | (requested & ~(EPHEMERAL | LOADING))
        if "attachments" in fields or files:
            message["attachments"] = self._attachments(
                fields.get("attachments"), files, message["attachments"]
            )
        if not was_thinking:
            message["edited_timestamp"] = _utcnow()
        if message["flags"] & EPHEMERAL:
            return
        self._state.parse_message_update(message)
        if was_thinking:
            await self._announce(message)

    def _delete(self, message: Json) -> None:
        message_id = int(message["id"])
        self._index.pop(message_id, None)
        if message.get("flags", 0) & EPHEMERAL:
            return
        channel_id = int(message["channel_id"])
        stored = self._store.get(channel_id, [])
        for position in range(len(stored) - 1, -1, -1):
            if stored[position]["id"] == message_id:
                del stored[position]
                break
        event: Json = {"id": message_id, "channel_id": channel_id}
        if message.get("guild_id") is not None:
            event["guild_id"] = message["guild_id"]
        self._state.parse_message_delete(event)

    # ------------------------------------------------------------------ uploads

    def _attachments(
        self, entries: list[Json] | None, files: Sequence[discord.File], current: list[Json]
    ) -> list[Json]:
        if entries is None:
            return current + [self._upload(file) for file in files]
        # Entries with a url are attachments kept from before; the others index into ``files``.
        return [entry if "url" in entry else self._upload(files[int(entry["id"])]) for entry in entries]

    def _upload(self, file: discord.File) -> Json:
        if self._uploads is None:
            self._uploads = Path(tempfile.mkdtemp(prefix="nyx-sessions-testing-"))
        attachment_id = new_snowflake()
        path = self._uploads / str(attachment_id)
        file.reset()
        data = file.fp.read()
        path.write_bytes(data)
        url = path.as_uri()
        return {
            "id": attachment_id,
            "filename": file.filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": None,
            "height": None,
            "width": None,
        }


_ACTIONS = {"GET": "get", "PATCH": "edit", "DELETE": "delete"}


def _webhook_kind(route: Route) -> ReplyKind:
    """What a request on ``/webhooks/{app}/{token}/messages/{id}`` does, as a :data:`ReplyKind`."""
    target = "original" if route.url.endswith("/@original") else "followup"
    return cast("ReplyKind", f"{_ACTIONS[route.method]}_{target}")


def _raise_refusal(refusal: Json | None) -> None:
    if refusal is not None:
        raise _http_error(400, refusal["code"], refusal["message"], refusal.get("errors"))


def _snapshot(message: Json | None) -> Json | None:
    return None if message is None else dict(message)


def _names(files: Sequence[discord.File]) -> list[str]:
    return [file.filename for file in files]
