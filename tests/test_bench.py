"""bench/run.py runs end to end; its numbers are not judged here."""

import subprocess
import sys

from conftest import REPO_ROOT

HEADINGS = ["# Benchmark report", "## Figures", "## Image size", "## Import time"]


def test_bench_quick_run_prints_report():
    # Docker is left out because building the image could take minutes on a cold cache.
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "bench" / "run.py"), "--quick", "--skip-docker"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    for heading in HEADINGS:
        assert heading in completed.stdout.splitlines(), heading
