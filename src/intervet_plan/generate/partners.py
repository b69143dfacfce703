"""The static side of the synthetic INTERVET WB case: the 14 real partners (and the real
cities their synthetic copies are placed around), the activities with their quotas at scale 1,
the unit-cost tables (travel bands, country groups, daily rates in euro), the sectors, and the
assumptions the builders draw from (offer plans per activity, applicant profiles).

Dates are ``numpy.datetime64``; quotas and counts are persons at scale 1; money in euro.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

import numpy as np

START, END = np.datetime64("2019-12-19"), np.datetime64("2023-04-18")  # the programme
MONTHS = np.arange(np.datetime64("2020-01"), np.datetime64("2023-04"))  # possible start months
MONDAY = np.datetime64("1970-01-05")


@dataclass(frozen=True)
class Partner:
    """A real INTERVET WB partner: identifiers, city and coordinates (degrees)."""

    org_id: str
    name: str
    country: str
    city: str
    lat: float
    lon: float
    hosts: tuple[str, ...] = ()  # activities it hosts
    weight: float = 1.0  # popularity as a host (EU) or share of the applicants it sends (WB)


LEARN = ("WBL_SHORT", "WBL_LONG")
ASSIGN = ("TRAINING_ASSIGN", "TEACHING_ASSIGN")
PARTNERS = (
    Partner(
        "UNISER",
        "Uniser",
        "IT",
        "Forli",
        44.2227,
        12.0407,
        (*LEARN, "SUMMER_SCHOOL", "THEMATIC_TEAM"),
        1.3,
    ),
    Partner("INCOMA", "Incoma", "ES", "Seville", 37.3891, -5.9845, (*LEARN, "SUMMER_SCHOOL"), 1.5),
    Partner("MODE", "Mode", "PL", "Wroclaw", 51.1079, 17.0385, LEARN, 0.7),
    Partner("ZNI", "ZNI", "SI", "Maribor", 46.5547, 15.6459, LEARN, 0.8),
    Partner(
        "SEPR", "SEPR", "FR", "Lyon", 45.7640, 4.8357, (*LEARN, "JOB_SHADOW", "THEMATIC_TEAM"), 1.0
    ),
    Partner(
        "MCAST", "MCAST", "MT", "Paola", 35.8728, 14.5075, ("JOB_SHADOW", "THEMATIC_TEAM"), 1.2
    ),
    Partner(
        "ROC_DAVINCI",
        "ROC Da Vinci College",
        "NL",
        "Dordrecht",
        51.8133,
        4.6901,
        ("JOB_SHADOW", "SUMMER_SCHOOL", "THEMATIC_TEAM"),
        0.9,
    ),
    Partner("EFVET", "EfVET", "BE", "Brussels", 50.8503, 4.3517, ("THEMATIC_TEAM",), 0.8),
    Partner(
        "CCIS_RS",
        "Chamber of Commerce and Industry of Serbia",
        "RS",
        "Belgrade",
        44.8125,
        20.4612,
        ASSIGN,
        1.2,
    ),
    Partner(
        "CEM_ME",
        "Chamber of Economy of Montenegro",
        "ME",
        "Podgorica",
        42.4304,
        19.2594,
        ASSIGN,
        0.7,
    ),
    Partner(
        "IUS_BA", "IUS Lifelong Learning Center", "BA", "Sarajevo", 43.8563, 18.4131, ASSIGN, 1.1
    ),
    Partner("REA_XK", "Prishtina REA", "XK", "Pristina", 42.6629, 21.1655, ASSIGN, 0.9),
    Partner(
        "NCDIEL_MK",
        "National Centre for Development of Innovation and Entrepreneurial Learning",
        "MK",
        "Skopje",
        41.9981,
        21.4254,
        ASSIGN,
        1.0,
    ),
    Partner("ALBSKILLS_AL", "Albanian Skills", "AL", "Tirana", 41.3275, 19.8187, ASSIGN, 1.1),
)
WB = ("AL", "BA", "ME", "MK", "RS", "XK")
# Real cities around which the synthetic copies of each partner are placed (scale > 1).
CITIES: dict[str, tuple[tuple[str, float, float], ...]] = {
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
NATIVE = {"AL": "sq", "XK": "sq", "RS": "sr", "ME": "sr", "BA": "bs", "MK": "mk", "IT": "it"}
HOST_LANGUAGE = {"IT": "it", "ES": "es", "FR": "fr"}  # others require English when they ask

# activity_id, label, participant_type, direction, quota at scale 1, extra_eur
ACTIVITIES = (
    ("WBL_SHORT", "Short-term work-based learning (1 month)", "learner", "WB_TO_EU", 360, 0),
    ("WBL_LONG", "Long-term work-based learning (3 months)", "learner", "WB_TO_EU", 56, 150),
    ("JOB_SHADOW", "Job shadowing (1 week)", "staff", "WB_TO_EU", 54, 0),
    ("SUMMER_SCHOOL", "Summer school on mobility and WBL", "staff", "WB_TO_EU", 36, 0),
    ("THEMATIC_TEAM", "EfVET Thematic Team meeting", "staff", "WB_TO_EU", 72, 0),
    ("TRAINING_ASSIGN", "Training assignment in the WB", "staff", "EU_TO_WB", 18, 0),
    ("TEACHING_ASSIGN", "Teaching assignment (pre-departure)", "staff", "EU_TO_WB", 26, 0),
)
QUOTA = {a[0]: a[4] for a in ACTIVITIES}
TRAVEL_BANDS = (
    ("10", "100", "20"),
    ("100", "500", "180"),
    ("500", "2000", "275"),
    ("2000", "3000", "360"),
    ("3000", "4000", "530"),
    ("4000", "8000", "820"),
    ("8000", "", "1500"),
)
GROUPS = {
    "1": "DK FI IE IS LI LU NO SE UK",
    "2": "AT BE CY DE EL ES FR IT MT NL PT AL BA ME",
    "3": "BG CZ EE HR HU LT LV MK PL RO RS SI SK TR XK",
}
DAILY_RATES = {"1": (66, 46, 117, 82), "2": (57, 40, 104, 73), "3": (48, 34, 91, 64)}

# sector: (share of applicants, share of women), as in VET; overall about 52 % F.
SECTORS = {
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
SECTOR_NAMES = np.array(list(SECTORS))
SECTOR_SHARE = np.array([v[0] for v in SECTORS.values()])
FOREIGN = ("en", "it", "de", "es", "fr")
_SCHOOL = (1.0, 1.2, 1.2, 0.8, 0.6, 1.0, 0.3, 0.3, 1.2, 1.2, 0.8, 0.2)  # window starts, Jan..Dec


@dataclass(frozen=True)
class OfferPlan:
    """How the hosts of one activity offer it: duration (days, inclusive range), seats
    (persons, inclusive range), start months and language requirements."""

    activity: str
    days: tuple[int, int]
    seats: tuple[int, int]
    month_p: tuple[float, ...]  # chance that a host starts one in a month, Jan..Dec
    weekday: int = 0  # 0 = Monday
    sector_lists: float = 1.0  # share of offers with a sector list (else every sector)
    en: float = 0.0  # share requiring English
    host_language: float = 0.0  # share requiring the host country's language (it, es, fr)


_SCHOOL_P = np.array([1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0])  # no August, July, December


class _LanguageShares(TypedDict):
    en: float
    host_language: float


_LEARN_LANG: _LanguageShares = {"en": 0.2, "host_language": 0.08}
OFFER_PLANS = (  # month_p: chance that a host starts one in each calendar month, Jan..Dec
    OfferPlan("WBL_SHORT", (28, 28), (4, 12), (0.6,) * 7 + (0, 0.6, 0.6, 0.6, 0), **_LEARN_LANG),
    OfferPlan(
        "WBL_LONG",
        (90, 90),
        (2, 6),
        (0.3, 0.3, 0.2, 0, 0, 0, 0.2, 0, 0.5, 0.5, 0.15, 0),
        **_LEARN_LANG,
    ),
    OfferPlan("JOB_SHADOW", (5, 5), (3, 8), tuple(0.22 * _SCHOOL_P), sector_lists=0.3),
    OfferPlan("SUMMER_SCHOOL", (5, 6), (5, 9), (0,) * 6 + (1,) + (0,) * 5, sector_lists=0, en=0.2),
    OfferPlan(
        "THEMATIC_TEAM",
        (2, 3),
        (12, 15),
        (0, 0, 0.2, 0.2) + (0,) * 5 + (0.2, 0.2, 0),
        weekday=1,
        sector_lists=0,
        en=0.3,
    ),
    OfferPlan("TRAINING_ASSIGN", (3, 5), (1, 3), tuple(0.12 * _SCHOOL_P), sector_lists=0),
    OfferPlan("TEACHING_ASSIGN", (3, 5), (1, 3), tuple(0.17 * _SCHOOL_P), sector_lists=0),
)


@dataclass(frozen=True)
class Profile:
    """One kind of applicant: how many at scale 1, what they apply for, and their
    availability windows."""

    count: int  # applicants at scale 1
    activities: tuple[str, ...]
    months: tuple[int, int]  # length of the availability window, months
    starts: tuple[float, ...] = _SCHOOL  # weight of window start by month, Jan..Dec
    opens: tuple[int, int] = (0, 36)  # windows open in these months after 2020-01
    max_mobilities: tuple[int, ...] = (1,)  # drawn uniformly
    graduates: float = 0.0  # share with a graduation date (window follows it)


_SUMMER = (0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0)
PROFILES = (
    Profile(615, ("WBL_SHORT",), (4, 9)),
    Profile(45, ("WBL_SHORT", "WBL_LONG"), (5, 9)),
    Profile(80, ("WBL_LONG",), (5, 9), graduates=0.85),
    Profile(56, ("JOB_SHADOW",), (4, 9)),
    Profile(40, ("SUMMER_SCHOOL",), (3, 4), _SUMMER),
    Profile(12, ("JOB_SHADOW", "SUMMER_SCHOOL"), (8, 14)),
    Profile(26, ("THEMATIC_TEAM",), (18, 36), opens=(0, 18), max_mobilities=(2, 3, 4)),
    Profile(12, ("JOB_SHADOW", "THEMATIC_TEAM"), (18, 36), opens=(0, 18), max_mobilities=(2, 3, 4)),
    Profile(12, ASSIGN, (12, 30), max_mobilities=(2, 3, 4, 5)),  # Uniser staff
)
