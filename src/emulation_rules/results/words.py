"""The words of the result presenters (table, CSV, workbook, HTML page): one catalogue of
labels in Vietnamese and English, read through :func:`word`.

Every presenter takes its headings, verdict and status names from here (through
:mod:`emulation_rules.results.presentation`), so a label is written once and reads the same in
every format. ``tests/unit/test_presentation.py`` fails when a key lacks a language.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["STATUS", "VERDICTS", "WORDS", "Lang", "word"]

Lang = Literal["vi", "en"]

VERDICTS: dict[str, tuple[str, str]] = {
    "awarded": ("Đạt", "Awarded"),
    "not_awarded": ("Không đạt", "Not awarded"),
    "incomplete": ("Thiếu dữ liệu", "Incomplete (facts missing)"),
    "not_eligible": ("Không thuộc đối tượng", "Not eligible"),
    "not_proposed": ("Không đề nghị", "Not proposed"),
}
"""Verdict code -> (vi, en), in the order of the summary's columns."""

STATUS: dict[str, tuple[str, str]] = {
    "pass": ("Đạt", "Pass"),
    "fail": ("Không đạt", "Fail"),
    "unknown": ("Chưa rõ", "Unknown"),
    "met": ("Đạt", "Met"),
    "not_met": ("Không đạt", "Not met"),
    "pending": ("Chưa đến hạn", "Pending"),
    "accepted": ("Được công nhận", "Accepted"),
    "excluded": ("Bị loại", "Excluded"),
    "not_yet": ("Chưa đến hạn", "Not yet"),
    "within_quota": ("Trong hạn mức", "Within the cap"),
    "over_quota": ("Vượt hạn mức", "Over the cap"),
    "tied_at_cap": ("Bằng nhau tại ngưỡng", "Tied at the cut, nobody chosen"),
}
"""Status code (criterion, quota, target, initiative, quota outcome) -> (vi, en)."""

