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

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from intervet_plan.inputs.files import write_case_csv, write_case_workbook
from intervet_plan.inputs.schemas import TABLES_BY_NAME

DEFAULT_SEED = 2019
START, END = np.datetime64("2019-12-19"), np.datetime64("2023-04-18")
_MONTHS = np.arange(np.datetime64("2020-01"), np.datetime64("2023-04"))  # possible start months
_MONDAY = np.datetime64("1970-01-05")


@dataclass(frozen=True)
class _Partner:
    org_id: str
    name: str
    country: str
    city: str
    lat: float
    lon: float
    hosts: tuple[str, ...] = ()  # activities it hosts
    weight: float = 1.0  # popularity as a host (EU) or share of the applicants it sends (WB)


_LEARN = ("WBL_SHORT", "WBL_LONG")
_ASSIGN = ("TRAINING_ASSIGN", "TEACHING_ASSIGN")
_PARTNERS = (
    _Partner(
        "UNISER",
        "Uniser",
        "IT",
        "Forli",
        44.2227,
        12.0407,
        (*_LEARN, "SUMMER_SCHOOL", "THEMATIC_TEAM"),
        1.3,
    ),
    _Partner(
        "INCOMA", "Incoma", "ES", "Seville", 37.3891, -5.9845, (*_LEARN, "SUMMER_SCHOOL"), 1.5
    ),
    _Partner("MODE", "Mode", "PL", "Wroclaw", 51.1079, 17.0385, _LEARN, 0.7),
    _Partner("ZNI", "ZNI", "SI", "Maribor", 46.5547, 15.6459, _LEARN, 0.8),
    _Partner(
        "SEPR", "SEPR", "FR", "Lyon", 45.7640, 4.8357, (*_LEARN, "JOB_SHADOW", "THEMATIC_TEAM"), 1.0
    ),
    _Partner(
        "MCAST", "MCAST", "MT", "Paola", 35.8728, 14.5075, ("JOB_SHADOW", "THEMATIC_TEAM"), 1.2
    ),
    _Partner(
        "ROC_DAVINCI",
        "ROC Da Vinci College",
        "NL",
        "Dordrecht",
        51.8133,
        4.6901,
        ("JOB_SHADOW", "SUMMER_SCHOOL", "THEMATIC_TEAM"),
        0.9,
    ),
    _Partner("EFVET", "EfVET", "BE", "Brussels", 50.8503, 4.3517, ("THEMATIC_TEAM",), 0.8),
    _Partner(
        "CCIS_RS",
        "Chamber of Commerce and Industry of Serbia",
        "RS",
        "Belgrade",
        44.8125,
        20.4612,
        _ASSIGN,
        1.2,
    ),
    _Partner(
        "CEM_ME",
        "Chamber of Economy of Montenegro",
        "ME",
        "Podgorica",
        42.4304,
        19.2594,
        _ASSIGN,
        0.7,
    ),
    _Partner(
        "IUS_BA", "IUS Lifelong Learning Center", "BA", "Sarajevo", 43.8563, 18.4131, _ASSIGN, 1.1
    ),
    _Partner("REA_XK", "Prishtina REA", "XK", "Pristina", 42.6629, 21.1655, _ASSIGN, 0.9),
    _Partner(
        "NCDIEL_MK",
        "National Centre for Development of Innovation and Entrepreneurial Learning",
        "MK",
        "Skopje",
        41.9981,
        21.4254,
        _ASSIGN,
        1.0,
    ),
    _Partner("ALBSKILLS_AL", "Albanian Skills", "AL", "Tirana", 41.3275, 19.8187, _ASSIGN, 1.1),
)
_WB = ("AL", "BA", "ME", "MK", "RS", "XK")
# Real cities around which the synthetic copies of each partner are placed (scale > 1).
_CITIES: dict[str, tuple[tuple[str, float, float], ...]] = {
    "IT": (
        ("Bologna", 44.4949, 11.3426),
        ("Rimini", 44.0678, 12.5695),
        ("Florence", 43.7696, 11.2558),
        ("Padua", 45.4064, 11.8768),
    ),
    "ES": (
        ("Malaga", 36.7213, -4.4214),
        ("Cordoba", 37.8882, -4.7794),
        ("Valencia", 39.4699, -0.3763),
        ("Granada", 37.1773, -3.5986),
    ),
    "PL": (
        ("Poznan", 52.4064, 16.9252),
        ("Opole", 50.6751, 17.9213),
        ("Krakow", 50.0647, 19.9450),
        ("Katowice", 50.2649, 19.0238),
    ),
    "SI": (
        ("Ljubljana", 46.0569, 14.5058),
        ("Celje", 46.2397, 15.2677),
        ("Koper", 45.5481, 13.7302),
        ("Kranj", 46.2389, 14.3556),
    ),
    "FR": (
        ("Grenoble", 45.1885, 5.7245),
        ("Saint-Etienne", 45.4397, 4.3872),
        ("Clermont-Ferrand", 45.7772, 3.0870),
        ("Dijon", 47.3220, 5.0415),
    ),
    "MT": (
        ("Valletta", 35.8989, 14.5146),
        ("Birkirkara", 35.8972, 14.4611),
        ("Mosta", 35.9092, 14.4256),
        ("Qormi", 35.8794, 14.4722),
    ),
    "NL": (
        ("Rotterdam", 51.9244, 4.4777),
        ("Utrecht", 52.0907, 5.1214),
        ("Breda", 51.5719, 4.7683),
        ("Gouda", 52.0115, 4.7104),
    ),
    "BE": (
        ("Antwerp", 51.2194, 4.4025),
        ("Ghent", 51.0543, 3.7174),
        ("Leuven", 50.8798, 4.7005),
        ("Liege", 50.6326, 5.5797),
    ),
    "RS": (
        ("Novi Sad", 45.2671, 19.8335),
        ("Nis", 43.3209, 21.8958),
        ("Kragujevac", 44.0128, 20.9114),
        ("Subotica", 46.1000, 19.6650),
    ),
    "ME": (
        ("Niksic", 42.7731, 18.9445),
        ("Bar", 42.0931, 19.1003),
        ("Herceg Novi", 42.4531, 18.5375),
        ("Pljevlja", 43.3567, 19.3584),
    ),
    "BA": (
        ("Banja Luka", 44.7722, 17.1910),
        ("Tuzla", 44.5384, 18.6671),
        ("Mostar", 43.3438, 17.8078),
        ("Zenica", 44.2034, 17.9077),
    ),
    "XK": (
        ("Prizren", 42.2139, 20.7397),
        ("Peja", 42.6593, 20.2887),
        ("Gjakova", 42.3803, 20.4308),
        ("Mitrovica", 42.8914, 20.8660),
    ),
    "MK": (
        ("Bitola", 41.0297, 21.3292),
        ("Kumanovo", 42.1322, 21.7144),
        ("Tetovo", 42.0069, 20.9715),
        ("Ohrid", 41.1231, 20.8016),
    ),
    "AL": (
        ("Durres", 41.3246, 19.4565),
        ("Shkoder", 42.0693, 19.5033),
        ("Elbasan", 41.1125, 20.0822),
        ("Vlore", 40.4661, 19.4914),
    ),
}
_NATIVE = {"AL": "sq", "XK": "sq", "RS": "sr", "ME": "sr", "BA": "bs", "MK": "mk", "IT": "it"}
_HOST_LANGUAGE = {"IT": "it", "ES": "es", "FR": "fr"}  # others require English when they ask

