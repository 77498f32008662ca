"""Issue 20, items 2 and 6: the upper level's review beside the self-assessment, and the worked
example's whole cycle run from the guide's own commands (section 9, both languages).

Expected results cite the example's invented regulation (examples/review_cycle/
quy_che_thi_dua_cong_ty_a.txt): CSTĐCS "từ 70% trở lên số thành viên Hội đồng có mặt" (line 13),
the certificate for CSTĐCS "2 năm liền trước năm xét" (line 17).
"""

from __future__ import annotations

import io
import json
import re
import shlex
from pathlib import Path

import pytest

from emulation_rules import Engine, load_campaign
from emulation_rules.cli.app import run
from emulation_rules.errors import FactsError
from emulation_rules.evaluate.base import backend_problem
from emulation_rules.facts.corrections import apply_corrections, load_corrections
from emulation_rules.facts.load import load_facts

from ..conftest import EXAMPLES, ROOT

CYCLE = EXAMPLES / "review_cycle"
CAMPAIGN = CYCLE / "campaign.yaml"
GUIDES = {"en": ROOT / "docs" / "guide.en.md", "vi": ROOT / "docs" / "guide.vi.md"}
BACKENDS = [b for b in ("durable", "python", "polars") if backend_problem(b) is None]  # type: ignore[arg-type]


def _commands(lang: str) -> list[str]:
    text = GUIDES[lang].read_text(encoding="utf-8")
    section = text[text.index("\n## 9. "):]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    return [line for line in block[1].splitlines() if line.startswith("emulation-rules ")]


def test_both_guides_give_the_same_commands() -> None:
    assert _commands("en") == _commands("vi")
    assert len(_commands("en")) == 9


def test_the_guides_commands_run_the_whole_cycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sqlalchemy")
    pytest.importorskip("openpyxl")
    monkeypatch.chdir(tmp_path)
    outputs = []
    for line in _commands("en"):
        argv = [a.replace("examples/", f"{EXAMPLES}/") for a in shlex.split(line)[1:]]
        out, err = io.StringIO(), io.StringIO()
        assert run(argv, stdout=out, stderr=err) == 0, (line, err.getvalue())
        outputs.append(out.getvalue())
    review_table = outputs[2]
    # the review: both values of both corrected facts, the notes, both verdicts
    assert "sửa task_rating: completed_excellently → completed_well" in review_table
    assert "Chiến sĩ thi đua cơ sở: tự đánh giá đạt; sau thẩm định không đạt  ⚠" in review_table
    assert "sửa under_disciplinary_review: không → có" in review_table
    assert "Ủy ban Kiểm tra Công đoàn (ví dụ)" in review_table
    data = json.loads((tmp_path / "review_2025.json").read_text(encoding="utf-8"))
    verdicts = {(s["id"], a["award"]): a["verdict"] for s in data["subjects"] for a in s["awards"]}
    assert verdicts[("A07", "grassroots_emulation_fighter")] == "awarded"        # 7/8 = 87.5% ≥ 70% (L13)
    assert verdicts[("A08", "grassroots_emulation_fighter")] == "not_awarded"    # 5/8 = 62.5% < 70% (L13)
    assert verdicts[("A09", "grassroots_emulation_fighter")] == "incomplete"     # no ballot yet
    assert verdicts[("A10", "grassroots_emulation_fighter")] == "not_awarded"    # the review's rating
    assert verdicts[("A11", "grassroots_emulation_fighter")] == "not_proposed"
    assert verdicts[("A06", "advanced_laborer")] == "not_awarded"                # the review's finding
    assert verdicts[("A07", "director_certificate")] == "awarded"                # 2023 and 2024 in the register
    a08 = next(s for s in data["subjects"] if s["id"] == "A08")["awards"][1]
    vote = next(c for c in a08["criteria"] if c["criterion"] == "council_vote")
    assert vote["status"] == "fail" and vote["source"]["cite"] == "Quy chế 05/QĐ-CTA (ví dụ), Điều 6 (dòng 12-13)"
    assert [c["fact"] for r in data["review"] for c in r["changes"]] == ["under_disciplinary_review", "task_rating"]
    assert (tmp_path / "dossier_2025.html").stat().st_size > 0
    assert "tặng 13 danh hiệu" in outputs[5]  # 11 LĐTT, CSTĐCS A07, certificate A07
    # 2026: no history in the facts; the certificate reads 2024 and 2025 from the register (L17)
    assert "history" not in (CYCLE / "facts_2026.yaml").read_text(encoding="utf-8").split("subjects:")[1]
    year_2026 = outputs[6]
    assert re.search(r"A07 .*Giấy khen của Giám đốc\s+Đạt", year_2026)
    assert re.search(r"A08 .*Giấy khen của Giám đốc\s+Không đạt", year_2026)
    assert "2024  grassroots_emulation_fighter  (21/QĐ-CTA" in outputs[7]
    assert "2025  grassroots_emulation_fighter  (30/QĐ-CTA" in outputs[7]
    assert (tmp_path / "register.xlsx").stat().st_size > 0


