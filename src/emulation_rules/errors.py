"""Errors and problems raised by emulation_rules.

The hierarchy::

    EmulationRulesError(Exception)              the one catch-all
    ├── CampaignError
    │   ├── YAMLSyntaxError(CampaignError, ValueError)
    │   └── CampaignValidationError(CampaignError, ValueError)   .problems
    ├── FactsError(EmulationRulesError, ValueError)               .problems
    ├── CaseFileError(EmulationRulesError, ValueError)            .problems (author test cases)
    ├── CompileError
    ├── ReviewDateError(EmulationRulesError, KeyError)   date in no phase, unknown phase
    └── EvaluationError                         wraps every durable-rules error
        └── EngineUnavailableError              durable-rules cannot be imported
    EmulationRulesWarning(Warning)

A :class:`Problem` is one located finding. Its ``str()`` reads like compiler output::

    campaigns/tkv_2019.yaml:12:5: awards[0].criteria[2].condition.fact: unknown fact 'ratng' [unknown-fact]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Literal

from emulation_rules.frozen import frozen

PathItem = str | int


ProblemCode = Literal[
    "yaml-syntax",
    "duplicate-key",
    "too-large",
    "too-many-aliases",
    "too-many-nodes",
    "unsafe-tag",
    "bad-key",
    "bad-encoding",
    "unknown-key",
    "missing-key",
    "bad-choice",
    "bad-identifier",
    "invalid-value",
    "duplicate-id",
    "phase-order",
    "unknown-fact",
    "fact-subject-mismatch",
    "unknown-field",
    "unknown-param",
    "unknown-enum-value",
    "not-ordered",
    "type-mismatch",
    "not-records",
    "bad-compare",
    "unknown-level",
    "unknown-role",
    "score-sheet",
    "unknown-document",
    "bad-citation",
    "schema-version",
    "unknown-phase",
    "bad-target",
    "unknown-award",
    "award-cycle",
    "bad-quota",
    "bad-initiatives",
    "unreadable",
    "empty",
    "json-syntax",
    "csv-syntax",
    "csv-row",
    "unknown-column",
    "unsupported-column",
    "unsupported-format",
    "missing-field",
    "out-of-range",
    "unknown-subject",
    "derived-fact",
    "record-count",
    "campaign-mismatch",
    "too-many-problems",
    "unknown-fact-set",
    "unknown-criterion",
    "unknown-target",
    "unknown-quota",
    "missing-extra",
    "too-deep",
    "invalid-option",
    "bad-date",
    "bad-param",
    "unknown-parameter",
    "conflicting-options",
    "no-phase",
    "no-initiative-programme",
    "no-register",
    "figure-not-in-source",
    "text-mismatch",
    "text-not-found",
    "text-unreadable",
    "document-not-in-force",
    "not-a-file",
    "recursive-alias",
    "bad-character",
    "unknown-author",
    "unknown-unit",
    "unit-cycle",
    "unit-level-order",
    "duplicate-subject",
    "too-many-cells",
    "too-many-strings",
    "inflates-too-large",
    "document-outside",
    "cannot-convert",
    "history-conflict",
]
"""Every problem code the library emits (stable; tests assert on them)."""

PROBLEM_CODES: Mapping[str, tuple[str, str]] = MappingProxyType({
    "yaml-syntax": ("yaml", "The text is not valid YAML (the message names the token)."),
    "duplicate-key": ("yaml", "A key appears twice in one mapping (YAML and JSON alike)."),
    "too-large": ("yaml", "The file is larger than the size limit (4 MiB for campaigns)."),
    "too-many-aliases": ("yaml", "More *alias references than the limit (100): a billion-laughs guard."),
    "too-many-nodes": ("yaml", "More nodes than the limit, counted while reading."),
    "unsafe-tag": ("yaml", "A tag other than the plain scalar ones (!!python/..., !!binary...)."),
    "bad-key": ("yaml", "A mapping key that is not a plain string."),
    "recursive-alias": ("yaml", "An alias refers to a node that contains it (a cycle)."),
    "bad-character": ("yaml", "A control character (NUL, ESC, DEL, U+FFFF...) the text may not contain."),
    "bad-encoding": ("yaml", "The bytes are not UTF-8 (the first bad byte is located)."),
    "unknown-key": ("campaign", "A key the model does not have (did-you-mean given)."),
    "missing-key": ("campaign", "A required key is absent."),
    "bad-choice": ("campaign", "A value outside the allowed words (the allowed ones are listed)."),
    "bad-identifier": ("campaign", "An id that is not ASCII lower-case letters, digits and _."),
    "invalid-value": ("campaign", "A value of the wrong type or out of range (also used for facts)."),
    "duplicate-id": ("campaign", "Two items of one list share an id (also subjects in facts)."),
    "phase-order": ("campaign", "A phase ends before it starts, or phases are out of order."),
    "unknown-fact": ("campaign", "A condition, target or quota names a fact the campaign does not declare."),
    "fact-subject-mismatch": ("campaign", "A fact of the other subject kind is read (collective vs individual)."),
    "unknown-field": ("campaign", "A record condition names a field the records fact does not declare."),
    "unknown-param": ("campaign", "A condition names a parameter the campaign does not declare."),
    "unknown-enum-value": ("campaign", "A threshold or `in` list names a value the enum does not have."),
    "not-ordered": ("campaign", "`at_least` or a comparison on a fact that has no order."),
    "type-mismatch": ("campaign", "A threshold of another type than the fact it is compared with."),
    "not-records": ("campaign", "`count` over a fact that is not a records list."),
    "bad-compare": ("campaign", "A comparison that cannot hold as written (e.g. < on a bool)."),
    "unknown-level": ("campaign", "A level id the campaign does not declare (also in facts)."),
    "unknown-role": ("campaign", "A role id the campaign does not declare (also in facts)."),
    "score-sheet": ("campaign", "A score sheet whose items, bands or passing band do not fit together."),
    "unknown-document": ("campaign", "A citation names a document the campaign does not declare under `documents`."),
    "bad-citation": ("campaign", "A citation gives lines for a document without a `text`, or lines past its end."),
    "schema-version": ("campaign", "A file of another format version (version 1: run `emulation-rules migrate FILE`)."),
    "unknown-phase": ("campaign", "A target value names a phase the campaign does not declare."),
    "bad-target": ("campaign", "A target whose metric does not fit its facts or phases."),
    "unknown-award": ("campaign", "A quota, case or condition names an award the campaign does not declare."),
    "award-cycle": ("campaign", "Awards require each other in a cycle ({award: ...} or 'held' over this "
                    "evaluation): none can be judged first; remove one of the references."),
    "bad-quota": ("campaign", "A quota without exactly one bound, of the other subject kind, or a bad of/ranking."),
    "figure-not-in-source": ("campaign", "A figure is not printed on the lines its source cites (or: derived)."),
    "document-outside": ("campaign", "A document's `text` lies outside the campaign's folder and documents folders."),
    "cannot-convert": ("campaign", "`migrate` meets a value it cannot carry into version 2 (nothing is written)."),
    "text-mismatch": ("campaign", "A document's text is another version than the `sha256` the campaign declares."),
    "text-not-found": ("campaign", "Warning: a document's `text` was not found; lines cited from it are unchecked."),
    "text-unreadable": ("campaign", "Warning: a document's text is not UTF-8; lines cited from it are unchecked."),
    "document-not-in-force": ("campaign", "A rule cites a document not in force on the review date "
                              "(a warning; refused with --strict), or a document's in_force ends before it starts."),
    "bad-initiatives": ("campaign", "The initiative programme's window, kinds or derived facts do not fit."),
    "not-a-file": ("facts", "The input is a FIFO, a device or a directory, not a file (use - for stdin)."),
    "unreadable": ("facts", "The file cannot be read (missing, a directory, permission)."),
    "empty": ("facts", "The file holds no document."),
    "json-syntax": ("facts", "The JSON text is invalid (located)."),
    "csv-syntax": ("facts", "The CSV text is invalid (located by row)."),
    "csv-row": ("facts", "A CSV row has more or fewer cells than the header."),
    "unknown-column": ("facts", "A CSV/table column that is neither a subject key nor a declared fact."),
    "unsupported-column": ("facts", "A table column of a type that cannot be read (nested Parquet)."),
    "unsupported-format": ("facts", "A file extension the reader does not know."),
    "missing-field": ("facts", "A record lacks a required field."),
    "out-of-range": ("facts", "An integer too large for the engines (64-bit)."),
    "unknown-subject": ("facts", "A register entry names a subject that is not in the submission."),
    "unknown-author": ("facts", "A register author is not an individual of the submission (did-you-mean given)."),
    "unknown-unit": ("facts", "A register unit is not a collective of the submission, or a unit (a parent in a "
                     "units file, a subject's unit) is not in the tree of units (did-you-mean given)."),
    "unit-cycle": ("facts", "Units of a units file stand under each other in a cycle of parents."),
    "unit-level-order": ("facts", "A unit stands under a parent whose level is not above its own."),
    "duplicate-subject": ("facts", "The same subject is in two facts files of one review (both places named)."),
    "history-conflict": ("facts", "A subject's history names another decision than the register of titles "
                                  "conferred for the same title and year."),
    "derived-fact": ("facts", "A fact derived from the initiative register was also submitted."),
    "record-count": ("facts", "A spreadsheet count column disagrees with the records listed."),
    "campaign-mismatch": ("facts", "The facts file names another campaign."),
    "too-many-problems": ("facts", "More problems than are listed (the count of the rest is given)."),
    "unknown-fact-set": ("cases", "A case subject uses a fact set the case file does not define."),
    "unknown-criterion": ("cases", "An expectation names a criterion the award does not have."),
    "unknown-target": ("cases", "An expectation names a target the campaign does not have."),
    "unknown-quota": ("cases", "An expectation names a quota the campaign does not have."),
    "too-many-cells": ("facts", "An .xlsx sheet reaches past the cell limit (5,000,000 from A1) or Excel's grid."),
    "too-many-strings": ("facts", "An .xlsx workbook's shared strings, or the text their cells copy, pass the limit."),
    "inflates-too-large": ("facts", "An .xlsx archive inflates past the limit (256 MiB) or has too many parts."),
    "missing-extra": ("facts", "The input needs an optional extra that is not installed (e.g. xlsx, bulk)."),
    "too-deep": ("yaml", "Lists and mappings nested deeper than the limit."),
    "bad-date": ("request", "An as_of option that is not a date YYYY-MM-DD."),
    "bad-param": ("request", "A param option that is not NAME=NUMBER with a finite number."),
    "unknown-parameter": ("request", "A param option names a parameter the campaign does not declare."),
    "conflicting-options": ("request", "Options that exclude each other (e.g. phase and as_of)."),
    "no-phase": ("request", "The review date lies in no phase of the campaign and no phase was given."),
    "no-initiative-programme": ("request", "Initiatives were asked of a campaign without an initiative programme."),
    "no-register": ("request", "Initiatives were asked but the submission has no 'initiatives' register."),
    "invalid-option": ("request", "A query option of a service request is not valid (listed with its reason)."),
})
"""``{code: (input it concerns, what it means)}``; inputs: ``yaml``, ``campaign``, ``facts``,
``cases``, ``request`` (the HTTP service). The user guide (``docs/guide.en.md``, ``docs/guide.vi.md``)
lists every code with an example message and its fix; a test keeps the two in step."""


PYDANTIC_CODES: Mapping[str, ProblemCode] = MappingProxyType({
    "extra_forbidden": "unknown-key",
    "missing": "missing-key",
    "literal_error": "bad-choice",
    "string_pattern_mismatch": "bad-identifier",
    "union_tag_not_found": "invalid-value",
})
"""pydantic error types -> problem codes (any other type is ``invalid-value``)."""


@frozen(slots=True)
class SourceLocation:
    """A place in an input file.

    Attributes:
        file: file name as given by the caller, or ``"<string>"`` for text input.
        line: 1-based line (for CSV: the 1-based row number counting the header as row 1).
        column: 1-based column, or ``None`` when only a row is known.
        sheet: for a spreadsheet, the sheet's name; ``line`` is then the 1-based row and
            ``str()`` reads like Excel, ``form.xlsx:Sheet!C12``.
    """

    file: str
    line: int
    column: int | None = None
    sheet: str | None = None

    def __reduce__(self) -> tuple[type[SourceLocation], tuple[str, int, int | None, str | None]]:
        """Pickled as its four fields, read back through the constructor: a campaign kept in the
        cache holds about a thousand, and the generic state of a frozen dataclass with slots
        takes several times as long to read back."""
        return (SourceLocation, (self.file, self.line, self.column, self.sheet))

    def __str__(self) -> str:
        if self.sheet is not None:
            col = "" if self.column is None else column_letter(self.column)
            return f"{self.file}:{self.sheet}!{col}{self.line}"
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


def column_letter(column: int) -> str:
    """Spreadsheet column name of a 1-based column number: 1 -> ``A``, 27 -> ``AA``."""
    out = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def format_path(path: tuple[PathItem, ...]) -> str:
    """Render a data path as ``a.b[2].c`` (``<root>`` for the empty path)."""
    out = ""
    for item in path:
        if isinstance(item, int):
            out += f"[{item}]"
        else:
            out += f".{item}" if out else str(item)
    return out or "<root>"


@frozen(slots=True)
class Problem:
    """One finding in a campaign or facts file.

    Attributes:
        code: stable slug from :data:`PROBLEM_CODES`, e.g. ``"unknown-key"``; tests assert on it.
        message: human sentence, without the file name.
        path: data path from the document root (keys and list indexes).
        location: where in the file, if known.
        hint: a suggestion such as ``did you mean 'rating'?``.
    """

    code: ProblemCode
    message: str
    path: tuple[PathItem, ...] = ()
    location: SourceLocation | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{format_path(self.path)}: {self.message}{hint} [{self.code}]"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form: code, message, path, file, line, column, hint (and ``sheet`` for a
        spreadsheet location, where ``line`` is the row)."""
        loc = self.location
        out: dict[str, object] = {
            "code": self.code,
            "message": self.message,
            "path": format_path(self.path),
            "file": loc.file if loc else None,
            "line": loc.line if loc else None,
            "column": loc.column if loc else None,
            "hint": self.hint,
        }
        if loc is not None and loc.sheet is not None:
            out["sheet"] = loc.sheet
        return out


