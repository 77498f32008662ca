"""Documents in force (issue 19, item 8): a review date outside a cited document's force is
reported, located, for each rule resting on it; ``--strict`` refuses; outputs list the documents
each verdict rests on with their status.

The acceptance campaign's 15% cap cites NĐ 91/2017/NĐ-CP, in force to 31/12/2023 and replaced by
NĐ 98/2023/NĐ-CP from 01/01/2024 (campaigns/documents/SOURCES.md, D4 and "The cap ≤ 15% of LĐTT").
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil

import pytest

from emulation_rules import Engine, load_campaign, load_facts
from emulation_rules.campaign.force import force_problems, force_status, review_days
from emulation_rules.cli.app import run
from emulation_rules.messages import translate_message

from ..conftest import CAMPAIGNS, EXAMPLES

LDTT = CAMPAIGNS / "ldtt_cstdcs_2025.yaml"
LDTT_FACTS = EXAMPLES / "ldtt_cstdcs_2025" / "facts.yaml"


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def ldtt():
    return load_campaign(LDTT)


def test_status_on_either_side_of_the_force(ldtt) -> None:
    d91 = ldtt.document("decree_91_2017")
    assert force_status(d91, dt.date(2023, 12, 31)) == "in_force"  # last day, inclusive
    assert force_status(d91, dt.date(2024, 1, 1)) == "expired"
    law = ldtt.document("law_tdkt_2022")
    assert force_status(law, dt.date(2023, 12, 31)) == "not_yet"
    assert force_status(law, dt.date(2024, 1, 1)) == "in_force"


def test_the_cap_and_its_parameter_are_reported_on_the_expired_decree(ldtt) -> None:
    problems = force_problems(ldtt, review_days(ldtt))
    assert [(p.code, ".".join(map(str, p.path))) for p in problems] == [
        ("document-not-in-force", "quotas.0"), ("document-not-in-force", "parameters.0")]
    assert "expired on 01/01/2024, replaced by Nghị định 98/2023/NĐ-CP" in problems[0].message
    assert "expired on 01/01/2024, replaced by Nghị định 98/2023/NĐ-CP" in problems[0].message
    assert "hết hiệu lực từ 01/01/2024, thay bằng Nghị định 98/2023/NĐ-CP" in translate_message(problems[0].message)


def test_validate_warns_located_and_strict_refuses() -> None:
    code, out, _ = cli("validate", str(LDTT))
    assert code == 0
    warned = [line for line in out.splitlines() if line.endswith("[document-not-in-force]")]
    assert len(warned) == 2
    assert warned[0].startswith(f"cảnh báo: {LDTT}:234:5: quotas[0]: hạn mức 'cstdcs_cap' dựa trên Nghị định 91")
    code, out, _ = cli("validate", "--strict", str(LDTT))
    assert code == 1 and "ok:" not in out
    code, out, _ = cli("validate", "--strict", "--format", "json", str(LDTT))
    (entry,) = json.loads(out)
    assert code == 1 and entry["ok"] is False and entry["warnings"][0]["line"] == 234


def test_evaluate_warns_on_the_review_date_and_strict_refuses() -> None:
    code, out, err = cli("evaluate", str(LDTT), "--facts", str(LDTT_FACTS), "--format", "json")
    assert code == 0 and "[document-not-in-force]" in err
    doc = json.loads(out)
    cap = next(d for d in doc["documents"] if d.get("quota") == "cstdcs_cap")
    assert [(d["doc"], d["status"], d["in_force_to"], d["replaced_by"]) for d in cap["documents"]] == [
        ("decree_91_2017", "expired", "2023-12-31", "decree_98_2023")]
    laborer = next(d for d in doc["documents"] if d.get("award") == "advanced_laborer")
    assert {d["doc"]: d["status"] for d in laborer["documents"]} == {
        "law_tdkt_2022": "in_force", "circular_01_2024": "in_force", "decree_98_2023": "in_force"}
    # a review in 2023 falls before the Law's force and inside the old decree's
    code, _, err = cli("evaluate", str(LDTT), "--facts", str(LDTT_FACTS), "--phase", "year_2025",
                       "--as-of", "2023-06-30", "--strict")
    assert code == 1 and "chưa có hiệu lực (từ 01/01/2024)" in err and "cstdcs_cap" not in err
    code, out, err = cli("evaluate", str(LDTT), "--facts", str(LDTT_FACTS), "--strict")
    assert code == 1 and out == "" and err.count("[document-not-in-force]") == 2


def test_table_and_explain_list_the_documents_with_their_status() -> None:
    _, out, _ = cli("evaluate", str(LDTT), "--facts", str(LDTT_FACTS))
    assert ("  cstdcs_cap: Nghị định 91/2017/NĐ-CP (hết hiệu lực từ 01/01/2024, thay bằng "
            "Nghị định 98/2023/NĐ-CP)") in out.splitlines()
    _, out, _ = cli("explain", str(LDTT), "--facts", str(LDTT_FACTS), "--subject", "A01")
    assert "  Căn cứ: Luật TĐKT 2022 (còn hiệu lực); " in out  # Vietnamese, the default
    _, out, _ = cli("explain", str(LDTT), "--facts", str(LDTT_FACTS), "--subject", "A01", "--lang", "en")
    assert "  Rests on: Luật TĐKT 2022 (in force); " in out


def test_a_campaign_without_dated_documents_prints_as_before() -> None:
    campaign = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    ev = Engine(campaign, backend="python").evaluate(load_facts(EXAMPLES / "tkv_2019" / "facts.yaml", campaign))
    assert all(d.status == "undated" for r in ev.documents for d in r.documents)
    assert force_problems(campaign, review_days(campaign)) == []


def test_an_unknown_replacement_is_a_located_problem(tmp_path) -> None:
    from emulation_rules import CampaignValidationError

    text = LDTT.read_text(encoding="utf-8").replace("replaced_by: decree_98_2023", "replaced_by: decree_98")
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    shutil.copytree(LDTT.parent / "documents", tmp_path / "documents")  # texts are read inside the folder
    with pytest.raises(CampaignValidationError) as info:
        load_campaign(path)
    (p,) = info.value.problems
    assert (p.code, ".".join(map(str, p.path)), p.location.line) == (
        "unknown-document", "documents.3.replaced_by", text.splitlines().index("    replaced_by: decree_98") + 1)
