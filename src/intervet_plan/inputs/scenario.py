"""The scenario file (SPEC section 4): a strict, typed model.

Unknown keys are refused with the nearest valid key as a suggestion; target filters accept
only the attributes of SPEC 3.3; paths are resolved relative to the scenario file. YAML is
read with the safe loader: scenario content is data, never code.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from intervet_plan.errors import InputError, Problem
from intervet_plan.inputs.limits import INT_LIMIT, NUMBER_LIMIT, id_problem
from intervet_plan.inputs.limits import shown as _shown
from intervet_plan.inputs.yamlfile import load_yaml_with_lines, yaml_line, yaml_start

LEVELS = ("placements", "stability", "targets", "priority", "preferences", "cost")
SOLVERS = ("highs", "cbc")
MATCH_ATTRIBUTES = ("gender", "fewer_opportunities", "country", "sector", "org_id")
SCOPE_ATTRIBUTES = ("participant_type", "activity_id", "direction")
TOP_KEYS = (
    "name",
    "case",
    "budget_eur",
    "quotas",
    "targets",
    "blackouts",
    "previous_plan",
    "as_of",
    "objective",
    "tolerances",
    "solver",
)
QUOTA_KEYS = ("quota", "quota_min")
TARGET_KEYS = ("name", "share_of", "count_of", "for_each", "among", "min", "max", "hard", "weight")
BLACKOUT_KEYS = ("from", "to", "countries")
SOLVER_KEYS = ("name", "time_limit_s", "mip_gap", "threads", "seed")
# A number given as text: YAML 1.1 reads 1e6 and 1.5e6 as text (it wants 1.0e+6).
NUMBER_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


@dataclass(frozen=True)
class Target:
    """A share or count over placements (SPEC 3.3). ``match`` and ``among`` map an attribute
    to the accepted values (several keys: all must match)."""

    name: str
    kind: str  # "share" or "count"
    match: Mapping[str, frozenset[object]]
    among: Mapping[str, frozenset[object]] = field(default_factory=dict)
    min: float | None = None
    max: float | None = None
    hard: bool = False
    weight: float = 1.0
    for_each: str | None = None  # expanded per value by the model


@dataclass(frozen=True)
class Blackout:
    start: dt.date
    end: dt.date
    countries: frozenset[str] | None = None  # None: everywhere


@dataclass(frozen=True)
class SolverSettings:
    name: str = "highs"
    time_limit_s: float | None = None
    mip_gap: float = 0.0
    threads: int = 1
    seed: int = 0


@dataclass(frozen=True)
class Scenario:
    name: str
    case_path: Path
    path: Path | None = None
    budget_eur: float | None = None
    quotas: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    targets: tuple[Target, ...] = ()
    blackouts: tuple[Blackout, ...] = ()
    previous_plan: Path | None = None
    as_of: dt.date | None = None
    objective: tuple[str, ...] = LEVELS
    tolerances: Mapping[str, float] = field(default_factory=dict)
    solver: SolverSettings = field(default_factory=SolverSettings)
    # line of each key path in the file ("quotas.WBL", "targets[0].among"), for messages
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)


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
    r = _Reader(label)
    r.keys(data, TOP_KEYS, "")
    name = r.ident(data, "name", "", required=True)  # never . or ..: a letter or digit first
    case = r.text(data, "case", "", required=True)
    kw: dict[str, object] = {}
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
        kw["quotas"] = r.quotas(data["quotas"], data)
    if "targets" in data:
        kw["targets"] = r.targets(data["targets"], data)
    if "blackouts" in data:
        kw["blackouts"] = r.blackouts(data["blackouts"], data)
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
    if "objective" in data:
        kw["objective"] = r.objective(data["objective"], data)
    if "tolerances" in data:
        kw["tolerances"] = r.tolerances(data["tolerances"], data)
    if "solver" in data:
        kw["solver"] = r.solver(data["solver"], data)
    case_path = r.path(data, "case", base, case) if case else None
    if r.problems:
        raise InputError(r.problems, f"scenario {label}")
    return Scenario(
        name=str(name),
        case_path=case_path,
        path=path,  # type: ignore[arg-type]
        lines=r.lines,
        **kw,
    )  # type: ignore[arg-type]


def _number_text(v: object) -> object:
    """``v``, or the number it writes when it is text such as ``1e6`` (which YAML 1.1 reads
    as text); other text is returned as it is (and refused as not a number)."""
    if isinstance(v, str) and NUMBER_TEXT.fullmatch(v.strip()):
        x = float(v)
        return int(x) if x.is_integer() and abs(x) <= INT_LIMIT else x
    return v


def _is_file(p: Path) -> bool:
    try:
        return p.is_file()
    except (OSError, ValueError):
        return False


def suggest(key: str, valid: tuple[str, ...], what: str = "valid keys") -> str:
    """``did you mean 'x'?`` for the nearest valid name, else the list of valid names."""
    close = difflib.get_close_matches(str(key), valid, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"{what}: {', '.join(valid)}"


class _Reader:
    """Collects every problem of a scenario with the YAML line and the key path."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}

    def add(self, mapping: object, key: object, path: str, message: str) -> None:
        line = yaml_line(mapping, key) or yaml_start(mapping)
        self.problems.append(Problem(self.label, line, path or None, message))

    def keys(self, m: Mapping[str, object], valid: tuple[str, ...], prefix: str) -> None:
        for k in m:
            if k not in valid:
                self.add(m, k, f"{prefix}{_shown(k)}", f"unknown key; {suggest(str(k), valid)}")

    def _get(self, m: Mapping[str, object], key: str, path: str, required: bool) -> object:
        v = m.get(key)
        if (v is None or v == "") and required:
            where = "is empty" if key in m else "is missing"
            self.add(m, key, f"{path}{key}", f"{where}; it is required")
            return None
        return v

    def text(
        self, m: Mapping[str, object], key: str, path: str, required: bool = False
    ) -> str | None:
        v = self._get(m, key, path, required)
        if v is None:
            return None
        if not isinstance(v, str | int | float) or isinstance(v, bool):
            self.add(m, key, f"{path}{key}", f"'{_shown(v)}' must be text")
            return None
        return str(v)

    def ident(
        self, m: Mapping[str, object], key: str, path: str, required: bool = False
    ) -> str | None:
        v = self.text(m, key, path, required)
        problem = None if v is None else id_problem(v)
        if problem is not None:
            self.add(m, key, f"{path}{key}", problem)
            return None
        return v

    def path(self, m: Mapping[str, object], key: str, base: Path, text: str) -> Path | None:
        """A path given relative to the scenario file."""
        try:
            return (base / text).resolve()
        except (OSError, ValueError, RuntimeError) as e:
            self.add(m, key, key, f"'{_shown(text)}' is not a usable path ({e})")
            return None

    def number(
        self,
        m: Mapping[str, object],
        key: str,
        path: str,
        lo: float | None = None,
        hi: float | None = None,
    ) -> float | None:
        raw = m.get(key)
        v, s = _number_text(raw), _shown(raw).strip()
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int | float):
            self.add(m, key, f"{path}{key}", f"'{s}' is not a number")
            return None
        if not math.isfinite(v):
            self.add(m, key, f"{path}{key}", f"'{s}' is not a finite number")
            return None
        if abs(v) > NUMBER_LIMIT:
            self.add(
                m, key, f"{path}{key}", f"'{s}' is too large; it must be {NUMBER_LIMIT:.0f} or less"
            )
            return None
        if lo is not None and v < lo or hi is not None and v > hi:
            rng = f"{lo:g}..{hi:g}" if hi is not None else f"{lo:g} or more"
            self.add(m, key, f"{path}{key}", f"'{s}' must be {rng}")
            return None
        return float(v)

    def integer(self, m: Mapping[str, object], key: str, path: str, lo: int = 0) -> int | None:
        raw = m.get(key)
        v, s = _number_text(raw), _shown(raw).strip()
        if v is None:
            return None
        if (
            isinstance(v, bool)
            or not isinstance(v, int | float)
            or not math.isfinite(v)
            or not float(v).is_integer()
        ):
            self.add(m, key, f"{path}{key}", f"'{s}' is not a whole number")
            return None
        if abs(v) > INT_LIMIT:
            self.add(m, key, f"{path}{key}", f"'{s}' is too large; it must be {INT_LIMIT} or less")
            return None
        if v < lo:
            self.add(m, key, f"{path}{key}", f"'{s}' must be {lo} or more")
            return None
        return int(v)

    def date(self, m: Mapping[str, object], key: str, path: str) -> dt.date | None:
        v = m.get(key)
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, dt.date):
            return v
        if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v.strip()):
            try:
                return dt.date.fromisoformat(v.strip())
            except ValueError:  # e.g. 2020-02-30
                pass
        self.add(m, key, f"{path}{key}", f"'{_shown(v)}' is not a date in the form YYYY-MM-DD")
        return None

    def boolean(self, m: Mapping[str, object], key: str, path: str, default: bool) -> bool:
        v = m.get(key)
        if v is None:
            return default
        if isinstance(v, bool):
            return v
        self.add(m, key, f"{path}{key}", f"'{_shown(v)}' is not true or false")
        return default

    def mapping(self, v: object, parent: object, key: object, path: str) -> Mapping | None:
        if not isinstance(v, dict):
            self.add(parent, key, path, f"'{_shown(v)}' must be a mapping of key: value")
            return None
        return v

    def sequence(self, v: object, parent: object, key: object, path: str) -> list | None:
        if not isinstance(v, list):
            self.add(parent, key, path, f"'{_shown(v)}' must be a list")
            return None
        return v

    # --- sections
    def quotas(self, v: object, parent: object) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        m = self.mapping(v, parent, "quotas", "quotas")
        for act, spec in (m or {}).items():
            path = f"quotas.{_shown(act)}."
            line = yaml_line(m, act)
            if line is not None:
                self.lines[path[:-1]] = line
            s = self.mapping(spec, m, act, path[:-1])
            if s is None:
                continue
            self.keys(s, QUOTA_KEYS, path)
            if not s:
                self.add(m, act, path[:-1], "give quota, quota_min or both")
            q = {k: self.integer(s, k, path) for k in QUOTA_KEYS if k in s}
            for k in q:
                self.lines[f"{path}{k}"] = yaml_line(s, k) or 0
            out[str(act)] = {k: x for k, x in q.items() if x is not None}
            if (
                q.get("quota") is not None
                and q.get("quota_min") is not None
                and q["quota_min"] > q["quota"]
            ):  # type: ignore[operator]
                self.add(
                    s,
                    "quota_min",
                    f"{path}quota_min",
                    f"'{q['quota_min']}' is greater than quota {q['quota']}",
                )
        return out

    def _filter(
        self, v: object, parent: object, key: str, path: str, valid: tuple[str, ...]
    ) -> dict[str, frozenset[object]]:
        from intervet_plan.inputs.case import COUNTRY_RE

        m = self.mapping(v, parent, key, path)
        out: dict[str, frozenset[object]] = {}
        for attr, val in (m or {}).items():
            if attr not in valid:
                close = difflib.get_close_matches(str(attr), valid, n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'? " if close else ""
                self.add(
                    m,
                    attr,
                    f"{path}.{_shown(attr)}",
                    f"'{_shown(attr)}' is not a filter attribute; {hint}"
                    f"allowed: {', '.join(valid)}",
                )
                continue
            vals = val if isinstance(val, list) else [val]
            if not vals or any(isinstance(x, dict | list) or x is None for x in vals):
                self.add(
                    m,
                    attr,
                    f"{path}.{attr}",
                    f"'{_shown(val)}' must be a value or a list of values",
                )
                continue
            shown = _shown(val)
            rule = None
            if attr == "fewer_opportunities" and not all(isinstance(x, bool) for x in vals):
                rule = "is not true or false"
            elif attr == "gender" and not set(map(str, vals)) <= {"F", "M", "X"}:
                rule = "is not one of F, M, X"
            elif attr == "participant_type" and not set(map(str, vals)) <= {"learner", "staff"}:
                rule = "is not one of learner, staff"
            elif attr == "direction" and not set(map(str, vals)) <= {"WB_TO_EU", "EU_TO_WB"}:
                rule = "is not one of WB_TO_EU, EU_TO_WB"
            elif attr == "country" and not all(COUNTRY_RE.match(str(x)) for x in vals):
                rule = "is not a two-letter ISO 3166-1 country code (XK for Kosovo)"
            elif attr in ("org_id", "activity_id"):
                bad = [p for p in (id_problem(str(x)) for x in vals) if p is not None]
                if bad:
                    self.add(m, attr, f"{path}.{attr}", bad[0])
                    continue
            if rule:
                self.add(m, attr, f"{path}.{attr}", f"'{shown}' {rule}")
                continue
            line = yaml_line(m, attr)
            if line is not None:
                self.lines[f"{path}.{attr}"] = line
            out[str(attr)] = frozenset(x if isinstance(x, bool) else str(x) for x in vals)
        return out

    def targets(self, v: object, parent: object) -> tuple[Target, ...]:
        seq = self.sequence(v, parent, "targets", "targets")
        out: list[Target] = []
        names: dict[str, str] = {}
        for i, t in enumerate(seq or []):
            path = f"targets[{i}]"
            m = self.mapping(t, seq, i, path)
            if m is None:
                continue
            self.keys(m, TARGET_KEYS, f"{path}.")
            name = self.ident(m, "name", f"{path}.", required=True)
            if name is not None and name in names:
                self.add(
                    m,
                    "name",
                    f"{path}.name",
                    f"'{name}' is already the name of {names[name]}; target names must be unique",
                )
            elif name is not None:
                names[name] = path
            kinds = [k for k in ("share_of", "count_of", "for_each") if k in m]
            if len(kinds) != 1:
                given = f" (it gives {' and '.join(kinds)})" if kinds else ""
                self.add(seq, i, path, f"give exactly one of share_of, count_of or for_each{given}")
                continue
            kind = kinds[0]
            match: dict[str, frozenset[object]] = {}
            for_each = None
            if kind == "for_each":
                fe = m["for_each"]
                if not isinstance(fe, str) or fe not in MATCH_ATTRIBUTES:
                    self.add(
                        m,
                        "for_each",
                        f"{path}.for_each",
                        f"'{_shown(fe)}' is not a filter attribute; "
                        f"{suggest(str(fe), MATCH_ATTRIBUTES, 'allowed')}",
                    )
                    continue
                for_each = fe
            else:
                match = self._filter(m[kind], m, kind, f"{path}.{kind}", MATCH_ATTRIBUTES)
                if isinstance(m[kind], dict) and not m[kind]:
                    self.add(
                        m,
                        kind,
                        f"{path}.{kind}",
                        f"names no attribute; give one of {', '.join(MATCH_ATTRIBUTES)}",
                    )
            among = (
                self._filter(m["among"], m, "among", f"{path}.among", SCOPE_ATTRIBUTES)
                if m.get("among") is not None
                else {}
            )
            if name is not None and "activity_id" in among:
                self.lines[f"targets.{name}.among.activity_id"] = self.lines.get(
                    f"{path}.among.activity_id", 0
                )
            if name is not None and "org_id" in match:
                self.lines[f"targets.{name}.{kind}.org_id"] = self.lines.get(
                    f"{path}.{kind}.org_id", 0
                )
            is_count = kind == "count_of"
            hi = None if is_count else 1.0
            lo_v = self.number(m, "min", f"{path}.", 0.0, hi)
            hi_v = self.number(m, "max", f"{path}.", 0.0, hi)
            if m.get("min") is None and m.get("max") is None:
                self.add(seq, i, path, "give min, max or both")
            if lo_v is not None and hi_v is not None and lo_v > hi_v:
                self.add(m, "max", f"{path}.max", f"'{hi_v:g}' is below min {lo_v:g}")
            hard = self.boolean(m, "hard", f"{path}.", False)
            weight = self.number(m, "weight", f"{path}.", 0.0)
            out.append(
                Target(
                    name=str(name),
                    kind="count" if is_count else "share",
                    match=match,
                    among=among,
                    min=lo_v,
                    max=hi_v,
                    hard=hard,
                    weight=1.0 if weight is None else weight,
                    for_each=for_each,
                )
            )
        return tuple(out)

    def blackouts(self, v: object, parent: object) -> tuple[Blackout, ...]:
        from intervet_plan.inputs.case import COUNTRY_RE

        seq = self.sequence(v, parent, "blackouts", "blackouts")
        out = []
        for i, b in enumerate(seq or []):
            path = f"blackouts[{i}]"
            m = self.mapping(b, seq, i, path)
            if m is None:
                continue
            self.keys(m, BLACKOUT_KEYS, f"{path}.")
            missing = [k for k in ("from", "to") if m.get(k) is None]
            if missing:
                self.add(
                    seq,
                    i,
                    path,
                    f"is missing {' and '.join(repr(k) for k in missing)}; a blackout "
                    "needs from and to dates (YYYY-MM-DD)",
                )
                continue
            lo, hi = self.date(m, "from", f"{path}."), self.date(m, "to", f"{path}.")
            if lo and hi and lo > hi:
                self.add(m, "to", f"{path}.to", f"'{hi}' is before from {lo}")
            countries = None
            if m.get("countries") is not None:
                cs = m["countries"] if isinstance(m["countries"], list) else [m["countries"]]
                bad = [c for c in cs if not isinstance(c, str) or not COUNTRY_RE.match(c)]
                if bad or not cs:
                    self.add(
                        m,
                        "countries",
                        f"{path}.countries",
                        f"'{_shown(bad[0] if bad else cs)}' is not a two-letter country "
                        "code (XK for Kosovo)"
                        if bad
                        else "lists no country; leave countries out to black out everywhere",
                    )
                countries = frozenset(str(c) for c in cs)
            if lo and hi:
                out.append(Blackout(lo, hi, countries))
        return tuple(out)

    def objective(self, v: object, parent: object) -> tuple[str, ...]:
        seq = self.sequence(v, parent, "objective", "objective") or []
        out: list[str] = []
        for i, x in enumerate(seq):
            if not isinstance(x, str) or x not in LEVELS:
                self.add(
                    seq,
                    i,
                    "objective",
                    f"'{_shown(x)}' is not an objective level; {suggest(str(x), LEVELS, 'levels')}",
                )
            elif x in out:
                self.add(seq, i, "objective", f"'{x}' is listed twice")
            else:
                out.append(x)
        if isinstance(v, list) and not v:
            self.add(parent, "objective", "objective", "lists no objective level")
        return tuple(out)

    def tolerances(self, v: object, parent: object) -> dict[str, float]:
        m = self.mapping(v, parent, "tolerances", "tolerances") or {}
        self.keys(m, LEVELS, "tolerances.")
        out = {}
        for k in m:
            if k in LEVELS:
                x = self.number(m, k, "tolerances.", 0.0)
                if x is not None:
                    out[str(k)] = x
        return out

    def solver(self, v: object, parent: object) -> SolverSettings:
        m = self.mapping(v, parent, "solver", "solver") or {}
        self.keys(m, SOLVER_KEYS, "solver.")
        name = str(m.get("name", "highs")).lower()
        if name not in SOLVERS:
            self.add(
                m, "name", "solver.name", f"'{_shown(m.get('name'))}' is not one of highs, cbc"
            )
            name = "highs"
        tl = self.number(m, "time_limit_s", "solver.", 0.0)
        if tl is not None and tl <= 0:
            self.add(
                m,
                "time_limit_s",
                "solver.time_limit_s",
                f"'{tl:g}' must be greater than 0 (leave it out for no limit)",
            )
        gap = self.number(m, "mip_gap", "solver.", 0.0, 1.0)
        threads = self.integer(m, "threads", "solver.", 1)
        seed = self.integer(m, "seed", "solver.", 0)
        return SolverSettings(
            name=name, time_limit_s=tl, mip_gap=gap or 0.0, threads=threads or 1, seed=seed or 0
        )


def check_against_case(scenario: Scenario, case: object) -> list[Problem]:
    """Rules that need the case: quota overrides and target scopes name real activities,
    target filters name real organisations, and merged quota_min <= quota."""
    acts = case.activities  # type: ignore[attr-defined]
    orgs = case.organisations  # type: ignore[attr-defined]
    label = str(scenario.path) if scenario.path else "scenario"
    lines = getattr(scenario, "lines", {}) or {}
    problems: list[Problem] = []

    def add(path: str, message: str) -> None:
        problems.append(Problem(label, lines.get(path) or None, path, message))

    for act, q in scenario.quotas.items():
        if act not in acts.index:
            add(
                f"quotas.{act}",
                f"'{act}' is not an activity_id of the case; "
                f"{suggest(act, tuple(acts.index), 'activities')}",
            )
            continue
        quota = q.get("quota", int(acts.at[act, "quota"]))
        qmin = q.get("quota_min", int(acts.at[act, "quota_min"]))
        if qmin > quota and "quota_min" in q:
            add(f"quotas.{act}.quota_min", f"'{qmin}' is greater than quota {quota} of the case")
        elif qmin > quota:
            add(f"quotas.{act}.quota", f"'{quota}' is less than quota_min {qmin} of the case")
    for t in scenario.targets:
        for a in sorted(map(str, t.among.get("activity_id", ()))):
            if a not in acts.index:
                add(
                    f"targets.{t.name}.among.activity_id",
                    f"'{a}' is not an activity_id of the case; "
                    f"{suggest(a, tuple(acts.index), 'activities')}",
                )
        kind = "count_of" if t.kind == "count" else "share_of"
        for o in sorted(map(str, t.match.get("org_id", ()))):
            if o not in orgs.index:
                add(f"targets.{t.name}.{kind}.org_id", f"'{o}' is not an org_id of the case")
    return problems
