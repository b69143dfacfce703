"""The report's Partners, Hosts, Gender and inclusion and Scenario settings sections, the
sheets partners and hosts of allocation.xlsx, blackouts shaded on the time axes and the flow
graph at scale, each checked by hand on the tiny case of conftest.

The scenario ``sect`` on the tiny case: a hard count target ``x_placed`` (at least one
placement of gender X) places P4 (BA_SAR, X, fewer opportunities); priority then takes P1
(3) and P2 (2) over P3 (1) for the other two LEARN seats, and P5 (1) over P6 (0) for TEACH.
Preferences put P1 (ES_SEV first) and P4 (ES_SEV) in O1 at ES_SEV, P2 (SI_MAR) in O2, and
P5 (RS_BEL) in O3. Costs (SPEC 3.4):

- P1 RS_BEL -> ES_SEV: travel 360 (2000-2999 km), 28 + 2 days at group 2 learner rates
  57 x 14 + 40 x 16 = 1438, organisational support 350: 2148;
- P4 BA_SAR -> ES_SEV: 360 + 1438 + 350 + inclusion 100 = 2248;
- P2 RS_BEL -> SI_MAR: 180 (100-499 km) + 48 x 14 + 34 x 16 = 1216 (group 3) + 350 + 100 = 1846;
- P5 IT_FOR -> RS_BEL: 275 (500-1999 km) + 7 days x 91 (group 3 staff) = 637 + 350 = 1262.

The blackouts (2020-07-01 to 2020-07-15 everywhere, September 2020 for SI) close no offer.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import matplotlib.dates as mdates
import openpyxl
import pandas as pd
import pytest
import yaml

from conftest import run_cli, tiny_tables, write_case
from intervet_plan.outputs import (
    breakdown_views,
    figure,
    flow_graph,
    host_views,
    partner_views,
    placement_plots,
    run_folder,
    settings_views,
)

BLACKOUTS = [
    {"from": "2020-07-01", "to": "2020-07-15"},
    {"from": "2020-09-01", "to": "2020-09-30", "countries": ["SI"]},
]
SCENARIO = {
    "name": "sect",
    "case": "case",
    "budget_eur": 90000,
    "quotas": {"LEARN": {"quota": 3, "quota_min": 2}},
    "targets": [
        {
            "name": "women",
            "share_of": {"gender": "F"},
            "among": {"participant_type": "learner"},
            "min": 0.3,
            "weight": 2,
        },
        {"name": "x_placed", "count_of": {"gender": "X"}, "min": 1, "hard": True},
    ],
    "blackouts": BLACKOUTS,
    "objective": ["placements", "targets", "priority", "preferences", "cost"],
    "tolerances": {"cost": 0.05},
    "solver": {"name": "highs", "time_limit_s": 60, "seed": 3},
}


def _text(html: str) -> str:
    body = re.sub(r"<style.*?</style>|<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).replace("\u00a0", " ")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sect")
    meta, tables = tiny_tables()
    write_case(root / "case", meta, tables)
    (root / "s.yaml").write_text(yaml.safe_dump(SCENARIO), encoding="utf-8")
    code, _, err = run_cli("run", str(root / "s.yaml"), "--out", str(root / "out"))
    assert code == 0, err
    return root / "out"


@pytest.fixture(scope="module")
def res(out: Path) -> run_folder.RunFolder:
    return run_folder.read_run(out)


def test_the_plan_is_the_one_worked_by_hand(res):
    a = res["allocation"].set_index("participant_id")
    assert a["offer_id"].to_dict() == {"P1": "O1", "P4": "O1", "P2": "O2", "P5": "O3"}
    assert a["total_eur"].to_dict() == {"P1": 2148.0, "P4": 2248.0, "P2": 1846.0, "P5": 1262.0}


def test_partners_table(res):
    t = partner_views.partner_table(res, ids=True)
    assert t.to_dict("records") == [
        {
            "org_id": "BA_SAR",
            "sending organisation": "IUS Lifelong Learning Center",
            "country": "BA",
            "placements": 1,
            "learners": 1,
            "staff": 0,
            "organisational support (EUR)": 350.0,
            "grant (EUR)": 2248.0,
        },
        {
            "org_id": "IT_FOR",
            "sending organisation": "Uniser",
            "country": "IT",
            "placements": 1,
            "learners": 0,
            "staff": 1,
            "organisational support (EUR)": 350.0,
            "grant (EUR)": 1262.0,
        },
        {
            "org_id": "RS_BEL",
            "sending organisation": "Chamber of Commerce of Serbia",
            "country": "RS",
            "placements": 2,
            "learners": 2,
            "staff": 0,
            "organisational support (EUR)": 700.0,
            "grant (EUR)": 3994.0,
        },
        {
            "org_id": "",
            "sending organisation": "total",
            "country": "",
            "placements": 4,
            "learners": 3,
            "staff": 1,
            "organisational support (EUR)": 1400.0,
            "grant (EUR)": 7504.0,
        },
    ]
    # the grants add up to the plan's total cost, and the report shows no id
    assert t["grant (EUR)"].iloc[-1] == res["summary"]["cost_eur"]["total"]
    assert "org_id" not in partner_views.partner_table(res)
    assert "EUR 7,504.00" in partner_views.partner_text(res)


def test_hosts_table_with_peak_occupancy_against_max_concurrent(res):
    """ES_SEV hosts P1 and P4 in O1 from 2020-03-02: two present at once, its
    max_concurrent of 2 (100 %). SI_MAR and RS_BEL host one each and set no limit."""
    t = host_views.host_table(res, ids=True)
    day = pd.Timestamp
    assert t.to_dict("records") == [
        {
            "host_id": "ES_SEV",
            "host": "Incoma",
            "country": "ES",
            "participants hosted": 2,
            "cohorts": 1,
            "peak occupancy": 2,
            "peak on": day("2020-03-02"),
            "max at once": 2,
            "peak / max": 1.0,
        },
        {
            "host_id": "RS_BEL",
            "host": "Chamber of Commerce of Serbia",
            "country": "RS",
            "participants hosted": 1,
            "cohorts": 1,
            "peak occupancy": 1,
            "peak on": day("2020-05-11"),
            "max at once": None,
            "peak / max": None,
        },
        {
            "host_id": "SI_MAR",
            "host": "ZNI",
            "country": "SI",
            "participants hosted": 1,
            "cohorts": 1,
            "peak occupancy": 1,
            "peak on": day("2020-04-06"),
            "max at once": None,
            "peak / max": None,
        },
        {
            "host_id": "",
            "host": "total",
            "country": "",
            "participants hosted": 4,
            "cohorts": 3,
            "peak occupancy": None,
            "peak on": None,
            "max at once": None,
            "peak / max": None,
        },
    ]
    shown = host_views.host_display(res)
    assert (
        shown.loc[0, "peak on"] == "2\u00a0Mar\u00a02020" and shown.loc[0, "peak / max"] == "100%"
    )
    assert "At their limit on their peak day: Incoma" in host_views.host_text(res)


def test_peak_occupancy_counts_both_days_of_a_stay():
    """A stay ending on a day and one starting that day overlap; one starting the day after
    does not."""
    stays = pd.DataFrame(
        {
            "start_date": pd.to_datetime(["2020-03-02", "2020-03-29", "2020-03-30"]),
            "end_date": pd.to_datetime(["2020-03-29", "2020-04-05", "2020-04-01"]),
        }
    )
    assert host_views.peak_occupancy(stays) == (2, pd.Timestamp("2020-03-29"))
    assert host_views.peak_occupancy(stays.iloc[[0, 2]]) == (1, pd.Timestamp("2020-03-02"))
    assert host_views.peak_occupancy(stays.iloc[:0]) == (0, None)


def test_gender_and_inclusion_counts_with_the_x(res):
    """LEARN: P1 F, P2 M (fewer opportunities), P4 X (fewer opportunities); TEACH: P5 F."""
    by_activity = breakdown_views.gender_counts(res["allocation"], "activity_id")
    assert by_activity.to_dict("index") == {
        "LEARN": {"placements": 3, "F": 1, "M": 1, "X": 1, "fewer opportunities": 2},
        "TEACH": {"placements": 1, "F": 1, "M": 0, "X": 0, "fewer opportunities": 0},
        "total": {"placements": 4, "F": 2, "M": 1, "X": 1, "fewer opportunities": 2},
    }
    by_country = breakdown_views.gender_counts(res["allocation"], "sending_country")
    assert by_country["X"].to_dict() == {"BA": 1, "IT": 0, "RS": 0, "total": 1}
    assert by_country["placements"].to_dict() == {"BA": 1, "IT": 1, "RS": 2, "total": 4}
    shown = breakdown_views.gender_table(res, "activity")
    assert shown["activity"].tolist() == ["Work-based learning", "Teaching assignment", "total"]
    assert shown["X (other or not disclosed)"].tolist() == ["1 (33.3%)", "0 (0.0%)", "1 (25.0%)"]
    assert shown["with fewer opportunities"].iloc[-1] == "2 (50.0%)"
    assert breakdown_views.gender_table(res, "country")["sending country"].tolist() == [
        *("BA", "IT", "RS", "total")
    ]
    assert (
        "In all, of 4 placements: 2 female (50.0%), 1 male (25.0%) and 1 X (25.0%); 2 with "
        "fewer opportunities (50.0%)." in breakdown_views.gender_text(res)
    )


def test_summary_gives_run_date_settings_and_blackouts(res):
    s = res["summary"]
    run_at = dt.datetime.fromisoformat(s["run_at"])
    assert run_at.tzinfo is not None
    assert abs((dt.datetime.now(dt.UTC) - run_at).total_seconds()) < 3600
    assert s["participant_type"] == {"LEARN": "learner", "TEACH": "staff"}
    assert s["blackouts"] == [
        {"from": "2020-07-01", "to": "2020-07-15", "countries": None},
        {"from": "2020-09-01", "to": "2020-09-30", "countries": ["SI"]},
    ]
    g = s["settings"]
    assert g["budget_eur"] == 90000 and g["budget_source"] == "scenario"
    assert g["case_budget_eur"] == 100000
    assert g["quotas_changed"] == {"LEARN": {"quota_min": {"case": 0, "scenario": 2}}}
    assert [t["name"] for t in g["targets"]] == ["women", "x_placed"]
    assert g["targets"][1] == {
        "name": "x_placed",
        "kind": "count",
        "of": {"gender": ["X"]},
        "for_each": None,
        "among": {},
        "min": 1,
        "max": None,
        "hard": True,
        "weight": 1.0,
    }
    assert g["objective"] == ["placements", "targets", "priority", "preferences", "cost"]
    assert g["tolerances"] == {"cost": 0.05}
    assert g["solver"] == {
        "name": "highs",
        "time_limit_s": 60,
        "mip_gap": 0.0,
        "threads": 1,
        "seed": 3,
    }
    assert (g["previous_plan"], g["as_of"], g["withdrawn"]) == (None, None, 0)


def test_settings_list(res):
    rows = settings_views.settings_table(res).to_dict("split")["data"]
    version = res["summary"]["solver"]["version"]
    assert rows[0][0] == "run on" and re.fullmatch(
        r"\d{1,2} [A-Z][a-z]+ 20\d\d, \d\d:\d\d \(UTC[+-]\d\d:\d\d\)", rows[0][1]
    )
    assert rows[1:] == [
        ["scenario", "sect"],
        ["case", "tiny"],
        ["budget", "EUR 90,000.00 (set by the scenario; the case gives EUR 100,000.00)"],
        ["quota of Work-based learning", "quota minimum 2 (case: 0)"],
        [
            "target women",
            "share of female participants among learners: at least 30%; soft, weight 2",
        ],
        [
            "target x_placed",
            "count of gender X participants among all placements: at least 1; hard",
        ],
        ["stop (blackout)", "1 July 2020 to 15 July 2020, everywhere"],
        ["stop (blackout)", "1 September 2020 to 30 September 2020, hosts or senders in SI"],
        [
            "objective, in order",
            "most placements, then smallest target shortfall, then highest total priority, "
            "then most preferences met, then lowest cost",
        ],
        ["tolerances", "lowest cost within 5.00% of its best"],
        [
            "solver",
            f"HiGHS {version}; time limit 60 s; seeks the best plan, no gap allowed; 1 thread; seed 3",
        ],
    ]


def test_settings_of_a_folder_without_them():
    """A run folder written before summary.json had settings shows what it has."""
    old = {"summary": {"scenario": "old", "case": "c"}}
    rows = settings_views.settings_table(old).to_dict("split")["data"]  # type: ignore[arg-type]
    assert rows == [
        ["run on", "unknown"],
        ["scenario", "old"],
        ["case", "c"],
        ["stops (blackouts)", "none"],
    ]


def _spans(ax) -> list[tuple[float, float]]:
    """The x extent (first and last x, as date numbers) of each blackout patch on ``ax``."""
    out = []
    for p in ax.patches:
        if p.get_gid() == figure.BLACKOUT_GID:
            x0, _y0, w, _h = p.get_bbox().bounds
            out.append((float(x0), float(x0 + w)))
    return out


def test_blackouts_shaded_on_the_time_axes(res):
    """Each blackout covers its first day to the end of its last day, on the timeline and
    the cohort chart, with the legend entry "stop (blackout)"."""
    day = mdates.date2num
    want = [
        (float(day(dt.date(2020, 7, 1))), float(day(dt.date(2020, 7, 16)))),
        (float(day(dt.date(2020, 9, 1))), float(day(dt.date(2020, 10, 1)))),
    ]
    blackouts = res["summary"]["blackouts"]
    for fig in (
        placement_plots.timeline(res["allocation"], blackouts),
        placement_plots.cohorts_gantt(res["allocation"], blackouts),
    ):
        ax = fig.axes[0]
        assert _spans(ax) == want
        lo, hi = ax.get_xlim()
        assert lo <= want[0][0] and hi >= want[1][0]  # the axis shows them
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend.count("stop (blackout)") == 1
        assert "stop in SI" in [t.get_text() for t in ax.texts]
    plain = placement_plots.timeline(res["allocation"])
    assert _spans(plain.axes[0]) == []
    assert "stop (blackout)" not in [t.get_text() for t in plain.axes[0].get_legend().get_texts()]


def test_report_shows_the_new_sections(out: Path):
    body = _text((out / "report.html").read_text(encoding="utf-8"))
    for heading in ("Partners", "Hosts", "Gender and inclusion", "Scenario settings"):
        assert f" {heading} " in body, heading
    assert "IUS Lifelong Learning Center BA 1 1 0 350.00 2,248.00" in body
    assert "Incoma ES 2 1 2 2 Mar 2020 2 100%" in body
    assert "1 (25.0%)" in body
    assert "target x_placed count of gender X participants among all placements" in body
    assert body.index(" Scenario settings ") < body.index(" Solver and reproducibility ")


def test_workbook_sheets_partners_and_hosts(out: Path):
    wb = openpyxl.load_workbook(out / "allocation.xlsx")
    assert wb.sheetnames[-2:] == ["partners", "hosts"]
    partners = [[c.value for c in row] for row in wb["partners"].iter_rows()]
    assert partners[0] == ["org_id", *partner_views.COLUMNS]
    assert partners[3] == ["RS_BEL", "Chamber of Commerce of Serbia", "RS", 2, 2, 0, 700, 3994]
    assert partners[4][1] == "total" and partners[4][-1] == 7504
    assert wb["partners"]["H2"].number_format == '#,##0.00 "EUR"'
    hosts = [[c.value for c in row] for row in wb["hosts"].iter_rows()]
    assert hosts[0] == ["host_id", *host_views.COLUMNS]
    assert hosts[1] == ["ES_SEV", "Incoma", "ES", 2, 1, 2, dt.datetime(2020, 3, 2), 2, 1]
    assert wb["hosts"]["G2"].number_format == "yyyy-mm-dd"
    assert wb["hosts"]["I2"].number_format == "0.0%"
    assert hosts[4] == [None, "total", None, 4, 3, None, None, None, None]  # empty cells


def _wide_allocation(hosts: int, countries: int = 6) -> pd.DataFrame:
    """Placements from ``countries`` WB countries to ``hosts`` hosts: country i sends
    (i + 1) * (h + 1) placements to host h."""
    rows = []
    wb = ["AL", "BA", "ME", "MK", "RS", "XK"][:countries]
    for i, c in enumerate(wb):
        for h in range(hosts):
            rows += [{"sending_country": c, "org_id": f"O_{c}", "host_id": f"H{h:02d}"}] * (
                (i + 1) * (h + 1)
            )
    return pd.DataFrame(rows)


def test_flow_graph_keeps_the_largest_hosts_and_flows():
    """30 hosts: the 11 largest drawn, the other 19 merged into one node; the 12 largest flows
    between drawn nodes numbered; every placement still counted."""
    a = _wide_allocation(30)
    m = pd.crosstab(a["sending_country"], a["host_id"])
    capped = flow_graph.capped(m, flow_graph.MAX_HOSTS, axis=1)
    assert list(capped.columns) == [f"H{h:02d}" for h in range(29, 18, -1)] + ["19 other hosts"]
    assert capped.to_numpy().sum() == m.to_numpy().sum() == len(a)
    fig = flow_graph.flows_network(a)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    numbers = [t for t in texts if t.isdigit()]
    # the 12 largest flows between drawn nodes (hosts H19..H29)
    drawn = [(i + 1) * (h + 1) for i in range(6) for h in range(19, 30)]
    assert sorted(map(int, numbers), reverse=True) == sorted(drawn, reverse=True)[:12]
    assert f"19 other hosts ({capped['19 other hosts'].sum():,})" in texts
    assert "the 19 other hosts merged into one" in ax.get_title(loc="left")
    # few hosts: nothing merged, every flow numbered
    small = flow_graph.flows_network(_wide_allocation(2, 3))
    assert sum(t.get_text().isdigit() for t in small.axes[0].texts) == 6
    assert "Each flow with its number" in small.axes[0].get_title(loc="left")
