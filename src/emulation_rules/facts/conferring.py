"""What a decision confers, from an evaluation's result or from rows (``register add``, and the
service's ``POST /register/decisions``).

* :func:`from_evaluation`: the titles an ``evaluate --format json`` result awards, except those a
  quota's cap leaves out (over the cap, or a group over its cap that no ranking decides), as the
  council decided them;
* :func:`from_rows`: rows ``{subject, title, year, name}`` (``year`` defaults to the decision's),
  each checked as a history entry (:func:`emulation_rules.facts.history.read_history`).

Both raise :class:`~emulation_rules.errors.FactsError` with located problems.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.errors import FactsError, PathItem, Problem, ProblemCode, SourceLocation
from emulation_rules.facts.conferred import Conferral
from emulation_rules.facts.history import FIRST_YEAR, LAST_YEAR

__all__ = ["from_evaluation", "from_rows"]

Locate = Callable[[tuple[PathItem, ...]], SourceLocation | None]


def from_evaluation(data: Any, campaign: m.Campaign | None, *, awards: Iterable[str] = (), year: int | None = None,
                    default_year: int, locate: Locate) -> tuple[list[Conferral], str | None, int, list[str]]:
    """``(conferrals, campaign id, year, notes)`` of an evaluation result ``data``.

    Args:
        data: the ``evaluate --format json`` document.
        campaign: its campaign (its quotas' awards); needed when the result has quotas.
        awards: record only these awards (default: all).
        year: the year the titles are for (default: the result's ``as_of`` year, else
            ``default_year``).
        locate: the location of a path of ``data`` (for problems).

    Raises:
        FactsError: not an evaluation result; quotas without the campaign.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("subjects"), list):
        raise FactsError([Problem("invalid-value", "not an 'evaluate --format json' result (no 'subjects') "
                                  "(không phải kết quả xét dạng JSON)", (), locate(()))])
    if campaign is None and data.get("quotas"):
        raise FactsError([Problem("missing-key", "the evaluation has quotas: give its campaign so that the titles "
                                  "over a cap are left out (kết quả có hạn mức: cần phong trào)", (), locate(()))])
    quotas = {q.id: q for q in campaign.quotas} if campaign is not None else {}
    left_out: set[tuple[str, str]] = set()
    notes: list[str] = []
    for q in _maps(data.get("quotas")):
        model = quotas.get(str(q.get("quota")))
        if model is None or q.get("kind") == "min_share":
            continue
        for g in _maps(q.get("groups")):
            if g.get("status") != "not_met":
                continue
            outcomes = [o for o in _maps(q.get("outcomes")) if o.get("group") == g.get("group")]
            counted = g.get("counted_ids")
            over = ({str(o.get("subject")) for o in outcomes if o.get("status") != "within_quota"} if outcomes
                    else {str(s) for s in counted} if isinstance(counted, list) else set())
            if not outcomes:
                notes.append(f"quota {q['quota']}: {g.get('label')} is over its cap and no ranking decides who "
                             "stays within; none of its awardees is recorded (vượt hạn mức, chưa xếp thứ tự)")
            left_out.update((s, a) for s in over for a in model.awards)
    wanted = set(awards)
    chosen = []
    for i, s in enumerate(data["subjects"]):
        if not isinstance(s, Mapping) or not isinstance(s.get("id"), str):
            raise FactsError([Problem("invalid-value", "a subject of the result has no 'id' (đối tượng thiếu mã)",
                                      ("subjects", i), locate(("subjects", i)))])
        for j, a in enumerate(_maps(s.get("awards"))):
            if a.get("verdict") != "awarded":
                continue
            if not isinstance(a.get("award"), str):
                where = ("subjects", i, "awards", j)
                raise FactsError([Problem("invalid-value", "an awarded verdict names no 'award' (thiếu danh hiệu)",
                                          where, locate(where))])
            if wanted and a["award"] not in wanted:
                continue
            if (s["id"], a["award"]) in left_out:
                notes.append(f"{s['id']}: {a['award']} is over the quota's cap: not recorded (vượt hạn mức)")
                continue
            name = s.get("name")
            chosen.append((s["id"], a["award"], name if isinstance(name, str) else None))
    as_of = data.get("as_of")
    year = year or (int(as_of[:4]) if isinstance(as_of, str) and as_of[:4].isdigit() else default_year)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        year = default_year
    return ([Conferral(sid, title, year, name) for sid, title, name in chosen], data.get("campaign"), year, notes)


def _maps(value: Any) -> list[Mapping[str, Any]]:
    """The mappings of a list (a malformed part of a result is read as absent)."""
    return [x for x in value if isinstance(x, Mapping)] if isinstance(value, list) else []


def from_rows(rows: Any, year: int, *, locate: Locate, path: tuple[PathItem, ...] = ("conferrals",)
              ) -> list[Conferral]:
    """The conferrals of ``rows`` (``{subject, title, year, name}``; ``year`` defaults to ``year``).

    Raises:
        FactsError: every problem, located (no subject, an unknown key, a bad title or year).
    """
    from emulation_rules.facts.history import read_history

    if not isinstance(rows, list):
        raise FactsError([Problem("invalid-value", "the conferrals are a list of {subject, title, year, name} "
                                  "(danh sách danh hiệu được tặng)", path, locate(path))])
    problems: list[Problem] = []
    out: list[Conferral] = []
    for i, row in enumerate(rows):
        where = (*path, i)

        def problem(code: ProblemCode, message: str, at: tuple[PathItem, ...], hint: str | None,
                    where: tuple[PathItem, ...] = where) -> Problem:
            key = next((p for p in reversed(at) if isinstance(p, str)), None)
            full = (*where, key) if key in ("subject", "title", "year", "name") else where
            return Problem(code, message, full, locate(full), hint)

        if not isinstance(row, Mapping):
            problems.append(problem("invalid-value", "a conferral is a mapping {subject, title, year, name} "
                                    "(mỗi dòng là một đối tượng JSON)", (), None))
            continue
        found: list[Problem] = []
        for key in row:
            if key not in ("subject", "title", "year", "name"):
                found.append(problem("unknown-key", f"unknown key {key!r}; keys: subject, title, year, name "
                                     "(khóa không hợp lệ)", (str(key),), None))
        subject = row.get("subject")
        if not isinstance(subject, str) or not subject.strip():
            found.append(problem("missing-key", "a conferral needs a subject (mã đối tượng)", ("subject",), None))
        name = row.get("name")
        if name is not None and not isinstance(name, str):
            found.append(problem("invalid-value", "name must be text (tên phải là chữ)", ("name",), None))
        held = read_history([{"title": row.get("title"), "year": row.get("year", year)}], (), problem, found)
        problems.extend(found)
        if not found and held:
            out.append(Conferral(unicodedata.normalize("NFC", str(subject).strip()), held[0].title, held[0].year,
                                 name))
    if problems:
        raise FactsError(problems)
    return out
