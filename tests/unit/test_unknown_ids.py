"""Authoring help (issue 10): every "unknown X" lists the valid ids with a did-you-mean, a key of
opposite meaning is never suggested, and no problem hides another (all of a file in one run)."""

from __future__ import annotations

import unicodedata

import pytest

from emulation_rules import CampaignValidationError, load_campaign
from emulation_rules.errors import (
    MAX_LISTED,
    ascii_fold,
    did_you_mean,
    id_listing,
    is_opposite,
    unknown_id,
    unknown_key,
)

from ..conftest import ROOT

HELP = ROOT / "tests" / "cases" / "help"


def _problems(name: str):
    with pytest.raises(CampaignValidationError) as info:
        load_campaign(HELP / name)
    return info.value.problems


def test_no_problem_hides_another():
    # the issue: a bad identifier hid three other problems until it was fixed
    problems = _problems("four-problems.yaml")
    by_code = {p.code: p for p in problems}
    assert set(by_code) == {"bad-identifier", "unknown-fact", "unknown-role", "invalid-value"}, \
        [str(p) for p in problems]
    assert by_code["bad-identifier"].path == ("awards", 1, "criteria", 0, "id")
    assert by_code["unknown-fact"].path == ("awards", 0, "criteria", 0, "condition", "fact")
    assert by_code["unknown-role"].path == ("awards", 1, "eligibility", "roles", 1)
    assert by_code["invalid-value"].path == ("phases", 0, "end")
    # located at the original lines, although a phase and a criterion were left out to read the rest
    assert [(p.location.line, p.location.column) for p in problems] == [(21, 10), (57, 27), (65, 23), (68, 13)]


def test_unknown_role_lists_the_roles_and_suggests_by_its_vietnamese_label():
    (p,) = [p for p in _problems("four-problems.yaml") if p.code == "unknown-role"]
    assert p.message == "unknown individual role 'nguoi_lao_dong'; valid: member, worker"
    assert p.hint == "did you mean 'worker'?"  # labelled "Người lao động"


def test_unknown_level_written_as_its_abbreviation():
    (p,) = [p for p in _problems("opposite-key.yaml") if p.code == "unknown-level"]
    assert p.message == "unknown collective level 'cdcs'; valid: grassroots_union"
    assert p.hint == "did you mean 'grassroots_union'?"  # labelled "CĐCS"


def test_min_count_is_not_a_typo_of_max_count():
    # the case was max_share -> 'did you mean min_share?'; max_share now exists, and the
    # same rule keeps min_count (not a key) from being read as its opposite max_count
    (p,) = [p for p in _problems("opposite-key.yaml") if p.code == "unknown-key"]
    assert p.message.startswith("unknown key 'min_count'; allowed: awards, condition, ")
    assert "max_count" in p.message and p.hint is None


def test_unknown_key_in_a_condition_names_every_form():
    message, hint = unknown_key("txt_vi", ["text_vi", "id"])
    assert message == "unknown key 'txt_vi'; allowed: id, text_vi" and hint == "did you mean 'text_vi'?"


@pytest.mark.parametrize(("word", "other"), [
    ("max_share", "min_share"), ("at_most", "at_least"), ("end", "start"), ("maximum", "minimum"),
])
def test_opposites_are_never_suggested(word, other):
    assert is_opposite(word, other) and is_opposite(other, word)
    assert did_you_mean(word, [other]) is None


def test_suggestion_folds_case_normal_form_and_diacritics():
    nfd = unicodedata.normalize("NFD", "Đoàn viên")
    assert did_you_mean(nfd, ["member"], aliases={"Đoàn viên": "member"}) == "did you mean 'member'?"
    assert did_you_mean("doan_vien", ["member"], aliases={"Đoàn viên": "member"}) == "did you mean 'member'?"
    assert did_you_mean("RATNG", ["rating"]) == "did you mean 'rating'?"
    assert did_you_mean("zzz", ["rating"]) is None
    assert ascii_fold("Công đoàn cơ sở") == "cong_doan_co_so"


def test_long_listings_are_cut_with_a_count():
    ids = [f"fact_{i:02d}" for i in range(MAX_LISTED + 5)]
    text = id_listing(ids)
    assert text.endswith(f"fact_{MAX_LISTED - 1:02d} … and 5 more")
    assert id_listing([]) == "none"
    message, hint = unknown_id("fact", "fact_1", ids)
    assert message.startswith("unknown fact 'fact_1'; valid: fact_00, ") and hint is not None
