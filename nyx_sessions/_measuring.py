"""The metrics every metrics observer records, and which hook records what.

:class:`~nyx_sessions.metrics.PrometheusObserver` and the meter side of
:class:`~nyx_sessions.tracing.OpenTelemetryObserver` record the same metrics from the same hooks;
they differ only in how a value reaches their library (:meth:`MeasuringObserver._add`,
:meth:`MeasuringObserver._observe`, and the live gauge read when scraped).
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nyx_sessions.observers import SessionObserver, code_label, kind_label
from nyx_sessions.state import SessionEndCode, SessionState

if TYPE_CHECKING:
    from nyx_sessions.manager import SessionManager
    from nyx_sessions.observers import (
        ClickObservation,
        EndObservation,
        StartObservation,
        StoreCallObservation,
    )
    from nyx_sessions.sessions.base import AbstractSession

__all__ = ("METRICS", "MeasuringObserver", "Metric")


@dataclass(frozen=True)
class Metric:
    """One metric: its name after the namespace, its type, its labels and its help text."""

    name: str
    type: str  # "counter", "gauge" or "histogram"
    labels: tuple[str, ...]
    help: str


METRICS = (
    Metric("live", "gauge", ("kind",), "Sessions running in this process, by kind."),
    Metric("started", "counter", ("kind",), "Sessions started."),
    Metric(
        "ended",
        "counter",
        ("kind", "code"),
        "Sessions ended, by end code (START_DENIED and START_FAILED: starts that did not start).",
    ),
    Metric(
        "clicks",
        "counter",
        ("kind", "outcome"),
        "Clicks (components, modal submits) by outcome: handled, denied, expired, unknown, replayed, error.",
    ),
    Metric(
        "click_seconds", "histogram", ("kind",), "Seconds from receiving a click to its handler's return."
    ),
    Metric(
        "first_response_seconds",
        "histogram",
        ("kind",),
        "Seconds from receiving a click to the first answer Discord accepted.",
    ),
    Metric(
        "auto_deferred",
        "counter",
        ("kind",),
        "Starts and clicks the manager deferred because nothing answered them in time.",
    ),
    Metric("errors", "counter", ("kind", "type"), "Errors raised by sessions' code, by exception class."),
    Metric("store_seconds", "histogram", ("store", "operation"), "Seconds per call to the session store."),
    Metric(
        "store_errors",
        "counter",
        ("store", "operation", "type"),
        "Calls to the session store that failed or ran out of time, by exception class.",
    ),
    Metric(
        "expiry_lateness_seconds",
        "histogram",
        (),
        "Seconds from a session's deadline to the start of its expiry.",
    ),
    Metric(
        "lease_wait_seconds",
        "histogram",
        (),
        "Seconds a click or end waited for another process to let go of a session (only waits).",
    ),
)
"""Every metric, in the order the documentation lists them."""


class MeasuringObserver(SessionObserver):
    """Records :data:`METRICS` from the observer hooks; subclasses say where values go.

    The live gauge is counted when it is read (a scrape), from the managers this observer is
    attached to: it never drifts, whatever path a session leaves by (an end, a detach, a restore).
    """

    def __init__(self) -> None:
        # Replaced, never changed in place: a scrape on another thread reads a consistent tuple.
        self._managers: tuple[SessionManager, ...] = ()
        self._managers_lock = threading.Lock()

    # -- where values go (subclasses) ------------------------------------------------------------------

    def _add(self, name: str, labels: tuple[str, ...], amount: float = 1.0) -> None:
        """Add ``amount`` to the counter ``name``."""
        raise NotImplementedError

    def _observe(self, name: str, labels: tuple[str, ...], value: float) -> None:
        """Record ``value`` in the histogram ``name``."""
        raise NotImplementedError

    def live_counts(self) -> dict[str, int]:
        """Running sessions by kind label, over every manager this observer is attached to."""
        counts: Counter[str] = Counter()
        for manager in self._managers:
            # One C-level copy of the values: safe to take from a scrape's thread while the loop runs.
            for session in list(manager.sessions.values()):
                if session.state is SessionState.RUNNING:
                    counts[kind_label(session)] += 1
        return dict(counts)

    # -- hooks -----------------------------------------------------------------------------------------

    def attached(self, manager: SessionManager) -> None:
        """Count ``manager``'s sessions in the live gauge."""
        with self._managers_lock:
            if manager not in self._managers:
                self._managers = (*self._managers, manager)

    def detached(self, manager: SessionManager) -> None:
        """Stop counting ``manager``'s sessions."""
        with self._managers_lock:
            self._managers = tuple(known for known in self._managers if known is not manager)

    def start_finished(self, start: StartObservation) -> None:
        """Count the start (or its refusal, as an end with its code) and its automatic deferral."""
        kind = start.kind
        if start.outcome == "started":
            self._add("started", (kind,))
        else:
            ended = start.session.end_data
            code = ended.code if ended is not None else SessionEndCode.START_FAILED
            self._add("ended", (kind, code_label(code)))
        if start.auto_deferred:
            self._add("auto_deferred", (kind,))

    def click_finished(self, click: ClickObservation) -> None:
        """Count the click by outcome; time its handler and its first answer."""
        kind = click.kind
        self._add("clicks", (kind, click.outcome))
        if click.handler_returned_at is not None:
            self._observe("click_seconds", (kind,), click.handler_returned_at - click.began_at)
        if click.first_response_at is not None:
            self._observe("first_response_seconds", (kind,), click.first_response_at - click.began_at)
        if click.auto_deferred:
            self._add("auto_deferred", (kind,))

    def end_finished(self, end: EndObservation) -> None:
        """Count the end by code, and how late an expiry came."""
        if not end.ended_here:
            return  # the process that ends it counts it
        self._add("ended", (end.kind, code_label(end.code)))
        if end.lateness is not None:
            self._observe("expiry_lateness_seconds", (), end.lateness)

    def session_failed(self, session: AbstractSession[Any], error: BaseException, during: str) -> None:
        """Count the error by the session's kind and the exception's class."""
        self._add("errors", (kind_label(session), type(error).__name__))

    def store_call_finished(self, call: StoreCallObservation) -> None:
        """Time the store call; count it when it failed."""
        assert call.finished_at is not None
        self._observe("store_seconds", (call.store, call.operation), call.finished_at - call.began_at)
        if call.error is not None:
            self._add("store_errors", (call.store, call.operation, type(call.error).__name__))

    def lease_waited(self, session_id: str, seconds: float) -> None:
        """Record the wait (the session id is not a label: labels stay bounded)."""
        self._observe("lease_wait_seconds", (), seconds)
