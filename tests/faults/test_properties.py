"""Property tests for the parsers hardened against hostile input: the corrections reader,
long-sentence splitting, YAML alias counting."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.core import catalog as catalog_module
from kpi.errors import CorrectionError
from kpi.extract.extractor import _MAX_SENTENCE, _sentences
from kpi.ingest.corrections import FIELDS, read_corrections_lenient

CELL = st.text(alphabet=st.sampled_from("ab,.;\" 5\nđồ-"), max_size=8)
ACTION = st.sampled_from(["set_value", "set_indicator", "drop", "rename", ""])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(CELL, CELL, ACTION, CELL, CELL, CELL,
                          st.lists(CELL, max_size=3)), max_size=8))
def test_corrections_rows_are_either_kept_or_named(rows):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(FIELDS)
    for *fields, extra in rows:
        writer.writerow([*fields, *extra])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "corrections.csv"
        path.write_text(buf.getvalue(), encoding="utf-8")
        try:
            good, bad = read_corrections_lenient(path)
        except CorrectionError:
            return  # the file as a whole is unreadable: named, never a traceback
    assert all(isinstance(e, CorrectionError) for e in bad)
    records = [r for r in csv.reader(io.StringIO(buf.getvalue(), newline=""))][1:]
    assert len(good) + len(bad) == sum(any(f.strip() for f in r) for r in records)
    too_long = sum(len(r) > len(FIELDS) for r in records if any(f.strip() for f in r))
    assert sum("more than the header" in str(e) for e in bad) == too_long
    assert set(good["action"]) <= {"set_value", "set_indicator", "drop"}
    assert list(good.columns) == [*FIELDS, "row"]


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab ,;.5\n"), max_size=5000))
def test_sentences_cover_the_text_in_order_and_stay_short(text):
    spans = _sentences(text)
    assert [s for s, _ in spans[1:]] == [e for _, e in spans[:-1]]
    if spans:
        assert spans[0][0] == 0 and spans[-1][1] == len(text)
    # only a span the splitter made is bounded; a full stop may end one early
    assert all(e - s <= _MAX_SENTENCE or "." in text[s:e] for s, e in spans)


SCALARS = st.one_of(st.integers(-5, 5), st.text(alphabet="abc", max_size=3))
DOCS = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(alphabet="xyz", min_size=1,
                                                         max_size=2), inner, max_size=4)),
    max_leaves=20)


@settings(max_examples=80, deadline=None)
@given(DOCS)
def test_yaml_without_a_bomb_loads_as_safe_load_does(doc):
    text = yaml.safe_dump({"a": doc, "b": doc})
    flow = yaml.safe_dump([doc], default_flow_style=True, width=10**6).strip()
    anchored = f"base: &x {flow}\ncopy: *x\nmore: [*x, *x]\n"
    assert catalog_module.load_yaml(text) == yaml.safe_load(text)
    assert catalog_module.load_yaml(anchored) == yaml.safe_load(anchored)
