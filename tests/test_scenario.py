"""The scenario file (SPEC 4): every rule with its exact message and YAML line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import run_cli
from intervet_plan.errors import InputError
from intervet_plan.inputs.scenario import Blackout
from intervet_plan.inputs.scenario_file import load_scenario

HEAD = "name: s1\ncase: ../tiny\n"  # lines 1 and 2 of every scenario below


@pytest.fixture
def scenario_dir(tiny_case: Path) -> Path:
    """A folder beside the tiny case (``../tiny`` from it) to hold scenario files."""
    d = tiny_case.parent / "scenarios"
    d.mkdir()
    return d


def write(folder: Path, text: str, name: str = "s.yaml") -> Path:
    p = folder / name
    p.write_text(text, encoding="utf-8")
    return p


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    assert exc.value.exit_code == 2
    return [str(p) for p in exc.value.problems]


def test_a_full_scenario_is_read(scenario_dir: Path, tiny_case: Path) -> None:
    (scenario_dir / "prev.csv").write_text("participant_id,offer_id\n")
    p = write(
        scenario_dir,
        HEAD
        + """\
budget_eur: 50000
quotas: {LEARN: {quota: 2, quota_min: 1}}
targets:
  - {name: female, share_of: {gender: F}, among: {participant_type: learner}, min: 0.5}
  - {name: balance, for_each: country, min: 0.1, max: 0.9, hard: true}
  - {name: serbia, count_of: {country: [RS, BA]}, min: 1, weight: 2}
blackouts:
  - {from: 2020-03-01, to: 2020-03-31}
  - {from: 2020-11-01, to: 2020-11-30, countries: [SI]}
