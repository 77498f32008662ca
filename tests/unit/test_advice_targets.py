"""Issue 25, item 1 (a unit): what a unit's targets lack, the subjects nearest to them and the
fewest changes, checked by judging the target again.

From the example province (examples/dienbien_2020/province) and the plan it runs (seed 001):
- 001 L12: "90% Công đoàn cơ sở xây dựng kế hoạch, phát động thi đua". Under LĐLĐ huyện A,
  CDCS-01 and CDCS-02 launched a plan and CDCS-03 did not (forms/cdcs_03.csv L2:
  emulation_plan_launched false): 2 of 3, and 90% of 3 needs ceil(2.7) = 3, so one more: CDCS-03
  launching its plan. Over the province, 4 of 5 (80%), and 90% of 5 needs ceil(4.5) = 5: again
  CDCS-03.
- 001 L15: "100% cán bộ làm công tác thi đua, khen thưởng được tập huấn": TDKT-04 trained,
  TDKT-05 not (forms/cdcs_05.yaml L8): one more, TDKT-05.
"""

from __future__ import annotations

import io
import json

import pytest

from emulation_rules import load_campaign
from emulation_rules.advice import FactChange, change_text
from emulation_rules.advice_targets import _least_count, advise_targets, unit_subjects
from emulation_rules.campaign import model as m
from emulation_rules.cli.app import run
from emulation_rules.facts.load import load_facts
from emulation_rules.facts.units import load_units

from ..conftest import CAMPAIGNS, EXAMPLES

PROVINCE = EXAMPLES / "dienbien_2020" / "province"


@pytest.fixture(scope="module")
def province():
    campaign = load_campaign(CAMPAIGNS / "dienbien_2020.yaml")
    tree = load_units(PROVINCE / "units.yaml", campaign)
    return campaign, tree, load_facts(PROVINCE / "forms", campaign, units=tree)


def _by_id(items):
    return {a.target.target_id: a for a in items}


def test_an_upper_union_is_one_grassroots_union_short_and_it_is_named_with_its_change(province):
    campaign, tree, submission = province
    a = _by_id(advise_targets(campaign, submission, unit="LDLD-HUYEN-A", tree=tree))["grassroots_unions_launch_plan"]
    assert (a.target.counted, a.target.population, a.target.status) == (2, 3, "not_met")
    assert a.needed == 1
    ((sid, changes),) = a.nearest
    assert sid == "CDCS-03"
    assert changes == (FactChange("emulation_plan_launched", False, True, "set"),)
    assert a.checked


def test_the_province_is_short_of_one_union_and_one_trained_officer(province):
    campaign, tree, submission = province
    found = _by_id(advise_targets(campaign, submission, unit="LDLD-TINH", tree=tree))
    launch = found["grassroots_unions_launch_plan"]
    assert (launch.target.counted, launch.target.population, launch.needed) == (4, 5, 1)
    assert [s for s, _ in launch.nearest] == ["CDCS-03"] and launch.checked
    trained = found["emulation_officers_trained"]
    assert trained.needed == 1 and [s for s, _ in trained.nearest] == ["TDKT-05"] and trained.checked
    assert found["upper_unions_launch_plan"].needed == 0 and found["upper_unions_launch_plan"].change is None


def test_a_units_subjects_are_its_subtree_with_a_tree_and_its_members_without(province):
    _, tree, submission = province
    with_tree = {s.id for s in unit_subjects(submission, "LDLD-HUYEN-A", tree)}
    assert {"CDCS-01", "CDCS-02", "CDCS-03", "P101", "P301"} <= with_tree and "CDCS-04" not in with_tree
    without = {s.id for s in unit_subjects(submission, "CDCS-03")}
    assert without == {"CDCS-03", "P301", "P302"}


@pytest.mark.parametrize(("target", "population", "op", "share", "least"), [
    (90, 5, ">=", True, 5),     # 4.5 -> 5
    (90, 3, ">=", True, 3),     # 2.7 -> 3
    (50, 4, ">=", True, 2),     # exactly 2
    (50, 4, ">", True, 3),      # more than half of 4
    (15, 9, ">=", True, 2),     # 1.35 -> 2
    (100, 0, ">=", False, 100),  # a count: the figure itself
    (90, 5, "<=", True, None),  # a ceiling gives no "more subjects" advice
])
def test_least_count(target, population, op, share, least):
    assert _least_count(target, population, op, share=share) == least


def test_advise_unit_prints_targets_in_both_languages_and_json():
    argv = ["advise", str(CAMPAIGNS / "dienbien_2020.yaml"), "--facts", str(PROVINCE / "forms"),
            "--units", str(PROVINCE / "units.yaml"), "--unit", "LDLD-HUYEN-A"]
    out, err = io.StringIO(), io.StringIO()
    assert run(argv, stdout=out, stderr=err) == 0, err.getvalue()
    assert "không đạt (66,67 >= 90%)" in out.getvalue()
    assert "CDCS-03: đổi" in out.getvalue() and "đã kiểm tra: với các thay đổi này chỉ tiêu đạt" in out.getvalue()
    out = io.StringIO()
    assert run([*argv, "--lang", "en"], stdout=out, stderr=err) == 0
    assert "not met (66.67 >= 90%)" in out.getvalue() and "checked: the target is met" in out.getvalue()
    out = io.StringIO()
    assert run([*argv, "--format", "json"], stdout=out, stderr=err) == 0
    data = json.loads(out.getvalue())
    t = {x["target"]: x for x in data["targets"]}["grassroots_unions_launch_plan"]
    assert t["needed"] == 1 and t["checked"] is True
    assert t["nearest"] == [{"subject": "CDCS-03", "changes": [
        {"fact": "emulation_plan_launched", "old": False, "new": True, "kind": "set"}]}]
    out, err = io.StringIO(), io.StringIO()
    assert run([*argv[:-1], "LDLD-HUYEN-Z"], stdout=out, stderr=err) == 2
    assert "LDLD-HUYEN-A" in err.getvalue()  # did you mean


def test_money_and_decimals_are_printed_as_people_write_them():
    money = m.FactDecl(id="benefit", applies_to="individual", type="money",
                       label=m.Text(vi="Giá trị làm lợi", en="Value of benefit"))
    share = m.FactDecl(id="share", applies_to="individual", type="percent",
                       label=m.Text(vi="Tỷ lệ", en="Share"))
    decls = {"benefit": money, "share": share}
    assert change_text(decls, FactChange("benefit", 60_000_000, 80_000_000, "set")) == (
        "đổi “Giá trị làm lợi” [benefit] từ 60.000.000 đồng thành 80.000.000 đồng")
    assert "thành 22,23" in change_text(decls, FactChange("share", 15.0, 22.23, "set"))
    assert change_text(decls, FactChange("share", None, 0.00001, "provide"), "en") == "provide “Share” [share] = 0.00001"
