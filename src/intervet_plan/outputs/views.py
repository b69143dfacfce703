"""What the allocation report shows, computed from a run folder read back
(:func:`intervet_plan.outputs.run_folder.read_run`): tables of quotas, costs, targets,
unplaced applicants, solver levels and timings, and the report's markdown text. No files,
no figures."""

from __future__ import annotations

import pandas as pd

from intervet_plan.outputs.run_folder import RunFolder
from intervet_plan.solve.tables import MONEY_COLUMNS


def quota_table(res: RunFolder) -> pd.DataFrame:
    """Per activity: placed, quota, quota_min and placed / quota."""
    s = res["summary"]
    rows = [
        {
            "activity_id": a,
            "placed": int(s.get("placed", {}).get(a, 0)),
            "quota": int(q),
            "quota_min": int(s.get("quota_min", {}).get(a, 0)),
        }
        for a, q in sorted(s.get("quota", {}).items())
    ]
    t = pd.DataFrame(rows, columns=["activity_id", "placed", "quota", "quota_min"])
    t["attainment"] = (t["placed"] / t["quota"].where(t["quota"] > 0)).astype(float)
    return t


def cost_table(res: RunFolder) -> pd.DataFrame:
    """Cost per activity by cost type (EUR), then rows ``total``, ``budget`` and
    ``remaining``."""
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


def headline_table(res: RunFolder) -> pd.DataFrame:
    """The headline figures as display text: figure, value, plan or limit, share. An
    infeasible run has no plan: only its status, the planned mobilities, the budget and its
    hard targets are shown."""
    rows = []
    kpi = kpi_table(res)
    if res["summary"].get("status") == "infeasible":
        kpi = kpi[kpi["figure"].isin(["status", "placements", "cost", "hard targets missed"])]
        for r in kpi.itertuples(index=False):
            if r.figure == "status":
                rows.append(("status", str(r.value), "", ""))
            elif r.figure == "placements":
                rows.append(("planned mobilities", "", f"{int(r.of):,}", ""))
            elif r.figure == "cost":
                rows.append(("budget", "", f"EUR {r.of:,.2f}", ""))
            else:
                rows.append(("hard targets", "", f"{int(r.of):,}", ""))
        return pd.DataFrame(rows, columns=["figure", "value", "planned / limit", "share"])
    for r in kpi.itertuples(index=False):
        if r.unit == "EUR":
            value, of = f"EUR {r.value:,.2f}", f"EUR {r.of:,.2f}"
        elif r.figure == "optimality gap":
            value, of = ("" if r.value is None else f"{r.value:.4%}"), ""
        else:
            value = (
                ""
                if r.value is None
                else (f"{r.value:,}" if isinstance(r.value, int) else str(r.value))
            )
            of = "" if r.of is None or pd.isna(r.of) else f"{int(r.of):,}"
        share = "" if r.share is None or pd.isna(r.share) else f"{r.share:.1%}"
        rows.append((r.figure, value, of, share))
    return pd.DataFrame(rows, columns=["figure", "value", "planned / limit", "share"])


def target_display(res: RunFolder) -> pd.DataFrame:
    """Targets as display text: shares in percent, counts as numbers, shortfall in persons."""
    rows = []
    for r in res["targets"].itertuples(index=False):

        def show(v: float | None, kind: str = r.kind) -> str:
            if v is None or pd.isna(v):
                return ""
            return f"{float(v):.1%}" if kind == "share" else f"{float(v):g}"

        rows.append(
            (
                r.name,
                r.kind,
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
            "kind",
            "min",
            "max",
            "achieved",
            "shortfall (persons)",
            "hard/soft",
            "met",
        ],
    )


def unplaced_table(res: RunFolder) -> pd.DataFrame:
    """Applicants left out: activity applied for x reason (an applicant who applied for two
    activities counts under each)."""
    u = res["unplaced"]
    if u.empty:
        return pd.DataFrame(
            columns=["activity_id", "no_eligible_offer", "capacity", "not_selected", "total"]
        )
    e = u.assign(activity_id=u["activities"].str.split(";")).explode("activity_id")
    t = pd.crosstab(e["activity_id"], e["reason"])
    for r in ("no_eligible_offer", "capacity", "not_selected"):
        if r not in t:
            t[r] = 0
    t = t[["no_eligible_offer", "capacity", "not_selected"]]
    t["total"] = t.sum(axis=1)
    return t.reset_index().rename_axis(columns=None)


def capacity_table(res: RunFolder) -> pd.DataFrame | None:
    """For an infeasible run: each quota minimum's capacity bottleneck (from diagnosis.json);
    ``None`` when there is none."""
    d = res.get("diagnosis") or {}
    rows = d.get("capacity") or []
    return pd.DataFrame(rows) if rows else None


