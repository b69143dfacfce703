"""The report speaks the planner's language (issue 13): no activity id and no organisation id
where its name exists, the preference headline counted among those who listed hosts, the
heading "Why the scenario is infeasible" only when it is, and an infeasible report that leads
with the ways out.

The rule for "an id where its name exists": the ids are every activity and organisation id of
the run folder's ``labels`` whose name differs from it (``MCAST`` named ``MCAST`` is a name);
an id counts where it stands as a whole token (:func:`intervet_plan.outputs.labels.id_tokens`).
An offer id such as ``WBL_SHORT-MODE-2021-07`` is a token of its own: it traces a row (the
selection audit, the reserves, the cancellations) and stands beside the activity and host by
name. File names (``activities.csv`` in the checksum table) are tokens of their own as well.
Target names are the scenario's own words and participants are pseudonymous ids: neither is
looked for.

Two views of each report are checked: the text a reader sees in report.html (tags stripped,
the figures' alt text kept), and everything the template shows, collected by executing its
code cells in-process with ``report.show`` recording each object: tables (headers and cells),
markdown and every text drawn in each figure (titles, tick labels, legends, annotations).
"""

from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from matplotlib.figure import Figure
from matplotlib.text import Text

from conftest import run_cli, tiny_tables, write_case
from intervet_plan.outputs import report
from intervet_plan.outputs.labels import Labels, id_tokens
from test_fairness import fair_case

ROOT = Path(__file__).resolve().parents[1]
INFEASIBLE = "Why the scenario is infeasible"


def visible_text(html: str) -> str:
    """What a reader sees: no style or script, tags stripped, each figure's alt text kept."""
    body = re.sub(r"<style.*?</style>|<script.*?</script>", " ", html, flags=re.S | re.I)
    body = re.sub(r'<img[^>]*\balt="([^"]*)"[^>]*>', r" \1 ", body)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", htmllib.unescape(body))


