"""Pagination sessions: pages of a list, stages of a wizard, and the navigation controls they share."""

from __future__ import annotations

from nyx_sessions.pagination._message import PageContent
from nyx_sessions.pagination.base import PaginationSession
from nyx_sessions.pagination.list import ItemSource, ListPaginationSession, PageFormatter
from nyx_sessions.pagination.navigation import NAVIGATION_TOKENS, NavigationButton, PageNavigation
from nyx_sessions.pagination.stages import (
    SessionStage,
    SessionStartStage,
    StageFactory,
    StagePaginationSession,
)

__all__ = (
    "NAVIGATION_TOKENS",
    "ItemSource",
    "ListPaginationSession",
    "NavigationButton",
    "PageContent",
    "PageFormatter",
    "PageNavigation",
    "PaginationSession",
    "SessionStage",
    "SessionStartStage",
    "StageFactory",
    "StagePaginationSession",
)
