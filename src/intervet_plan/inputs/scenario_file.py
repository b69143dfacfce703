"""Reading a scenario file (SPEC section 4) into a :class:`Scenario`.

Unknown keys are refused with the nearest valid key as a suggestion; target filters accept
only the attributes of SPEC 3.3; paths are resolved relative to the scenario file. YAML is
read with the safe loader: scenario content is data, never code. A previous plan named by the
scenario is read here too (its rows are checked against the case by ``domain.context``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TypedDict

from intervet_plan.errors import InputError, Problem
from intervet_plan.inputs.limits import id_problem
from intervet_plan.inputs.plan import read_plan_table
from intervet_plan.inputs.raw import RawTable
from intervet_plan.inputs.scenario import TOP_KEYS, Blackout, Scenario, SolverSettings, Target
from intervet_plan.inputs.scenario_reader import Reader
from intervet_plan.inputs.scenario_sections import (
    read_blackouts,
    read_objective,
    read_quotas,
    read_solver,
    read_targets,
    read_tolerances,
)
from intervet_plan.inputs.yamlfile import load_yaml_with_lines, yaml_line


class _ScenarioFields(TypedDict, total=False):
    """The optional fields of :class:`Scenario` that a scenario file gives."""

    budget_eur: float | None
    quotas: Mapping[str, Mapping[str, int]]
    targets: tuple[Target, ...]
    blackouts: tuple[Blackout, ...]
    previous_plan: Path | None
    as_of: dt.date | None
    withdrawn: tuple[str, ...]
    objective: tuple[str, ...]
    tolerances: Mapping[str, float]
    solver: SolverSettings
    previous_table: RawTable | None
    previous_problems: tuple[Problem, ...]


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file; raise :class:`InputError` listing every problem."""
    p = Path(path)
    label = str(path)

    def fail(message: str, line: int | None = None) -> InputError:
        return InputError(Problem(label, line, None, message), f"scenario {label}")

    try:
        if not p.is_file():
            if p.is_dir():
                raise fail("is a folder; give the scenario's YAML file")
            raise fail("scenario file not found")
        data_bytes = p.read_bytes()
    except (OSError, ValueError) as e:
        raise fail(f"cannot be read ({getattr(e, 'strerror', None) or e})") from None
    if b"\x00" in data_bytes or data_bytes.startswith(b"PK\x03\x04"):
        raise fail("is not a text file (it holds binary data); a scenario is a YAML text file")
    try:
        text = data_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data_bytes[: e.start].count(b"\n") + 1
        raise fail(
            f"is not UTF-8 text (byte 0x{data_bytes[e.start]:02x}); save it as UTF-8", line
        ) from None
    problems: list[Problem] = []
    data, _ = load_yaml_with_lines(text, label, problems)
    if problems:
        raise InputError(problems, f"scenario {label}")
    if not isinstance(data, dict):
        what = (
            "is empty"
            if data is None
            else "holds a list"
            if isinstance(data, list)
            else "holds a single value"
        )
        raise fail(f"{what}; a scenario is key: value lines with at least name and case", 1)
    return parse_scenario(data, base=p.parent, label=label, path=p)


def parse_scenario(
    data: Mapping[str, object],
    base: Path = Path("."),
    label: str = "scenario",
    path: Path | None = None,
) -> Scenario:
    """Check a scenario given as a mapping (as read from YAML)."""
    r = Reader(label)
    r.keys(data, TOP_KEYS, "")
    name = r.ident(data, "name", "", required=True)  # never . or ..: a letter or digit first
    case = r.text(data, "case", "", required=True)
    kw: _ScenarioFields = {}
    if "budget_eur" in data:
        b = r.number(data, "budget_eur", "")
        if b is not None and b <= 0:
            r.add(data, "budget_eur", "budget_eur", f"'{b:g}' must be greater than 0")
        elif b is not None and b < 0.01:  # money is kept to the cent
            r.add(
                data,
                "budget_eur",
                "budget_eur",
                f"'{b:g}' is less than a cent; give the budget in euro",
            )
        kw["budget_eur"] = b
    if "quotas" in data:
        kw["quotas"] = read_quotas(r, data["quotas"], data)
    if "targets" in data:
        kw["targets"] = read_targets(r, data["targets"], data)
    if "blackouts" in data:
        kw["blackouts"] = read_blackouts(r, data["blackouts"], data)
    if data.get("previous_plan") is not None:
        pp = r.text(data, "previous_plan", "")
        if pp:
            found = r.path(data, "previous_plan", base, pp)
            if found is not None:
                kw["previous_plan"] = found
                if not _is_file(found):
                    r.add(
                        data,
                        "previous_plan",
                        "previous_plan",
                        f"'{pp}' not found (looked for {found})",
                    )
    if data.get("as_of") is not None:
        kw["as_of"] = r.date(data, "as_of", "")
    elif "as_of" in data:
        r.add(data, "as_of", "as_of", "is empty; give the re-plan date (YYYY-MM-DD)")
    if data.get("previous_plan") is not None and data.get("as_of") is None:
        r.add(
            data,
            "previous_plan",
            "as_of",
            "a re-plan needs as_of: the re-plan date (YYYY-MM-DD); placements that start "
            "before it are kept",
        )
    if data.get("withdrawn") is not None:
        kw["withdrawn"] = _read_withdrawn(r, data["withdrawn"], data)
    if "objective" in data:
        kw["objective"] = read_objective(r, data["objective"], data)
    if "tolerances" in data:
        kw["tolerances"] = read_tolerances(r, data["tolerances"], data)
    if "solver" in data:
        kw["solver"] = read_solver(r, data["solver"], data)
    case_path = r.path(data, "case", base, case) if case else None
    if r.problems:
        raise InputError(r.problems, f"scenario {label}")
    # case is required and an unusable path is a problem, so past this point it is known
    assert case_path is not None
    previous_plan = kw.get("previous_plan")
    if previous_plan is not None:
        kw["previous_table"], kw["previous_problems"] = read_plan_table(previous_plan)
    return Scenario(
        name=str(name),
        case_path=case_path,
        path=path,
        lines=r.lines,
        **kw,
    )


def _read_withdrawn(r: Reader, v: object, parent: object) -> tuple[str, ...]:
    """``withdrawn: [participant ids]``: ids as text, each once (checked against the case by
    ``check_against_case``); the line of each is kept for messages."""
    seq = r.sequence(v, parent, "withdrawn", "withdrawn")
    r.lines["withdrawn"] = yaml_line(parent, "withdrawn") or 0
    out: list[str] = []
    for i, pid in enumerate(seq or []):
        r.lines[f"withdrawn[{i}]"] = yaml_line(seq, i) or r.lines["withdrawn"]
        if not isinstance(pid, str | int) or isinstance(pid, bool):
            r.add(seq, i, f"withdrawn[{i}]", f"'{pid}' must be a participant_id")
            continue
        problem = id_problem(str(pid))
        if problem is not None:
            r.add(seq, i, f"withdrawn[{i}]", problem)
        elif str(pid) in out:
            r.add(seq, i, f"withdrawn[{i}]", f"'{pid}' is listed twice")
        else:
            out.append(str(pid))
    return tuple(out)


def _is_file(p: Path) -> bool:
    try:
        return p.is_file()
    except (OSError, ValueError):
        return False
