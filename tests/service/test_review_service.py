"""Issue 20 in the service (a real server on 127.0.0.1): the review (``POST .../reviews``, the
same as ``evaluate --reviewed``) and the register of titles conferred (record a decision, read a
subject's history), behind the token, against a real SQLite file.

The worked example (examples/review_cycle) is served; expected verdicts are those of the command
line on the same files (tests/unit/test_review_cycle.py cites the regulation's lines), and the
register's history is read back from the SQLite file and by ``register history``.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from emulation_rules.cli import run

from ..conftest import EXAMPLES
from .conftest import Server

pytest.importorskip("sqlalchemy")

CYCLE = EXAMPLES / "review_cycle"
CAMPAIGN = "ldtt_cstdcs_cycle"
TOKEN = "review-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BODY = "Giám đốc Công ty A"
PROBLEM = "application/problem+json"


def _plain(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    return x.isoformat() if hasattr(x, "isoformat") else x


def _data(name: str) -> dict[str, Any]:
    data: dict[str, Any] = _plain(yaml.safe_load((CYCLE / name).read_text(encoding="utf-8")))
    return data


def _review_body() -> dict[str, Any]:
    return {**_data("facts_2025.yaml"), "review": _data("review_2025.yaml")}


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _problem(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = r.json()
    assert body["type"] == f"urn:emulation-rules:{code}" and "Traceback" not in r.text
    return body


@pytest.fixture(scope="module")
def cycle_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The example's campaign served with a token, a decision log (with facts) and a register."""
    base = tmp_path_factory.mktemp("cycle")
    campaigns = base / "campaigns"
    campaigns.mkdir()
    shutil.copy(CYCLE / "campaign.yaml", campaigns / "campaign.yaml")
    shutil.copy(CYCLE / "quy_che_thi_dua_cong_ty_a.txt", campaigns / "quy_che_thi_dua_cong_ty_a.txt")
    shutil.copytree(CYCLE / "documents", campaigns / "documents")
    (base / "tokens").write_text(TOKEN + "\n", encoding="utf-8")
    srv = Server(campaigns, "--token-file", str(base / "tokens"), "--log-db", str(base / "decisions.sqlite"),
                 "--log-facts", "--register", str(base / "register.sqlite"))
    srv.db = base / "decisions.sqlite"  # type: ignore[attr-defined]
    srv.register = base / "register.sqlite"  # type: ignore[attr-defined]
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(cycle_server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cycle_server.url, timeout=60, headers=AUTH) as c:
        yield c


def test_a_review_answers_both_results_as_the_command_line(client: httpx.Client, cycle_server: Server) -> None:
    r = client.post(f"/campaigns/{CAMPAIGN}/reviews", json=_review_body())
    assert r.status_code == 200, r.text
    got = r.json()
    argv = ["evaluate", str(CYCLE / "campaign.yaml"), "--facts", str(CYCLE / "facts_2025.yaml"), "--format", "json",
            "--lang", "en"]  # the service's documents keep the library's reasons (service/language.py)
    code, reviewed, err = _cli(*argv, "--reviewed", str(CYCLE / "review_2025.yaml"))
    assert code == 0, err
    code, assessed, err = _cli(*argv)
    assert code == 0, err
    reviewed_doc, assessed_doc = json.loads(reviewed), json.loads(assessed)
    assert got["review"] == reviewed_doc["review"]  # both values, notes, both verdicts, changed criteria
    for key in ("subjects", "quotas", "as_of", "campaign"):
        assert got[key] == reviewed_doc[key], key
        assert got["self_assessed"][key] == assessed_doc[key], key
    verdicts = {(s["id"], a["award"]): a["verdict"] for s in got["subjects"] for a in s["awards"]}
    own = {(s["id"], a["award"]): a["verdict"] for s in got["self_assessed"]["subjects"] for a in s["awards"]}
    # A10's rating corrected from excellent to good: CSTĐCS no longer holds; A06 under review: no LĐTT
    assert (own[("A10", "grassroots_emulation_fighter")], verdicts[("A10", "grassroots_emulation_fighter")]) == (
        "awarded", "not_awarded")
    assert (own[("A06", "advanced_laborer")], verdicts[("A06", "advanced_laborer")]) == ("awarded", "not_awarded")

    # logged as a decision of kind "review", and replayed identical from the log
    decision = r.headers["x-decision-id"]
    record = client.get(f"/evaluations/{decision}").json()
    assert record["kind"] == "review"
    assert record["verdicts"]["self_assessed"]["A10"]["grassroots_emulation_fighter"] == "awarded"
    assert record["verdicts"]["subjects"]["A10"]["grassroots_emulation_fighter"] == "not_awarded"
    code, out, err = _cli("replay", decision, "--log-db", str(cycle_server.db),  # type: ignore[attr-defined]
                          "--campaigns", str(cycle_server.campaigns))
    assert code == 0 and out.startswith("identical:"), out + err

    # explain=false and lang=en shape both documents
    slim = client.post(f"/campaigns/{CAMPAIGN}/reviews?explain=false&lang=en", json=_review_body()).json()
    assert all(a["criteria"] == [] for doc in (slim, slim["self_assessed"]) for s in doc["subjects"]
               for a in s["awards"])
    assert slim["review"] == got["review"]


