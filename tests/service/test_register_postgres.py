"""Issue 20: the register of titles conferred gives the same history from SQLite and PostgreSQL
(a throwaway PostgreSQL cluster, as tests/service/test_postgres.py starts it)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from emulation_rules.errors import FactsError
from emulation_rules.facts.conferred import Conferral, ConferralRegister, Decision

from .test_postgres import postgres_url  # noqa: F401  (the fixture: one cluster for this module)

BODY = "Giám đốc Công ty A"
CSTDCS = "grassroots_emulation_fighter"


def _record(store: ConferralRegister) -> None:
    store.add_all([
        Decision("09/QĐ-CTA", dt.date(2024, 1, 10), BODY, (Conferral("A07", CSTDCS, 2023),)),
        Decision("21/QĐ-CTA", dt.date(2024, 12, 30), BODY,
                 (Conferral("A07", CSTDCS, 2024), Conferral("A08", CSTDCS, 2024, "Người lao động A08"))),
    ])
    store.add(Decision("22/QĐ-CTA", dt.date(2025, 2, 1), BODY, (Conferral("A08", CSTDCS, 2024),),
                       revokes="21/QĐ-CTA"))
    store.add(Decision("30/QĐ-CTA", dt.date(2025, 12, 31), BODY,
                       (Conferral("A07", CSTDCS, 2025), Conferral("A08", "advanced_laborer", 2025))))


def test_the_same_history_from_sqlite_and_postgres(postgres_url: str, tmp_path: Path) -> None:  # noqa: F811
    stores = [ConferralRegister(str(tmp_path / "reg.sqlite")), ConferralRegister(postgres_url)]
    try:
        for store in stores:
            _record(store)
            with pytest.raises(FactsError) as info:  # the same number of the same body, refused
                store.add(Decision("30/QĐ-CTA", dt.date(2026, 1, 5), BODY, ()))
            assert info.value.problems[0].code == "duplicate-id"
        sqlite, postgres = (s.histories(["A07", "A08", "A09"]) for s in stores)
        assert sqlite == postgres
        assert [(h.year, h.decision) for h in sqlite["A07"]] == [(2023, "09/QĐ-CTA"), (2024, "21/QĐ-CTA"),
                                                                 (2025, "30/QĐ-CTA")]
        assert [(h.title, h.year) for h in sqlite["A08"]] == [("advanced_laborer", 2025)]  # 2024 revoked
        assert sqlite["A09"] == ()
        assert [e.number for e in stores[0].entries()] == [e.number for e in stores[1].entries()]
    finally:
        for store in stores:
            store.close()


def test_the_service_records_and_reads_the_same_in_sqlite_and_postgres(postgres_url: str,  # noqa: F811
                                                                      tmp_path: Path) -> None:
    """The same decisions posted to a service on a SQLite register and to one on PostgreSQL give
    the same answers and the same histories (``POST /register/decisions``, ``GET .../history``);
    its own subjects and body, apart from the other test's in the shared cluster."""
    body = "Giám đốc Công ty S"
    import httpx

    from .conftest import Server, copy_campaigns

    campaigns = copy_campaigns(tmp_path / "campaigns", "ldtt_cstdcs_2025")
    decisions = [
        {"number": "21/QĐ-CTA", "date": "2024-12-30", "issued_by": body, "conferrals": [
            {"subject": "S07", "title": CSTDCS, "year": 2024},
            {"subject": "S08", "title": CSTDCS, "year": 2024, "name": "Người lao động A08"}]},
        {"number": "22/QĐ-CTA", "date": "2025-02-01", "issued_by": body, "revokes": "21/QĐ-CTA",
         "conferrals": [{"subject": "S08", "title": CSTDCS, "year": 2024}]},
        {"number": "30/QĐ-CTA", "date": "2025-12-31", "issued_by": body, "conferrals": [
            {"subject": "S07", "title": CSTDCS}, {"subject": "S08", "title": "advanced_laborer"}]},
        {"number": "30/QĐ-CTA", "date": "2026-01-05", "issued_by": body, "conferrals": []},  # 409
    ]
    seen = []
    for register in (str(tmp_path / "reg.sqlite"), postgres_url):
        srv = Server(campaigns, "--no-log", "--register", register).start()
        try:
            with httpx.Client(base_url=srv.url, timeout=60) as c:
                answers = [c.post("/register/decisions", json=d) for d in decisions]
                statuses = [r.status_code for r in answers]
                bodies = [{k: v for k, v in r.json().items() if k != "id"} for r in answers[:3]]
                histories = {s: c.get(f"/register/subjects/{s}/history").json() for s in ("S07", "S08", "S09")}
            seen.append((statuses, bodies, histories))
        finally:
            srv.stop()
    assert seen[0] == seen[1]
    statuses, _, histories = seen[0]
    assert statuses == [201, 201, 201, 409]
    assert [(h["year"], h["decision"]) for h in histories["S07"]["history"]] == [(2024, "21/QĐ-CTA"),
                                                                                 (2025, "30/QĐ-CTA")]
    assert [(h["title"], h["year"]) for h in histories["S08"]["history"]] == [("advanced_laborer", 2025)]
    assert histories["S09"]["history"] == []
