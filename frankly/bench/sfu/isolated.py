"""A server's run in a child process inside a private network namespace (netns.py).

The parent writes the settings to a JSON file and starts
`unshare --net -- python -m frankly.bench.sfu --worker FILE`; the child
brings the namespace's network up, runs `ramp.measure` on the server named in
the file and writes the steps back as JSON, which the parent reads into a
`ServerResult`.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from frankly.bench.sfu import netns
from frankly.bench.sfu.ramp import measure
from frankly.bench.sfu.results import ServerResult, Step
from frankly.bench.sfu.server import Server
from frankly.bench.sfu.servers import by_name
from frankly.bench.sfu.settings import Settings


def run_isolated(kind: type[Server], settings: Settings) -> ServerResult:
    """Run `kind`'s ramp in a child process inside a private network namespace."""
    name = kind.name
    with tempfile.TemporaryDirectory(prefix="frankly-bench-") as tmp:
        out = Path(tmp) / "result.json"
        options = Path(tmp) / "settings.json"
        options.write_text(
            json.dumps({"server": name, "settings": asdict(settings), "out": str(out)})
        )
        command = ["unshare", "--net", "--", sys.executable, "-m", "frankly.bench.sfu"]
        command += ["--worker", str(options)]
        budget = 120 + len(settings.viewers) * (settings.seconds + 25 + settings.quiet_wait)
        try:
            subprocess.run(command, timeout=budget, check=False)
        except subprocess.TimeoutExpired:
            return ServerResult(name, error=f"the {name} run took over {budget:.0f} s")
        if not out.exists():
            return ServerResult(name, error=f"the {name} run ended without results")
        data = json.loads(out.read_text())
    result = ServerResult(name, error=data["error"], log_problems=data["log_problems"])
    result.steps = [Step.from_dict(fields) for fields in data["steps"]]
    return result


def worker(options_path: str) -> None:
    """The child: set up the private network, run the server's ramp, write the steps."""
    options = json.loads(Path(options_path).read_text())
    settings = Settings(**options["settings"])
    kind = by_name(options["server"])
    try:
        netns.enter()
        result = asyncio.run(measure(kind.for_run(settings), settings))
    except Exception as exc:
        result = ServerResult(kind.name, error=f"{type(exc).__name__}: {exc}")
        settings.say(f"{kind.name}: stopped: {result.error}")
    out = {
        "error": result.error,
        "log_problems": result.log_problems,
        "steps": [asdict(step) for step in result.steps],
    }
    Path(options["out"]).write_text(json.dumps(out))
