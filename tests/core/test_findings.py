"""kpi.core.findings: one table shape, built from objects or mappings, ordered two ways."""

from __future__ import annotations

import pandas as pd

from kpi.core import findings
from kpi.core.findings import COLUMNS, Finding


def test_objects_and_mappings_make_the_same_table() -> None:
    as_object = Finding("warning", "rule", "không khớp", area="a", period="2022Q1",
                        values=(1.0, 2.5))
    as_mapping = {"severity": "warning", "kind": "rule", "detail": "không khớp", "area": "a",
                  "period": "2022Q1", "values": (1.0, 2.5)}
    one, two = findings.table([as_object]), findings.table([as_mapping])
    pd.testing.assert_frame_equal(one, two)
    assert tuple(one.columns) == COLUMNS
    assert one.loc[0, "values"] == (1.0, 2.5)
    assert one.loc[0, "source"] == ""


def test_the_empty_table_has_the_shape_and_is_a_fresh_copy() -> None:
    empty = findings.table([])
    assert tuple(empty.columns) == COLUMNS and empty.empty
    empty.loc[0] = ["x"] * len(COLUMNS)
    assert findings.table([]).empty


def test_for_review_puts_errors_first_and_writes_values_as_text() -> None:
    rows = [Finding("info", "unclassified", "3 số", source="b.txt"),
            Finding("error", "unreadable_file", "hỏng", source="a.txt"),
            Finding("warning", "rule", "lệch", values=(45e9, 0.5, float("nan")))]
    review = findings.for_review(rows + rows[:1])
    assert list(review["severity"]) == ["error", "warning", "info"]
    assert review.loc[1, "values"] == "45000000000; 0.5; "
    assert len(review) == 3  # the duplicate is dropped
