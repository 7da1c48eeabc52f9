"""What one run of `frankly bench sfu` does (`Settings`), and the defaults of its options.

Plain data: a child process that runs a server in a namespace of its own gets
it as JSON (isolated.py), and `--json` writes it beside the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from frankly.bench.loadgen import MediaProfile

DEFAULT_VIEWERS = (0, 10, 20, 30, 40, 50, 60, 70)
QUIET_WAIT = 5.0  # seconds a step may wait for other processes to calm down


@dataclass
class Settings:
    """What one run does; passed as JSON to a child process (isolated.py)."""

    publishers: int = 10
    viewers: list[int] = field(default_factory=lambda: list(DEFAULT_VIEWERS))
    seconds: float = 5.0
    server_cpus: list[int] | None = None
    srtp: str = "any"
    quiet: bool = False
    quiet_wait: float = QUIET_WAIT
    profile: str | None = None
    profile_seconds: float = 10.0
    paced: bool = False

    @property
    def media(self) -> MediaProfile:
        return MediaProfile(paced=self.paced)

    @property
    def cpus(self) -> set[int] | None:
        return set(self.server_cpus) if self.server_cpus is not None else None

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, flush=True)
