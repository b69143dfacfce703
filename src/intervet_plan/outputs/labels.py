"""Names instead of ids, for what a person reads: activity labels and organisation names from
summary.json's ``labels`` (a run folder written before it had them shows the ids), and the
words a report uses for the codes of the run folder's files (reasons, levels, steps).

>>> names = Labels({"activities": {"WBL_SHORT": "Short-term work-based learning"},
...                 "organisations": {"MODE": {"name": "Mode Gakuen", "country": "FR"}}})
>>> names.activity("WBL_SHORT"), names.activity("NEW")
('Short-term work-based learning', 'NEW')
>>> names.organisation("MODE"), names.organisation("MODE", country=True)
('Mode Gakuen', 'Mode Gakuen (FR)')
>>> names.in_words("quota_min of WBL_SHORT short by 2 (hosts at max_concurrent: MODE).")
'quota_min of Short-term work-based learning short by 2 (hosts at max_concurrent: Mode Gakuen).'
>>> names.in_words("offer WBL_SHORT-MODE-2021-07 stays")  # an offer id is a token of its own
'offer WBL_SHORT-MODE-2021-07 stays'
>>> shorten("National Centre for Development of Innovation and Entrepreneurial Learning", 30)
'National Centre for Developme…'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# the reasons of unplaced.csv, in words (SPEC 5)
REASON_WORDS = {
    "no_eligible_offer": "no eligible offer",
    "capacity": "eligible offers full",
    "not_selected": "not selected",
    "withdrawn": "withdrawn",
}
# the parts of a placement's cost (SPEC 3.4; columns ``<part>_eur`` of allocation.csv)
COST_WORDS = {
    "travel": "travel",
    "subsistence": "subsistence",
    "org_support": "organisational support",
    "inclusion": "inclusion support",
    "extra": "extra",
    "total": "total",
}
# the objective levels (SPEC 3.5): what each is, and the unit of its value
LEVEL_UNITS = {
    "placements": "placements",
    "stability": "planned placements not kept",
    "targets": "persons short of the soft targets (weighted)",
    "priority": "priority points",
    "preferences": "preference points",
    "cost": "EUR",
}


def level_phrase(entry: dict, mark_proven: bool = True) -> str:
    """One entry of summary.json's ``levels`` in words: "placements 620 (proven)", "targets
    3.5 (bound 1, gap 71 %, time limit)", "cost 8,778 (no bound, not reached)"."""
    value = entry.get("value")
    shown = "n/a" if value is None else _figure(value)
    name = entry.get("level")
    if entry.get("status") == "optimal":
        return f"{name} {shown}" + (" (proven)" if mark_proven else "")
    bound, gap, limit = entry.get("bound"), entry.get("gap"), entry.get("limit")
    parts = ["no bound" if bound is None else f"bound {_figure(bound)}"]
    if gap is not None:
        parts.append(f"gap {100 * float(gap):.0f} %")
    if limit:
        parts.append(str(limit))
    return f"{name} {shown} ({', '.join(parts)})"


def _figure(v: object) -> str:
    f = float(v)  # type: ignore[arg-type]
    return f"{int(f):,}" if f.is_integer() else f"{f:,.2f}"


# the steps of a run (summary.json's timings_s)
STEP_WORDS = {
    "load": "read the case and the scenario",
    "build": "build the model",
    "solve": "solve",
    "audit": "selection audit and reserves",
    "tradeoff": "walk the targets' frontier",
    "write": "write the files",
    "report": "write the reports",
}
# an id as a whole token (SPEC 2: [A-Za-z0-9][A-Za-z0-9_.-]*): not inside a longer id such as
# an offer id, a trailing full stop allowed
_BEFORE, _AFTER = r"(?<![A-Za-z0-9_.-])", r"(?![A-Za-z0-9_-]|\.[A-Za-z0-9_])"


