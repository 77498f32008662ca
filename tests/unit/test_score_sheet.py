"""Score sheets: points per item, total, bands, passing band and the per-item floor.

No seed plan carries a score sheet, so the sheet here encodes the one DOMAIN.md §2.2 B describes:
"Bảng chấm điểm đánh giá, xếp loại tổ công đoàn" (QĐ 101/QĐ-CĐVC, 2015), part I = 90 points in
7 items (20, 15, 10, 15, 10, 10, 10; item 6 "no member disciplined cảnh cáo or above" is
all-or-nothing), part II = 10 points (not retrieved, [U]); bands of the legacy scale
(DOMAIN.md §1.4): vững mạnh >= 85, khá 70-<85, trung bình 50-<70, yếu < 50; gate: "không có tiêu
chuẩn nào chấm đạt dưới 50% tổng số điểm" (no item below half its maximum).
"""

from __future__ import annotations

import pytest

from emulation_rules import Engine, load_campaign

ITEMS = [("i1_upper_tasks", 20), ("i2_representation", 15), ("i3_emulation", 10),
         ("i4_concerns", 15), ("i5_solidarity", 10), ("i7_recruitment", 10), ("ii_specific", 10)]


def _sheet_yaml() -> str:
    facts = "\n".join(
        f"  - {{id: {name}_points, applies_to: collective, type: decimal, minimum: 0,"
        f" label: {{vi: 'Điểm {name}', en: 'Points {name}'}}}}" for name, _ in ITEMS)
    items = "\n".join(
        f"      - {{id: {name}, max_points: {mx}, points_fact: {name}_points, text_vi: '{name}',"
        f" label: {{vi: '{name}', en: '{name}'}}, source: {{doc: plan, lines: 1}}}}"
        for name, mx in ITEMS)
    return f"""\
schema_version: 2
id: union_group_sheet
title: {{vi: "Bảng chấm điểm tổ công đoàn", en: "Union group score sheet"}}
issuer: {{vi: "Công đoàn Viên chức Việt Nam", en: "Vietnam Civil Servants' Union"}}
documents: [{{id: plan, kind: plan, number: "101/QĐ-CĐVC", date: 2015-07-02, text: plan.txt}}]
mode: regular
phases:
  - {{id: y2015, kind: campaign, label: {{vi: "2015", en: "2015"}}, start: 2015-07-02, source: {{doc: plan, lines: 1}}}}
subjects:
  collective_levels:
    - {{id: union_group, label: {{vi: "Tổ công đoàn", en: "Union group"}}}}
facts:
{facts}
  - {{id: member_disciplined, applies_to: collective, type: bool, label: {{vi: "Có đoàn viên bị kỷ luật từ cảnh cáo", en: "A member was disciplined (warning or above)"}}}}
awards:
  - id: strong_union_group
    kind: title
    subject: collective
    label: {{vi: "Tổ công đoàn vững mạnh", en: "Strong union group"}}
    eligibility: {{levels: [union_group], source: {{doc: plan, lines: 1}}}}
    source: {{doc: plan, lines: 1}}
    score_sheet:
      max_points: 100
      pass_band: strong
      item_floor_fraction: 0.5
      source: {{doc: plan, lines: 1}}
      bands:
        - {{id: weak, min_points: 0, label: {{vi: "Yếu", en: "Weak"}}}}
        - {{id: average, min_points: 50, label: {{vi: "Trung bình", en: "Average"}}}}
        - {{id: fair, min_points: 70, label: {{vi: "Khá", en: "Fair"}}}}
        - {{id: strong, min_points: 85, label: {{vi: "Vững mạnh", en: "Strong"}}}}
      items:
{items}
      - id: i6_no_discipline
        max_points: 10
        text_vi: "Không có đoàn viên vi phạm pháp luật, bị kỷ luật từ cảnh cáo trở lên"
        label: {{vi: "Không có đoàn viên bị kỷ luật", en: "No member disciplined"}}
        condition: {{fact: member_disciplined, op: "==", value: false}}
        source: {{doc: plan, lines: 1}}
"""


@pytest.fixture(scope="module")
def engine():
    return Engine(load_campaign(_sheet_yaml(), file="sheet.yaml"))


def group(points: dict[str, float], disciplined: bool | None = False) -> dict[str, object]:
    facts: dict[str, object] = {f"{k}_points": v for k, v in points.items()}
    if disciplined is not None:
        facts["member_disciplined"] = disciplined
    return {"id": "T1", "kind": "collective", "level": "union_group", "facts": facts}


FULL = {name: mx for name, mx in ITEMS}  # 90 points + 10 for item 6 = 100


def result(engine, subject):
    return engine.evaluate([subject]).subjects[0].award("strong_union_group")


def test_full_marks_is_strong(engine):
    r = result(engine, group(FULL))
    assert (r.verdict, r.points, r.band) == ("awarded", 100, "strong")


def test_exactly_85_is_strong_and_84_is_fair(engine):
    # Bands: vững mạnh >= 85 (inclusive), khá 70-<85.
    at = dict(FULL, i1_upper_tasks=15, ii_specific=10, i3_emulation=10, i7_recruitment=10,
              i4_concerns=10, i2_representation=10)  # 100 - 5 - 5 - 5 = 85
    r = result(engine, group(at))
    assert (r.points, r.band, r.verdict) == (85, "strong", "awarded")
    below = dict(at, i7_recruitment=9)
    r = result(engine, group(below))
    assert (r.points, r.band, r.verdict) == (84, "fair", "not_awarded")


def test_item_below_half_its_max_fails_the_gate(engine):
    # 9/20 on item 1 is below 50 % although the total (89) is in the strong band.
    r = result(engine, group(dict(FULL, i1_upper_tasks=9)))
    assert (r.points, r.band, r.verdict) == (89, "strong", "not_awarded")
    sheet = next(c for c in r.criteria if c.criterion_id == "score_sheet")
    assert sheet.values["below_floor"] == "i1_upper_tasks"


def test_all_or_nothing_item_and_clamping(engine):
    # Item 6 is worth 10 only when no member was disciplined; points over an item's max clamp.
    r = result(engine, group(dict(FULL, i2_representation=40), disciplined=True))
    assert r.points == 90
    assert r.verdict == "not_awarded"  # item 6 scored 0 < 50 % of 10


def test_missing_item_makes_the_sheet_unknown(engine):
    points = dict(FULL)
    del points["i4_concerns"]
    r = result(engine, group(points))
    assert (r.verdict, r.points, r.band) == ("incomplete", None, None)
    assert r.missing_facts == ("i4_concerns_points",)
