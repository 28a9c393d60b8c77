"""Areas by slug or name (:mod:`kpi.core.areas`), in the API, notebooks and ``kpi run``."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi.core.areas import AreaInfo, UnknownAreaError, fold, read_areas, resolve
from kpi.errors import KpiError

KNOWN = [
    AreaInfo("cam-binh-commune", "Xã Cẩm Bình", "cam-xuyen-district", "Huyện Cẩm Xuyên"),
    AreaInfo("cam-xuyen-town", "Thị trấn Cẩm Xuyên"),
    AreaInfo("cam-xuyen-district", "Huyện Cẩm Xuyên"),
    AreaInfo("ky-tan-commune", "Xã Kỳ Tân"),
    AreaInfo("ha-tinh-province", "Hà Tĩnh"),
    AreaInfo("vietnam", "Việt Nam"),
    AreaInfo("da-nang-city", "Đà Nẵng"),
]


@pytest.mark.parametrize(("text", "slug"), [
    ("cam-binh-commune", "cam-binh-commune"),
    ("Xã Cẩm Bình", "cam-binh-commune"),
    ("xã cẩm bình", "cam-binh-commune"),
    ("XA CAM BINH", "cam-binh-commune"),
    ("cam binh", "cam-binh-commune"),
    ("Cẩm Bình", "cam-binh-commune"),
    ("cam-binh", "cam-binh-commune"),
    ("  Xã  Cẩm Bình ", "cam-binh-commune"),
    ("Xa Cam Binh commune", "cam-binh-commune"),
    ("Thị trấn Cẩm Xuyên", "cam-xuyen-town"),
    ("Huyện Cẩm Xuyên", "cam-xuyen-district"),
    ("đà nẵng", "da-nang-city"),
    ("Viet Nam", "vietnam"),
])
def test_names_and_slugs_resolve(text: str, slug: str) -> None:
    assert resolve(text, KNOWN) == slug


def test_nfd_input_resolves() -> None:
    import unicodedata
    assert resolve(unicodedata.normalize("NFD", "Xã Cẩm Bình"), KNOWN) == "cam-binh-commune"


def test_unknown_area_names_the_closest_and_the_list() -> None:
    with pytest.raises(UnknownAreaError) as caught:
        resolve("cam-hoa-commune", KNOWN, listed_in="data/processed/areas.csv")
    err = caught.value
    assert isinstance(err, KeyError) and isinstance(err, KpiError)
    assert err.closest[0] == "cam-binh-commune"
    assert "cam-binh-commune (Xã Cẩm Bình)" in str(err)
    assert "data/processed/areas.csv" in str(err)
    assert not str(err).startswith(("'", '"'))  # not KeyError's quoted repr
    lines = err._render_traceback_()
    assert len(lines) == 1 and "cam-binh-commune" in lines[0]


def test_an_ambiguous_name_lists_the_candidates() -> None:
    with pytest.raises(UnknownAreaError, match="more than one") as caught:
        resolve("cam xuyen", KNOWN)
    assert set(caught.value.closest) == {"cam-xuyen-town", "cam-xuyen-district"}


def test_no_known_areas_says_to_ingest() -> None:
    with pytest.raises(UnknownAreaError, match="kpi ingest"):
        resolve("cam binh", [])


@given(st.text(max_size=30))
def test_resolve_returns_a_known_slug_or_raises_unknown(text: str) -> None:
    try:
        slug = resolve(text, KNOWN)
    except UnknownAreaError:
        return
    assert slug in {a.area for a in KNOWN}


@given(st.sampled_from(KNOWN), st.sampled_from([str.upper, str.lower, str.title, fold]))
def test_any_case_with_or_without_diacritics(area: AreaInfo, change) -> None:
    if area.area == "cam-xuyen-district":  # "cam xuyen" alone is ambiguous; the full name is not
        assert resolve(change(area.name), KNOWN) == area.area
        return
    assert resolve(change(area.name), KNOWN) == area.area
    assert resolve(change(area.area), KNOWN) == area.area


def test_read_areas_reads_district_columns(tmp_path: Path) -> None:
    (tmp_path / "processed").mkdir()
    (tmp_path / "processed" / "areas.csv").write_text(
        "\ufeffarea,name,observations,district,district_name\n"
        "ky-tan-commune,Xã Kỳ Tân,3,ky-anh-district,Huyện Kỳ Anh\nvietnam,Việt Nam,2,,\n",
        encoding="utf-8")
    got = read_areas(tmp_path)
    assert got[0] == AreaInfo("ky-tan-commune", "Xã Kỳ Tân", "ky-anh-district", "Huyện Kỳ Anh")
    assert got[1].district == "" and read_areas(tmp_path / "nowhere") == []


def test_kpi_run_refuses_an_unknown_area_with_exit_2(tmp_path: Path, capsys) -> None:
    from kpi.cli import main

    (tmp_path / "data" / "processed").mkdir(parents=True)
    (tmp_path / "data" / "processed" / "areas.csv").write_text(
        "area,name,observations\ncam-binh-commune,Xã Cẩm Bình,3\n", encoding="utf-8")
    code = main(["--root", str(tmp_path), "run", "--quarter", "2022Q1",
                 "--area", "cam-hoa-commune"])
    assert code == 2
    err = capsys.readouterr().err
    assert "cam-binh-commune" in err and "areas.csv" in err
    assert not (tmp_path / "reports").exists()


def test_kpi_run_resolves_a_name(tmp_path: Path) -> None:
    from kpi.cli import _resolve_areas

    (tmp_path / "data" / "processed").mkdir(parents=True)
    (tmp_path / "data" / "processed" / "areas.csv").write_text(
        "area,name,observations\ncam-binh-commune,Xã Cẩm Bình,3\n", encoding="utf-8")
    assert _resolve_areas(tmp_path, ["Xã Cẩm Bình", "cam binh"]) == ["cam-binh-commune"] * 2
    assert _resolve_areas(tmp_path / "x", ["cam-binh-commune"]) == ["cam-binh-commune"]
