"""The series overview benchmark (issue 25) runs end to end on a small series and prints its
figures as the last line (the figures themselves are never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.servers import ROOT


def test_the_series_overview_benchmark_prints_its_figures() -> None:
    done = subprocess.run([sys.executable, "benchmarks/series_overview_benchmark.py",
                           "--meetups", "3", "--agreements", "30", "--repeat", "2",
                           "--pdf-repeat", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert (figures["meetups"], figures["agreements"]) == (3, 30)
    assert figures["pdf_pages"] >= 3 and figures["returning_organisations"] > 0
    for key in ("floor_select", "page", "page_filtered", "csv", "json", "organisations",
                "organisations_filtered", "organisations_csv", "pdf", "pdf_build_only"):
        assert set(figures[key]) == {"p50", "p95", "max"}, key
