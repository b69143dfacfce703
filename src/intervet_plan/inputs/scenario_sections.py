"""The readers of the sections of a scenario file (quotas, targets and their filters,
blackouts, objective, tolerances, solver), each adding its problems to the :class:`Reader`."""

from __future__ import annotations

import difflib

from intervet_plan.inputs.limits import id_problem
from intervet_plan.inputs.limits import shown as _shown
from intervet_plan.inputs.parsers import COUNTRY_RE
from intervet_plan.inputs.scenario import (
    BLACKOUT_KEYS,
    LEVELS,
    MATCH_ATTRIBUTES,
    QUOTA_KEYS,
    SCOPE_ATTRIBUTES,
    SOLVER_KEYS,
    SOLVERS,
    TARGET_KEYS,
    Blackout,
    SolverSettings,
    Target,
    suggest,
)
from intervet_plan.inputs.scenario_reader import Reader
from intervet_plan.inputs.yamlfile import yaml_line


def read_quotas(r: Reader, v: object, parent: object) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    m = r.mapping(v, parent, "quotas", "quotas")
    for act, spec in (m or {}).items():
        path = f"quotas.{_shown(act)}."
        line = yaml_line(m, act)
        if line is not None:
            r.lines[path[:-1]] = line
        s = r.mapping(spec, m, act, path[:-1])
        if s is None:
            continue
        r.keys(s, QUOTA_KEYS, path)
        if not s:
            r.add(m, act, path[:-1], "give quota, quota_min or both")
        q = {k: r.integer(s, k, path) for k in QUOTA_KEYS if k in s}
        for k in q:
            r.lines[f"{path}{k}"] = yaml_line(s, k) or 0
        out[str(act)] = {k: x for k, x in q.items() if x is not None}
        quota, quota_min = q.get("quota"), q.get("quota_min")
        if quota is not None and quota_min is not None and quota_min > quota:
            r.add(
                s,
                "quota_min",
                f"{path}quota_min",
                f"'{quota_min}' is greater than quota {quota}",
            )
    return out


