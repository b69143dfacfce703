"""What the blackouts of a scenario that plans from scratch (no previous plan) take away
(SPEC 3.1 rule 6): per activity, the offers and seats they close and the applicants they
leave with no eligible offer. Pure: from the case and the scenario in memory.

An offer is *closed* when it overlaps a blackout that applies to whoever takes it: one that
holds everywhere, or one that lists the offer's host country. It is *closed for some* when it
is not closed but overlaps a blackout that lists other countries only: applicants sent from
those countries may not take it, the others still may. An applicant is *left without an
offer* when no offer is eligible for them under the scenario (SPEC 3.1) but one would be
without its blackouts; the activities counted for them are those with such an offer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from intervet_plan.domain.context import Context
from intervet_plan.domain.eligibility import Window, candidate_pairs
from intervet_plan.inputs.case import Case
from intervet_plan.inputs.scenario import Blackout

# per activity, in this order
EFFECT_COLUMNS = [
    "label",  # activities.csv's label (the activity_id when it has none)
    "offers_closed",
    "seats_closed",
    "offers_closed_for_some",
    "seats_closed_for_some",
    "applicants_without_offer",
]


@dataclass(frozen=True)
class BlackoutEffect:
    """What the blackouts take away. ``restart`` is the day after the last blackout ends;
    ``by_activity`` (index activity_id, every activity of the case, columns
    :data:`EFFECT_COLUMNS`) counts closed offers, their seats and the applicants left without
    an offer; ``stranded`` holds those applicants (participant_id, activity_id: one row per
    activity of which they lost every eligible offer), sorted."""

    restart: dt.date
    by_activity: pd.DataFrame
    stranded: pd.DataFrame

    @property
    def applicants_without_offer(self) -> int:
        """How many applicants the blackouts leave with no eligible offer (each once)."""
        return int(self.stranded["participant_id"].nunique())


def restart_day(blackouts: Iterable[Blackout]) -> dt.date:
    """The day after the last blackout ends."""
    return max(b.end for b in blackouts) + dt.timedelta(days=1)


def offer_closures(case: Case, blackouts: Iterable[Blackout]) -> pd.DataFrame:
    """Per offer (index offer_id): ``closed`` (closed to every applicant) and
    ``closed_for_some`` (closed only to applicants of the countries a blackout lists)."""
    offers = case.offers
    closed = np.zeros(len(offers), bool)
    some = np.zeros(len(offers), bool)
    for b in blackouts:
        hit = (
            (offers["start_date"] <= pd.Timestamp(b.end))
            & (offers["end_date"] >= pd.Timestamp(b.start))
        ).to_numpy()
        if b.countries is None:
            closed |= hit
            continue
        at_host = offers["host_country"].isin(list(b.countries)).to_numpy()
        closed |= hit & at_host
        some |= hit & ~at_host
    return pd.DataFrame({"closed": closed, "closed_for_some": some & ~closed}, index=offers.index)


def stranded_applicants(
    case: Case, window: Window, eligible_ids: Iterable[str] | None = None
) -> pd.DataFrame:
    """The applicants with no eligible offer under ``window`` who would have one without its
    blackouts: (participant_id, activity_id) for each activity with such an offer, sorted.
    ``eligible_ids`` are the participants with an eligible pair under ``window`` (the
    model's candidate pairs), computed when not given; only the others are looked at again."""
    if eligible_ids is None:
        eligible_ids = candidate_pairs(case, window)["participant_id"]
    parts = case.participants
    others = parts[~parts.index.isin(pd.Index(list(eligible_ids)))]
    free = replace(window, blackouts=())
    pairs = candidate_pairs(replace(case, participants=others), free)
    out = pairs[["participant_id", "activity_id"]].drop_duplicates()
    return out.sort_values(["participant_id", "activity_id"], ignore_index=True)


def blackout_effect(
    ctx: Context, eligible_ids: Iterable[str] | None = None
) -> BlackoutEffect | None:
    """What the scenario's blackouts take away (:class:`BlackoutEffect`); None when it has
    none or is a re-plan (whose report says what became of the previous plan instead).
    ``eligible_ids`` as for :func:`stranded_applicants`."""
    blackouts = tuple(ctx.scenario.blackouts)
    if not blackouts or ctx.replan:
        return None
    case = ctx.case
    seats = case.offers["seats"].astype(int)
    shut = offer_closures(case, blackouts)
    stranded = stranded_applicants(case, ctx.window, eligible_ids)
    acts = case.activities.index
    by_offer = shut.assign(activity_id=case.offers["activity_id"], seats=seats)

    def per_activity(mask: pd.Series) -> tuple[pd.Series, pd.Series]:
        chosen = by_offer[mask].groupby("activity_id")
        return (
            chosen.size().reindex(acts, fill_value=0),
            chosen["seats"].sum().reindex(acts, fill_value=0),
        )

    offers_closed, seats_closed = per_activity(by_offer["closed"])
    offers_some, seats_some = per_activity(by_offer["closed_for_some"])
    labels = case.activities["label"] if "label" in case.activities else pd.Series("", acts)
    table = pd.DataFrame(
        {
            "label": [str(v) if str(v) else a for a, v in labels.fillna("").items()],
            "offers_closed": offers_closed,
            "seats_closed": seats_closed,
            "offers_closed_for_some": offers_some,
            "seats_closed_for_some": seats_some,
            "applicants_without_offer": stranded.groupby("activity_id")
            .size()
            .reindex(acts, fill_value=0),
        },
        index=acts,
    )
    for c in EFFECT_COLUMNS[1:]:
        table[c] = table[c].astype(int)
    table.index.name = "activity_id"
    return BlackoutEffect(restart_day(blackouts), table[EFFECT_COLUMNS], stranded)