WORDS: dict[str, tuple[str, str]] = {
    "title": ("KẾT QUẢ XÉT THI ĐUA", "EMULATION REVIEW RESULTS"),
    "campaign": ("Phong trào", "Campaign"),
    "as_of": ("Ngày xét", "Review date"),
    "phase": ("Giai đoạn", "Phase"),
    "summary": ("Tổng hợp", "Summary"),
    "counts": ("Số lượng theo danh hiệu và kết quả", "Verdicts per award"),
    "award": ("Danh hiệu / hình thức", "Award"),
    "total": ("Tổng", "Total"),
    "chart_verdicts": ("Biểu đồ: kết quả theo danh hiệu", "Chart: verdicts per award"),
    "chart_targets": ("Biểu đồ: đạt được so với chỉ tiêu", "Chart: value against the target figure"),
    "quotas": ("Tỷ lệ tối thiểu và hạn mức trong số được khen", "Minimum shares and caps among the awardees"),
    "quota": ("Tỷ lệ / hạn mức", "Share / cap"),
    "bound_kind": ("Loại", "Kind"),
    "min_share": ("Tỷ lệ tối thiểu", "Minimum share"),
    "max_share": ("Hạn mức (tỷ lệ tối đa)", "Cap (maximum share)"),
    "max_count": ("Hạn mức (số lượng tối đa)", "Cap (maximum number)"),
    "awardees": ("Được khen (mẫu số)", "Awardees (denominator)"),
    "qualifying": ("Được tính", "Counted"),
    "share": ("Tỷ lệ (%)", "Share (%)"),
    "bound": ("Mức quy định", "Bound"),
    "result": ("Kết quả", "Result"),
    "gap": ("Còn thiếu / vượt", "Short / over"),
    "short_by": ("thiếu {n}", "short by {n}"),
    "over_by": ("vượt {n}", "{n} over"),
    "at_least_pct": ("tối thiểu {x}%", "at least {x}%"),
    "at_most_pct": ("tối đa {x}%", "at most {x}%"),
    "at_most_n": ("tối đa {x}", "at most {x}"),
    "groups": ("Tỷ lệ, hạn mức theo từng nhóm", "Shares and caps per group"),
    "group": ("Nhóm", "Group"),
    "numerator": ("Được tính", "Counted"),
    "denominator": ("Mẫu số", "Denominator"),
    "limit": ("Giới hạn", "Limit"),
    "advice": ("Nhận xét", "Advice"),
    "ranked": ("Xếp hạng khi vượt hạn mức (kết quả khen thưởng không đổi)",
               "Ranking over the cap (the verdicts do not change)"),
    "subject": ("Đối tượng", "Subject"),
    "rank": ("Thứ hạng", "Rank"),
    "value": ("Giá trị", "Value"),
    "targets": ("Chỉ tiêu", "Targets"),
    "target": ("Chỉ tiêu", "Target"),
    "reached": ("Đạt được", "Value"),
    "figure": ("Chỉ tiêu đặt ra", "Figure"),
    "unit": ("Đơn vị", "Unit"),
    "op": ("So sánh", "Comparison"),
    "ratio": ("Tỷ lệ hoàn thành", "Ratio"),
    "reason": ("Lý do", "Reason"),
    "source": ("Nguồn", "Source"),
    "text_vi": ("Nguyên văn", "Plan text (Vietnamese)"),
    "initiatives": ("Sáng kiến", "Initiatives"),
    "verdicts": ("Kết quả", "Verdicts"),
    "details": ("Chi tiết", "Details"),
    "details_title": ("Kết quả chi tiết theo danh hiệu", "Verdicts per award in detail"),
    "id": ("Mã", "Id"),
    "name": ("Tên", "Name"),
    "level": ("Cấp / vai trò", "Level / role"),
    "points": ("Điểm", "Points"),
    "band": ("Xếp loại", "Band"),
    "failed": ("Tiêu chí không đạt", "Failing criteria"),
    "missing": ("Thiếu dữ liệu", "Missing facts"),
    "quota_outcome": ("Hạn mức", "Cap"),
    "why": ("Lý do", "Why"),
    "criteria": ("Tiêu chí", "Criteria"),
    "criterion": ("Tiêu chí", "Criterion"),
    "condition": ("Điều kiện", "Condition"),
    "values": ("Giá trị", "Values"),
    "cited": ("Nguồn (kế hoạch)", "Source (plan)"),
    "initiative_title": ("Tên sáng kiến", "Initiative"),
    "failed_checks": ("Điều kiện không đạt", "Failing checks"),
    "credited": ("Được tính cho", "Credited to"),
    "attribution": ("Cách tính", "Attribution"),
    "defects": ("Khiếm khuyết", "Defects"),
    "lines": ("Nơi trong văn bản", "Where in the document"),
    "defect": ("Khiếm khuyết của văn bản", "Defect of the text"),
    "resolution": ("Cách xử lý", "Resolution"),
    "rejected": ("Bị loại", "Left out"),
    "location": ("Vị trí", "Location"),
    "code": ("Mã lỗi", "Code"),
    "message": ("Nội dung", "Message"),
    "hint": ("Gợi ý", "Hint"),
    "yes": ("có", "yes"),
    "no": ("không", "no"),
    "none": ("không có", "none"),
    "unknown_value": ("chưa rõ", "unknown"),
    "made": ("Lập bằng emulation-rules", "Made with emulation-rules"),
    "all_met": ("đạt mọi tiêu chí", "all criteria met"),
    "fails": ("không đạt", "fails"),
    "missing_short": ("thiếu", "missing"),
    "undecided": ("chưa xét được", "undecided"),
    "points_word": ("điểm", "points"),
    "band_word": ("hạng", "band"),
    "subjects_word": ("đối tượng", "subjects"),
    "per_award": ("kết quả theo danh hiệu", "verdicts per award"),
    "problems": ("lỗi trong dữ liệu; các đối tượng đó không được xét",
                 "problems in the facts; those subjects were not evaluated"),
    "no_subjects": ("Tệp dữ liệu không có đối tượng nào: biểu mẫu còn trống hoặc chưa điền "
                    "(không có gì để xét).",
                    "The facts name no subject: the form is blank or not filled in (nothing to review)."),
    "group_all": ("Toàn bộ", "All"),
    "group_no unit": ("Không ghi đơn vị", "No unit given"),
    "group_no level": ("Không xác định cấp", "No level known"),
    "expand": ("Chi tiết", "Details"),
}
"""Heading or phrase key -> (vi, en); phrases with ``{n}`` or ``{x}`` are formatted."""


def word(key: str, lang: Lang, **values: object) -> str:
    """The label ``key`` in ``lang``, formatted with ``values``.

    >>> word("short_by", "vi", n=2), word("short_by", "en", n=2)
    ('thiếu 2', 'short by 2')

    Raises:
        KeyError: no such label.
    """
    vi, en = WORDS[key]
    text = vi if lang == "vi" else en
    return text.format(**values) if values else text
