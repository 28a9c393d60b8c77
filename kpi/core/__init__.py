"""The observation contract and the vocabulary every stage shares.

- :mod:`kpi.core.schema` the observation table (columns, dtypes, validation);
  :mod:`kpi.core.store` reads and writes it atomically;
- :mod:`kpi.core.catalog` the indicator catalogue (packaged YAML under ``indicators/``);
- :mod:`kpi.core.periods` quarters and reporting spans;
- :mod:`kpi.core.identifiers` slugs and names that end up in file paths;
- :mod:`kpi.core.text` how Vietnamese text is normalised, folded and keyed;
- :mod:`kpi.core.findings` the one table shape of data-quality findings;
- :mod:`kpi.core.labels`, :mod:`kpi.core.levels`, :mod:`kpi.core.domains` words for readers.
"""
