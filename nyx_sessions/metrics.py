"""Prometheus metrics of sessions: :class:`PrometheusObserver` (extra ``nyx-sessions[prometheus]``).

::

    from prometheus_client import start_http_server
    from nyx_sessions.metrics import PrometheusObserver

    nyx_sessions.configure(bot, observers=[PrometheusObserver()])
    start_http_server(9108)                      # /metrics, on prometheus-client's default registry

This module imports without ``prometheus-client``; building the observer without it raises an
:class:`ImportError` naming the extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nyx_sessions._measuring import METRICS, MeasuringObserver

if TYPE_CHECKING:
    from collections.abc import Iterator

    from prometheus_client.registry import CollectorRegistry

__all__ = ("PrometheusObserver",)


def _prometheus() -> Any:
    """``prometheus_client``, or an error that says how to install it."""
    try:
        import prometheus_client
    except ImportError as error:
        raise ImportError(
            'PrometheusObserver needs prometheus-client: pip install "nyx-sessions[prometheus]"'
        ) from error
    return prometheus_client


class PrometheusObserver(MeasuringObserver):
    """Session metrics for Prometheus: give it to the manager, serve its registry on ``/metrics``.

    Registers, on ``registry``, ``<namespace>_live{kind}`` (gauge, counted at each scrape),
    ``_started_total{kind}``, ``_ended_total{kind,code}``, ``_clicks_total{kind,outcome}``,
    ``_click_seconds{kind}``, ``_first_response_seconds{kind}``, ``_auto_deferred_total{kind}``,
    ``_errors_total{kind,type}``, ``_store_seconds{store,operation}``,
    ``_store_errors_total{store,operation,type}``, ``_expiry_lateness_seconds`` and
    ``_lease_wait_seconds`` (the ``_seconds`` ones are histograms). Label values are bounded: kinds
    (a class's durable ``kind``, else its qualified name; empty for a click on a session not known
    here), end codes, click outcomes, exception class names and store operations, never ids.

    One observer may serve several bots (give it to each); a registry takes one observer per
    namespace.

    Parameters
    ----------
    registry: Optional[``prometheus_client.CollectorRegistry``]
        Where the metrics are registered; prometheus-client's default registry when ``None`` (what
        ``start_http_server(port)`` serves).
    namespace: :class:`str`
        The prefix of every metric name.

    Raises
    ------
    ImportError
        ``prometheus-client`` is not installed (``pip install "nyx-sessions[prometheus]"``).
    """

    def __init__(self, registry: CollectorRegistry | None = None, *, namespace: str = "nyx_sessions") -> None:
        super().__init__()
        prometheus = _prometheus()
        self._registry: CollectorRegistry = prometheus.REGISTRY if registry is None else registry
        self._namespace = namespace
        self._metrics: dict[str, Any] = {}
        # Each metric's child per label values: prometheus-client's labels() checks and locks per call.
        self._children: dict[tuple[str, tuple[str, ...]], Any] = {}
        made = {"counter": prometheus.Counter, "histogram": prometheus.Histogram}
        for metric in METRICS:
            if metric.type == "gauge":
                continue  # the live gauge is counted at scrape time, by _LiveSessions
            self._metrics[metric.name] = made[metric.type](
                metric.name,
                metric.help,
                metric.labels,
                namespace=namespace,
                registry=self._registry,
            )
        self._registry.register(_LiveSessions(self, namespace))

    @property
    def registry(self) -> CollectorRegistry:
        """``prometheus_client.CollectorRegistry``: Where the metrics are registered."""
        return self._registry

    @property
    def namespace(self) -> str:
        """:class:`str`: The prefix of every metric name."""
        return self._namespace

    def _add(self, name: str, labels: tuple[str, ...], amount: float = 1.0) -> None:
        self._child(name, labels).inc(amount)

    def _observe(self, name: str, labels: tuple[str, ...], value: float) -> None:
        self._child(name, labels).observe(value)

    def _child(self, name: str, labels: tuple[str, ...]) -> Any:
        key = (name, labels)
        child = self._children.get(key)
        if child is None:
            metric = self._metrics[name]
            child = self._children[key] = metric.labels(*labels) if labels else metric
        return child


class _LiveSessions:
    """The live gauge, counted from the attached managers at each scrape (a custom collector)."""

    def __init__(self, observer: PrometheusObserver, namespace: str) -> None:
        self._observer = observer
        self._name = f"{namespace}_live"

    def describe(self) -> Iterator[Any]:
        """The gauge's family, without samples (registration does not count sessions)."""
        yield self._family()

    def collect(self) -> Iterator[Any]:
        """The gauge with one sample per kind that has running sessions."""
        family = self._family()
        for kind, count in sorted(self._observer.live_counts().items()):
            family.add_metric((kind,), count)
        yield family

    def _family(self) -> Any:
        from prometheus_client.core import GaugeMetricFamily

        help_text = next(metric.help for metric in METRICS if metric.name == "live")
        return GaugeMetricFamily(self._name, help_text, labels=("kind",))
