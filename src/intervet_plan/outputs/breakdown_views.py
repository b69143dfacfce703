"""The report's "Gender and inclusion" section: the plan's placements by gender (F, M, X)
and with fewer opportunities, counts and shares, by activity and by sending country, with
totals, from allocation.csv (and the activity labels of summary.json) only.

>>> a = pd.DataFrame({"activity_id": ["A", "A", "B"], "gender": ["F", "X", "M"],
...                   "fewer_opportunities": [True, False, False]})
>>> gender_counts(a, "activity_id").to_dict("index")["total"]
{'placements': 3, 'F': 1, 'M': 1, 'X': 1, 'fewer opportunities': 1}
"""

from __future__ import annotations

import pandas as pd

from intervet_plan.outputs.labels import Labels
from intervet_plan.outputs.run_folder import RunFolder

HEADING = "## Gender and inclusion"
GENDERS = ("F", "M", "X")
FEWER = "fewer opportunities"
# the report's column of each count
SHOWN = {
    "F": "female (F)",
    "M": "male (M)",
    "X": "X (other or not disclosed)",
    FEWER: "with fewer opportunities",
}
GROUPS = {"activity": "activity_id", "country": "sending_country"}


def gender_counts(allocation: pd.DataFrame, by: str) -> pd.DataFrame:
    """Placements per value of column ``by`` (sorted, then a ``total`` row): ``placements``,
    one column per gender (F, M, X; any other value of the column is counted in the
    placements only) and ``fewer opportunities``."""
    cols = ["placements", *GENDERS, FEWER]
    if allocation.empty:
        return pd.DataFrame(columns=cols)
    a = allocation.assign(group=allocation[by].astype(str))
    t = pd.crosstab(a["group"], a["gender"].astype(str)).reindex(columns=GENDERS, fill_value=0)
    t.insert(0, "placements", a.groupby("group").size())
    t[FEWER] = a.groupby("group")["fewer_opportunities"].sum().astype(int)
    t = t.sort_index()
    t.loc["total"] = t.sum()
    t.index.name = None
    return t[cols].astype(int)


def gender_table(res: RunFolder, by: str = "activity") -> pd.DataFrame:
    """The counts of :func:`gender_counts` by ``activity`` (its label) or by sending
    ``country``, each shown with its share of the row's placements: ``"12 (3.4%)"``."""
    counts = gender_counts(res["allocation"], GROUPS[by])
    first = "activity" if by == "activity" else "sending country"
    names = Labels.of(res["summary"])
    rows = []
    for group, r in counts.iterrows():
        n = int(r["placements"])
        label = names.activity(group) if by == "activity" and group != "total" else str(group)
        row: dict[str, object] = {first: label, "placements": n}
        for key, shown in SHOWN.items():
            row[shown] = f"{int(r[key]):,} ({int(r[key]) / n:.1%})" if n else "0"
        rows.append(row)
    return pd.DataFrame(rows, columns=[first, "placements", *SHOWN.values()])


def gender_text(res: RunFolder) -> str:
    """The section's heading, what it counts and the plan's totals in one sentence."""
    t = gender_counts(res["allocation"], GROUPS["activity"])
    text = (
        f"{HEADING}\n\n"
        "The plan's placements by the participant's gender as recorded (female, male, or "
        "X: other or not disclosed) and with fewer opportunities, first by activity, then "
        "by the sending organisation's country; each count with its share of the row's "
        "placements. A person placed twice counts twice."
    )
    if len(t):
        total = t.loc["total"]
        n = int(total["placements"])
        words = {"F": "female", "M": "male", "X": "X", FEWER: "with fewer opportunities"}
        f, m, x, fewer = (
            f"{int(total[k]):,} {w} ({int(total[k]) / n:.1%})" for k, w in words.items()
        )
        text += f" In all, of {n:,} placements: {f}, {m} and {x}; {fewer}."
    return text
