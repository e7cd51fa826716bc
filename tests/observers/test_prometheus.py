"""Prometheus metrics (API §14): a bot with a PrometheusObserver serves them on a real ``/metrics``.

Each story drives the bot through the testing kit (real interactions, a fake Discord), then scrapes
the endpoint that ``prometheus_client.start_http_server`` serves from the observer's own registry and
parses it as Prometheus would.
"""

from __future__ import annotations

import asyncio
import urllib.request
from collections.abc import Iterator, Sequence
from typing import Any

import discord
import pytest
from discord.ext import commands
from observed_panel import Panel, button, panels
from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.parser import text_string_to_metric_families

from nyx_sessions.metrics import PrometheusObserver
from nyx_sessions.observers import SessionObserver
from nyx_sessions.storage import ManualClock
from nyx_sessions.testing import InteractionHarness

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def session_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def session_observers(registry: CollectorRegistry) -> Sequence[SessionObserver]:
    return [PrometheusObserver(registry)]


@pytest.fixture
def metrics_url(registry: CollectorRegistry) -> Iterator[str]:
    server, thread = start_http_server(0, addr="127.0.0.1", registry=registry)
    try:
        yield f"http://127.0.0.1:{server.server_port}/metrics"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def scrape(url: str) -> Samples:
    """Every sample ``/metrics`` serves, by name and labels (a blocking read: the server has its thread)."""
    with urllib.request.urlopen(url, timeout=5) as response:
        text = response.read().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_starts_and_every_click_outcome_are_counted_by_kind(
    harness: InteractionHarness, panels: list[Panel], metrics_url: str
) -> None:
    started = await harness.slash("panel")
    samples = scrape(metrics_url)
    assert value(samples, "nyx_sessions_started_total", kind="Panel") == 1
    assert value(samples, "nyx_sessions_live", kind="Panel") == 1

    await harness.click(started, label="ok")  # handled
    await harness.click(started, label="ok", user=1)  # another member: denied
    with harness.expect_errors(ValueError):
        await harness.click(started, label="boom")  # error
    ok = harness.build_payload(
        3, {"custom_id": button(harness, started, "ok"), "component_type": 2}, message=started
    )
    await harness.inject(ok)
    await harness.inject(ok)  # the same interaction delivered twice: replayed
    forged = harness.build_payload(3, {"custom_id": "SSN\u0b75", "component_type": 2}, message=started)
    await harness.inject(forged)  # in the namespace, unreadable: unknown
    await harness.click(started, label="stop")  # handled; the session ends
    await harness.click(started, label="ok")  # expired

    samples = scrape(metrics_url)
    clicks = {
        outcome: value(samples, "nyx_sessions_clicks_total", kind=kind, outcome=outcome)
        for outcome, kind in (
            ("handled", "Panel"),
            ("denied", "Panel"),
            ("error", "Panel"),
            ("replayed", ""),
            ("unknown", ""),
            ("expired", ""),
        )
    }
    assert clicks == {"handled": 3, "denied": 1, "error": 1, "replayed": 1, "unknown": 1, "expired": 1}
    assert value(samples, "nyx_sessions_errors_total", kind="Panel", type="ValueError") == 1
    assert value(samples, "nyx_sessions_ended_total", kind="Panel", code="SELF_ENDED") == 1
    assert value(samples, "nyx_sessions_live", kind="Panel") == 0
    # Handler times for the clicks whose handler ran (3 handled, 1 error); first answers for all four
    # and for the denied click's notice.
    assert value(samples, "nyx_sessions_click_seconds_count", kind="Panel") == 4
    assert value(samples, "nyx_sessions_first_response_seconds_count", kind="Panel") == 5
    assert value(samples, "nyx_sessions_auto_deferred_total", kind="Panel") == 0
    labels = {dict(key[1]).get("kind") for key in samples if "kind" in dict(key[1])}
    assert labels <= {"Panel", ""}, "no ids among the label values"


async def test_a_slow_click_is_counted_as_deferred_automatically_and_its_first_answer_timed(
    harness: InteractionHarness, panels: list[Panel], metrics_url: str, session_clock: ManualClock
) -> None:
    started = await harness.slash("panel")
    clicked = await harness.click(started, label="slow", settle=False)
    await harness.wait_until(lambda: panels[0].gate is not None, what="the handler runs")
    session_clock.advance(2.0)
    await harness.wait_until(lambda: clicked.response is not None, what="the manager deferred the click")
    gate = panels[0].gate
    assert gate is not None
    gate.set()
    await harness.settle()

    samples = scrape(metrics_url)
    assert value(samples, "nyx_sessions_auto_deferred_total", kind="Panel") == 1
    assert value(samples, "nyx_sessions_first_response_seconds_count", kind="Panel") == 1
    assert value(samples, "nyx_sessions_clicks_total", kind="Panel", outcome="handled") == 1


async def test_an_expiry_is_counted_with_its_lateness(
    harness: InteractionHarness, panels: list[Panel], metrics_url: str, session_clock: ManualClock
) -> None:
    await harness.slash("panel")
    session_clock.advance(61)
    await harness.settle()

    samples = scrape(metrics_url)
    assert value(samples, "nyx_sessions_ended_total", kind="Panel", code="EXPIRED") == 1
    assert value(samples, "nyx_sessions_expiry_lateness_seconds_count") == 1
    # Measured on the manager's clock: the manual clock jumped one second past the deadline.
    assert value(samples, "nyx_sessions_expiry_lateness_seconds_sum") == pytest.approx(1.0)
    assert value(samples, "nyx_sessions_live", kind="Panel") == 0


def test_the_registry_holds_exactly_the_documented_metrics(registry: CollectorRegistry) -> None:
    PrometheusObserver(registry, namespace="bot")
    names = {family.name for family in registry.collect()}
    assert names == {
        "bot_live",
        "bot_started",
        "bot_ended",
        "bot_clicks",
        "bot_click_seconds",
        "bot_first_response_seconds",
        "bot_auto_deferred",
        "bot_errors",
        "bot_store_seconds",
        "bot_store_errors",
        "bot_expiry_lateness_seconds",
        "bot_lease_wait_seconds",
    }