def shown_objects(out: Path, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every object the report template shows for the run folder ``out`` (its code cells run
    in-process, ``report.show`` and ``report.warn`` recording what they are given)."""
    shown: list[object] = []
    monkeypatch.setattr(report, "show", lambda obj, **_: shown.append(obj))
    monkeypatch.setattr(report, "warn", lambda text: shown.append(text))
    nb = nbformat.read(str(report.template_path(report.REPORT_TEMPLATE)), as_version=4)
    namespace: dict[str, object] = {"output_dir": str(out)}
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", []):
            exec(compile(cell.source, "allocation_report", "exec"), namespace)
    return [s for s in shown if s is not None]


def texts_of(obj: object) -> list[str]:
    """The words of a shown object: a table's headers and cells, a figure's every text."""
    if isinstance(obj, Figure):
        return [t.get_text() for t in obj.findobj(Text) if t.get_text()]
    if isinstance(obj, pd.DataFrame):
        return [str(c) for c in obj.columns] + [str(v) for v in obj.to_numpy().ravel()]
    return [str(obj)]


def ids_in(out: Path, text: str) -> list[str]:
    """The activity and organisation ids (with a name of their own) that ``text`` shows."""
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    ids = Labels.of(summary).named_ids()
    assert ids, "summary.json gives no names"
    return id_tokens(text, ids)


def check_language(out: Path, monkeypatch: pytest.MonkeyPatch, html: bool = True) -> str:
    """Assert that neither report.html (with ``html``) nor any table, text or figure of the
    template shows an id where a name exists; return the visible text of report.html."""
    shown = shown_objects(out, monkeypatch)
    assert any(isinstance(s, Figure) for s in shown) or not (out / "allocation.csv").is_file()
    for obj in shown:
        for t in texts_of(obj):
            assert not ids_in(out, t), (type(obj).__name__, t)
    if not html:
        return ""
    text = visible_text((out / "report.html").read_text(encoding="utf-8"))
    found = ids_in(out, text)
    assert not found, [text[max(text.index(i) - 80, 0) : text.index(i) + 40] for i in found]
    return text


# --------------------------------------------------------------------- fast: the tiny case


@pytest.fixture(scope="module")
def fair_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny fairness case (test_fairness): a blocking swap, an offer without a reserve,
    participants who listed hosts and one who did not."""
    root = tmp_path_factory.mktemp("language")
    code, out, err = run_cli("run", str(fair_case(root)), "--out", str(root / "out"))
    assert code == 0, out + err
    return root / "out"


def test_the_tiny_report_shows_names_not_ids(fair_out: Path, monkeypatch: pytest.MonkeyPatch):
    text = check_language(fair_out, monkeypatch)
    # the names are there instead: activities, hosts with their country, offers traced by id
    for name in ("Work-based learning", "Teaching assignment", "Incoma (ES)", "ZNI (SI)"):
        assert name in text, name
    assert "O1 Work-based learning Incoma (ES) 2020-03-02" in text
    assert "Words used in this report" in text and "Organisational support :" in text
    assert INFEASIBLE not in text and "optimality gap 0.00%" in text
    # units in words, no column names of the files
    for column in ("activity_id", "quota_min", "time_s", "travel_eur", "host_id"):
        assert column not in text.split("Solver and reproducibility")[0], column
    assert "solve time (seconds)" in text and "cost (EUR), of the budget" in text


def test_the_preference_headline_counts_those_who_listed_hosts(fair_out: Path):
    """P3 and P7 list no host; P1, P2 and P4 do: shares are counted among the placements of
    those who listed hosts, the others are said apart."""
    summary = json.loads((fair_out / "summary.json").read_text(encoding="utf-8"))
    alloc = pd.read_csv(fair_out / "allocation.csv", dtype=str, keep_default_na=False)
    meta, tables = tiny_tables()
    listed = {r["participant_id"] for r in tables["participants"] if r["preferences"]}
    listed |= {"P4"}  # fair_case gives P4 a preference
    mine = alloc["participant_id"].isin(listed)
    assert summary["preferences"] == {
        "placements_listing_hosts": int(mine.sum()),
        "placements_listing_none": int((~mine).sum()),
    }
    at = int((alloc["preference_rank"] != "").sum())
    n, none = int(mine.sum()), int((~mine).sum())
    text = visible_text((fair_out / "report.html").read_text(encoding="utf-8"))
    assert (
        f"{at} of the {n} placements of participants who listed hosts ({at / n:.0%}) are at one "
        "of those hosts" in text
    )
    assert f"{none} placement{' is' if none == 1 else 's are'} of participants who listed none" in (
        text
    )


def test_an_infeasible_tiny_run_says_so_in_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Host capacity 0 at Incoma and a minimum of 3 work-based learners: the bottleneck names
    the host, the minimum names the activity (no report rendered: the template's objects are
    checked in-process)."""
    meta, tables = tiny_tables()
    for r in tables["host_capacity"]:
        r["max_concurrent"] = "0"
    write_case(tmp_path / "case", meta, tables)
    sc = {"name": "inf", "case": "case", "quotas": {"LEARN": {"quota_min": 3}}}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(sc), encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = run_cli("run", str(tmp_path / "s.yaml"), "--out", str(out), "--no-report")
    assert code == 3, err
    check_language(out, monkeypatch, html=False)
    shown = "\n".join(t for s in shown_objects(out, monkeypatch) for t in texts_of(s))
    assert "the minimum of 3 placements for Work-based learning is short by 1" in shown
    assert "a minimum of 2 instead of 3 placements for Work-based learning" in shown
    assert INFEASIBLE in shown and "optimality gap" not in shown


# ------------------------------------------------------- slow: the shipped scenarios' reports

INFEASIBLE_SCENARIO = {
    "name": "kosovo_out_of_reach",
    "case": str(ROOT / "data" / "intervet_wb"),
    "targets": [
        {
            "name": "kosovo_learners",
            "count_of": {"country": "XK"},
            "among": {"participant_type": "learner"},
            "min": 150,
            "hard": True,
        }
    ],
}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["baseline", "covid", "replan_2021", "kosovo_out_of_reach"])
def test_shipped_reports_show_no_id_where_a_name_exists(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    scenario = ROOT / "scenarios" / f"{name}.yaml"
    if name == INFEASIBLE_SCENARIO["name"]:  # a hard target out of reach on the INTERVET case
        scenario = tmp_path / f"{name}.yaml"
        scenario.write_text(yaml.safe_dump(INFEASIBLE_SCENARIO), encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, err = run_cli("run", str(scenario), "--out", str(out))
    assert code == (3 if name == INFEASIBLE_SCENARIO["name"] else 0), stdout + err
    text = check_language(out, monkeypatch)
    assert "Words used in this report" in text
    if code == 3:
        # the ways out right after the title, no plan's figures, no gap, no chart
        assert text.index("No plan: what would make one possible") < text.index("Words used")
        assert "a kosovo_learners target of" in text and INFEASIBLE in text
        assert "optimality gap" not in text and "<img" not in (out / "report.html").read_text()
        return
    assert INFEASIBLE not in text and "No plan" not in text
    counts = json.loads((out / "summary.json").read_text())["preferences"]
    n, none = counts["placements_listing_hosts"], counts["placements_listing_none"]
    assert "placements of participants who listed hosts" in text and f"{none} placements are" in (
        text
    )
    assert n + none == len(pd.read_csv(out / "allocation.csv"))
    assert "Short-term work-based learning (1 month)" in text and "Mode (PL)" in text
