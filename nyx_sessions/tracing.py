"""OpenTelemetry traces (and metrics) of sessions: :class:`OpenTelemetryObserver` (extra
``nyx-sessions[otel]``, on ``opentelemetry-api`` only).

::

    from nyx_sessions.tracing import OpenTelemetryObserver

    nyx_sessions.configure(bot, observers=[OpenTelemetryObserver()])   # the global tracer provider

Without an SDK configured, the API's tracer does nothing (and costs little). This module imports
without ``opentelemetry-api``; building the observer without it raises an :class:`ImportError`
naming the extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nyx_sessions._measuring import METRICS, MeasuringObserver
from nyx_sessions.observers import code_label

if TYPE_CHECKING:
    from collections.abc import Iterable

    from opentelemetry.metrics import CallbackOptions, MeterProvider, Observation
    from opentelemetry.trace import Span, TracerProvider

    from nyx_sessions.observers import (
        ClickObservation,
        EndObservation,
        StartObservation,
        StoreCallObservation,
    )
    from nyx_sessions.sessions.base import AbstractSession

__all__ = ("OpenTelemetryObserver",)

_KIND = "nyx_sessions.kind"
_SESSION_ID = "nyx_sessions.session_id"
_OUTCOME = "nyx_sessions.outcome"
_END_CODE = "nyx_sessions.end_code"
_AUTO_DEFERRED = "nyx_sessions.auto_deferred"
_INTERACTION_ID = "discord.interaction.id"
_GUILD_ID = "discord.guild.id"


def _opentelemetry() -> tuple[Any, Any, Any]:
    """``opentelemetry``'s ``trace``, ``context`` and ``metrics``, or an error saying how to install it."""
    try:
        from opentelemetry import context, metrics, trace
    except ImportError as error:
        raise ImportError(
            'OpenTelemetryObserver needs opentelemetry-api: pip install "nyx-sessions[otel]"'
        ) from error
    return trace, context, metrics


def _version() -> str:
    from nyx_sessions import __version__

    return __version__


