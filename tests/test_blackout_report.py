"""What the blackouts of a scenario that plans from scratch take away: summary.json's
``blackouts`` and ``blackout_effect`` and the report's "What the stop cancelled" section.

On the tiny case of conftest, worked by hand: the blackout 2020-05-10 to 2020-05-16
(everywhere) overlaps O3 (RS_BEL, TEACH, 2020-05-11 to 2020-05-15, 1 seat) and no other
offer. O3 is P6's only eligible offer (O4 needs English, P6 speaks Italian only), so P6 is
left without one; P5 keeps O4. The plan places 3 LEARN (O1 from 2020-03-02, O2 from
2020-04-06, both before the stop) and P5 in O4 (2020-06-08): 1 of its 4 placements starts
after the restart on 2020-05-17.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import cast

import pytest
import yaml

from conftest import run_cli, tiny_tables, write_case
from intervet_plan import api
from intervet_plan.domain.blackouts import blackout_effect, offer_closures
from intervet_plan.domain.context import load_context
from intervet_plan.inputs.scenario import Blackout
from intervet_plan.outputs import blackout_views, run_folder

ROOT = Path(__file__).resolve().parents[1]
ES = frozenset(["ES"])
STOP = {"from": "2020-05-10", "to": "2020-05-16"}
SENTENCE = (
    "No mobility from 10 May 2020 to 16 May 2020: 1 offer with 1 seat closed; 1 applicant had "
    "no eligible offer left; the plan places 1 of its 4 mobilities after the restart."
)
COVID_SENTENCE = (
    "No mobility from 1 March 2020 to 15 June 2021: 99 offers with 614 seats closed; 285 "
    "applicants had no eligible offer left; the plan places 599 of its 618 mobilities after "
    "the restart."
)


def _untouched(**extra: object) -> dict:
    return {
        "offers_closed": 0,
        "seats_closed": 0,
        "offers_closed_for_some": 0,
        "seats_closed_for_some": 0,
        "applicants_without_offer": 0,
        **extra,
    }


def write_stop(root: Path, blackouts: list[dict]) -> Path:
    """The tiny case and a scenario with ``blackouts`` (no previous plan)."""
    meta, tables = tiny_tables()
    write_case(root / "case", meta, tables)
    path = root / "s.yaml"
    path.write_text(
        yaml.safe_dump({"name": "stop", "case": "case", "blackouts": blackouts}), encoding="utf-8"
    )
    return path


def _text(html: str) -> str:
    body = re.sub(r"<style.*?</style>|<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.fixture(scope="module")
def stop_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("stop")
    code, _, err = run_cli("run", str(write_stop(root, [STOP])), "--out", str(root / "out"))
    assert code == 0, err
    return root / "out"


def test_summary_counts_what_the_stop_closed(stop_out: Path):
    s = json.loads((stop_out / "summary.json").read_text(encoding="utf-8"))
    assert s["blackouts"] == [{"from": "2020-05-10", "to": "2020-05-16", "countries": None}]
    assert s["blackout_effect"] == {
        "restart": "2020-05-17",
        "offers_closed": 1,
        "seats_closed": 1,
        "offers_closed_for_some": 0,
        "seats_closed_for_some": 0,
        "applicants_without_offer": 1,
        "placed_after_restart": 1,
        "by_activity": {
            "LEARN": {"label": "Work-based learning", **_untouched(placed_after_restart=0)},
            "TEACH": {
                "label": "Teaching assignment",
                **_untouched(offers_closed=1, seats_closed=1, applicants_without_offer=1),
                "placed_after_restart": 1,
            },
        },
    }
    assert "replan" not in s and "as_of" not in s
    unplaced = (stop_out / "unplaced.csv").read_text(encoding="utf-8")
    assert "P6,TEACH,no_eligible_offer,activity: 2; languages: 1; blackout: 1" in unplaced


def test_report_says_what_the_stop_cancelled(stop_out: Path):
    res = run_folder.read_run(stop_out)
    table = blackout_views.stop_table(res)
    assert table is not None
    assert table.values.tolist() == [
        ["Work-based learning", 0, 0, 0, 0],
        ["Teaching assignment", 1, 1, 1, 1],
        ["total", 1, 1, 1, 1],
    ]
    assert list(table.columns) == [
        "activity",
        "offers closed",
        "seats closed",
        "applicants left without an offer",
        "placed after the restart",
    ]  # no offer is closed to some senders only: no columns for them
    assert blackout_views.stop_note(res) is None  # P6 counts under one activity
    html = (stop_out / "report.html").read_text(encoding="utf-8")
    assert re.search(r"<h2[^>]*>What the stop cancelled", html)
    text = _text(html)
    assert SENTENCE in text
    assert "Teaching assignment 1 1 1 1" in text
    # right after the headline figures, before the quota section
    assert text.index("Headline figures") < text.index(SENTENCE) < text.index("Quota attainment")
    assert "Traceback" not in text and "Error" not in text


def test_country_limited_stops_close_offers_for_some_senders(tmp_path: Path):
    """Two blackouts: STOP everywhere, and March 2020 for RS. O1 (Seville, 2020-03-02 to
    2020-03-29) is closed to the Serbian senders P1 and P2 only; both keep O2. A blackout
    listing ES, the host's country, closes O1 to everyone."""
    rs = {"from": "2020-03-01", "to": "2020-03-31", "countries": ["RS"]}
    ctx = load_context(write_stop(tmp_path, [STOP, rs]))
    effect = blackout_effect(ctx)
    assert effect is not None
    assert str(effect.restart) == "2020-05-17"
    assert effect.by_activity.drop(columns="label").to_dict("index") == {
        "LEARN": _untouched(offers_closed_for_some=1, seats_closed_for_some=2),
        "TEACH": _untouched(offers_closed=1, seats_closed=1, applicants_without_offer=1),
    }
    assert effect.stranded.values.tolist() == [["P6", "TEACH"]]
    shut = offer_closures(ctx.case, [Blackout(dt.date(2020, 3, 1), dt.date(2020, 3, 31), ES)])
    assert shut.to_dict("index")["O1"] == {"closed": True, "closed_for_some": False}
    assert not shut.drop(index="O1").to_numpy().any()

    summary = api.solve(api.build(ctx)).summary
    sentence = blackout_views.stop_sentence(summary["blackouts"], summary["blackout_effect"], 4)
    assert sentence == (
        "No mobility from 10 May 2020 to 16 May 2020 and none to or from RS from 1 March 2020 "
        "to 31 March 2020: 1 offer with 1 seat closed, 1 offer with 2 seats closed to "
        "applicants sent from RS; 1 applicant had no eligible offer left; the plan places 1 "
        "of its 4 mobilities after the last stop ends on 16 May 2020."
    )


