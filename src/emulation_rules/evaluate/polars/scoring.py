"""BulkEvaluator: a campaign compiled to polars expressions, scoring typed chunks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pyarrow as pa

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.dependencies import dependency_order, requires
from emulation_rules.errors import FactsError, Problem
from emulation_rules.evaluate.durable.compiler import (
    CompiledAward,
    CompiledCampaign,
)
from emulation_rules.evaluate.polars._common import (
    _FAIL,
    _LEAVES,
    _NO_IDS,
    _OUT_SCHEMA,
    _PASS,
    _ROW,
    _UNKNOWN,
    _award_reads,
    _blank_limits,
    _check_supported,
    _col,
    _count_fields,
    _dtype,
    _leaf,
    _record_truth,
    _threshold,
    _unsupported,
)
from emulation_rules.evaluate.polars.validation import _Coercion
from emulation_rules.evaluate.record_sets import date_field, window_dates
from emulation_rules.evaluate.semantics import AS_OF, HISTORY, award_key, fields_read
from emulation_rules.facts.history import ReviewYears, review_years
from emulation_rules.facts.reader import OnError

_AWARD_READ = award_key("")
_VERDICT, _MISSING = "__v:", "__m:"
_UNKNOWN_COLUMN = "__unknown"
_HISTORY_COLUMN = "__history"
_HISTORY_DTYPE = pl.List(pl.Struct({"title": pl.String, "year": pl.Int64}))


def history_series(histories: list[tuple[Any, ...] | None]) -> pl.Series:
    """Subjects' histories (``Subject.history``) as a column for :meth:`BulkEvaluator.evaluate_frame`."""
    return pl.Series(
        _HISTORY_COLUMN,
        [None if h is None else [{"title": e.title, "year": e.year} for e in h] for h in histories],
        dtype=_HISTORY_DTYPE,
    )


# --- the evaluator -----------------------------------------------------------------------------


