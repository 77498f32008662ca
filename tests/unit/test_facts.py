"""Facts input: YAML, JSON and CSV; every bad value located; nothing silently dropped."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata

import pytest

from emulation_rules import Engine, FactsError, load_campaign, load_facts, parse_facts
from emulation_rules.facts.reader import parse_facts_csv, parse_facts_text

from ..conftest import CAMPAIGNS


@pytest.fixture(scope="module")
def campaign():
    return load_campaign(CAMPAIGNS / "tkv_2019.yaml")


def member(sid: str = "NV-1", **facts: object) -> dict[str, object]:
    return {"id": sid, "kind": "individual", "role": "member", "facts": facts}


def problems(
    exc: pytest.ExceptionInfo[FactsError],
) -> list[tuple[str, str, int | None, int | None]]:
    return [
        (
            p.code,
            p.path[-1] if p.path else "",
            p.location.line if p.location else None,
            p.location.column if p.location else None,
        )
        for p in exc.value.problems
    ]


def test_yaml_problems_are_located_by_line_and_column(campaign):
    text = """\
subjects:
  - id: NV-1
    kind: individual
    role: member
    facts:
      member_rating: khaa
      complies_with_policy: 1
  - id: NV-2
    kind: individual
    role: membr
"""
    with pytest.raises(FactsError) as info:
        parse_facts_text(text, campaign, file="f.yaml")
    assert problems(info) == [
        ("invalid-value", "member_rating", 6, 22),
        ("invalid-value", "complies_with_policy", 7, 29),
        ("unknown-role", "role", 10, 11),
    ]
    assert str(info.value.problems[2]).startswith(
        "f.yaml:10:11: subjects[1].role: unknown role 'membr'"
    )
    assert info.value.problems[2].hint == "did you mean 'member'?"


def test_csv_problems_name_row_and_column(campaign):
    text = (
        "id,kind,role,member_rating,complies_with_policy,initiatives\n"
        "NV-1,individual,member,fair,có,[]\n"
        "NV-2,individual,member,abc,có,[]\n"
        'NV-3,individual,member,fair,maybe,"[{""title"": ""x""}]"\n'
    )
    with pytest.raises(FactsError) as info:
        parse_facts_csv(text, campaign, file="f.csv")
    got = [(p.code, str(p.location)) for p in info.value.problems]
    assert got == [
        ("invalid-value", "f.csv:3:4"),  # row 3, column 4: member_rating 'abc'
        ("invalid-value", "f.csv:4:5"),  # row 4, column 5: complies 'maybe'
        ("missing-field", "f.csv:4:6"),  # row 4: the record lacks accepted_by ...
        ("missing-field", "f.csv:4:6"),  # ... applied
        ("missing-field", "f.csv:4:6"),  # ... and high_effect
    ]


def test_unknown_csv_column_is_refused_with_hint(campaign):
    with pytest.raises(FactsError) as info:
        parse_facts_csv(
            "id,kind,role,member_ratng\nNV-1,individual,member,fair\n", campaign, file="f.csv"
        )
    (p,) = info.value.problems
    assert (p.code, str(p.location), p.hint) == (
        "unknown-column",
        "f.csv:1:4",
        "did you mean 'member_rating'?",
    )


def test_loose_values_are_refused(campaign):
    with pytest.raises(FactsError) as info:
        parse_facts(
            [
                member("A", complies_with_policy=1),  # the number 1 is not a boolean
                member("B", complies_with_policy="maybe"),
                member("C", member_rating=True),
                {
                    "id": "D",
                    "kind": "collective",
                    "level": "grassroots_union",
                    "facts": {"union_rating": "abc"},
                },
            ],
            campaign,
        )
    assert [p.path[:2] for p in info.value.problems] == [
        ("subjects", 0),
        ("subjects", 1),
        ("subjects", 2),
        ("subjects", 3),
    ]


def test_text_values_from_csv_are_coerced(campaign):
    text = (
        "id,kind,role,member_rating,complies_with_policy,initiatives\n"
        'NV-1,individual,member,Khá,Có,"[{""title"": ""x"", '
        '""accepted_by"": ""Hội đồng sáng kiến"",'
        ' ""accepted_on"": ""15/10/2019"", ""applied"": true, ""high_effect"": true}]"\n'
    )
    sub = parse_facts_csv(text, campaign, file="f.csv")
    facts = sub.subjects[0].facts
    assert facts["member_rating"] == "fair"
    assert facts["complies_with_policy"] is True
    (record,) = facts["initiatives"]
    assert record["accepted_by"] == "initiative_council"
    assert record["accepted_on"] == dt.date(2019, 10, 15)


def test_int_from_text_and_bad_int(campaign):
    # tkv has no int fact; build one on the fly.
    text = (
        (CAMPAIGNS / "tkv_2019.yaml").read_text(encoding="utf-8")
        + """\
  - id: note_only
    sources: [{doc: plan, lines: 1}]
    text: "test"
    resolution: "test"
