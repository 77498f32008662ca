"""Every script in benchmarks/ runs as shipped, on a tiny size (its figures are not checked:
speed is measured by the scripts themselves, never in tests)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from emulation_rules.evaluate.base import backend_problem
from tests.conftest import ROOT

BENCHMARKS = ROOT / "benchmarks"

TINY: dict[str, list[str]] = {
    "bench_bulk.py": ["-n", "300", "--durable-sample", "100", "--python-sample", "200", "--repeat", "1",
                      "--chunk-rows", "100"],
    "bench_coldstart.py": ["--runs", "1", "--top", "3"],
    "bench_diff.py": ["-n", "2000", "--repeat", "1"],
    "bench_engine.py": ["-n", "200", "--repeat", "1"],
    "bench_input_limits.py": ["--csv-mib", "0.2"],
    "bench_mutate.py": [str(ROOT / "campaigns" / "cases" / "phurieng_2017.yaml"), "--repeat", "1"],
    "bench_paths.py": ["-n", "300", "--per-subject", "100", "--repeat", "1"],
    "bench_quotas.py": ["-n", "300", "--units", "5", "--repeat", "1"],
    "bench_rollup.py": ["-n", "2000"],
    "bench_service.py": ["--duration", "1", "--warmup", "0.5", "--connections", "2", "--connections-2", "2",
                         "--reloads", "2", "--postgres"],
    "bench_xlsx.py": ["-n", "100", "--repeat", "1"],
    "bench_zen.py": ["-n", "300", "--repeat", "1"],  # with zen-engine installed, also the comparison
}
"""Each script with arguments that make it quick (a new script needs an entry here)."""

NEEDS_DURABLE = {"bench_engine.py"}
"""Scripts that measure durable-rules itself (it does not import on CPython 3.13 and later)."""


def test_every_benchmark_has_a_tiny_size():
    assert sorted(p.name for p in BENCHMARKS.glob("bench_*.py")) == sorted(TINY)


@pytest.mark.parametrize("script", sorted(TINY))
def test_the_benchmark_runs_as_shipped(script, tmp_path):
    if script in NEEDS_DURABLE and backend_problem("durable"):
        pytest.skip(f"{script} compares with durable-rules driven directly: {backend_problem('durable')}")
    env = {**os.environ, "EMULATION_RULES_CACHE": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, str(BENCHMARKS / script), *TINY[script]], cwd=tmp_path,
                          capture_output=True, text=True, env=env, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert proc.stdout.strip()