# activity_id, label, participant_type, direction, quota at scale 1, extra_eur
_ACTIVITIES = (
    ("WBL_SHORT", "Short-term work-based learning (1 month)", "learner", "WB_TO_EU", 360, 0),
    ("WBL_LONG", "Long-term work-based learning (3 months)", "learner", "WB_TO_EU", 56, 150),
    ("JOB_SHADOW", "Job shadowing (1 week)", "staff", "WB_TO_EU", 54, 0),
    ("SUMMER_SCHOOL", "Summer school on mobility and WBL", "staff", "WB_TO_EU", 36, 0),
    ("THEMATIC_TEAM", "EfVET Thematic Team meeting", "staff", "WB_TO_EU", 72, 0),
    ("TRAINING_ASSIGN", "Training assignment in the WB", "staff", "EU_TO_WB", 18, 0),
    ("TEACHING_ASSIGN", "Teaching assignment (pre-departure)", "staff", "EU_TO_WB", 26, 0),
)
_QUOTA = {a[0]: a[4] for a in _ACTIVITIES}
_TRAVEL_BANDS = (
    ("10", "100", "20"),
    ("100", "500", "180"),
    ("500", "2000", "275"),
    ("2000", "3000", "360"),
    ("3000", "4000", "530"),
    ("4000", "8000", "820"),
    ("8000", "", "1500"),
)
_GROUPS = {
    "1": "DK FI IE IS LI LU NO SE UK",
    "2": "AT BE CY DE EL ES FR IT MT NL PT AL BA ME",
    "3": "BG CZ EE HR HU LT LV MK PL RO RS SI SK TR XK",
}
_DAILY_RATES = {"1": (66, 46, 117, 82), "2": (57, 40, 104, 73), "3": (48, 34, 91, 64)}

