"""Watching a running server: its counters, metrics, health (docs/operations.md).

`stats` holds the plain counters the signaling plane keeps (the SFU keeps its
own on its router and media server); `metrics` reads both at scrape time for
Prometheus; `listener` serves them on a port of their own; `lag` measures the
event loop's delay; `health` says whether the server is ready for meetings.
The event log lines are in frankly/server/logs.py, beside the rest of logging.
"""
