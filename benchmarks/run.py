"""Benchmark harness: time every stage of ``run --no-report`` on generated cases.

For each scale (default 1, 3, 10) a seeded case is generated, then each repetition runs in a
fresh process (so peak memory is that run's own): load, validate, eligibility, build, each
objective level's solve, the selection audit, the result tables, write. Medians over the
repetitions go to benchmarks/RESULTS.md with the machine's description.

    python benchmarks/run.py [--scales 1,3,10] [--repeat 3] [--seed 7] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from intervet_plan.outputs.plan import Plan

HERE = Path(__file__).resolve().parent
BASELINE_TARGETS = yaml.safe_load((HERE.parent / "scenarios" / "baseline.yaml").read_text())[
    "targets"
]


def one_run(case_dir: str, out_dir: str, scenario: dict | None = None) -> dict:
    """Run the pipeline once, stage by stage, in this process (the baseline targets unless
    ``scenario`` is given, as a scenario file's content); return timings and peak RSS."""
    import resource

    from intervet_plan.api import solve
    from intervet_plan.domain.context import build_context
    from intervet_plan.domain.eligibility import candidate_pairs
    from intervet_plan.inputs.case import validate_raw
    from intervet_plan.inputs.files import read_case
    from intervet_plan.inputs.scenario_file import parse_scenario
    from intervet_plan.model.build import build_model
    from intervet_plan.outputs.run_folder import write_outputs

    t: dict[str, float] = {}
    t0 = time.perf_counter()
    raw = read_case(case_dir)
    t["load"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    case, problems = validate_raw(raw)
    assert case is not None and not problems, problems[:3]
    t["validate"] = time.perf_counter() - t0
    scenario = scenario or {"name": "bench", "case": case_dir, "targets": BASELINE_TARGETS}
    ctx = build_context(case, parse_scenario(scenario))
    t0 = time.perf_counter()
    pairs = candidate_pairs(case, ctx.window)
    t["eligibility"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = build_model(ctx)
    t["build"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    plan = solve(model)
    wall = time.perf_counter() - t0
    t["solve"] = plan.timings["solve"]  # the objective levels
    t["audit"] = plan.timings.get("audit", 0.0)  # the selection audit
    t["tables"] = wall - t["solve"] - t["audit"]  # allocation, targets and unplaced tables
    for r in plan.result.levels:
        t[f"solve.{r.level}"] = r.time_s
    t0 = time.perf_counter()
    write_outputs(plan, Path(out_dir), force=True)
    t["write"] = time.perf_counter() - t0
    t["total"] = sum(v for k, v in t.items() if "." not in k)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_kb = usage.ru_maxrss
    return {
        "timings": t,
        "cpu_s": usage.ru_utime + usage.ru_stime,  # the whole process, imports included
        "peak_mb": peak_kb / 1024,
        "audit": audit_figures(plan),
        "status": plan.status.value,
        "values": plan.values,
        "methods": {r.level: r.method for r in plan.result.levels},
        "levels": plan.summary["levels"],
        "pairs": len(pairs),
        "participants": len(case.participants),
        "offers": len(case.offers),
        "variables": len(model.matrix.names),
        "constraints": len(model.matrix.row_names),
    }


def audit_figures(plan: Plan) -> dict:
    """The selection audit's counts, and the peak of the memory it allocates (MB, by
    tracemalloc, in a second, untimed audit of the same plan)."""
    if plan.audit is None:
        return {}
    import tracemalloc

    from intervet_plan.solve.fairness import audit

    tracemalloc.start()
    audit(plan.ctx, plan.model.pairs, plan.allocation, plan.targets)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "judged": plan.audit.judged,
        "blocking": len(plan.audit.swaps),
        "reserves": len(plan.audit.reserves),
        "peak_mb": peak / 2**20,
    }


def reference_run(case_dir: str) -> dict:
    """The straightforward PuLP formulation (benchmarks/reference.py) on the same case."""
    import resource

    sys.path.insert(0, str(HERE))
    from reference import reference_solve

    from intervet_plan.inputs.case import load_case

    out = reference_solve(load_case(case_dir), BASELINE_TARGETS)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def in_child(script: str, args: list[str], timeout: float | None = None) -> dict:
    """Run ``script`` with ``args`` in a fresh process: its last line of output as JSON, or
    ``{"timeout": seconds}``."""
    try:
        out = subprocess.run(
            [sys.executable, script, *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_reference(case_dir: Path, timeout: float) -> dict:
    return in_child(__file__, ["--reference-one", str(case_dir)], timeout)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}; Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="1,3,10")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default=str(HERE / "RESULTS.md"))
    ap.add_argument(
        "--reference",
        default="1,3,10",
        help="scales at which to also run the straightforward PuLP reference",
    )
    ap.add_argument("--reference-timeout", type=float, default=3600.0)
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)  # internal: case_dir out_dir
    ap.add_argument("--reference-one", help=argparse.SUPPRESS)  # internal: case_dir
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one_run(*args.one)))
        return 0
    if args.reference_one:
        print(json.dumps(reference_run(args.reference_one)))
        return 0

    from intervet_plan.generate import generate_case

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in [int(s) for s in args.scales.split(",")]:
            case_dir = Path(tmp) / f"scale{k}"
            t0 = time.perf_counter()
            generate_case(case_dir, scale=k, seed=args.seed)
            gen_s = time.perf_counter() - t0
            runs = []
            for i in range(args.repeat):
                out = subprocess.run(
                    [sys.executable, __file__, "--one", str(case_dir), str(Path(tmp) / f"out{k}")],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(
                    f"scale {k} run {i + 1}: {runs[-1]['timings']['total']:.1f} s, "
                    f"peak {runs[-1]['peak_mb']:.0f} MB, {runs[-1]['status']}",
                    flush=True,
                )
            ref = None
            if str(k) in args.reference.split(","):
                ref = run_reference(case_dir, args.reference_timeout)
                print(
                    f"scale {k} reference: {ref.get('timings', {}).get('total', 'timeout')}",
                    flush=True,
                )
            rows.append((k, gen_s, runs, ref))
    text = report(rows, args)
    write_keeping_hard_cases(Path(args.out), text)
    print(text)
    return 0


def write_keeping_hard_cases(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, keeping the "Hard cases" section that benchmarks/hard.py
    wrote there (from its heading to its end marker)."""
    old = path.read_text() if path.exists() else ""
    start, end = old.find("## Hard cases"), old.find("<!-- hard-cases:end -->")
    if start >= 0 and end > start:
        text += "\n" + old[start : end + len("<!-- hard-cases:end -->")] + "\n"
    path.write_text(text)


def report(rows: list, args: argparse.Namespace) -> str:
    stages = "load validate eligibility build solve audit tables write total".split()
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}.",
        "",
        f"Cases from `intervet-plan generate --scale K --seed {args.seed}`, baseline "
        f"targets, `run --no-report` stages; medians of {args.repeat} runs, each in a fresh "
        "process. Times in seconds, peak resident memory in MB. `solve`: the objective "
        "levels; `audit`: the selection audit (fairness.csv, reserves.csv); `tables`: the "
        "allocation, targets and unplaced tables.",
        "",
    ]
    head = (
        "| scale | applicants | offers | pairs | "
        + " | ".join(stages)
        + " | build share | peak MB | status |"
    )
    lines += [head, "|" + "---|" * (head.count("|") - 1)]
    for k, _gen, runs, _ref in rows:
        med = {s: statistics.median(r["timings"][s] for r in runs) for s in stages}
        peak = statistics.median(r["peak_mb"] for r in runs)
        r0 = runs[0]
        lines.append(
            f"| {k} | {r0['participants']} | {r0['offers']} | {r0['pairs']} | "
            + " | ".join(f"{med[s]:.2f}" for s in stages)
            + f" | {med['build'] / med['total']:.0%} | {peak:.0f} | {r0['status']} |"
        )
    lines += [
        "",
        "Selection audit: swaps of an unplaced applicant into a placed participant's seat "
        "judged, blocking swaps (fairness.csv rows), reserve rows (reserves.csv); audit and "
        "solve in median seconds; peak MB: the most memory the audit allocates (tracemalloc, "
        "median, in a second untimed audit of the same plan):",
        "",
        "| scale | applicants | swaps judged | blocking swaps | reserve rows | audit s | "
        "solve s | audit / solve | audit peak MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for k, _gen, runs, _ref in rows:
        if not runs[0]["audit"]:
            continue
        a = runs[0]["audit"]
        audit_s = statistics.median(r["timings"]["audit"] for r in runs)
        solve_s = statistics.median(r["timings"]["solve"] for r in runs)
        peak = statistics.median(r["audit"]["peak_mb"] for r in runs)
        lines.append(
            f"| {k} | {runs[0]['participants']} | {a['judged']} | {a['blocking']} | "
            f"{a['reserves']} | {audit_s:.2f} | {solve_s:.2f} | {audit_s / solve_s:.1%} | "
            f"{peak:.0f} |"
        )
    lines += ["", "Solve time per objective level (median seconds):", ""]
    levels = [k.removeprefix("solve.") for k in rows[0][2][0]["timings"] if k.startswith("solve.")]
    lines += ["| scale | " + " | ".join(levels) + " |", "|---|" + "---|" * len(levels)]
    for k, _gen, runs, _ref in rows:
        lines.append(
            f"| {k} | "
            + " | ".join(
                f"{statistics.median(r['timings'].get('solve.' + lv, 0.0) for r in runs):.2f}"
                for lv in levels
            )
            + " |"
        )
    lines += ["", "Level values (first run):", ""]
    for k, _gen, runs, _ref in rows:
        lines.append(
            f"- scale {k}: " + ", ".join(f"{lv} {v:,.2f}" for lv, v in runs[0]["values"].items())
        )
    lines += [
        "",
        "How each level was proven (first run; `relaxation`: the LP relaxation's plan reached "
        "the bound its duals prove, `completion`: a few fractional columns completed by a small "
        "MIP, `branch-and-bound`: HiGHS's MIP solver, `constant`: nothing to optimise):",
        "",
    ]
    for k, _gen, runs, _ref in rows:
        methods = runs[0].get("methods", {})
        lines.append(f"- scale {k}: " + ", ".join(f"{lv} {m}" for lv, m in methods.items()))
    refs = [(k, runs, ref) for k, _gen, runs, ref in rows if ref is not None]
    if refs:
        lines += [
            "",
            "Against the straightforward PuLP formulation (benchmarks/reference.py: "
            "nested loops with eligibility checks, lpSum, sequentialSolve, HiGHS through "
            "PuLP), one run each:",
            "",
            "| scale | reference s | ours s (median) | ratio | reference build s | "
            "reference solve s | same level values |",
            "|---|---|---|---|---|---|---|",
        ]
        for k, runs, ref in refs:
            ours = statistics.median(r["timings"]["total"] for r in runs)
            if "timeout" in ref:
                lines.append(
                    f"| {k} | > {ref['timeout']:.0f} | {ours:.1f} | > "
                    f"{ref['timeout'] / ours:.1f} | | | not reached |"
                )
                continue
            t = ref["timings"]
            same = all(
                abs(ref["values"][lv] - runs[0]["values"][lv]) <= 1e-6 * max(1, abs(v))
                for lv, v in ref["values"].items()
            )
            lines.append(
                f"| {k} | {t['total']:.1f} | {ours:.1f} | {t['total'] / ours:.1f} | "
                f"{t['eligibility'] + t['build']:.1f} | {t['solve']:.1f} | "
                f"{'yes' if same else 'NO: ' + str(ref['values'])} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
