"""Many scenarios at once: each run in its own process (or as a Dask task), sweeps over one
scenario's settings, the manifest.

- :mod:`~intervet_plan.batch.results`: a run's result, the manifest, the comparison report,
  the terminal table
- :mod:`~intervet_plan.batch.runner`: one run in a process of its own (and its entry point)
- :mod:`~intervet_plan.batch.pool`: :func:`~intervet_plan.batch.pool.run_batch`, on a local
  pool of processes or a Dask cluster
- :mod:`~intervet_plan.batch.sweep`: the variants of one scenario, run as a batch
"""