# sector: (share of applicants, share of women), as in VET; overall about 52 % F.
_SECTORS = {
    "tourism": (0.20, 0.75),
    "hospitality": (0.19, 0.55),
    "childcare": (0.08, 0.92),
    "marketing": (0.10, 0.62),
    "construction": (0.08, 0.07),
    "veterinary": (0.05, 0.60),
    "administration": (0.10, 0.80),
    "mechanics": (0.10, 0.06),
    "ict": (0.10, 0.22),
}
_SECTOR_NAMES = np.array(list(_SECTORS))
_SECTOR_SHARE = np.array([v[0] for v in _SECTORS.values()])
_FOREIGN = ("en", "it", "de", "es", "fr")
_SCHOOL = (1.0, 1.2, 1.2, 0.8, 0.6, 1.0, 0.3, 0.3, 1.2, 1.2, 0.8, 0.2)  # window starts, Jan..Dec


@dataclass(frozen=True)
class _OfferPlan:
    activity: str
    days: tuple[int, int]
    seats: tuple[int, int]
    month_p: tuple[float, ...]  # chance that a host starts one in a month, Jan..Dec
    weekday: int = 0  # 0 = Monday
    sector_lists: float = 1.0  # share of offers with a sector list (else every sector)
    en: float = 0.0  # share requiring English
    host_language: float = 0.0  # share requiring the host country's language (it, es, fr)


_SCHOOL_P = np.array([1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0])  # no August, July, December
_LEARN_LANG = {"en": 0.2, "host_language": 0.08}
_OFFER_PLANS = (  # month_p: chance that a host starts one in each calendar month, Jan..Dec
    _OfferPlan("WBL_SHORT", (28, 28), (4, 12), (0.6,) * 7 + (0, 0.6, 0.6, 0.6, 0), **_LEARN_LANG),
    _OfferPlan(
        "WBL_LONG",
        (90, 90),
        (2, 6),
        (0.3, 0.3, 0.2, 0, 0, 0, 0.2, 0, 0.5, 0.5, 0.15, 0),
        **_LEARN_LANG,
    ),
    _OfferPlan("JOB_SHADOW", (5, 5), (3, 8), tuple(0.22 * _SCHOOL_P), sector_lists=0.3),
    _OfferPlan("SUMMER_SCHOOL", (5, 6), (5, 9), (0,) * 6 + (1,) + (0,) * 5, sector_lists=0, en=0.2),
    _OfferPlan(
        "THEMATIC_TEAM",
        (2, 3),
        (12, 15),
        (0, 0, 0.2, 0.2) + (0,) * 5 + (0.2, 0.2, 0),
        weekday=1,
        sector_lists=0,
        en=0.3,
    ),
    _OfferPlan("TRAINING_ASSIGN", (3, 5), (1, 3), tuple(0.12 * _SCHOOL_P), sector_lists=0),
    _OfferPlan("TEACHING_ASSIGN", (3, 5), (1, 3), tuple(0.17 * _SCHOOL_P), sector_lists=0),
)


