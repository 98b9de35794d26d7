"""`make bench-scale` keeps working: the realtime benchmark through nginx to two workers on
PostgreSQL + Redis, on a small room. Figures are never asserted; what is checked is one JSON
line per set-up, every phone on a worker, every phase reached, nothing lost or stored twice,
and nothing left running or on disk afterwards."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.servers import ROOT


def run_in(temp: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "benchmarks/realtime_load.py", "--database", "postgres",
         "--workers", "1", "2", "--phones", "12", "--sustained-seconds", "1", "--rate", "10",
         "--joins", "4"], cwd=ROOT, capture_output=True, text=True, timeout=240,
        env=dict(os.environ, TMPDIR=str(temp)))


def test_the_scale_benchmark_prints_one_line_per_worker_count_and_cleans_up() -> None:
    # Its own temporary directory (readable by the postgres user), empty again at the end.
    temp = Path(tempfile.mkdtemp(prefix="meetup-bench-scale-test-"))
    temp.chmod(0o755)
    try:
        done = run_in(temp)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert list(temp.iterdir()) == []
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert [line["workers"] for line in lines] == [1, 2]
    for figures in lines:
        assert figures["participants"] == 12 and figures["connected"] == 12
        assert sum(figures["spread"]) == 12 and len(figures["spread"]) == figures["workers"]
        assert len(figures["worker_peak_rss_mb"]) == figures["workers"]
        for key in ("connect_all_s", "reconnect_storm_s"):
            assert figures[key] is not None, key
        for key in ("note_ack_ms", "note_fanout_ms", "phase_broadcast_ms", "join_ms"):
            assert figures[key]["p95"] is not None, key
        assert figures["writes_lost"] == 0 and figures["duplicates"] == 0
