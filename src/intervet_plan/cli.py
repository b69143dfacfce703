"""The command line (SPEC section 6). Thin: parse arguments, call the package, map errors to
exit codes (0 success, 1 internal error, 2 invalid input, 3 infeasible, 4 no plan in time)."""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from intervet_plan import __version__, progress
from intervet_plan.errors import InputError, IntervetError, Problem, environment_failure

if TYPE_CHECKING:
    from intervet_plan.batch.pool import BatchOptions
    from intervet_plan.batch.results import Manifest

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_NO_PLAN = 0, 1, 2, 3, 4
PROGRESS_COMMANDS = ("run", "batch", "sweep", "tradeoff")  # stages shown on stderr


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:  # --debug before or after a command
        super().__init__(*args, **kwargs)
        help = "list each input problem on its own line; show tracebacks of internal errors"
        self.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=help)

    def error(self, message: str) -> NoReturn:  # argparse's own exit code is 2 as well
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_INPUT)


MAX_SCALE = 100  # generate --scale: 100 x INTERVET is about 90,000 applicants


def _seconds(text: str) -> float:
    """A time limit: a positive, finite number of seconds."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not (math.isfinite(v) and v > 0):
        raise argparse.ArgumentTypeError(
            f"'{text}' must be a positive number of seconds (leave it out for no limit)"
        )
    return v


def _scale(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= v <= MAX_SCALE:
        raise argparse.ArgumentTypeError(f"'{text}' must be between 1 and {MAX_SCALE}")
    return v


def _seed(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 0 <= v < 2**32:
        raise argparse.ArgumentTypeError(f"'{text}' must be between 0 and {2**32 - 1}")
    return v


def _points(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= v <= 1000:
        raise argparse.ArgumentTypeError(f"'{text}' must be between 1 and 1000")
    return v


def _folder(text: str) -> str:
    """An output folder as given; an empty one (an unset shell variable) is refused."""
    if not text.strip() or "\x00" in text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a folder name")
    return text


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="intervet-plan",
        description="Plan learning mobilities: validate cases, solve scenarios, report.",
    )
    p.add_argument("--version", action="version", version=f"intervet-plan {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    v = sub.add_parser("validate", help="check a case folder or workbook; print every problem")
    v.add_argument("case", help="case folder (case.yaml + CSV tables) or .xlsx workbook")

    r = sub.add_parser("run", help="solve a scenario and write its outputs")
    r.add_argument("scenario", help="scenario YAML file")
    r.add_argument("--out", type=_folder, help="output folder (default reports/<scenario name>)")
    r.add_argument("--no-report", action="store_true", help="skip the notebook report")
    r.add_argument("--solver", choices=("highs", "cbc"), help="override the scenario's solver")
    r.add_argument("--time-limit", type=_seconds, metavar="S", help="seconds per solve")
    r.add_argument(
        "--force",
        action="store_true",
        help="replace an earlier result in the output folder instead of moving it aside",
    )

    t = sub.add_parser(
        "tradeoff",
        help="the frontier between two adjacent objective levels (e.g. placements,targets)",
        description="With every level before A held at its optimum, the best value of B for "
        "each value of A, from A's optimum to where B is best: tradeoff.csv and tradeoff.html.",
    )
    t.add_argument("scenario", help="scenario YAML file")
    t.add_argument(
        "--between", required=True, metavar="A,B", help="two adjacent objective levels, A first"
    )
    t.add_argument("--points", type=_points, default=10, metavar="N", help="points (default 10)")
    t.add_argument(
        "--out", type=_folder, help="output folder (default reports/<name>-tradeoff-<A>-<B>)"
    )
    t.add_argument("--time-limit", type=_seconds, metavar="S", help="seconds for the whole walk")

    c = sub.add_parser("check", help="list every rule a given allocation breaks")
    c.add_argument("case", help="case folder or .xlsx workbook")
    c.add_argument("allocation", help="allocation CSV (as written by run, or hand-edited)")
    c.add_argument("--scenario", help="scenario whose budget, quotas, targets, blackouts apply")

    d = sub.add_parser("diff", help="what moved, was added, dropped or interrupted, and why")
    d.add_argument("old", help="earlier allocation CSV")
    d.add_argument("new", help="later allocation CSV (in a run folder: with reasons)")

    g = sub.add_parser("generate", help="write a synthetic case K times the INTERVET size")
    g.add_argument("out_dir", type=_folder, help="output folder (or .xlsx file with --xlsx)")
    g.add_argument(
        "--scale", type=_scale, default=1, help=f"size factor K, 1 to {MAX_SCALE} (default 1)"
    )
    g.add_argument("--seed", type=_seed, default=None, help="random seed (default 2019)")
    g.add_argument("--xlsx", action="store_true", help="write one workbook instead of CSV files")

    b = sub.add_parser(
        "batch",
        help="run many scenarios (processes or a Dask cluster), then a comparison report",
        description="Run each scenario into DIR/<scenario name>/, then write DIR/manifest.json "
        "and DIR/comparison.html. Exit 0 when every run succeeded, 1 when any run failed "
        "(each run's exit code is in the manifest), 2 when the batch's own arguments are "
        "invalid (nothing is run).",
    )
    b.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario YAML files")
    b.add_argument(
        "--out", type=_folder, metavar="DIR", help="batch folder (default reports/batch)"
    )
    _batch_options(b)

    w = sub.add_parser(
        "sweep",
        help="a batch over variants of one scenario (e.g. budget_eur=900000,1100000)",
        description="Write one variant of SCENARIO per value into DIR/scenarios/ (named "
        "<name>-<key>-<value>) and run them as a batch. Exit codes as for batch.",
    )
    w.add_argument("scenario", help="scenario YAML file")
    w.add_argument(
        "--vary",
        required=True,
        metavar="KEY=V1,V2,...",
        help="KEY is budget_eur, quotas.<activity>.quota, quotas.<activity>.quota_min, "
        "targets.<target name>.min or targets.<target name>.max",
    )
    w.add_argument(
        "--out", type=_folder, metavar="DIR", help="batch folder (default reports/<name>-sweep)"
    )
    _batch_options(w)
    return p


def _batch_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="runs at a time (default 1)")
    p.add_argument(
        "--dask", metavar="ADDRESS", help="run on the Dask scheduler at ADDRESS (tcp://host:8786)"
    )
    p.add_argument(
        "--time-limit",
        type=_seconds,
        metavar="S",
        help="solver seconds per scenario; a run past 3 x S + 60 s is stopped (exit 4)",
    )
    p.add_argument(
        "--no-report",
        action="store_true",
        help="skip each run's notebook report (the comparison report is still written)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    debug = getattr(args, "debug", False) or bool(os.environ.get("INTERVET_DEBUG"))
    try:
        with progress.shown() if args.command in PROGRESS_COMMANDS else contextlib.nullcontext():
            return _COMMANDS[args.command](args)
    except IntervetError as e:
        print(e.report(every=True) if isinstance(e, InputError) and debug else e, file=sys.stderr)
        return e.exit_code
    except BrokenPipeError:  # output piped into head or less that closed early
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as e:  # an internal error: say so plainly, keep the trace for --debug
        if debug:
            traceback.print_exc()
        failure = environment_failure(e)
        if failure is not None:  # disk full, read-only, a name too long: not a bug
            print(f"error: {failure}", file=sys.stderr)
            return failure.exit_code
        print(
            f"internal error: {type(e).__name__}: {e}\n"
            "This is a bug in intervet-plan; rerun with --debug and report the trace.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _validate(args: argparse.Namespace) -> int:
    from intervet_plan.inputs.case import load_case
    from intervet_plan.outputs.describe import describe_case

    case = load_case(args.case)
    print(describe_case(case))
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from intervet_plan.api import run
    from intervet_plan.outputs.describe import describe_plan
    from intervet_plan.outputs.shortfall import shortfall_line

    plan, out = run(
        args.scenario,
        out=Path(args.out) if args.out else None,
        solver=args.solver,
        time_limit_s=args.time_limit,
        force=args.force,
        report=not args.no_report,
    )
    print(describe_plan(plan.summary, out))
    shortfall = shortfall_line(plan)
    if shortfall:
        print(f"  {shortfall}")
    if plan.diagnosis is not None:
        print("infeasible: the hard constraints cannot all hold.")
        if plan.diagnosis.get("lead"):
            print(f"  {plan.diagnosis['lead']}")
        print("  Smallest relaxation of them together:")
        for line in plan.diagnosis["summary"]:
            print(f"  - {line}")
        print(f"  details in {out / 'diagnosis.json'}")
    return plan.exit_code


def _tradeoff(args: argparse.Namespace) -> int:
    from intervet_plan.api import load, tradeoff

    with progress.stage("reading the scenario and its case"):
        ctx = load(args.scenario)
    names = "-".join(s.strip() for s in args.between.split(","))
    out = Path(args.out) if args.out else Path("reports") / f"{ctx.scenario.name}-tradeoff-{names}"
    df = tradeoff(ctx, args.between, args.points, out=out, time_limit_s=args.time_limit)
    print(df.to_string(index=False))
    for line in df.attrs["sentences"]:
        print(f"  {line}")
    print(f"wrote {out / 'tradeoff.csv'} and {out / 'tradeoff.html'} ({df.attrs['time_s']:.1f} s)")
    return EXIT_OK


def _generate(args: argparse.Namespace) -> int:
    from intervet_plan.generate import DEFAULT_SEED, generate_case
    from intervet_plan.outputs.folder import check_output_folder

    target = Path(args.out_dir)
    if not args.xlsx:  # a workbook already there is moved aside, so only folders are checked
        target = check_output_folder(target, option="OUT_DIR")
    elif not args.out_dir.lower().endswith(".xlsx") and target.exists() and not target.is_dir():
        raise InputError(
            Problem("OUT_DIR", None, None, f"'{target}' is a file; give a folder or an .xlsx name"),
            "arguments",
        )
    out = generate_case(
        target,
        scale=args.scale,
        seed=DEFAULT_SEED if args.seed is None else args.seed,
        xlsx=args.xlsx,
    )
    print(f"wrote {out}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from intervet_plan.domain.context import build_context
    from intervet_plan.inputs.allocation import read_allocation
    from intervet_plan.inputs.case import load_case
    from intervet_plan.inputs.scenario import Scenario
    from intervet_plan.inputs.scenario_file import load_scenario
    from intervet_plan.solve.check import blocking_swaps_of, check_allocation, swap_lines

    case = load_case(args.case)
    scenario = (
        load_scenario(args.scenario)
        if args.scenario
        else Scenario(name="check", case_path=Path(args.case))
    )
    ctx = build_context(case, scenario)
    table = read_allocation(Path(args.allocation))
    violations = check_allocation(ctx, table)
    if not violations:
        print(f"{args.allocation}: no rule broken")
    else:
        print(
            f"{len(violations)} rule violation{'s' if len(violations) != 1 else ''} in "
            f"{args.allocation}:"
        )
        for v in violations:
            print(f"  {v}")
    print("\n".join(swap_lines(blocking_swaps_of(ctx, table))))
    return EXIT_INFEASIBLE if violations else EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    from intervet_plan.solve.diff import diff_allocations, diff_text

    print(diff_text(diff_allocations(Path(args.old), Path(args.new))))
    return EXIT_OK


def _batch(args: argparse.Namespace) -> int:
    from intervet_plan.batch.pool import run_batch

    manifest = run_batch(
        [Path(s) for s in args.scenarios],
        Path(args.out or "reports/batch"),
        **_batch_kwargs(args),
    )
    return _batch_done(manifest)


def _sweep(args: argparse.Namespace) -> int:
    from intervet_plan.batch.sweep import default_sweep_dir, run_sweep

    out = Path(args.out) if args.out else default_sweep_dir(Path(args.scenario))
    return _batch_done(run_sweep(Path(args.scenario), args.vary, out, **_batch_kwargs(args)))


def _batch_kwargs(args: argparse.Namespace) -> BatchOptions:
    return {
        "jobs": args.jobs,
        "dask_address": args.dask,
        "time_limit_s": args.time_limit,
        "report": not args.no_report,
    }


def _batch_done(manifest: Manifest) -> int:
    """Print the table of runs; exit 0 when every run succeeded, else 1."""
    from intervet_plan.batch.results import results_text

    print(results_text(manifest))
    ok = manifest.ok and manifest.comparison_error is None
    return EXIT_OK if ok else EXIT_INTERNAL


_COMMANDS = {
    "validate": _validate,
    "run": _run,
    "check": _check,
    "diff": _diff,
    "tradeoff": _tradeoff,
    "generate": _generate,
    "batch": _batch,
    "sweep": _sweep,
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
