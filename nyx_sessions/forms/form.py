"""Form: a class whose fields are the questions, and whose instances are the answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from .fields import Field

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ("Form",)


class Form:
    """Declare a form's fields as annotated class attributes; an instance holds the answers.

    .. code-block:: python3

        class Report(Form):
            who: discord.Member = user("Who are you reporting?")
            reason: str = text("What happened?", style="paragraph", max_length=1000)
            urgent: bool = checkbox("It is urgent")

            def validate(self) -> dict[str, str]:
                return {"reason": "say a little more"} if len(self.reason) < 10 else {}

    ``Report()`` is an empty form; ``Report(reason="...")`` one pre-filled (a
    :class:`~nyx_sessions.forms.FormSession` shows the values it has).

    Raises
    ------
    TypeError
        A keyword names no field of the form.
    """

    __slots__ = ("_answers",)

    _fields: ClassVar[tuple[Field, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        inherited = {field.name: field for field in cls._fields}
        declared = {name: value for name, value in vars(cls).items() if isinstance(value, Field)}
        cls._fields = tuple({**inherited, **declared}.values())

    def __init__(self, **answers: Any) -> None:
        names = {field.name for field in self._fields}
        unknown = sorted(set(answers) - names)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no fields {unknown}; its fields: {sorted(names)}")
        self._answers: dict[str, Any] = dict(answers)

    def __repr__(self) -> str:
        shown = ", ".join(f"{field.name}={getattr(self, field.name)!r}" for field in self._fields)
        return f"{type(self).__name__}({shown})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, field.name) == getattr(other, field.name) for field in self._fields)

    __hash__ = None  # type: ignore[assignment]  # answers change: a form is not a dict key

    @classmethod
    def form_fields(cls) -> tuple[Field, ...]:
        """The form's fields, in the order they were declared (a base class's first)."""
        return cls._fields

    def validate(self) -> Mapping[str, str]:
        """Check the answers together: field name to what is wrong with it; empty when valid.

        Runs once every field passed its own rules. Override it for rules across fields.
        """
        return {}
