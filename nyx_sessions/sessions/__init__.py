"""Sessions: the base class, its value types and its component containers."""

from nyx_sessions.sessions.base import AbstractSession
from nyx_sessions.sessions.components import (
    SessionLayoutView,
    SessionModal,
    SessionView,
    modal_values,
    select_values,
)
from nyx_sessions.sessions.routes import on_button, on_modal, on_select
from nyx_sessions.sessions.submission import ModalAnswer, ModalSubmission
from nyx_sessions.state import (
    EndCode,
    SessionEndCode,
    SessionEndData,
    SessionExecutionMeta,
    SessionRecord,
    SessionState,
)

__all__ = (
    "AbstractSession",
    "EndCode",
    "ModalAnswer",
    "ModalSubmission",
    "SessionEndCode",
    "SessionEndData",
    "SessionExecutionMeta",
    "SessionLayoutView",
    "SessionModal",
    "SessionRecord",
    "SessionState",
    "SessionView",
    "modal_values",
    "on_button",
    "on_modal",
    "on_select",
    "select_values",
)
