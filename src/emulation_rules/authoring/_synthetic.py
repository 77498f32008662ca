"""Deterministic synthetic subjects for a campaign, as flat CSV cells (bulk input format).

Used by ``benchmarks/bench_bulk.py`` and by the agreement tests in ``tests/unit/test_bulk.py``:
the same rows are read by :func:`~emulation_rules.facts.load_facts` (CSV) for the durable-rules
engine and by :mod:`~emulation_rules.evaluate.polars`, so both paths see the same data.

Values are drawn around every threshold the campaign's conditions use (constants and parameter
defaults, minus/at/plus one step), so verdicts are spread over ``awarded``, ``not_awarded``,
``incomplete`` and ``not_eligible``. With ``messy`` > 0 some cells use the other spellings that
:func:`~emulation_rules.facts.coerce_value` accepts (``có``/``không``, enum labels in Vietnamese
or English in any case, ``D/M/YYYY`` dates, ``15%``, surrounding spaces). No value is invalid:
invalid cells are a separate concern of the tests.

Names are generic (no real person is named); nothing comes from the Phú Riềng seed.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from emulation_rules.campaign import model as m
from emulation_rules.campaign.money import parse_amount
from emulation_rules.facts.reader import CSV_META_COLUMNS
from emulation_rules.writing import replacing

_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
_MIDDLE = ("Văn", "Thị", "Hữu", "Minh", "Thanh", "Đức")
_GIVEN = ("An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Mai", "Nam", "Sơn", "Tâm", "Yến")
_AUTHORS = tuple(f"A{i:03d}" for i in range(12))


def columns(campaign: m.Campaign) -> tuple[str, ...]:
    """Header of the flat table: the subject columns, then one column per declared fact."""
    return (*CSV_META_COLUMNS, *(f.id for f in campaign.facts))


def _walk(cond: Any, out: dict[str, list[Any]], params: dict[str, float], prefix: str = "") -> None:
    """Collect thresholds per fact (``fact``) or record field (``fact.field``)."""
    if isinstance(cond, m.AllOf | m.AnyOf):
        for sub in cond.all if isinstance(cond, m.AllOf) else cond.any:
            _walk(sub, out, params, prefix)
        return
    if isinstance(cond, m.NotOf):
        _walk(cond.not_, out, params, prefix)
        return
    if isinstance(cond, m.Count):
        key = f"{cond.count.fact}#count"
        out.setdefault(key, []).append(params[cond.param] if cond.param else cond.value)
        if cond.count.where is not None:
            _walk(cond.count.where, out, params, f"{cond.count.fact}.")
        return
    if isinstance(cond, m.Aggregate):
        agg = cond.aggregate
        out.setdefault(f"{agg.of}.{agg.field}" if agg.field else f"{agg.of}#count", []).append(
            params[cond.param] if cond.param else cond.value)
        if agg.where is not None:
            _walk(agg.where, out, params, f"{agg.of}.")
        return
    if isinstance(cond, m.AwardRef | m.Held | m.OfUnit | m.LevelIn):  # no threshold on the subject's fact
        return
    name = prefix + (cond.field or cond.fact or "")
    if isinstance(cond, m.AtLeast):
        out.setdefault(name, []).append(cond.at_least)
    elif isinstance(cond, m.OneOf):
        out.setdefault(name, []).extend(cond.in_)
    elif isinstance(cond, m.Compare):
        out.setdefault(name, []).append(params[cond.param] if cond.param else cond.value)


def thresholds(campaign: m.Campaign) -> dict[str, list[Any]]:
    """``{fact id or "fact.field" or "fact#count": [threshold, ...]}`` over every condition."""
    params = campaign.parameter_defaults()
    out: dict[str, list[Any]] = {}
    for award in campaign.awards:
        for crit in award.criteria:
            _walk(crit.condition, out, params)
        if award.score_sheet is not None:
            for item in award.score_sheet.items:
                if item.condition is not None:
                    _walk(item.condition, out, params)
                if item.points_fact is not None:
                    out.setdefault(item.points_fact, []).extend(
                        [item.max_points, item.max_points / 2, 0.0]
                    )
    return out


class _Gen:
    def __init__(self, campaign: m.Campaign, seed: int, missing: float, messy: float) -> None:
        self.c = campaign
        self.rng = random.Random(seed)
        self.missing = missing
        self.messy = messy
        self.th = thresholds(campaign)
        self.levels = [lv.id for lv in campaign.subjects.collective_levels]
        self.roles = [r.id for r in campaign.subjects.individual_roles]
        kinds = {a.subject for a in campaign.awards}
        if not self.levels:
            kinds.discard("collective")
        if not self.roles:
            kinds.discard("individual")
        self.kinds = sorted(kinds) or (["collective"] if self.levels else ["individual"])
        self.eligible = {
            "collective": sorted({lv for a in campaign.awards for lv in a.eligibility.levels}),
            "individual": sorted({r for a in campaign.awards for r in a.eligibility.roles}),
        }

    # scalar values ------------------------------------------------------------------------
    def number(self, decl: m.FactDecl | m.RecordField, key: str) -> float | int:
        rng = self.rng
        points = [
            float(x)
            for x in (parse_amount(y) if decl.type == "money" else y for y in self.th.get(key, []))
            if isinstance(x, int | float) and not isinstance(x, bool)
        ]
        lo = decl.minimum if decl.minimum is not None else 0.0
        hi = (
            decl.maximum
            if decl.maximum is not None
            else (100.0 if decl.type == "percent" else None)
        )
        step = 1.0 if decl.type in ("int", "money") else rng.choice((1.0, 0.5, 0.01))
        if points and rng.random() < 0.8:
            value = rng.choice(points) + rng.choice((-step, 0.0, step))
        else:
            top = hi if hi is not None else max([lo + 10.0, *(p * 2 for p in points)])
            value = rng.uniform(lo, top)
        value = max(value, lo)
        if hi is not None:
            value = min(value, hi)
        if decl.type in ("int", "money"):
            return round(value) if value >= lo else int(lo)
        return round(value, 2)

    def date(self, key: str) -> dt.date:
        points = [x for x in self.th.get(key, []) if isinstance(x, dt.date)]
        base = self.rng.choice(points) if points else dt.date(2020, 1, 1)
        return base + dt.timedelta(days=self.rng.choice((-1, 0, 1, -40, 40, 400)))

    def enum_value(self, decl: m.FactDecl | m.RecordField) -> m.EnumValue:
        return self.rng.choice(decl.values)

    def text(self, key: str) -> str:
        points = [x for x in self.th.get(key, []) if isinstance(x, str)]
        if points and self.rng.random() < 0.6:
            return self.rng.choice(points)
        return f"{self.rng.choice(_GIVEN)} {self.rng.randint(1, 99)}"

    def cell(self, decl: m.FactDecl, key: str) -> str:
        """A CSV cell holding a valid value of ``decl`` (maybe in another accepted spelling)."""
        rng = self.rng
        messy = rng.random() < self.messy
        t = decl.type
        if t == "bool":
            value = rng.random() < 0.75
            if messy:
                return rng.choice(
                    ("có", "Có", "yes", "1", " TRUE ")
                    if value
                    else ("không", "Không", "no", "0", " FALSE ")
                )
            return "true" if value else "false"
        if t in ("int", "money", "decimal", "percent"):
            number = self.number(decl, key)
            text = str(number)
            if messy:
                text = rng.choice((f" {text} ", f"{text}%" if t == "percent" else text))
            return text
        if t == "date":
            day = self.date(key)
            return f"{day.day}/{day.month}/{day.year}" if messy else day.isoformat()
        if t in ("enum", "ordered_enum"):
            points = [x for x in self.th.get(key, []) if isinstance(x, str)]
            ids = [v.id for v in decl.values]
            if points and rng.random() < 0.5:
                wanted = rng.choice(points)
                idx = ids.index(wanted) + rng.choice((-1, 0, 0, 1))
                v = decl.values[min(max(idx, 0), len(ids) - 1)]
            else:
                v = self.enum_value(decl)
            if messy:
                return rng.choice((v.label.vi, v.label.vi.upper(), v.label.en.lower(), v.id))
            return v.id
        if t == "text":
            return self.text(key)
        assert t == "records"
        return json.dumps(self.records(decl), ensure_ascii=False)

    def records(self, decl: m.FactDecl) -> list[dict[str, Any]]:
        rng = self.rng
        n = rng.choice((0, 1, 1, 2, 3))
        out = []
        for _ in range(n):
            rec: dict[str, Any] = {}
            for f in decl.fields:
                if not f.required and rng.random() < 0.3:
                    continue
                key = f"{decl.id}.{f.id}"
                if f.type == "bool":
                    rec[f.id] = rng.random() < 0.7
                elif f.type in ("int", "money", "decimal", "percent"):
                    rec[f.id] = self.number(f, key)
                elif f.type == "date":
                    rec[f.id] = self.date(key).isoformat()
                elif f.type in ("enum", "ordered_enum"):
                    rec[f.id] = self.enum_value(f).id
                elif f.id in ("author", "authors", "author_id"):
                    rec[f.id] = rng.choice(_AUTHORS)
                else:
                    rec[f.id] = self.text(key)
            out.append(rec)
        return out

    def row(self, i: int) -> dict[str, str]:
        rng = self.rng
        kind = (
            self.kinds[0]
            if len(self.kinds) == 1
            else ("collective" if rng.random() < 0.2 else "individual")
        )
        row = {c: "" for c in columns(self.c)}
        row["id"] = f"S{i:07d}"
        row["kind"] = kind
        pool = (
            self.eligible[kind]
            if rng.random() < 0.85 and self.eligible[kind]
            else (self.levels if kind == "collective" else self.roles)
        )
        if kind == "collective":
            row["level"] = rng.choice(pool)
        else:
            row["role"] = rng.choice(pool)
            row["unit"] = f"U{i // 50:05d}"
        row["name"] = f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
        for decl in self.c.facts:
            if decl.applies_to != kind or rng.random() < self.missing:
                continue
            row[decl.id] = self.cell(decl, decl.id)
        return row


def rows(
    campaign: m.Campaign, n: int, *, seed: int = 0, missing: float = 0.05, messy: float = 0.1
) -> Iterator[dict[str, str]]:
    """Yield ``n`` subjects of ``campaign`` as ``{column: cell text}`` (empty = missing).

    Args:
        campaign: the campaign whose declared facts, levels and roles are used.
        n: number of subjects.
        seed: the same seed gives the same rows.
        missing: probability that a fact cell is left empty.
        messy: probability that a cell uses another accepted spelling.
    """
    gen = _Gen(campaign, seed, missing, messy)
    for i in range(n):
        yield gen.row(i)


def write_csv(
    campaign: m.Campaign,
    n: int,
    path: str | Path,
    *,
    seed: int = 0,
    missing: float = 0.05,
    messy: float = 0.1,
) -> Path:
    """Write ``n`` synthetic subjects to a UTF-8 CSV file (streamed; memory stays flat)."""
    target = Path(path)
    header = columns(campaign)
    with replacing(target) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for row in rows(campaign, n, seed=seed, missing=missing, messy=messy):
            w.writerow([row[c] for c in header])
    return target
