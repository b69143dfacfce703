"""The mixed-integer program: one generator per hard rule and target (used by the model and by
the checker alike) and the PuLP problem with its objective levels."""
