"""Writing results: the run folder (atomic, safe), tables, the workbook, the notebook report,
plots and the comparison of a batch. The only layer that writes output files."""
