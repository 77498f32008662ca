"""Coverage-guided fuzzing of every text input path, for long runs (optional; not run by pytest).

    pip install atheris
    python tests/fuzz/atheris_target.py -max_total_time=3600 fuzz-corpus/ campaigns/ examples/*/

The first byte of an input picks the path (campaign YAML, facts YAML, JSON or CSV); the rest is
the file. The properties are those of ``test_fuzz_inputs.py``: only the library's own errors,
every problem located with its file and a line. A crash, a hang (``-timeout=5``) or an
assertion is a finding; keep its reproducer as a regression case under ``tests/regressions``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

try:
    import atheris
except ImportError:  # pragma: no cover - optional tool
    sys.exit("atheris is not installed: pip install atheris")

with atheris.instrument_imports():
    from emulation_rules.campaign.opening import load_campaign
    from emulation_rules.errors import EmulationRulesError
    from emulation_rules.facts.load import load_facts

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGN = load_campaign(ROOT / "campaigns" / "tkv_2019.yaml")
SCRATCH = Path(tempfile.mkdtemp(prefix="er-fuzz-"))
SUFFIXES = (".yaml", ".yaml", ".json", ".csv")


def check(data: bytes) -> None:
    if not data:
        return
    kind = data[0] % len(SUFFIXES)
    path = SCRATCH / f"input{SUFFIXES[kind]}"
    path.write_bytes(data[1:])
    try:
        if kind == 0:
            load_campaign(path)
        else:
            load_facts(path, CAMPAIGN, on_error="skip")
    except EmulationRulesError as exc:
        for problem in getattr(exc, "problems", ()):
            loc = problem.location
            assert loc is not None and loc.file == str(path) and loc.line >= 1, str(problem)


if __name__ == "__main__":
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()
