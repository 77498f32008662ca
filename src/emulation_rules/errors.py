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

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

PathItem = str | int


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding in a campaign or facts file.

    Attributes:
        code: stable slug, e.g. ``"unknown-key"``, ``"unknown-fact"``; tests assert on it.
        message: human sentence, without the file name.
        path: data path from the document root (keys and list indexes).
        location: where in the file, if known.
        hint: a suggestion such as ``did you mean 'rating'?``.
    """

    code: str
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
    """An author test-case file (:mod:`.cases`) is unreadable or invalid; see ``.problems``."""

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


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest candidate to a misspelt ``word``, or None when none is close.

    Used by every located problem (campaigns, facts, initiative registers) for its ``hint``.
    """
    close = difflib.get_close_matches(word, list(candidates), n=1)
    return f"did you mean {close[0]!r}?" if close else None


class ReviewDateError(EmulationRulesError, KeyError):
    """A review date that lies in no phase of the campaign (with no phase chosen), or a phase
    that is not the campaign's. The message names the phases with their dates and the
    ``--phase`` option. A ``KeyError`` too, as ``evaluate_targets`` always raised."""

    def __str__(self) -> str:
        return self.message
