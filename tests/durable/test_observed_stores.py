"""Metrics and traces of durable sessions (API §14) on real stores: SQLite in a temporary folder and a
real redis-server, through a restart, a restoring click and an expiry.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator, Sequence

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.parser import text_string_to_metric_families

from nyx_sessions.metrics import PrometheusObserver
from nyx_sessions.observers import SessionObserver
from nyx_sessions.storage import ManualClock, SessionStore, SQLiteSessionStore
from nyx_sessions.testing import InteractionHarness
from nyx_sessions.tracing import OpenTelemetryObserver


@pytest.fixture
def session_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def session_observers(
    registry: CollectorRegistry, exporter: InMemorySpanExporter
) -> Sequence[SessionObserver]:
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    return [PrometheusObserver(registry), OpenTelemetryObserver(tracer_provider)]


@pytest.fixture
def metrics_url(registry: CollectorRegistry) -> Iterator[str]:
    server, thread = start_http_server(0, addr="127.0.0.1", registry=registry)
    try:
        yield f"http://127.0.0.1:{server.server_port}/metrics"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def scrape(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    with urllib.request.urlopen(url, timeout=5) as response:
        text = response.read().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_durable_clicks_store_calls_and_expiry_are_measured_across_a_restart(
    harness: InteractionHarness,
    session_store: SessionStore,
    session_clock: ManualClock,
    metrics_url: str,
    exporter: InMemorySpanExporter,
) -> None:
    store = "sqlite" if isinstance(session_store, SQLiteSessionStore) else "redis"
    started = await harness.slash("counter")
    await harness.click(started, label="+1")
    samples = scrape(metrics_url)
    assert samples[("nyx_sessions_live", frozenset({("kind", "test.counter")}))] == 1

    await harness.restart()  # a deploy: the session is detached, no longer live here
    samples = scrape(metrics_url)
    assert ("nyx_sessions_live", frozenset({("kind", "test.counter")})) not in samples
    restored = await harness.click(started, label="+1")  # restored from the store
    assert restored.response is not None and restored.response.type == 7

    session_clock.advance(601)  # past the counter's TTL: the store's deadline ends it
    await harness.settle()

    samples = scrape(metrics_url)

    def value(name: str, **labels: str) -> float:
        return samples.get((name, frozenset(labels.items())), 0.0)

    assert value("nyx_sessions_started_total", kind="test.counter") == 1
    assert value("nyx_sessions_clicks_total", kind="test.counter", outcome="handled") == 2
    assert value("nyx_sessions_ended_total", kind="test.counter", code="EXPIRED") == 1
    assert value("nyx_sessions_expiry_lateness_seconds_count") == 1
    assert value("nyx_sessions_expiry_lateness_seconds_sum") == pytest.approx(1.0, abs=0.01)
    assert value("nyx_sessions_store_seconds_count", store=store, operation="create") == 1
    assert value("nyx_sessions_store_seconds_count", store=store, operation="commit") == 2
    assert value("nyx_sessions_store_seconds_count", store=store, operation="load") >= 1
    assert value("nyx_sessions_store_seconds_count", store=store, operation="claim_due") >= 1
    assert not any(name == "nyx_sessions_store_errors_total" for name, _ in samples)

    # The restoring click's store calls are child spans of its click span.
    click = next(
        span
        for span in exporter.get_finished_spans()
        if span.name == "nyx_sessions.click test.counter"
        and span.attributes is not None
        and span.attributes["discord.interaction.id"] == str(restored.id)
    )
    assert click.context is not None
    children = [
        span.name
        for span in exporter.get_finished_spans()
        if span.parent is not None and span.parent.span_id == click.context.span_id
    ]
    assert "nyx_sessions.store load" in children and "nyx_sessions.store commit" in children
    (end,) = [span for span in exporter.get_finished_spans() if span.name.startswith("nyx_sessions.end")]
    assert end.attributes is not None and end.attributes["nyx_sessions.end_code"] == "EXPIRED"