def test_a_replan_and_a_run_without_blackouts_have_no_effect(tmp_path: Path):
    ctx = load_context(write_stop(tmp_path, []))
    assert blackout_effect(ctx) is None
    summary = api.solve(api.build(ctx)).summary
    assert "blackouts" not in summary and "blackout_effect" not in summary
    replan = load_context(ROOT / "scenarios" / "replan_2021.yaml")
    assert blackout_effect(replan) is None


def test_covid_counts_without_solving():
    """The covid scenario's stop, from its case alone (the run below shows it in the report)."""
    effect = blackout_effect(load_context(ROOT / "scenarios" / "covid.yaml"))
    assert effect is not None
    t = effect.by_activity
    assert (int(t["offers_closed"].sum()), int(t["seats_closed"].sum())) == (99, 614)
    assert effect.applicants_without_offer == 285
    assert int(t["applicants_without_offer"].sum()) == 298  # some count under two activities


@pytest.mark.slow
def test_covid_report_tells_the_stop(tmp_path: Path):
    out = tmp_path / "out"
    code, _, err = run_cli("run", str(ROOT / "scenarios" / "covid.yaml"), "--out", str(out))
    assert code == 0, err
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["blackout_effect"]["placed_after_restart"] == 599
    text = _text((out / "report.html").read_text(encoding="utf-8"))
    assert COVID_SENTENCE in text
    assert "counts under each activity" in text


def test_without_a_plan_the_section_says_so():
    """An infeasible run: the counts stand, the plan's are left out."""
    effect = {
        "restart": "2020-05-17",
        **_untouched(offers_closed=1, seats_closed=1, applicants_without_offer=1),
        "placed_after_restart": None,
        "by_activity": {
            "TEACH": {
                "label": "",
                **_untouched(offers_closed=1, seats_closed=1, applicants_without_offer=1),
                "placed_after_restart": None,
            }
        },
    }
    summary = {"objective": {}, "placed": {"TEACH": 0}, "blackouts": [STOP]}
    res = cast(run_folder.RunFolder, {"summary": {**summary, "blackout_effect": effect}})
    text = blackout_views.stop_text(res)
    assert text is not None and "applicant had no eligible offer left; there is no plan." in text
    assert "unplaced.csv" not in text  # an infeasible run writes none
    table = blackout_views.stop_table(res)
    assert table is not None and table.values.tolist() == [["TEACH", 1, 1, 1], ["total", 1, 1, 1]]
    assert blackout_views.stop_text(cast(run_folder.RunFolder, {"summary": summary})) is None