def shorten(text: str, width: int | None) -> str:
    """``text`` cut to ``width`` characters with an ellipsis (unchanged when None)."""
    if width is None or len(text) <= width:
        return text
    return text[: width - 1].rstrip() + "…"


def percent(n: float, of: float, digits: int = 0) -> str:
    """``n`` as a share of ``of`` in percent, never rounded up to 100 % (nor down to 0 %) when
    it is not: ``620 of 622`` is ``99.7%``, not ``100%``; blank when ``of`` is 0.

    >>> percent(620, 622), percent(54, 54), percent(1, 622), percent(1, 0)
    ('99.7%', '100%', '0.2%', '')
    """
    if not of:
        return ""
    share = n / of
    text = f"{share:.{digits}%}"
    while digits < 4 and 0 < n != of and text in (f"{1:.{digits}%}", f"{0:.{digits}%}"):
        digits += 1
        text = f"{share:.{digits}%}"
    return text


def words(code: object, table: Mapping[str, str]) -> str:
    """A code in words from ``table`` (the code itself, ``_`` as spaces, when unknown)."""
    return table.get(str(code)) or str(code).replace("_", " ")


class Labels:
    """Activity labels and organisation names of a run (``summary["labels"]``)."""

    def __init__(self, labels: Mapping | None) -> None:
        labels = labels or {}
        self.activities: dict[str, str] = dict(labels.get("activities") or {})
        self.organisations: dict[str, dict] = dict(labels.get("organisations") or {})
        self.host_capacity: dict[str, int] = dict(labels.get("host_capacity") or {})

    @classmethod
    def of(cls, summary: Mapping) -> Labels:
        return cls(summary.get("labels"))

    def activity(self, activity_id: object) -> str:
        """The activity's label (its id when the case gives none)."""
        return self.activities.get(str(activity_id)) or str(activity_id)

    def organisation(self, org_id: object, country: bool = False, width: int | None = None) -> str:
        """The organisation's name (its id when unknown), with its country code if asked,
        the name cut to ``width`` characters if given."""
        o = self.organisations.get(str(org_id))
        if not o:
            return str(org_id)
        name = shorten(o.get("name") or str(org_id), width)
        return f"{name} ({o['country']})" if country and o.get("country") else name

    def activity_map(self, ids: Iterable[object]) -> dict[str, str]:
        """``{id: label}`` for ``ids``."""
        return {str(a): self.activity(a) for a in ids}

    def named_ids(self) -> dict[str, str]:
        """Every activity and organisation id whose name differs from it: id -> name."""
        out = {a: self.activity(a) for a in self.activities}
        out.update({o: self.organisation(o) for o in self.organisations})
        return {k: v for k, v in out.items() if k != v}

    def in_words(self, text: str) -> str:
        """``text`` (a sentence written with ids, e.g. a diagnosis) with every activity and
        organisation id, as a whole token, replaced by its name."""
        names = self.named_ids()
        if not names:
            return text
        ids = "|".join(re.escape(k) for k in sorted(names, key=len, reverse=True))
        return re.sub(f"{_BEFORE}({ids}){_AFTER}", lambda m: names[m.group(1)], text)


def id_tokens(text: str, ids: Iterable[str]) -> list[str]:
    """The ``ids`` that occur in ``text`` as whole tokens (as :meth:`Labels.in_words` finds
    them), in order: a check that a text shows names where names exist.

    >>> id_tokens("Mode (PL): WBL_SHORT-MODE-2021-07, then MODE.", ["MODE", "WBL_SHORT"])
    ['MODE']
    """
    ids = sorted(set(ids), key=len, reverse=True)
    if not ids:
        return []
    pattern = f"{_BEFORE}({'|'.join(re.escape(k) for k in ids)}){_AFTER}"
    return re.findall(pattern, text)


def counted(count: int, one: str, many: str) -> str:
    """A count with its noun: ``counted(1, "offer", "offers")`` is '1 offer'."""
    return f"{count} {one if count == 1 else many}"
