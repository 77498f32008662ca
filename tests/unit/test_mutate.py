"""Mutation testing of the shipped campaigns against their author cases (authoring/mutate.py).

Each shipped campaign is changed one figure or operator at a time, in memory, and its cases run
against every change. A change no case notices survives; none does on the five shipped
campaigns (the few that cannot change an outcome are declared equivalent in the case files, each
with its reason). ``tests/data/mutation_survivors.json`` lists survivors tolerated while cases
are being written (empty now); a new survivor fails this test (regenerate the list with
``python -m tests.unit.test_mutate``).
"""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

import pytest

from emulation_rules.authoring.cases import find_case_files, load_cases
from emulation_rules.authoring.mutate import apply, mutants, mutation_test
from emulation_rules.campaign.loader import validate_campaign
from emulation_rules.campaign.safe_yaml import parse_yaml
from emulation_rules.cli.app import run
from emulation_rules.errors import CampaignError

from ..conftest import CAMPAIGNS, ROOT

CASES = CAMPAIGNS / "cases"
SURVIVORS = ROOT / "tests" / "data" / "mutation_survivors.json"


def _reports() -> dict[str, object]:
    return {p.stem: mutation_test(p) for p in find_case_files([CASES])}


@pytest.fixture(scope="module")
def reports() -> dict[str, object]:
    return _reports()


def test_every_operator_is_exercised_on_the_shipped_campaigns() -> None:
    ops = {
        mu.operator
        for p in sorted(CAMPAIGNS.glob("*.yaml"))
        for mu in mutants(load_cases(CASES / p.name).campaign)
    }
    assert ops >= {"+1", "op", "+1d", "-1d", "rank+1", "rank-1", "drop"}
    assert ops & {"any", "all"}


def test_mutant_ids_are_unique_and_located() -> None:
    case_file = load_cases(CASES / "thanhhoa_2021_2030.yaml")
    found = mutants(case_file.campaign)
    assert len({mu.id for mu in found}) == len(found)
    _, smap = parse_yaml(case_file.campaign_path.read_bytes(), file="th.yaml")
    assert all(smap.locate(mu.path) is not None for mu in found)


def test_apply_changes_one_value_and_leaves_the_original_alone() -> None:
    """Thanh Hóa union finance, phase II: 'đạt 95% dự toán trở lên' (004 L96) typed 96."""
    case_file = load_cases(CASES / "thanhhoa_2021_2030.yaml")
    data, _ = parse_yaml(case_file.campaign_path.read_bytes(), file="th.yaml")
    target = next(i for i, t in enumerate(data["targets"]) if t["id"] == "finance_collected")
    (mu,) = [
        mu for mu in mutants(case_file.campaign) if mu.id == f"targets[{target}].values[1].value +1"
    ]
    assert (mu.before, mu.after, mu.source.lines) == ("95", "96", (96, 96))
    mutated = validate_campaign(apply(data, mu))
    assert mutated.targets[target].value_for("phase_2") == 96
    assert data["targets"][target]["values"][1]["value"] == 95


def test_the_issue_examples_are_killed(reports) -> None:
    """Issue 15's examples: Thanh Hóa 95 -> 96 (phase II finance) and 70,000 -> 70,001 new
    members, Phú Riềng 'trong đó 50%' 50 -> 51, Điện Biên yearly '>=' -> '>'."""
    outcome = {
        (name, r.mutant.before, r.mutant.after, r.mutant.source.lines): r.outcome
        for name, rep in reports.items()
        for r in rep.results
        if r.mutant.source
    }
    assert outcome[("thanhhoa_2021_2030", "95", "96", (96, 96))] == "killed"
    assert outcome[("thanhhoa_2021_2030", "70000", "70001", (78, 78))] == "killed"
    assert outcome[("phurieng_2017", "50", "51", (50, 50))] == "killed"
    assert outcome[("dienbien_2020", ">=", ">", (12, 12))] == "killed"


def test_survivors_do_not_grow(reports) -> None:
    allowed = json.loads(SURVIVORS.read_text(encoding="utf-8"))
    for name, rep in reports.items():
        ids = {s.mutant.id for s in rep.survivors}
        new = ids - set(allowed.get(name, []))
        assert not new, f"{name}: new surviving mutants (add a case citing the plan): {sorted(new)}"
        gone = set(allowed.get(name, [])) - ids
        assert not gone, f"{name}: now killed, remove from {SURVIVORS.name}: {sorted(gone)}"
        assert not rep.unused_equivalents, rep.unused_equivalents


def test_the_shipped_campaigns_have_no_survivors(reports) -> None:
    assert len(reports) == 7
    for name in (
        "ldtt_cstdcs_2025",
        "vgcl_certificates",
        "tkv_2019",
        "dienbien_2020",
        "phurieng_2017",
        "thanhhoa_2021_2030",
        "vinhlinh_2022",
    ):
        assert reports[name].survivors == [], name
        assert reports[name].score == 100.0


