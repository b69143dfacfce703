"""What the allocation report shows, computed from a run folder read back
(:func:`intervet_plan.outputs.run_folder.read_run`): tables of quotas, costs, targets,
unplaced applicants, solver levels and timings, and the report's markdown text. No files,
no figures."""

from __future__ import annotations

import pandas as pd

from intervet_plan.outputs.labels import (
    COST_WORDS,
    LEVEL_UNITS,
    REASON_WORDS,
    STEP_WORDS,
    Labels,
    level_phrase,
    percent,
    words,
)
from intervet_plan.outputs.preference_views import preference_counts
from intervet_plan.outputs.run_folder import RunFolder
from intervet_plan.solve.tables import MONEY_COLUMNS


def names(res: RunFolder) -> Labels:
    """The run's activity labels and organisation names (summary.json's ``labels``)."""
    return Labels.of(res["summary"])


def quota_table(res: RunFolder) -> pd.DataFrame:
    """Per activity, by its label: placed, quota, minimum and placed as a share of the quota,
    then a ``total`` row."""
    s, label = res["summary"], names(res)
    rows: list[tuple[str, int, int, int]] = [
        (label.activity(a), int(s.get("placed", {}).get(a, 0)), int(q))
        + (int(s.get("quota_min", {}).get(a, 0)),)
        for a, q in sorted(s.get("quota", {}).items())
    ]
    if rows:
        total = ("total", sum(r[1] for r in rows), sum(r[2] for r in rows))
        rows.append((*total, sum(r[3] for r in rows)))
    t = pd.DataFrame(rows, columns=["activity", "placed", "quota", "minimum"])
    t["placed of the quota"] = [percent(p, q) for p, q in zip(t["placed"], t["quota"], strict=True)]
    return t


def cost_table(res: RunFolder) -> pd.DataFrame:
    """Cost per activity by cost type (EUR), then rows ``total``, ``budget`` and
    ``remaining`` (ids and column names of allocation.csv: the workbook's ``costs`` sheet;
    :func:`cost_display` is the report's)."""
    a = res["allocation"]
    cols = list(MONEY_COLUMNS)
    by = a.groupby("activity_id")[cols].sum() if len(a) else pd.DataFrame(columns=cols)
    by.insert(0, "placements", a.groupby("activity_id").size() if len(a) else [])
    acts = sorted(res["summary"].get("quota", {}) or by.index)
    by = by.reindex(acts, fill_value=0.0)
    by["placements"] = by["placements"].astype(int)
    by.index.name = "activity_id"
    by = by.reset_index()
    money = {c: float(a[c].sum()) if len(a) else 0.0 for c in cols}
    total: dict[str, object] = {"activity_id": "total", "placements": int(len(a)), **money}
    budget = float(res["summary"].get("cost_eur", {}).get("budget") or 0.0)
    extra = pd.DataFrame(
        [
            total,
            {"activity_id": "budget", "total_eur": budget},
            {"activity_id": "remaining", "total_eur": budget - money["total_eur"]},
        ]
    )
    return pd.concat([by, extra], ignore_index=True)[["activity_id", "placements", *cols]]


def cost_display(res: RunFolder) -> pd.DataFrame:
    """:func:`cost_table` as the report shows it: activities by their label, each cost type
    in words with its unit."""
    t = cost_table(res)
    label = names(res)
    t["activity_id"] = [label.activity(a) for a in t["activity_id"]]
    money = {c: f"{words(c.removesuffix('_eur'), COST_WORDS)} (EUR)" for c in MONEY_COLUMNS}
    return t.rename(columns={"activity_id": "activity", **money})


def kpi_table(res: RunFolder) -> pd.DataFrame:
    """The headline figures: status, placements vs plan, money vs budget, targets met,
    unplaced applicants. Columns figure, value, of (plan or limit), share, unit."""
    s = res["summary"]
    placed = sum(s.get("placed", {}).values())
    planned = sum(s.get("quota", {}).values())
    cost = s.get("cost_eur", {})
    spent, budget = float(cost.get("total") or 0.0), float(cost.get("budget") or 0.0)
    t = res["targets"]
    met = sum(m is True for m in t["met"])
    hard_missed = sum(m is False and bool(h) for m, h in zip(t["met"], t["hard"], strict=True))
    gap = s.get("solver", {}).get("gap")
    rows = [
        ("status", s.get("status"), None, None, ""),
        ("placements", placed, planned, placed / planned if planned else None, "placements"),
        ("cost", spent, budget, spent / budget if budget else None, "EUR"),
        ("targets met", met, len(t), met / len(t) if len(t) else None, "targets"),
        (
            "hard targets missed",
            hard_missed,
            int(t["hard"].sum()) if len(t) else 0,
            None,
            "targets",
        ),
        ("applicants left out", len(res["unplaced"]), None, None, "applicants"),
        ("optimality gap", gap, None, None, "relative"),
    ]
    return pd.DataFrame(rows, columns=["figure", "value", "of", "share", "unit"], dtype=object)


