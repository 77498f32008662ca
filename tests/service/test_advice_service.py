"""Issue 25: ``advise`` and ``diff`` from the HTTP service, against a real server on 127.0.0.1.

Expected answers are the command line's own JSON on the same facts (examples/ldtt_cstdcs_2025,
whose header derives them from the texts: A10 lacks only "6 months since recruitment", TT 01/2024
Điều 1 khoản 5 điểm d; CD-A is over the 15% cap with A08 and A09), so the service and the command
line must agree key for key; neither answer is written to the decision log.
"""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3

from emulation_rules.cli.app import run

from ..conftest import CAMPAIGNS, EXAMPLES
from .conftest import JSON
from .test_http import _problem, _yaml_as_json

FACTS = EXAMPLES / "ldtt_cstdcs_2025" / "facts.yaml"
BODY = _yaml_as_json(FACTS)


def _cli(*argv: str) -> dict:
    out, err = io.StringIO(), io.StringIO()
    assert run(list(argv), stdout=out, stderr=err) == 0, err.getvalue()
    return json.loads(out.getvalue())


def _decisions(server) -> int:
    with contextlib.closing(sqlite3.connect(server.db)) as db:  # a bare `with` commits but leaves it open
        return int(db.execute("select count(*) from decisions").fetchone()[0])


def test_advice_for_a_subject_is_the_command_lines(client, server):
    before = _decisions(server)
    r = client.post("/campaigns/ldtt_cstdcs_2025/advice", params={"subject": "A10"}, content=BODY, headers=JSON)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got == _cli("advise", str(CAMPAIGNS / "ldtt_cstdcs_2025.yaml"), "--facts", str(FACTS),
                       "--subject", "A10", "--format", "json")
    (first, *_) = got["advice"]
    assert [c["fact"] for c in first["suggestions"][0]["changes"]] == ["months_since_recruitment"]
    assert _decisions(server) == before  # advice decides nothing


def test_advice_for_a_unit_names_who_is_within_the_cap(client):
    r = client.post("/campaigns/ldtt_cstdcs_2025/advice", params={"unit": "CD-A"}, content=BODY, headers=JSON)
    assert r.status_code == 200, r.text
    got = r.json()
    cap = next(q for q in got["quotas"] if q["quota"] == "cstdcs_cap")
    assert (cap["within"], cap["over"]) == (["A09"], ["A08"])
    assert got == _cli("advise", str(CAMPAIGNS / "ldtt_cstdcs_2025.yaml"), "--facts", str(FACTS),
                       "--unit", "CD-A", "--format", "json")


def test_diff_of_a_parameter_is_the_command_lines(client, server):
    before = _decisions(server)
    r = client.post("/campaigns/ldtt_cstdcs_2025/diff",
                    params={"old_param": "cstdcs_cap_pct=15", "new_param": "cstdcs_cap_pct=25"},
                    content=BODY, headers=JSON)
    assert r.status_code == 200, r.text
    expected = _cli("diff", str(CAMPAIGNS / "ldtt_cstdcs_2025.yaml"), "--facts", str(FACTS),
                    "--old-param", "cstdcs_cap_pct=15", "--new-param", "cstdcs_cap_pct=25", "--format", "json")
    assert r.json() == expected
    assert _decisions(server) == before


def test_bad_advice_options_are_located_problems(client):
    url = "/campaigns/ldtt_cstdcs_2025/advice"
    body = _problem(client.post(url, content=BODY, headers=JSON), 422, "invalid-options")
    assert "đúng một trong hai" in body["detail"]  # Vietnamese unless Accept-Language asks for English
    english = {**JSON, "accept-language": "en"}
    body = _problem(client.post(url, content=BODY, headers=english), 422, "invalid-options")
    assert "exactly one" in body["detail"]
    body = _problem(client.post(url, params={"subject": "A1O"}, content=BODY, headers=english), 422,
                    "invalid-options")
    assert body["problems"][0]["code"] == "unknown-subject" and "did you mean" in (body["problems"][0]["hint"] or "")
    body = _problem(client.post(url, params={"subject": "A10", "param": "nope=1"}, content=BODY, headers=JSON),
                    422, "invalid-options")
    assert body["problems"][0]["code"] == "unknown-parameter"
    _problem(client.post("/campaigns/nope/diff", content=BODY, headers=JSON), 404, "unknown-campaign")
    _problem(client.post("/campaigns/ldtt_cstdcs_2025/diff", params={"against": "nope"}, content=BODY,
                         headers=JSON), 404, "unknown-campaign")