@dataclass(frozen=True)
class _Profile:
    count: int  # applicants at scale 1
    activities: tuple[str, ...]
    months: tuple[int, int]  # length of the availability window, months
    starts: tuple[float, ...] = _SCHOOL  # weight of window start by month, Jan..Dec
    opens: tuple[int, int] = (0, 36)  # windows open in these months after 2020-01
    max_mobilities: tuple[int, ...] = (1,)  # drawn uniformly
    graduates: float = 0.0  # share with a graduation date (window follows it)


_SUMMER = (0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0)
_PROFILES = (
    _Profile(615, ("WBL_SHORT",), (4, 9)),
    _Profile(45, ("WBL_SHORT", "WBL_LONG"), (5, 9)),
    _Profile(80, ("WBL_LONG",), (5, 9), graduates=0.85),
    _Profile(56, ("JOB_SHADOW",), (4, 9)),
    _Profile(40, ("SUMMER_SCHOOL",), (3, 4), _SUMMER),
    _Profile(12, ("JOB_SHADOW", "SUMMER_SCHOOL"), (8, 14)),
    _Profile(26, ("THEMATIC_TEAM",), (18, 36), opens=(0, 18), max_mobilities=(2, 3, 4)),
    _Profile(
        12, ("JOB_SHADOW", "THEMATIC_TEAM"), (18, 36), opens=(0, 18), max_mobilities=(2, 3, 4)
    ),
    _Profile(12, _ASSIGN, (12, 30), max_mobilities=(2, 3, 4, 5)),  # Uniser staff
)


