"""Traceability: every seed line carrying a number, a percentage or a date is accounted for.

For each seed (shared/seeds/00N_*.txt) and its campaign file, each line whose text (after a
leading clause number such as "1.", "2.2.1." or "IV.") holds a digit must be either

* encoded: cited by a ``source`` of at most ``NARROW`` lines anywhere in the campaign (a rule,
  a target or one phase's figure, a fact, a phase, the document...), or named by a recorded
  defect (which states how the encoding resolves it); or
* listed under ``not_machine_checkable`` with a reason.

Wide citations (a whole section) do not count: they would vouch for lines nobody read.

The seeds live outside the repository (../shared/seeds). So that the check also runs where they
are absent, ``tests/data/seed_numbered_lines.json`` keeps, per seed, its SHA-256, its line count
and the numbered line numbers (no text: seed 003 names a private person). Where the seeds are
present, a test checks that file against them; regenerate it with
``python tests/unit/test_traceability.py`` after a seed changes.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from emulation_rules import load_campaign
from emulation_rules.campaign import model as m

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
NARROW = 5

# "1.", "1.1.", "2.2.1", "IV.", "- 4.1." at the start of a line are clause numbers, not figures
_CLAUSE = re.compile(r"^\s*(?:[-\u2013\u2022*]\s*)?(?:[IVXLC]+\.|\d+(?:\.\d+)+\.?|\d+\.)\s+")
_DIGIT = re.compile(r"\d")

CAMPAIGNS = sorted((ROOT / "campaigns").glob("*.yaml"))
INDEX = ROOT / "tests" / "data" / "seed_numbered_lines.json"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds not available")


def numbered_lines(text: str) -> dict[int, str]:
    """``{line number: text}`` for the lines carrying a figure or a date."""
    out = {}
    for i, line in enumerate(text.splitlines(), 1):
        if _DIGIT.search(_CLAUSE.sub("", line, count=1)):
            out[i] = line.strip()
    return out


def build_index() -> dict[str, dict[str, object]]:
    """The index of every seed: sha256, line count, numbered line numbers."""
    out: dict[str, dict[str, object]] = {}
    for path in sorted(SEEDS.glob("0*.txt")):
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        out[path.name] = {
            "sha256": hashlib.sha256(raw).hexdigest(),
            "lines": len(text.splitlines()),
            "numbered": sorted(numbered_lines(text)),
        }
    return out


def index() -> dict[str, dict[str, object]]:
    return json.loads(INDEX.read_text(encoding="utf-8"))


def plan_file(c: m.Campaign) -> str:
    """File name of the campaign's plan text (a seed for the five shipped plans)."""
    assert c.plan.text is not None, f"{c.id}: the plan declares no text"
    return Path(c.plan.text).name


# the campaigns encoding one of the five plans (others, e.g. from a law, are not in the index)
SEED_CAMPAIGNS = [p for p in CAMPAIGNS if plan_file(load_campaign(p)) in index()]


def accounted_lines(c: m.Campaign) -> tuple[set[int], set[int]]:
    """(encoded lines, lines marked not machine-checkable)."""
    encoded: set[int] = set()
    plan = c.plan.id

    def walk(node: object) -> None:
        if isinstance(node, m.Source):
            if node.doc != plan or node.lines is None:
                return
            a, b = node.lines
            if b - a + 1 <= NARROW:
                encoded.update(range(a, b + 1))
            return
        if isinstance(node, BaseModel):
            for name in type(node).model_fields:
                walk(getattr(node, name))
        elif isinstance(node, tuple):
            for item in node:
                walk(item)

    walk(c)
    for d in c.defects:
        encoded.update(n for s in d.sources if s.doc == plan for n in _span(s))
    unchecked = {n for u in c.not_machine_checkable for s in u.sources if s.doc == plan
                 for n in _span(s)}
    return encoded, unchecked


def _span(s: m.Source) -> range:
    return range(s.lines[0], s.lines[1] + 1) if s.lines is not None else range(0)


def test_the_detector_sees_figures_and_skips_clause_numbers() -> None:
    lines = numbered_lines(
        "1. Nhằm tạo sự chuyển biến\n"
        "- Từ 01/9/2021 đến 31/5/2022: phấn đấu đạt 90 sáng kiến\n"
        "2.2.1. Chỉ tiêu\n"
        "- 4.1. Giai đoạn I: Từ năm 2021 đến năm 2025.\n"
        "100% công đoàn cơ sở\n"
        "IV. TỔ CHỨC THỰC HIỆN\n"
    )
    assert sorted(lines) == [2, 4, 5]


@needs_seeds
def test_the_index_matches_the_seeds() -> None:
    assert index() == build_index(), (
        "tests/data/seed_numbered_lines.json is stale: run python tests/unit/test_traceability.py"
    )


def test_every_seed_has_a_campaign() -> None:
    seeds = set(index())
    encoded = {plan_file(load_campaign(p)) for p in CAMPAIGNS}
    assert seeds <= encoded, f"seeds without a campaign: {sorted(seeds - encoded)}"


@pytest.mark.parametrize("path", SEED_CAMPAIGNS, ids=lambda p: p.stem)
def test_every_numbered_line_is_encoded_or_explained(path: Path) -> None:
    c = load_campaign(path)
    if SEEDS.is_dir():
        numbered = numbered_lines((SEEDS / plan_file(c)).read_text(encoding="utf-8"))
    else:  # line numbers only, from the committed index
        numbered = {n: "(seed text not available)" for n in index()[plan_file(c)]["numbered"]}
    assert numbered, "the detector found no figure at all: the test would be vacuous"
    encoded, unchecked = accounted_lines(c)
    missing = {n: t for n, t in numbered.items() if n not in encoded and n not in unchecked}
    assert not missing, f"{path.name}: numbered lines neither encoded nor explained:\n" + "\n".join(
        f"  L{n}: {t[:100]}" for n, t in sorted(missing.items())
    )


@pytest.mark.parametrize("path", SEED_CAMPAIGNS, ids=lambda p: p.stem)
def test_explanations_point_at_real_lines(path: Path) -> None:
    c = load_campaign(path)
    n_lines = index()[plan_file(c)]["lines"]
    for u in c.not_machine_checkable:
        assert all(1 <= n <= n_lines for n in u.lines), (u.lines, n_lines)
        assert len(u.reason.split()) >= 3, f"reason too thin: {u.reason!r}"


if __name__ == "__main__":
    INDEX.parent.mkdir(parents=True, exist_ok=True)
    INDEX.write_text(json.dumps(build_index(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {INDEX}")
