"""Which (participant, offer) pairs may be chosen (SPEC 3.1), and why not.

Each rule is one vectorised predicate over a frame of pairs. The same predicates generate
the model's sparse candidate pairs and explain, for any excluded pair, the first rule that
excluded it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from intervet_plan.inputs.case import Case
from intervet_plan.inputs.scenario import Blackout

# Rule names in SPEC order; the first failing one is *the* reason a pair is excluded.
RULES: dict[str, str] = {
    "activity": "the participant did not apply for the offer's activity",
    "sector": "the offer does not accept the participant's sector",
    "languages": "the offer's working languages are not among the participant's",
    "availability": "the offer's dates are outside the participant's availability",
    "graduation": "the offer is not within 365 days after graduation",
    "blackout": "the offer overlaps a blackout period",
    "as_of": "the offer starts before the re-plan date",
    "withdrawn": "the participant has withdrawn",
}


@dataclass(frozen=True)
class Window:
    """Scenario settings that eligibility depends on."""

    blackouts: tuple[Blackout, ...] = ()
    as_of: dt.date | None = None
    withdrawn: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ListIndex:
    """The list cells of a case (applied activities, offer sectors, languages) as sorted
    integer keys, so that list membership is tested for many pairs at once."""

    applied: np.ndarray  # sorted p_pos * n_act + activity code of each applied activity
    offer_act: np.ndarray  # per offer: activity code
    n_act: int
    p_sector: np.ndarray  # per participant: sector code
    offer_sectors: np.ndarray  # sorted o_pos * n_sec + sector code of each listed sector
    offer_star: np.ndarray  # per offer: sectors is *
    n_sec: int
    p_langs: np.ndarray  # sorted p_pos * n_lang + language code
    o_lang_start: np.ndarray  # per offer: offset into o_lang_code
    o_lang_len: np.ndarray  # per offer: number of working languages
    o_lang_code: np.ndarray
    n_lang: int

    @classmethod
    def of(cls, case: Case) -> ListIndex:
        parts, offers = case.participants, case.offers
        acts = {a: i for i, a in enumerate(case.activities.index)}
        sectors: dict[str, int] = {}
        langs: dict[str, int] = {}
        applied = [
            p * len(acts) + acts[a]
            for p, lst in enumerate(parts["activities"])
            for a in lst
            if a in acts
        ]
        p_sector = np.array(
            [sectors.setdefault(s, len(sectors)) for s in parts["sector"]], np.int64
        )
        star = np.array([s is None for s in offers["sectors"]], bool)
        o_sec = [
            (o, sectors.setdefault(s, len(sectors)))
            for o, lst in enumerate(offers["sectors"])
            if lst is not None
            for s in lst
        ]
        p_lang = [
            (p, langs.setdefault(c, len(langs)))
            for p, lst in enumerate(parts["languages"])
            for c in lst
        ]
        o_len = np.array([len(lst) for lst in offers["languages"]], np.int64)
        o_code = np.array(
            [langs.setdefault(c, len(langs)) for lst in offers["languages"] for c in lst], np.int64
        )
        n_sec, n_lang = max(len(sectors), 1), max(len(langs), 1)
        return cls(
            applied=np.unique(np.array(applied, np.int64)),
            offer_act=offers["activity_id"].map(acts).to_numpy(np.int64),
            n_act=max(len(acts), 1),
            p_sector=p_sector,
            offer_sectors=np.unique(np.array([o * n_sec + c for o, c in o_sec], np.int64)),
            offer_star=star,
            n_sec=n_sec,
            p_langs=np.unique(np.array([p * n_lang + c for p, c in p_lang], np.int64)),
            o_lang_start=np.concatenate([[0], np.cumsum(o_len)[:-1]]).astype(np.int64),
            o_lang_len=o_len,
            o_lang_code=o_code,
            n_lang=n_lang,
        )


def pairs_frame(case: Case, p_pos: np.ndarray, o_pos: np.ndarray) -> pd.DataFrame:
    """Participant and offer attributes side by side, one row per pair (by row position)."""
    p, o = case.participants, case.offers
    return pd.DataFrame(
        {
            "p_pos": p_pos,
            "o_pos": o_pos,
            "participant_id": p.index.to_numpy()[p_pos],
            "offer_id": o.index.to_numpy()[o_pos],
            "activity_id": o["activity_id"].to_numpy()[o_pos],
            "available_from": p["available_from"].to_numpy()[p_pos],
            "available_to": p["available_to"].to_numpy()[p_pos],
            "graduation_date": p["graduation_date"].to_numpy()[p_pos],
            "start_date": o["start_date"].to_numpy()[o_pos],
            "end_date": o["end_date"].to_numpy()[o_pos],
            "sending_country": p["country"].to_numpy()[p_pos],
            "host_country": o["host_country"].to_numpy()[o_pos],
        }
    )


def _member(keys: np.ndarray, table: np.ndarray) -> np.ndarray:
    """keys in a sorted table (vectorised)."""
    if not len(table):
        return np.zeros(len(keys), bool)
    i = np.clip(np.searchsorted(table, keys), 0, len(table) - 1)
    return table[i] == keys


def _activity(f: pd.DataFrame, w: Window, ix: ListIndex) -> np.ndarray:
    p, o = f["p_pos"].to_numpy(), f["o_pos"].to_numpy()
    return _member(p * ix.n_act + ix.offer_act[o], ix.applied)


def _sector(f: pd.DataFrame, w: Window, ix: ListIndex) -> np.ndarray:
    p, o = f["p_pos"].to_numpy(), f["o_pos"].to_numpy()
    return ix.offer_star[o] | _member(o * ix.n_sec + ix.p_sector[p], ix.offer_sectors)


def _languages(f: pd.DataFrame, w: Window, ix: ListIndex) -> np.ndarray:
    """The offer lists no working language, or shares one with the participant."""
    p, o = f["p_pos"].to_numpy(), f["o_pos"].to_numpy()
    n = ix.o_lang_len[o]
    ok = n == 0
    if ok.all():
        return ok
    pair = np.repeat(np.arange(len(f)), n)
    offs = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n) + np.repeat(ix.o_lang_start[o], n)
    hit = _member(p[pair] * ix.n_lang + ix.o_lang_code[offs], ix.p_langs)
    return ok | (np.bincount(pair[hit], minlength=len(f)) > 0)


def _availability(f: pd.DataFrame, w: Window, ix: ListIndex) -> np.ndarray:
    return (
        (f["available_from"] <= f["start_date"]) & (f["end_date"] <= f["available_to"])
    ).to_numpy()


def _graduation(f: pd.DataFrame, w: Window, ix: ListIndex) -> np.ndarray:
    g = f["graduation_date"]
    ok = (f["start_date"] >= g) & (f["end_date"] <= g + pd.Timedelta(days=365))
    return (g.isna() | ok).to_numpy()


def _blackout(f: pd.DataFrame, w: Window, ix: ListIndex) -> np.ndarray:
    ok = np.ones(len(f), bool)
    for b in w.blackouts:
        hit = (f["start_date"] <= pd.Timestamp(b.end)) & (f["end_date"] >= pd.Timestamp(b.start))
        if b.countries is not None:
            c = list(b.countries)
            hit &= f["host_country"].isin(c) | f["sending_country"].isin(c)
        ok &= ~hit.to_numpy()
    return ok


def _as_of(f: pd.DataFrame, w: Window, ix: ListIndex) -> np.ndarray:
    if w.as_of is None:
        return np.ones(len(f), bool)
    return (f["start_date"] >= pd.Timestamp(w.as_of)).to_numpy()


def _withdrawn(f: pd.DataFrame, w: Window, ix: ListIndex) -> np.ndarray:
    if not w.withdrawn:
        return np.ones(len(f), bool)
    return (~f["participant_id"].isin(list(w.withdrawn))).to_numpy()


PREDICATES: dict[str, Callable[[pd.DataFrame, Window, ListIndex], np.ndarray]] = {
    "activity": _activity,
    "sector": _sector,
    "languages": _languages,
    "availability": _availability,
    "graduation": _graduation,
    "blackout": _blackout,
    "as_of": _as_of,
    "withdrawn": _withdrawn,
}


def first_failing_rule(
    case: Case, f: pd.DataFrame, window: Window, ix: ListIndex | None = None
) -> np.ndarray:
    """For each pair of a frame made by :func:`pairs_frame`: the first rule it breaks, or
    ``None`` when the pair is eligible."""
    ix = ix or ListIndex.of(case)
    reason = np.full(len(f), None, dtype=object)
    open_ = np.ones(len(f), bool)
    for name, pred in PREDICATES.items():
        if not open_.any():
            break
        sub = f[open_]
        fail = ~pred(sub, window, ix)
        idx = np.flatnonzero(open_)[fail]
        reason[idx] = name
        open_[idx] = False
    return reason


def explain(
    case: Case,
    window: Window,
    participant_ids: Iterable[str] | None = None,
    offer_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Every (participant, offer) pair of the given participants and offers (default: all)
    with ``rule``, the first rule that excludes it (empty when eligible)."""
    p_idx = case.participants.index
    o_idx = case.offers.index
    pp = (
        np.arange(len(p_idx))
        if participant_ids is None
        else p_idx.get_indexer(list(participant_ids))
    )
    oo = np.arange(len(o_idx)) if offer_ids is None else o_idx.get_indexer(list(offer_ids))
    if (pp < 0).any() or (oo < 0).any():
        raise KeyError("unknown participant_id or offer_id")
    p_pos, o_pos = np.repeat(pp, len(oo)), np.tile(oo, len(pp))
    f = pairs_frame(case, p_pos, o_pos)
    f["rule"] = first_failing_rule(case, f, window)
    return f[["participant_id", "offer_id", "activity_id", "start_date", "end_date", "rule"]]


