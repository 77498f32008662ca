"""Traceability: every seed line carrying a number, a percentage or a date is accounted for.

For each seed (shared/seeds/00N_*.txt) and its campaign file, each line whose text (after a
leading clause number such as "1.", "2.2.1." or "IV.") holds a digit must be either

* encoded: cited by a ``source`` of at most ``NARROW`` lines anywhere in the campaign (a rule,
  a target or one phase's figure, a fact, a phase, the document...), or named by a recorded
  defect (which states how the encoding resolves it); or
* listed under ``not_machine_checkable`` with a reason.

Wide citations (a whole section) do not count: they would vouch for lines nobody read.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from emulation_rules import load_campaign
from emulation_rules import model as m

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
NARROW = 5

# "1.", "1.1.", "2.2.1", "IV.", "- 4.1." at the start of a line are clause numbers, not figures
_CLAUSE = re.compile(r"^\s*(?:[-\u2013\u2022*]\s*)?(?:[IVXLC]+\.|\d+(?:\.\d+)+\.?|\d+\.)\s+")
_DIGIT = re.compile(r"\d")

CAMPAIGNS = sorted((ROOT / "campaigns").glob("*.yaml"))

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds not available")


def numbered_lines(text: str) -> dict[int, str]:
    """``{line number: text}`` for the lines carrying a figure or a date."""
    out = {}
    for i, line in enumerate(text.splitlines(), 1):
        if _DIGIT.search(_CLAUSE.sub("", line, count=1)):
            out[i] = line.strip()
    return out


def accounted_lines(c: m.Campaign) -> tuple[set[int], set[int]]:
    """(encoded lines, lines marked not machine-checkable)."""
    encoded: set[int] = set()

    def walk(node: object) -> None:
        if isinstance(node, m.Source):
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
        encoded.update(d.lines)
    unchecked = {n for u in c.not_machine_checkable for n in u.lines}
    return encoded, unchecked


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


def test_every_seed_has_a_campaign() -> None:
    seeds = {p.name for p in SEEDS.glob("0*.txt")}
    encoded = {load_campaign(p).source_seed for p in CAMPAIGNS}
    assert seeds <= encoded, f"seeds without a campaign: {sorted(seeds - encoded)}"


@pytest.mark.parametrize("path", CAMPAIGNS, ids=lambda p: p.stem)
def test_every_numbered_line_is_encoded_or_explained(path: Path) -> None:
    c = load_campaign(path)
    text = (SEEDS / c.source_seed).read_text(encoding="utf-8")
    numbered = numbered_lines(text)
    assert numbered, "the detector found no figure at all: the test would be vacuous"
    encoded, unchecked = accounted_lines(c)
    missing = {n: t for n, t in numbered.items() if n not in encoded and n not in unchecked}
    assert not missing, f"{path.name}: numbered lines neither encoded nor explained:\n" + "\n".join(
        f"  L{n}: {t[:100]}" for n, t in sorted(missing.items())
    )


@pytest.mark.parametrize("path", CAMPAIGNS, ids=lambda p: p.stem)
def test_explanations_point_at_real_lines(path: Path) -> None:
    c = load_campaign(path)
    n_lines = len((SEEDS / c.source_seed).read_text(encoding="utf-8").splitlines())
    for u in c.not_machine_checkable:
        assert all(1 <= n <= n_lines for n in u.lines), (u.lines, n_lines)
        assert len(u.reason.split()) >= 3, f"reason too thin: {u.reason!r}"
