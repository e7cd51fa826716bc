"""Forms: fields declared on a class, asked as modals, checked, and handed back typed."""

from .fields import Field, FieldKind, channel, checkbox, choice, choices, files, role, text, user
from .form import Form
from .session import FormSession

__all__ = (
    "Field",
    "FieldKind",
    "Form",
    "FormSession",
    "channel",
    "checkbox",
    "choice",
    "choices",
    "files",
    "role",
    "text",
    "user",
)
