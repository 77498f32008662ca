"""The service over real HTTP (a subprocess on 127.0.0.1): every endpoint, error type and limit.

Expected verdicts come from the plan texts (seed file and line cited at each assertion).
"""

from __future__ import annotations

import json
import time
import unicodedata
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest

from ..conftest import CAMPAIGNS, EXAMPLES, campaign_files
from .conftest import JSON, UNIT_BODY, Server, copy_campaigns, unit

PROBLEM = "application/problem+json"


def _yaml_as_json(path: Path) -> bytes:
    import yaml

    def plain(x: object) -> object:
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items()}
        if isinstance(x, list):
            return [plain(v) for v in x]
        return x.isoformat() if hasattr(x, "isoformat") else x

    return json.dumps(
        plain(yaml.safe_load(path.read_text(encoding="utf-8"))), ensure_ascii=False
    ).encode()


def _problem(r: httpx.Response, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == status and body["type"] == f"urn:emulation-rules:{code}"
    assert "Traceback" not in r.text
    return body


N_CAMPAIGNS = len(campaign_files())  # the shipped campaigns (six)

# --- health, campaigns ----------------------------------------------------------------------


def test_health_and_readiness(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert (ready["status"], ready["campaigns"], ready["generation"]) == ("ready", N_CAMPAIGNS, 0)
    assert set(ready["content_hashes"]) == {p.stem for p in CAMPAIGNS.glob("*.yaml")}


def test_campaign_list_and_detail(client: httpx.Client) -> None:
    listed = {c["id"]: c for c in client.get("/campaigns").json()}
    assert set(listed) == {p.stem for p in CAMPAIGNS.glob("*.yaml")}
    tkv = listed["tkv_2019"]
    assert tkv["document_number"] == "115/KH-CĐTKV"  # seed 000 L3 (canonical form, defect d01)
    import hashlib

    assert (
        tkv["content_hash"]
        == hashlib.sha256((CAMPAIGNS / "tkv_2019.yaml").read_bytes()).hexdigest()
    )
    assert tkv["file"] == "tkv_2019.yaml"  # a file name, never a path of the server
    detail = client.get("/campaigns/tkv_2019").json()
    assert detail["content_hash"] == tkv["content_hash"]
    assert {a["id"] for a in detail["awards"]} == {
        "collective_recognition",
        "individual_recognition",
    }
    criterion = detail["awards"][1]["criteria"][-1]
    assert criterion["source"]["lines"] == [110, 110]  # "xếp loại khá trở lên", seed 000 L110
    assert detail["phases"][0]["start"] == "2019-03-29"


def test_facts_schema_lists_levels_roles_and_facts(client: httpx.Client) -> None:
    schema = client.get("/campaigns/tkv_2019/schema").json()
    assert schema["$schema"].endswith("2020-12/schema")
    one_of = schema["properties"]["subjects"]["items"]["oneOf"]
    collective, individual = one_of
    assert "grassroots_union" in collective["properties"]["level"]["enum"]
    rating = individual["properties"]["facts"]["properties"]["member_rating"]["anyOf"][0]
    assert {"fair", "Khá"} <= set(rating["enum"])  # L110's scale (DOMAIN.md member sheet)


def test_unknown_campaign_is_404(client: httpx.Client) -> None:
    _problem(client.get("/campaigns/nope"), 404, "unknown-campaign")
    _problem(
        client.post("/campaigns/nope/evaluations", content=UNIT_BODY, headers=JSON),
        404,
        "unknown-campaign",
    )
    _problem(client.get("/no/such/route"), 404, "not-found")


# --- evaluations ----------------------------------------------------------------------------


def test_evaluation_is_the_cli_json_document(client: httpx.Client, tmp_path: Path) -> None:
    """The same document as ``evaluate --format json`` (compact), with quotas and a decision id."""
    from emulation_rules.cli import run

    facts = EXAMPLES / "tkv_2019" / "facts.yaml"
    r = client.post("/campaigns/tkv_2019/evaluations", content=_yaml_as_json(facts), headers=JSON)
    assert r.status_code == 200, r.text
    out = tmp_path / "cli.json"
    assert (
        run(
            [
                "evaluate",
                str(CAMPAIGNS / "tkv_2019.yaml"),
                "--facts",
                str(facts),
                "--format",
                "json",
                "--output",
                str(out),
                "--lang",
                "en",  # the service's documents keep the library's reasons (service/language.py)
            ]
        )
        == 0
    )
    cli = json.loads(out.read_text(encoding="utf-8"))
    served = r.json()
    assert served == {**cli, "backend": served["backend"]}
    uuid.UUID(r.headers["x-decision-id"])
    halam = next(s for s in served["subjects"] if s["id"] == "CD-HALAM")
    assert halam["awards"][0]["verdict"] == "awarded"  # meets L96-L102, examples/tkv_2019/README


def test_unit_verdicts_from_the_plan(client: httpx.Client) -> None:
    doc = client.post("/campaigns/tkv_2019/evaluations", content=UNIT_BODY, headers=JSON).json()
    verdicts = {s["id"]: s["awards"][0]["verdict"] for s in doc["subjects"]}
    assert verdicts["CD-HALAM"] == "awarded"  # seed 000 L96-L102
    assert all(verdicts[f"HL-{i:03d}"] == "awarded" for i in range(1, 11))  # L106, L108, L110
    assert all(verdicts[f"HL-{i:03d}"] == "not_awarded" for i in range(11, 21))  # yếu < khá, L110
    assert all(verdicts[f"HL-{i:03d}"] == "incomplete" for i in range(21, 31))  # no rating
    assert Counter(verdicts.values()) == {"awarded": 11, "not_awarded": 10, "incomplete": 10}
    incomplete = doc["subjects"][30]["awards"][0]
    assert incomplete["missing_facts"] == ["member_rating"]


def test_explain_false_and_lang(client: httpx.Client) -> None:
    short = client.post(
        "/campaigns/tkv_2019/evaluations",
        params={"explain": "false"},
        content=UNIT_BODY,
        headers=JSON,
    ).json()
    assert all(a["criteria"] == [] for s in short["subjects"] for a in s["awards"])
    vi = client.post(
        "/campaigns/tkv_2019/evaluations", params={"lang": "vi"}, content=UNIT_BODY, headers=JSON
    ).json()
    award = vi["subjects"][0]["awards"][0]
    assert set(award["label"]) == {"vi"}
    assert unicodedata.is_normalized("NFC", award["criteria"][0]["label"]["vi"])


def test_params_and_phase(client: httpx.Client) -> None:
    """CD-NUIBEO has one author with a recognised initiative: not "nhiều" (L100) with the default
    of 2, awarded with many_individuals_min=1 (examples/tkv_2019/README)."""
    body = _yaml_as_json(EXAMPLES / "tkv_2019" / "facts.yaml")
    url = "/campaigns/tkv_2019/evaluations"

    def nuibeo(**params: object) -> str:
        doc = client.post(url, params=params, content=body, headers=JSON).json()
        return next(s for s in doc["subjects"] if s["id"] == "CD-NUIBEO")["awards"][0]["verdict"]

    assert nuibeo() == "not_awarded"
    assert nuibeo(param="many_individuals_min=1") == "awarded"
    doc = client.post(url, params={"phase": "campaign"}, content=body, headers=JSON).json()
    assert doc["phase"] == "campaign"
    _problem(
        client.post(url, params={"phase": "campain"}, content=body, headers=JSON),
        422,
        "invalid-options",
    )
    bad = _problem(
        client.post(url, params={"param": "nope=1"}, content=body, headers=JSON),
        422,
        "invalid-options",
    )
    assert bad["problems"][0]["code"] == "unknown-parameter"
    _problem(
        client.post(url, params={"param": "many_individuals_min=x"}, content=body, headers=JSON),
        422,
        "invalid-options",
    )
    _problem(
        client.post(url, params={"as_of": "2019-13-01"}, content=body, headers=JSON),
        422,
        "invalid-options",
    )
    _problem(
        client.post(url, params={"explain": "maybe"}, content=body, headers=JSON),
        422,
        "invalid-options",
    )


def test_bad_facts_are_422_with_located_problems(client: httpx.Client) -> None:
    data = unit()
    data["subjects"][0]["level"] = "grassroot_union"
    data["subjects"][3]["facts"]["member_rating"] = "tốt lắm"
    text = json.dumps(data, ensure_ascii=False, indent=1)
    body = _problem(
        client.post("/campaigns/tkv_2019/evaluations", content=text.encode(), headers=JSON),
        422,
        "bad-facts",
    )
    codes = {p["code"]: p for p in body["problems"]}
    level = codes["unknown-level"]
    assert level["file"] == "<request>" and level["path"] == "subjects[0].level"
    assert text.splitlines()[level["line"] - 1].strip().startswith('"level"')
    assert level["hint"] == "có phải 'grassroots_union'?"  # Vietnamese unless Accept-Language asks for English
    assert codes["invalid-value"]["path"] == "subjects[3].facts.member_rating"


def test_unreadable_bodies_are_400(client: httpx.Client) -> None:
    url = "/campaigns/tkv_2019/evaluations"
    syntax = _problem(client.post(url, content=b'{"subjects": [', headers=JSON), 400, "json-syntax")
    assert syntax["problems"][0]["line"] == 1
    _problem(client.post(url, content=b"\xff\xfe", headers=JSON), 400, "not-utf8")
    _problem(client.post(url, content=b"[" * 100_000, headers=JSON), 400, "too-deep")
    _problem(client.post(url, content=b'"text"', headers=JSON), 422, "bad-facts")


def test_wrong_media_type_is_415(client: httpx.Client) -> None:
    url = "/campaigns/tkv_2019/evaluations"
    _problem(
        client.post(url, content=UNIT_BODY, headers={"content-type": "text/csv"}),
        415,
        "unsupported-media-type",
    )
    _problem(client.post(url, content=UNIT_BODY), 415, "unsupported-media-type")
    _problem(
        client.post("/validate", content=b"x: 1", headers={"content-type": "image/png"}),
        415,
        "unsupported-media-type",
    )


def test_limits_are_413(client: httpx.Client) -> None:
    """The session server runs with --max-body 2000000 --max-subjects 500."""
    url = "/campaigns/tkv_2019/evaluations"
    big = b'{"subjects": [], "pad": "' + b"x" * 2_000_000 + b'"}'
    _problem(client.post(url, content=big, headers=JSON), 413, "body-too-large")

    def chunks():  # no Content-Length: the streamed size is counted
        for _ in range(30):
            yield b" " * 100_000

    _problem(client.post(url, content=chunks(), headers=JSON), 413, "body-too-large")
    many = {
        "subjects": [{"id": f"S{i}", "kind": "individual", "role": "member"} for i in range(501)]
    }
    _problem(client.post(url, json=many), 413, "too-many-subjects")
    ok = {"subjects": many["subjects"][:500]}
    assert client.post(url, json=ok).status_code == 200


def test_no_file_path_is_read_from_a_request(client: httpx.Client) -> None:
    """A body naming a file is YAML text to validate, never a path to open."""
    r = client.post(
        "/validate",
        content=str(CAMPAIGNS / "tkv_2019.yaml").encode(),
        headers={"content-type": "text/plain"},
    )
    assert r.status_code == 200
    assert r.json()["ok"] is False
    _problem(client.get("/campaigns/..%2Fcampaigns%2Ftkv_2019"), 404, "not-found")
    _problem(client.get("/campaigns/..%5Ctkv_2019"), 404, "unknown-campaign")


# --- targets, initiatives, validate ------------------------------------------------------------


def test_targets(client: httpx.Client) -> None:
    """Thanh Hóa: the targets (chỉ tiêu) of the phase holding the date (targets --format json)."""
    body = _yaml_as_json(EXAMPLES / "thanhhoa_2021_2030" / "facts.yaml")
    r = client.post(
        "/campaigns/thanhhoa_2021_2030/targets",
        params={"as_of": "2027-12-31"},
        content=body,
        headers=JSON,
    )
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["campaign"] == "thanhhoa_2021_2030" and doc["targets"]
    assert all(t["status"] in ("met", "not_met", "pending", "unknown") for t in doc["targets"])
    assert all(t["source"] for t in doc["targets"])
    _problem(
        client.post(
            "/campaigns/thanhhoa_2021_2030/targets",
            params={"as_of": "1990-01-01"},
            content=body,
            headers=JSON,
        ),
        422,
        "invalid-options",
    )


def test_a_review_date_in_no_phase_is_the_callers_option_for_evaluations_as_for_targets(client: httpx.Client) -> None:
    """Điện Biên 2020's only phase starts on 15/01/2020, the date of the resolution its undated plan
    implements (plan line 6; the campaign's defect d01): a review on 2019-12-31 lies in no phase. ``/evaluations`` refuses it as ``/targets`` does, 422 naming the
    phases and ``as_of``, where it answered 500 engine-failure with a traceback in the log."""
    body = _yaml_as_json(EXAMPLES / "dienbien_2020" / "facts.yaml")
    found = {}
    for route in ("evaluations", "targets"):
        problem = _problem(client.post(f"/campaigns/dienbien_2020/{route}", params={"as_of": "2019-12-31"},
                                       content=body, headers=JSON), 422, "invalid-options")
        (found[route],) = problem["problems"]
    assert found["evaluations"] == found["targets"]
    assert found["evaluations"]["code"] == "no-phase" and found["evaluations"]["path"] == "as_of"
    assert "2020-01-15" in found["evaluations"]["message"]


def test_initiatives(client: httpx.Client) -> None:
    """Vĩnh Linh 002: the register is judged; each initiative accepted or excluded (L29-L66)."""
    body = _yaml_as_json(EXAMPLES / "vinhlinh_2022" / "facts.yaml")
    r = client.post("/campaigns/vinhlinh_2022/initiatives", content=body, headers=JSON)
    assert r.status_code == 200, r.text
    statuses = {i["status"] for i in r.json()["initiatives"]}
    assert statuses <= {"accepted", "excluded"} and statuses
    no_programme = client.post("/campaigns/tkv_2019/initiatives", content=UNIT_BODY, headers=JSON)
    assert (
        _problem(no_programme, 422, "invalid-options")["problems"][0]["code"]
        == "no-initiative-programme"
    )


def test_validate(client: httpx.Client) -> None:
    good = (CAMPAIGNS / "tkv_2019.yaml").read_bytes()
    assert client.post(
        "/validate", content=good, headers={"content-type": "application/yaml"}
    ).json() == {"ok": True, "campaign": "tkv_2019", "problems": []}
    bad = good.replace(b"fact: member_rating, at_least", b"fact: member_ratng, at_least")
    doc = client.post("/validate", content=bad, headers={"content-type": "application/yaml"}).json()
    assert doc["ok"] is False
    problem = doc["problems"][0]
    assert problem["code"] == "unknown-fact" and problem["file"] == "<request>"
    assert b"member_ratng" in bad.splitlines()[problem["line"] - 1]
    bomb = b"a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\n" + b"".join(
        f"d{i}: &d{i} [*c, *c]\n".encode() for i in range(200)
    )
    assert (
        client.post("/validate", content=bomb, headers={"content-type": "text/yaml"}).json()["ok"]
        is False
    )


# --- decision log -------------------------------------------------------------------------------


def test_decision_log_and_replay(client: httpx.Client, server: Server) -> None:
    from emulation_rules.cli import run

    r = client.post(
        "/campaigns/tkv_2019/evaluations",
        params={"param": "many_individuals_min=1"},
        content=UNIT_BODY,
        headers=JSON,
    )
    decision = r.headers["x-decision-id"]
    record = client.get(f"/evaluations/{decision}").json()
    import hashlib

    assert record["facts_sha256"] == hashlib.sha256(UNIT_BODY).hexdigest()
    assert record["result_sha256"] == hashlib.sha256(r.content).hexdigest()
    assert record["campaign_id"] == "tkv_2019" and record["facts_logged"] is True
    assert record["verdicts"]["subjects"]["HL-011"] == {"individual_recognition": "not_awarded"}
    assert record["options"]["params"] == ["many_individuals_min=1"]
    assert "facts" not in record
    import io

    out = io.StringIO()
    code = run(
        [
            "replay",
            decision,
            "--log-db",
            str(server.db),  # type: ignore[attr-defined]
            "--campaigns",
            str(server.campaigns),
        ],
        stdout=out,
        stderr=io.StringIO(),
    )
    assert code == 0, out.getvalue()
    assert out.getvalue().startswith("identical:")
    _problem(client.get(f"/evaluations/{uuid.uuid4()}"), 404, "unknown-decision")
    _problem(client.get("/evaluations/not-a-uuid"), 422, "invalid-options")


def test_replay_reports_a_changed_result(
    server: Server, tmp_path: Path, client: httpx.Client
) -> None:
    """Tamper with the logged verdict of one member: replay says 'different' and names it."""
    import io

    import sqlalchemy as sa

    from emulation_rules.cli import run
    from emulation_rules.service.decisions import DECISIONS

    decision = client.post(
        "/campaigns/tkv_2019/evaluations", content=UNIT_BODY, headers=JSON
    ).headers["x-decision-id"]
    db = tmp_path / "copy.sqlite"
    engine = sa.create_engine(f"sqlite:///{server.db}")  # type: ignore[attr-defined]
    with engine.connect() as conn:
        row = dict(
            conn.execute(sa.select(DECISIONS).where(DECISIONS.c.id == decision)).one()._mapping
        )
    engine.dispose()
    row["verdicts"]["subjects"]["HL-001"]["individual_recognition"] = "not_awarded"
    row["result_sha256"] = "0" * 64
    copy = sa.create_engine(f"sqlite:///{db}")
    DECISIONS.metadata.create_all(copy)
    with copy.begin() as conn:
        conn.execute(DECISIONS.insert(), row)
    copy.dispose()
    out = io.StringIO()
    assert (
        run(
            ["replay", decision, "--log-db", str(db), "--campaigns", str(server.campaigns)],
            stdout=out,
            stderr=io.StringIO(),
        )
        == 1
    )
    assert "HL-001/individual_recognition: logged 'not_awarded', now 'awarded'" in out.getvalue()
    err = io.StringIO()
    assert (
        run(["replay", str(uuid.uuid4()), "--log-db", str(db)], stdout=io.StringIO(), stderr=err)
        == 2
    )


# --- auth, reload -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("auth")
    tokens = base / "tokens.txt"
    tokens.write_text(
        "# tokens of the membership system\nsecret-one\n\nsecret-two\n", encoding="utf-8"
    )
    srv = Server(copy_campaigns(base / "campaigns"), "--token-file", str(tokens), "--no-log")
    srv.start()
    yield srv
    srv.stop()


def test_auth_on(auth_server: Server) -> None:
    with httpx.Client(base_url=auth_server.url, timeout=30) as c:
        assert c.get("/healthz").status_code == 200  # health stays open
        assert c.get("/readyz").status_code == 200
        assert c.get("/openapi.json").status_code == 200
        r = c.get("/campaigns")
        assert _problem(r, 401, "unauthorized") and r.headers["www-authenticate"] == "Bearer"
        _problem(
            c.get("/campaigns", headers={"Authorization": "Bearer secret-on"}), 401, "unauthorized"
        )
        _problem(
            c.get("/campaigns", headers={"Authorization": "Basic secret-one"}), 401, "unauthorized"
        )
        for token in ("secret-one", "secret-two"):
            assert (
                c.get("/campaigns", headers={"Authorization": f"Bearer {token}"}).status_code == 200
            )
        auth = {"Authorization": "Bearer secret-two", **JSON}
        _problem(
            c.post("/campaigns/tkv_2019/evaluations", content=UNIT_BODY, headers=JSON),
            401,
            "unauthorized",
        )
        assert (
            c.post("/campaigns/tkv_2019/evaluations", content=UNIT_BODY, headers=auth).status_code
            == 200
        )
        _problem(c.post("/admin/reload"), 401, "unauthorized")
        assert c.post("/admin/reload", headers=auth).status_code == 200
        _problem(c.get("/evaluations/" + str(uuid.uuid4()), headers=auth), 404, "decision-log-off")
        spec = c.get("/openapi.json").json()
        assert "HTTPBearer" in spec["components"]["securitySchemes"]


def test_auth_off_means_no_security_scheme(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert "securitySchemes" not in spec.get("components", {})
    assert (
        "access-control-allow-origin"
        not in client.get("/campaigns", headers={"Origin": "https://evil.example"}).headers
    )  # CORS off


@pytest.mark.parametrize("how", ["sighup", "admin"])
def test_reload_is_atomic(tmp_path: Path, how: str) -> None:
    """A bad edit never replaces a good loaded campaign; a good edit is picked up."""
    import signal

    campaigns = copy_campaigns(tmp_path / "campaigns")
    srv = Server(campaigns, "--no-log").start()
    tkv = campaigns / "tkv_2019.yaml"
    good = tkv.read_bytes()
    try:
        with httpx.Client(base_url=srv.url, timeout=30) as c:
            before = c.get("/campaigns/tkv_2019").json()["content_hash"]

            def reload() -> dict | None:
                if how == "admin":
                    return c.post("/admin/reload").json()
                srv.signal(signal.SIGHUP)
                return None

            def wait_for(pred) -> None:
                import time

                for _ in range(200):
                    if pred():
                        return
                    time.sleep(0.05)
                raise AssertionError(srv.log())

            tkv.write_bytes(good.replace(b"at_least: fair", b"at_least: fiar"))
            report = reload()
            if report is not None:
                assert report["kept"] == ["tkv_2019"]
                assert report["problems"]["tkv_2019.yaml"][0]["code"] == "unknown-enum-value"
            else:
                wait_for(lambda: "giữ bản cũ (bản sửa có lỗi) ['tkv_2019']" in srv.log())
            assert c.get("/campaigns/tkv_2019").json()["content_hash"] == before
            r = c.post("/campaigns/tkv_2019/evaluations", content=UNIT_BODY, headers=JSON)
            assert r.json()["subjects"][1]["awards"][0]["verdict"] == "awarded"  # old rules
            # a good edit: khá no longer enough (an edit for the test, not the plan)
            tkv.write_bytes(good.replace(b"at_least: fair", b"at_least: excellent"))
            report = reload()
            if report is not None:
                assert report["loaded"] == ["tkv_2019"]
            wait_for(lambda: c.get("/campaigns/tkv_2019").json()["content_hash"] != before)
            r = c.post("/campaigns/tkv_2019/evaluations", content=UNIT_BODY, headers=JSON)
            assert r.json()["subjects"][1]["awards"][0]["verdict"] == "not_awarded"
            (campaigns / "phurieng_2017.yaml").unlink()
            report = reload()
            wait_for(lambda: c.get("/campaigns/phurieng_2017").status_code == 404)
            assert c.get("/readyz").json()["campaigns"] == N_CAMPAIGNS - 1
    finally:
        srv.stop()


def test_refuses_to_start_without_a_valid_campaign(tmp_path: Path) -> None:
    import io

    from emulation_rules.cli import run

    (tmp_path / "bad.yaml").write_text("schema_version: 2\nid: x\n", encoding="utf-8")
    err = io.StringIO()
    assert run(["serve", str(tmp_path), "--no-log"], stdout=io.StringIO(), stderr=err) == 1
    assert "no valid campaign" in err.getvalue() and "bad.yaml:" in err.getvalue()


@pytest.mark.parametrize(("lang", "left_out", "reloaded"), [
    ("vi", "bỏ ra: broken.yaml:1:1: phases: phong trào không có giai đoạn phải khai review_year",
     "nạp lại: đã nạp []; không đổi ["),
    ("en", "left out: broken.yaml:1:1: phases: a campaign without phases must declare review_year",
     "reload: loaded []; unchanged ["),
])
def test_invalid_files_are_left_out_at_start(tmp_path: Path, lang: str, left_out: str, reloaded: str) -> None:
    """What the service logs itself is in ``serve --lang`` (Vietnamese by default), as what the
    command writes: the file left out at start, again at a reload, and what the reload changed."""
    campaigns = copy_campaigns(tmp_path / "campaigns")
    (campaigns / "broken.yaml").write_text("schema_version: 2\nid: broken\n", encoding="utf-8")
    srv = Server(campaigns, "--no-log", "--lang", lang).start()
    try:
        assert httpx.get(f"{srv.url}/readyz").json()["campaigns"] == N_CAMPAIGNS
        assert httpx.post(f"{srv.url}/admin/reload").status_code == 200
        for _ in range(200):  # the reload's own line comes last
            if reloaded in srv.log():
                break
            time.sleep(0.05)
        log = srv.log()
        # at start: the logger's line and the command's own; at the reload: the logger's
        assert log.count(left_out) == 2
        assert log.count(left_out.replace("bỏ ra", "nạp lại").replace("left out", "reload")) == 1
        assert ("left out" in log, "reload:" in log) == ((False, False) if lang == "vi" else (True, True))
    finally:
        srv.stop()


def test_timeout_is_503(tmp_path: Path) -> None:
    srv = Server(copy_campaigns(tmp_path / "campaigns"), "--no-log", "--timeout", "0.001").start()
    try:
        big = unit()
        big["subjects"] = big["subjects"] * 1 + [
            {**s, "id": f"{s['id']}-{k}"} for k in range(15) for s in big["subjects"][1:]
        ]
        r = httpx.post(f"{srv.url}/campaigns/tkv_2019/evaluations", json=big, timeout=60)
        _problem(r, 503, "evaluation-timeout")
        assert httpx.get(f"{srv.url}/healthz").status_code == 200
    finally:
        srv.stop()
