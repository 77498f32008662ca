"""Issue 25, item 2: ``diff``, the impact of a rule change, on the acceptance campaign.

What the texts and the example decide (examples/ldtt_cstdcs_2025/facts.yaml, its header):
- the cap on grassroots emulation fighters is floor(cstdcs_cap_pct% x the union's advanced
  laborers) (quota cstdcs_cap, NĐ 91/2017 15%): CD-A has 9 LĐTT and 2 CSTĐCS (A08, A09), so 15%
  allows 1 (A09 within by the council's place, A08 over) and 25% allows 2 (both within);
- the 6-month minimum since recruitment (TT 01/2024, Điều 1 khoản 5 điểm d; criterion
  not_newly_recruited): A10 was recruited 5 months before, so a 5-month minimum awards A10 LĐTT,
  and then CSTĐCS (rated excellent), which puts CD-A at 3 CSTĐCS for 10 LĐTT (1 allowed).
"""

from __future__ import annotations

import io
import json
import shutil

import pytest

from emulation_rules import Engine, load_campaign
from emulation_rules.cli.app import run
from emulation_rules.facts.load import load_facts
from emulation_rules.results.impact import impact, rule_changes

from ..conftest import CAMPAIGNS, EXAMPLES

CAMPAIGN = CAMPAIGNS / "ldtt_cstdcs_2025.yaml"
FACTS = EXAMPLES / "ldtt_cstdcs_2025" / "facts.yaml"


@pytest.fixture(scope="module")
def campaign():
    return load_campaign(CAMPAIGN)


@pytest.fixture
def new_campaign(tmp_path):
    """The campaign with a 5-month minimum, beside a copy of its documents (so its lines resolve)."""
    text = CAMPAIGN.read_text(encoding="utf-8")
    assert text.count("value: 6,") == 1
    shutil.copytree(CAMPAIGNS / "documents", tmp_path / "documents")
    path = tmp_path / "ldtt_cstdcs_2025_five_months.yaml"
    path.write_text(text.replace("value: 6,", "value: 5,"), encoding="utf-8")
    return path


def test_cap_from_15_to_25_percent_equals_two_evaluations_compared_by_hand(campaign):
    facts = load_facts(FACTS, campaign)
    before = Engine(campaign, params={"cstdcs_cap_pct": 15}, backend="python").evaluate(facts)
    after = Engine(campaign, params={"cstdcs_cap_pct": 25}, backend="python").evaluate(facts)
    report = impact(before, after, rules=rule_changes(campaign, campaign, old_params={"cstdcs_cap_pct": 15},
                                                      new_params={"cstdcs_cap_pct": 25}))
    # by hand: the two evaluations' own quota groups and ranked outcomes
    [q15], [q25] = before.quotas, after.quotas
    groups15 = {g.group: g.status for g in q15.groups}
    groups25 = {g.group: g.status for g in q25.groups}
    assert groups15 == {"CD-A": "not_met", "CD-B": "met"} and groups25 == {"CD-A": "met", "CD-B": "met"}
    assert {o.subject: o.status for o in q15.outcomes} == {"A09": "within_quota", "A08": "over_quota"}
    assert q25.outcomes == ()
    # the report says the same, and nothing else changed
    assert report.changes == ()  # a cap never changes a verdict
    assert ("cstdcs_cap", "CD-A", "not_met", "met") in report.quotas
    assert ("cstdcs_cap", "CD-B", "met", "met") not in report.quotas
    assert report.placements == (("cstdcs_cap", "A08", "over_quota", "within_quota"),)
    assert [(r.path, r.old, r.new) for r in report.rules] == [
        ("parameters.cstdcs_cap_pct", "15", "25"),
        ("quotas.cstdcs_cap", "max_share 15 (cstdcs_cap_pct)", "max_share 25 (cstdcs_cap_pct)")]


def test_a_lower_minimum_of_months_awards_a10_and_names_the_criterion(campaign, new_campaign):
    facts = load_facts(FACTS, campaign)
    new = load_campaign(new_campaign)
    report = impact(Engine(campaign, backend="python").evaluate(facts),
                    Engine(new, backend="python").evaluate(load_facts(FACTS, new)),
                    rules=rule_changes(campaign, new))
    assert report.gains() == ["A10", "A10"] and report.losses() == []
    by_award = {c.award_id: c for c in report.changes}
    assert by_award["advanced_laborer"].criteria == (("not_newly_recruited", "fail", "pass"),)
    assert by_award["grassroots_emulation_fighter"].criteria == (("meets_advanced_laborer", "fail", "pass"),)
    assert report.per_unit == {"CD-A": {"gain": 2, "loss": 0, "change": 0}}
    assert report.placements == (("cstdcs_cap", "A10", "-", "over_quota"),)
    [rule] = report.rules
    assert (rule.path, rule.kind) == ("awards.advanced_laborer.criteria.not_newly_recruited", "condition")
    assert (rule.old, rule.new) == ("months_since_recruitment ≥ 6", "months_since_recruitment ≥ 5")


def test_diff_is_a_mirror_and_a_campaign_against_itself_changes_nothing(campaign, new_campaign):
    facts = load_facts(FACTS, campaign)
    new = load_campaign(new_campaign)
    old_eval = Engine(campaign, backend="python").evaluate(facts)
    new_eval = Engine(new, backend="python").evaluate(load_facts(FACTS, new))
    forward, backward = impact(old_eval, new_eval), impact(new_eval, old_eval)
    assert forward.gains() == backward.losses() and forward.losses() == backward.gains()
    assert [(c.old, c.new) for c in forward.changes] == [(c.new, c.old) for c in backward.changes]
    same = impact(old_eval, old_eval, rules=rule_changes(campaign, campaign))
    assert same.to_dict() == impact(new_eval, new_eval).to_dict()
    assert not (same.changes or same.quotas or same.placements or same.targets or same.rules)