"""
    )
    text = text.replace(
        "facts:\n  # --- grassroots union",
        """facts:
  - id: members_count
    applies_to: collective
    type: int
    minimum: 0
    label: {vi: "Số đoàn viên", en: "Members"}
  # --- grassroots union""",
        1,
    )
    c = load_campaign(text, file="t.yaml")
    csv_text = (
        "id,kind,level,members_count\n"
        "A,collective,grassroots_union,95\n"
        "B,collective,grassroots_union,abc\n"
    )
    with pytest.raises(FactsError) as info:
        parse_facts_csv(csv_text, c, file="f.csv")
    assert [str(p.location) for p in info.value.problems] == ["f.csv:3:4"]
    ok = parse_facts_csv(
        csv_text.splitlines(keepends=True)[0] + "A,collective,grassroots_union,95\n", c
    )
    assert ok.subjects[0].facts["members_count"] == 95
    with pytest.raises(FactsError):
        parse_facts(
            [
                {
                    "id": "A",
                    "kind": "collective",
                    "level": "grassroots_union",
                    "facts": {"members_count": True},
                }
            ],
            c,
        )


def test_vietnamese_labels_in_any_normal_form(campaign):
    nfd = unicodedata.normalize("NFD", "Vững mạnh")
    assert nfd != "Vững mạnh"
    sub = parse_facts(
        [
            {
                "id": "A",
                "kind": "collective",
                "level": "grassroots_union",
                "facts": {"union_rating": nfd},
            }
        ],
        campaign,
    )
    assert sub.subjects[0].facts["union_rating"] == "strong"


