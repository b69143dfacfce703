"""Deterministic synthetic cases shaped like INTERVET WB (``intervet-plan generate``).

Scale 1 is the shipped case ``data/intervet_wb``: the 14 real partners, quotas, unit costs,
dates and budget of DOMAIN.md, with synthetic applicants, offers and host capacities. Scale K
adds K - 1 synthetic copies of every partner (``WB_RS_02``, ``EU_ES_03``: same country and
role, coordinates jittered around another real city) and K times the quotas, budget, offers
and applicants. At K > 1 every sector is split into K tracks (``tourism``, ``tourism-2``, ...)
and an offer serves one track, so an applicant sees about as many offers as at scale 1 and
the eligible pairs grow like K, not K squared.

All randomness comes from one ``numpy.random.default_rng(seed)``; every cell is text.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from intervet_plan.generate.partners import (
    ACTIVITIES,
    DAILY_RATES,
    END,
    GROUPS,
    START,
    TRAVEL_BANDS,
)
from intervet_plan.generate.tables import (
    build_offers,
    build_organisations,
    build_participants,
    tidy,
)
from intervet_plan.inputs.schemas import TABLES_BY_NAME
from intervet_plan.outputs.case_files import write_case_csv, write_case_workbook

__all__ = ["DEFAULT_SEED", "build_case", "generate_case"]

DEFAULT_SEED = 2019


def build_case(
    scale: int = 1, seed: int = DEFAULT_SEED
) -> tuple[dict[str, object], dict[str, pd.DataFrame]]:
    """Return (meta for case.yaml, {table name: DataFrame of text cells}) of a synthetic case
    ``scale`` times the INTERVET WB size; the same (scale, seed) always gives the same case."""
    if isinstance(scale, bool) or not isinstance(scale, int | np.integer) or scale < 1:
        raise ValueError(f"scale must be a whole number >= 1, not {scale!r}")
    scale = int(scale)
    rng = np.random.default_rng(seed)
    r_orgs, r_offers, r_people, r_caps = rng.spawn(4)
    orgs = build_organisations(r_orgs, scale)
    offers = build_offers(r_offers, orgs, scale)
    people = build_participants(r_people, orgs, offers, scale)
    learner_hosts = orgs[orgs["hosts"].map(lambda h: "WBL_SHORT" in h)]["org_id"]
    caps = pd.DataFrame(
        {"host_id": learner_hosts, "max_concurrent": r_caps.integers(14, 25, len(learner_hosts))}
    )
    activities = pd.DataFrame(
        [(a, lab, t, d, q * scale, 0, 2, 350, 200, x) for a, lab, t, d, q, x in ACTIVITIES],
        columns=[c.name for c in TABLES_BY_NAME["activities"].columns],
    )
    tables = {
        "organisations": orgs,
        "activities": activities,
        "participants": people,
        "offers": offers,
        "host_capacity": caps,
        "travel_bands": pd.DataFrame(TRAVEL_BANDS, columns=["min_km", "max_km", "eur"]),
        "country_groups": pd.DataFrame(
            [(c, g) for g, cs in GROUPS.items() for c in cs.split()], columns=["country", "group"]
        ),
        "daily_rates": pd.DataFrame(
            [
                (g, t, r[2 * i], r[2 * i + 1])
                for g, r in DAILY_RATES.items()
                for i, t in enumerate(("learner", "staff"))
            ],
            columns=["group", "participant_type", "eur_per_day", "eur_per_day_after_14"],
        ),
    }
    real = (scale, seed) == (1, DEFAULT_SEED)
    meta: dict[str, object] = {
        "name": "INTERVET WB" if real else f"INTERVET WB synthetic x{scale} (seed {seed})",
        "start_date": str(START),
        "end_date": str(END),
        "budget_eur": 2_000_000 * scale,
        "inclusion_support_eur": 100,  # assumption: the 2021+ rule, EUR 100 per person
        "org_support_threshold": 100,
    }
    return meta, {name: tidy(name, df) for name, df in tables.items()}


def generate_case(
    out: str | Path, scale: int = 1, seed: int = DEFAULT_SEED, xlsx: bool = False
) -> Path:
    """Write the case of :func:`build_case` as a CSV folder ``out`` (``case.yaml`` and the
    eight tables, nothing else), or with ``xlsx`` as a workbook: ``out`` itself when it ends
    in ``.xlsx``, else ``out/case.xlsx``. Returns the path written."""
    from intervet_plan.outputs.folder import atomic_folder, move_aside

    meta, tables = build_case(scale, seed)
    out = Path(out)
    if not xlsx:
        with atomic_folder(out) as stage:  # an existing folder is moved aside, never mixed
            write_case_csv(stage, meta, tables)
        return out
    path = out if out.suffix.lower() == ".xlsx" else out / "case.xlsx"
    move_aside(path)
    return write_case_workbook(path, meta, tables)