class OpenTelemetryObserver(MeasuringObserver):
    """Session traces for OpenTelemetry, and the same metrics as the Prometheus observer.

    Spans: ``nyx_sessions.start <kind>``, ``nyx_sessions.click <kind>`` and ``nyx_sessions.end
    <kind>`` (``nyx_sessions.click`` alone for a click on a session not known here), with the
    attributes ``nyx_sessions.kind``, ``nyx_sessions.session_id``, ``nyx_sessions.outcome`` (starts
    and clicks), ``nyx_sessions.end_code`` (ends), ``nyx_sessions.auto_deferred``,
    ``discord.interaction.id`` and ``discord.guild.id`` (ids as strings, so backends join them
    exactly). Each span is current while its step runs: calls to the session store become child
    spans ``nyx_sessions.store <operation>``, an end inside a click a child of the click, and spans
    your handlers make children too. An error of a session's code is recorded on the span of the step
    it broke, with an error status. A click served across processes carries the same
    ``discord.interaction.id`` in each process's spans, so they can be joined.

    With a ``meter_provider``, the metrics of :class:`~nyx_sessions.metrics.PrometheusObserver` are
    recorded through it too, under the same names (counters without ``_total``), with the same
    attributes.

    Parameters
    ----------
    tracer_provider: Optional[``opentelemetry.trace.TracerProvider``]
        Where spans go; the global provider when ``None`` (a no-op one until an SDK sets it).
    meter_provider: Optional[``opentelemetry.metrics.MeterProvider``]
        Where metrics go; none are recorded when ``None``.

    Raises
    ------
    ImportError
        ``opentelemetry-api`` is not installed (``pip install "nyx-sessions[otel]"``).
    """

    def __init__(
        self,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
    ) -> None:
        super().__init__()
        trace, context, metrics = _opentelemetry()
        self._trace = trace
        self._context = context
        self._error = trace.Status(trace.StatusCode.ERROR)
        self._tracer = trace.get_tracer("nyx_sessions", _version(), tracer_provider=tracer_provider)
        # The span of each observation in progress, and the token that made it current.
        self._open: dict[int, tuple[Span, object]] = {}
        self._instruments: dict[str, Any] | None = None
        if meter_provider is not None:
            meter = metrics.get_meter("nyx_sessions", _version(), meter_provider=meter_provider)
            self._instruments = {}
            for metric in METRICS:
                name = f"nyx_sessions_{metric.name}"
                if metric.type == "counter":
                    self._instruments[metric.name] = meter.create_counter(name, description=metric.help)
                elif metric.type == "histogram":
                    self._instruments[metric.name] = meter.create_histogram(
                        name, unit="s", description=metric.help
                    )
                else:
                    meter.create_observable_gauge(name, callbacks=[self._live], description=metric.help)
        self._labels = {metric.name: metric.labels for metric in METRICS}

    # -- metrics ---------------------------------------------------------------------------------------

    def _add(self, name: str, labels: tuple[str, ...], amount: float = 1.0) -> None:
        if self._instruments is not None:
            self._instruments[name].add(amount, dict(zip(self._labels[name], labels, strict=True)))

    def _observe(self, name: str, labels: tuple[str, ...], value: float) -> None:
        if self._instruments is not None:
            self._instruments[name].record(value, dict(zip(self._labels[name], labels, strict=True)))

    def _live(self, options: CallbackOptions) -> Iterable[Observation]:
        from opentelemetry.metrics import Observation

        return [Observation(count, {"kind": kind}) for kind, count in self.live_counts().items()]

    # -- spans -----------------------------------------------------------------------------------------

    def _begin(self, key: object, name: str, attributes: dict[str, Any]) -> None:
        span = self._tracer.start_span(name, attributes=attributes)
        token = None
        # A span of the API alone (no SDK set up) has no context to hand down: not made current.
        # A sampled-out span of an SDK has one, and is made current, so its children follow it.
        if span.get_span_context().is_valid:
            token = self._context.attach(self._trace.set_span_in_context(span))
        self._open[id(key)] = (span, token)

    def _finish(self, key: object) -> Span | None:
        """The span of ``key``, no longer current; ``None`` when it records nothing (ended here)."""
        opened = self._open.pop(id(key), None)
        if opened is None:
            return None
        span, token = opened
        if token is not None:
            self._context.detach(token)
        if not span.is_recording():
            span.end()
            return None
        return span

    def start_began(self, start: StartObservation) -> None:
        """Open the start's span and make it current."""
        kind = start.kind
        attributes = {_KIND: kind, _SESSION_ID: start.session.id}
        _add_interaction(attributes, start.interaction)
        self._begin(start, f"nyx_sessions.start {kind}", attributes)

    def start_finished(self, start: StartObservation) -> None:
        """Close the start's span with its outcome."""
        if self._instruments is not None:
            super().start_finished(start)
        span = self._finish(start)
        if span is not None:
            span.set_attribute(_OUTCOME, start.outcome)
            span.set_attribute(_AUTO_DEFERRED, start.auto_deferred)
            span.end()

    def click_began(self, click: ClickObservation) -> None:
        """Open the click's span (named once its session is known) and make it current."""
        attributes = {_SESSION_ID: click.session_id}
        _add_interaction(attributes, click.interaction)
        self._begin(click, "nyx_sessions.click", attributes)

    def click_finished(self, click: ClickObservation) -> None:
        """Close the click's span with its kind and outcome."""
        if self._instruments is not None:
            super().click_finished(click)
        span = self._finish(click)
        if span is None:
            return
        kind = click.kind
        if kind:
            span.update_name(f"nyx_sessions.click {kind}")
        span.set_attribute(_KIND, kind)
        span.set_attribute(_OUTCOME, click.outcome)
        span.set_attribute(_AUTO_DEFERRED, click.auto_deferred)
        if click.outcome == "error":
            span.set_status(self._error)
        span.end()

    def end_began(self, end: EndObservation) -> None:
        """Open the end's span and make it current."""
        kind = end.kind
        attributes: dict[str, Any] = {
            _KIND: kind,
            _SESSION_ID: end.session.id,
            _END_CODE: code_label(end.code),
        }
        if end.lateness is not None:
            attributes["nyx_sessions.expiry_lateness"] = end.lateness
        self._begin(end, f"nyx_sessions.end {kind}", attributes)

    def end_finished(self, end: EndObservation) -> None:
        """Close the end's span."""
        if self._instruments is not None:
            super().end_finished(end)
        span = self._finish(end)
        if span is not None:
            span.set_attribute("nyx_sessions.ended_here", end.ended_here)
            span.end()

    def store_call_began(self, call: StoreCallObservation) -> None:
        """Open a child span of the current step for the store call (not made current)."""
        span = self._tracer.start_span(
            f"nyx_sessions.store {call.operation}",
            attributes={"nyx_sessions.store": call.store, "nyx_sessions.store.operation": call.operation},
        )
        self._open[id(call)] = (span, None)

    def store_call_finished(self, call: StoreCallObservation) -> None:
        """Close the store call's span, with its error if it failed."""
        if self._instruments is not None:
            super().store_call_finished(call)
        opened = self._open.pop(id(call), None)
        if opened is None:
            return
        span = opened[0]
        if call.error is not None:
            span.record_exception(call.error)
            span.set_status(self._error)
        span.end()

    def session_failed(self, session: AbstractSession[Any], error: BaseException, during: str) -> None:
        """Record the error on the span of the step it broke (the current one)."""
        if self._instruments is not None:
            super().session_failed(session, error, during)
        span = self._trace.get_current_span()
        span.record_exception(error)
        span.set_status(self._error)

    def lease_waited(self, session_id: str, seconds: float) -> None:
        """Note the wait on the current span, and record it."""
        if self._instruments is not None:
            super().lease_waited(session_id, seconds)
        self._trace.get_current_span().add_event(
            "nyx_sessions.lease_wait", {_SESSION_ID: session_id, "seconds": seconds}
        )


def _add_interaction(attributes: dict[str, Any], interaction: Any) -> None:
    if interaction is not None:
        attributes[_INTERACTION_ID] = str(interaction.id)
        if interaction.guild_id is not None:
            attributes[_GUILD_ID] = str(interaction.guild_id)
