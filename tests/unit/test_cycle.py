"""Issue 20, items 1 and 3: proposals (đề nghị) and the council's vote (bỏ phiếu kín).

The campaign is the worked example's (examples/review_cycle/campaign.yaml); its vote figures are
cited to the invented company regulation beside it (quy_che_thi_dua_cong_ty_a.txt): quorum 2/3
of the members, "từ 66,67% trở lên" (line 12); CSTĐCS "từ 70% trở lên số thành viên Hội đồng
có mặt" (line 13); the director's certificate "từ 50% trở lên tổng số thành viên" (line 14);
only people on the proposal list are judged for either (line 8).
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest

from emulation_rules import Engine, load_campaign
from emulation_rules.cli.app import run
from emulation_rules.errors import CampaignValidationError, FactsError
from emulation_rules.evaluate.base import backend_problem
from emulation_rules.facts.load import load_facts

from ..conftest import CAMPAIGNS, EXAMPLES

CYCLE = EXAMPLES / "review_cycle"
CAMPAIGN = CYCLE / "campaign.yaml"
CSTDCS = "grassroots_emulation_fighter"
BACKENDS = [b for b in ("durable", "python", "polars") if backend_problem(b) is None]  # type: ignore[arg-type]

GOOD = {"employment_status": "worker", "task_rating": "completed_excellently",
        "emulation_spirit_confirmed": True, "months_since_recruitment": 40,
        "under_disciplinary_review": False, "initiatives_recognized": 0, "research_accepted": 0}


def _person(pid: str, **facts: object) -> dict:
    return {"id": pid, "kind": "individual", "role": "employee", "unit": "CD-A", "facts": {**GOOD, **facts}}


def _ballot(pid: str, present: int, votes: int, members: int = 9, award: str = CSTDCS) -> dict:
    return {"subject": pid, "award": award, "members": members, "present": present, "votes_for": votes}


@pytest.fixture(scope="module")
def campaign():
    return load_campaign(CAMPAIGN)


def _evaluate(campaign, data: dict, backend: str = "python"):
    return Engine(campaign, backend=backend).evaluate({"as_of": "2025-12-31", **data})  # type: ignore[arg-type]


def test_unproposed_subjects_are_not_judged_and_count_in_no_quota(campaign) -> None:
    people = [_person(f"P{i}") for i in range(1, 5)]
    data = {"subjects": people, "proposals": [{"award": CSTDCS, "subjects": ["P1", "P2"]}],
            "ballots": [_ballot("P1", 8, 7)]}
    ev = _evaluate(campaign, data)
    verdicts = {s: v for (s, a), v in ev.verdicts().items() if a == CSTDCS}
    # P1 voted in, P2 awaits the ballot; P3 and P4 meet every standard but nobody proposed them
    assert verdicts == {"P1": "awarded", "P2": "incomplete", "P3": "not_proposed", "P4": "not_proposed"}
    p3 = ev.subject("P3").award(CSTDCS)
    assert p3.criteria == () and p3.reason == "not proposed by the unit"  # "không được đơn vị đề nghị" (vi)
    group = ev.quotas[0].to_dict()["groups"][0]
    assert (group["numerator"], group["undecided"], group["denominator"]) == (1, 1, 4)
    assert group["counted_ids"] == ["P1"] and group["undecided_ids"] == ["P2"]


def test_without_requires_proposal_nothing_changes() -> None:
    acceptance = load_campaign(CAMPAIGNS / "ldtt_cstdcs_2025.yaml")
    plain = load_facts(EXAMPLES / "ldtt_cstdcs_2025" / "facts.yaml", acceptance)
    engine = Engine(acceptance, backend="python")
    before = engine.evaluate(plain)
    data = {"as_of": "2025-12-31", "subjects": [_person("P1")], "proposals": []}
    assert engine.evaluate(data).verdicts()[("P1", CSTDCS)] == "awarded"
    assert "not_proposed" not in before.verdicts().values()


def test_a_missing_ballot_leaves_the_verdict_incomplete_naming_the_vote(campaign) -> None:
    data = {"subjects": [_person("P1")], "proposals": [{"award": CSTDCS, "subjects": ["P1"]}]}
    a = _evaluate(campaign, data).subject("P1").award(CSTDCS)
    assert a.verdict == "incomplete"
    assert a.missing_facts == ("vote__grassroots_emulation_fighter",)
    vote = next(c for c in a.criteria if c.criterion_id == "council_vote")
    assert vote.status == "unknown" and vote.values == {}


@pytest.mark.parametrize(("present", "votes", "verdict"), [
    (10, 7, "awarded"),       # 7/10 = 70%: "từ 70% trở lên" (line 13) holds exactly at 70
    (10, 6, "not_awarded"),   # 60%
    (6, 6, "not_awarded"),    # 6 of 9 present = 66.67 (rounded up 66.666...) < 66,67% (line 12)
    (7, 5, "awarded"),        # 7 of 9 present (77.8%), 5/7 = 71.4%
])
def test_the_ballot_is_judged_against_the_cited_threshold_and_quorum(campaign, present, votes, verdict) -> None:
    data = {"subjects": [_person("P1")], "proposals": [{"award": CSTDCS, "subjects": ["P1"]}],
            "ballots": [_ballot("P1", present, votes, members=10 if present == 10 else 9)]}
    a = _evaluate(campaign, data).subject("P1").award(CSTDCS)
    assert a.verdict == verdict
    vote = next(c for c in a.criteria if c.criterion_id == "council_vote")
    assert vote.values["votes_for"] == votes and vote.values["present"] == present
    if verdict == "not_awarded":
        assert vote.status == "fail"
        assert vote.source.cite() == "Quy chế 05/QĐ-CTA (ví dụ), Điều 6 (dòng 12-13)"


def test_a_vote_of_the_members_counts_absent_members(campaign) -> None:
    # the certificate needs 50% "tổng số thành viên" (line 14): 4 of 9 members is 44%, though 4 of 6 present
    person = {**_person("P1"), "history": [{"title": CSTDCS, "year": 2023}, {"title": CSTDCS, "year": 2024}]}
    data = {"subjects": [person], "proposals": [{"award": "director_certificate", "subjects": ["P1"]}],
            "ballots": [_ballot("P1", 6, 4, award="director_certificate")]}
    assert _evaluate(campaign, data).verdicts()[("P1", "director_certificate")] == "not_awarded"
    data["ballots"] = [_ballot("P1", 6, 5, award="director_certificate")]
    assert _evaluate(campaign, data).verdicts()[("P1", "director_certificate")] == "awarded"


@pytest.mark.skipif(len(BACKENDS) < 2, reason="one backend installed")
def test_every_backend_gives_the_same_verdicts_with_proposals_and_votes(campaign) -> None:
    sub = load_facts(CYCLE / "facts_2025.yaml", campaign)
    results = {b: Engine(campaign, backend=b).evaluate(sub) for b in BACKENDS}  # type: ignore[arg-type]
    first = results[BACKENDS[0]]
    for b in BACKENDS[1:]:
        assert results[b].verdicts() == first.verdicts(), b
        assert [q.to_dict() for q in results[b].quotas] == [q.to_dict() for q in first.quotas]
        for s in first.subjects:
            for a in s.awards:
                other = results[b].subject(s.subject_id).award(a.award_id)
                assert other.missing_facts == a.missing_facts
                mine = [c for c in a.criteria if c.criterion_id == "council_vote"]
                theirs = [c for c in other.criteria if c.criterion_id == "council_vote"]
                assert [(c.status, dict(c.values), c.threshold) for c in mine] == \
                       [(c.status, dict(c.values), c.threshold) for c in theirs]
    assert set(first.verdicts().values()) >= {"awarded", "not_awarded", "incomplete", "not_proposed"}


def test_proposals_in_a_csv_column_by_label_in_nfd(campaign, tmp_path: Path) -> None:
    label = unicodedata.normalize("NFD", "Chiến sĩ thi đua cơ sở")
    header = "id,kind,role,unit,proposed_for," + ",".join(GOOD)
    row = lambda pid, prop: f"{pid},individual,employee,CD-A,{prop}," + ",".join(  # noqa: E731
        str(v).lower() if isinstance(v, bool) else str(v) for v in GOOD.values())
    path = tmp_path / "facts.csv"
    path.write_text("\n".join([header, row("P1", label), row("P2", "")]) + "\n", encoding="utf-8")
    sub = load_facts(path, campaign)
    assert sub.proposals == {CSTDCS: frozenset({"P1"})}
    verdicts = Engine(campaign, backend="python").evaluate(sub, as_of=None, phase="year_2025").verdicts()
    assert verdicts[("P1", CSTDCS)] == "incomplete" and verdicts[("P2", CSTDCS)] == "not_proposed"
    path.write_text("\n".join([header, row("P1", "chiến sĩ thi đua")]) + "\n", encoding="utf-8")
    with pytest.raises(FactsError) as info:
        load_facts(path, campaign)
    problem = info.value.problems[0]
    assert problem.code == "unknown-award"
    assert (problem.location.line, problem.location.column) == (2, 5)


def test_proposals_in_a_plain_xlsx_column(campaign, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "kind", "role", "unit", "proposed_for", *GOOD])
    sheet.append(["P1", "individual", "employee", "CD-A", "Chiến sĩ thi đua cơ sở; Giấy khen của Giám đốc",
                  *GOOD.values()])
    sheet.append(["P2", "individual", "employee", "CD-A", "Giấy khen", *GOOD.values()])
    path = tmp_path / "facts.xlsx"
    book.save(path)
    with pytest.raises(FactsError) as info:
        load_facts(path, campaign)
    problem = info.value.problems[0]
    assert problem.code == "unknown-award" and problem.location.sheet == sheet.title
    assert (problem.location.line, problem.location.column) == (3, 5)
    sheet["E3"] = "director_certificate"
    book.save(path)
    assert load_facts(path, campaign).proposals == {CSTDCS: frozenset({"P1"}),
                                                   "director_certificate": frozenset({"P1", "P2"})}


def test_bad_proposals_and_ballots_are_located(campaign, tmp_path: Path) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text(
        "subjects:\n"
        "  - {id: P1, kind: individual, role: employee, facts: {}}\n"
        "proposals:\n"
        "  - {award: chien_si, subjects: [P1, P9]}\n"
        "ballots:\n"
        "  - {subject: P1, award: advanced_laborer, members: 9, present: 8, votes_for: 9}\n",
        encoding="utf-8")
    with pytest.raises(FactsError) as info:
        load_facts(path, campaign)
    got = {(p.code, p.location.line) for p in info.value.problems}
    assert ("unknown-award", 4) in got and ("unknown-subject", 4) in got
    assert ("invalid-value", 6) in got  # no vote for LĐTT, and 9 votes for with 8 present
    assert sum(1 for p in info.value.problems if p.location.line == 6) == 2


def test_a_vote_threshold_must_be_printed_on_its_lines(tmp_path: Path) -> None:
    text = CAMPAIGN.read_text(encoding="utf-8").replace("threshold: 70,", "threshold: 75,")
    (tmp_path / "quy_che_thi_dua_cong_ty_a.txt").write_bytes((CYCLE / "quy_che_thi_dua_cong_ty_a.txt").read_bytes())
    (tmp_path / "documents").mkdir()
    for doc in (CYCLE / "documents").iterdir():
        (tmp_path / "documents" / doc.name).write_bytes(doc.read_bytes())
    path = tmp_path / "campaign.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CampaignValidationError) as info:
        load_campaign(path)
    problem = next(p for p in info.value.problems if p.code == "figure-not-in-source")
    assert problem.path == ("awards", 1, "vote", "threshold")
    assert "75" in problem.message


def test_bulk_scoring_refuses_a_campaign_with_proposals(tmp_path: Path) -> None:
    pytest.importorskip("polars")
    path = tmp_path / "facts.csv"
    path.write_text("id,kind,role\nP1,individual,employee\n", encoding="utf-8")
    err = io.StringIO()
    code = run(["evaluate", str(CAMPAIGN), "--facts", str(path), "--bulk", "--phase", "year_2025"],
               stdout=io.StringIO(), stderr=err)
    assert code == 2 and "proposals" in err.getvalue() and "Traceback" not in err.getvalue()
