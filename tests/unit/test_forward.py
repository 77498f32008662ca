"""Issue 21 item 5: a level's result passed up as the next level's input (``forward``).

Figures follow from the example files:
- examples/dienbien_2020/province: every person of the forms is judged for the yearly individual
  commendation (seed 001 L14: "được khen thưởng"): awarded when ``commended_by`` names a union level.
  P103 (forms/cdcs_01.yaml L8), TDKT-04 and TDKT-05 give ``commended_by: none`` and are not awarded,
  so the upper union of district A passes up P101, P102 (CDCS-01), P201, P202 (CDCS-02), P301,
  P302 (CDCS-03), and the health sector union P401, P402, P501, P502 (units.yaml: CDCS-04, 05).
- examples/ldtt_cstdcs_2025/facts.yaml L11-12: in CD-A, A08 and A09 meet the grassroots
  emulation fighter's criteria, the 15% cap allows 1 and the council placed A09 first: A09 is
  passed up, A08 is left out as over the cap.
"""

from __future__ import annotations

import io
import shutil

import pytest

from emulation_rules import Engine, load_campaign
from emulation_rules.cli.app import run
from emulation_rules.errors import FactsError
from emulation_rules.facts.load import load_facts
from emulation_rules.facts.units import load_units
from emulation_rules.results.forward import differences, forward

from ..conftest import CAMPAIGNS, EXAMPLES

PROVINCE = EXAMPLES / "dienbien_2020" / "province"
UNITS = PROVINCE / "units.yaml"
FORMS = PROVINCE / "forms"
HUYEN_A = ["P101", "P102", "P201", "P202", "P301", "P302"]
Y_TE = ["P401", "P402", "P501", "P502"]


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def dienbien():
    return load_campaign(CAMPAIGNS / "dienbien_2020.yaml")


def test_each_upper_union_passes_up_its_awarded_people_in_a_file_of_its_own(tmp_path):
    code, _, err = _cli("forward", str(CAMPAIGNS / "dienbien_2020.yaml"), "--facts", str(FORMS),
                        "--units", str(UNITS), "--level", "upper_union", "-o", str(tmp_path / "up"))
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "up").iterdir()) == ["CD-NGANH-YTE.yaml", "LDLD-HUYEN-A.yaml"]
    campaign = load_campaign(CAMPAIGNS / "dienbien_2020.yaml")
    huyen = load_facts(tmp_path / "up" / "LDLD-HUYEN-A.yaml", campaign)
    assert [s.id for s in huyen.subjects] == HUYEN_A
    assert huyen.proposals == {"yearly_individual_commendation": frozenset(HUYEN_A)}
    (block,) = huyen.forwarded
    assert (block.by, block.level) == ("LDLD-HUYEN-A", "upper_union")
    assert {v.subject for v in block.verdicts} == set(HUYEN_A)
    assert all(v.verdict == "awarded" and v.criteria for v in block.verdicts)
    assert "dòng 14" in block.verdicts[0].criteria[0]["source"]  # seed 001 L14, the commendation's clause
    yte = load_facts(tmp_path / "up" / "CD-NGANH-YTE.yaml", campaign)
    assert [s.id for s in yte.subjects] == Y_TE
    assert "LDLD-HUYEN-A.yaml: 6 đối tượng" in err


def test_the_province_reads_the_files_passed_up_and_judges_them_as_below(tmp_path, dienbien):
    tree = load_units(UNITS, dienbien)
    below = load_facts(FORMS, dienbien, units=tree)
    first = Engine(dienbien, backend="python").evaluate(below)
    files, left, unplaced = forward(dienbien, first, below, tree=tree, level="upper_union")
    assert (left, unplaced) == ([], [])
    for f in files:
        (tmp_path / f.name).write_text(f.text(), encoding="utf-8")
    up = load_facts(tmp_path, dienbien, units=tree)
    assert sorted(s.id for s in up.subjects) == sorted(HUYEN_A + Y_TE)  # the folder read in name order
    by_id = {s.id: s for s in below.subjects}
    for s in up.subjects:  # facts and units as submitted below, nothing lost on the way
        assert (s.facts, s.unit, s.role) == (by_id[s.id].facts, by_id[s.id].unit, by_id[s.id].role)
    for backend in ("python", "polars", "durable"):
        try:
            second = Engine(dienbien, backend=backend).evaluate(up)
        except Exception as exc:  # durable-rules is not on every CPython
            if backend == "durable" and "durable" in str(exc).lower():
                continue
            raise
        assert {k: v for k, v in first.verdicts().items() if k[0] in HUYEN_A + Y_TE} == second.verdicts()
        assert differences(second, up) == []


