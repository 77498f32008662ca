"""The service honours Accept-Language (issue 22, item 4): problems of /validate and of error
responses in Vietnamese for ``vi`` or no header, in English for ``en``; codes and paths unchanged.
A real server on 127.0.0.1 (tests/service/conftest.py)."""

from __future__ import annotations

import httpx

from emulation_rules.service.language import preferred

from ..conftest import CAMPAIGNS


def test_validate_speaks_the_clients_language(client: httpx.Client) -> None:
    bad = (CAMPAIGNS / "tkv_2019.yaml").read_bytes().replace(b"fact: member_rating, at_least",
                                                              b"fact: member_ratng, at_least")
    yaml = {"content-type": "application/yaml"}
    vi = client.post("/validate", content=bad, headers={**yaml, "accept-language": "vi-VN,vi;q=0.9,en;q=0.5"})
    en = client.post("/validate", content=bad, headers={**yaml, "accept-language": "en"})
    plain = client.post("/validate", content=bad, headers=yaml)
    (p_vi,), (p_en,), (p_plain,) = (r.json()["problems"][:1] for r in (vi, en, plain))
    assert p_vi["message"].startswith("dữ kiện không có trong phong trào 'member_ratng'")
    assert p_en["message"].startswith("unknown fact 'member_ratng'") and p_plain == p_vi  # Vietnamese by default
    assert p_vi["hint"] == "có phải 'member_rating'?" and p_en["hint"] == "did you mean 'member_rating'?"
    assert {k: v for k, v in p_vi.items() if k not in ("message", "hint")} == {
        k: v for k, v in p_en.items() if k not in ("message", "hint")}
    assert vi.headers["content-language"] == "vi"


def test_preferred_language() -> None:
    assert preferred("vi") == "vi" and preferred("en-US,en;q=0.9") == "en" and preferred(None) == "vi"
    assert preferred("fr, en;q=0.3, vi;q=0.8") == "vi" and preferred("de") == "vi"
    assert preferred("vi;q=0.5, en;q=0.9") == "en" and preferred("en;q=0.5, vi") == "vi"


def test_error_details_are_vietnamese_unless_english_is_asked_for(client: httpx.Client) -> None:
    vi = client.get("/campaigns/no_such_campaign")
    en = client.get("/campaigns/no_such_campaign", headers={"accept-language": "en-GB,en;q=0.9"})
    assert vi.status_code == en.status_code == 404
    assert vi.json()["type"] == en.json()["type"] and vi.json()["title"] == en.json()["title"]
    assert vi.json()["detail"].startswith("không phục vụ phong trào 'no_such_campaign'; đang phục vụ: ")
    assert en.json()["detail"].startswith("no campaign 'no_such_campaign' is served; served: ")
