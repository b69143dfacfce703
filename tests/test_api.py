"""The analysts' facade (issue 10): every name of ``intervet_plan.__all__`` resolves, and the
facade's check, diff, explain and exclusions work on the tiny case."""

from __future__ import annotations

from pathlib import Path

import yaml

import intervet_plan
from intervet_plan import api
from intervet_plan.inputs.allocation import read_allocation


def test_every_exported_name_resolves():
    for name in intervet_plan.__all__:
        assert getattr(intervet_plan, name) is not None, name
    assert set(intervet_plan.FACADE) == set(api.__all__) - {"solve"}  # solve: the subpackage


def test_check_diff_explain_exclusions(tiny_case: Path, tmp_path: Path):
    s = tmp_path / "s.yaml"
    s.write_text(yaml.safe_dump({"name": "tiny", "case": tiny_case.name}))
    plan, out = api.run(s, out=tmp_path / "out", report=False)
    ctx = plan.ctx
    assert api.check(ctx, out / "allocation.csv") == []
    table = read_allocation(out / "allocation.csv")
    table.loc[0, "host_id"] = "NOWHERE"
    (v,) = api.check(ctx, table)
    assert v.rule == "column.host_id" and "'NOWHERE'" in v.message
    moved = plan.allocation.iloc[1:]
    d = api.diff(plan.allocation, moved)
    first = plan.allocation.iloc[0]
    assert d.to_dict("records") == [
        {
            "participant_id": first.participant_id,
            "change": "dropped",
            "old_offer_id": first.offer_id,
            "new_offer_id": None,
            "old_start_date": first.start_date.strftime("%Y-%m-%d"),
            "new_start_date": None,
            "why": None,
        }
    ]
    why = api.explain(ctx, ["P1"])
    counts = api.exclusions(ctx, ["P1"])
    assert int(counts.loc["P1"].sum()) == int(why["rule"].notna().sum())