def test_a_verdict_the_level_above_judges_otherwise_is_named_on_stderr(tmp_path):
    up = tmp_path / "up"
    assert _cli("forward", str(CAMPAIGNS / "dienbien_2020.yaml"), "--facts", str(FORMS), "--units", str(UNITS),
                "--level", "upper_union", "-o", str(up))[0] == 0
    path = up / "LDLD-HUYEN-A.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("commended_by: upper_union") >= 1
    path.write_text(text.replace("commended_by: upper_union", "commended_by: none", 1), encoding="utf-8")
    code, _out, err = _cli("evaluate", str(CAMPAIGNS / "dienbien_2020.yaml"), "--facts", str(up))
    assert code == 0
    assert "10 kết quả do cấp dưới đề nghị; 1 kết quả khác ở cấp này" in err
    assert "P101, yearly_individual_commendation: cấp này không đạt, cấp dưới (LDLD-HUYEN-A) đạt" in err
    code, _, err = _cli("evaluate", str(CAMPAIGNS / "dienbien_2020.yaml"), "--facts", str(up), "--lang", "en")
    assert "P101, yearly_individual_commendation: not awarded here, awarded at the level below (LDLD-HUYEN-A)" in err


def test_an_awardee_over_a_cap_is_not_passed_up_and_the_reason_is_said(tmp_path):
    facts = EXAMPLES / "ldtt_cstdcs_2025" / "facts.yaml"
    target = tmp_path / "up.yaml"
    code, _, err = _cli("forward", str(CAMPAIGNS / "ldtt_cstdcs_2025.yaml"), "--facts", str(facts),
                        "--award", "grassroots_emulation_fighter", "--by", "CD-A", "-o", str(target))
    assert code == 0, err
    campaign = load_campaign(CAMPAIGNS / "ldtt_cstdcs_2025.yaml")
    up = load_facts(target, campaign)
    passed = up.proposals["grassroots_emulation_fighter"]
    assert "A09" in passed and "A08" not in passed
    assert "A08, grassroots_emulation_fighter: không chuyển lên: vượt hạn mức cstdcs_cap" in err
    assert up.forwarded[0].by == "CD-A"
    assert {v.award for v in up.forwarded[0].verdicts} == {"grassroots_emulation_fighter"}


def test_a_history_and_records_travel_up_unchanged(tmp_path):
    cycle = EXAMPLES / "review_cycle"
    campaign = load_campaign(cycle / "campaign.yaml")
    below = load_facts(cycle / "facts_2026.yaml", campaign)
    evaluation = Engine(campaign, backend="python").evaluate(below)
    files, _, _ = forward(campaign, evaluation, below)
    assert len(files) == 1 and files[0].subjects > 0
    (tmp_path / files[0].name).write_text(files[0].text(), encoding="utf-8")
    up = load_facts(tmp_path / files[0].name, campaign)
    by_id = {s.id: s for s in below.subjects}
    for s in up.subjects:
        assert s.facts == by_id[s.id].facts
        assert s.history == by_id[s.id].history


@pytest.mark.parametrize(("block", "where", "code"), [
    ("{verdicts: [{subject: NOBODY, award: yearly_individual_commendation, verdict: awarded}]}",
     ":6:34:", "unknown-subject"),
    ("{verdicts: [{subject: P1, award: yearly_individual_commendation, verdict: maybe}]}", ":6:", "invalid-value"),
    ("{verdicts: [{subject: P1, award: no_such_award, verdict: awarded}]}", ":6:", "unknown-award"),
    ("{by: X, signed: yes}", ":6:", "unknown-key"),
    ("[1, 2]", ":6:", "invalid-value"),
])
def test_a_bad_forwarded_block_is_refused_located(tmp_path, dienbien, block, where, code):
    path = tmp_path / "up.yaml"
    path.write_text("campaign: dienbien_2020\nas_of: 2020-12-31\nsubjects:\n"
                    "  - {id: P1, kind: individual, role: worker, facts: {commended_by: none}}\n"
                    "# the block\n"
                    f"forwarded: {block}\n", encoding="utf-8")
    with pytest.raises(FactsError) as exc:
        load_facts(path, dienbien)
    text = str(exc.value)
    assert f"up.yaml{where}" in text and f"[{code}]" in text


def test_proposals_of_several_files_are_joined(tmp_path):
    cycle = EXAMPLES / "review_cycle"
    campaign = load_campaign(cycle / "campaign.yaml")
    whole = load_facts(cycle / "facts_2025.yaml", campaign)
    assert whole.proposals
    shutil.copy(cycle / "facts_2025.yaml", tmp_path / "a.yaml")
    empty = tmp_path / "b.yaml"
    empty.write_text(f"campaign: {campaign.id}\nas_of: {whole.as_of}\nsubjects: []\n", encoding="utf-8")
    joined = load_facts(tmp_path, campaign)
    assert joined.proposals == whole.proposals  # a folder of forms kept nobody's proposals before
    assert [b.votes_for for b in joined.ballots] == [b.votes_for for b in whole.ballots]


@pytest.mark.parametrize(("argv", "said"), [
    (["--level", "upper_union", "-o", "x"], "--level ghi mỗi đơn vị một tệp"),
    (["--units", str(UNITS), "--level", "district", "-o", "x"], "không có đơn vị nào cấp 'district'"),
    (["--award", "nothing"], "danh hiệu không có trong phong trào 'nothing'"),
])
def test_forward_usage_errors_exit_2(tmp_path, argv, said):
    code, _, err = _cli("forward", str(CAMPAIGNS / "dienbien_2020.yaml"), "--facts", str(FORMS), *argv)
    assert code == 2 and said in err