def test_skip_mode_evaluates_the_rest_and_lists_the_rejected(campaign, tmp_path):
    path = tmp_path / "f.json"
    path.write_text(
        json.dumps(
            {
                "subjects": [
                    member("OK", member_rating="fair", complies_with_policy=True, initiatives=[]),
                    member("BAD", member_rating="superb"),
                ]
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(FactsError):
        load_facts(path, campaign)
    sub = load_facts(path, campaign, on_error="skip")
    assert [s.id for s in sub.subjects] == ["OK"]
    (p,) = sub.rejected
    assert (p.code, p.path) == ("invalid-value", ("subjects", 1, "facts", "member_rating"))
    evaluation = Engine(campaign).evaluate(sub)
    assert [s.subject_id for s in evaluation.subjects] == ["OK"]
    assert evaluation.rejected == sub.rejected


def test_duplicate_subject_ids_and_unknown_keys(campaign):
    with pytest.raises(FactsError) as info:
        parse_facts([member("A"), member("A"), {**member("B"), "facts_": {}}], campaign)
    assert [p.code for p in info.value.problems] == ["duplicate-id", "unknown-key"]


def test_fact_of_the_other_subject_kind_is_refused(campaign):
    with pytest.raises(FactsError) as info:
        parse_facts([member("A", union_rating="strong")], campaign)
    assert info.value.problems[0].code == "fact-subject-mismatch"


def test_explicit_null_is_missing_not_false(campaign):
    good = [
        {"title": "x", "accepted_by": "initiative_council", "applied": True, "high_effect": True}
    ]
    sub = parse_facts(
        [member("A", complies_with_policy=None, member_rating="fair", initiatives=good)], campaign
    )
    assert "complies_with_policy" not in sub.subjects[0].facts
    result = Engine(campaign).evaluate(sub).subjects[0].awards[0]
    assert (result.verdict, result.missing_facts) == ("incomplete", ("complies_with_policy",))


def test_campaign_mismatch_and_bad_as_of(campaign):
    with pytest.raises(FactsError) as info:
        parse_facts({"campaign": "other", "as_of": "31/31/2019", "subjects": []}, campaign)
    assert [p.code for p in info.value.problems] == ["campaign-mismatch", "invalid-value"]


def test_csv_problem_names_file_row_and_field(campaign):
    text = (
        "id,kind,role,member_rating,complies_with_policy,initiatives\n"
        "NV-1,individual,member,fair,có,[]\n"
        "NV-2,individual,member,abc,có,[]\n"
    )
    with pytest.raises(FactsError) as info:
        parse_facts_csv(text, campaign, file="f.csv")
    (p,) = info.value.problems
    assert p.code == "invalid-value"
    assert p.path == ("row 3", "facts", "member_rating")  # CSV row number, then the field
    assert (p.location.file, p.location.line, p.location.column) == ("f.csv", 3, 4)
    assert str(p).startswith("f.csv:3:4: row 3.facts.member_rating: ")


def test_json_problem_is_located_by_line_and_column(campaign):
    text = (
        '{"subjects": [\n'
        '  {"id": "A", "kind": "individual", "role": "member",\n'
        '   "facts": {"member_rating": "fair", "complies_with_policy": 1}}\n'
        "]}\n"
    )
    with pytest.raises(FactsError) as info:
        parse_facts_text(text, campaign, file="f.json", format="json")
    (p,) = info.value.problems
    assert (p.code, p.path[-1]) == ("invalid-value", "complies_with_policy")  # 1 is not a bool
    assert str(p.location) == f"f.json:3:{text.splitlines()[2].index(': 1}') + 3}"


def test_unknown_fact_in_yaml_gets_a_hint_and_a_location(campaign):
    text = (
        "subjects:\n"
        "  - id: NV-1\n"
        "    kind: individual\n"
        "    role: member\n"
        "    facts:\n"
        "      member_ratting: fair\n"
    )
    with pytest.raises(FactsError) as info:
        parse_facts_text(text, campaign, file="f.yaml")
    (p,) = info.value.problems
    assert (p.code, p.path[-1], p.hint) == (
        "unknown-fact",
        "member_ratting",
        "did you mean 'member_rating'?",
    )
    assert str(p.location) == f"f.yaml:6:{text.splitlines()[5].index('fair') + 1}"  # its value
    # a record field that the campaign does not declare is refused the same way
    with pytest.raises(FactsError) as info:
        parse_facts(
            [
                member(
                    "A",
                    initiatives=[
                        {
                            "title": "x",
                            "accepted_by": "initiative_council",
                            "applied": True,
                            "high_effect": True,
                            "hight_effect": True,
                        }
                    ],
                )
            ],
            campaign,
        )
    (p,) = info.value.problems
    assert (p.code, p.path[-1], p.hint) == (
        "unknown-field",
        "hight_effect",
        "did you mean 'high_effect'?",
    )


@pytest.mark.parametrize(
    ("fact", "value"),
    [
        ("complies_with_policy", 1),  # the number 1 is not a boolean
        ("complies_with_policy", 0),
        ("complies_with_policy", "1"),  # nor is the text '1' outside CSV
        ("member_rating", True),  # a boolean is not an enum value
        ("member_rating", 3),
        ("member_rating", "superb"),
        ("initiatives", "[]"),  # a JSON text is a records value only in a CSV cell
        ("initiatives", {"title": "x"}),
    ],
)
def test_loose_value_is_refused_with_its_field(campaign, value, fact):
    with pytest.raises(FactsError) as info:
        parse_facts([member("A", **{fact: value})], campaign)
    (p,) = info.value.problems
    assert (p.code, p.path) == ("invalid-value", ("subjects", 0, "facts", fact))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("95", 95),
        (95, 95),
        (95.0, 95),
        (" 95 ", 95),
        ("abc", None),
        (True, None),
        (95.5, None),
        ("9.5e1x", None),
        (-1, None),
    ],
)
def test_int_fact_coercion(int_campaign, value, expected):
    # members_count: int, minimum 0 (built on the fly: tkv declares no int fact).
    data = [
        {
            "id": "A",
            "kind": "collective",
            "level": "grassroots_union",
            "facts": {"members_count": value},
        }
    ]
    if expected is None:
        with pytest.raises(FactsError) as info:
            parse_facts(data, int_campaign)
        (p,) = info.value.problems
        assert (p.code, p.path[-1]) == ("invalid-value", "members_count")
    else:
        got = parse_facts(data, int_campaign).subjects[0].facts["members_count"]
        assert (got, type(got)) == (expected, int)


@pytest.fixture(scope="module")
def int_campaign():
    text = (CAMPAIGNS / "tkv_2019.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "facts:\n  # --- grassroots union",
        """facts:
  - id: members_count
    applies_to: collective
    type: int
    minimum: 0
    label: {vi: "Số đoàn viên", en: "Members"}
  # --- grassroots union""",
        1,
    )
    return load_campaign(text, file="t.yaml")


def test_vietnamese_and_english_labels_map_to_ids(campaign):
    nfd = unicodedata.normalize("NFD", "Vững mạnh xuất sắc")
    data = [
        {
            "id": "A",
            "kind": "collective",
            "level": "grassroots_union",
            "facts": {"union_rating": nfd},
        },
        {
            "id": "B",
            "kind": "collective",
            "level": "grassroots_union",
            "facts": {"union_rating": "VỮNG MẠNH"},
        },  # case does not matter
        {
            "id": "C",
            "kind": "collective",
            "level": "grassroots_union",
            "facts": {"union_rating": "Fair"},
        },  # the English label
        member("D", member_rating=unicodedata.normalize("NFD", "Trung bình")),
    ]
    got = [
        s.facts.get("union_rating", s.facts.get("member_rating"))
        for s in parse_facts(data, campaign).subjects
    ]
    assert got == ["strong_excellent", "strong", "fair", "average"]


def test_impossible_date_in_a_yaml_facts_file_is_located(campaign):
    text = (
        "subjects:\n"
        "  - id: NV-1\n"
        "    kind: individual\n"
        "    role: member\n"
        "    facts:\n"
        "      initiatives:\n"
        "        - {title: x, accepted_by: initiative_council, accepted_on: 2019-13-01,"
        " applied: true, high_effect: true}\n"
    )
    with pytest.raises(FactsError) as info:
        parse_facts_text(text, campaign, file="f.yaml")
    (p,) = info.value.problems
    assert p.code == "invalid-value"
    assert p.path == ("subjects", 0, "facts", "initiatives", 0, "accepted_on")
    assert str(p.location) == f"f.yaml:7:{text.splitlines()[6].index('2019') + 1}"


def test_unit_or_name_that_is_not_text_is_refused(campaign):
    # Regression: a list or mapping given as unit/name used to vanish without a word.
    with pytest.raises(FactsError) as info:
        parse_facts(
            [{**member("A"), "unit": ["CD-HALAM"]}, {**member("B"), "name": {"vi": "x"}}], campaign
        )
    assert [(p.code, p.path) for p in info.value.problems] == [
        ("invalid-value", ("subjects", 0, "unit")),
        ("invalid-value", ("subjects", 1, "name")),
    ]


def test_skip_mode_on_csv_accounts_for_every_row(campaign):
    text = (
        "id,kind,role,member_rating,complies_with_policy,initiatives\n"
        "NV-1,individual,member,fair,có,[]\n"
        "NV-2,individual,member,abc,có,[]\n"
        "\n"  # a blank line is not a subject
        "NV-3,individual,member,fair,maybe,[]\n"
        "NV-4,individual,member,Khá,không\n"  # one cell short
        "NV-1,individual,member,fair,có,[]\n"
    )  # id used twice
    sub = parse_facts_csv(text, campaign, file="f.csv", on_error="skip")
    assert [s.id for s in sub.subjects] == ["NV-1"]
    rejected_rows = sorted({p.location.line for p in sub.rejected})
    assert rejected_rows == [3, 5, 6, 7]
    assert [p.code for p in sub.rejected] == [
        "invalid-value",
        "invalid-value",
        "csv-row",
        "duplicate-id",
    ]
    # every non-blank data row is either evaluated or listed as rejected
    assert len(sub.subjects) + len(rejected_rows) == 5