def test_a_bad_review_is_located_in_the_request(client: httpx.Client) -> None:
    body = _review_body()
    body["review"]["corrections"][1]["subject"] = "A99"
    text = json.dumps(body, ensure_ascii=False, indent=1)
    r = client.post(f"/campaigns/{CAMPAIGN}/reviews", content=text.encode(), headers={"content-type": "application/json"})
    (p,) = _problem(r, 422, "bad-facts")["problems"]
    line = next(i for i, s in enumerate(text.splitlines(), start=1) if '"A99"' in s)
    assert (p["code"], p["file"], p["line"], p["path"]) == ("unknown-subject", "<request>", line,
                                                           "review.corrections[1].subject")
    no_review = _data("facts_2025.yaml")
    (p,) = _problem(client.post(f"/campaigns/{CAMPAIGN}/reviews", json=no_review), 422, "bad-facts")["problems"]
    assert p["code"] == "missing-key" and "review" in p["message"]
    bad_fact = _review_body()
    bad_fact["subjects"][0]["facts"]["task_rating"] = "superb"
    (p,) = _problem(client.post(f"/campaigns/{CAMPAIGN}/reviews", json=bad_fact), 422, "bad-facts")["problems"]
    assert p["line"] is not None and p["path"].startswith("subjects[0].facts")


def test_the_token_guards_the_review_and_the_register(cycle_server: Server) -> None:
    with httpx.Client(base_url=cycle_server.url, timeout=30) as bare:
        for method, path in (("POST", f"/campaigns/{CAMPAIGN}/reviews"), ("POST", "/register/decisions"),
                             ("GET", "/register/subjects/A07/history")):
            _problem(bare.request(method, path, json={}), 401, "unauthorized")


def test_decisions_recorded_through_the_service_give_the_history(client: httpx.Client, cycle_server: Server) -> None:
    rows = [dict(zip(("subject", "title", "year", "name"), line.split(","), strict=True))
            for line in (CYCLE / "conferred_2024.csv").read_text(encoding="utf-8").splitlines()[1:]]
    for row in rows:
        row["year"] = int(row["year"])
    r = client.post("/register/decisions", json={"number": "21/QĐ-CTA", "date": "2024-12-30", "issued_by": BODY,
                                                 "conferrals": rows})
    assert r.status_code == 201, r.text
    first = r.json()
    assert (first["kind"], len(first["conferrals"])) == ("confer", len(rows))
    _problem(client.post("/register/decisions", json={"number": "21/QĐ-CTA", "date": "2025-01-02",
                                                      "issued_by": BODY, "conferrals": []}), 409, "duplicate-decision")

    # the 2025 decision from the review's answer: its awarded titles within every quota
    review = client.post(f"/campaigns/{CAMPAIGN}/reviews", json=_review_body()).json()
    r = client.post("/register/decisions", json={"number": "30/QĐ-CTA", "date": "2025-12-31", "issued_by": BODY,
                                                 "evaluation": review})
    assert r.status_code == 201, r.text
    second = r.json()
    awarded = sorted((s["id"], a["award"]) for s in review["subjects"] for a in s["awards"]
                     if a["verdict"] == "awarded")
    assert sorted((c["subject"], c["title"]) for c in second["conferrals"]) == awarded
    assert second["campaign"] == CAMPAIGN and {c["year"] for c in second["conferrals"]} == {2025}
    assert ("A10", "grassroots_emulation_fighter") not in awarded  # the reviewed verdict counts

    # a revocation takes A08's 2024 title back
    r = client.post("/register/decisions", json={
        "number": "31/QĐ-CTA", "date": "2026-01-05", "issued_by": BODY, "revokes": "21/QĐ-CTA",
        "conferrals": [{"subject": "A08", "title": "grassroots_emulation_fighter", "year": 2024}]})
    assert r.status_code == 201 and r.json()["kind"] == "revoke", r.text

    for subject in ("A07", "A08", "A11", "NOBODY"):
        shown = client.get(f"/register/subjects/{subject}/history")
        assert shown.status_code == 200, shown.text
        code, out, err = _cli("register", "history", str(cycle_server.register), "--subject", subject,  # type: ignore[attr-defined]
                              "--format", "json")
        assert code == 0, err
        assert shown.json() == json.loads(out), subject
    a07 = client.get("/register/subjects/A07/history").json()["history"]
    assert {(h["title"], h["year"], h["decision"]) for h in a07} >= {
        ("grassroots_emulation_fighter", 2024, "21/QĐ-CTA"), ("grassroots_emulation_fighter", 2025, "30/QĐ-CTA")}
    a08 = client.get("/register/subjects/A08/history").json()["history"]
    assert ("grassroots_emulation_fighter", 2024) not in {(h["title"], h["year"]) for h in a08}  # revoked
    with closing(sqlite3.connect(cycle_server.register)) as conn:  # type: ignore[attr-defined]
        numbers = [n for (n,) in conn.execute("SELECT number FROM register_decisions ORDER BY id")]
    assert numbers == ["21/QĐ-CTA", "30/QĐ-CTA", "31/QĐ-CTA"]  # the refused duplicate left nothing


