"""FormSession: a form asked as modals, checked, and handed back filled in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar, get_args, get_origin

import discord

from nyx_sessions.messages import message
from nyx_sessions.sessions.base import AbstractSession
from nyx_sessions.sessions.routes import on_button, on_modal
from nyx_sessions.sessions.submission import ModalSubmission

from .form import Form

if TYPE_CHECKING:
    from discord.ext import commands

    from nyx_sessions.state import SessionExecutionMeta

    from .fields import Field

__all__ = ("FormSession",)

FormT = TypeVar("FormT", bound=Form)

_PER_MODAL = 5
"""Inputs one modal holds (Discord's limit)."""

_TITLE = 45
"""Characters of a modal title (Discord's limit)."""


class FormSession(AbstractSession[FormT], Generic[FormT]):
    """Ask a :class:`Form` as modals; :meth:`wait` gives the filled form as ``result``.

    Started from a slash command or a click, the first modal is the answer to it; from a prefix
    command or a channel, a message with a "Fill in" button opens it. A form of more than five
    fields is asked as several modals, joined by a "Continue" button. A submit whose answers break
    a field's rules, or the form's :meth:`~Form.validate`, is answered (privately) with every
    problem and a "Fix" button that opens the modal again with what the user typed: a modal cannot
    answer a modal.

    A durable form (a subclass with a ``kind``, naming its form as the type argument:
    ``class AppealSession(FormSession[Appeal], kind="appeal")``) keeps the answers given so far in
    its record: after a restart, "Continue" and "Fix" go on with them. Members, roles and channels
    are kept by id and found again in the bot's cache; attachments by their Discord description.

    Parameters
    ----------
    bot: :class:`discord.Client`
        The bot, with the nyx_sessions extension loaded.
    start:
        What started the session: an interaction, a command context or a channel.
    form: Union[type[FormT], FormT, None]
        The form's class, or an instance whose answers pre-fill the modals; by default the class
        the subclass names as its type argument.
    title: :class:`str`
        The modals' title.
    **session_kw:
        As for :class:`~nyx_sessions.AbstractSession` (``ttl``, ``owner``, ...).

    Raises
    ------
    TypeError
        No form given and none named by the class; or a durable subclass that names no form.
    ValueError
        The form declares no fields.
    """

    __slots__ = ("_form", "_guild_id", "_pages", "title")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls._kind is not None and cls._declared_form() is None:
            raise TypeError(
                f"{cls.__qualname__} is durable, so it must name its form to restore it: "
                f"class {cls.__name__}(FormSession[MyForm], kind={cls._kind.name!r})"
            )

    def __init__(
        self,
        bot: discord.Client,
        start: discord.Interaction[Any] | commands.Context[Any] | discord.abc.Messageable,
        form: type[FormT] | FormT | None = None,
        *,
        title: str,
        **session_kw: Any,
    ) -> None:
        super().__init__(bot, start, **session_kw)
        # Kept for a durable form: its members and roles are found again in this guild.
        if isinstance(start, discord.Interaction):
            self._guild_id = start.guild_id
        else:
            self._guild_id = getattr(getattr(start, "guild", None), "id", None)
        form = form if form is not None else self._declared_form()
        if form is None:
            raise TypeError(f"{type(self).__qualname__} needs form=: a Form class or instance")
        self._use(form if isinstance(form, Form) else form(), title)

    @classmethod
    def _declared_form(cls) -> type[FormT] | None:
        """The form class a subclass names as its type argument (``FormSession[Appeal]``)."""
        for klass in cls.__mro__:
            for base in klass.__dict__.get("__orig_bases__", ()):
                origin = get_origin(base)
                if isinstance(origin, type) and issubclass(origin, FormSession):
                    (argument,) = get_args(base)
                    if isinstance(argument, type) and issubclass(argument, Form):
                        return argument  # type: ignore[return-value]
        return None

    def _use(self, form: FormT, title: str) -> None:
        fields = form.form_fields()
        if not fields:
            raise ValueError(f"{type(form).__name__} declares no fields")
        self._form = form
        self._pages = [fields[index : index + _PER_MODAL] for index in range(0, len(fields), _PER_MODAL)]
        self.title = title

    def _durable_state(self) -> object:
        answered = self._form._answers
        fields = (field for page in self._pages for field in page if field.name in answered)
        answers = {field.name: field.dump(answered[field.name]) for field in fields}
        return {"title": self.title, "guild": self._guild_id, "answers": answers}

    def _restore_state(self, page: int | None, state: Any) -> None:
        form_class = self._declared_form()
        assert form_class is not None, "checked when the class was made"
        self._guild_id = state.get("guild")
        guild = None if self._guild_id is None else self._bot.get_guild(self._guild_id)
        answers = state.get("answers", {})
        form = form_class()
        for field in form.form_fields():
            if field.name in answers:
                setattr(form, field.name, field.load(answers[field.name], self._bot, guild))
        self._use(form, state["title"])

    @property
    def form(self) -> FormT:
        """The form, with the answers given so far."""
        return self._form

    async def on_start(self, meta: SessionExecutionMeta) -> None:
        """Open the first modal as the answer to the start, or post a button that opens it."""
        interaction = self.start_interaction
        if interaction is not None and not interaction.response.is_done():
            await interaction.response.send_modal(await self._modal(0))
            return
        fill_in = await self._say("fill_in")
        await self.respond(f"**{self.title}**", view=self.view(self.button("page", 0, label=fill_in)))

    @on_button("page")
    async def _open(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        """ "Fill in", "Continue" and "Fix": open the modal the button names."""
        await interaction.response.send_modal(await self._modal(self._page_of(interaction)))

    @on_modal("page")
    async def _submitted(self, interaction: discord.Interaction[Any], meta: SessionExecutionMeta) -> None:
        """Keep a modal's answers; then ask for fixes, go on to the next modal, or end with the form."""
        page = self._page_of(interaction)
        answers = ModalSubmission(interaction)
        for field in self._pages[page]:
            setattr(self._form, field.name, field.read(answers))
        problems = await self._problems(self._pages[page])
        last = page == len(self._pages) - 1
        if not problems and last:
            problems = dict(self._form.validate())
        if problems:
            await self._ask_to_fix(interaction, problems)
        elif not last:
            step = await self._say("step_done", step=page + 1, steps=len(self._pages))
            button = self.button("page", page + 1, label=await self._say("continue"))
            await interaction.response.send_message(step, view=self.view(button), ephemeral=True)
        else:
            self.result = self._form
            await interaction.response.send_message(await self._say("done"), ephemeral=True)
            await self.end("the form was filled in")

    async def _say(self, name: str, **fields: Any) -> str:
        """The form's text ``nyx_sessions.form.<name>`` in the session's locale."""
        return await self.translate(message(f"nyx_sessions.form.{name}"), **fields)

    async def _problems(self, fields: tuple[Field, ...]) -> dict[str, str]:
        problems = {}
        for field in fields:
            problem = field.problem(getattr(self._form, field.name))
            if problem is not None:
                key, values = problem
                problems[field.name] = await self.translate(message(key), **values)
        return problems

    async def _ask_to_fix(self, interaction: discord.Interaction[Any], problems: dict[str, str]) -> None:
        """Answer with every problem and a "Fix" button for the first modal that has one."""
        page_of = {field.name: index for index, page in enumerate(self._pages) for field in page}
        labels = {field.name: field.label for page in self._pages for field in page}
        lines = [await self._say("fix_intro")]
        for name, problem in problems.items():
            lines.append(await self._say("error_line", label=labels.get(name, name), problem=problem))
        page = min((page_of[name] for name in problems if name in page_of), default=0)
        await interaction.response.send_message(
            "\n".join(lines),
            view=self.view(self.button("page", page, label=await self._say("fix"))),
            ephemeral=True,
        )

    async def _modal(self, page: int) -> discord.ui.Modal:
        title = self.title
        if len(self._pages) > 1:
            title = await self._say("modal_title", title=title, step=page + 1, steps=len(self._pages))
        if len(title) > _TITLE:
            title = title[: _TITLE - 1] + "\u2026"
        inputs = (field.input(getattr(self._form, field.name)) for field in self._pages[page])
        return self.modal(title, *inputs, tokens=("page", page))

    def _page_of(self, interaction: discord.Interaction[Any]) -> int:
        page = int(self.tokens(interaction).get_at(1) or 0)
        return min(max(page, 0), len(self._pages) - 1)