def test_diff_command_in_every_format(campaign, new_campaign, tmp_path):
    args = ["diff", str(CAMPAIGN), str(new_campaign), "--facts", str(FACTS)]
    out = io.StringIO()
    assert run([*args, "--format", "json"], stdout=out, stderr=io.StringIO()) == 0
    doc = json.loads(out.getvalue())
    assert doc["per_award"] == {"advanced_laborer": {"gain": 1, "loss": 0, "change": 0},
                                "grassroots_emulation_fighter": {"gain": 1, "loss": 0, "change": 0}}
    vi, en = io.StringIO(), io.StringIO()
    assert run(args, stdout=vi, stderr=io.StringIO()) == 0
    assert run([*args, "--lang", "en"], stdout=en, stderr=io.StringIO()) == 0
    assert "được thêm: A10 (CD-A) không đạt → đạt; tiêu chuẩn đổi: not_newly_recruited: không đạt → đạt" in vi.getvalue()
    assert "gain: A10 (CD-A) not awarded → awarded" in en.getvalue()
    book = tmp_path / "diff.xlsx"
    assert run([*args, "--format", "xlsx", "-o", str(book)], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    openpyxl = pytest.importorskip("openpyxl")
    rows = list(openpyxl.load_workbook(book)["Tổng hợp"].iter_rows(values_only=True))
    assert rows == [("Danh hiệu", "Được thêm", "Mất", "Thay đổi khác"), ("Lao động tiên tiến", 1, 0, 0),
                    ("Chiến sĩ thi đua cơ sở", 1, 0, 0)]
    page = tmp_path / "diff.html"
    assert run([*args, "--format", "html", "-o", str(page)], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    html = page.read_text(encoding="utf-8")
    assert 'data-award="advanced_laborer" data-kind="gain">1<' in html and "<script" not in html
    err = io.StringIO()
    assert run([*args, "--format", "html", "--lang", "en"], stdout=io.StringIO(), stderr=err) == 2
    assert "-o FILE.html" in err.getvalue()


def test_diff_with_itself_says_nothing_changes():
    out = io.StringIO()
    assert run(["diff", str(CAMPAIGN), "--facts", str(FACTS)], stdout=out, stderr=io.StringIO()) == 0
    assert out.getvalue().strip().endswith("không có thay đổi nào")


def test_bulk_diff_counts_equal_the_per_subject_diff(campaign, new_campaign, tmp_path):
    pytest.importorskip("polars")
    import csv

    facts = load_facts(FACTS, campaign)
    names = [f.id for f in campaign.facts]
    table = tmp_path / "people.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["id", "kind", "role", "unit", *names])
        for s in facts.subjects:
            w.writerow([s.id, s.kind, s.role, s.unit, *(str(s.facts[n]).lower() if isinstance(s.facts.get(n), bool)
                                                       else s.facts.get(n, "") for n in names)])
    out, err = io.StringIO(), io.StringIO()
    changed = tmp_path / "changed.csv"
    rc = run(["diff", str(CAMPAIGN), str(new_campaign), "--facts", str(table), "--bulk", "--format", "json",
              "--as-of", "2025-12-31", "-o", str(changed)], stdout=out, stderr=err)
    assert rc == 0, err.getvalue()
    assert json.loads(out.getvalue())["per_award"] == {
        "advanced_laborer": {"gain": 1, "loss": 0, "change": 0},
        "grassroots_emulation_fighter": {"gain": 1, "loss": 0, "change": 0}}
    assert changed.read_text(encoding="utf-8").splitlines() == [
        "subject_id,award,old,new,kind", "A10,advanced_laborer,not_awarded,awarded,gain",
        "A10,grassroots_emulation_fighter,not_awarded,awarded,gain"]


def test_one_pass_pair_equals_two_bulk_evaluations_joined(campaign, new_campaign, tmp_path):
    """The one-pass diff (each chunk coerced once, scored by both rule sets) gives the rows of
    two separate bulk evaluations joined; campaigns with other facts are evaluated apart."""
    pl = pytest.importorskip("polars")
    from emulation_rules.evaluate.polars.paired import pairable
    from emulation_rules.results.impact_table import bulk_impact, compare_many

    facts = load_facts(FACTS, campaign)
    rows = [{"id": f"{s.id}-{k}", "kind": s.kind, "role": s.role, "unit": s.unit,
             **{f: (str(v).lower() if isinstance(v, bool) else str(v)) for f, v in s.facts.items()}}
            for k in range(3) for s in facts.subjects]  # the same people thrice, under other ids
    table = tmp_path / "people.parquet"
    pl.DataFrame(rows).write_parquet(table)
    old, new = Engine(campaign, backend="polars"), Engine(load_campaign(new_campaign), backend="polars")
    assert pairable(old.compiled, new.compiled)
    summary, changed, _ = compare_many(old, new, table, as_of=campaign.phases[0].end, phase=None)
    two = bulk_impact(old.evaluate_many(table, as_of=campaign.phases[0].end).table,
                      new.evaluate_many(table, as_of=campaign.phases[0].end).table)
    assert summary == two[0] and changed.equals(two[1])
    assert summary["advanced_laborer"]["gain"] == 3  # A10 thrice (the header: 5 months awards A10)
    noted = campaign.model_copy(update={"facts": (campaign.facts[0].model_copy(update={"note": "other"}),
                                                  *campaign.facts[1:])})
    apart = Engine(noted, backend="polars")
    assert not pairable(old.compiled, apart.compiled)  # another declaration: two evaluations
    assert compare_many(old, apart, table, as_of=campaign.phases[0].end)[0] == {}