def exclusion_counts(case: Case, window: Window, participant_ids: Iterable[str]) -> pd.DataFrame:
    """For each given participant: how many offers each rule excluded (rules as columns)."""
    asked = list(participant_ids)
    if not asked:
        return pd.DataFrame(columns=list(RULES), dtype=int)
    ids = list(dict.fromkeys(asked))  # each once; a repeated id gets the same row
    parts, offers = case.participants, case.offers
    ix = ListIndex.of(case)
    # An offer of an activity the participant did not apply for fails the first rule,
    # "activity": those are counted, and only the offers of the applied activities judged,
    # in pieces of about CHUNK pairs (at scale 30, 5,000 applicants with no eligible offer
    # against 6,754 offers: judging every pair took 1.3 GB and 8 s).
    of_activity = {a: np.asarray(ix) for a, ix in offers.groupby("activity_id").indices.items()}
    pp = parts.index.get_indexer(ids)
    if (pp < 0).any():
        raise KeyError("unknown participant_id")
    none = np.zeros(0, np.int64)
    mine = [
        np.concatenate([of_activity.get(a, none) for a in dict.fromkeys(acts)] or [none])
        for acts in parts["activities"].to_numpy()[pp]
    ]
    sizes = np.array([len(m) for m in mine])
    counts = pd.DataFrame(0, index=pd.Index(ids, name="participant_id"), columns=list(RULES))
    counts["activity"] = len(offers) - sizes
    ends = np.cumsum(sizes)
    at = 0
    while at < len(ids):
        stop = max(at + 1, int(np.searchsorted(ends, ends[at] - sizes[at] + CHUNK, side="right")))
        p_pos = np.repeat(pp[at:stop], sizes[at:stop])
        if len(p_pos):
            o_pos = np.concatenate(mine[at:stop])
            f = pairs_frame(case, p_pos, o_pos)
            rule = pd.Series(first_failing_rule(case, f, window, ix))
            judged = pd.DataFrame({"p": parts.index.to_numpy()[p_pos], "rule": rule})
            judged = judged[judged["rule"].notna()]
            for (p, r), n in judged.groupby(["p", "rule"]).size().items():
                counts.at[p, r] += int(n)
        at = stop
    return counts.reindex(asked).astype(int)


