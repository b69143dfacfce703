"""One declarative schema per input table (SPEC section 2).

The declarations say *what* each column must hold; ``case.py`` does the checking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """What a cell holds. Lists are separated by ``;`` inside the cell."""

    ID = "id"  # [A-Za-z0-9][A-Za-z0-9_.-]*, at most 64 characters (limits.py)
    TEXT = "text"
    ENUM = "enum"
    INT = "int"
    NUMBER = "number"
    BOOL = "bool"
    DATE = "date"
    COUNTRY = "country"  # ISO 3166-1 alpha-2, XK for Kosovo
    ID_LIST = "id_list"
    LANG_LIST = "lang_list"  # ISO 639-1 codes
    SECTORS = "sectors"  # a list of sectors, or *


@dataclass(frozen=True)
class Column:
    """A column of an input table.

    ``required``: a value must be given in every row. ``optional_column``: the column itself
    may be absent from the header (then every row takes ``default``).
    """

    name: str
    kind: Kind
    required: bool = True
    default: object = None
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    optional_column: bool = False


def _opt(
    name: str,
    kind: Kind,
    default: object = None,
    *,
    choices: tuple[str, ...] = (),
    min: float | None = None,
    max: float | None = None,
) -> Column:
    """A column that may be left empty or left out; empty cells take ``default``."""
    return Column(
        name,
        kind,
        required=False,
        default=default,
        choices=choices,
        min=min,
        max=max,
        optional_column=True,
    )


@dataclass(frozen=True)
class TableSchema:
    name: str  # file name without .csv, sheet name in a workbook
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    optional: bool = False
    purpose: str = ""  # what the table lists, for messages ("the applicants")
    by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {c.name: c for c in self.columns})

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"


LEARNER_STAFF = ("learner", "staff")
DIRECTIONS = ("WB_TO_EU", "EU_TO_WB")

ORGANISATIONS = TableSchema(
    "organisations",
    key=("org_id",),
    purpose="the sending and host organisations",
    columns=(
        Column("org_id", Kind.ID),
        _opt("name", Kind.TEXT, ""),
        Column("country", Kind.COUNTRY),
        _opt("city", Kind.TEXT, ""),
        Column("lat", Kind.NUMBER, min=-90, max=90),
        Column("lon", Kind.NUMBER, min=-180, max=180),
        Column("region", Kind.ENUM, choices=("EU", "WB")),
    ),
)

ACTIVITIES = TableSchema(
    "activities",
    key=("activity_id",),
    purpose="the planned activities with quotas and unit costs",
    columns=(
        Column("activity_id", Kind.ID),
        _opt("label", Kind.TEXT, ""),
        Column("participant_type", Kind.ENUM, choices=LEARNER_STAFF),
        Column("direction", Kind.ENUM, choices=DIRECTIONS),
        Column("quota", Kind.INT, min=0),
        _opt("quota_min", Kind.INT, 0, min=0),
        _opt("travel_days", Kind.INT, 2, min=0),
        Column("org_support_eur", Kind.NUMBER, min=0),
        _opt("org_support_after_eur", Kind.NUMBER, None, min=0),
        _opt("extra_eur", Kind.NUMBER, 0.0, min=0),
    ),
)

PARTICIPANTS = TableSchema(
    "participants",
    key=("participant_id",),
    purpose="the applicants",
    columns=(
        Column("participant_id", Kind.ID),
        Column("org_id", Kind.ID),
        Column("activities", Kind.ID_LIST, required=False, default=()),
        Column("gender", Kind.ENUM, choices=("F", "M", "X")),
        Column("fewer_opportunities", Kind.BOOL),
        Column("sector", Kind.TEXT),
        _opt("languages", Kind.LANG_LIST, ()),
        Column("available_from", Kind.DATE),
        Column("available_to", Kind.DATE),
        _opt("graduation_date", Kind.DATE, None),
        _opt("priority", Kind.NUMBER, 0.0, min=0),
        _opt("preferences", Kind.ID_LIST, ()),
        _opt("max_mobilities", Kind.INT, 1, min=1),
    ),
)

OFFERS = TableSchema(
    "offers",
    key=("offer_id",),
    purpose="the time slots offered by hosts",
    columns=(
        Column("offer_id", Kind.ID),
        Column("host_id", Kind.ID),
        Column("activity_id", Kind.ID),
        Column("start_date", Kind.DATE),
        Column("end_date", Kind.DATE),
        Column("seats", Kind.INT, min=1),
        Column("sectors", Kind.SECTORS),
        _opt("languages", Kind.LANG_LIST, ()),
    ),
)

HOST_CAPACITY = TableSchema(
    "host_capacity",
    key=("host_id",),
    optional=True,
    purpose="the most participants each host can have at once",
    columns=(
        Column("host_id", Kind.ID),
        Column("max_concurrent", Kind.INT, min=0),
    ),
)

TRAVEL_BANDS = TableSchema(
    "travel_bands",
    key=("min_km",),
    purpose="the travel unit costs by distance band",
    columns=(
        Column("min_km", Kind.NUMBER, min=0),
        Column("max_km", Kind.NUMBER, required=False, default=None, min=0),
        Column("eur", Kind.NUMBER, min=0),
    ),
)

COUNTRY_GROUPS = TableSchema(
    "country_groups",
    key=("country",),
    purpose="the country group of each country",
    columns=(
        Column("country", Kind.COUNTRY),
        Column("group", Kind.ID),
    ),
)

DAILY_RATES = TableSchema(
    "daily_rates",
    key=("group", "participant_type"),
    purpose="the daily rates of individual support",
    columns=(
        Column("group", Kind.ID),
        Column("participant_type", Kind.ENUM, choices=LEARNER_STAFF),
        Column("eur_per_day", Kind.NUMBER, min=0),
        Column("eur_per_day_after_14", Kind.NUMBER, min=0),
    ),
)

TABLES: tuple[TableSchema, ...] = (
    ORGANISATIONS,
    ACTIVITIES,
    PARTICIPANTS,
    OFFERS,
    HOST_CAPACITY,
    TRAVEL_BANDS,
    COUNTRY_GROUPS,
    DAILY_RATES,
)
TABLES_BY_NAME: dict[str, TableSchema] = {t.name: t for t in TABLES}

# case.yaml (or the workbook's ``case`` sheet): key -> (kind, required, default)
CASE_KEYS: dict[str, tuple[Kind, bool, object]] = {
    "name": (Kind.TEXT, True, None),
    "start_date": (Kind.DATE, True, None),
    "end_date": (Kind.DATE, True, None),
    "budget_eur": (Kind.NUMBER, True, None),
    "inclusion_support_eur": (Kind.NUMBER, False, 0.0),
    "org_support_threshold": (Kind.INT, False, 100),
}
