"""Watching a running server: its counters, metrics, health and event log lines.

`stats` holds the plain counters the signaling plane keeps (the SFU keeps its
own on its router and media server); `metrics` reads both at scrape time and
serves them to Prometheus; `lag` measures the event loop's delay; `health`
says whether the process answers and is ready for meetings.
"""
