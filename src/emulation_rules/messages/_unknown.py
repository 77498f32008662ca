"""Catalogue entries: every "unknown X" message (:func:`emulation_rules.errors.unknown_id`), with
the words after the value (``in campaign 'c'``, ``of unit 'u'``...); ``{what}`` is the kind of id,
translated through :data:`NOUNS`. They come first: the plain form would match the longer ones."""

from __future__ import annotations

NOUNS: dict[str, str] = {
    "award": "danh hiệu", "band": "mức xếp loại", "collective level": "cấp tập thể", "column": "cột",
    "criterion": "tiêu chí", "date field": "trường ngày", "document": "văn bản", "fact": "dữ kiện",
    "fact set": "bộ dữ kiện", "field": "trường", "individual role": "vai trò cá nhân", "key": "khóa",
    "kind": "loại đối tượng", "level": "cấp", "parameter": "tham số", "phase": "giai đoạn",
    "quota": "tỷ lệ, hạn mức", "role": "vai trò", "subject": "đối tượng", "target": "chỉ tiêu", "unit": "đơn vị",
    "value": "giá trị", "threshold": "ngưỡng",
}
"""What an unknown id should have named, in Vietnamese (``{what}`` of the entries below)."""

ENTRIES: tuple[tuple[str, str], ...] = (
    ("unknown {what} {x} in campaign {c}; valid: {v}", "{what} {x} không có trong phong trào {c}; hợp lệ: {v}"),
    ("unknown {what} {x} in this case; valid: {v}", "{what} {x} không có trong ca kiểm thử này; hợp lệ: {v}"),
    ("unknown {what} {x} in this file; valid: {v}", "{what} {x} không có trong tệp này; hợp lệ: {v}"),
    ("unknown {what} {x} in the key row; valid: {v}", "{what} {x} không có trong dòng khóa; hợp lệ: {v}"),
    ("unknown {what} {x} in the records of {f}; valid: {v}", "{what} {x} không có trong danh sách {f}; hợp lệ: {v}"),
    ("unknown {what} {x} of award {a}; valid: {v}", "{what} {x} không có trong danh hiệu {a}; hợp lệ: {v}"),
    ("unknown {what} {x} of unit {u}; valid: {v}", "{what} {x} của đơn vị {u} không có; hợp lệ: {v}"),
    ("unknown {what} {x} (parent of {u}); valid: {v}", "{what} {x} (cấp trên của {u}) không có; hợp lệ: {v}"),
    ("unknown {what} {x} (subject {s}); valid: {v}", "{what} {x} (của đối tượng {s}) không có; hợp lệ: {v}"),
    ("unknown {what} {x} of {f}; valid: {v}", "{what} {x} không có trong {f}; hợp lệ: {v}"),
)
