"""The history sheet of the submission form (**Danh hiệu đã đạt**): the register of titles each
subject already holds, one per row (subject id, title id or the id of a yearly rating the campaign
declares, year, deciding body, decision number),
read back by :mod:`emulation_rules.facts.xlsx_history`."""

from __future__ import annotations

from typing import Any

from emulation_rules.facts.history import FIRST_YEAR, LAST_YEAR
from emulation_rules.facts.xlsx_history import HISTORY_PREFIX

__all__ = ["SHEET_HISTORY", "history_sheet"]

SHEET_HISTORY = "Danh hiệu đã đạt"


def history_sheet(writer: Any, column: Any) -> str:
    """Add the history sheet through the form's writer (``column``: its column type)."""
    k = HISTORY_PREFIX
    cols = [
        column(f"{k}subject", "Mã đối tượng (đơn vị hoặc cá nhân)", "id", required=True, width=16),
        column(f"{k}title", "Danh hiệu (mã, ví dụ lao_dong_tien_tien)", "text", width=30),
        column(f"{k}rating", "Hoặc xếp loại hằng năm (mã, ví dụ completed_tasks_excellently)", "text", width=30),
        column(f"{k}year", "Năm", "int", required=True, minimum=FIRST_YEAR, maximum=LAST_YEAR, width=8),
        column(f"{k}decided_by", "Cấp quyết định", "text", width=28),
        column(f"{k}decision", "Số quyết định", "text", width=18),
    ]
    writer.table(SHEET_HISTORY, cols)
    return SHEET_HISTORY
