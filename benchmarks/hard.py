"""The hard cases of issue 14: a binding budget at scale 10, and a national round at scale 30.

Each case is generated with `intervet-plan generate`, then run once, stage by stage, in a
fresh process (``run.one_run``: peak memory is that run's own); the reference (the
straightforward PuLP formulation, ``reference.py``) runs on the same case with a timeout.
The "Hard cases" table goes between the markers of benchmarks/RESULTS.md and of README.md,
so that a later measurement replaces it in both. Each case's figures are kept in
benchmarks/hard.json: measuring one case (``--cases budget10``) keeps the other's row.

    python benchmarks/hard.py [--cases budget10,scale30] [--reference-timeout 1800] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
STORE = HERE / "hard.json"
START, END = "<!-- hard-cases:start -->", "<!-- hard-cases:end -->"

TARGETS = [
    {
        "name": "female_learners",
        "share_of": {"gender": "F"},
        "among": {"participant_type": "learner"},
        "min": 0.5,
    },
    {"name": "inclusion", "share_of": {"fewer_opportunities": True}, "min": 0.3},
    {
        "name": "country_balance",
        "for_each": "country",
        "among": {"participant_type": "learner"},
        "min": 0.1,
        "max": 0.3,
    },
]

# name -> (scale, seed, budget_eur or None, the issue's target in words)
CASES: dict[str, tuple[int, int, float | None, str]] = {
    "budget10": (10, 3, 8_000_000.0, "every level proven within 60 s"),
    "scale30": (30, 5, None, "within 90 s, under 1.5 GB"),
}


def scenario(name: str, case_dir: str) -> dict:
    """The scenario of a hard case, as a parsed scenario file's content."""
    _scale, _seed, budget, _target = CASES[name]
    out: dict = {"name": name, "case": case_dir, "targets": TARGETS}
    if budget is not None:
        out["budget_eur"] = budget
    return out


def one(name: str, case_dir: str, out_dir: str) -> dict:
    """One run of a hard case in this process (``run.one_run`` with the case's scenario),
    with every level's report."""
    sys.path.insert(0, str(HERE))
    from run import one_run

    return one_run(case_dir, out_dir, scenario(name, case_dir))


def reference(name: str, case_dir: str) -> dict:
    """The reference on a hard case, in this process."""
    import resource

    sys.path.insert(0, str(HERE))
    from reference import reference_solve

    from intervet_plan.inputs.case import load_case

    _scale, _seed, budget, _target = CASES[name]
    out = reference_solve(load_case(case_dir), TARGETS, budget)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def child(args: list[str], timeout: float | None = None) -> dict:
    """Run this script with ``args`` in a fresh process (``run.in_child``)."""
    sys.path.insert(0, str(HERE))
    from run import in_child

    return in_child(__file__, args, timeout)