class EmulationRulesError(Exception):
    """Base of every error this library raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _ProblemsMixin:
    problems: tuple[Problem, ...]

    def iter_problems(self) -> Iterator[Problem]:
        """Yield every collected problem, in file order."""
        yield from self.problems


def _summary(head: str, problems: tuple[Problem, ...]) -> str:
    lines = [head, *(str(p) for p in problems)]
    return "\n".join(lines)


class CampaignError(EmulationRulesError):
    """A campaign file cannot be read or is invalid."""


class YAMLSyntaxError(CampaignError, ValueError, _ProblemsMixin):
    """The text is not YAML, or breaks a safety limit (size, aliases, tags, duplicate keys)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(_summary("YAML could not be read:", self.problems))


class CampaignValidationError(CampaignError, ValueError, _ProblemsMixin):
    """The campaign does not match the model or fails a semantic check; see ``.problems``."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        n = len(self.problems)
        super().__init__(_summary(f"{n} problem{'s' if n != 1 else ''} in campaign:", self.problems))


class FactsError(EmulationRulesError, ValueError, _ProblemsMixin):
    """Submitted facts are unreadable or invalid; each problem names file, row and field."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        n = len(self.problems)
        super().__init__(_summary(f"{n} problem{'s' if n != 1 else ''} in facts:", self.problems))


