"""The facts reader's plan is kept per campaign (facts/plan.py): a reload of an edited campaign,
by ``POST /admin/reload`` or by ``SIGHUP``, reads the next submissions with the edited campaign's
vocabulary, never with the plan of the version it replaced."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from emulation_rules.service.app import create_app
from emulation_rules.service.settings import ServiceSettings

from .conftest import JSON, WAIT_S, copy_campaigns, serving_in_thread

OLD, NEW = 'label: {vi: "Khá", en: "Fair"}', 'label: {vi: "Khá tốt", en: "Fair"}'


def body(rating: str) -> bytes:
    member = {"id": "NV-1", "kind": "individual", "role": "member", "unit": "CD-1",
              "facts": {"member_rating": rating, "complies_with_policy": True}}
    return json.dumps({"subjects": [member]}, ensure_ascii=False).encode()


@pytest.mark.parametrize("how", ["admin", "sighup"])
def test_a_reloaded_campaign_reads_facts_with_its_own_plan(tmp_path: Path, how: str) -> None:
    campaigns = copy_campaigns(tmp_path / "campaigns", "tkv_2019")
    app = create_app(campaigns, settings=ServiceSettings(campaigns, backend="python"))
    tkv = campaigns / "tkv_2019.yaml"
    text = tkv.read_text(encoding="utf-8")
    assert OLD in text
    with serving_in_thread(app) as url, httpx.Client(base_url=url, timeout=WAIT_S) as c:
        post = lambda rating: c.post("/campaigns/tkv_2019/evaluations", content=body(rating), headers=JSON)  # noqa: E731
        assert post("Khá").status_code == 200
        refused = post("Khá tốt")
        assert refused.status_code == 422
        assert refused.json()["problems"][0]["path"] == "subjects[0].facts.member_rating"
        before = c.get("/campaigns/tkv_2019").json()["content_hash"]
        tkv.write_text(text.replace(OLD, NEW), encoding="utf-8")
        if how == "admin":
            assert c.post("/admin/reload").json()["loaded"] == ["tkv_2019"]
        else:
            app.state.hangup()  # what SIGHUP calls (no signal reaches a server in a thread)
            deadline = time.monotonic() + WAIT_S
            while c.get("/campaigns/tkv_2019").json()["content_hash"] == before:
                assert time.monotonic() < deadline, "the reload did not happen"
                time.sleep(0.05)
        accepted = post("Khá tốt")
        assert accepted.status_code == 200
        member = accepted.json()["subjects"][0]
        assert member["id"] == "NV-1"
        old = post("Khá")
        assert old.status_code == 422
        assert old.json()["problems"][0]["path"] == "subjects[0].facts.member_rating"
        assert "Khá tốt" in old.json()["problems"][0]["message"]  # the edited labels listed