def table(rows: list[tuple[str, dict, dict | None]]) -> str:
    """The "Hard cases" markdown: one line per case, then each level's time, method and
    status."""
    lines = [
        "| case | applicants | pairs | time | CPU time | solve | peak memory | "
        "every level proven? | reference | target |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r, ref in rows:
        scale, seed, budget, target = CASES[name]
        what = f"scale {scale} (seed {seed})" + (
            f", budget EUR {budget / 1e6:g} M" if budget else ""
        )
        proven = all(lv["status"] == "optimal" for lv in r["levels"])
        t = r["timings"]
        if ref is None:
            ref_s = "not run"
        elif "timeout" in ref:
            ref_s = f"> {ref['timeout']:.0f} s"
        else:
            ref_s = f"{ref['timings']['total']:.0f} s ({ref['timings']['total'] / t['total']:.1f}x)"
            if not ref.get("same_values", True):
                ref_s += ", other level values"
        lines.append(
            f"| {what} | {r['participants']:,} | {r['pairs']:,} | {t['total']:.0f} s | "
            f"{r.get('cpu_s', float('nan')):.0f} s | {t['solve']:.0f} s | {r['peak_mb']:,.0f} MB | {'yes' if proven else 'no'} | "
            f"{ref_s} | {target} |"
        )
    lines += [
        "",
        "Time: wall clock of `run --no-report`'s stages in a fresh process; CPU time: that "
        "process's (imports included), the steadier figure on a shared machine. Per level "
        "(seconds, how it was proven, status), with the load average when the run started:",
        "",
    ]
    for name, r, _ref in rows:
        lines.append(
            f"- {name} (load {r.get('load', float('nan')):.1f}): "
            f"build {r['timings']['build']:.1f} s; "
            + ", ".join(
                f"{lv['level']} {lv['time_s']:.1f} s {lv['method']}"
                + ("" if lv["status"] == "optimal" else f" ({lv['status']})")
                for lv in r["levels"]
            )
        )
    lines += ["", "Level values (they must not change):", ""]
    for name, r, _ref in rows:
        lines.append(f"- {name}: " + ", ".join(f"{lv} {v:,.2f}" for lv, v in r["values"].items()))
    return "\n".join(lines)


def replace_block(path: Path, block: str, heading: str) -> None:
    """Put ``block`` between the hard-case markers of ``path`` (appended under ``heading``
    when the file has none)."""
    text = path.read_text() if path.exists() else ""
    body = f"{START}\n{block}\n{END}"
    if START in text and END in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _m: body, text, flags=re.S)
    else:
        text = text.rstrip("\n") + f"\n\n{heading}\n\n{body}\n"
    path.write_text(text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--reference-timeout", type=float, default=1800.0)
    ap.add_argument("--no-reference", action="store_true", help="keep the stored reference figures")
    ap.add_argument(
        "--reference-only", action="store_true", help="keep the stored figures of our runs"
    )
    ap.add_argument(
        "--table-only",
        action="store_true",
        help="rewrite the table from hard.json, measure nothing",
    )
    ap.add_argument("--no-write", action="store_true", help="print the table only")
    ap.add_argument("--one", nargs=3, help=argparse.SUPPRESS)  # internal: name case out
    ap.add_argument("--reference-one", nargs=2, help=argparse.SUPPRESS)  # internal: name case
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(*args.one)))
        return 0
    if args.reference_one:
        print(json.dumps(reference(*args.reference_one)))
        return 0

    from intervet_plan.generate import generate_case

    stored = json.loads(STORE.read_text()) if STORE.exists() else {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in [] if args.table_only else args.cases.split(","):
            scale, seed, _budget, _target = CASES[name]
            case_dir = Path(tmp) / name
            generate_case(case_dir, scale=scale, seed=seed)
            if args.reference_only and name in stored:
                r = stored[name]["run"]
            else:
                load = os.getloadavg()[0]
                r = child(["--one", name, str(case_dir), str(Path(tmp) / f"out-{name}")])
                r["load"] = load
            print(
                f"{name}: {r['timings']['total']:.1f} s, peak {r['peak_mb']:.0f} MB, "
                + ", ".join(
                    f"{lv['level']} {lv['time_s']:.1f} s {lv['status']}" for lv in r["levels"]
                ),
                flush=True,
            )
            ref = None
            if not args.no_reference:
                ref = child(["--reference-one", name, str(case_dir)], args.reference_timeout)
                print(f"{name} reference: {ref.get('timings', ref)}", flush=True)
                if "values" in ref:
                    same = all(
                        abs(v - r["values"][lv]) <= 1e-6 * max(1.0, abs(v))
                        for lv, v in ref["values"].items()
                    )
                    ref["same_values"] = same
                    print(f"{name} same level values as the reference: {same}", flush=True)
            elif name in stored:
                ref = stored[name].get("reference")
            stored[name] = {"run": r, "reference": ref}
            if not args.no_write:
                STORE.write_text(json.dumps(stored, indent=1) + "\n")
    rows = [(n, stored[n]["run"], stored[n]["reference"]) for n in CASES if n in stored]
    block = table(rows)
    print(block)
    if not args.no_write:
        replace_block(HERE / "RESULTS.md", block, "## Hard cases")
        replace_block(HERE.parent / "README.md", block, "### Hard cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