def level_table(res: RunFolder) -> pd.DataFrame:
    """Each objective level the solver ran: status, the plan's value, gap and time."""
    rows = res["summary"].get("levels", [])
    return pd.DataFrame(rows, columns=["level", "status", "value", "gap", "time_s"])


def timing_table(res: RunFolder) -> pd.DataFrame:
    """Seconds per step of the run (the report's own time is recorded in summary.json once
    the report is written, so a report does not show it)."""
    t = {k: v for k, v in res["summary"].get("timings_s", {}).items() if k != "report" or v}
    return pd.DataFrame({"step": list(t), "seconds": list(t.values())})


def checksum_table(res: RunFolder) -> pd.DataFrame:
    i = res["summary"].get("inputs_sha256", {})
    return pd.DataFrame({"input": list(i), "sha256": list(i.values())})


def solver_table(res: RunFolder) -> pd.DataFrame:
    s = res["summary"]
    v = s.get("solver", {})
    rows = [
        ("scenario", s.get("scenario")),
        ("case", s.get("case")),
        ("status", s.get("status")),
        ("solver", f"{v.get('name')} {v.get('version')}"),
        ("gap", None if s.get("status") == "infeasible" else v.get("gap")),
        ("solve time (s)", v.get("time_s")),
        ("seed", v.get("seed")),
        ("intervet-plan version", s.get("version")),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])


def headline(res: RunFolder) -> str:
    """One markdown paragraph with the run's verdict."""
    s = res["summary"]
    k = kpi_table(res).set_index("figure")
    placed, planned = k.at["placements", "value"], k.at["placements", "of"]
    spent, budget = k.at["cost", "value"], k.at["cost", "of"]
    text = (
        f"**Scenario {_md_escape(s.get('scenario'))}** on case {_md_escape(s.get('case'))}: "
        f"status **{_md_escape(s.get('status'))}**. "
    )
    if s.get("status") == "infeasible":
        text += (
            "The hard constraints cannot all hold, so there is no plan: the ways out are "
            "listed above, the conflicts in *Why the scenario is infeasible* below."
        )
    else:
        text += (
            f"{placed:,} of {planned:,} planned mobilities placed; EUR {spent:,.2f} of a "
            f"budget of EUR {budget:,.2f}"
            + (f" ({spent / budget:.1%})" if budget else "")
            + f"; {k.at['targets met', 'value']} of {k.at['targets met', 'of']} targets met."
        )
    return text


def title(res: RunFolder) -> str:
    """The report's title as markdown."""
    s = res["summary"]
    return f"# Allocation report: {_md_escape(s.get('scenario'))}"


def alternatives_text(res: RunFolder) -> str | None:
    """For an infeasible run, the ways out first (diagnosis.json ``alternatives``): each
    family relaxed alone that makes the plan possible, then those that are not enough alone;
    None for a run with a plan."""
    d = res.get("diagnosis")
    if not d or res["summary"].get("status") != "infeasible":
        return None
    alts = d.get("alternatives") or []
    ways = [a for a in alts if a.get("amount") is not None]
    lines = ["## No plan: what would make one possible", ""]
    if ways:
        lines += ["**Any one of these makes the plan possible:**", ""]
        lines += [f"- {_md_escape(a['sentence'])}" for a in ways]
    else:
        lines += [f"**{_md_escape(d.get('lead', 'No single relaxation makes it possible.'))}**"]
    rest = [a for a in alts if a.get("amount") is None]
    if rest:
        lines += ["", "Not enough on its own:", ""]
        lines += [f"- {_md_escape(a['sentence'])}" for a in rest]
    lines += [
        "",
        "Each way relaxes one family of hard rules alone, every other rule held; the amount "
        "is the smallest that allows a plan. The conflicts and the capacity of each quota "
        "minimum follow.",
    ]
    return "\n".join(lines)


def diagnosis_text(res: RunFolder) -> str:
    d = res.get("diagnosis")
    if not d:
        return "The hard constraints all hold: no diagnosis was needed."
    lines = [
        "The hard constraints cannot all hold. The smallest relaxation of them taken "
        "together that would allow a plan:",
        "",
    ]
    lines += [f"- {_md_escape(x)}" for x in d.get("summary", [])]
    return "\n".join(lines)


def _md_escape(text: object) -> str:
    """Text shown as markdown literally (no links, emphasis or HTML)."""
    out = []
    for ch in str(text):
        out.append("\\" + ch if ch in "\\`*_{}[]()#+!<>|" else ch)
    return "".join(out)
