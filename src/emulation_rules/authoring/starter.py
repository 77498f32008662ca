"""A commented starter campaign and its author cases, for ``emulation-rules new``.

The starter holds the least a campaign needs — its documents (the plan, and where a law is
cited), one phase, one subject role, one fact, one award with one criterion — and one case
file that passes against it. Both validate as written; every line a user changes is commented
in Vietnamese and English. Nothing in it is a real plan: the texts in quotes are placeholders
to replace with the plan's own words.
"""

from __future__ import annotations

__all__ = ["starter_campaign", "starter_cases"]

_CAMPAIGN = """\
# Chiến dịch mẫu / starter campaign "{id}", written by `emulation-rules new`.
# Thay các chỗ <...> bằng lời văn của kế hoạch / replace the <...> texts with the plan's words.
# Kiểm tra / check:  emulation-rules validate {file}
# Chạy ca kiểm thử / run the cases:  emulation-rules test {cases}
# Hướng dẫn / guide: docs/guide.vi.md, docs/guide.en.md (every error code with its fix).
schema_version: 2
id: {id}                      # chữ thường ASCII, số, "_" / lower-case ASCII letters, digits, _
title:
  vi: "{title}"
  en: "<English title>"
issuer:
  vi: "<Cơ quan ban hành, ví dụ Công đoàn cơ sở ...>"
  en: "<Issuing body>"
mode: regular                 # regular (thường xuyên) | thematic (chuyên đề) | sprint (đợt)

# Văn bản được trích dẫn / the documents cited. The plan first. Give `text:` (a UTF-8 copy of
# the document, path relative to this file) to cite line numbers; without it cite by
# section (mục) or by article/clause/point (Điều/khoản/điểm).
documents:
  - id: plan
    kind: plan                # plan | law | decree | circular | guidance | decision | resolution
    number: null              # số hiệu như in, ví dụ "12/KH-CĐCS" / the number as printed
    title: "<Kế hoạch phát động phong trào thi đua ...>"
    date: null                # ngày ký / signing date, e.g. 2025-01-15
  # - id: law_tdkt_2022       # a law cited by article: source: {{doc: law_tdkt_2022, article: "..."}}
  #   kind: law
  #   number: "<số hiệu>"
  #   title: "<tên luật>"
  #   cite_as: "<tên ngắn khi trích dẫn>"

phases:
  - id: year_{year}
    label: {{vi: "Năm {year}", en: "Year {year}"}}
    start: {year}-01-01
    end: {year}-12-31
    source: {{doc: plan, section: "<mục nêu thời gian / section giving the dates>"}}

subjects:
  collective_levels: []
  individual_roles:
    - id: member
      label: {{vi: "Đoàn viên công đoàn", en: "Union member"}}

# Dữ kiện đơn vị, cá nhân khai / the facts subjects submit (bool, int, decimal, percent, date,
# text, enum, ordered_enum, records).
facts:
  - id: tasks_completed
    applies_to: individual
    type: bool
    label: {{vi: "Hoàn thành tốt nhiệm vụ", en: "Completed assigned tasks well"}}

awards:
  - id: example_title
    kind: title               # title (danh hiệu) | commendation (khen thưởng) | recognition (biểu dương)
    subject: individual
    label: {{vi: "<Tên danh hiệu>", en: "<Title>"}}
    period: yearly
    source: {{doc: plan, section: "<mục khen thưởng / section on awards>"}}
    eligibility:
      roles: [member]
      source: {{doc: plan, section: "<mục đối tượng / section on who takes part>"}}
    criteria:                 # tất cả phải đạt / all must pass
      - id: tasks
        label: {{vi: "Hoàn thành tốt nhiệm vụ", en: "Completed tasks well"}}
        text_vi: "<lời văn của tiêu chuẩn trong kế hoạch / the standard in the plan's words>"
        condition: {{fact: tasks_completed, op: "==", value: true}}
        source: {{doc: plan, section: "<mục tiêu chuẩn / section on standards>"}}
"""

_CASES = """\
# Ca kiểm thử của tác giả / author test cases for {campaign_file}.
# Run: emulation-rules test {cases_file}
campaign: {campaign_rel}

cases:
  - id: member_completes_tasks
    description: "Đoàn viên hoàn thành tốt nhiệm vụ thì đạt danh hiệu."
    as_of: {year}-12-31
    subjects:
      - {{id: DV-01, kind: individual, role: member, facts: {{tasks_completed: true}}}}
      - {{id: DV-02, kind: individual, role: member, facts: {{tasks_completed: false}}}}
    expect:
      - {{subject: DV-01, award: example_title, verdict: awarded,
         source: {{doc: plan, section: "<mục tiêu chuẩn>"}}}}
      - {{subject: DV-02, award: example_title, verdict: not_awarded,
         source: {{doc: plan, section: "<mục tiêu chuẩn>"}}}}
"""


def starter_campaign(campaign_id: str, *, title: str, year: int, file: str, cases: str) -> str:
    """The starter campaign's YAML text.

    Args:
        campaign_id: the campaign's id (an identifier: lower-case ASCII letters, digits, ``_``).
        title: the campaign's Vietnamese title.
        year: the year of its one phase (1 January to 31 December, inclusive).
        file: the campaign file's name, quoted in the comments.
        cases: the case file's name, quoted in the comments.
    """
    return _CAMPAIGN.format(id=campaign_id, title=title.replace('"', "'"), year=year,
                            file=file, cases=cases)


def starter_cases(*, campaign_file: str, campaign_rel: str, cases_file: str, year: int) -> str:
    """The starter's author case file (two members: one awarded, one not).

    Args:
        campaign_file: the campaign file, quoted in the comments.
        campaign_rel: the campaign file relative to the case file (its ``campaign:`` key).
        cases_file: the case file, quoted in the comments.
        year: the year of the campaign's phase (the cases' review date is 31 December).
    """
    return _CASES.format(campaign_file=campaign_file, campaign_rel=campaign_rel,
                         cases_file=cases_file, year=year)
