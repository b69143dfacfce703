"""The planning domain in memory: a case and a scenario resolved into a Context, eligibility
of (participant, offer) pairs, unit costs. Pure: no file is read or written here."""
