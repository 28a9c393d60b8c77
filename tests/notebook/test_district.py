"""The district overview: communes ranked on each headline indicator (shipped data)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kpi.core.areas import UnknownAreaError
from kpi.notebook.district import open_district

DATA = Path(__file__).resolve().parents[2] / "data"
SHIPPED = {"cam-xuyen-town", "cam-binh-commune", "cam-quang-commune", "cam-thach-commune",
           "cam-thanh-commune", "cam-vinh-commune"}


@pytest.mark.parametrize("area", ["Huyện Cẩm Xuyên", "cam-xuyen-district", "Xã Cẩm Bình",
                                  "ha tinh", ""])
def test_the_group_is_the_district_or_every_commune(area: str) -> None:
    view = open_district(DATA, area, "2022Q1")
    assert set(view.members) == SHIPPED


def test_ranks_are_a_permutation_per_indicator() -> None:
    view = open_district(DATA, "Huyện Cẩm Xuyên", "2022Q1")
    codes = view.headline_indicators()
    assert codes[0] == "budget_revenue" and len(codes) == 4
    frame = view.table().frame
    assert len(frame) == 6 and list(frame.columns)[1:] == [view.catalog[c].name("vi")
                                                           for c in codes]
    for column in frame.columns[1:]:
        ranks = [int(m.group(1)) for v in frame[column] if (m := re.search(r"\((\d+)/6\)", v))]
        assert sorted(ranks) == list(range(1, len(ranks) + 1))
    charts = view.charts().charts
    assert len(charts) == 4 and "xếp hạng 6 địa bàn" in charts[0].alt


def test_an_unknown_group_names_the_closest() -> None:
    with pytest.raises(UnknownAreaError, match="cam-xuyen-district"):
        open_district(DATA, "Huyện Cẩm Xuyen Bac", "2022Q1")
