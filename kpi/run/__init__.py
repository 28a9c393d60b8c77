"""``kpi run``: the scheduled quarterly job.

- :mod:`kpi.run.scope` which quarter, areas and notebooks a run covers;
- :mod:`kpi.run.jobs` one (area, notebook): execute with papermill, render HTML;
- :mod:`kpi.run.runner` every job of a quarter in a worker pool; :mod:`kpi.run.cluster` the
  same jobs on a Dask cluster; :mod:`kpi.run.worker_preload` what workers are forked with;
- :mod:`kpi.run.progress`, :mod:`kpi.run.manifest`, :mod:`kpi.run.index_page` what a run
  shows and leaves behind.

This ``__init__`` imports nothing: workers import :mod:`kpi.run.jobs` without pandas.
"""
