"""The builders of the synthetic case's tables (organisations, offers, participants) from one
random generator each, and :func:`tidy`, which turns a table into schema-ordered text cells.

The order of the draws is part of the output: the same generator state always gives the same
table, so a change of order here changes every generated case.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from intervet_plan.generate.partners import (
    ASSIGN,
    CITIES,
    END,
    FOREIGN,
    HOST_LANGUAGE,
    LEARN,
    MONDAY,
    MONTHS,
    NATIVE,
    OFFER_PLANS,
    PARTNERS,
    PROFILES,
    QUOTA,
    SECTOR_NAMES,
    SECTOR_SHARE,
    SECTORS,
    START,
    WB,
)
from intervet_plan.inputs.schemas import TABLES_BY_NAME


def build_organisations(rng: np.random.Generator, scale: int) -> pd.DataFrame:
    """The real partners, then ``scale`` - 1 synthetic copies of each (``WB_RS_02``), placed
    around another real city of the same country (coordinates in degrees, jittered by up to
    0.04). Besides the schema's columns: ``region`` (WB or EU), ``hosts`` (activity ids),
    ``weight`` (popularity as a host, or share of the applicants sent) and ``uniser``."""
    rows = []
    for k in range(1, scale + 1):
        for p in PARTNERS:
            region = "WB" if p.country in WB else "EU"
            if k == 1:
                rows.append((p.org_id, p.name, p.country, p.city, p.lat, p.lon, region, p))
                continue
            city, lat, lon = CITIES[p.country][(k - 2) % len(CITIES[p.country])]
            dlat, dlon = rng.uniform(-0.04, 0.04, 2)
            rows.append(
                (
                    f"{region}_{p.country}_{k:02d}",
                    f"{p.name}-like partner {k:02d} (synthetic)",
                    p.country,
                    city,
                    lat + dlat,
                    lon + dlon,
                    region,
                    p,
                )
            )
    df = pd.DataFrame(
        rows, columns=["org_id", "name", "country", "city", "lat", "lon", "region", "template"]
    )
    df["hosts"] = df["template"].map(lambda p: p.hosts)
    df["weight"] = df["template"].map(lambda p: p.weight)
    df["uniser"] = df["template"].map(lambda p: p.org_id == "UNISER")
    return df


def build_offers(rng: np.random.Generator, orgs: pd.DataFrame, scale: int) -> pd.DataFrame:
    """Offers of every host of each activity, by month as its offer plan says, with at least
    1.4 x the activity's quota in seats (persons); dates within the programme (START..END).
    At scale > 1 each offer serves one sector track."""
    frames = []
    for plan in OFFER_PLANS:
        hosts = orgs[orgs["hosts"].map(lambda h, a=plan.activity: a in h)].reset_index()
        p_month = np.array(plan.month_p)[MONTHS.astype(int) % 12]
        hi, mi = np.nonzero(np.broadcast_to(p_month > 0, (len(hosts), len(MONTHS))))
        score = rng.random(len(hi)) / p_month[mi]  # a cell is offered when score < 1 ...
        start = _weekday_on_or_after(
            MONTHS[mi].astype("datetime64[D]") + rng.integers(0, 15, len(hi)), plan.weekday
        )
        end = start + rng.integers(plan.days[0], plan.days[1] + 1, len(hi)) - 1
        seats = rng.integers(plan.seats[0], plan.seats[1] + 1, len(hi))
        # ... or when needed to reach 1.4 x quota seats (the next cells by score)
        order = np.argsort(np.where(end <= END, score, np.inf), kind="stable")
        short = np.cumsum(seats[order]) - seats[order] < 1.4 * QUOTA[plan.activity] * scale
        take = np.sort(order[(end[order] <= END) & ((score[order] < 1) | short)])
        hi, mi, start, end, seats = hi[take], mi[take], start[take], end[take], seats[take]
        n = len(take)
        lists = rng.random(n) < plan.sector_lists
        sectors = _draw_sectors(rng, n, 2, 4)
        lang_draw = rng.random(n)
        country = hosts["country"].to_numpy()[hi]
        own = np.array([HOST_LANGUAGE.get(c, "en") for c in country], dtype=object)
        languages = np.where(
            lang_draw < plan.en, "en", np.where(lang_draw < plan.en + plan.host_language, own, "")
        )
        host = hosts["org_id"].to_numpy()[hi]
        frames.append(
            pd.DataFrame(
                {
                    "offer_id": [
                        f"{plan.activity}-{h}-{m}"
                        for h, m in zip(host, MONTHS[mi].astype(str), strict=True)
                    ],
                    "host_id": host,
                    "activity_id": plan.activity,
                    "start_date": start,
                    "end_date": end,
                    "seats": seats,
                    "sectors": _sector_cells(sectors, lists, rng.integers(1, scale + 1, n), scale),
                    "languages": languages,
                }
            )
        )
    df = pd.concat(frames, ignore_index=True)
    return df[(df["start_date"] >= START) & (df["end_date"] <= END)]


def build_participants(
    rng: np.random.Generator, orgs: pd.DataFrame, offers: pd.DataFrame, scale: int
) -> pd.DataFrame:
    """The applicants of every profile (``count`` x ``scale`` persons each) from the WB
    partners (Uniser staff for the assignments in the WB), shuffled and numbered ``P0001``...,
    with availability windows (dates), gender, sector track, languages, priority (0-100) and
    0-3 preferred hosts among those offering what they applied for."""
    parts = []
    wb = orgs[orgs["region"] == "WB"]
    eu_staff = orgs[orgs["uniser"]]
    for prof in PROFILES:
        n = prof.count * scale
        senders = eu_staff if prof.activities == ASSIGN else wb
        w = senders["weight"].to_numpy()
        org = senders["org_id"].to_numpy()[rng.choice(len(senders), n, p=w / w.sum())]
        span = np.arange(*prof.opens)
        start_w = np.array(prof.starts)[span % 12]
        month = span[rng.choice(len(span), n, p=start_w / start_w.sum())]
        shift = 14 * rng.integers(0, 2, n)  # windows open on the 1st or the 15th
        length = rng.integers(prof.months[0], prof.months[1] + 1, n)
        first = MONTHS[month].astype("datetime64[D]") + shift
        last = (MONTHS[month] + length).astype("datetime64[D]") + shift - 1
        grad = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        is_grad = rng.random(n) < prof.graduates
        year = (rng.choice([2019, 2020, 2021, 2022], n, p=[0.1, 0.3, 0.3, 0.3]) - 1970).astype(
            "datetime64[Y]"
        )
        g = year.astype("datetime64[D]") + 165 + rng.integers(0, 26, n)  # mid-June..early July
        g_from = np.maximum(g + rng.integers(0, 76, n), START)
        grad[is_grad] = g[is_grad]
        first = np.where(is_grad, g_from, first)
        last = np.where(is_grad, np.minimum(g_from + 30 * length, g + 365), last)
        first, last = np.maximum(first, START), np.minimum(last, END)
        most = rng.choice(prof.max_mobilities, n)
        if prof.activities == ASSIGN:  # the only applicants: raise the first few to 5 until
            short = 1.2 * scale * sum(QUOTA[a] for a in ASSIGN) - most.sum()  # 1.2 x quota
            if short > 0:
                most[: np.searchsorted(np.cumsum(5 - most), short) + 1] = 5
        parts.append(
            pd.DataFrame(
                {
                    "org_id": org,
                    "activities": ";".join(prof.activities),
                    "available_from": first,
                    "available_to": last,
                    "graduation_date": grad,
                    "max_mobilities": most,
                    "staff": prof.activities[0] not in LEARN,
                }
            )
        )
    df = pd.concat(parts, ignore_index=True)
    df = df.iloc[rng.permutation(len(df))].reset_index(drop=True)
    n = len(df)
    width = max(4, len(str(n)))
    df.insert(0, "participant_id", [f"P{i:0{width}d}" for i in range(1, n + 1)])
    country = df["org_id"].map(orgs.set_index("org_id")["country"]).to_numpy()
    staff = df["staff"].to_numpy()
    sector = SECTOR_NAMES[rng.choice(len(SECTORS), n, p=SECTOR_SHARE)]
    p_female = pd.Series(sector).map({s: v[1] for s, v in SECTORS.items()}).to_numpy()
    u = rng.random(n)
    df["gender"] = np.where(u < 0.015, "X", np.where(u < 0.015 + 0.985 * p_female, "F", "M"))
    df["fewer_opportunities"] = rng.random(n) < np.where(staff, 0.12, 0.33)
    track = rng.integers(1, scale + 1, n)
    df["sector"] = [s if t == 1 else f"{s}-{t}" for s, t in zip(sector, track, strict=True)]
    df["languages"] = _languages(rng, country, staff)
    df["priority"] = rng.integers(0, 101, n)
    df["preferences"] = _preferences(rng, df, orgs, offers, track)
    return df


def _languages(rng: np.random.Generator, country: np.ndarray, staff: np.ndarray) -> list[str]:
    """Native language first, then the foreign ones (English often, Italian around Albania)."""
    native = np.array([NATIVE[c] for c in country], dtype=object)
    albanian = native == "sq"
    p = np.column_stack(
        [
            np.where(staff, 0.75, 0.6),
            np.where(albanian, 0.25, 0.08),
            np.full(len(native), 0.1),
            np.full(len(native), 0.05),
            np.full(len(native), 0.05),
        ]
    )
    p[native == "it"] = (0.9, 0.0, 0.05, 0.2, 0.15)
    speaks = rng.random(p.shape) < p
    return [
        ";".join([nat, *(lang for lang, s in zip(FOREIGN, row, strict=True) if s)])
        for nat, row in zip(native, speaks, strict=True)
    ]


def _preferences(
    rng: np.random.Generator,
    people: pd.DataFrame,
    orgs: pd.DataFrame,
    offers: pd.DataFrame,
    track: np.ndarray,
) -> pd.Series:
    """0-3 distinct hosts that offer an activity the person applied for in their track,
    drawn by host popularity without replacement (exponential race), most preferred first."""
    o = offers[["host_id", "activity_id"]].copy()
    o["track"] = [_track_of(s) for s in offers["sectors"]]
    o = o.drop_duplicates()
    p = (
        people[["participant_id", "activities"]]
        .assign(track=track, activity_id=people["activities"].str.split(";"))
        .explode("activity_id")
    )
    pairs = p.merge(o, on=["activity_id", "track"])[["participant_id", "host_id"]]
    pairs = pairs.drop_duplicates().reset_index(drop=True)
    weight = pairs["host_id"].map(orgs.set_index("org_id")["weight"]).to_numpy()
    pairs["key"] = rng.exponential(size=len(pairs)) / weight
    wanted = pd.Series(
        rng.choice(4, len(people), p=[0.2, 0.25, 0.3, 0.25]), index=people["participant_id"]
    )
    pairs = pairs.sort_values(["participant_id", "key"])
    pairs = pairs[pairs.groupby("participant_id").cumcount() < pairs["participant_id"].map(wanted)]
    pairs["rank"] = pairs.groupby("participant_id").cumcount()
    wide = pairs.pivot(index="participant_id", columns="rank", values="host_id")
    wide = wide.reindex(columns=range(3)).fillna("").astype(str)
    chosen = (
        wide[0]
        + (";" + wide[1]).where(wide[1] != "", "")
        + (";" + wide[2]).where(wide[2] != "", "")
    )
    return people["participant_id"].map(chosen).fillna("")


# -------------------------------------------------------------------------- helpers


def _weekday_on_or_after(days: np.ndarray, weekday: int) -> np.ndarray:
    return days + (weekday - (days - MONDAY).astype(int)) % 7


def _draw_sectors(rng: np.random.Generator, n: int, lo: int, hi: int) -> list[list[str]]:
    """``lo``-``hi`` distinct sectors per row, the common ones more often."""
    keys = rng.exponential(size=(n, len(SECTORS))) / SECTOR_SHARE
    order = np.argsort(keys, axis=1, kind="stable")
    k = rng.integers(lo, hi + 1, n)
    return [list(SECTOR_NAMES[order[i, : k[i]]]) for i in range(n)]


def _sector_cells(
    lists: list[list[str]], use_list: np.ndarray, track: np.ndarray, scale: int
) -> list[str]:
    """A sector list or ``*``; at scale > 1 an offer serves one track (``*`` becomes all the
    sectors of that track), so eligibility stays as sparse as at scale 1."""
    out = []
    for sectors, listed, t in zip(lists, use_list, track, strict=True):
        if not listed:
            if scale == 1:
                out.append("*")
                continue
            sectors = list(SECTOR_NAMES)
        out.append(";".join(s if t == 1 else f"{s}-{t}" for s in sectors))
    return out


def _track_of(cell: str) -> int:
    head = cell.split(";")[0]
    return int(head.rsplit("-", 1)[1]) if "-" in head else 1


def _text(col: pd.Series) -> list[str]:
    """A column as SPEC 2 text: ISO dates, true/false, integers without ``.0``, '' for none."""
    if pd.api.types.is_bool_dtype(col):
        return ["true" if v else "false" for v in col]
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.dt.strftime("%Y-%m-%d").fillna("").tolist()
    if pd.api.types.is_float_dtype(col):
        return [f"{v:.4f}".rstrip("0").rstrip(".") for v in col]
    return col.astype(str).tolist()


def tidy(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Table ``name`` as written: the schema's columns in order, text cells, rows sorted by
    the table's key (travel bands by ``min_km``)."""
    schema = TABLES_BY_NAME[name]
    cols = [c.name for c in schema.columns]
    out = pd.DataFrame({c: _text(df[c]) for c in cols}, dtype=object)
    key = list(schema.key)
    if name == "travel_bands":
        return out.iloc[
            np.argsort(out["min_km"].astype(float).to_numpy(), kind="stable")
        ].reset_index(drop=True)
    return out.sort_values(key, kind="stable").reset_index(drop=True)
