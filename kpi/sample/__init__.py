"""``kpi sample``: a seeded, synthetic multi-quarter data set in the raw forms real data has.

- :mod:`kpi.sample.series` the hidden quarterly series;
- :mod:`kpi.sample.text` numbers written the ways reports write them (planted truth);
- :mod:`kpi.sample.report` the prose of the synthetic reports;
- :mod:`kpi.sample.tables` the indicator tables with their mapping files;
- :mod:`kpi.sample.readme` the README written into the sample folder;
- :mod:`kpi.sample.dataset` puts them together: :func:`generate`.
"""
