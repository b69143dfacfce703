"""Unit-cost rules of SPEC 3.4: distance, travel band, subsistence, inclusion, extra and
organisational support. Amounts are euro floats at full precision; they are rounded to cents
only when written."""

from __future__ import annotations

import numpy as np
import pandas as pd

from intervet_plan.errors import InputError, Problem
from intervet_plan.inputs.case import Case

EARTH_RADIUS_KM = 6371.0
PAIR_COST_COLUMNS = ("travel_eur", "subsistence_eur", "inclusion_eur", "extra_eur")


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in km (haversine, Earth radius 6371.0 km).

    >>> round(float(haversine_km(44.8125, 20.4612, 37.3891, -5.9845)), 1)
    2351.8
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def travel_eur(distance_km: np.ndarray, bands: pd.DataFrame) -> np.ndarray:
    """The eur of the band with min_km <= d < max_km (0 below the first band).

    Raises InputError for a distance beyond a bounded last band."""
    d = np.asarray(distance_km, dtype=float)
    lo = bands["min_km"].to_numpy(float)
    hi = bands["max_km"].fillna(np.inf).to_numpy(float)
    eur = bands["eur"].to_numpy(float)
    i = np.searchsorted(lo, d, side="right") - 1  # the last band starting at or below d
    below = i < 0
    i = np.clip(i, 0, len(lo) - 1)
    beyond = ~below & (d >= hi[i])
    if beyond.any():
        km = float(d[beyond].max())
        raise InputError(
            Problem(
                "travel_bands.csv",
                None,
                "max_km",
                f"a distance of {km:.1f} km is beyond the last band "
                f"(max_km {hi[-1]:g}); leave the last max_km empty",
            )
        )
    return np.where(below, 0.0, eur[i])


def stay_days(start: pd.Series, end: pd.Series, travel_days: pd.Series) -> np.ndarray:
    """Funded days: (end - start).days + 1 + travel_days."""
    return ((end - start).dt.days + 1 + travel_days).to_numpy(int)


def subsistence_eur(days: np.ndarray, r1: np.ndarray, r2: np.ndarray) -> np.ndarray:
    """r1 for days 1-14, r2 from day 15."""
    return r1 * np.minimum(days, 14) + r2 * np.maximum(days - 14, 0)


def add_pair_costs(case: Case, pairs: pd.DataFrame, ends: pd.Series | None = None) -> pd.DataFrame:
    """Add distance_km and the per-placement costs of SPEC 3.4 to a frame with
    ``participant_id`` and ``offer_id`` columns (one row per placement or candidate).
    ``ends`` (aligned with ``pairs``; NaT: the offer's end) gives the last day of a stay cut
    short (an interrupted placement, SPEC 7): its subsistence uses the shortened days.

    Adds: distance_km, travel_eur, days, subsistence_eur, inclusion_eur, extra_eur and
    pair_eur (their sum, without organisational support)."""
    orgs, parts, offers, acts = case.organisations, case.participants, case.offers, case.activities
    sender = parts.loc[pairs["participant_id"], "org_id"].to_numpy()
    host = offers.loc[pairs["offer_id"], "host_id"].to_numpy()
    act = offers.loc[pairs["offer_id"], "activity_id"].to_numpy()
    out = pairs.copy()
    out["distance_km"] = haversine_km(
        orgs.loc[sender, "lat"].to_numpy(float),
        orgs.loc[sender, "lon"].to_numpy(float),
        orgs.loc[host, "lat"].to_numpy(float),
        orgs.loc[host, "lon"].to_numpy(float),
    )
    out["travel_eur"] = travel_eur(out["distance_km"].to_numpy(), case.travel_bands)
    o = offers.loc[pairs["offer_id"]]
    end = o["end_date"].reset_index(drop=True)
    if ends is not None:
        cut = pd.to_datetime(pd.Series(ends).reset_index(drop=True))
        end = cut.where(cut.notna(), end)
    days = stay_days(
        o["start_date"].reset_index(drop=True),
        end,
        acts.loc[act, "travel_days"].reset_index(drop=True),
    )
    rate_keys = pd.MultiIndex.from_arrays(
        [o["host_group"].to_numpy(), o["participant_type"].to_numpy()]
    )
    rates = case.daily_rates.reindex(rate_keys)
    out["days"] = days
    out["subsistence_eur"] = subsistence_eur(
        days, rates["eur_per_day"].to_numpy(float), rates["eur_per_day_after_14"].to_numpy(float)
    )
    fewer = parts.loc[pairs["participant_id"], "fewer_opportunities"].to_numpy(bool)
    out["inclusion_eur"] = np.where(fewer, case.inclusion_support_eur, 0.0)
    out["extra_eur"] = acts.loc[act, "extra_eur"].to_numpy(float)
    out["pair_eur"] = out[list(PAIR_COST_COLUMNS)].sum(axis=1)
    return out


def org_support_total(n: int, first_eur: float, after_eur: float, threshold: int) -> float:
    """Organisational support of an activity with n placements.

    >>> org_support_total(120, 350.0, 200.0, 100)
    39000.0
    """
    return first_eur * min(n, threshold) + after_eur * max(n - threshold, 0)


def org_support_rows(case: Case, alloc: pd.DataFrame) -> np.ndarray:
    """Per-placement organisational support: in each activity the first T placements, ordered
    by (start_date, participant_id), carry org_support_eur and the rest org_support_after_eur,
    so the column sums to the activity total. ``alloc`` needs activity_id, start_date and
    participant_id."""
    t = case.org_support_threshold
    order = alloc.sort_values(["activity_id", "start_date", "participant_id", "offer_id"]).index
    rank = alloc.loc[order].groupby("activity_id").cumcount()
    acts = case.activities.loc[alloc.loc[order, "activity_id"]]
    values = np.where(
        rank.to_numpy() < t,
        acts["org_support_eur"].to_numpy(float),
        acts["org_support_after_eur"].to_numpy(float),
    )
    return pd.Series(values, index=order).reindex(alloc.index).to_numpy(float)