# ------------------------------------------------------------------------ public API


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
    orgs = _organisations(r_orgs, scale)
    offers = _offers(r_offers, orgs, scale)
    people = _participants(r_people, orgs, offers, scale)
    learner_hosts = orgs[orgs["hosts"].map(lambda h: "WBL_SHORT" in h)]["org_id"]
    caps = pd.DataFrame(
        {"host_id": learner_hosts, "max_concurrent": r_caps.integers(14, 25, len(learner_hosts))}
    )
    activities = pd.DataFrame(
        [(a, lab, t, d, q * scale, 0, 2, 350, 200, x) for a, lab, t, d, q, x in _ACTIVITIES],
        columns=[c.name for c in TABLES_BY_NAME["activities"].columns],
    )
    tables = {
        "organisations": orgs,
        "activities": activities,
        "participants": people,
        "offers": offers,
        "host_capacity": caps,
        "travel_bands": pd.DataFrame(_TRAVEL_BANDS, columns=["min_km", "max_km", "eur"]),
        "country_groups": pd.DataFrame(
            [(c, g) for g, cs in _GROUPS.items() for c in cs.split()], columns=["country", "group"]
        ),
        "daily_rates": pd.DataFrame(
            [
                (g, t, r[2 * i], r[2 * i + 1])
                for g, r in _DAILY_RATES.items()
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
    return meta, {name: _tidy(name, df) for name, df in tables.items()}


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


# ------------------------------------------------------------------------- builders


def _organisations(rng: np.random.Generator, scale: int) -> pd.DataFrame:
    rows = []
    for k in range(1, scale + 1):
        for p in _PARTNERS:
            region = "WB" if p.country in _WB else "EU"
            if k == 1:
                rows.append((p.org_id, p.name, p.country, p.city, p.lat, p.lon, region, p))
                continue
            city, lat, lon = _CITIES[p.country][(k - 2) % len(_CITIES[p.country])]
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


def _offers(rng: np.random.Generator, orgs: pd.DataFrame, scale: int) -> pd.DataFrame:
    frames = []
    for plan in _OFFER_PLANS:
        hosts = orgs[orgs["hosts"].map(lambda h, a=plan.activity: a in h)].reset_index()
        p_month = np.array(plan.month_p)[_MONTHS.astype(int) % 12]
        hi, mi = np.nonzero(np.broadcast_to(p_month > 0, (len(hosts), len(_MONTHS))))
        score = rng.random(len(hi)) / p_month[mi]  # a cell is offered when score < 1 ...
        start = _weekday_on_or_after(
            _MONTHS[mi].astype("datetime64[D]") + rng.integers(0, 15, len(hi)), plan.weekday
        )
        end = start + rng.integers(plan.days[0], plan.days[1] + 1, len(hi)) - 1
        seats = rng.integers(plan.seats[0], plan.seats[1] + 1, len(hi))
        # ... or when needed to reach 1.4 x quota seats (the next cells by score)
        order = np.argsort(np.where(end <= END, score, np.inf), kind="stable")
        short = np.cumsum(seats[order]) - seats[order] < 1.4 * _QUOTA[plan.activity] * scale
        take = np.sort(order[(end[order] <= END) & ((score[order] < 1) | short)])
        hi, mi, start, end, seats = hi[take], mi[take], start[take], end[take], seats[take]
        n = len(take)
        lists = rng.random(n) < plan.sector_lists
        sectors = _draw_sectors(rng, n, 2, 4)
        lang_draw = rng.random(n)
        country = hosts["country"].to_numpy()[hi]
        own = np.array([_HOST_LANGUAGE.get(c, "en") for c in country], dtype=object)
        languages = np.where(
            lang_draw < plan.en, "en", np.where(lang_draw < plan.en + plan.host_language, own, "")
        )
        host = hosts["org_id"].to_numpy()[hi]
        frames.append(
            pd.DataFrame(
                {
                    "offer_id": [
                        f"{plan.activity}-{h}-{m}"
                        for h, m in zip(host, _MONTHS[mi].astype(str), strict=True)
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


def _participants(
    rng: np.random.Generator, orgs: pd.DataFrame, offers: pd.DataFrame, scale: int
) -> pd.DataFrame:
    parts = []
    wb = orgs[orgs["region"] == "WB"]
    eu_staff = orgs[orgs["uniser"]]
    for prof in _PROFILES:
        n = prof.count * scale
        senders = eu_staff if prof.activities == _ASSIGN else wb
        w = senders["weight"].to_numpy()
        org = senders["org_id"].to_numpy()[rng.choice(len(senders), n, p=w / w.sum())]
        span = np.arange(*prof.opens)
        start_w = np.array(prof.starts)[span % 12]
        month = span[rng.choice(len(span), n, p=start_w / start_w.sum())]
        shift = 14 * rng.integers(0, 2, n)  # windows open on the 1st or the 15th
        length = rng.integers(prof.months[0], prof.months[1] + 1, n)
        first = _MONTHS[month].astype("datetime64[D]") + shift
        last = (_MONTHS[month] + length).astype("datetime64[D]") + shift - 1
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
        if prof.activities == _ASSIGN:  # the only applicants: raise the first few to 5 until
            short = 1.2 * scale * sum(_QUOTA[a] for a in _ASSIGN) - most.sum()  # 1.2 x quota
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
                    "staff": prof.activities[0] not in _LEARN,
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
    sector = _SECTOR_NAMES[rng.choice(len(_SECTORS), n, p=_SECTOR_SHARE)]
    p_female = pd.Series(sector).map({s: v[1] for s, v in _SECTORS.items()}).to_numpy()
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
    native = np.array([_NATIVE[c] for c in country], dtype=object)
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
        ";".join([nat, *(lang for lang, s in zip(_FOREIGN, row, strict=True) if s)])
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
    return days + (weekday - (days - _MONDAY).astype(int)) % 7


def _draw_sectors(rng: np.random.Generator, n: int, lo: int, hi: int) -> list[list[str]]:
    """``lo``-``hi`` distinct sectors per row, the common ones more often."""
    keys = rng.exponential(size=(n, len(_SECTORS))) / _SECTOR_SHARE
    order = np.argsort(keys, axis=1, kind="stable")
    k = rng.integers(lo, hi + 1, n)
    return [list(_SECTOR_NAMES[order[i, : k[i]]]) for i in range(n)]


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
            sectors = list(_SECTOR_NAMES)
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


def _tidy(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Schema column order, text cells, rows sorted by the table's key."""
    schema = TABLES_BY_NAME[name]
    cols = [c.name for c in schema.columns]
    out = pd.DataFrame({c: _text(df[c]) for c in cols}, dtype=object)
    key = list(schema.key)
    if name == "travel_bands":
        return out.iloc[
            np.argsort(out["min_km"].astype(float).to_numpy(), kind="stable")
        ].reset_index(drop=True)
    return out.sort_values(key, kind="stable").reset_index(drop=True)