previous_plan: prev.csv
as_of: 2020-05-01
objective: [placements, targets, cost]
tolerances: {placements: 0.1}
solver: {name: CBC, time_limit_s: 60, mip_gap: 0.01, threads: 2, seed: 7}
""",
    )
    s = load_scenario(p)
    assert s.name == "s1" and s.case_path == tiny_case.resolve() and s.path == p
    assert s.budget_eur == 50000.0 and s.quotas == {"LEARN": {"quota": 2, "quota_min": 1}}
    female, balance, serbia = s.targets
    assert (female.kind, dict(female.match), dict(female.among), female.min, female.max) == (
        "share",
        {"gender": frozenset({"F"})},
        {"participant_type": frozenset({"learner"})},
        0.5,
        None,
    )
    assert (balance.for_each, balance.hard, balance.max) == ("country", True, 0.9)
    assert (serbia.kind, serbia.match["country"], serbia.weight) == (
        "count",
        frozenset({"RS", "BA"}),
        2.0,
    )
    assert s.blackouts == (
        Blackout(dt.date(2020, 3, 1), dt.date(2020, 3, 31)),
        Blackout(dt.date(2020, 11, 1), dt.date(2020, 11, 30), frozenset({"SI"})),
    )
    assert s.previous_plan == (scenario_dir / "prev.csv").resolve()
    assert s.as_of == dt.date(2020, 5, 1)
    assert s.objective == ("placements", "targets", "cost")
    assert s.tolerances == {"placements": 0.1}
    assert (
        s.solver.name,
        s.solver.time_limit_s,
        s.solver.mip_gap,
        s.solver.threads,
        s.solver.seed,
    ) == ("cbc", 60.0, 0.01, 2, 7)


def test_paths_are_relative_to_the_scenario_file(
    tmp_path: Path, tiny_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "allocation.csv").write_text("participant_id,offer_id\n")
    p = write(
        deep,
        "name: s1\ncase: ../../tiny\nprevious_plan: ../../plans/allocation.csv\n"
        "as_of: 2020-06-01\n",
    )
    monkeypatch.chdir(tiny_case)  # the working folder plays no part
    s = load_scenario(p)
    assert s.case_path == tiny_case.resolve()
    assert s.previous_plan == (tmp_path / "plans" / "allocation.csv").resolve()


def test_an_xlsx_case_path(scenario_dir: Path) -> None:
    s = load_scenario(write(scenario_dir, "name: s1\ncase: ../book.xlsx\n"))
    assert s.case_path == (scenario_dir.parent / "book.xlsx").resolve()


RULES = [
    (
        "unknown-top-key",
        "budjet_eur: 5\n",
        ["{p} line 3, column budjet_eur: unknown key; did you mean 'budget_eur'?"],
    ),
    (
        "unknown-top-key-far",
        "colour: red\n",
        [
            "{p} line 3, column colour: unknown key; valid keys: name, case, budget_eur, quotas, "
            "targets, blackouts, previous_plan, as_of, withdrawn, objective, tolerances, solver"
        ],
    ),
    ("missing-name", None, ["{p} line 1, column name: is missing; it is required"]),
    (
        "bad-name",
        "",
        [
            "{p} line 1, column name: 'my scenario' is not a valid identifier (a letter or "
            "digit first, then letters, digits, _ . - only)"
        ],
    ),
    (
        "dots-name",
        "..",
        [
            "{p} line 1, column name: '..' is not a valid identifier (a letter or digit "
            "first, then letters, digits, _ . - only)"
        ],
    ),
    (
        "duplicate-key",
        "budget_eur: 5\nbudget_eur: 6\n",
        ["{p} line 4, column budget_eur: key appears twice (first on line 3); keep one"],
    ),
    (
        "budget-zero",
        "budget_eur: 0\n",
        ["{p} line 3, column budget_eur: '0' must be greater than 0"],
    ),
    (
        "budget-below-a-cent",
        "budget_eur: 0.001\n",
        ["{p} line 3, column budget_eur: '0.001' is less than a cent; give the budget in euro"],
    ),
    (
        "budget-text",
        "budget_eur: lots\n",
        ["{p} line 3, column budget_eur: 'lots' is not a number"],
    ),
    (
        "budget-nan",
        "budget_eur: .nan\n",
        ["{p} line 3, column budget_eur: 'nan' is not a finite number"],
    ),
    (
        "quota-key",
        "quotas:\n  LEARN: {quota: 3, quota_mini: 1}\n",
        ["{p} line 4, column quotas.LEARN.quota_mini: unknown key; did you mean 'quota_min'?"],
    ),
    (
        "quota-not-int",
        "quotas:\n  LEARN:\n    quota: 2.5\n",
        ["{p} line 5, column quotas.LEARN.quota: '2.5' is not a whole number"],
    ),
    (
        "quota-min-above",
        "quotas:\n  LEARN:\n    quota: 2\n    quota_min: 3\n",
        ["{p} line 6, column quotas.LEARN.quota_min: '3' is greater than quota 2"],
    ),
    (
        "target-key",
        "targets:\n  - name: t\n    share_of: {gender: F}\n    min: 0.5\n    wieght: 2\n",
        ["{p} line 7, column targets[0].wieght: unknown key; did you mean 'weight'?"],
    ),
    (
        "target-filter-attribute",
        "targets:\n  - name: t\n    share_of: {age: 18}\n    min: 0.5\n",
        [
            "{p} line 5, column targets[0].share_of.age: 'age' is not a filter attribute; "
            "allowed: gender, fewer_opportunities, country, sector, org_id"
        ],
    ),
    (
        "target-filter-typo",
        "targets:\n  - name: t\n    share_of: {gendre: F}\n    min: 0.5\n",
        [
            "{p} line 5, column targets[0].share_of.gendre: 'gendre' is not a filter attribute; "
            "did you mean 'gender'? allowed: gender, fewer_opportunities, country, sector, org_id"
        ],
    ),
    (
        "target-scope-attribute",
        "targets:\n  - name: t\n    share_of: {gender: F}\n    among: {gender: F}\n    min: 0.5\n",
        [
            "{p} line 6, column targets[0].among.gender: 'gender' is not a filter attribute; "
            "allowed: participant_type, activity_id, direction"
        ],
    ),
    (
        "target-filter-value",
        "targets:\n  - name: t\n    share_of: {gender: female}\n    min: 0.5\n",
        ["{p} line 5, column targets[0].share_of.gender: 'female' is not one of F, M, X"],
    ),
    (
        "target-filter-country",
        "targets:\n  - name: t\n    count_of: {country: Kosovo}\n    min: 1\n",
        [
            "{p} line 5, column targets[0].count_of.country: 'Kosovo' is not a two-letter ISO "
            "3166-1 country code (XK for Kosovo)"
        ],
    ),
    (
        "target-filter-bool",
        "targets:\n  - name: t\n    share_of: {fewer_opportunities: 1}\n    min: 0.1\n",
        ["{p} line 5, column targets[0].share_of.fewer_opportunities: '1' is not true or false"],
    ),
    (
        "target-filter-empty",
        "targets:\n  - name: t\n    share_of: {}\n    min: 0.1\n",
        [
            "{p} line 5, column targets[0].share_of: names no attribute; give one of gender, "
            "fewer_opportunities, country, sector, org_id"
        ],
    ),
    (
        "for-each-attribute",
        "targets:\n  - name: t\n    for_each: age\n    min: 0.1\n",
        [
            "{p} line 5, column targets[0].for_each: 'age' is not a filter attribute; allowed: "
            "gender, fewer_opportunities, country, sector, org_id"
        ],
    ),
    (
        "for-each-typo",
        "targets:\n  - name: t\n    for_each: countries\n    min: 0.1\n",
        [
            "{p} line 5, column targets[0].for_each: 'countries' is not a filter attribute; did you "
            "mean 'country'?"
        ],
    ),
    (
        "two-kinds",
        "targets:\n  - name: t\n    share_of: {gender: F}\n    count_of: {gender: F}\n    min: 1\n",
        [
            "{p} line 4, column targets[0]: give exactly one of share_of, count_of or for_each "
            "(it gives share_of and count_of)"
        ],
    ),
    (
        "no-bounds",
        "targets:\n  - name: t\n    share_of: {gender: F}\n",
        ["{p} line 4, column targets[0]: give min, max or both"],
    ),
    (
        "share-above-1",
        "targets:\n  - name: t\n    share_of: {gender: F}\n    min: 1.5\n",
        ["{p} line 6, column targets[0].min: '1.5' must be 0..1"],
    ),
    (
        "share-negative",
        "targets:\n  - name: t\n    share_of: {gender: F}\n    max: -0.1\n",
        ["{p} line 6, column targets[0].max: '-0.1' must be 0..1"],
    ),
    (
        "count-negative",
        "targets:\n  - name: t\n    count_of: {gender: F}\n    min: -1\n",
        ["{p} line 6, column targets[0].min: '-1' must be 0 or more"],
    ),
    (
        "max-below-min",
        "targets:\n  - name: t\n    share_of: {gender: F}\n    min: 0.5\n    max: 0.2\n",
        ["{p} line 7, column targets[0].max: '0.2' is below min 0.5"],
    ),
    (
        "hard-not-bool",
        "targets:\n  - name: t\n    share_of: {gender: F}\n    min: 0.5\n    hard: sometimes\n",
        ["{p} line 7, column targets[0].hard: 'sometimes' is not true or false"],
    ),
    (
        "duplicate-target-names",
        "targets:\n  - {name: t, share_of: {gender: F}, min: 0.5}\n"
        "  - {name: t, share_of: {gender: M}, max: 0.5}\n",
        [
            "{p} line 5, column targets[1].name: 't' is already the name of targets[0]; target "
            "names must be unique"
        ],
    ),
    (
        "target-without-name",
        "targets:\n  - {share_of: {gender: F}, min: 0.5}\n",
        ["{p} line 4, column targets[0].name: is missing; it is required"],
    ),
    (
        "targets-not-a-list",
        "targets: {name: t}\n",
        ["{p} line 3, column targets: '{{'name': 't'}}' must be a list"],
    ),
    (
        "blackout-missing-to",
        "blackouts:\n  - {from: 2020-03-01}\n",
        [
            "{p} line 4, column blackouts[0]: is missing 'to'; a blackout needs from and to dates "
            "(YYYY-MM-DD)"
        ],
    ),
    (
        "blackout-bad-date",
        "blackouts:\n  - from: 2020-02-30\n    to: 2020-03-31\n",
        ["{p} line 4, column blackouts[0].from: '2020-02-30' is not a date in the form YYYY-MM-DD"],
    ),
    (
        "blackout-reversed",
        "blackouts:\n  - from: 2020-03-31\n    to: 2020-03-01\n",
        ["{p} line 5, column blackouts[0].to: '2020-03-01' is before from 2020-03-31"],
    ),
    (
        "blackout-country",
        "blackouts:\n  - {from: 2020-03-01, to: 2020-03-31, countries: [NLD]}\n",
        [
            "{p} line 4, column blackouts[0].countries: 'NLD' is not a two-letter country code "
            "(XK for Kosovo)"
        ],
    ),
    (
        "blackout-key",
        "blackouts:\n  - {from: 2020-03-01, until: 2020-03-31}\n",
        [
            "{p} line 4, column blackouts[0].until: unknown key; valid keys: from, to, countries",
            "{p} line 4, column blackouts[0]: is missing 'to'; a blackout needs from and to dates "
            "(YYYY-MM-DD)",
        ],
    ),
    (
        "solver-name",
        "solver: {name: gurobi}\n",
        ["{p} line 3, column solver.name: 'gurobi' is not one of highs, cbc"],
    ),
    (
        "solver-key",
        "solver:\n  name: highs\n  timelimit: 10\n",
        ["{p} line 5, column solver.timelimit: unknown key; did you mean 'time_limit_s'?"],
    ),
    (
        "solver-gap",
        "solver: {mip_gap: 2}\n",
        ["{p} line 3, column solver.mip_gap: '2' must be 0..1"],
    ),
    (
        "solver-threads",
        "solver: {threads: 0}\n",
        ["{p} line 3, column solver.threads: '0' must be 1 or more"],
    ),
    (
        "solver-time-limit",
        "solver: {time_limit_s: 0}\n",
        [
            "{p} line 3, column solver.time_limit_s: '0' must be greater than 0 (leave it out for no "
            "limit)"
        ],
    ),
    (
        "objective-level",
        "objective:\n  - placements\n  - fairness\n",
        [
            "{p} line 5, column objective: 'fairness' is not an objective level; levels: placements, "
            "stability, targets, priority, preferences, cost"
        ],
    ),
    (
        "objective-typo",
        "objective: [placements, prefs]\n",
        [
            "{p} line 3, column objective: 'prefs' is not an objective level; did you mean "
            "'preferences'?"
        ],
    ),
    (
        "objective-twice",
        "objective: [cost, cost]\n",
        ["{p} line 3, column objective: 'cost' is listed twice"],
    ),
    (
        "objective-not-list",
        "objective: cost\n",
        ["{p} line 3, column objective: 'cost' must be a list"],
    ),
    (
        "tolerance-level",
        "tolerances: {placement: 0.1}\n",
        ["{p} line 3, column tolerances.placement: unknown key; did you mean 'placements'?"],
    ),
    (
        "tolerance-negative",
        "tolerances: {cost: -0.1}\n",
        ["{p} line 3, column tolerances.cost: '-0.1' must be 0 or more"],
    ),
    (
        "previous-plan-without-as-of",
        "previous_plan: prev.csv\n",
        [
            "{p} line 3, column as_of: a re-plan needs as_of: the re-plan date (YYYY-MM-DD); "
            "placements that start before it are kept"
        ],
    ),
    (
        "previous-plan-missing",
        "previous_plan: nowhere.csv\nas_of: 2020-06-01\n",
        ["{p} line 3, column previous_plan: 'nowhere.csv' not found (looked for {d}/nowhere.csv)"],
    ),
    (
        "as-of-bad",
        "as_of: 2020-06-31\n",
        ["{p} line 3, column as_of: '2020-06-31' is not a date in the form YYYY-MM-DD"],
    ),
]


@pytest.mark.parametrize("extra, expected", [pytest.param(e, x, id=i) for i, e, x in RULES])
def test_scenario_rule(scenario_dir: Path, extra: str | None, expected: list[str]) -> None:
    (scenario_dir / "prev.csv").write_text("participant_id,offer_id\n")
    if extra is None:
        text = "case: ../tiny\n"
    elif extra == "":
        text = "name: my scenario\ncase: ../tiny\n"
    elif extra == "..":
        text = "name: ..\ncase: ../tiny\n"
    else:
        text = HEAD + extra
    p = write(scenario_dir, text)
    d = scenario_dir.resolve()
    assert problems(p) == [m.format(p=p, d=d) for m in expected]


def test_every_scenario_problem_is_collected(scenario_dir: Path) -> None:
    p = write(
        scenario_dir,
        "name: s1\nbudjet: 5\nsolver: {name: gurobi}\n"
        "targets:\n  - {name: t, share_of: {age: 3}, min: 2}\n",
    )
    assert problems(p) == [
        f"{p} line 2, column budjet: unknown key; did you mean 'budget_eur'?",
        f"{p} line 1, column case: is missing; it is required",
        f"{p} line 5, column targets[0].share_of.age: 'age' is not a filter attribute; "
        "allowed: gender, fewer_opportunities, country, sector, org_id",
        f"{p} line 5, column targets[0].min: '2' must be 0..1",
        f"{p} line 3, column solver.name: 'gurobi' is not one of highs, cbc",
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "name: s1\ncase: [x\n",
            "{p} line 3: is not valid YAML: expected ',' or ']', but got '<stream end>'",
        ),
        (
            "name: s1\ncase: ../tiny\nsolver:\n\tname: cbc\n",
            "{p} line 4: is not valid YAML: found character '\\t' that cannot start any token; indent "
            "with spaces, not tabs",
        ),
        (
            "- name: s1\n- case: x\n",
            "{p} line 1: holds a list; a scenario is key: value lines with at least name and case",
        ),
        (
            "just text\n",
            "{p} line 1: holds a single value; a scenario is key: value lines with at least name and "
            "case",
        ),
        ("", "{p} line 1: is empty; a scenario is key: value lines with at least name and case"),
        (
            "name: !!python/object/apply:os.system ['echo hi']\n",
            "{p} line 1: is not valid YAML: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object/apply:os.system'",
        ),
        ("name: &a [*a]\n", "{p} line 1: is not valid YAML: found unconstructable recursive node"),
    ],
)
def test_scenario_file_that_is_not_a_mapping(scenario_dir: Path, text: str, expected: str) -> None:
    p = write(scenario_dir, text)
    assert problems(p) == [expected.format(p=p)]


@pytest.mark.parametrize(
    "data, expected",
    [
        (
            b"\x00\x01binary",
            "{p}: is not a text file (it holds binary data); a scenario is a YAML text file",
        ),
        (
            "name: caf\xe9\n".encode("latin-1"),
            "{p} line 1: is not UTF-8 text (byte 0xe9); save it as UTF-8",
        ),
    ],
)
def test_scenario_file_that_is_not_text(scenario_dir: Path, data: bytes, expected: str) -> None:
    p = scenario_dir / "s.yaml"
    p.write_bytes(data)
    assert problems(p) == [expected.format(p=p)]


def test_scenario_file_missing_or_a_folder(scenario_dir: Path) -> None:
    assert problems(scenario_dir / "nope.yaml") == [
        f"{scenario_dir / 'nope.yaml'}: scenario file not found"
    ]
    assert problems(scenario_dir) == [f"{scenario_dir}: is a folder; give the scenario's YAML file"]


def test_huge_yaml_aliases_are_shown_short(scenario_dir: Path) -> None:
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    p = write(scenario_dir, "\n".join(lines) + "\nname: *a8\ncase: ../tiny\n")
    out = problems(p)
    assert len(out) == 10 and max(len(m) for m in out) < 300
    assert out[-1].startswith(f"{p} line 10, column name: '[[[")


# ----------------------------------------------------------------- rules that need the case


def _run(scenario: Path, out: Path) -> tuple[int, str, str]:
    return run_cli("run", str(scenario), "--out", str(out), "--no-report")


def _listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize(
    "extra, expected",
    [
        (
            "quotas:\n  LEARNING: {quota: 3}\n",
            "{p} line 4, column quotas.LEARNING: 'LEARNING' is not an activity_id of the case; did "
            "you mean 'LEARN'?",
        ),
        (
            "quotas:\n  LEARN:\n    quota_min: 5\n",
            "{p} line 5, column quotas.LEARN.quota_min: '5' is greater than quota 3 of the case",
        ),
        (
            "targets:\n  - name: t\n    share_of: {gender: F}\n    among: {activity_id: [LEARN, X1]}\n"
            "    min: 0.5\n",
            "{p} line 6, column targets.t.among.activity_id: 'X1' is not an activity_id of the case; "
            "activities: LEARN, TEACH",
        ),
        (
            "targets:\n  - name: t\n    count_of: {org_id: RS_BELGRADE}\n    min: 1\n",
            "{p} line 5, column targets.t.count_of.org_id: 'RS_BELGRADE' is not an org_id of the "
            "case",
        ),
    ],
)
def test_run_with_a_scenario_that_does_not_fit_the_case(
    scenario_dir: Path, monkeypatch: pytest.MonkeyPatch, extra: str, expected: str
) -> None:
    p = write(scenario_dir, HEAD + extra)
    root = scenario_dir.parent
    monkeypatch.chdir(root)
    before = _listing(root)
    code, out, err = _run(p, root / "out")
    assert code == 2, err
    assert "Traceback" not in out + err
    assert err.splitlines() == [
        f"1 problem found in the scenario {p}:",
        "  " + expected.format(p=p),
    ]
    assert _listing(root) == before  # no output folder, nothing written


def test_run_with_a_broken_scenario_or_case_writes_nothing(
    scenario_dir: Path, tiny_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = scenario_dir.parent
    monkeypatch.chdir(root)
    (tiny_case / "offers.csv").write_text("offer_id,host_id\nO1,ES_SEV\n")
    write(scenario_dir, "")
    before = _listing(root)
    for text in ["name: s1\ncase: ../tiny\nbudjet_eur: 1\n", HEAD, "- a\n", "name: [x\n"]:
        p = write(scenario_dir, text)
        code, out, err = _run(p, root / "out")
        assert code == 2 and "Traceback" not in out + err and err.strip(), (text, err)
        assert "problem" in err.splitlines()[0]
    assert _listing(root) == before