def read_filter(
    r: Reader, v: object, parent: object, key: str, path: str, valid: tuple[str, ...]
) -> dict[str, frozenset[object]]:
    m = r.mapping(v, parent, key, path)
    out: dict[str, frozenset[object]] = {}
    for attr, val in (m or {}).items():
        if attr not in valid:
            close = difflib.get_close_matches(str(attr), valid, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            r.add(
                m,
                attr,
                f"{path}.{_shown(attr)}",
                f"'{_shown(attr)}' is not a filter attribute; {hint}allowed: {', '.join(valid)}",
            )
            continue
        vals = val if isinstance(val, list) else [val]
        if not vals or any(isinstance(x, dict | list) or x is None for x in vals):
            r.add(
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
                r.add(m, attr, f"{path}.{attr}", bad[0])
                continue
        if rule:
            r.add(m, attr, f"{path}.{attr}", f"'{shown}' {rule}")
            continue
        line = yaml_line(m, attr)
        if line is not None:
            r.lines[f"{path}.{attr}"] = line
        out[str(attr)] = frozenset(x if isinstance(x, bool) else str(x) for x in vals)
    return out


def read_targets(r: Reader, v: object, parent: object) -> tuple[Target, ...]:
    seq = r.sequence(v, parent, "targets", "targets")
    out: list[Target] = []
    names: dict[str, str] = {}
    for i, t in enumerate(seq or []):
        path = f"targets[{i}]"
        m = r.mapping(t, seq, i, path)
        if m is None:
            continue
        r.keys(m, TARGET_KEYS, f"{path}.")
        name = r.ident(m, "name", f"{path}.", required=True)
        if name is not None and name in names:
            r.add(
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
            r.add(seq, i, path, f"give exactly one of share_of, count_of or for_each{given}")
            continue
        kind = kinds[0]
        match: dict[str, frozenset[object]] = {}
        for_each = None
        if kind == "for_each":
            fe = m["for_each"]
            if not isinstance(fe, str) or fe not in MATCH_ATTRIBUTES:
                r.add(
                    m,
                    "for_each",
                    f"{path}.for_each",
                    f"'{_shown(fe)}' is not a filter attribute; "
                    f"{suggest(str(fe), MATCH_ATTRIBUTES, 'allowed')}",
                )
                continue
            for_each = fe
        else:
            match = read_filter(r, m[kind], m, kind, f"{path}.{kind}", MATCH_ATTRIBUTES)
            if isinstance(m[kind], dict) and not m[kind]:
                r.add(
                    m,
                    kind,
                    f"{path}.{kind}",
                    f"names no attribute; give one of {', '.join(MATCH_ATTRIBUTES)}",
                )
        among = (
            read_filter(r, m["among"], m, "among", f"{path}.among", SCOPE_ATTRIBUTES)
            if m.get("among") is not None
            else {}
        )
        if name is not None and "activity_id" in among:
            r.lines[f"targets.{name}.among.activity_id"] = r.lines.get(
                f"{path}.among.activity_id", 0
            )
        if name is not None and "org_id" in match:
            r.lines[f"targets.{name}.{kind}.org_id"] = r.lines.get(f"{path}.{kind}.org_id", 0)
        is_count = kind == "count_of"
        hi = None if is_count else 1.0
        lo_v = r.number(m, "min", f"{path}.", 0.0, hi)
        hi_v = r.number(m, "max", f"{path}.", 0.0, hi)
        if m.get("min") is None and m.get("max") is None:
            r.add(seq, i, path, "give min, max or both")
        if lo_v is not None and hi_v is not None and lo_v > hi_v:
            r.add(m, "max", f"{path}.max", f"'{hi_v:g}' is below min {lo_v:g}")
        hard = r.boolean(m, "hard", f"{path}.", False)
        weight = r.number(m, "weight", f"{path}.", 0.0)
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


def read_blackouts(r: Reader, v: object, parent: object) -> tuple[Blackout, ...]:
    seq = r.sequence(v, parent, "blackouts", "blackouts")
    out = []
    for i, b in enumerate(seq or []):
        path = f"blackouts[{i}]"
        m = r.mapping(b, seq, i, path)
        if m is None:
            continue
        r.keys(m, BLACKOUT_KEYS, f"{path}.")
        missing = [k for k in ("from", "to") if m.get(k) is None]
        if missing:
            r.add(
                seq,
                i,
                path,
                f"is missing {' and '.join(repr(k) for k in missing)}; a blackout "
                "needs from and to dates (YYYY-MM-DD)",
            )
            continue
        lo, hi = r.date(m, "from", f"{path}."), r.date(m, "to", f"{path}.")
        if lo and hi and lo > hi:
            r.add(m, "to", f"{path}.to", f"'{hi}' is before from {lo}")
        countries = None
        if m.get("countries") is not None:
            cs = m["countries"] if isinstance(m["countries"], list) else [m["countries"]]
            bad = [c for c in cs if not isinstance(c, str) or not COUNTRY_RE.match(c)]
            if bad or not cs:
                r.add(
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


def read_objective(r: Reader, v: object, parent: object) -> tuple[str, ...]:
    seq = r.sequence(v, parent, "objective", "objective") or []
    out: list[str] = []
    for i, x in enumerate(seq):
        if not isinstance(x, str) or x not in LEVELS:
            r.add(
                seq,
                i,
                "objective",
                f"'{_shown(x)}' is not an objective level; {suggest(str(x), LEVELS, 'levels')}",
            )
        elif x in out:
            r.add(seq, i, "objective", f"'{x}' is listed twice")
        else:
            out.append(x)
    if isinstance(v, list) and not v:
        r.add(parent, "objective", "objective", "lists no objective level")
    return tuple(out)


def read_tolerances(r: Reader, v: object, parent: object) -> dict[str, float]:
    m = r.mapping(v, parent, "tolerances", "tolerances") or {}
    r.keys(m, LEVELS, "tolerances.")
    out = {}
    for k in m:
        if k in LEVELS:
            x = r.number(m, k, "tolerances.", 0.0)
            if x is not None:
                out[str(k)] = x
    return out


def read_solver(r: Reader, v: object, parent: object) -> SolverSettings:
    m = r.mapping(v, parent, "solver", "solver") or {}
    r.keys(m, SOLVER_KEYS, "solver.")
    name = str(m.get("name", "highs")).lower()
    if name not in SOLVERS:
        r.add(m, "name", "solver.name", f"'{_shown(m.get('name'))}' is not one of highs, cbc")
        name = "highs"
    tl = r.number(m, "time_limit_s", "solver.", 0.0)
    if tl is not None and tl <= 0:
        r.add(
            m,
            "time_limit_s",
            "solver.time_limit_s",
            f"'{tl:g}' must be greater than 0 (leave it out for no limit)",
        )
    gap = r.number(m, "mip_gap", "solver.", 0.0, 1.0)
    threads = r.integer(m, "threads", "solver.", 1)
    seed = r.integer(m, "seed", "solver.", 0)
    return SolverSettings(
        name=name, time_limit_s=tl, mip_gap=gap or 0.0, threads=threads or 1, seed=seed or 0
    )
