"""The people the per-submission benchmarks judge (bench_engine.py, bench_zen.py): N synthetic
TKV 2019 subjects (values around every threshold, about 80% individuals), the individuals kept."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from emulation_rules import load_facts
from emulation_rules.authoring import _synthetic as synthetic


def size_options(description: str | None) -> argparse.ArgumentParser:
    """The options both benchmarks take: ``-n``, ``--repeat``, ``--seed``."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=20_000, help="synthetic subjects (about 80%% individuals)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    return parser


def individuals(campaign: Any, n: int, seed: int) -> list[Any]:
    """The validated individuals among ``n`` synthetic subjects of ``campaign``."""
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = synthetic.write_csv(campaign, n, Path(tmp) / "subjects.csv", seed=seed)
        return [s for s in load_facts(csv_path, campaign).subjects if s.kind == "individual"]
