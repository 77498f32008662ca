"""Results readable by the people who use them (issue 11, item 6): the evaluate table in
Vietnamese by default, counts of subjects and verdicts per award, ratios that never round a
missed figure onto the target, each target citing its phase's own line, and the recorded
defects of the plan printed beside the targets and criteria they concern.

Cited from shared/seeds:
TKV 000 L96 "có ... ký giao ước thi đua" (criterion pledge); L102 "Được xếp loại công đoàn vững
mạnh trở lên" (rated_strong; the scale is undefined: defect d09 on L102, L110).
Thanh Hóa 004 L80 "Hàng năm, thu tài chính công đoàn đạt 90% dự toán trở lên" (phase I) and
L96 "đạt 95% dự toán trở lên" (phase II).
Vĩnh Linh 002 L84 "mục tiêu 400 sáng kiến" with L25 (90) and L27 (300): defect d02, 390 ≠ 400.
Điện Biên 001 L14 "ít nhất 15%" (a quota share).
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from emulation_rules import Engine, load_campaign, load_facts
from emulation_rules.cli.app import run
from emulation_rules.facts.reader import parse_facts
from emulation_rules.results.quotas import share_text
from emulation_rules.results.targets import evaluate_targets, render_targets_table

from ..conftest import CAMPAIGNS, EXAMPLES

TKV = CAMPAIGNS / "tkv_2019.yaml"
TKV_FACTS = EXAMPLES / "tkv_2019" / "facts.yaml"
TH = CAMPAIGNS / "thanhhoa_2021_2030.yaml"
VL = CAMPAIGNS / "vinhlinh_2022.yaml"


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return run(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


def _row(out: str, subject: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(subject + " "))


def test_the_evaluate_table_speaks_vietnamese_by_default() -> None:
    code, out, _ = _run("evaluate", str(TKV), "--facts", str(TKV_FACTS))
    assert code == 0
    assert out.startswith("Phong trào tkv_2019 — ngày xét 2019-12-31")
    row = _row(out, "CD-MAOKHE")    # fails only the pledge of L96
    assert "Biểu dương, khen thưởng tập thể trong phong trào" in row
    assert "không đạt" in row and "Có ký giao ước thi đua" in row and "pledge" not in row
    assert "31 đối tượng; kết quả theo danh hiệu:" in out
    assert ("Biểu dương, khen thưởng cá nhân trong phong trào: 20 đối tượng — đạt 9, không đạt 8, "
            "thiếu dữ liệu 2, không thuộc đối tượng 1") in out


def test_english_labels_and_ids_on_request() -> None:
    _, en, _ = _run("evaluate", str(TKV), "--facts", str(TKV_FACTS), "--lang", "en")
    assert "Signed an emulation pledge" in _row(en, "CD-MAOKHE")
    assert "Not awarded" in _row(en, "CD-MAOKHE")
    _, ids, _ = _run("evaluate", str(TKV), "--facts", str(TKV_FACTS), "--ids")
    row = _row(ids, "CD-MAOKHE")
    assert "collective_recognition" in row and "not_awarded" in row and "pledge" in row


def test_counts_are_of_subjects_and_per_award() -> None:
    # ten people, every one awarded under L106-L110 but one rated 'yếu' (L110 "khá trở lên")
    tkv = load_campaign(TKV)
    rec = {"title": "S", "accepted_by": "initiative_council", "applied": True, "high_effect": True}
    people = [{"id": f"NV-{i}", "kind": "individual", "role": "member",
               "facts": {"complies_with_policy": True, "member_rating": "khá" if i else "yếu",
                         "initiatives": [rec]}} for i in range(10)]
    ev = Engine(tkv, backend="python").evaluate(parse_facts(people, tkv), as_of=dt.date(2019, 12, 31))
    from emulation_rules.results.render import render_table

    text = render_table(ev, lang="en", ids=True)
    assert "10 subjects; verdicts per award:" in text
    assert "individual_recognition: 10 subjects — awarded 9, not_awarded 1" in text


def test_a_missed_figure_never_prints_as_the_target_ratio() -> None:
    # L80 "đạt 90% dự toán trở lên": 89.99% is missed (a yearly figure) and its ratio is not 1.00.
    th = load_campaign(TH)
    sub = parse_facts([{"id": "LDLD-TH", "kind": "collective", "level": "provincial_federation",
                        "facts": {"finance_collected_pct_of_budget": 89.99}}], th)
    report = evaluate_targets(th, sub, as_of=dt.date(2023, 12, 31))
    r = report.result("finance_collected")
    assert r.status == "not_met"
    row = next(line for line in render_targets_table(report).splitlines()
               if line.startswith("finance_collected "))
    assert " 0.9999 " in row and " 1.00 " not in row


def test_each_target_cites_its_phase_line() -> None:
    th = load_campaign(TH)
    sub = parse_facts([{"id": "LDLD-TH", "kind": "collective", "level": "provincial_federation",
                        "facts": {"finance_collected_pct_of_budget": 96}}], th)
    assert evaluate_targets(th, sub, phase="phase_1").result("finance_collected").source.lines == (80, 80)
    assert evaluate_targets(th, sub, phase="phase_2").result("finance_collected").source.lines == (96, 96)


@pytest.mark.usefixtures("seeds_dir")  # checks cited plan lines: needs the plans' texts
def test_defects_are_printed_beside_their_target() -> None:
    vl = load_campaign(VL)
    report = evaluate_targets(vl, load_facts(EXAMPLES / "vinhlinh_2022" / "facts.yaml", vl))
    total = report.result("initiatives_district_total")
    assert "d02" in [d.id for d in total.defects]
    assert "d02" in [d["id"] for d in total.to_dict()["defects"]]
    text = render_targets_table(report, "en")
    assert any(line.startswith("defect d02 (Kế hoạch LĐLĐ huyện Vĩnh Linh 2022 (dòng 25, 27, 84); ")
               and "390" in line
               for line in text.splitlines())


@pytest.mark.usefixtures("seeds_dir")  # checks cited plan lines: needs the plans' texts
def test_defects_are_printed_beside_their_criterion_in_explain_and_json() -> None:
    code, out, _ = _run("explain", str(TKV), "--facts", str(TKV_FACTS), "--subject", "CD-VANGDANH")
    assert code == 0
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if "[rated_strong]" in line)
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:3] in ("  ✓", "  ✗", "  ?")
                or lines[i].startswith("■")), len(lines))
    assert any("khiếm khuyết văn bản d09 (Kế hoạch 115/KH-CĐTKV (dòng 102, 110))" in line
               for line in lines[start:end])
    code, out, _ = _run("evaluate", str(TKV), "--facts", str(TKV_FACTS), "--format", "json")
    data = json.loads(out)
    crit = next(c for s in data["subjects"] if s["id"] == "CD-VANGDANH" for a in s["awards"]
                for c in a["criteria"] if c["criterion"] == "rated_strong")
    assert "d09" in crit["defects"]
    assert any(d["id"] == "d09" and d["lines"] == [102, 110] for d in data["defects"])


def test_a_quota_share_below_the_minimum_never_prints_as_the_minimum() -> None:
    # L14 "ít nhất 15%": 14.999% is short, and is not shown as 15.00%.
    assert share_text(14.999, 15) == "14.9990"
    assert share_text(15, 15) == "15.00" and share_text(100 / 7, 15) == "14.29"
