"""The big fuzz runs of issue 23, run once by hand (the suite runs a short pass of the same
generators, tests/fuzz/test_fuzz_round2.py):

    nice -n 19 python tests/fuzz/big_run.py xlsx --n 100000 --workers 2 --out xlsx.json
    nice -n 19 python tests/fuzz/big_run.py migrate --n 10000 --workers 2 --out migrate.json

``xlsx``: each generated workbook is read by the facts reader (and every 10th by the bulk
reader's ``subject_table``) in a worker process; the property is no crash (a worker killed by a
signal is restarted past the file, which is reported), no exception but the library's located
errors, and peak memory under ``--max-rss`` MB (the workers' peak resident size, from
``getrusage``: a bound for every file they read; each file that raised a worker's peak by more
than 50 MB is listed).

``migrate``: each generated version 1 file goes through ``migrate --write``; the property is a
located error with the file left byte for byte as it was, or a file that validates as version 2
with its backup equal to the original, and, for inputs whose edits keep the meaning, the shipped
campaign's verdicts on its example facts. Every 50th input is also converted in a child process
whose file size is limited below the new file's size (a write failing mid-way, as on a full
disk): the original must stay intact.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing as mp
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("EMULATION_RULES_DOCUMENTS", str(ROOT.parent / "shared" / "seeds"))

from emulation_rules.errors import EmulationRulesError  # noqa: E402
from tests.fuzz.generators import make_migrate, make_xlsx  # noqa: E402


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _xlsx_worker(seed: int, indexes: list[int], progress: str, queue: mp.Queue, partial: str | None = None) -> None:
    from emulation_rules.campaign.opening import load_campaign
    from emulation_rules.facts.xlsx import read_facts_xlsx, subject_table

    campaign = load_campaign(ROOT / "campaigns" / "tkv_2019.yaml")
    base = _rss_mb()
    out = {"n": 0, "accepted": 0, "refused": {}, "unlocated": [], "tracebacks": [], "jumps": [], "seconds": 0.0,
           "slowest": (0.0, -1)}
    for i in indexes:
        Path(progress).write_text(str(i))
        data = make_xlsx(random.Random(seed * 10_000_000 + i))
        before = _rss_mb()
        start = time.process_time()
        try:
            read_facts_xlsx(data, campaign, file="f.xlsx", on_error="skip")
            if i % 10 == 0:
                subject_table(data, "f.xlsx")
            out["accepted"] += 1
        except EmulationRulesError as exc:
            problems = getattr(exc, "problems", [])
            for p in problems:
                out["refused"][p.code] = out["refused"].get(p.code, 0) + 1
                if p.location is None or not p.location.file.startswith("f.xlsx"):
                    out["unlocated"].append((i, str(p)))
        except Exception:
            out["tracebacks"].append((i, traceback.format_exc()[-1500:]))
        spent = time.process_time() - start
        out["seconds"] += spent
        if spent > out["slowest"][0]:
            out["slowest"] = (spent, i)
        after = _rss_mb()
        if after - before > 50:
            out["jumps"].append((i, round(before), round(after)))
        out["n"] += 1
        if partial and out["n"] % 250 == 0:  # figures so far, for a run stopped before its end
            Path(partial).write_text(json.dumps({**out, "peak_rss_mb": _rss_mb(), "base_rss_mb": base,
                                                 "last": i}, default=str))
    out["peak_rss_mb"] = _rss_mb()
    out["base_rss_mb"] = base
    if partial:
        Path(partial).write_text(json.dumps({**out, "last": indexes[-1] if indexes else None}, default=str))
    queue.put(out)


def run_xlsx(n: int, workers: int, seed: int, partial: Path | None = None) -> dict[str, object]:
    todo = list(range(n))
    shares = [todo[w::workers] for w in range(workers)]
    results: list[dict[str, object]] = []
    crashes: list[tuple[int, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        pending = list(enumerate(shares))
        while pending:
            procs = []
            for w, share in pending:
                if not share:
                    continue
                queue: mp.Queue = mp.Queue()
                progress = str(Path(tmp) / f"w{w}")
                part = str(partial / f"worker{w}-from{share[0]}.json") if partial else None
                p = mp.get_context("fork").Process(target=_xlsx_worker, args=(seed, share, progress, queue, part))
                p.start()
                procs.append((w, share, p, queue, progress))
            pending = []
            for w, share, p, queue, progress in procs:
                got = None
                while p.is_alive() or not queue.empty():
                    try:
                        got = queue.get(timeout=5)
                        break
                    except Exception:
                        continue
                p.join()
                if got is not None:
                    results.append(got)
                else:  # killed (a native crash, or the OOM killer): skip the file and go on
                    at = int(Path(progress).read_text())
                    crashes.append((at, p.exitcode or 0))
                    pending.append((w, share[share.index(at) + 1 :]))
    total = summarise(results)
    total["crashes"] = crashes
    return total


def summarise(results: list[dict[str, Any]]) -> dict[str, object]:
    """The figures of the workers' results (also of partial ones, ``--summarise DIR``)."""
    total: dict[str, object] = {"files": sum(r["n"] for r in results)}
    total["accepted"] = sum(r["accepted"] for r in results)
    refused: dict[str, int] = {}
    for r in results:
        for code, k in r["refused"].items():  # type: ignore[attr-defined]
            refused[code] = refused.get(code, 0) + k
    total["refused_by_code"] = dict(sorted(refused.items()))
    total["tracebacks"] = [t for r in results for t in r["tracebacks"]][:20]
    total["traceback_count"] = sum(len(r["tracebacks"]) for r in results)
    total["unlocated"] = [u for r in results for u in r["unlocated"]][:20]
    total["peak_rss_mb"] = max(r["peak_rss_mb"] for r in results)
    total["base_rss_mb"] = max(r["base_rss_mb"] for r in results)
    total["rss_jumps_over_50mb"] = [j for r in results for j in r["jumps"]][:50]
    total["cpu_seconds_reading"] = round(sum(r["seconds"] for r in results), 1)
    total["slowest_file"] = max((r["slowest"] for r in results), key=lambda s: s[0])
    return total


