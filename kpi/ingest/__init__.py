"""``kpi ingest``: raw files → the observation table, reviewed and validated.

- :mod:`kpi.ingest.inventory` what ``data/raw/`` holds (kind, content hash);
- :mod:`kpi.ingest.corrections` analysts' corrections (``data/raw/corrections.csv``);
- :mod:`kpi.ingest.pipeline` the ingest itself: :func:`ingest`, :func:`load_observations`.
"""

from kpi.ingest.pipeline import IngestResult, ingest, load_observations, refresh

__all__ = ["IngestResult", "ingest", "load_observations", "refresh"]
