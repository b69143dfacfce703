"""Names instead of ids, for what a person reads: activity labels and organisation names from
summary.json's ``labels`` (a run folder written before it had them shows the ids).

>>> names = Labels({"activities": {"WBL_SHORT": "Short-term work-based learning"},
...                 "organisations": {"MODE": {"name": "Mode Gakuen", "country": "FR"}}})
>>> names.activity("WBL_SHORT"), names.activity("NEW")
('Short-term work-based learning', 'NEW')
>>> names.organisation("MODE"), names.organisation("MODE", country=True)
('Mode Gakuen', 'Mode Gakuen (FR)')
"""

from __future__ import annotations

from collections.abc import Mapping


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

    def organisation(self, org_id: object, country: bool = False) -> str:
        """The organisation's name (its id when unknown), with its country code if asked."""
        o = self.organisations.get(str(org_id))
        if not o:
            return str(org_id)
        name = o.get("name") or str(org_id)
        return f"{name} ({o['country']})" if country and o.get("country") else name