def _limited(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def run_migrate(n: int, seed: int, partial: Path | None = None) -> dict[str, object]:
    from emulation_rules import Engine
    from emulation_rules.campaign.migrate import migrate_text
    from emulation_rules.campaign.opening import load_campaign
    from emulation_rules.cli.app import run
    from emulation_rules.facts.load import load_facts

    shipped = load_campaign(ROOT / "campaigns" / "tkv_2019.yaml")
    facts = load_facts(ROOT / "examples" / "tkv_2019" / "facts.yaml", shipped)
    expected = Engine(shipped, backend="python").evaluate(facts).verdicts()
    out: dict[str, object] = {"inputs": n, "converted": 0, "already": 0, "refused": 0, "refused_unlocated": [],
                              "changed_on_refusal": [], "converted_invalid": [], "backup_differs": [],
                              "verdicts_differ": [], "tracebacks": [], "limited_runs": 0, "limited_broken": [],
                              "same_meaning_checked": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n):
            if partial is not None and i % 100 == 0:  # figures so far, for a run stopped before its end
                (partial / "migrate.json").write_text(json.dumps({**out, "done": i}, default=str))
            data, same = make_migrate(random.Random(seed * 10_000_000 + i))
            path = Path(tmp) / "plan.yaml"
            for leftover in Path(tmp).iterdir():
                leftover.unlink()
            path.write_bytes(data)
            stdout, stderr = io.StringIO(), io.StringIO()
            try:
                rc = run(["migrate", "--write", str(path), "--lang", "en"], stdout=stdout, stderr=stderr)
            except Exception:
                out["tracebacks"].append((i, traceback.format_exc()[-1500:]))  # type: ignore[attr-defined]
                continue
            after = path.read_bytes()
            if rc != 0:
                out["refused"] += 1  # type: ignore[operator]
                if after != data:
                    out["changed_on_refusal"].append(i)  # type: ignore[attr-defined]
                if f"{path}" not in stderr.getvalue():
                    out["refused_unlocated"].append((i, stderr.getvalue()[-300:]))  # type: ignore[attr-defined]
            elif "already version 2" in stdout.getvalue():
                out["already"] += 1  # type: ignore[operator]
            else:
                out["converted"] += 1  # type: ignore[operator]
                backup = Path(str(path) + ".bak")
                if not backup.exists() or backup.read_bytes() != data:
                    out["backup_differs"].append(i)  # type: ignore[attr-defined]
                if b"\ncases:" in data:  # an author case file: no campaign to validate
                    continue
                try:
                    converted = load_campaign(path)
                except EmulationRulesError as exc:
                    out["converted_invalid"].append((i, str(exc)[-300:]))  # type: ignore[attr-defined]
                    continue
                if same and converted.id == shipped.id:
                    out["same_meaning_checked"] += 1  # type: ignore[operator]
                    got = Engine(converted, backend="python").evaluate(facts).verdicts()
                    if got != expected:
                        out["verdicts_differ"].append(i)  # type: ignore[attr-defined]
            if i % 50 == 0 and rc == 0 and "converted" in stdout.getvalue():
                path.write_bytes(data)
                Path(str(path) + ".bak").unlink(missing_ok=True)
                new = migrate_text(data.decode("utf-8"), path).encode("utf-8")
                limit = max(1, min(len(data), len(new)) - 1 - random.Random(i).randrange(min(len(data), len(new)) // 2))
                got = subprocess.run([sys.executable, "-m", "emulation_rules", "migrate", "--write", str(path),
                                      "--lang", "en"],
                                     capture_output=True, text=True, preexec_fn=lambda lim=limit: _limited(lim),
                                     timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
                out["limited_runs"] += 1  # type: ignore[operator]
                if path.read_bytes() != data or got.returncode != 2 or "Traceback" in got.stderr:
                    out["limited_broken"].append((i, got.returncode, got.stderr[-300:]))  # type: ignore[attr-defined]
    out["peak_rss_mb"] = _rss_mb()
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("kind", choices=("xlsx", "migrate"))
    p.add_argument("--n", type=int, default=1000, help="inputs to generate (the size of the run)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (xlsx)")
    p.add_argument("--seed", type=int, default=23)
    p.add_argument("--max-rss", type=float, default=500, help="peak resident memory allowed, MB (xlsx)")
    p.add_argument("--out", type=Path, help="write the figures as JSON here")
    p.add_argument("--partial", type=Path, help="a directory where the figures so far are written (xlsx: by each "
                   "worker, every 250 files; migrate: every 100 inputs); with --summarise, add up the xlsx ones")
    p.add_argument("--summarise", action="store_true", help="xlsx: add up the --partial figures and stop")
    args = p.parse_args()
    start = time.time()
    if args.summarise:
        parts = [json.loads(f.read_text()) for f in sorted(args.partial.glob("*.json"))]
        print(json.dumps(summarise(parts), indent=1, default=str))
        return 0
    if args.partial:
        args.partial.mkdir(parents=True, exist_ok=True)
    figures = (run_xlsx(args.n, args.workers, args.seed, args.partial) if args.kind == "xlsx"
               else run_migrate(args.n, args.seed, args.partial))
    figures["wall_seconds"] = round(time.time() - start, 1)
    done = figures["files"] if args.kind == "xlsx" else figures["inputs"]
    figures["per_second"] = round(done / max(figures["wall_seconds"], 0.1), 2)  # type: ignore[operator]
    text = json.dumps(figures, indent=1, ensure_ascii=False, default=str)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    if args.kind == "xlsx":
        bad = figures["crashes"] or figures["traceback_count"] or figures["unlocated"] or \
            figures["peak_rss_mb"] > args.max_rss  # type: ignore[operator]
    else:
        bad = any(figures[k] for k in ("tracebacks", "changed_on_refusal", "converted_invalid", "backup_differs",
                                       "verdicts_differ", "limited_broken", "refused_unlocated"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