def applicants(res: RunFolder) -> int:
    """Every applicant of the run: those placed (allocation.csv) and those left out
    (unplaced.csv)."""
    return int(res["allocation"]["participant_id"].nunique()) + len(res["unplaced"])


def headline_table(res: RunFolder) -> pd.DataFrame:
    """The headline figures, each with what it counts out of and the share: placements of
    the planned mobilities, cost of the budget, targets, applicants left out and placements
    at a listed host. An infeasible run has no plan: only the planned mobilities, the budget
    and its hard targets are shown."""
    kpi = kpi_table(res).set_index("figure")
    if res["summary"].get("status") == "infeasible" or not res["summary"].get("objective"):
        brief = [
            ("planned mobilities", f"{int(kpi.at['placements', 'of']):,}"),
            ("budget (EUR)", f"{float(kpi.at['cost', 'of']):,.2f}"),
            ("hard targets", f"{int(kpi.at['hard targets missed', 'of']):,}"),
        ]
        return pd.DataFrame(brief, columns=["figure", "value"])

    def share(n: float, of: float) -> str:
        return percent(n, of, 1)

    placed, planned = int(kpi.at["placements", "value"]), int(kpi.at["placements", "of"])
    spent, budget = float(kpi.at["cost", "value"]), float(kpi.at["cost", "of"])
    met, targets = int(kpi.at["targets met", "value"]), int(kpi.at["targets met", "of"])
    missed, hard = (int(kpi.at["hard targets missed", k]) for k in ("value", "of"))
    left, everyone = len(res["unplaced"]), applicants(res)
    rows = [
        (
            "placements, of the planned mobilities",
            f"{placed:,}",
            f"{planned:,}",
            share(placed, planned),
        ),
        ("cost (EUR), of the budget", f"{spent:,.2f}", f"{budget:,.2f}", share(spent, budget)),
        ("targets met", f"{met:,}", f"{targets:,}", share(met, targets)),
        ("hard targets missed", f"{missed:,}", f"{hard:,}", ""),
        (
            "applicants left out, of all applicants",
            f"{left:,}",
            f"{everyone:,}",
            share(left, everyone),
        ),
    ]
    counts = preference_counts(res)
    if counts is not None and counts[1]:
        rows.append(
            (
                "placed at a host they listed, of the placements of participants who listed hosts",
                f"{counts[0]:,}",
                f"{counts[1]:,}",
                share(counts[0], counts[1]),
            )
        )
    return pd.DataFrame(rows, columns=["figure", "value", "out of", "share"])


def target_display(res: RunFolder) -> pd.DataFrame:
    """Targets in words: what each measures, its bounds and the value achieved (shares in
    percent, counts as numbers), the shortfall in persons, hard or soft, met or not."""
    rows = []
    for r in res["targets"].itertuples(index=False):

        def show(v: float | None, kind: str = r.kind) -> str:
            if v is None or pd.isna(v):
                return ""
            return f"{float(v):.1%}" if kind == "share" else f"{float(v):g}"

        rows.append(
            (
                r.name,
                "share of placements" if r.kind == "share" else "number of placements",
                show(r.min),
                show(r.max),
                show(r.achieved) or "n/a",
                f"{r.shortfall:g}",
                "hard" if r.hard else "soft",
                "n/a" if r.met is None else ("yes" if r.met else "no"),
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "target",
            "measures",
            "at least",
            "at most",
            "achieved",
            "short by (persons)",
            "hard or soft",
            "met",
        ],
    )


def unplaced_table(res: RunFolder) -> pd.DataFrame:
    """Applicants left out: activity applied for (by its label) x reason in words (an
    applicant who applied for two activities counts under each)."""
    reasons = ["no_eligible_offer", "capacity", "not_selected"]
    u = res["unplaced"]
    if "withdrawn" in set(u["reason"]):
        reasons.append("withdrawn")
    columns = ["activity applied for", *(REASON_WORDS[r] for r in reasons), "total"]
    if u.empty:
        return pd.DataFrame(columns=columns)
    e = u.assign(activity_id=u["activities"].str.split(";")).explode("activity_id")
    t = pd.crosstab(e["activity_id"], e["reason"]).reindex(columns=reasons, fill_value=0)
    t["total"] = t.sum(axis=1)
    t.index = [names(res).activity(a) for a in t.index]
    return t.reset_index().set_axis(columns, axis=1)


def level_table(res: RunFolder) -> pd.DataFrame:
    """Each objective level the solver ran, in order: the plan's value with its unit, the
    status, the proven bound and the optimality gap (both left out when every level is
    proven or none has a gap: no plan), what stopped a level not proven, and the time."""
    rows = []
    for r in res["summary"].get("levels", []):
        gap, bound = r.get("gap"), r.get("bound")
        rows.append(
            (
                r.get("level"),
                r.get("value"),
                LEVEL_UNITS.get(str(r.get("level")), ""),
                r.get("status"),
                "" if bound is None else bound,
                "" if gap is None else f"{float(gap):.2%}",
                r.get("limit") or "",
                _seconds(r.get("time_s")),
            )
        )
    t = pd.DataFrame(
        rows,
        columns=[
            "objective level",
            "value",
            "unit",
            "status",
            "proven bound",
            "optimality gap",
            "stopped by",
            "time (seconds)",
        ],
    )
    if (t["status"] == "optimal").all():
        t = t.drop(columns=["proven bound", "stopped by"])
    return t if (t["optimality gap"] != "").any() else t.drop(columns="optimality gap")


