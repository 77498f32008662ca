"""Benchmark: subjects per second of the durable-rules engine, the reference evaluator, a plain
Python loop and the bulk (vectorised) evaluator, on the same synthetic subjects, in one run.

    python benchmarks/bench_bulk.py --campaign campaigns/tkv_2019.yaml -n 100000 --seed 0

Subjects come from ``emulation_rules._synthetic`` (deterministic for a seed): values around every
threshold of the campaign, 5% missing facts, 10% other accepted spellings; records facts (lists of
initiatives) as JSON cells. They are written once to a CSV file that every path reads.

Three stages are timed, because the paths split their work differently:

* read + validate + coerce the CSV: the facts reader (``load_facts``) vs the bulk coercion;
* evaluate validated subjects: durable-rules (``Engine.evaluate``), the reference evaluator (when
  ``emulation_rules.reference`` exists), a plain Python loop, and the bulk scorer;
* end to end, CSV file in -> results out: ``load_facts`` + ``Engine.evaluate`` + CSV rendering
  vs ``Engine.evaluate_many(csv, output=parquet)``, the latter in a child process so that its
  peak memory (max RSS) is its own.

durable-rules scores a few thousand subjects a second, so it runs on the first
``--durable-sample`` subjects (default 20,000) and its rate is extrapolated; the Python paths run
on the first ``--python-sample`` (default 200,000). Every path is timed ``--repeat`` times
(default 3) and the median is reported. The output says which sample each figure comes from, and
checks that the paths agree on the verdicts of the samples.
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import itertools
import json
import operator
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# the shipped campaigns name their texts in ../shared/seeds, read only from a documents directory
os.environ.setdefault("EMULATION_RULES_DOCUMENTS", str(ROOT.parent / "shared" / "seeds"))
sys.path.insert(0, str(ROOT / "src"))

import polars as pl  # noqa: E402

from emulation_rules import Engine, load_campaign, load_facts  # noqa: E402
from emulation_rules.authoring import _synthetic as synthetic  # noqa: E402
from emulation_rules.campaign import model as m  # noqa: E402
from emulation_rules.evaluate.durable.compiler import CompiledCampaign  # noqa: E402
from emulation_rules.evaluate.polars import BulkEvaluator  # noqa: E402
from emulation_rules.evaluate.semantics import fields_read as _fields_read  # noqa: E402
from emulation_rules.facts.reader import MAX_FACTS_BYTES  # noqa: E402
from emulation_rules.results.render import render_csv  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- a plain Python loop: the engine's semantics as closures over coerced facts ------------------

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}


def _py_leaf(cond: Any, decl: Any, params: Mapping[str, float]) -> Callable[[Any], bool]:
    ranks = {v.id: i for i, v in enumerate(decl.values)}
    if isinstance(cond, m.AtLeast):
        bound = ranks[cond.at_least]
        return lambda v: ranks[v] >= bound
    if isinstance(cond, m.OneOf):
        accepted = set(cond.in_)
        if decl.type == "date":
            import datetime as dt

            accepted = {dt.date.fromisoformat(x) if isinstance(x, str) else x for x in accepted}
        return lambda v: v in accepted
    target = params[cond.param] if cond.param else cond.value
    if decl.type == "ordered_enum":
        t = ranks[target]
        op = _OPS[cond.op]
        return lambda v: op(ranks[v], t)
    if decl.type == "date" and isinstance(target, str):
        import datetime as dt

        target = dt.date.fromisoformat(target)
    op = _OPS[cond.op]
    return lambda v: op(v, target)


def _py_cond(
    cond: Any, facts: Mapping[str, m.FactDecl], params: Mapping[str, float]
) -> Callable[[Mapping[str, Any]], bool]:
    if isinstance(cond, m.AllOf):
        subs = [_py_cond(s, facts, params) for s in cond.all]
        return lambda f: all(s(f) for s in subs)
    if isinstance(cond, m.AnyOf):
        subs = [_py_cond(s, facts, params) for s in cond.any]
        return lambda f: any(s(f) for s in subs)
    if isinstance(cond, m.NotOf):
        sub = _py_cond(cond.not_, facts, params)
        return lambda f: not sub(f)
    if isinstance(cond, m.Count):
        decl = facts[cond.count.fact]
        fields = {x.id: x for x in decl.fields}
        pred = (
            _py_record(cond.count.where, fields)
            if cond.count.where is not None
            else (lambda r: True)
        )
        limit = params[cond.param] if cond.param else cond.value
        op, name, distinct = _OPS[cond.op], decl.id, cond.count.distinct
        if distinct is None:
            return lambda f: op(sum(1 for r in f[name] if pred(r)), limit)
        return lambda f: op(len({r[distinct] for r in f[name] if pred(r) and distinct in r}), limit)
    decl = facts[cond.fact]
    test, name = _py_leaf(cond, decl, params), decl.id
    return lambda f: test(f[name])


def _py_record(cond: Any, fields: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bool]:
    if isinstance(cond, m.AllOf):
        subs = [_py_record(s, fields) for s in cond.all]
        return lambda r: all(s(r) for s in subs)
    if isinstance(cond, m.AnyOf):
        subs = [_py_record(s, fields) for s in cond.any]
        return lambda r: any(s(r) for s in subs)
    if isinstance(cond, m.NotOf):
        sub, names = _py_record(cond.not_, fields), _fields_read(cond.not_)
        return lambda r: all(n in r for n in names) and not sub(r)
    test, name = _py_leaf(cond, fields[cond.field], {}), cond.field
    return lambda r: name in r and test(r[name])


def plain_python(compiled: CompiledCampaign) -> Callable[[Any], list[tuple[str, str, str]]]:
    """Verdicts as a plain Python function over coerced subjects (no explanations)."""
    facts = {f.id: f for f in compiled.campaign.facts}
    awards = []
    for ca in compiled.awards:
        a = ca.award
        crits = [
            (p.reads, _py_cond(p.criterion.condition, facts, compiled.params)) for p in ca.criteria
        ]
        sheet = None
        if a.score_sheet is not None:
            items = [
                (
                    p.reads,
                    _py_cond(p.item.condition, facts, compiled.params)
                    if p.item.condition
                    else None,
                    p.item,
                )
                for p in ca.items
            ]
            sheet = (a.score_sheet, items)
        allowed = set(a.eligibility.levels if a.subject == "collective" else a.eligibility.roles)
        awards.append((a.id, a.subject, allowed, crits, sheet))

    def run(subjects: Any) -> list[tuple[str, str, str]]:
        out = []
        for s in subjects:
            f = s.facts
            for aid, kind, allowed, crits, sheet in awards:
                if kind != s.kind:
                    continue
                if (s.level if kind == "collective" else s.role) not in allowed:
                    out.append((s.id, aid, "not_eligible"))
                    continue
                statuses = []
                for reads, test in crits:
                    statuses.append(
                        "unknown"
                        if any(r not in f for r in reads)
                        else ("pass" if test(f) else "fail")
                    )
                if sheet is not None:
                    statuses.append(_py_sheet(sheet, f))
                verdict = (
                    "not_awarded"
                    if "fail" in statuses
                    else "incomplete"
                    if "unknown" in statuses
                    else "awarded"
                )
                out.append((s.id, aid, verdict))
        return out

    return run


def _py_sheet(sheet: Any, f: Mapping[str, Any]) -> str:
    spec, items = sheet
    total, broken = 0.0, False
    for reads, test, item in items:
        if any(r not in f for r in reads):
            return "unknown"
        got = (
            (item.max_points if test(f) else 0.0)
            if test
            else min(max(float(f[item.points_fact]), 0.0), item.max_points)
        )
        total += got
        if (
            spec.item_floor_fraction is not None
            and got < spec.item_floor_fraction * item.max_points
        ):
            broken = True
    if broken:
        return "fail"
    if spec.pass_band is None:
        return "pass"
    band = None
    for b in spec.bands:
        if total >= b.min_points:
            band = b.id
    ids = [b.id for b in spec.bands]
    return "pass" if band is not None and ids.index(band) >= ids.index(spec.pass_band) else "fail"


# --- the reference evaluator (another module of the project), when present ----------------------


def reference_evaluator(engine: Engine) -> Callable[[Any], list[tuple[str, str, str]]] | None:
    """``emulation_rules.reference`` adapted to the benchmark, or None if it is not there."""
    try:
        from emulation_rules import reference
    except ImportError:
        return None
    evaluate = getattr(reference, "evaluate", None)
    if evaluate is None:
        return None

    def run(subjects: Any) -> list[tuple[str, str, str]]:
        evaluation = evaluate(engine.compiled, subjects)
        return [
            (s.subject_id, a.award_id, a.verdict) for s in evaluation.subjects for a in s.awards
        ]

    return run


# --- the run --------------------------------------------------------------------------------


def _head(src: Path, dst: Path, rows: int) -> tuple[Path, int]:
    """The header and the first ``rows`` rows of ``src``, as many as the facts reader accepts
    (a file under ``MAX_FACTS_BYTES``); the path and the rows written."""
    size, written = 0, -1
    with (
        src.open(encoding="utf-8", newline="") as fin,
        dst.open("w", encoding="utf-8", newline="") as fout,
    ):
        for line in itertools.islice(fin, rows + 1):
            size += len(line.encode("utf-8"))
            if size > MAX_FACTS_BYTES:
                break
            fout.write(line)
            written += 1
    return dst, written


def _child_bulk(campaign: str, src: str, dst: str, chunk_rows: int) -> None:
    engine = Engine.from_path(campaign)
    start = time.perf_counter()
    result = engine.evaluate_many(src, output=dst, chunk_rows=chunk_rows)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "subjects": result.subjects, "peak_mb": _peak_mb()}))


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--campaign", default=str(ROOT / "campaigns" / "tkv_2019.yaml"))
    p.add_argument("-n", type=int, default=100_000, help="subjects to generate (default 100,000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--durable-sample",
        type=int,
        default=20_000,
        help="subjects scored by durable-rules (rate extrapolated; default 20,000)",
    )
    p.add_argument(
        "--python-sample",
        type=int,
        default=200_000,
        help="subjects scored by the Python paths (default 200,000)",
    )
    p.add_argument("--chunk-rows", type=int, default=100_000)
    p.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="time every path this many times and report the median (default 3)",
    )
    p.add_argument("--workdir", type=Path, help="keep the generated files here")
    p.add_argument("--child-bulk", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child_bulk:
        _child_bulk(args.campaign, *args.child_bulk, args.chunk_rows)
        return 0

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench_bulk_"))
    work.mkdir(parents=True, exist_ok=True)
    campaign = load_campaign(args.campaign)
    engine = Engine(campaign)
    n = args.n
    t0 = time.perf_counter()
    data = synthetic.write_csv(campaign, n, work / f"subjects_{n}.csv", seed=args.seed)
    gen_s = time.perf_counter() - t0
    size_mb = data.stat().st_size / 1e6
    print(
        f"campaign {campaign.id}: N = {n:,} subjects (seed {args.seed}), CSV {size_mb:,.1f} MB "
        f"generated in {gen_s:.1f} s; Python {platform.python_version()}, "
        f"polars {pl.__version__}, {platform.machine()}, {os.cpu_count()} CPUs; "
        f"median of {max(1, args.repeat)} runs per path"
    )

    repeat = max(1, args.repeat)

    def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
        """Median wall time of ``repeat`` runs of ``fn`` and the last result."""
        times, result = [], None
        for _ in range(repeat):
            gc.collect()
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
        return statistics.median(times), result

    # 1. bulk, file to file, in a child process (its own peak memory)
    out = work / f"results_{n}.parquet"
    child_runs = []
    for _ in range(repeat):
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--campaign",
                args.campaign,
                "--chunk-rows",
                str(args.chunk_rows),
                "--child-bulk",
                str(data),
                str(out),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        child_runs.append(json.loads(child.stdout.strip().splitlines()[-1]))
    bulk_file_s = statistics.median(r["seconds"] for r in child_runs)
    bulk_peak = max(r["peak_mb"] for r in child_runs)

    # 2. bulk stages in this process: coerce all chunks, then score them
    ev = BulkEvaluator(engine.compiled)
    frame = pl.read_csv(data, infer_schema=False)

    def coerce_all() -> list[pl.DataFrame]:
        typed = []
        for start in range(0, frame.height, args.chunk_rows):
            size = min(args.chunk_rows, frame.height - start)
            chunk = frame.slice(start, size).with_columns(
                pl.int_range(start + 2, start + 2 + size, dtype=pl.Int64).alias("__row")
            )
            t, problems = ev.coerce(chunk, str(data))
            assert not problems, problems[:3]
            typed.append(t)
        return typed

    bulk_coerce_s, typed = timed(coerce_all)
    bulk_score_s, scored = timed(lambda: [ev.score(t) for t in typed])
    bulk_table = pl.concat(scored).drop("__row")
    typed, scored, frame = [], [], pl.DataFrame()  # free them before the Python paths

    # 3. the Python paths on samples
    ds, ps = min(n, args.durable_sample), min(n, args.python_sample)
    sample_d, ds = _head(data, work / f"durable_{ds}.csv", ds)
    load_d_s, sub_d = timed(lambda: load_facts(sample_d, campaign))
    durable_s, evaluation = timed(lambda: engine.evaluate(sub_d))
    render_s, durable_csv = timed(lambda: render_csv(evaluation))

    sample_p, ps = _head(data, work / f"python_{ps}.csv", ps) if ps != ds else (sample_d, ds)
    if ps < min(n, args.python_sample):
        print(f"  (the Python sample is {ps:,} subjects: the facts reader takes files up to "
              f"{MAX_FACTS_BYTES // 2**20} MiB)")
    t0 = time.perf_counter()
    sub_p = load_facts(sample_p, campaign) if ps != ds else sub_d
    load_p_s = time.perf_counter() - t0 if ps != ds else load_d_s
    loop = plain_python(engine.compiled)
    loop_s, loop_out = timed(lambda: loop(sub_p.subjects))
    ref = reference_evaluator(engine)
    ref_s = None
    ref_out: list[tuple[str, str, str]] = []
    if ref is not None:
        ref_s, ref_out = timed(lambda: ref(sub_p.subjects))

    # agreement on the samples
    durable_rows = list(csv.reader(io.StringIO(durable_csv)))[1:]
    durable_v = [(r[0], r[4], r[5]) for r in durable_rows]
    bulk_v = list(bulk_table.select("subject_id", "award", "verdict").iter_rows())
    agree_durable = bulk_v[: len(durable_v)] == durable_v
    agree_loop = bulk_v[: len(loop_out)] == loop_out
    agree_ref = ref is None or bulk_v[: len(ref_out)] == ref_out

    def line(stage: str, path: str, measured: int, seconds: float, note: str = "") -> None:
        print(
            f"  {stage:<11} {path:<44} {measured:>10,} {seconds:>9.2f} "
            f"{_rate(measured, seconds):>13,.0f}  {note}"
        )

    print()
    print(f"  {'stage':<11} {'path':<44} {'subjects':>10} {'seconds':>9} {'subjects/s':>13}")
    line("validate", "facts reader (load_facts, CSV)", ds, load_d_s, "sample")
    line("validate", "bulk coercion (pyarrow + polars)", n, bulk_coerce_s)
    line(
        "evaluate",
        "durable-rules (Engine.evaluate)",
        ds,
        durable_s,
        "sample; rate extrapolated to N",
    )
    if ref_s is not None:
        line("evaluate", "reference evaluator", ps, ref_s, "sample" if ps < n else "")
    else:
        print(
            f"  {'evaluate':<11} {'reference evaluator':<44} "
            "(emulation_rules.reference not present)"
        )
    line("evaluate", "plain Python loop (verdicts only)", ps, loop_s, "sample" if ps < n else "")
    line("evaluate", "bulk scorer (polars expressions)", n, bulk_score_s)
    e2e_durable = load_d_s + durable_s + render_s
    line("end-to-end", "CSV -> load_facts + durable-rules + CSV", ds, e2e_durable, "sample")
    line(
        "end-to-end",
        "CSV -> bulk evaluate_many -> Parquet",
        n,
        bulk_file_s,
        f"peak RSS {bulk_peak:,.0f} MB (child process)",
    )

    r_d_eval = _rate(n, bulk_score_s) / _rate(ds, durable_s)
    r_d_e2e = _rate(n, bulk_file_s) / _rate(ds, e2e_durable)
    r_loop = _rate(n, bulk_score_s) / _rate(ps, loop_s)
    print("\n  ratios (bulk / other, subjects per second, same data, same run):")
    print(f"    evaluate:   bulk / durable-rules            {r_d_eval:8.1f}x")
    if ref_s is not None:
        r_ref = _rate(n, bulk_score_s) / _rate(ps, ref_s)
        r_ref_e2e = _rate(n, bulk_file_s) / _rate(ps, load_p_s + ref_s)
        print(f"    evaluate:   bulk / reference evaluator      {r_ref:8.1f}x")
        print(f"    end-to-end: bulk / (load_facts + reference) {r_ref_e2e:8.1f}x")
    print(f"    evaluate:   bulk / plain Python loop        {r_loop:8.1f}x")
    print(
        f"    validate:   bulk / facts reader             "
        f"{_rate(n, bulk_coerce_s) / _rate(ds, load_d_s):8.1f}x"
    )
    print(f"    end-to-end: bulk / durable-rules path       {r_d_e2e:8.1f}x")
    print(
        f"\n  agreement on verdicts: durable sample ({len(durable_v):,} rows) "
        f"{'yes' if agree_durable else 'NO'}; plain loop {'yes' if agree_loop else 'NO'}"
        + ("" if ref is None else f"; reference {'yes' if agree_ref else 'NO'}")
    )
    print(
        f"  peak memory: bulk file->file {bulk_peak:,.0f} MB (child); "
        f"this process {_peak_mb():,.0f} MB "
        "(holds the whole table and the Python samples)"
    )
    print("\n  goals:")
    print(
        f"    bulk >= 100x durable-rules: evaluate {r_d_eval:.0f}x "
        f"{'met' if r_d_eval >= 100 else 'NOT met'}; end-to-end {r_d_e2e:.0f}x "
        f"{'met' if r_d_e2e >= 100 else 'NOT met'}"
    )
    if ref_s is not None:
        r_ref = _rate(n, bulk_score_s) / _rate(ps, ref_s)
        print(
            f"    bulk >= 5x reference evaluator: {r_ref:.1f}x {'met' if r_ref >= 5 else 'NOT met'}"
        )
    else:
        print(
            "    bulk >= 5x reference evaluator: not measurable yet; "
            f"vs plain Python loop {r_loop:.1f}x"
        )
    if n >= 1_000_000:
        print(
            f"    1,000,000 subjects under 1.5 GB peak: {bulk_peak:,.0f} MB "
            f"{'met' if bulk_peak < 1536 else 'NOT met'}"
        )
    ok = agree_durable and agree_loop and agree_ref
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