def _case_file(tmp_path: Path, extra: str) -> Path:
    text = (CASES / "tkv_2019.yaml").read_text(encoding="utf-8")
    text = text.split("\nequivalent_mutants:")[0]
    text = text.replace("campaign: ../tkv_2019.yaml", f"campaign: {CAMPAIGNS / 'tkv_2019.yaml'}")
    path = tmp_path / "tkv_cases.yaml"
    path.write_text(text + "\n" + textwrap.dedent(extra), encoding="utf-8")
    return path


def test_equivalent_mutants_are_reported_as_such_and_stale_ones_named(tmp_path: Path) -> None:
    path = _case_file(
        tmp_path,
        """\
        equivalent_mutants:
          - {mutant: "phases[0].start +1d", reason: "award verdicts do not read the phase"}
          - {mutant: "phases[9].start +1d", reason: "names no mutant of this campaign"}
        """,
    )
    rep = mutation_test(path)
    assert [r.mutant.id for r in rep.results if r.outcome == "equivalent"] == [
        "phases[0].start +1d"
    ]
    assert [s.mutant.id for s in rep.survivors] == ["phases[0].start -1d"]
    assert rep.unused_equivalents == ("phases[9].start +1d",)


@pytest.mark.usefixtures("seeds_dir")  # checks cited plan lines: needs the plans' texts
def test_cli_lists_survivors_with_file_line_and_plan_line(tmp_path: Path) -> None:
    path = _case_file(tmp_path, "")
    out, err = io.StringIO(), io.StringIO()
    assert run(["test", str(path), "--mutate", "--lang", "en"], stdout=out, stderr=err) == 1
    text = out.getvalue()
    line = next(ln for ln in text.splitlines() if "survived: phases[0].start -1d" in ln)
    assert line.startswith(f"{CAMPAIGNS / 'tkv_2019.yaml'}:") or line.startswith(
        "campaigns/tkv_2019.yaml:"
    )
    assert "2019-03-29 -> 2019-03-28" in line and "plan: Kế hoạch 115/KH-CĐTKV, mục Ngày ban hành (dòng 5)" in line
    assert text.rstrip().endswith("2 surviving mutants")
    out = io.StringIO()
    assert (
        run(
            ["test", str(CASES / "phurieng_2017.yaml"), "--mutate", "--format", "json"],
            stdout=out,
            stderr=err,
        )
        == 0
    )
    (entry,) = json.loads(out.getvalue())["campaigns"]
    assert entry["counts"]["survived"] == 0 and entry["score"] == 100.0
    assert all(
        m["location"].startswith("campaigns/phurieng_2017.yaml:")
        or "phurieng_2017.yaml:" in m["location"]
        for m in entry["mutants"]
    )


def test_a_suite_failing_on_the_campaign_itself_is_refused(tmp_path: Path) -> None:
    path = _case_file(tmp_path, "")
    text = path.read_text(encoding="utf-8").replace("verdict: awarded", "verdict: not_awarded", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CampaignError, match="fails on the unmutated campaign"):
        mutation_test(path)
    err = io.StringIO()
    assert run(["test", str(path), "--mutate", "--lang", "en"], stdout=io.StringIO(), stderr=err) == 2
    assert "fails on the unmutated campaign" in err.getvalue()
    err = io.StringIO()
    assert run(["test", str(path), "--mutate"], stdout=io.StringIO(), stderr=err) == 2
    assert "không đạt trên phong trào chưa bị biến đổi" in err.getvalue()


if __name__ == "__main__":
    data = {name: sorted(s.mutant.id for s in rep.survivors) for name, rep in _reports().items()}
    SURVIVORS.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {SURVIVORS}")


def test_quota_bounds_are_killed_at_the_boundary_without_a_declaration() -> None:
    """Issue 19, item 9: a bound one up or one down is killed by a population built at the
    quota's boundary from the campaign's strategies (the cases hold no such population)."""
    from emulation_rules.authoring.mutate import mutation_test

    report = mutation_test(ROOT / "tests" / "data" / "quotas" / "themes_cases.yaml")
    quota = {r.mutant.id: r for r in report.results if r.mutant.path[0] == "quotas"}
    assert sorted(quota) == [f"quotas[{i}].max_count {op}" for i in range(3) for op in ("+1", "-1")]
    assert {r.outcome for r in quota.values()} == {"killed"}
    # per_theme allows 3: 3 counted is met, the mutant 3 -> 2 says not_met
    assert quota["quotas[0].max_count -1"].case == (
        "(boundary population: 3 counted of 3; quota per_theme met here, not_met with the mutant)")
    assert not [r for r in report.survivors if r.mutant.path[0] == "quotas"]
