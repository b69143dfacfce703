"""A tiny, hand-checkable case shared by the whole suite, and helpers to write it to disk
(CSV folder or workbook) and to run the command line in-process.

The tiny case (every distance below is the haversine distance, Earth radius 6371 km):

==========  ====  ========  ======  ==========================================
org_id      ctry  city      region  role
==========  ====  ========  ======  ==========================================
RS_BEL      RS    Belgrade  WB      sends learners; hosts TEACH
BA_SAR      BA    Sarajevo  WB      sends learners; hosts TEACH
ES_SEV      ES    Seville   EU      hosts LEARN (group 2)
SI_MAR      SI    Maribor   EU      hosts LEARN (group 3)
IT_FOR      IT    Forli     EU      sends staff (TEACH)
==========  ====  ========  ======  ==========================================

Activities: LEARN (learner, WB_TO_EU, quota 3) and TEACH (staff, EU_TO_WB, quota 1).
Belgrade and Sarajevo to Seville fall in the 2000-2999 km band (EUR 360), to Maribor in the
100-499 km band (EUR 180); Forli to Belgrade and Sarajevo in 500-1999 km (EUR 275).
"""

from __future__ import annotations

import contextlib
import copy
import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
import yaml

from intervet_plan.cli import main
from intervet_plan.outputs.case_files import write_case_workbook

META: dict[str, object] = {
    "name": "tiny",
    "start_date": "2020-01-01",
    "end_date": "2020-12-31",
    "budget_eur": "100000",
    "inclusion_support_eur": "100",
    "org_support_threshold": "100",
}


def _rows(header: str, *lines: str) -> list[dict]:
    """Rows from a header and ``|``-separated lines (values are text, as read from a CSV)."""
    cols = header.split("|")
    out = []
    for line in lines:
        cells = line.split("|")
        assert len(cells) == len(cols), line
        out.append(dict(zip(cols, cells, strict=True)))
    return out


TABLES: dict[str, list[dict]] = {
    "organisations": _rows(
        "org_id|name|country|city|lat|lon|region",
        "RS_BEL|Chamber of Commerce of Serbia|RS|Belgrade|44.8125|20.4612|WB",
        "BA_SAR|IUS Lifelong Learning Center|BA|Sarajevo|43.8563|18.4131|WB",
        "ES_SEV|Incoma|ES|Seville|37.3891|-5.9845|EU",
        "SI_MAR|ZNI|SI|Maribor|46.5547|15.6459|EU",
        "IT_FOR|Uniser|IT|Forli|44.2227|12.0407|EU",
    ),
    "activities": _rows(
        "activity_id|label|participant_type|direction|quota|quota_min|travel_days"
        "|org_support_eur|org_support_after_eur|extra_eur",
        "LEARN|Work-based learning|learner|WB_TO_EU|3|0|2|350|200|0",
        "TEACH|Teaching assignment|staff|EU_TO_WB|1|0|2|350|200|0",
    ),
    "participants": _rows(
        "participant_id|org_id|activities|gender|fewer_opportunities|sector|languages"
        "|available_from|available_to|graduation_date|priority|preferences|max_mobilities",
        "P1|RS_BEL|LEARN|F|false|tourism|en;es|2020-01-01|2020-12-31||3|ES_SEV;SI_MAR|1",
        "P2|RS_BEL|LEARN|M|true|tourism|en|2020-01-01|2020-12-31||2|SI_MAR|1",
        "P3|BA_SAR|LEARN|F|false|ict|en|2020-01-01|2020-12-31||1||1",
        "P4|BA_SAR|LEARN|X|yes|tourism|es|2020-03-01|2020-06-30|2020-02-15|0|ES_SEV|1",
        "P5|IT_FOR|TEACH|F|false|education|en;it|2020-01-01|2020-12-31||1|RS_BEL|1",
        "P6|IT_FOR|TEACH|M|false|education|it|2020-01-01|2020-12-31||0||1",
    ),
    "offers": _rows(
        "offer_id|host_id|activity_id|start_date|end_date|seats|sectors|languages",
        "O1|ES_SEV|LEARN|2020-03-02|2020-03-29|2|tourism|es;en",
        "O2|SI_MAR|LEARN|2020-04-06|2020-05-03|2|*|",
        "O3|RS_BEL|TEACH|2020-05-11|2020-05-15|1|*|",
        "O4|BA_SAR|TEACH|2020-06-08|2020-06-12|1|*|en",
    ),
    "host_capacity": _rows(
        "host_id|max_concurrent",
        "ES_SEV|2",
    ),
    "travel_bands": _rows(
        "min_km|max_km|eur",
        "10|100|20",
        "100|500|180",
        "500|2000|275",
        "2000|3000|360",
        "3000|4000|530",
        "4000|8000|820",
        "8000||1500",
    ),
    "country_groups": _rows(
        "country|group",
        "BA|2",
        "ES|2",
        "IT|2",
        "RS|3",
        "SI|3",
    ),
    "daily_rates": _rows(
        "group|participant_type|eur_per_day|eur_per_day_after_14",
        "1|learner|66|46",
        "1|staff|117|82",
        "2|learner|57|40",
        "2|staff|104|73",
        "3|learner|48|34",
        "3|staff|91|64",
    ),
}


