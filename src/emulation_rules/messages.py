"""Messages people read, in Vietnamese (the default) and English: the message catalogue.

Problems, hints and the command line's notes are written in English where they arise (at some
two hundred places, in every stage, with their values in them); this catalogue gives each of them
in Vietnamese. An entry is an English template with named ``{placeholders}`` and its Vietnamese
rendering; :func:`translate_message` finds the entry whose template matches a whole message and
writes the Vietnamese with the same values (ids, figures, citations stay as they are).
:func:`translate_line` does the same for one line of output that carries a message after a
location and a path (``file:12:5: awards[0].id: <message> (<hint>) [code]``), leaving the
location, the path and the code as they are. JSON keeps its codes and ids; only ``message`` and
``hint`` follow the chosen language.

Why a table in Python rather than gettext ``.po`` files: the messages are f-strings built at
their call sites, in modules other sessions change every day; marking each for gettext would
touch all of them, while matching the finished message needs none, keeps the catalogue in one
typed module (package data by construction, nothing to compile into ``.mo`` files) and lets a
test run the invalid-campaign corpus and every command and fail on any message left in English
(``tests/unit/test_messages.py``).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

__all__ = ["CATALOGUE", "Lang", "translate_line", "translate_message"]

Lang = Literal["vi", "en"]

CATALOGUE: tuple[tuple[str, str], ...] = (
    # --- hints -----------------------------------------------------------------------------
    ("did you mean {x}?", "có phải {x}?"),
    ("declare it under 'documents'", "khai báo nó trong 'documents'"),
    # --- campaign: YAML and safety ----------------------------------------------------------
    ("character {c} is not allowed in YAML text", "ký tự {c} không được phép trong văn bản YAML"),
    ("remove control characters; YAML allows tab, newline and printable text",
     "xóa các ký tự điều khiển; YAML chỉ cho phép tab, xuống dòng và ký tự in được"),
    ("not UTF-8: {why}", "không phải UTF-8: {why}"),
    ("not UTF-8 at byte {n}", "không phải UTF-8 tại byte {n}"),
    ("mapping keys must be strings, not {t}", "khóa của ánh xạ phải là chuỗi, không phải {t}"),
    ("key {k} appears twice in this mapping", "khóa {k} xuất hiện hai lần trong ánh xạ này"),
    ("alias {a} refers to a node that contains it", "bí danh {a} trỏ tới một nút chứa chính nó"),
    ("nested more than {n} levels deep", "lồng sâu hơn {n} cấp"),
    ("more than {n} aliases", "nhiều hơn {n} bí danh"),
    ("more than {n} nodes (nested aliases?)", "nhiều hơn {n} nút (bí danh lồng nhau?)"),
    ("tag {t} is not allowed (only text, numbers, booleans, null and dates)",
     "thẻ {t} không được phép (chỉ văn bản, số, đúng/sai, null và ngày)"),
    ("while parsing {what} (from line {l}, column {c}): expected {x}, but got {y}",
     "lỗi cú pháp YAML khi đọc {what} (từ dòng {l}, cột {c}): cần {x}, nhưng gặp {y}"),
    ("while scanning {what} (from line {l}, column {c}): {why}",
     "lỗi cú pháp YAML khi đọc {what} (từ dòng {l}, cột {c}): {why}"),
    ("while parsing {what}: {why}", "lỗi cú pháp YAML khi đọc {what}: {why}"),
    ("YAML could not be read:", "Không đọc được YAML:"),
    ("{n} problems in campaign:", "{n} lỗi trong phong trào:"),
    ("{n} problem in campaign:", "{n} lỗi trong phong trào:"),
    ("{n} problems in facts:", "{n} lỗi trong dữ liệu:"),
    ("{n} problem in facts:", "{n} lỗi trong dữ liệu:"),
    ("error: {line}", "lỗi: {line}"),
    ("error: cannot write the output: {why}", "lỗi: không ghi được kết quả: {why}"),
    ("campaign is invalid:", "Phong trào không hợp lệ:"),
    # --- campaign: schema and checks ---------------------------------------------------------
    ("missing required key {k}", "thiếu khóa bắt buộc {k}"),
    ("unknown key {k}; allowed: {ks}", "khóa không hợp lệ {k}; các khóa được phép: {ks}"),
    ("unknown key {k}", "khóa không hợp lệ {k}"),
    ("Input should be {x}", "giá trị phải là {x}"),
    ("must be a number, not {t}", "phải là số, không phải {t}"),
    ("{x} is not an identifier: use lower-case ASCII letters, digits and '_' only, starting with a letter "
     "(no diacritics, no spaces)",
     "{x} không phải mã hợp lệ: chỉ dùng chữ thường ASCII, chữ số và '_', bắt đầu bằng chữ cái "
     "(không dấu, không khoảng trắng)"),
    ("e.g. {x}", "ví dụ {x}"),
    ("id {x} is used twice here", "mã {x} được dùng hai lần ở đây"),
    ("unknown fact {x}; valid: {v}", "dữ kiện không có trong phong trào {x}; hợp lệ: {v}"),
    ("unknown fact {x}", "dữ kiện không có trong phong trào {x}"),
    ("unknown award {x}; valid: {v}", "danh hiệu không có trong phong trào {x}; hợp lệ: {v}"),
    ("unknown document {x}; valid: {v}", "văn bản không được khai báo {x}; hợp lệ: {v}"),
    ("unknown document {x}", "văn bản không được khai báo {x}"),
    ("unknown value {x} of {f}; valid: {v}", "giá trị {x} không có trong {f}; hợp lệ: {v}"),
    ("unknown field {x} in the records of {f}; valid: {v}",
     "trường {x} không có trong danh sách {f}; hợp lệ: {v}"),
    ("unknown collective level {x}; valid: {v}", "cấp tập thể không có {x}; hợp lệ: {v}"),
    ("unknown individual role {x}; valid: {v}", "vai trò cá nhân không có {x}; hợp lệ: {v}"),
    ("unknown parameter {x}; valid: {v}", "tham số không có {x}; hợp lệ: {v}"),
    ("unknown phase {x}; valid: {v}", "giai đoạn không có {x}; hợp lệ: {v}"),
    ("unknown {what} {x}; valid: {v}", "{what} không có {x}; hợp lệ: {v}"),
    ("a collective award lists individual roles", "danh hiệu tập thể lại liệt kê vai trò cá nhân"),
    ("an individual award lists collective levels", "danh hiệu cá nhân lại liệt kê cấp tập thể"),
    ("fact {x} applies to {a} subjects, not {b}", "dữ kiện {x} áp dụng cho đối tượng {a}, không phải {b}"),
    ("fact {x} is {t}, not records", "dữ kiện {x} có kiểu {t}, không phải danh sách"),
    ("{t} {x} cannot be compared with {op}", "{t} {x} không so sánh được bằng {op}"),
    ("{v} is not a {t} for {x}", "{v} không phải kiểu {t} cho {x}"),
    ("a parameter is a number; {x} is {t}", "tham số là một số; {x} có kiểu {t}"),
    ("give exactly one of 'value' and 'param'", "ghi đúng một trong hai: 'value' hoặc 'param'"),
    ("phase {x} ends ({e}) before it starts ({s})", "giai đoạn {x} kết thúc ({e}) trước khi bắt đầu ({s})"),
    ("the window ends ({e}) before it starts ({s})", "khoảng thời gian kết thúc ({e}) trước khi bắt đầu ({s})"),
    ("items add up to {a}, not max_points {b}", "tổng điểm các mục là {a}, không phải max_points {b}"),
    ("a share is a percent (0-100), not {x}", "tỷ lệ là phần trăm (0-100), không phải {x}"),
    ("award {x} is for {a} subjects; the quota counts {b} subjects",
     "danh hiệu {x} dành cho đối tượng {a}; tỷ lệ này đếm đối tượng {b}"),
    ("awards require each other in a cycle: {c}", "các danh hiệu đòi hỏi lẫn nhau thành vòng: {c}"),
    ("none of them can be judged first; remove one of the references (a title held in earlier years is "
     "read from the subject's history instead)",
     "không danh hiệu nào xét trước được; bỏ một tham chiếu (danh hiệu đạt các năm trước đọc từ "
     "quá trình khen thưởng của đối tượng)"),
    ("gives lines, but document {d} has no 'text' to number them; cite it by article/clause/point or "
     "section, or declare its text",
     "ghi số dòng nhưng văn bản {d} không có 'text' để đánh số dòng; hãy trích theo điều/khoản/điểm "
     "hoặc mục, hoặc khai báo văn bản"),
    ("the date {x} is not printed on {cite}", "ngày {x} không có trong {cite}"),
    ("the target {x} is not printed on {cite}", "chỉ tiêu {x} không có trong {cite}"),
    ("the quota share {x} is not printed on {cite}", "tỷ lệ {x} không có trong {cite}"),
    ("the quota count {x} is not printed on {cite}", "số lượng tối đa {x} không có trong {cite}"),
    ("the threshold {x} is not printed on {cite}", "ngưỡng {x} không có trong {cite}"),
    ("correct the figure or the citation, or declare derived: \"<reason>\" when the plan does not print it",
     "sửa con số hoặc trích dẫn, hoặc khai báo derived: \"<lý do>\" khi kế hoạch không ghi con số đó"),
    ("this campaign is in format version 1 (one 'source_seed', citations by 'seed'); this release reads "
     "version 2, which declares 'documents' and cites them by id",
     "phong trào này ở định dạng phiên bản 1 (một 'source_seed', trích dẫn theo 'seed'); bản này đọc "
     "phiên bản 2, khai báo 'documents' và trích dẫn theo mã"),
    ("convert it with: emulation-rules migrate FILE --write (comments and layout are kept)",
     "chuyển đổi bằng: emulation-rules migrate TỆP --write (giữ nguyên chú thích và bố cục)"),
    ("{a} of {b} files have problems", "{a} trên {b} tệp có lỗi"),
    ("ok: {f} ({c}: {n} facts, {a} awards, {d} recorded defects)",
     "hợp lệ: {f} ({c}: {n} dữ kiện, {a} danh hiệu, {d} khiếm khuyết đã ghi nhận)"),
    # --- campaign: document texts ------------------------------------------------------------
    ("the text {x} lies outside the campaign's folder and the documents folders; it is not read",
     "văn bản {x} nằm ngoài thư mục của phong trào và các thư mục văn bản; văn bản này không được đọc"),
    ("put the text beside the campaign, or list its folder in {env}",
     "đặt văn bản cạnh tệp phong trào, hoặc khai báo thư mục của nó trong {env}"),
    ("the text {x} of {d} has SHA-256 {a}, not the {b} declared: another version of the document, where the "
     "cited lines may say something else",
     "văn bản {x} của {d} có SHA-256 {a}, khác {b} đã khai báo: đây là một phiên bản khác của văn bản, "
     "các dòng được trích dẫn có thể ghi nội dung khác"),
    ("supply the version the campaign was encoded from, or re-check every citation of this document against "
     "the new text and then update 'sha256'",
     "cung cấp đúng phiên bản đã dùng để mã hóa phong trào, hoặc đối chiếu lại mọi trích dẫn của văn bản "
     "này với văn bản mới rồi cập nhật 'sha256'"),
    ("text {x} of {d} found neither beside the campaign file nor in {env}: its cited lines are not checked",
     "không tìm thấy văn bản {x} của {d} cạnh tệp phong trào hay trong {env}: các dòng trích dẫn từ văn "
     "bản này chưa được đối chiếu"),
    ("put the file where 'text' says, or list its directory in {env}",
     "đặt tệp vào chỗ 'text' ghi, hoặc khai báo thư mục của nó trong {env}"),
    ("text {x} of {d} cannot be read (not UTF-8 text): its cited lines are not checked",
     "không đọc được văn bản {x} của {d} (không phải văn bản UTF-8): các dòng trích dẫn từ văn bản này "
     "chưa được đối chiếu"),
    ("text {x} of {d} cannot be read (larger than {n} MiB): its cited lines are not checked",
     "không đọc được văn bản {x} của {d} (lớn hơn {n} MiB): các dòng trích dẫn từ văn bản này chưa được "
     "đối chiếu"),
    ("text {x} of {d} cannot be read ({why}): its cited lines are not checked",
     "không đọc được văn bản {x} của {d} ({why}): các dòng trích dẫn từ văn bản này chưa được đối chiếu"),
    ("give a UTF-8 text file", "hãy cho một tệp văn bản UTF-8"),
    ("cites line {n} of {d}, whose text has {k} lines", "trích dòng {n} của {d}, nhưng văn bản chỉ có {k} dòng"),
    # --- facts -------------------------------------------------------------------------------
    ("expected true or false, got {v}", "cần có hoặc không (đúng/sai), nhận được {v}"),
    ("expected an integer, got {v}", "cần một số nguyên, nhận được {v}"),
    ("expected a finite number, got {v}", "cần một số hữu hạn, nhận được {v}"),
    ("expected a date (YYYY-MM-DD or D/M/YYYY), got {v}", "cần một ngày (YYYY-MM-DD hoặc N/T/NNNN), nhận được {v}"),
    ("expected text, got {v}", "cần văn bản, nhận được {v}"),
    ("{v} is below the minimum {m}", "{v} nhỏ hơn mức tối thiểu {m}"),
    ("{v} is above the maximum {m}", "{v} lớn hơn mức tối đa {m}"),
    ("unknown value {x}; valid: {v}", "giá trị không hợp lệ {x}; hợp lệ: {v}"),
    ("subject id {x} is used twice", "mã đối tượng {x} được dùng hai lần"),
    ("subject needs a non-empty 'id'", "đối tượng cần có 'id' không trống"),
    ("a collective needs 'level'", "tập thể cần có 'level' (cấp)"),
    ("an individual needs 'role'", "cá nhân cần có 'role' (vai trò)"),
    ("a collective has no 'role'", "tập thể không có 'role'"),
    ("an individual has no 'level'", "cá nhân không có 'level'"),
    ("'subjects' must be a list", "'subjects' phải là một danh sách"),
    ("'facts' must be a mapping", "'facts' phải là một ánh xạ"),
    ("a subject must be a mapping", "mỗi đối tượng phải là một ánh xạ"),
    ("a record must be a mapping", "mỗi bản ghi phải là một ánh xạ"),
    ("{x} must be a list of records", "{x} phải là một danh sách bản ghi"),
    ("record lacks required field {x}", "bản ghi thiếu trường bắt buộc {x}"),
    ("records cell is not a JSON list: {why}", "ô danh sách không phải danh sách JSON: {why}"),
    ("expected the number of {x} records (0 for none), got {v}",
     "cần số bản ghi của {x} (0 nếu không có), nhận được {v}"),
    ("'history' must be a list of {title, year} entries", "'history' phải là danh sách các mục {title, year}"),
    ("a history entry needs 'title'", "mỗi mục quá trình khen thưởng cần 'title'"),
    ("a history entry needs 'year'", "mỗi mục quá trình khen thưởng cần 'year'"),
    ("year {v} is not a whole year from {a} to {b}", "năm {v} không phải năm nguyên từ {a} đến {b}"),
    ("a history row needs the subject's id", "mỗi dòng danh hiệu đã đạt cần mã đối tượng"),
    ("history row for subject {x}, which no subject sheet lists; subjects: {v}",
     "dòng danh hiệu của đối tượng {x}, không có trong trang đối tượng nào; các đối tượng: {v}"),
    ("the history of {x} is given both in a cell and on the history sheet",
     "quá trình khen thưởng của {x} được ghi cả trong ô và trên trang danh hiệu đã đạt"),
    ("record of {f} for subject {x}, which no subject sheet lists; subjects: {v}",
     "bản ghi {f} của đối tượng {x}, không có trong trang đối tượng nào; các đối tượng: {v}"),
    ("{f} of {x} is given both in a cell and on a records sheet",
     "{f} của {x} được ghi cả trong ô và trên trang danh sách"),
    ("no sheet has a key row with 'id' (one subject per row)",
     "không trang nào có dòng khóa với 'id' (mỗi dòng một đối tượng)"),
    ("columns 'id' and 'kind' are required", "cần có cột 'id' và 'kind'"),
    ("no header row", "không có dòng tiêu đề"),
    ("a column name is repeated", "tên cột bị lặp"),
    ("a key is repeated in the key row", "một khóa bị lặp trong dòng khóa"),
    ("row has {a} cells, header has {b}", "dòng có {a} ô, dòng tiêu đề có {b}"),
    ("as_of must be a date (YYYY-MM-DD)", "as_of phải là một ngày (YYYY-MM-DD)"),
    ("the files give different review dates: {x}", "các tệp ghi ngày xét khác nhau: {x}"),
    ("Facts are invalid:", "Dữ liệu không hợp lệ:"),
    ("facts are invalid:", "Dữ liệu không hợp lệ:"),
    # --- command line -------------------------------------------------------------------------
    ("skipped: {line}", "bỏ qua: {line}"),
    ("results written to {f}", "đã ghi kết quả vào {f}"),
    ("form for {c} written to {f}", "đã ghi biểu mẫu của {c} vào {f}"),
    ("--format {f} writes a workbook: give --output FILE.xlsx",
     "--format {f} ghi một sổ tính: hãy cho --output TỆP.xlsx"),
    ("--format {f} writes a page: give --output FILE.html", "--format {f} ghi một trang: hãy cho --output TỆP.html"),
    ("cannot write {f}: {why}", "không ghi được {f}: {why}"),
    ("note: {line}", "ghi chú: {line}"),
    ("warning: {line}", "cảnh báo: {line}"),
    ("figure check: {a} of {b} figures printed on their cited lines, {c} declared derived, {d} problems; text not "
     "found for {x} (its lines and figures are not checked: {why})",
     "kiểm tra con số: {a} trên {b} con số có trong các dòng được trích dẫn, {c} khai báo là suy ra, {d} lỗi; "
     "không tìm thấy văn bản của {x} (các dòng và con số của nó chưa được đối chiếu: {why})"),
    ("figure check: {a} of {b} figures printed on their cited lines, {c} declared derived, {d} problems",
     "kiểm tra con số: {a} trên {b} con số có trong các dòng được trích dẫn, {c} khai báo là suy ra, {d} lỗi"),
    ("note: --bulk writes verdicts only; quotas on the award set are not judged (run evaluate without "
     "--bulk for them)",
     "ghi chú: --bulk chỉ ghi kết quả; tỷ lệ, hạn mức không được xét (chạy evaluate không có --bulk để xét)"),
    ("no {f}: ranked after those having it", "không có {f}: xếp sau những người có"),
    # --- initiatives -------------------------------------------------------------------------
    ("new within the unit: {yn}", "mới trong phạm vi đơn vị: {yn}"),
    ("recognised by {x} on {d}", "được {x} công nhận ngày {d}"),
    ("not recognised by {x}", "chưa được công nhận bởi {x}"),
    ("not applied yet (no applied_on)", "chưa áp dụng (không có applied_on)"),
    ("applied on {d}, inside {w} (both ends inclusive)", "áp dụng ngày {d}, trong khoảng {w} (tính cả hai đầu)"),
    ("applied on {d}, outside {w} (both ends inclusive)", "áp dụng ngày {d}, ngoài khoảng {w} (tính cả hai đầu)"),
    ("benefit {n} VND", "giá trị làm lợi {n} đồng"),
    ("non-monetary benefit stated", "có nêu lợi ích không tính bằng tiền"),
    ("no benefit stated", "không nêu lợi ích"),
    ("not a research project", "không phải đề tài nghiên cứu"),
    ("accepted: {yn}, effect confirmed: {yn2}, applied since {d}: {yn3}",
     "đã nghiệm thu: {yn}, xác nhận hiệu quả: {yn2}, áp dụng từ {d}: {yn3}"),
    ("against public order or social morality: {yn}", "trái trật tự công cộng, thuần phong mỹ tục: {yn}"),
    ("under intellectual-property protection: {yn}", "đang được bảo hộ sở hữu trí tuệ: {yn}"),
    ("excluded: credited to nobody", "bị loại: không tính cho ai"),
    ("project leader (chủ nhiệm)", "chủ nhiệm đề tài"),
    ("highest contribution share ({p}%), tied with {x}: the first listed is credited (tie-break first_listed)",
     "tỷ lệ đóng góp cao nhất ({p}%), bằng với {x}: tính cho người ghi trước (first_listed)"),
    ("highest contribution share ({p}%)", "tỷ lệ đóng góp cao nhất ({p}%)"),
    # --- targets and notes -------------------------------------------------------------------
    ("the submission has no 'initiatives' register", "dữ liệu không có sổ đăng ký sáng kiến ('initiatives')"),
    ("{n} subjects of level {x} submitted; the figure needs exactly one",
     "có {n} đối tượng cấp {x}; con số này cần đúng một"),
    ("the population is empty: no subject submitted", "không có đối tượng nào trong tập tính"),
    ("{n} needed fact(s) missing", "thiếu {n} dữ kiện cần thiết"),
    ("{n} record(s) dated after the review date {d} left out (bỏ qua hồ sơ ghi ngày sau ngày xét) in {k} subject(s)",
     "bỏ qua {n} hồ sơ ghi ngày sau ngày xét {d} ở {k} đối tượng"),
    ("{n} initiative(s) of the register with an event after the review date {d}: judged as they stood on {e}",
     "{n} sáng kiến trong sổ có sự kiện sau ngày xét {d}: được xét như tại ngày {e}"),
    # --- verdict reasons ----------------------------------------------------------------------
    ("{x} is not among {v} ({cite})", "{x} không thuộc {v} ({cite})"),
    ("criteria delegated to {x} ({cite})", "tiêu chuẩn do {x} quy định ({cite})"),
    ("the unit does not qualify: {x} ({cite})", "đơn vị không thuộc đối tượng: {x} ({cite})"),
    # --- documents in force (campaign/force.py): per kind of rule and status ------------------
    *((f"{kind} {{id}} rests on {{doc}}, {status}: the review of {{what}} ({{day}}) falls outside its force",
       f"{kind_vi} {{id}} dựa trên {{doc}}, {status_vi}: ngày xét {{what}} ({{day}}) nằm ngoài thời gian hiệu lực")
      for kind, kind_vi in (("eligibility", "đối tượng của danh hiệu"), ("criterion", "tiêu chí"),
                            ("score item", "mục chấm điểm"), ("quota", "hạn mức"), ("target", "chỉ tiêu"),
                            ("parameter", "tham số"))
      for status, status_vi in (("expired on {end}, replaced by {by}", "hết hiệu lực từ {end}, thay bằng {by}"),
                                ("expired on {end}", "hết hiệu lực từ {end}"),
                                ("not yet in force (from {start})", "chưa có hiệu lực (từ {start})"))),
    ("in force to {to} before it is in force from {start}", "hết hiệu lực ngày {to} trước khi có hiệu lực từ {start}"),
)
"""(English template, Vietnamese template); placeholders ``{name}`` match any text; ``{line}``
holds a line of its own, translated in turn (``skipped: <problem>``)."""

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    out = []
    for en, vi in CATALOGUE:
        parts = _PLACEHOLDER.split(en)
        pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        out.append((re.compile(pattern + r"\Z", re.DOTALL), vi))
    return tuple(out)


def translate_message(text: str, lang: Lang = "vi") -> str | None:
    """``text`` (a whole message, or a message followed by its hint in parentheses) in ``lang``;
    None when the catalogue has no entry for it (English is returned as it is).

    >>> translate_message("unknown fact 'ratng'; valid: rating (did you mean 'rating'?)")
    "dữ kiện không có trong phong trào 'ratng'; hợp lệ: rating (có phải 'rating'?)"
    """
    if lang == "en":
        return text
    # a message and its hint, "message (hint)": each translated on its own
    if text.endswith(")"):
        depth = 0
        for i in range(len(text) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(text[i], 0)
            if depth == 0 and text[i] == "(" and i > 0 and text[i - 1] == " ":
                head, hint = translate_message(text[: i - 1]), translate_message(text[i + 1 : -1])
                if head is not None and hint is not None:
                    return f"{head} ({hint})"
                break
    for pattern, vi in _compiled():
        found = pattern.match(text)
        if found:
            values = found.groupdict()
            if "line" in values:
                values["line"] = translate_line(values["line"], lang)
            for key, value in values.items():  # yes/no answers inside a message
                if key.startswith("yn"):
                    values[key] = {"yes": "có", "no": "không", "not stated": "chưa ghi"}.get(value, value)
            return vi.format(**values)
    return None


_CODE = re.compile(r" \[[a-z0-9-]+\]\Z")


def translate_line(line: str, lang: Lang = "vi") -> str:
    """One output line in ``lang``: the message after any ``location: path:`` prefix is
    translated, the prefix and a trailing ``[code]`` kept; a line with no catalogue entry is
    returned unchanged."""
    if lang == "en" or not line.strip():
        return line
    end = line.rstrip("\n")
    newline = line[len(end):]
    code = _CODE.search(end)
    body, tail = (end[: code.start()], end[code.start():]) if code else (end, "")
    starts = [0] + [m.end() for m in re.finditer(r": ", body)]
    for start in starts:
        done = translate_message(body[start:], lang)
        if done is not None:
            return body[:start] + done + tail + newline
    return line
