"""Many scenarios at once: each run in its own process (or as a Dask task), sweeps over one
scenario's settings, the manifest."""
