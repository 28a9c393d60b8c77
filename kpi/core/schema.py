"""The observation table: the one contract between every stage.

One row per reported (or derived) number. Upstream stages produce it, downstream stages
read only it. :func:`validate` applies the pandera schema; :func:`empty` gives a
correctly typed table with no rows; :func:`conform` puts columns in contract order with
contract dtypes (filling optional columns) before validation.
"""

from __future__ import annotations

import functools
from typing import Final

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError as PanderaSchemaError
from pandera.errors import SchemaErrors as PanderaSchemaErrors

from kpi.errors import SchemaError

QUARTER: Final = pd.PeriodDtype("Q-DEC")

SPANS: Final = ("quarter", "month", "ytd", "year", "to_date")
MEASURES: Final = (
    "value",
    "plan",
    "pct_of_plan",
    "pct_change_yoy",
    "pct_change_qoq",
    "pct_of_prior_year",
    "share_pct",
)
QUALIFIERS: Final = ("exact", "approx", "more_than", "less_than", "estimate")

#: Contract columns, in order, with their pandas dtypes.
COLUMNS: Final[dict[str, object]] = {
    "area": "str",  # slug of the administrative unit
    "period": QUARTER,  # quarter the number belongs to (the quarter a span ends in)
    "span": "str",  # what the number covers: one of SPANS
    "month": "Int64",  # 1..12 for span == "month", else <NA>
    "as_of": "str",  # ISO date for span == "to_date" when known, else ""
    "indicator": "str",  # catalogue code, or "unclassified"
    "measure": "str",  # one of MEASURES
    "value": "float64",  # in the catalogue's base unit (VND, persons, doses, m, %)
    "unit": "str",  # base unit of value
    "qualifier": "str",  # one of QUALIFIERS
    "subject": "str",  # short subject phrase the number belongs to
    "source": "str",  # file name under data/raw/
    "locator": "str",  # where in the file: "L12:40-55", "Sheet!C7"
    "evidence": "str",  # the clause or cell text it came from
    "derived": "bool",  # computed from other rows, not read
    "synthetic": "bool",  # sample data, not a real report
}

DEFAULTS: Final[dict[str, object]] = {
    "span": "quarter",
    "month": pd.NA,
    "as_of": "",
    "measure": "value",
    "unit": "",
    "qualifier": "exact",
    "subject": "",
    "locator": "",
    "evidence": "",
    "derived": False,
    "synthetic": False,
}

_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


@functools.cache
def observations_schema() -> pa.DataFrameSchema:
    """The pandera schema of the contract, built on first use (a notebook that only reads
    the table never builds it: a warm kernel imports this module anew for each notebook)."""
    text = {"nullable": False, "coerce": True}
    return pa.DataFrameSchema(
        {
            "area": pa.Column(str, pa.Check.str_matches(_SLUG), **text),
            "period": pa.Column(QUARTER, nullable=False),
            "span": pa.Column(str, pa.Check.isin(SPANS), **text),
            "month": pa.Column(
                "Int64", pa.Check.in_range(1, 12), nullable=True, coerce=True
            ),
            "as_of": pa.Column(str, **text),
            "indicator": pa.Column(str, pa.Check.str_length(min_value=1), **text),
            "measure": pa.Column(str, pa.Check.isin(MEASURES), **text),
            "value": pa.Column(float, pa.Check(lambda s: ~s.isin([float("inf"), float("-inf")])),
                               nullable=False, coerce=True),
            "unit": pa.Column(str, **text),
            "qualifier": pa.Column(str, pa.Check.isin(QUALIFIERS), **text),
            "subject": pa.Column(str, **text),
            "source": pa.Column(str, pa.Check.str_length(min_value=1), **text),
            "locator": pa.Column(str, **text),
            "evidence": pa.Column(str, **text),
            "derived": pa.Column(bool, **text),
            "synthetic": pa.Column(bool, **text),
        },
        checks=[
            pa.Check(
                lambda df: (df["span"] != "month") | df["month"].notna(),
                error="a span 'month' row needs its month",
            ),
        ],
        strict=True,
        ordered=True,
        name="observations",
    )



def empty() -> pd.DataFrame:
    """A table with the contract columns and dtypes and no rows."""
    return conform(pd.DataFrame({c: pd.Series([], dtype=object) for c in COLUMNS}))


def conform(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with every contract column, in order, with contract dtypes.

    Missing optional columns get their DEFAULTS; ``period`` accepts Periods or labels
    such as ``"2022Q1"``. Extra columns are dropped. Raises :class:`SchemaError` when a
    required column (area, period, indicator, value, source) is missing.
    """
    missing = [c for c in ("area", "period", "indicator", "value", "source") if c not in df]
    if missing:
        raise SchemaError(f"observation table lacks required columns {missing}")
    out = pd.DataFrame(index=range(len(df)))
    src = df.reset_index(drop=True)
    for col, dtype in COLUMNS.items():
        series = src[col] if col in src else pd.Series([DEFAULTS[col]] * len(src), dtype=object)
        if col == "period":
            series = _to_quarter(series)
        elif dtype == "str":
            series = series.fillna(DEFAULTS.get(col, "")).astype("str")
        elif dtype == "bool":
            series = series.fillna(DEFAULTS[col]).astype(bool)
        else:
            series = series.astype(dtype)  # type: ignore[arg-type]
        out[col] = series.to_numpy() if col != "period" else series.array
    out["month"] = out["month"].astype("Int64")
    return out


def _to_quarter(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.PeriodDtype):
        return series.dt.asfreq("Q-DEC") if series.dtype != QUARTER else series
    labels = [pd.Period(str(v), freq="Q-DEC") for v in series]
    return pd.Series(pd.PeriodIndex(labels, dtype=QUARTER))


def validate(df: pd.DataFrame) -> pd.DataFrame:
    """Validate against the contract; return the (coerced) table.

    Raises :class:`kpi.errors.SchemaError` listing up to ten failing cases.
    """
    try:
        return observations_schema().validate(df, lazy=True)
    except PanderaSchemaErrors as exc:
        cases = exc.failure_cases.head(10).to_dict("records")
        raise SchemaError(f"observations break the contract: {cases}") from exc
    except PanderaSchemaError as exc:  # pragma: no cover - lazy=True raises SchemaErrors
        raise SchemaError(f"observations break the contract: {exc}") from exc
