"""Constraint names are unique for all valid ids: ``O.2`` and ``O_2`` (or ``A.1`` and
``A_1``, targets ``t.1`` and ``t_1``) are different ids and give different names, plain ids
keep their readable names, and a diagnosis names the ids it relaxed (nothing parses a name)."""

from __future__ import annotations

from pathlib import Path

import yaml

from conftest import tiny_tables, write_case
from intervet_plan import api
from intervet_plan.model.rules import safe

RENAME = {"LEARN": "A.1", "TEACH": "A_1", "O1": "O.2", "O2": "O_2", "O3": "O-3"}


def renamed_case(folder: Path) -> Path:
    """The tiny case with activities A.1 (was LEARN) and A_1 (TEACH), offers O.2 (O1), O_2
    (O2) and O-3 (O3)."""
    meta, tables = tiny_tables()
    for t in tables.values():
        for r in t:
            for k in ("activity_id", "offer_id"):
                if k in r:
                    r[k] = RENAME.get(r[k], r[k])
    for r in tables["participants"]:
        r["activities"] = ";".join(RENAME[a] for a in r["activities"].split(";"))
    return write_case(folder, meta, tables)


def solve(tmp_path: Path, **scenario: object) -> api.Plan:
    renamed_case(tmp_path / "case")
    sc = {"name": "names", "case": "case", **scenario}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(sc), encoding="utf-8")
    return api.solve(api.build(api.load(tmp_path / "s.yaml")))


def test_safe_is_injective_and_keeps_plain_ids():
    ids = ["O.2", "O_2", "O-2", "O__2", "O._2", "O_.2", "O2_", "O2.", "O2-", "O_2_", "a__b", "a"]
    assert len({safe(i) for i in ids}) == len(ids)
    assert [safe(i) for i in ("OFF123", "RS_BEL", "O.2", "O_2")] == [
        "OFF123",
        "RS_BEL",
        "O.2",
        "O_2",
    ]
    # joined with "__", names stay unique: no encoded id holds "__" or ends in "_"
    pairs = [("a__b", "c"), ("a", "b__c"), ("a_", "b"), ("a", "_b"), ("a", "b")]
    assert len({f"x__{safe(p)}__{safe(o)}" for p, o in pairs}) == len(pairs)


def test_ids_that_differ_only_in_punctuation_build_and_solve(tmp_path: Path):
    targets = [
        {"name": "t.1", "share_of": {"gender": "F"}, "min": 0.5},
        {"name": "t_1", "share_of": {"gender": "M"}, "max": 0.5},
    ]
    plan = solve(tmp_path, targets=targets)
    names = [c.name for c in plan.model.problem.constraints()]
    assert len(names) == len(set(names))
    assert {"seats__O.2", "seats__O_2", "quota__A.1", "quota__A_1"} <= set(names)
    assert {"target__t.1__min", "target__t_1__max"} <= set(names)
    assert plan.status == "optimal"
    # the tiny case's optimum (test_model), under the new names
    assert set(zip(plan.allocation.participant_id, plan.allocation.offer_id, strict=True)) == {
        ("P1", "O.2"),
        ("P2", "O_2"),
        ("P3", "O_2"),
        ("P5", "O-3"),
    }
    assert (plan.values["placements"], plan.values["cost"]) == (4, 7002)


def test_diagnosis_names_the_ids_it_relaxed(tmp_path: Path):
    # four learners for A.1 and two staff for A_1 (each offer of A_1 has one seat): one
    # placement short on each
    plan = solve(
        tmp_path,
        quotas={"A.1": {"quota": 5, "quota_min": 5}, "A_1": {"quota": 3, "quota_min": 3}},
    )
    assert plan.status == "infeasible"
    got = {c["constraint"]: (c["activity_id"], c["amount"]) for c in plan.diagnosis["conflicts"]}
    assert got == {"quota_min__A.1": ("A.1", 1), "quota_min__A_1": ("A_1", 1)}
    sentences = sorted(c["sentence"] for c in plan.diagnosis["conflicts"])
    assert sentences[0].startswith("quota_min of A.1 short by 1: ")
    assert sentences[1].startswith("quota_min of A_1 short by 1: ")
