"""The stream monitor: who is live at the top of Twitch, and which channels chatlake follows.

Each cycle (a Dagster schedule tick, or `chatlake monitor run` / the demo's loop) reads the top
live streams (`ranking`), decides joins and leaves with hysteresis (`rules`, pure), records the
state in PostgreSQL (`store`) and announces the changes on `stream-lifecycle` (`cycle`).
"""

from ingest.monitor.cycle import CycleReport, MonitorConfig, monitor_cycle, run_monitor_cycle
from ingest.monitor.rules import MonitorRules

__all__ = ["CycleReport", "MonitorConfig", "MonitorRules", "monitor_cycle", "run_monitor_cycle"]
