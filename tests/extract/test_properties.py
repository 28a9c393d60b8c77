"""Properties of the extractor over generated sentences (hypothesis)."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi.extract.cues import fold_case
from kpi.extract.extractor import extract_text
from kpi.numbers.vietnamese import format_number, format_vnd, parse_number

HEAD = "UBND XÃ CẨM BÌNH\nBÁO CÁO\nKết quả thực hiện nhiệm vụ quý III năm 2022\n"
BODY_LINE = HEAD.count("\n")  # 0-based index of the body line
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def extract(body: str):
    return extract_text(HEAD + body, source="p.txt")


def mention(df, body: str):
    """The text each row's locator points at in the body line."""
    out = []
    for loc in df["locator"]:
        line, cols = loc[1:].split(":")
        start, end = map(int, cols.split("-"))
        assert int(line) == BODY_LINE + 1
        out.append(body.replace("\u00a0", " ")[start:end])  # no-break spaces are spaces
    return out


money_texts = st.one_of(
    st.integers(1, 10**13).map(format_vnd),  # "4.884.100.000 đ"
    st.integers(1, 10**13).map(lambda n: format_number(n) + "đ"),
    st.integers(1, 10**13).map(lambda n: format_number(n) + " đồng"),
    st.integers(1, 10**13).map(lambda n: format_vnd(n, short=True)),  # "3,2 tỷ đồng"
    st.tuples(st.integers(1, 999), st.integers(1, 999)).map(
        lambda t: f"{t[0]} triệu {t[1]} nghìn đồng"),
)


@SETTINGS
@given(money_texts, st.sampled_from(["", "gần ", "hơn ", "ước đạt "]))
def test_money_is_read_whole_and_exactly(text, lead):
    body = f"Tổng thu ngân sách đạt {lead}{text}."
    df = extract(body)
    assert len(df) == 1
    row = df.iloc[0]
    assert mention(df, body) == [text]
    assert row["value"] == parse_number(text)
    assert (row["indicator"], row["unit"], row["measure"]) == ("budget_revenue", "VND", "value")
    want = {"": "exact", "gần ": "approx", "hơn ": "more_than", "ước đạt ": "estimate"}[lead]
    assert row["qualifier"] == want


@SETTINGS
@given(st.integers(1, 9_999_999), st.sampled_from(["tấn", "lít", "chiếc", "xe"]),
       st.sampled_from([" ", "", "\u00a0"]))
def test_counts_keep_their_unit_word(n, unit, gap):
    number = format_number(n)
    body = f"Ra quân thu gom được {number}{gap}{unit} rác thải."
    df = extract(body)
    assert len(df) == 1
    row = df.iloc[0]
    assert row["value"] == n
    assert (row["indicator"], row["unit"]) == ("unclassified", unit)
    assert mention(df, body) == [f"{number}{gap}{unit}".replace("\u00a0", " ")]


@SETTINGS
@given(st.floats(0.01, 999.99).map(lambda x: round(x, 2)), st.sampled_from(["%", " %"]),
       st.sampled_from(["KH", "kế hoạch", "so với kế hoạch", "dự toán"]))
def test_percent_of_plan(x, sign, base):
    written = format_number(x)
    body = f"Thu ngân sách đạt {written}{sign} {base}."
    df = extract(body)
    assert len(df) == 1
    row = df.iloc[0]
    assert (row["indicator"], row["measure"], row["unit"]) == (
        "budget_revenue", "pct_of_plan", "percent")
    assert row["value"] == parse_number(written)


dates = st.dates(min_value=__import__("datetime").date(1990, 1, 1),
                 max_value=__import__("datetime").date(2035, 12, 31))


@SETTINGS
@given(dates, st.sampled_from(["ngày {d} tháng {m} năm {y}", "{d}/{m}/{y}", "{dd}/{mm}/{y}",
                               "ngày {dd}/{mm}", "({d}/{m})", "{d}/{m}/ {y}", "tháng {m}/{y}",
                               "{d}-{m}-{y}"]))
def test_dates_are_never_values(day, form):
    date = form.format(d=day.day, m=day.month, y=day.year, dd=f"{day.day:02d}",
                       mm=f"{day.month:02d}")
    assert extract(f"Hội nghị diễn ra {date} tại hội trường UBND xã.").empty


@SETTINGS
@given(st.integers(1900, 2100), st.integers(1900, 2100),
       st.sampled_from(["năm {a}", "giai đoạn {a}-{b}", "nhiệm kỳ {a} - {b}", "trước {a}",
                        "từ năm {a} đến năm {b}"]))
def test_years_are_never_values(a, b, form):
    assert extract(f"Thực hiện kế hoạch {form.format(a=a, b=b)} của tỉnh.").empty


@SETTINGS
@given(st.integers(1, 999), st.integers(1, 99), st.integers(1, 31), st.integers(1, 12),
       st.integers(2000, 2030),
       st.sampled_from(["Quyết định số {n}/QĐ-UBND ngày {d}/{m}/{y}", "Chỉ thị số {n}-CT/TW",
                        "Kế hoạch {n}/KH-UBND", "Nghị quyết {k}-NQ/ĐU", "Công văn số {n}",
                        "Số {n} -BC/ĐU", "kết luận {k} của Ban Thường vụ"]))
def test_document_numbers_are_never_values(n, k, d, m, y, form):
    assert extract(f"Thực hiện {form.format(n=n, k=k, d=d, m=m, y=y)}.").empty


@SETTINGS
@given(st.integers(1, 120), st.integers(1, 120))
def test_ages_and_anniversaries_are_never_values(a, b):
    body = (f"Tặng quà các cụ từ {a} tuổi, trẻ em từ {a}-{b} tuổi, kỷ niệm {b} năm Ngày "
            f"thành lập Đảng.")
    assert extract(body).empty


vietnamese = st.text(
    alphabet=st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạếềệọộờợủứừựỳ"
                                  "ABĐHKNQTUXĐ0123456789 .,;:/%-()[]\n\u00a0")),
    max_size=300,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vietnamese)
def test_any_text_gives_contract_rows(body):
    df = extract(body)
    text_lines = (HEAD + body).replace("\u00a0", " ").split("\n")
    for row in df.itertuples():
        line, cols = row.locator[1:].split(":")
        start, end = map(int, cols.split("-"))
        written = text_lines[int(line) - 1][start:end]
        assert written[:1].isdigit() or written[:1] in "-+−", (row.locator, written)
        assert math.isfinite(row.value)
        assert len(row.evidence) <= 300


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_fold_case_keeps_offsets(text):
    folded = fold_case(text)
    assert len(folded) == len(text)
    assert fold_case(folded) == folded
    assert fold_case("HÓA HOÁ thủy THUỶ quý") == "hoá hoá thuỷ thuỷ quý"
