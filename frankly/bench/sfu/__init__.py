"""`frankly bench sfu`: forwarding throughput, latency and memory, beside Janus.

The benchmark starts `frankly serve` as a process of its own on loopback,
joins publishers (microphone and camera, synthetic, see loadgen.py) and then
adds viewers step by step. Everyone receives everyone else's streams. At
each step it measures, over a window of a few seconds:

- forwarded packets a second: what the generator's receivers got, counted by
  the stamp each publisher put in its payload, so a packet counts once it has
  been through the SFU and back to a subscriber;
- the SFU process's CPU (utime + stime of all its threads, /proc/PID/stat),
  and so forwarded packets per CPU-second;
- loss: 1 - received / (sent x receivers), over the packets sent in the
  window; the kernel's UDP drop counters (/proc/net/udp) tell whether the
  server's socket or the generator's overflowed;
- added latency: kernel arrival time at the subscriber minus the send stamp,
  minus the median of the same measure on a direct path between two of the
  generator's own sockets (the generator's own share);
- RSS of the SFU process over its idle RSS, per subscription (one track
  forwarded to one participant).

The ramp stops at the first step with 1% loss or more; capacity is the
highest forwarded rate below that. The load is then cut to about half of
capacity and measured again, for latency. Janus runs the identical ramp in
the same run (servers/janus.py), and the two are printed side by side with ratios.

By default the server is pinned to the last CPU and the generator to the
first, so that each server has exactly one core whatever its threading. As
root, the generator and the servers also run at nice -20, and so does their
session's scheduler autogroup (where the kernel has autogroups, nice counts
only within one): on a shared machine, other processes then get mostly what
the server leaves idle. Each step notes how much of the server's CPU other
processes used, and waits (up to QUIET_WAIT) for them to calm down first.

The package, leaves first:

- results.py: Step and ServerResult, the figures; settings.py: what a run does;
- proc.py: what is read from /proc; netns.py: the private network namespace;
- profiling.py: py-spy at capacity and where the time goes; report.py: the tables;
- server.py: the Target protocol (participants joining a server) and Server,
  the process lifecycle every server shares;
- servers/: one file a server (frankly.py, janus.py) and the SERVERS table;
- ramp.py: one server's run (start, ramp, half, stop); isolated.py: the same in
  a child process inside a private network namespace;
- cli.py: `run`, the comparison, and the command line.
"""

from __future__ import annotations

from frankly.bench.sfu.cli import add_arguments, main, options, run
from frankly.bench.sfu.profiling import summarize_profile

__all__ = ["add_arguments", "main", "options", "run", "summarize_profile"]
