"""The user guide's examples for the HTTP service's request problems, sent to a real server.

Each ``tests/cases/guide/requests/<code>.yaml`` is one request (method, path, query ``params``,
``body`` file); the answer must list a problem with that code whose ``message (hint)`` contains
the example of the guide's error table (see ``tests/unit/test_guide.py``).
"""

from __future__ import annotations

import unicodedata

import httpx
import pytest
import yaml

from ..conftest import ROOT
from ..unit.test_guide import REQUESTS, table

SPECS = sorted(REQUESTS.glob("*.yaml"))


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_the_example_is_what_the_service_answers(spec, client: httpx.Client) -> None:
    code = spec.stem
    example = table("en").get(code)
    assert example, f"no row for {code} in the guide"
    req = yaml.safe_load(spec.read_text(encoding="utf-8"))
    r = client.request(req["method"], req["path"], params=req.get("params"),
                       content=(ROOT / req["body"]).read_bytes(),
                       headers={"content-type": "application/json", "accept-language": "en"})
    assert r.status_code == 422, r.text
    lines = [unicodedata.normalize("NFC", p["message"] + (f" ({p['hint']})" if p.get("hint") else ""))
             for p in r.json()["problems"] if p["code"] == code]
    assert any(example in line for line in lines), (example, r.json())