def tiny_tables() -> tuple[dict, dict[str, list[dict]]]:
    """meta and tables (table name -> list of row dicts with string values) of a small valid,
    hand-checkable case: 2 WB sending orgs (RS Belgrade 44.8125,20.4612 and BA Sarajevo
    43.8563,18.4131), 2 EU hosts (ES Seville 37.3891,-5.9845 and SI Maribor 46.5547,15.6459),
    1 EU org sending staff (IT Forli 44.2227,12.0407), activities LEARN (learner WB_TO_EU
    quota 3) and TEACH (staff EU_TO_WB quota 1), 6 participants, 4 offers, travel bands of
    DOMAIN.md (2014-2020), country groups, daily rates of DOMAIN.md, budget 100000,
    inclusion_support_eur 100, org_support_threshold 100.

    Each call returns fresh copies: edit them freely.
    """
    return copy.deepcopy(META), copy.deepcopy(TABLES)


def _header(rows: list[dict], name: str) -> list[str]:
    cols: list[str] = []
    for r in rows:
        for c in r:
            if c not in cols:
                cols.append(c)
    if not cols and name in TABLES:
        cols = list(TABLES[name][0])
    return cols


def write_case(
    folder: Path, meta: dict, tables: dict[str, list[dict]], sep: str = ",", bom: bool = False
) -> Path:
    """Write ``case.yaml`` and one CSV per table (``sep`` separator, optional UTF-8 BOM).
    Rows missing a column get an empty cell. Returns ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.yaml").write_text(
        yaml.safe_dump(dict(meta), sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    for name, rows in tables.items():
        cols = _header(rows, name)
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=sep, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow([r.get(c, "") for c in cols])
        data = buf.getvalue().encode("utf-8")
        if bom:
            data = b"\xef\xbb\xbf" + data
        (folder / f"{name}.csv").write_bytes(data)
    return folder


def _meta_cell(v: object) -> object:
    """Meta values as typed Excel cells: ISO dates as date cells, numbers as numbers."""
    if not isinstance(v, str):
        return v
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        pass
    try:
        f = float(v)
    except ValueError:
        return v
    return int(f) if f.is_integer() else f


def write_workbook(path: Path, meta: dict, tables: dict[str, list[dict]]) -> Path:
    """Write the case as one ``.xlsx`` workbook with real date, number and boolean cells."""
    frames = {
        name: pd.DataFrame(rows, columns=_header(rows, name), dtype=object).fillna("")
        for name, rows in tables.items()
    }
    return write_case_workbook(path, {k: _meta_cell(v) for k, v in meta.items()}, frames)


@pytest.fixture
def tiny_case(tmp_path: Path) -> Path:
    """A folder holding the tiny case as comma-separated CSV files."""
    meta, tables = tiny_tables()
    return write_case(tmp_path / "tiny", meta, tables)


@pytest.fixture
def women(tmp_path: Path) -> Path:
    """The tiny case whose one soft target falls 2 persons short (worked by hand in test_tradeoff.py)."""
    meta, tables = tiny_tables()
    tables["activities"][0]["quota"] = "4"
    write_case(tmp_path / "tiny", meta, tables)
    s = tmp_path / "women.yaml"
    target = {
        "name": "women",
        "share_of": {"gender": "F"},
        "among": {"participant_type": "learner"},
        "min": 1.0,
    }
    s.write_text(yaml.safe_dump({"name": "women", "case": "tiny", "targets": [target]}))
    return s


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run ``intervet-plan ARGS`` in-process; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as e:  # argparse (usage errors, --version)
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    return code, out.getvalue(), err.getvalue()
