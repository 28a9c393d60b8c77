"""The README written into the sample folder: what is synthetic, how it was made, what to find.

Deterministic like the rest of the sample (no dates of generation, no machine paths).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from kpi.sample.report import DOSES_TYPO, NFD_REPORT
from kpi.sample.series import (
    ANCHOR,
    AREA_BY_SLUG,
    PROFILES,
    SEED_AREA,
    SEED_PERIOD,
    TOWN_PLAN,
)
from kpi.sample.text import BILLION, decimal, digits

if TYPE_CHECKING:
    from kpi.sample.dataset import SampleSet

_ANCHORS = """\
| indicator | the seed states (town, 2022Q1) |
|---|---|
| budget_revenue | đạt gần 4.884.100.000đ |
| covid_doses_1 / 2 / 3 (total) | 85 / 170 / 3.918 mũi (4.173) |
| tet_gifts, tet_gifts_amount | 1.327 suất, 458.000.000đ |
| longevity_gifts, longevity_gifts_amount | 296 cụ, 97.200.000đ |
| development_loans_households, _amount | 12 hộ, 499.640.000 đồng |
| merit_allowance_amount / merit_beneficiaries | hơn 3,2 tỷ đồng / 665 đối tượng |
| trees_planted, green_fence_m | 25 cây xanh, 600 m hàng rào xanh |
| land_certificate_dossiers, pre1980_land_dossiers | 27 hồ sơ, 19 bộ hồ sơ |
| industry_construction_output | ước đạt 45 tỷ đồng, giảm 1,2 % so với cùng kỳ (2021Q1: 45,55 tỷ) |
| handicraft_output | 30 tỷ đồng |
| party_members | 1.124 đảng viên |
| covid_f0_cases | 1.877 người (tính đến 23/3) |
| patients_examined = outpatients + patients_referred | 352 = 340 + 12 |
| livestock_vaccination | đạt 60% so với kế hoạch |
| health_declarations | 5.412 người |
"""


def readme(seed: int, quarters: list[str], areas: list[str], sample: SampleSet) -> str:
    """The sample folder's README.md for this run."""
    facts = [t for t in sample.truth if str(t["source"]).startswith("reports/")]
    cells = len(sample.truth) - len(facts)
    styles = Counter(r["style"] for r in sample.reports)
    rev = PROFILES["budget_revenue"].town
    half = rev[ANCHOR] + rev[ANCHOR + 1]
    lines = [
        "# Sample data set (synthetic)",
        "",
        "**Everything in this folder is synthetic.** It imitates the quarterly reports and "
        "indicator tables of the town of Cẩm Xuyên and five communes of Cẩm Xuyên district "
        "(Hà Tĩnh). Only the numbers listed under *Anchored on the real seed* come from a real "
        "document: the town's 2022Q1 report `data/raw/reports/cam-xuyen-town_2022Q1_52-BC-DU.txt`, "
        "which is not part of this folder. No file here is a real report.",
        "",
        "## How it was made",
        "",
        "```",
        f"kpi sample --out data/raw/sample --seed {seed}",
        "```",
        "",
        f"Seed: **{seed}**. The same seed gives byte-identical files (no timestamps inside). "
        "The generator is `kpi/sample/dataset.py` (series in `kpi/sample/series.py`, prose in "
        "`kpi/sample/report.py`, number wording in `kpi/sample/text.py`). The hidden marker "
        "`.kpi-sample` lists the files it wrote; `kpi sample` refuses a folder holding anything "
        "else, and ingest marks everything under it `synthetic`.",
        "",
        f"Quarters: {quarters[0]}..{quarters[-1]} ({len(quarters)}). Areas:",
        "",
        "| area | name | reports issued by | reports |",
        "|---|---|---|---|",
    ]
    per_area = Counter(r["area"] for r in sample.reports)
    for slug in areas:
        a = AREA_BY_SLUG[slug]
        issuer = "Đảng uỷ (NN-BC/ĐU)" if a.issuer == "party" else "UBND (NN/BC-UBND)"
        lines.append(f"| `{slug}` | {a.full_name} | {issuer} | {per_area[slug]} |")
    lines += [
        "",
        f"The town's {SEED_PERIOD} report is the real seed; no sample report is written for "
        f"`{SEED_AREA}` {SEED_PERIOD}, and the town's cells for that quarter are left blank "
        "in the tables.",
        "",
        "## Files",
        "",
        f"- `reports/<area>_<quarter>_<number>-BC-DU.txt` / `-BC-UBND.txt`: {len(sample.reports)} "
        f"report texts, UTF-8: {styles['quarter']} quarter reports (QUÝ I..IV), "
        f"{styles['half']} half-year reports (6 THÁNG ĐẦU NĂM, Q2) and {styles['year']} year "
        "reports (NĂM, Q4).",
        "- `tables/<area>_chi-tieu-chu-yeu.csv`: one wide table per area (UTF-8 with BOM, as "
        "Excel saves it): column `Chỉ tiêu`, unit column `Đơn vị tính` (đồng, triệu đồng, m; "
        "blank for trees), then `Quý I/2021` .. `Quý IV/2022`; numbers as Vietnamese text "
        "(`4.884.100.000`): budget revenue, public investment, roads, drains, trees, hedges. "
        "Beside each, `<stem>.mapping.yaml` names the area and maps row labels to indicator "
        "codes.",
        "- `tables/cam-xuyen-district_tiem-vac-xin-covid.csv`: COVID-19 doses given per area "
        "and quarter (rows `Thị trấn Cẩm Xuyên`, `Xã Cẩm Bình` ..., then a `Cộng` total row); "
        "`-` = not applicable (before the campaign). Its mapping gives each row its area and "
        "skips the total.",
        f"- `truth.csv`: every planted number, {len(facts)} in the reports and {cells} table "
        "cells: `source` (path in this folder), `locator`, `area`, `period`, `span`, `month`, "
        "`as_of`, `indicator`, `measure`, `value` (base unit: VND, dose, m, %), `unit`, "
        "`qualifier`, `text` (as written), `note`. A report locator `L12:40-55` is the "
        "1-based line and the 0-based character columns [start, end) of the number and its "
        "unit, counted on the NFC text. Table locators are `row 6, column \"Quý I/2021\"` "
        "(CSV records counted from 1, the header is row 1). Numbers in the reports that are "
        "not in `truth.csv` are distractors.",
        "",
        "## Anchored on the real seed",
        "",
        "The town's series passes exactly through the seed's 2022Q1 values; the other quarters "
        "continue them with the seasons such reports show (revenue peaks in Q4; vaccination "
        "waves 2021Q3–2022Q1, then falling; Tết gifts and longevity gifts in Q1; gifts to war "
        "invalids for 27/7 in Q3; roads and drains built in the dry quarters Q2–Q3). Budget "
        f"revenue 2022Q2 year-to-date is {digits(rev[ANCHOR])} + {digits(rev[ANCHOR + 1])} đ "
        f"(≈ {decimal(half / BILLION, 1)} tỷ, {decimal(half / TOWN_PLAN[2022] * 100, 0)} % of "
        f"the {decimal(TOWN_PLAN[2022] / BILLION, 1)} tỷ plan for 2022).",
        "",
        _ANCHORS,
        "The seed's own parts disagree (TTCN 30 tỷ + xây dựng 50 tỷ ≠ 45 tỷ); the sample "
        "follows the total and the handicraft figure.",
        "",
        "## Invented",
        "",
        "Everything else: the communes' sizes and series (the town's series scaled per commune "
        "with seeded noise; the town's own series does not depend on the seed), the other "
        f"quarters, the budget plans (dự toán: town {decimal(TOWN_PLAN[2021] / BILLION, 1)} tỷ "
        f"for 2021 and {decimal(TOWN_PLAN[2022] / BILLION, 1)} tỷ for 2022; communes a little "
        "under their totals), growth rates against 2020, document numbers, "
        "dates, names of people, villages, and every distractor.",
        "",
        "## Reading conventions the texts follow",
        "",
        "- A number with no span words covers what the report covers: the quarter; "
        "`6 tháng đầu năm` (span `ytd`) in a half-year report; the year (`year`) in a year "
        "report. Numbers for another span say so: `Riêng quý II ...` (quarter), `Lũy kế 9 "
        "tháng đầu năm` (ytd), `Riêng trong tháng 9` (month), `tính đến 20/9` (to_date, with "
        "`as_of`), `Đến nay`/`hiện có` for stocks (to_date, no date).",
        "- The year's plan (`Dự toán thu ngân sách năm 2022 huyện giao 19 tỷ đồng`, measure "
        "`plan`, span `year`) belongs to the year's last quarter (`2022Q4`), whichever report "
        "states it (Q1 reports; the town's 2022Q2 report).",
        "- `đạt 52% dự toán` is `pct_of_plan`; `tăng/giảm 12,3% so với cùng kỳ` is "
        "`pct_change_yoy` (negative for giảm); `bằng 105% so với cùng kỳ` is "
        "`pct_of_prior_year`; `đạt 60% so với kế hoạch` and `đạt 100%KH` (crop restructuring, "
        "livestock vaccination) are `pct_of_plan`.",
        "- Qualifiers: `ước đạt` → estimate, and so is a percentage said of an estimated "
        "value (`ước đạt 9,8 tỷ đồng, đạt 52% dự toán`); a rounded amount is `gần` (approx) "
        "when rounded up and `hơn` (more_than) when rounded down; otherwise exact.",
        "- Distractors include targets (`phấn đấu hoàn thành 100% dự toán năm` in the tasks "
        "section), ages (`từ 70 tuổi đến hơn 100 tuổi`, `5-12 tuổi`), anniversaries "
        "(`kỷ niệm 92 năm`), badge years (`từ 30 đến 75 năm tuổi Đảng`), dates (`27/7`, "
        "`đợt 1/2022`), document numbers (`Chỉ thị số 05-CT/TW`, `Số 65 -BC/ĐU`), congress "
        "numbers (`lần thứ XIII`), village numbers (`TDP 8`, `thôn 3`), counts the catalogue "
        "has no indicator for (`kiểm tra 02 tổ chức đảng`, `1.268 hồ sơ thủ tục hành chính`, "
        "`15 thanh niên lên đường nhập ngũ`, `kinh phí hỗ trợ 60 triệu đồng`) and the web "
        "page's visitor counter.",
        "",
        "## Planted data-quality problems",
        "",
        f"1. `{DOSES_TYPO[0]}` {DOSES_TYPO[1]}: the report's total doses has two digits "
        "swapped, so total ≠ mũi 1 + mũi 2 + mũi 3 (rule `covid_doses_sum`). The "
        "district table has the right quarterly totals.",
        "2. `cam-thach-commune` 2021Q3: the table's budget revenue cell is ten times the true "
        "value (a typing slip); the report states the right amount. Report and table disagree.",
        "",
        "Both are flagged in `truth.csv` (`note` starts with `dq:`).",
        "",
        "## Format quirks (as real files have them)",
        "",
    ]
    quirky = [r for r in sample.reports if r["quirks"]]
    lines += [f"- `{r['name']}`: {r['quirks']}" for r in quirky]
    if (NFD_REPORT[0] in areas) and NFD_REPORT[1] in quarters:
        lines.append("")
        lines.append(f"The NFD report ({NFD_REPORT[0]} {NFD_REPORT[1]}) has decomposed "
                     "diacritics: readers must normalise to NFC first.")
    lines += [
        "",
        "`web page`: copied from the commune's web portal, with the page banner and the "
        "visitor counter (`Tổng lượt truy cập187,200`) around the report, like the seed.",
        "",
    ]
    return "\n".join(lines)
