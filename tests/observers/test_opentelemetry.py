"""OpenTelemetry traces and metrics (API §14), recorded by the SDK's in-memory exporter and reader.

The observer depends on opentelemetry-api only; the SDK here stands in for what a bot would set up
(an exporter to a collector).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from observed_panel import Panel, button, panels
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from nyx_sessions.observers import SessionObserver
from nyx_sessions.testing import InteractionHarness
from nyx_sessions.tracing import OpenTelemetryObserver


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def reader() -> InMemoryMetricReader:
    return InMemoryMetricReader()


@pytest.fixture
def session_observers(
    exporter: InMemorySpanExporter, reader: InMemoryMetricReader
) -> Sequence[SessionObserver]:
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    return [OpenTelemetryObserver(tracer_provider, MeterProvider(metric_readers=[reader]))]


def spans_named(exporter: InMemorySpanExporter, prefix: str) -> list[ReadableSpan]:
    return [span for span in exporter.get_finished_spans() if span.name.startswith(prefix)]


def points(reader: InMemoryMetricReader, name: str) -> dict[frozenset[tuple[str, Any]], Any]:
    data = reader.get_metrics_data()
    assert data is not None
    return {
        frozenset(point.attributes.items()): point
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
        if metric.name == name
        for point in metric.data.data_points
    }


async def test_a_start_and_a_click_are_spans_with_kind_session_and_interaction(
    harness: InteractionHarness, panels: list[Panel], exporter: InMemorySpanExporter
) -> None:
    started = await harness.slash("panel")
    payload = harness.build_payload(
        3, {"custom_id": button(harness, started, "ok"), "component_type": 2}, message=started
    )
    await harness.inject(payload)

    (start,) = spans_named(exporter, "nyx_sessions.start")
    assert start.name == "nyx_sessions.start Panel"
    assert start.attributes is not None
    assert start.attributes["nyx_sessions.kind"] == "Panel"
    assert start.attributes["nyx_sessions.session_id"] == panels[0].id
    assert start.attributes["nyx_sessions.outcome"] == "started"
    assert start.attributes["discord.interaction.id"] == str(started.id)
    assert start.attributes["discord.guild.id"] == str(harness.bot.guilds[0].id)

    (click,) = spans_named(exporter, "nyx_sessions.click")
    assert click.name == "nyx_sessions.click Panel"
    assert click.attributes is not None
    assert click.attributes["discord.interaction.id"] == payload["id"]
    assert click.attributes["nyx_sessions.outcome"] == "handled"
    assert click.attributes["nyx_sessions.auto_deferred"] is False
    assert click.attributes["nyx_sessions.session_id"] == panels[0].id


async def test_a_handler_error_is_recorded_on_its_click_span(
    harness: InteractionHarness, panels: list[Panel], exporter: InMemorySpanExporter
) -> None:
    started = await harness.slash("panel")
    with harness.expect_errors(ValueError):
        await harness.click(started, label="boom")
    (click,) = spans_named(exporter, "nyx_sessions.click")
    assert click.status.status_code is StatusCode.ERROR
    assert click.attributes is not None and click.attributes["nyx_sessions.outcome"] == "error"
    (event,) = [event for event in click.events if event.name == "exception"]
    assert event.attributes is not None
    assert event.attributes["exception.type"] == "ValueError"
    assert event.attributes["exception.message"] == "the database is gone"


async def test_an_end_inside_a_click_is_a_child_span_of_the_click(
    harness: InteractionHarness, panels: list[Panel], exporter: InMemorySpanExporter
) -> None:
    started = await harness.slash("panel")
    await harness.click(started, label="stop")
    (click,) = spans_named(exporter, "nyx_sessions.click")
    (end,) = spans_named(exporter, "nyx_sessions.end")
    assert end.name == "nyx_sessions.end Panel"
    assert end.attributes is not None and end.attributes["nyx_sessions.end_code"] == "SELF_ENDED"
    assert end.parent is not None and click.context is not None
    assert end.parent.span_id == click.context.span_id
    assert end.context is not None and end.context.trace_id == click.context.trace_id


async def test_a_click_on_an_unknown_session_is_a_span_without_kind(
    harness: InteractionHarness, panels: list[Panel], exporter: InMemorySpanExporter
) -> None:
    started = await harness.slash("panel")
    await harness.click(started, label="stop")
    await harness.click(started, label="ok")
    click = spans_named(exporter, "nyx_sessions.click")[-1]
    assert click.name == "nyx_sessions.click"
    assert click.attributes is not None and click.attributes["nyx_sessions.outcome"] == "expired"


async def test_the_same_metrics_go_through_the_meter(
    harness: InteractionHarness, panels: list[Panel], reader: InMemoryMetricReader
) -> None:
    started = await harness.slash("panel")
    await harness.click(started, label="ok")
    await harness.click(started, label="ok", user=1)

    clicks = points(reader, "nyx_sessions_clicks")
    assert clicks[frozenset({("kind", "Panel"), ("outcome", "handled")})].value == 1
    assert clicks[frozenset({("kind", "Panel"), ("outcome", "denied")})].value == 1
    assert points(reader, "nyx_sessions_started")[frozenset({("kind", "Panel")})].value == 1
    assert points(reader, "nyx_sessions_live")[frozenset({("kind", "Panel")})].value == 1
    assert points(reader, "nyx_sessions_click_seconds")[frozenset({("kind", "Panel")})].count == 1


def test_without_a_provider_the_api_alone_records_nothing_and_raises_nothing() -> None:
    observer = OpenTelemetryObserver()
    assert observer._instruments is None
