"""The report's word on preferences: how many placements are at a host the participant
listed, counted among the placements of participants who listed hosts at all (summary.json's
``preferences``); someone who listed none cannot miss a preference, and is said apart.

>>> preference_words(381, 475, 147)
'381 of the 475 placements of participants who listed hosts (80%) are at one of those hosts; 147 placements are of participants who listed none.'
"""

from __future__ import annotations

from intervet_plan.outputs.run_folder import RunFolder


def preference_counts(res: RunFolder) -> tuple[int, int, int] | None:
    """Placements at a host the participant listed, placements of participants who listed
    at least one host, and placements of those who listed none (summary.json's
    ``preferences``); None for a run folder that does not say who listed hosts."""
    counts = res["summary"].get("preferences")
    if not counts:
        return None
    at_listed = int(res["allocation"]["preference_rank"].notna().sum())
    return (
        at_listed,
        int(counts["placements_listing_hosts"]),
        int(counts["placements_listing_none"]),
    )


def preference_sentence(res: RunFolder) -> str | None:
    """Preferences met among the placements of participants who listed hosts, e.g. "381 of
    the 475 placements of participants who listed hosts (80 %) are at one of those hosts;
    147 placements are of participants who listed none."; None without a plan."""
    if res["allocation"].empty:
        return None
    counts = preference_counts(res)
    if counts is None:
        n = int(res["allocation"]["preference_rank"].notna().sum())
        return (
            f"{n:,} of the {len(res['allocation']):,} placements are at a host the participant "
            "listed; this run folder does not say how many participants listed no host."
        )
    return preference_words(*counts)


def preference_words(at: int, listing: int, none: int) -> str:
    """The sentence of :func:`preference_sentence` from its three counts."""
    head = (
        f"{at:,} of the {listing:,} placements of participants who listed hosts "
        f"({at / listing:.0%}) are at one of those hosts"
        if listing
        else "No placed participant listed a host"
    )
    tail = (
        f"{none:,} placement{' is' if none == 1 else 's are'} of participants who listed none"
        if none
        else "every placed participant listed at least one host"
    )
    return f"{head}; {tail}."
