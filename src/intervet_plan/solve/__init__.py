"""Solving and explaining: typed results, the lexicographic driver with its HiGHS and CBC
backends, relaxation bounds, the tidy result tables, the checker and the diagnosis."""