class CaseFileError(EmulationRulesError, ValueError, _ProblemsMixin):
    """An author test-case file (:mod:`emulation_rules.authoring.cases`) is unreadable or invalid; see ``.problems``."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in test cases:"
        super().__init__(_summary(head, self.problems))


class CompileError(EmulationRulesError):
    """A campaign could not be compiled into rule sets."""


class EvaluationError(EmulationRulesError):
    """Evaluation failed; every durable-rules exception is wrapped in this class."""


class EngineUnavailableError(EvaluationError):
    """durable-rules cannot be imported on this interpreter (e.g. CPython 3.13)."""


class EmulationRulesWarning(Warning):
    """Base of warnings this library issues."""


def identifier_message(value: object) -> tuple[str, str | None]:
    """``(message, hint)`` for a value that is not an identifier, in words, with a suggestion.

    Identifiers are lower-case ASCII letters, digits and ``_``, starting with a letter (at most
    64 characters). The suggestion drops diacritics (đ becomes d) and turns anything else into ``_``.

    Example:
        >>> identifier_message("lao_động_tiên_tiến")[1]
        "e.g. 'lao_dong_tien_tien'"
    """
    text = str(value)
    guess = ascii_fold(text)[:64]
    if guess and not guess[0].isalpha():
        guess = f"x_{guess}"[:64]
    message = (f"{text!r} is not an identifier: use lower-case ASCII letters, digits and '_' only, "
               "starting with a letter (no diacritics, no spaces)")
    return message, (f"e.g. {guess!r}" if guess and guess != text else None)


MAX_LISTED = 12
"""How many valid ids an "unknown X" message lists before "… and N more"."""

OPPOSITE_WORDS: tuple[tuple[str, str], ...] = (
    ("min", "max"), ("minimum", "maximum"), ("least", "most"), ("lower", "upper"),
    ("start", "end"), ("first", "last"), ("before", "after"), ("from", "until"),
    ("collective", "individual"), ("include", "exclude"), ("pass", "fail"),
)
"""Words of opposite meaning. A did-you-mean never suggests a name that differs from the
misspelt one only by swapping such words (``max_share`` is not a typo of ``min_share``)."""

NO_SUGGESTION: frozenset[str] = frozenset()
"""Names that are never given a did-you-mean (their near neighbours mean something else);
add a name here when a suggestion for it would mislead."""

_OPPOSITES = {a: b for a, b in OPPOSITE_WORDS} | {b: a for a, b in OPPOSITE_WORDS}


def ascii_fold(text: str) -> str:
    """``text`` as an identifier-like ASCII word: NFC, đ -> d, diacritics dropped, lower case,
    anything else -> ``_`` (``"Người lao động"`` -> ``"nguoi_lao_dong"``, ``"CĐCS"`` -> ``"cdcs"``)."""
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]+", "_", plain.lower())).strip("_")


def is_opposite(word: str, other: str) -> bool:
    """True when ``other`` is ``word`` with words of :data:`OPPOSITE_WORDS` swapped."""
    a, b = word.lower().split("_"), other.lower().split("_")
    if len(a) != len(b) or a == b:
        return False
    return all(x == y or _OPPOSITES.get(x) == y for x, y in zip(a, b, strict=True))


def suggestion(word: object, candidates: Iterable[str], *,
               aliases: Mapping[str, str] | None = None) -> str | None:
    """The candidate closest to a misspelt ``word``, or None when none is close.

    Compared in NFC and case-folded, and also ASCII-folded (so ``nguoi_lao_dong`` finds the
    role labelled "Người lao động" and ``cdcs`` the level labelled "CĐCS"). ``aliases`` maps
    further spellings (labels) to the candidate they name; a label of several words is also
    known by its initials (``cdcs`` finds "Công đoàn cơ sở", as CĐCS abbreviates it). A name of opposite meaning
    (:func:`is_opposite`) and any word in :data:`NO_SUGGESTION` get no suggestion.
    """
    if not isinstance(word, str) or word in NO_SUGGESTION:
        return None
    spellings: dict[str, str] = {}
    for cid in candidates:
        spellings.setdefault(str(cid), str(cid))
    initials: dict[str, str] = {}
    for alias, cid in (aliases or {}).items():
        spellings.setdefault(alias, cid)
        words = ascii_fold(alias).split("_")
        if len(words) > 1:  # "Công đoàn cơ sở" is written CĐCS: its initials, "cdcs"
            initials.setdefault("".join(w[0] for w in words if w), cid)
    forms: dict[str, str] = {}
    for spelling, cid in spellings.items():
        for form in (unicodedata.normalize("NFC", spelling).casefold(), ascii_fold(spelling)):
            if form:
                forms.setdefault(form, cid)
    for form, cid in initials.items():
        forms.setdefault(form, cid)
    mine = [f for f in dict.fromkeys((unicodedata.normalize("NFC", word).casefold(), ascii_fold(word))) if f]
    for form in mine:  # the same word in another case, normal form or without diacritics
        if form in forms and not is_opposite(word, forms[form]):
            return forms[form]
    import difflib  # here: only a misspelt word needs it (a cold start skips it)

    best: tuple[float, str] | None = None
    for form in mine:
        for near in difflib.get_close_matches(form, list(forms), n=5):
            cid = forms[near]
            if is_opposite(word, cid) or is_opposite(form, near):
                continue
            ratio = difflib.SequenceMatcher(None, form, near).ratio()
            if best is None or ratio > best[0]:
                best = (ratio, cid)
    return best[1] if best else None


def did_you_mean(word: str, candidates: Iterable[str], *,
                 aliases: Mapping[str, str] | None = None) -> str | None:
    """A hint naming the closest candidate to a misspelt ``word`` (see :func:`suggestion`), or
    None when none is close.

    Used by every located problem (campaigns, facts, initiative registers) for its ``hint``.

    Example:
        >>> did_you_mean("ratng", ["rating", "launched"])
        "did you mean 'rating'?"
        >>> did_you_mean("max_share", ["min_share"]) is None
        True
    """
    close = suggestion(word, candidates, aliases=aliases)
    return f"did you mean {close!r}?" if close else None


def id_listing(ids: Iterable[str], limit: int = MAX_LISTED) -> str:
    """The valid ids, in the given order, the first ``limit`` of them then "… and N more"
    (``"none"`` when there are none)."""
    items = list(dict.fromkeys(str(i) for i in ids))
    if not items:
        return "none"
    rest = len(items) - limit
    return ", ".join(items[:limit]) + (f" … and {rest} more" if rest > 0 else "")


def unknown_id(what: str, value: object, ids: Iterable[str], *, where: str = "",
               aliases: Mapping[str, str] | None = None,
               shown: Iterable[str] | None = None) -> tuple[str, str | None]:
    """``(message, hint)`` of every "unknown X" problem: the message names the value and lists
    the valid ids (:func:`id_listing`); the hint is a did-you-mean (:func:`did_you_mean`).

    Args:
        what: what the value should name, e.g. ``"individual role"``.
        value: the value found.
        where: words after the value, e.g. ``" of 'rating'"``.
        ids: the valid ids, in the order the author declared them.
        aliases: further spellings (Vietnamese or English labels) -> the id they name.
        shown: the listing's entries if not the bare ids (e.g. ``"member (Đoàn viên)"``).

    Example:
        >>> unknown_id("individual role", "nguoi_lao_dong", ["member"],
        ...            aliases={"Người lao động": "member"})
        ("unknown individual role 'nguoi_lao_dong'; valid: member", "did you mean 'member'?")
    """
    ids = list(ids)
    message = f"unknown {what} {value!r}{where}; valid: {id_listing(ids if shown is None else shown)}"
    return message, did_you_mean(value, ids, aliases=aliases) if isinstance(value, str) else None


def unknown_key(key: object, allowed: Iterable[str]) -> tuple[str, str | None]:
    """``(message, hint)`` of every ``unknown-key`` problem: the keys allowed there (sorted)
    and a did-you-mean (never a key of opposite meaning).

    Example:
        >>> unknown_key("max_share", ["min_share", "awards"])
        ("unknown key 'max_share'; allowed: awards, min_share", None)
    """
    keys = sorted(dict.fromkeys(str(k) for k in allowed))
    message = f"unknown key {key!r}; allowed: {', '.join(keys) or 'none'}"
    return message, did_you_mean(key, keys) if isinstance(key, str) else None


class ReviewDateError(EmulationRulesError, KeyError):
    """A review date that lies in no phase of the campaign (with no phase chosen), or a phase
    that is not the campaign's. The message names the phases with their dates and the
    ``--phase`` option. A ``KeyError`` too, as ``evaluate_targets`` always raised."""

    def __str__(self) -> str:
        return self.message
