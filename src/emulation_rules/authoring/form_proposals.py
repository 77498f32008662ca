"""The proposals sheet of the submission form (**Danh sách đề nghị**): who the unit proposes for
which award, one row per subject and award, the award chosen in a drop-down of the awards that
judge only the subjects proposed (``requires_proposal``); read back by
:mod:`emulation_rules.facts.xlsx_proposals`. Written only for a campaign with such an award."""

from __future__ import annotations

from typing import Any

from emulation_rules.campaign import model as m
from emulation_rules.facts.xlsx_proposals import PROPOSALS_PREFIX

__all__ = ["SHEET_PROPOSALS", "proposals_sheet"]

SHEET_PROPOSALS = "Danh sách đề nghị"


def proposals_sheet(writer: Any, column: Any, campaign: m.Campaign, lists_sheet: str) -> str | None:
    """Add the proposals sheet through the form's writer (``column``: its column type;
    ``lists_sheet``: the hidden sheet of the drop-downs' lists); None when no award of the
    campaign requires a proposal."""
    from openpyxl.utils import get_column_letter, quote_sheetname

    awards = [a.label.vi for a in campaign.awards if a.requires_proposal]
    if not awards:
        return None
    ws = writer.wb[lists_sheet]
    col = ws.max_column + 1
    ws.cell(1, col, "Danh hiệu đề nghị")
    for row, label in enumerate(awards, start=2):
        ws.cell(row, col, label)
    letter = get_column_letter(col)
    key = f"{PROPOSALS_PREFIX}award"
    writer.lists[key] = f"{quote_sheetname(lists_sheet)}!${letter}$2:${letter}${len(awards) + 1}"
    width = min(40.0, max(24.0, *(len(a) * 1.1 + 3 for a in awards)))
    writer.table(SHEET_PROPOSALS, [
        column(f"{PROPOSALS_PREFIX}subject", "Mã đối tượng được đề nghị (đơn vị hoặc cá nhân)", "id",
               required=True, width=18),
        column(key, "Danh hiệu, hình thức đề nghị (chọn trong danh sách)", "enum", required=True,
               values=tuple(awards), width=width, list_key=key),
    ])
    return SHEET_PROPOSALS
