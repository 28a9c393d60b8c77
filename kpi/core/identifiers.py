"""Validation of run parameters that end up in file paths.

A quarter, an area or a notebook name becomes a folder or file name under ``reports/``.
Each is checked against a strict pattern *before* any path is built, so that
``../../x`` or an absolute path can never escape the reports folder. Bad values raise
:class:`~kpi.errors.UnsafeParameterError` naming the parameter and the text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

from kpi.errors import UnsafeParameterError

QUARTER_RE: Final = re.compile(r"^\d{4}Q[1-4]$")
AREA_RE: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Notebook names may also use ``_`` (``urban_works``).
NOTEBOOK_RE: Final = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


def _check(pattern: re.Pattern[str], value: object, what: str, shape: str) -> str:
    # fullmatch on str only: "2022Q1\n" passes ``$`` with re.match, not with fullmatch
    if not isinstance(value, str) or pattern.fullmatch(value) is None:
        raise UnsafeParameterError(
            f"{what} must look like {shape}", text=str(value), where=f"parameter {what!r}"
        )
    return value


def check_quarter(value: object) -> str:
    """Return ``value`` if it is a quarter label like ``2022Q1``, else raise."""
    return _check(QUARTER_RE, value, "quarter", "2022Q1 (year, 'Q', 1-4)")


def check_area(value: object) -> str:
    """Return ``value`` if it is an area slug like ``cam-xuyen-town``, else raise."""
    return _check(AREA_RE, value, "area", "a lower-case slug such as cam-xuyen-town")


def check_notebook_name(value: object) -> str:
    """Return ``value`` if it is a notebook name like ``urban_works``, else raise."""
    return _check(NOTEBOOK_RE, value, "notebook", "a lower-case name such as urban_works")


def inside(base: Path, *parts: str) -> Path:
    """Join ``parts`` onto ``base`` and prove the result stays inside ``base``.

    A second line of defence after the pattern checks: raises if the joined path
    resolves outside ``base``.
    """
    path = base.joinpath(*parts)
    if not path.resolve().is_relative_to(base.resolve()):
        raise UnsafeParameterError(
            "path leaves the reports folder", text="/".join(parts), where=str(base)
        )
    return path