CHUNK = 1_000_000  # date-window candidates judged at once by candidate_pairs


def candidate_pairs(case: Case, window: Window) -> pd.DataFrame:
    """All eligible pairs, generated sparsely: each participant's applied activities are joined
    to that activity's offers whose start date falls in the availability window (found by
    binary search), then rules 2-7 filter them. Sorted by participant_id, offer_id."""
    parts, offers = case.participants, case.offers
    p_rows, o_rows = [], []
    applied = parts["activities"].explode().dropna()
    p_pos_of = pd.Series(np.arange(len(parts)), index=parts.index)
    for act, members in applied.groupby(applied, sort=True):
        o_pos = np.flatnonzero(offers["activity_id"].to_numpy() == act)
        if not len(o_pos):
            continue
        starts = offers["start_date"].to_numpy()[o_pos]
        order = np.argsort(starts, kind="stable")
        o_pos, starts = o_pos[order], starts[order]
        pp = p_pos_of.loc[members.index.unique()].to_numpy()
        lo = np.searchsorted(starts, parts["available_from"].to_numpy()[pp], side="left")
        hi = np.searchsorted(starts, parts["available_to"].to_numpy()[pp], side="right")
        # (offers starting in the window; the end date is checked by the availability rule)
        n = np.maximum(hi - lo, 0)
        rep_p = np.repeat(pp, n)
        offs = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n) + np.repeat(lo, n)
        p_rows.append(rep_p)
        o_rows.append(o_pos[offs])
    if not p_rows:
        return pairs_frame(case, np.array([], int), np.array([], int)).iloc[:0]
    p_all, o_all = np.concatenate(p_rows), np.concatenate(o_rows)
    del p_rows, o_rows
    ix = ListIndex.of(case)
    # Rules 2-7 in pieces of CHUNK candidates, so that the frame of every candidate (11
    # million at scale 30, 1.9 GB) is never held at once; the survivors keep their order.
    keep = np.zeros(len(p_all), bool)
    for at in range(0, len(p_all), CHUNK):
        part = slice(at, at + CHUNK)
        f = pairs_frame(case, p_all[part], o_all[part])
        ok = np.ones(len(f), bool)
        for name, pred in PREDICATES.items():
            if name != "activity":  # (holds by construction) each rule judges a pair alone
                ok &= pred(f, window, ix)
        keep[part] = ok
    f = pairs_frame(case, p_all[keep], o_all[keep])
    f = f.sort_values(["participant_id", "offer_id"], kind="stable").reset_index(drop=True)
    return f[
        [
            "participant_id",
            "offer_id",
            "activity_id",
            "start_date",
            "end_date",
            "sending_country",
            "host_country",
        ]
    ]