@pytest.mark.skipif(len(BACKENDS) < 2, reason="one backend installed")
def test_every_backend_gives_the_same_reviewed_verdicts() -> None:
    campaign = load_campaign(CAMPAIGN)
    submission = load_facts(CYCLE / "facts_2025.yaml", campaign)
    reviewed = apply_corrections(submission, load_corrections(CYCLE / "review_2025.yaml", campaign, submission))
    results = {b: Engine(campaign, backend=b).evaluate(reviewed).verdicts() for b in BACKENDS}  # type: ignore[arg-type]
    assert all(v == results[BACKENDS[0]] for v in results.values())
    assert results[BACKENDS[0]][("A10", "grassroots_emulation_fighter")] == "not_awarded"


def test_corrections_in_a_table_are_checked_and_located(tmp_path: Path) -> None:
    campaign = load_campaign(CAMPAIGN)
    submission = load_facts(CYCLE / "facts_2025.yaml", campaign)
    table = tmp_path / "review.csv"
    table.write_text("subject,fact,value,note,reviewer\n"
                     "A10,task_rating,Hoàn thành tốt nhiệm vụ,thẩm định,LĐLĐ\n"
                     "A99,task_rating,completed,,\n"
                     "A01,task_ratin,completed,,\n"
                     "A02,months_since_recruitment,\"1,000\",,\n", encoding="utf-8")
    with pytest.raises(FactsError) as info:
        load_corrections(table, campaign, submission)
    got = [(p.code, p.location.line, p.location.column) for p in info.value.problems]
    assert got == [("unknown-subject", 3, 1), ("unknown-fact", 4, 2), ("invalid-value", 5, 3)]
    table.write_text("subject,fact,value,note,reviewer\nA10,task_rating,Hoàn thành tốt nhiệm vụ,thẩm định,LĐLĐ\n",
                     encoding="utf-8")
    (c,) = load_corrections(table, campaign, submission)
    assert (c.fact, c.value, c.note, c.reviewer) == ("task_rating", "completed_well", "thẩm định", "LĐLĐ")


def test_the_reviewed_verdict_counts_in_every_format(tmp_path: Path) -> None:
    out = io.StringIO()
    argv = ["evaluate", str(CAMPAIGN), "--facts", str(CYCLE / "facts_2025.yaml"),
            "--reviewed", str(CYCLE / "review_2025.yaml")]
    assert run([*argv, "--format", "csv"], stdout=out, stderr=io.StringIO()) == 0
    assert "A06,individual,employee,Người lao động A06,advanced_laborer,not_awarded" in out.getvalue()
    pytest.importorskip("openpyxl")
    assert run([*argv, "--format", "xlsx", "-o", str(tmp_path / "r.xlsx")], stdout=io.StringIO(),
               stderr=io.StringIO()) == 0
