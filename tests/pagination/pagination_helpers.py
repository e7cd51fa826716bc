"""What a user sees on a paginator's message: its controls and its page, read from the fake Discord."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nyx_sessions import SessionCog, SessionManager
from nyx_sessions.codec import SessionCustomIdCodec
from nyx_sessions.storage import ManualClock, MemorySessionRepository

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from nyx_sessions.testing import InteractionHarness, MessageRef

CODEC = SessionCustomIdCodec()


@dataclass(frozen=True)
class Control:
    """One interactive component, named by the first token of its custom id."""

    token: str | None
    custom_id: str
    disabled: bool
    label: str | None
    page: int | None
    options: list[dict[str, Any]] = field(default_factory=list)

    @property
    def option_pages(self) -> list[int | None]:
        """For a select: the 0-based page each option's value carries."""
        return [CODEC.extract_page_from_custom_id(option["value"]) for option in self.options]

    @property
    def default_option(self) -> str | None:
        return next((option["label"] for option in self.options if option.get("default")), None)

    def option(self, label: str) -> str:
        """The value of the option labelled ``label``."""
        return next(option["value"] for option in self.options if option["label"] == label)


def _components(components: Any) -> Iterator[Mapping[str, Any]]:
    for component in components or ():
        if "custom_id" in component:
            yield component
        yield from _components(component.get("components"))


def all_controls(harness: InteractionHarness, message: MessageRef) -> list[Control]:
    """Every component with a custom id on the message, in order."""
    found = []
    for component in _components(harness.message_payload(message).get("components")):
        custom_id = component["custom_id"]
        iterator = CODEC.create_iterator_from_custom_id(custom_id)
        found.append(
            Control(
                token=None if iterator is None else iterator.get_at(0),
                custom_id=custom_id,
                disabled=bool(component.get("disabled")),
                label=component.get("label"),
                page=CODEC.extract_page_from_custom_id(custom_id),
                options=list(component.get("options", ())),
            )
        )
    return found


def controls(harness: InteractionHarness, message: MessageRef) -> dict[str | None, Control]:
    """The message's components by first token (``first``, ``prev``, ``jump``, ``next``, ...)."""
    return {control.token: control for control in all_controls(harness, message)}


def shown_page(harness: InteractionHarness, message: MessageRef) -> tuple[str, list[str]]:
    """The default rendering's footer (``"Page 2/3"``) and the item lines of the message's embed."""
    embed = harness.message_payload(message)["embeds"][0]
    return embed["footer"]["text"], embed["description"].split("\n")


async def wire_manual_clock(bot: Any) -> ManualClock:
    """Add the session cog with a repository on a clock the test moves; return the clock."""
    clock = ManualClock()
    manager = SessionManager(bot, repository=MemorySessionRepository(clock=clock))
    await bot.add_cog(SessionCog(bot, manager=manager))
    return clock


def tokens(harness: InteractionHarness, message: MessageRef) -> list[str | None]:
    """The first tokens of the message's components, in the order the user sees them."""
    return [control.token for control in all_controls(harness, message)]