class BulkEvaluator(_Coercion):
    """Vectorised evaluator of one compiled campaign.

    Args:
        compiled: the campaign compiled with its parameters (``Engine(...).compiled``).

    Example:
        >>> from emulation_rules import Engine
        >>> engine = Engine.from_path("campaigns/tkv_2019.yaml", backend="python")
        >>> table = pl.read_csv("examples/tkv_2019/individuals.csv", infer_schema=False)
        >>> results, problems = BulkEvaluator(engine.compiled).evaluate_frame(table)
        >>> results.select("subject_id", "verdict").head(3).rows(), problems
        ([('NV-101', 'awarded'), ('NV-102', 'awarded'), ('NV-103', 'not_awarded')], [])
    """

    def __init__(self, compiled: CompiledCampaign, *, as_of: dt.date | None = None,
                 review: ReviewYears | None = None) -> None:
        _check_supported(compiled.campaign)
        self.compiled = compiled
        self.as_of = as_of  # records dated after it are left out of counts (facts.asof)
        self.campaign = compiled.campaign
        if review is None and as_of is not None:
            phase = self.campaign.phase_at(as_of)
            review = review_years(self.campaign, as_of, phase.id if phase else None)
        self.review = review or ReviewYears()  # the years 'held' conditions read
        self.facts = {f.id: f for f in self.campaign.facts}
        self.levels = {lv.id for lv in self.campaign.subjects.collective_levels}
        self.roles = {r.id for r in self.campaign.subjects.individual_roles}
        self.read: list[str] = []
        for award in compiled.awards:
            for fid in _award_reads(award):
                if fid not in self.read and fid in self.facts:  # not the synthetic reads
                    self.read.append(fid)
        self.read_fields: dict[str, set[str]] = {}
        for model_award in self.campaign.awards:
            conds = [c.condition for c in model_award.criteria]
            sheet = model_award.score_sheet
            if sheet is not None:
                conds += [i.condition for i in sheet.items if i.condition is not None]
            for cond in conds:
                _count_fields(cond, self.read_fields)
        self._score_exprs = [self._award_exprs(i, a) for i, a in enumerate(compiled.awards)]
        position = {a.award.id: i for i, a in enumerate(compiled.awards)}
        self._order = [self._score_exprs[position[a.id]] for a in dependency_order(self.campaign)]
        ids = {a.id for a in self.campaign.awards}
        self._required = {r for a in self.campaign.awards for r in requires(a, ids)}
        self._history = any(HISTORY in p.reads for a in compiled.awards for p in a.criteria)

    # header --------------------------------------------------------------------------------
    def _coerce_and_score(
        self, raw: pl.DataFrame, file: str
    ) -> tuple[pl.DataFrame, list[Problem], pl.DataFrame]:
        """What a worker thread does for one chunk: everything but the duplicate-id check,
        which needs the chunks in order (see :func:`_run`)."""
        good, problems = self.coerce(raw, file, _NO_IDS)
        return good, problems, self.score(good)

    def _award_exprs(
        self, index: int, compiled: CompiledAward
    ) -> tuple[CompiledAward, list[pl.Expr], list[pl.Expr], pl.Expr]:
        """(award, expressions adding status columns, expressions of the result row, the
        undecided criteria's ids for :meth:`score_detailed`).

        Statuses are materialised first: nested inside ``when`` chains, polars evaluates list
        expressions far more slowly than as plain columns.
        """
        award = compiled.award
        who = "level" if award.subject == "collective" else "role"
        allowed = list(
            award.eligibility.levels if award.subject == "collective" else award.eligibility.roles
        )
        eligible = pl.col(who).is_in(pl.Series(allowed, dtype=pl.String).implode()).fill_null(False)
        stage: list[pl.Expr] = [eligible.alias("__eligible")]
        names: list[tuple[str, str]] = []
        delegated = award.criteria_delegated_to is not None
        # The plan lists no standards of its own: never awarded, as in the engine.
        crit_reads: list[tuple[str, tuple[str, ...]]] = []
        for k, plan in enumerate(() if delegated else compiled.criteria):
            # three-valued: a missing fact reads as null, and polars' and/or/not are Kleene's
            cond = self._cond(plan.criterion.condition)
            stage.append(
                pl.when(cond.is_null())
                .then(pl.lit(_UNKNOWN, pl.UInt8))
                .when(cond)
                .then(pl.lit(_PASS, pl.UInt8))
                .otherwise(pl.lit(_FAIL, pl.UInt8))
                .alias(f"__s{k}")
            )
            names.append((plan.criterion.id, f"__s{k}"))
            crit_reads.append((f"__s{k}", plan.reads))
        points: pl.Expr = pl.lit(None, pl.Float64)
        band: pl.Expr = pl.lit(None, pl.String)
        if award.score_sheet is not None and not delegated:
            sheet_status, sheet_points, sheet_band = self._sheet(compiled)
            stage += [
                sheet_status.alias("__sheet"),
                sheet_points.alias("__points"),
                sheet_band.alias("__band"),
            ]
            names.append(("score_sheet", "__sheet"))
            points, band = pl.col("__points"), pl.col("__band")
        statuses = [pl.col(c) for _, c in names]
        any_fail = pl.any_horizontal([s == _FAIL for s in statuses]) if statuses else pl.lit(False)
        any_unknown = (
            pl.any_horizontal([s == _UNKNOWN for s in statuses]) if statuses else pl.lit(delegated)
        )
        ok = pl.col("__eligible")
        verdict = (
            pl.when(~ok)
            .then(pl.lit("not_eligible"))
            .when(any_fail)
            .then(pl.lit("not_awarded"))
            .when(any_unknown)
            .then(pl.lit("incomplete"))
            .otherwise(pl.lit("awarded"))
        )
        failed = pl.concat_str(
            [pl.when(pl.col(c) == _FAIL).then(pl.lit(cid)) for cid, c in names]
            or [pl.lit(None, pl.String)],
            separator=";",
            ignore_nulls=True,
        )
        order = [] if delegated else _award_reads(compiled)
        # a missing fact is listed where it leaves a criterion (or the score sheet) undecided
        undecided: dict[str, list[pl.Expr]] = {}
        for col, reads_ in crit_reads:
            for f in reads_:
                undecided.setdefault(f, []).append(pl.col(col) == _UNKNOWN)
        if award.score_sheet is not None and not delegated:
            for item_plan in compiled.items:
                for f in item_plan.reads:
                    undecided.setdefault(f, []).append(pl.col("__sheet") == _UNKNOWN)
        missing = pl.concat_str(
            [pl.when(self._lacking(f) & pl.any_horizontal(undecided.get(f, [pl.lit(False)])))
             .then(self._lacking_names(f)) for f in order]
            or [pl.lit(None, pl.String)],
            separator=";",
            ignore_nulls=True,
        )
        if any(f.startswith(_AWARD_READ) for f in order):  # a required award's facts: once each
            missing = missing.str.split(";").list.unique(maintain_order=True).list.join(";")
        out = [
            pl.col(_ROW),
            pl.lit(index, pl.Int32).alias("__award"),
            pl.col("id").alias("subject_id"),
            pl.col("kind"),
            pl.coalesce(pl.col("level"), pl.col("role"), pl.lit("")).alias("level_or_role"),
            pl.col("name").fill_null("").alias("name"),
            pl.lit(award.id).alias("award"),
            verdict.alias("verdict"),
            pl.when(ok).then(points).otherwise(None).cast(pl.Float64).alias("points"),
            pl.when(ok).then(band).otherwise(None).fill_null("").alias("band"),
            pl.when(ok).then(failed).otherwise(pl.lit("")).fill_null("").alias("failed_criteria"),
            pl.when(ok).then(missing).otherwise(pl.lit("")).fill_null("").alias("missing_facts"),
        ]
        unknown = pl.concat_str(
            [pl.when(pl.col(c) == _UNKNOWN).then(pl.lit(cid)) for cid, c in names]
            or [pl.lit(None, pl.String)],
            separator=";",
            ignore_nulls=True,
        )
        detail = pl.when(ok).then(unknown).otherwise(pl.lit("")).fill_null("").alias(_UNKNOWN_COLUMN)
        return compiled, stage, out, detail

    def score(self, typed: pl.DataFrame) -> pl.DataFrame:
        """Score a typed chunk (from :meth:`coerce`): one row per subject and award, in subject
        order then award order, with :data:`RESULT_COLUMNS` (and ``__row``)."""
        return self.score_detailed(typed, detailed=False)

    def score_detailed(self, typed: pl.DataFrame, *, detailed: bool = True) -> pl.DataFrame:
        """:meth:`score` with one more column, ``__unknown``: the criteria left undecided
        (``;``-separated), for the polars backend's per-criterion statuses.

        Awards are scored in dependency order; a required award's verdict and missing facts are
        added as columns (``__v:<id>``, ``__m:<id>``) that later awards read.
        """
        if self._history and _HISTORY_COLUMN not in typed.columns:  # a table carries no history
            typed = typed.with_columns(pl.lit(None, _HISTORY_DTYPE).alias(_HISTORY_COLUMN))
        rows_by_kind = {kind: typed.filter(pl.col("kind") == kind) for kind in ("collective", "individual")}
        parts = []
        for compiled, stage, out, detail in self._order:
            kind = compiled.award.subject
            rows = rows_by_kind[kind]
            if rows.height:
                part = rows.with_columns(stage).select([*out, detail] if detailed else out)
                parts.append(part)
                if compiled.award.id in self._required:
                    rows_by_kind[kind] = rows.with_columns(
                        part["verdict"].alias(_VERDICT + compiled.award.id),
                        part["missing_facts"].alias(_MISSING + compiled.award.id))
        if not parts:
            extra = {_UNKNOWN_COLUMN: pl.String} if detailed else {}
            return pl.DataFrame(schema={_ROW: pl.Int64, **_OUT_SCHEMA, **extra})
        result = pl.concat(parts) if len(parts) > 1 else parts[0]
        if len(parts) > 1:
            result = result.sort(_ROW, "__award")
        return result.drop("__award")

    def evaluate_frame(
        self, frame: pl.DataFrame | pa.Table, *, on_error: OnError = "raise", file: str = "<table>",
        history: pl.Series | None = None, detailed: bool = False,
    ) -> tuple[pl.DataFrame, list[Problem]]:
        """Validate and score an in-memory table (cells as strings or typed columns).

        Returns:
            (result rows with :data:`RESULT_COLUMNS`, problems of the rows left out).

        Raises:
            FactsError: a bad header, or (``on_error="raise"``) any row with a problem.
        """
        df = frame if isinstance(frame, pl.DataFrame) else pl.from_arrow(frame)
        assert isinstance(df, pl.DataFrame)
        header = self.check_columns(df.columns, file)
        df = df.rename(dict(zip(df.columns, header, strict=True)))
        self.check_types(df.schema, file)
        df = df.with_columns(pl.int_range(1, df.height + 1, dtype=pl.Int64).alias(_ROW))
        typed, problems = self.coerce(df, file)
        if problems and on_error == "raise":
            raise FactsError(problems)
        if history is not None and self._history:  # one entry per input row (history_series)
            typed = typed.with_columns(history.gather(typed[_ROW] - 1).alias(_HISTORY_COLUMN))
        scored = self.score_detailed(typed) if detailed else self.score(typed)
        return scored.drop(_ROW), problems

    # conditions --------------------------------------------------------------------------------
    def _cond(self, cond: Any) -> pl.Expr:
        if isinstance(cond, m.AllOf):
            return pl.all_horizontal([self._cond(s) for s in cond.all])
        if isinstance(cond, m.AnyOf):
            return pl.any_horizontal([self._cond(s) for s in cond.any])
        if isinstance(cond, m.NotOf):
            return ~self._cond(cond.not_)
        if isinstance(cond, m.Count | m.Aggregate):
            return self._over_records(cond)
        if isinstance(cond, m.AwardRef):
            verdict = pl.col(_VERDICT + cond.award)
            held = verdict == "awarded" if cond.verdict == "awarded" else verdict != "awarded"
            return pl.when(verdict == "incomplete").then(pl.lit(None, pl.Boolean)).otherwise(held)
        if isinstance(cond, m.Held):
            return self._held(cond)
        if not isinstance(cond, _LEAVES) or cond.fact is None:
            raise _unsupported(f"condition {type(cond).__name__}")
        decl = self.facts[cond.fact]
        return _leaf(cond, decl, pl.col(_col(decl.id)), self.compiled.params)

    def _over_records(self, cond: m.Count | m.Aggregate) -> pl.Expr:
        """A ``count`` or ``aggregate``, three-valued (null = unknown) as in
        :mod:`emulation_rules.evaluate.record_sets`: a record's membership is Kleene's
        (a blank field or date read is null), the aggregate lies between what the sure records
        give and what the possible ones may add, and the comparison holds or fails over the
        whole interval, else is null."""
        spec = cond.count if isinstance(cond, m.Count) else cond.aggregate
        decl = self.facts[spec.fact if isinstance(spec, m.CountSpec) else spec.of]
        fields = {f.id: f for f in decl.fields}
        params = self.compiled.params
        member = self._member(spec, decl)
        if member is None:  # a window whose years are not known
            return pl.lit(None, pl.Boolean)
        lst = pl.col(_col(decl.id))
        sure, maybe = member.fill_null(False), member.is_null()
        possible = sure | maybe

        def per_list(expr: pl.Expr) -> pl.Expr:
            return lst.list.eval(expr).list.first()

        if cond.param is not None:
            t: Any = float(params[cond.param])
        elif isinstance(spec, m.AggregateSpec) and spec.fn != "count" and spec.field is not None:
            t = _threshold(fields[spec.field], cond.value)
        else:
            t = float(cond.value or 0)  # type: ignore[arg-type]
        fn = spec.fn if isinstance(spec, m.AggregateSpec) else "count" if spec.distinct is None else "distinct"
        key = spec.field if isinstance(spec, m.AggregateSpec) else spec.distinct
        some, nonempty = pl.lit(True), pl.lit(True)
        read = [*(fields_read(spec.where) if spec.where is not None else []), *([key] if key else [])]
        certain = spec.within is None and all(fields[f].required for f in read)
        if certain and fn in ("count", "distinct"):  # no blank can be read: one pass, lo = hi
            if fn == "count":
                lo = per_list(sure.sum())
            else:
                v = pl.element().struct.field(key or "")
                lo = per_list(v.filter(sure).n_unique())
            hi = lo
        elif fn == "count":
            lo, hi = per_list(sure.sum()), per_list(possible.sum())
        elif fn == "distinct":
            v = pl.element().struct.field(key or "")
            known = per_list(v.filter(sure & v.is_not_null()).n_unique())
            blank_sure = per_list((sure & v.is_null()).any())
            lo = pl.when(known > 0).then(known).otherwise(blank_sure.cast(pl.UInt32))
            hi = per_list(v.filter(possible & v.is_not_null()).n_unique()) + per_list(
                (possible & v.is_null()).sum())
        else:
            low, high = _blank_limits(fields[key or ""])
            v = pl.element().struct.field(key or "").cast(pl.Float64)
            v_lo, v_hi = v.fill_null(low), v.fill_null(high)
            if fn == "sum":
                lo = per_list(v_lo.filter(sure).sum() + v_lo.filter(maybe).clip(upper_bound=0).sum())
                hi = per_list(v_hi.filter(sure).sum() + v_hi.filter(maybe).clip(lower_bound=0).sum())
            else:
                some, nonempty = per_list(sure.any()), per_list(possible.any())
                if fn == "max":
                    lo = pl.when(some).then(per_list(v_lo.filter(sure).max())).otherwise(
                        per_list(v_lo.filter(possible).min()))
                    hi = per_list(v_hi.filter(possible).max())
                else:
                    lo = per_list(v_lo.filter(possible).min())
                    hi = pl.when(some).then(per_list(v_hi.filter(sure).min())).otherwise(
                        per_list(v_hi.filter(possible).max()))
        lo, hi = lo.cast(pl.Float64), hi.cast(pl.Float64)
        surely, never = {
            ">=": (lo >= t, hi < t), ">": (lo > t, hi <= t), "<=": (hi <= t, lo > t),
            "<": (hi < t, lo >= t), "==": ((lo == t) & (hi == t), (hi < t) | (lo > t)),
            "!=": ((hi < t) | (lo > t), (lo == t) & (hi == t)),
        }[cond.op]
        return (pl.when(lst.is_null()).then(pl.lit(None, pl.Boolean))
                .when(~nonempty | never).then(pl.lit(False))
                .when(surely & some).then(pl.lit(True))
                .otherwise(pl.lit(None, pl.Boolean)))

    def _member(self, spec: m.CountSpec | m.AggregateSpec, decl: m.FactDecl) -> pl.Expr | None:
        """A record's membership as an element expression (true, false, null = maybe): its
        ``where``, its window and the one "as of" (a record with a date after the review date is
        left out); None when the window's years are not known."""
        fields = {f.id: f for f in decl.fields}
        parts = [self._kept(decl)]
        if spec.where is not None:
            parts.append(_record_truth(spec.where, fields, self.compiled.params))
        if spec.within is not None:
            dates = window_dates(spec.within, self.review if self.review.year is not None else None)
            if dates is None:
                return None
            day = pl.element().struct.field(date_field(decl, spec.within))
            parts.append(pl.when(day.is_null()).then(pl.lit(None, pl.Boolean)).otherwise(
                (day >= pl.lit(dates[0], pl.Date)) & (day <= pl.lit(dates[1], pl.Date))))
        return pl.all_horizontal(parts)

    def _kept(self, decl: m.FactDecl) -> pl.Expr:
        """Records that exist on the review date (facts.asof): no date after it."""
        dates = [f.id for f in decl.fields if f.type == "date"] if self.as_of is not None else []
        if not dates:  # true for each record (a bare literal would be one value, not a column)
            return pl.element().is_null() | pl.lit(True)
        day = pl.lit(self.as_of, dtype=pl.Date)
        return pl.all_horizontal([pl.element().struct.field(k).is_null()
                                  | (pl.element().struct.field(k) <= day) for k in dates])

    def _lacking(self, read: str) -> pl.Expr:
        """True where a read (a fact, or a synthetic read) is unknown for the subject."""
        if read == HISTORY:
            return pl.col(_HISTORY_COLUMN).is_null()
        if read == AS_OF:
            return pl.lit(self.review.year is None)
        if read.startswith(_AWARD_READ):
            return pl.col(_VERDICT + read[len(_AWARD_READ):]) == "incomplete"
        fact_id, dot, field = read.partition(".")
        if dot:  # a records fact submitted with a blank optional field in a record it keeps
            blank = self._kept(self.facts[fact_id]) & pl.element().struct.field(field).is_null()
            return pl.col(_col(fact_id)).list.eval(blank.any()).list.first().fill_null(False)
        return pl.col(_col(read)).is_null()

    def _lacking_names(self, read: str) -> pl.Expr:
        """What a lacking read adds to the missing facts: itself, or a required award's."""
        if read.startswith(_AWARD_READ):
            names = pl.col(_MISSING + read[len(_AWARD_READ):])
            return pl.when(names != "").then(names)
        return pl.lit(read)

    def _held(self, cond: m.Held) -> pl.Expr:
        """A ``held`` condition: distinct years of the history holding the title in a window
        of years relative to the review year (a literal: see :attr:`review`)."""
        y, review = self.review.year, self.review
        if y is None or (cond.times_in_phase is not None and review.phase_first is None):
            return pl.lit(None, pl.Boolean)

        def years(lo: int, hi: int) -> pl.Expr:
            year = pl.element().struct.field("year")
            keep = (pl.element().struct.field("title") == cond.held) & (year >= lo) & (year <= hi)
            return pl.col(_HISTORY_COLUMN).list.eval(year.filter(keep).n_unique()).list.first()

        if cond.each_of_last_years is not None:
            return years(y - cond.each_of_last_years, y - 1) >= cond.each_of_last_years
        if cond.times_in_phase is not None:
            assert review.phase_first is not None and review.phase_last is not None
            return years(review.phase_first, min(review.phase_last, y)) >= cond.times_in_phase
        n = cond.consecutive_years
        assert n is not None
        this_year = years(y, y) >= 1
        award = next((a for a in self.campaign.awards if a.id == cond.held), None)
        if award is not None and any(a.award.id == cond.held for a in self.compiled.awards):
            verdict = pl.col(_VERDICT + cond.held)
            awarded = pl.when(verdict == "incomplete").then(pl.lit(None, pl.Boolean)).otherwise(
                verdict == "awarded")
            this_year = this_year | awarded  # Kleene: true if either is
        rating = next((r for r in self.campaign.ratings if r.id == cond.held and r.fact is not None), None)
        if rating is not None and rating.fact is not None:  # year Y's rating, from the facts
            decl = self.facts[rating.fact]
            col = pl.col(_col(decl.id))
            rated = pl.any_horizontal([col == pl.lit(_threshold(decl, v), _dtype(decl)) for v in rating.values])
            this_year = this_year | pl.when(col.is_null()).then(pl.lit(None, pl.Boolean)).otherwise(rated)
        return (years(y - n + 1, y - 1) >= n - 1) & this_year

    def _sheet(self, compiled: CompiledAward) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
        sheet = compiled.award.score_sheet
        assert sheet is not None
        lacking = pl.any_horizontal(
            [pl.col(_col(f)).is_null() for p in compiled.items for f in p.reads] or [pl.lit(False)]
        )
        total: pl.Expr = pl.lit(0.0, pl.Float64)
        broken: list[pl.Expr] = []
        for plan in compiled.items:
            item = plan.item
            if item.condition is not None:
                got = (
                    pl.when(self._cond(item.condition))
                    .then(pl.lit(float(item.max_points)))
                    .otherwise(pl.lit(0.0))
                )
            else:
                assert item.points_fact is not None
                got = (
                    pl.col(_col(item.points_fact))
                    .cast(pl.Float64)
                    .clip(0.0, float(item.max_points))
                )
            total = total + got
            if sheet.item_floor_fraction is not None:
                broken.append(got < pl.lit(sheet.item_floor_fraction * item.max_points))
        band: pl.Expr = pl.lit(None, pl.String)
        for b in sheet.bands:  # a later band that the total reaches wins, as in the engine
            band = pl.when(total >= pl.lit(b.min_points)).then(pl.lit(b.id)).otherwise(band)
        band = pl.when(lacking).then(pl.lit(None, pl.String)).otherwise(band)
        if sheet.pass_band is not None:
            ids = [b.id for b in sheet.bands]
            good = ids[ids.index(sheet.pass_band) :]
            passed = band.is_in(good).fill_null(False)
        else:
            passed = pl.lit(True)
        floor = pl.any_horizontal(broken) if broken else pl.lit(False)
        status = (
            pl.when(lacking)
            .then(pl.lit(_UNKNOWN, pl.UInt8))
            .when(floor)
            .then(pl.lit(_FAIL, pl.UInt8))
            .when(passed)
            .then(pl.lit(_PASS, pl.UInt8))
            .otherwise(pl.lit(_FAIL, pl.UInt8))
        )
        points = pl.when(lacking).then(pl.lit(None, pl.Float64)).otherwise(total)
        return status, points, band