def test_a_bad_decision_is_located_and_records_nothing(client: httpx.Client, cycle_server: Server) -> None:
    text = json.dumps({"number": "40/QĐ-CTA", "date": "2026-12-30", "issued_by": BODY, "conferrals": [
        {"subject": "A01", "title": "advanced_laborer", "year": 2026},
        {"subject": "A02", "title": "Lao động tiên tiến", "year": 2026},
        {"subject": "A03", "title": "advanced_laborer", "year": 1200}]}, ensure_ascii=False, indent=1)
    r = client.post("/register/decisions", content=text.encode(), headers={"content-type": "application/json"})
    problems = _problem(r, 422, "bad-decision")["problems"]
    lines = text.splitlines()
    assert [(p["path"], p["line"]) for p in problems] == [
        ("conferrals[1].title", next(i for i, s in enumerate(lines, 1) if "Lao động tiên tiến" in s)),
        ("conferrals[2].year", next(i for i, s in enumerate(lines, 1) if "1200" in s))]
    assert all(p["file"] == "<request>" for p in problems)
    for body, where in (({"number": "41/QĐ", "date": "31/12/2026", "issued_by": BODY, "conferrals": []}, "date"),
                        ({"number": "41/QĐ", "date": "2026-12-31", "issued_by": BODY}, "<root>"),
                        ({"number": "41/QĐ", "date": "2026-12-31", "issued_by": BODY, "conferrals": [],
                          "evaluation": {}}, "<root>"),
                        ({"number": "41/QĐ", "date": "2026-12-31", "issued_by": BODY, "campaign": "nope",
                          "evaluation": {"subjects": []}}, "campaign")):
        (p,) = _problem(client.post("/register/decisions", json=body), 422, "bad-decision")["problems"]
        assert p["path"] == where and p["line"] is not None, p
    _problem(client.post("/register/decisions", json={"number": "42/QĐ", "date": "2026-12-31", "issued_by": BODY,
                                                      "revokes": "99/QĐ", "conferrals": []}), 422, "bad-decision")
    with closing(sqlite3.connect(cycle_server.register)) as conn:  # type: ignore[attr-defined]
        assert not conn.execute("SELECT count(*) FROM register_decisions WHERE number LIKE '4%'").fetchone()[0]


def test_without_a_register_the_endpoints_say_so(tmp_path: Path) -> None:
    campaigns = tmp_path / "campaigns"
    campaigns.mkdir()
    for name in ("campaign.yaml", "quy_che_thi_dua_cong_ty_a.txt"):
        shutil.copy(CYCLE / name, campaigns / name)
    shutil.copytree(CYCLE / "documents", campaigns / "documents")
    srv = Server(campaigns, "--no-log").start()
    try:
        _problem(httpx.get(f"{srv.url}/register/subjects/A07/history"), 404, "register-off")
        _problem(httpx.post(f"{srv.url}/register/decisions", json={}), 404, "register-off")
        r = httpx.post(f"{srv.url}/campaigns/{CAMPAIGN}/reviews", json=_review_body(), timeout=60)
        assert r.status_code == 200 and "x-decision-id" not in r.headers  # no decision log: answered
    finally:
        srv.stop()