def timing_table(res: RunFolder) -> pd.DataFrame:
    """Seconds per step of the run, each in words (the report's own time is recorded in
    summary.json once the report is written, so a report does not show it)."""
    planned = bool(res["summary"].get("objective"))
    t = {
        k: v
        for k, v in res["summary"].get("timings_s", {}).items()
        if (k != "report" or v) and (k != "audit" or planned)
    }
    return pd.DataFrame(
        {
            "step": [words(k, STEP_WORDS) for k in t],
            "time (seconds)": [_seconds(v) for v in t.values()],
        }
    )


def _seconds(v: object) -> str:
    """A time in seconds to the hundredth (blank when unknown)."""
    return "" if v is None else f"{float(v):,.2f}"  # type: ignore[arg-type]


def checksum_table(res: RunFolder) -> pd.DataFrame:
    i = res["summary"].get("inputs_sha256", {})
    return pd.DataFrame({"input file": list(i), "SHA-256": list(i.values())})


def solver_table(res: RunFolder) -> pd.DataFrame:
    s = res["summary"]
    v = s.get("solver", {})
    gap = None if s.get("status") == "infeasible" else v.get("gap")
    rows = [
        ("scenario", s.get("scenario")),
        ("case", s.get("case")),
        ("status", s.get("status")),
        ("solver", f"{v.get('name')} {v.get('version')}"),
        *([] if gap is None else [("optimality gap", f"{float(gap):.2%}")]),
        *proven_rows(s),
        ("solve time (seconds)", _seconds(v.get("time_s"))),
        ("random seed", v.get("seed")),
        ("intervet-plan version", s.get("version")),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])


def proven_rows(s: dict) -> list[tuple[str, str]]:
    """The solver section's word on the levels: all proven, or each level with its value
    and, when not proven, its bound, gap and what stopped it."""
    levels = s.get("levels") or []
    if not levels or s.get("status") == "infeasible":
        return []
    if all(lv.get("status") == "optimal" for lv in levels):
        return [("objective levels", f"all {len(levels)} proven optimal")]
    return [("objective levels", "; ".join(level_phrase(lv) for lv in levels))]


def verdict(res: RunFolder) -> str:
    """The solver's verdict in words: the best plan, a plan stopped by the time limit (with
    its gap), or no plan."""
    s = res["summary"]
    status, gap = s.get("status"), s.get("solver", {}).get("gap")
    if status == "optimal":
        return "the best plan under the scenario's rules (proven optimal)"
    if status == "feasible":
        within = f", at most {float(gap):.2%} from the best" if gap is not None else ""
        return f"a plan found within the time limit, not proven the best{within}"
    if status == "infeasible":
        return "no plan: the hard rules cannot all hold"
    return "no plan was found"


def headline(res: RunFolder) -> str:
    """One markdown paragraph with the run's verdict and its main counts, each out of what
    it counts."""
    s = res["summary"]
    k = kpi_table(res).set_index("figure")
    placed, planned = k.at["placements", "value"], k.at["placements", "of"]
    spent, budget = k.at["cost", "value"], k.at["cost", "of"]
    text = (
        f"**Scenario {md_escape(s.get('scenario'))}** on case {md_escape(s.get('case'))}: "
        f"status **{md_escape(s.get('status'))}**"
    )
    if s.get("status") == "infeasible":
        text += (
            ": the hard rules cannot all hold, so there is no plan. The ways out are listed "
            "above, the conflicts under *Why the scenario is infeasible* below."
        )
    elif not s.get("objective"):
        text += f", {md_escape(verdict(res))}."
    else:
        people = int(res["allocation"]["participant_id"].nunique())
        text += f", {md_escape(verdict(res))}. " + (
            f"{placed:,} of {planned:,} planned mobilities placed ({people:,} participants); "
            f"EUR {spent:,.2f} of a budget of EUR {budget:,.2f}"
            + (f" ({spent / budget:.1%})" if budget else "")
            + f"; {k.at['targets met', 'value']} of {k.at['targets met', 'of']} targets met; "
            f"{len(res['unplaced']):,} of {applicants(res):,} applicants left out."
        )
    return text


def title(res: RunFolder) -> str:
    """The report's title as markdown."""
    s = res["summary"]
    return f"# Allocation report: {md_escape(s.get('scenario'))}"


def md_escape(text: object) -> str:
    """Text shown as markdown literally (no links, emphasis or HTML)."""
    out = []
    for ch in str(text):
        out.append("\\" + ch if ch in "\\`*_{}[]()#+!<>|" else ch)
    return "".join(out)
