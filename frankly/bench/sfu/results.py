"""The figures of one measured window (`Step`) and of one server's run (`ServerResult`).

A leaf: plain data and the arithmetic on it, importing nothing of the project,
so that the report, the ramp and the JSON a child process writes share it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

LOSS_LIMIT = 0.01  # the ramp stops at the first step that loses this much


@dataclass
class Step:
    """One measured window."""

    server: str
    label: str  # ramp | half
    publishers: int
    viewers: int
    subscriptions: int  # tracks forwarded: one track to one participant
    seconds: float
    received: int
    expected: int
    cpu_seconds: float
    system_seconds: float  # of cpu_seconds, in the kernel (system calls: sendmsg, ...)
    generator_cpu_seconds: float
    rss_kib: int
    idle_rss_kib: int
    latency_us: tuple[float, float, float]  # p50, p99, max: kernel arrival - send stamp
    baseline_us: tuple[float, float]  # the direct path's p50, p99
    server_drops: int
    generator_drops: int
    send_lag_p99_ms: float
    stalls: int
    not_ready: int  # receivers that had not got every stream before the window
    srtp: str = ""
    stray: int = 0
    other_load: float = 0.0  # share of the server's CPUs that other processes used

    @property
    def receivers(self) -> int:
        return self.publishers + self.viewers

    @property
    def pps(self) -> float:
        return self.received / self.seconds

    @property
    def cpu(self) -> float:
        return self.cpu_seconds / self.seconds

    @property
    def generator_cpu(self) -> float:
        return self.generator_cpu_seconds / self.seconds

    @property
    def per_cpu_second(self) -> float:
        return self.received / self.cpu_seconds if self.cpu_seconds > 0 else float("nan")

    @property
    def loss(self) -> float:
        return 1 - self.received / self.expected if self.expected else float("nan")

    @property
    def added_ms(self) -> tuple[float, float]:
        base = self.baseline_us[0]
        return (self.latency_us[0] - base) / 1000, (self.latency_us[1] - base) / 1000

    @property
    def rss_per_subscription_kib(self) -> float:
        if not self.subscriptions:
            return float("nan")
        return (self.rss_kib - self.idle_rss_kib) / self.subscriptions

    @property
    def generator_bound(self) -> bool:
        return self.generator_cpu > 0.9 or self.generator_drops > 0.2 * max(
            1, self.expected - self.received
        )

    @classmethod
    def from_dict(cls, fields: dict[str, Any]) -> Step:
        """The inverse of `asdict`, which JSON has turned the tuples of into lists."""
        tuples = {name: tuple(fields[name]) for name in ("latency_us", "baseline_us")}
        return cls(**{**fields, **tuples})

    def summary(self) -> dict[str, Any]:
        """Every figure, the derived ones included, for `--json`."""
        out = asdict(self)
        out.update(
            pps=self.pps,
            cpu=self.cpu,
            per_cpu_second=self.per_cpu_second,
            loss=self.loss,
            added_ms=self.added_ms,
            rss_per_subscription_kib=self.rss_per_subscription_kib,
            generator_cpu=self.generator_cpu,
        )
        return out


@dataclass
class ServerResult:
    server: str
    steps: list[Step] = field(default_factory=list)
    error: str = ""
    profile: str = ""
    log_problems: int = 0  # error lines in the server's log

    @property
    def ramp(self) -> list[Step]:
        return [s for s in self.steps if s.label == "ramp"]

    @property
    def capacity(self) -> Step | None:
        """The highest forwarded rate of the ramp below the loss limit."""
        good = [s for s in self.ramp if s.loss < LOSS_LIMIT]
        return max(good, key=lambda s: s.pps, default=None)

    @property
    def capacity_reached(self) -> bool:
        """True when the ramp went on until a step lost 1% or more."""
        return any(s.loss >= LOSS_LIMIT for s in self.ramp)

    @property
    def rss_slope_kib(self) -> float | None:
        """Memory that one more subscription costs: RSS growth over the ramp."""
        ramp = self.ramp
        if len(ramp) < 2 or ramp[-1].subscriptions == ramp[0].subscriptions:
            return None
        grown = ramp[-1].rss_kib - ramp[0].rss_kib
        return grown / (ramp[-1].subscriptions - ramp[0].subscriptions)

    @property
    def half(self) -> Step | None:
        return next((s for s in self.steps if s.label == "half"), None)

    def summary(self) -> dict[str, Any]:
        """The run's figures, for `--json`."""
        return {
            "server": self.server,
            "error": self.error,
            "steps": [s.summary() for s in self.steps],
            "profile": self.profile,
            "log_problems": self.log_problems,
        }
