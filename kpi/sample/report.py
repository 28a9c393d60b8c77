"""Prose of the synthetic quarterly reports, in the genre of the seed report.

One function per section; each writes lines to the report's :class:`Page` and states the
area's numbers through :class:`Say`, which records them as facts. Numbers that are not
facts are distractors a reader must ignore: dates, document numbers (Chỉ thị số
05-CT/TW), TDP/thôn numbers, congress numbers (lần thứ XIII), ages, anniversaries.

Span convention: a number with no span words covers what the report covers (the quarter;
6 tháng đầu năm in a half-year report; the year in a year report). Numbers for another
span say so ("Riêng quý II", "Lũy kế 9 tháng", "Riêng trong tháng 9", "tính đến 20/9").
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, field

from kpi.sample.series import QUARTERS, Area, Series
from kpi.sample.text import ROMAN, Fact, Page, Say, digits

STOCKS = ("party_members", "covid_f0_cases", "livestock_head")
SEASON_PCT = ("crop_restructuring", "livestock_vaccination")
#: What a report of each style covers: the span of its unmarked numbers.
SPAN_OF_STYLE = {"quarter": "quarter", "half": "ytd", "year": "year"}
_CAN_CHI = {2021: "Tân Sửu", 2022: "Nhâm Dần", 2023: "Quý Mão"}
_WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")
_PEOPLE = ("Nguyễn Văn Hùng", "Trần Thị Thu Hà", "Lê Đình Thắng", "Phan Văn Hải",
           "Võ Thị Hương", "Hoàng Văn Sơn", "Đặng Quốc Bảo", "Bùi Thị Lan")
_MEN = ("Nguyễn Văn Tâm", "Trần Đình Lợi", "Lê Văn Bình", "Phạm Quang Vinh")

#: Deliberate data-quality problems (documented in the sample README).
DOSES_TYPO = ("cam-quang-commune", "2021Q4")  # stated total has two digits swapped
NFD_REPORT = ("cam-vinh-commune", "2021Q3")  # written in decomposed Unicode (NFD)


@dataclass
class Ctx:
    """Everything one report's sections need."""

    area: Area
    i: int
    style: str
    s: Series
    r: random.Random
    say: Say
    page: Page = field(default_factory=Page)
    date: dt.date = dt.date(2000, 1, 1)
    web: bool = False  # copied from the web portal: banner and visitor counter around it

    @property
    def period(self) -> str:
        return QUARTERS[self.i]

    @property
    def year(self) -> int:
        return int(self.period[:4])

    @property
    def q(self) -> int:
        return int(self.period[-1])

    @property
    def roman(self) -> str:
        return ROMAN[self.q]

    @property
    def span(self) -> str:
        return SPAN_OF_STYLE[self.style]

    def v(self, code: str, span: str | None = None) -> float:
        """The exact value of ``code`` over ``span`` (default: the report's)."""
        span = span or self.span
        if code in STOCKS or span in ("quarter", "to_date", "month"):
            return self.s.q(code, self.i)
        if code in SEASON_PCT:
            start = self.i - self.i % 4
            done = [x for x in self.s.values[code][start: self.i + 1] if x]
            return done[-1] if done else 0.0
        return self.s.ytd(code, self.i) if span == "ytd" else self.s.year(code, self.i)

    def when(self) -> str:
        """How the report names its own span: "trong quý III", "6 tháng đầu năm"."""
        return {"quarter": f"trong quý {self.roman}", "half": "6 tháng đầu năm",
                "year": f"trong năm {self.year}"}[self.style]

    def ind(self) -> str:
        return self.r.choice(["", "", " ", "  ", "          ", "             "])

    def home(self) -> str:
        """ "toàn thị" / "toàn xã"."""
        return f"toàn {self.area.short}"

    def village(self) -> str:
        n = self.r.randint(1, self.area.villages)
        return f"{self.area.village} {n}"

    def as_of(self, back: int) -> tuple[str, str]:
        """An earlier day of the report's month: ("20/9", "2022-09-20")."""
        day = self.date - dt.timedelta(days=back)
        return f"{day.day}/{day.month}", day.isoformat()


def report_date(i: int, r: random.Random, style: str) -> dt.date:
    """The day a report of quarter ``QUARTERS[i]`` was signed: late in its last month
    (mid-December for a year report)."""
    year, q = int(QUARTERS[i][:4]), int(QUARTERS[i][-1])
    day = r.randint(10, 20) if style == "year" else r.randint(18, 26)
    return dt.date(year, 3 * q, day)


def title(ctx: Ctx) -> str:
    """The report's title line: it names the span reported on, then the next one."""
    y, R = ctx.year, ctx.roman
    nxt = ROMAN[ctx.q % 4 + 1]
    nxt_year = y + 1 if ctx.q == 4 else y
    if ctx.area.issuer == "party":
        body = {"quarter": f"KẾT QUẢ THỰC HIỆN NHIỆM VỤ CHÍNH TRỊ QUÝ {R} NĂM {y} VÀ TRIỂN KHAI "
                           f"NHIỆM VỤ TRỌNG TÂM QUÝ {nxt} NĂM {nxt_year}",
                "half": f"SƠ KẾT CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO THỰC HIỆN NHIỆM VỤ CHÍNH TRỊ 6 THÁNG "
                        f"ĐẦU NĂM, PHƯƠNG HƯỚNG NHIỆM VỤ 6 THÁNG CUỐI NĂM {y}",
                "year": f"TỔNG KẾT CÔNG TÁC XÂY DỰNG ĐẢNG, LÃNH ĐẠO THỰC HIỆN NHIỆM VỤ CHÍNH TRỊ "
                        f"NĂM {y}, PHƯƠNG HƯỚNG NHIỆM VỤ NĂM {y + 1}"}[ctx.style]
        return body
    return {"quarter": f"Tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội, quốc phòng - an "
                       f"ninh quý {R} năm {y}; phương hướng, nhiệm vụ quý {nxt} năm {nxt_year}",
            "half": f"Tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội, quốc phòng - an "
                    f"ninh 6 tháng đầu năm; phương hướng, nhiệm vụ 6 tháng cuối năm {y}",
            "year": f"Tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội, quốc phòng - an "
                    f"ninh năm {y}; phương hướng, nhiệm vụ năm {y + 1}"}[ctx.style]


def doc_number(area: Area, i: int, r: random.Random) -> int:
    return area.doc_no + 9 * (i % 4) + r.randint(0, 4) + (3 if i >= 4 else 0)


def _web_banner(ctx: Ctx) -> None:
    posted = ctx.date + dt.timedelta(days=ctx.r.randint(1, 4))
    ctx.page.add(f"BÁO CÁO {title(ctx)}")
    ctx.page.add("")
    ctx.page.add(f"{_WEEKDAYS[posted.weekday()]} - {posted:%d/%m/%Y} "
                 f"{ctx.r.randint(7, 17):02d}:{ctx.r.randint(0, 59):02d} "
                 f"{ctx.r.randint(40, 400)} 0")


def header(ctx: Ctx, number: int, web: bool) -> None:
    a, p = ctx.area, ctx.page
    if web:
        _web_banner(ctx)
    date_line = f"{a.name}, ngày {ctx.date.day} tháng {ctx.date.month} năm {ctx.date.year}"
    if a.issuer == "party":
        p.add("  ĐẢNG BỘ HUYỆN CẨM XUYÊN")
        p.add(f"ĐẢNG UỶ {a.level.upper()} {a.name.upper()}")
        p.add("*")
        p.add(f"Số  {number} -BC/ĐU")
        p.add("  ")
        p.add("ĐẢNG CỘNG SẢN VIỆT NAM")
        p.add("")
        p.add(f"     {date_line}")
        p.add("                                                       BÁO CÁO")
        p.add(f" {title(ctx)}.")
    else:
        p.add("UBND HUYỆN CẨM XUYÊN")
        p.add(f"UBND {a.level.upper()} {a.name.upper()}")
        p.add(f"Số: {number}/BC-UBND")
        p.add("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        p.add("Độc lập - Tự do - Hạnh phúc")
        p.add(date_line)
        p.add("")
        p.add("BÁO CÁO")
        p.add(title(ctx))
    p.add("___________________________________")
    p.add("  ")


def intro(ctx: Ctx) -> None:
    p, y = ctx.page, ctx.year
    covid = {2021: "dịch Covid-19 diễn biến phức tạp, kéo dài",
             2022: "dịch Covid-19 cơ bản được kiểm soát, chuyển sang trạng thái bình thường mới"}[y]
    weather = {1: "rét đậm, rét hại đầu năm", 2: "nắng nóng gay gắt",
               3: "mưa lớn cục bộ, bão số 5", 4: "mưa lũ kéo dài tháng 10"}[ctx.q]
    lead = {"quarter": f"Trong quý {ctx.roman} năm {y}", "half": f"6 tháng đầu năm {y}",
            "year": f"Năm {y}"}[ctx.style]
    p.add(f"{lead}, trong bối cảnh chung có nhiều khó khăn, thách thức: {covid}; "
          f"thời tiết {weather} ảnh hưởng đến sản xuất và đời sống của Nhân dân.")
    p.add(f"{ctx.ind()}Nhưng được sự quan tâm lãnh đạo, chỉ đạo của Huyện ủy, UBND huyện, sự vào "
          "cuộc của cả hệ thống chính trị và sự đồng thuận của Nhân dân, "
          f"{ctx.area.full_name} đã đạt được nhiều kết quả quan trọng.")


def _anniversary(ctx: Ctx) -> str:
    y = ctx.year
    return {1: f"kỷ niệm {y - 1930} năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 - "
               f"03/02/{y}), mừng Xuân {_CAN_CHI[y]}",
            2: f"kỷ niệm {y - 1890} năm Ngày sinh Chủ tịch Hồ Chí Minh (19/5/1890 - 19/5/{y})",
            3: f"kỷ niệm {y - 1945} năm Cách mạng Tháng Tám thành công và Quốc khánh 2/9",
            4: f"kỷ niệm {y - 1930} năm Ngày truyền thống Mặt trận Tổ quốc Việt Nam "
               f"(18/11/1930 - 18/11/{y})"}[ctx.q]


def leadership(ctx: Ctx) -> None:
    p, say, v = ctx.page, ctx.say, ctx.v
    p.add("  A. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO")
    docs: list[str | Fact] = ["Ban Thường vụ Đảng ủy đã ban hành "]
    names = [("party_resolutions_issued", "Nghị quyết"), ("party_directives_issued", "Chỉ thị"),
             ("party_plans_issued", "Kế hoạch"), ("party_guidelines_issued", "Hướng dẫn")]
    first = True
    for code, word in names:
        if v(code):
            docs += ([] if first else ["; "]) + [say.count(code, v(code), word, pad=True)]
            first = False
    p.add(*docs, " và các văn bản về công tác lãnh đạo, chỉ đạo thực hiện nhiệm vụ chính trị")
    p.add(f"- Đẩy mạnh các phong trào thi đua yêu nước chào mừng {_anniversary(ctx)}; chăm lo "
          "đời sống Nhân dân; thực hiện tốt các chính sách an sinh xã hội.")
    if ctx.q == 1:
        p.add("- Chỉ đạo tổ chức Tết Nguyên đán lành mạnh, an toàn, tiết kiệm theo Chỉ thị số "
              f"11-CT/TW, ngày 08/12/{ctx.year - 1} của Ban Bí thư và Chỉ thị 19 - CT/HU ngày "
              f"04/01/ {ctx.year} của Ban Thường vụ Huyện ủy.")
    p.add("- Tập trung thực hiện các chủ trương, nghị quyết của Trung ương, của tỉnh, của huyện. "
          "Đẩy mạnh việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.")


def party_work(ctx: Ctx) -> None:
    p, say, v, a = ctx.page, ctx.say, ctx.v, ctx.area
    p.add("B. KẾT QUẢ ĐẠT ĐƯỢC")
    p.add("I. CÔNG TÁC XÂY DỰNG ĐẢNG VÀ CÁC TỔ CHỨC TRONG HỆ THỐNG CHÍNH TRỊ")
    p.add("1. Công tác chính trị, tư tưởng")
    p.add("- Tuyên truyền thực hiện các Nghị quyết Đại hội toàn quốc lần thứ XIII của Đảng, "
          "Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XIX, Nghị quyết đại hội Đảng bộ huyện lần thứ "
          f"XXXII, Nghị quyết đại hội Đảng bộ {a.full_name} nhiệm kỳ 2020-2025 gắn với Chỉ thị "
          "số 05-CT/TW của Bộ Chính trị.")
    p.add("2. Công tác tổ chức, cán bộ và đảng viên")
    line: list[str | Fact] = [f"{ctx.ind()}- Quan tâm công tác phát triển đảng viên. "]
    if v("party_candidates_introduced") and ctx.r.random() < 0.85:
        line += ["Giới thiệu ", say.count("party_candidates_introduced",
                                          v("party_candidates_introduced"), "quần chúng"),
                 ctx.r.choice([" tham gia học đối tượng đảng; ",
                               " tham gia lớp bồi dưỡng nhận thức về Đảng (cảm tình Đảng); "])]
    if v("party_new_members") and ctx.r.random() < 0.7:
        line += ["Kết nạp ", say.count("party_new_members", v("party_new_members"), "đảng viên",
                                       pad=True), " mới. "]
    line += [f"Đến nay {ctx.home()} có ",
             say.count("party_members", v("party_members"), "đảng viên", span="to_date"),
             f" sinh hoạt tại {ctx.r.randint(14, 26)} chi bộ."]
    p.add(*line)
    badge_day = {1: "3/2", 2: "19/5", 3: "2/9", 4: "7/11"}[ctx.q]
    if ctx.style == "quarter":
        p.add(f"- Trong quý {ctx.roman} năm {ctx.year} trao tặng Huy hiệu Đảng đợt {badge_day} "
              "cho ",
              say.count("party_badges_awarded", v("party_badges_awarded"), "đồng chí"), ".")
        if ctx.r.random() < 0.75:
            nxt = {1: "19/5", 2: "2/9", 3: "7/11", 4: "3/2"}[ctx.q]
            p.add("  Hoàn thiện hồ sơ đề nghị cho ",
                  say.count("party_badge_dossiers", v("party_badge_dossiers"), "đảng viên"),
                  f" tặng huy hiệu đảng đợt {nxt}, trong đó có ",
                  say.count("party_badge_early", v("party_badge_early"), "đảng viên", pad=True),
                  " đề nghị tặng HHĐ trước thời hạn theo quy định.")
    else:
        p.add(f"- {ctx.when().capitalize()} đã trao tặng Huy hiệu Đảng cho ",
              say.count("party_badges_awarded", v("party_badges_awarded"), "đồng chí"),
              " (từ 30 đến 75 năm tuổi Đảng).")
    p.add("3. Công tác kiểm tra, giám sát")
    p.add(f"- Ủy ban Kiểm tra Đảng ủy kiểm tra {ctx.r.randint(1, 3):02d} tổ chức đảng, giám sát "
          f"chuyên đề {ctx.r.randint(2, 5):02d} chi bộ theo Kế hoạch số "
          f"{ctx.r.randint(10, 40)}-KH/ĐU.")


def welfare_gifts(ctx: Ctx) -> None:
    """Tết and longevity gifts (Q1, or the half/year report restating them), loans."""
    p, say, v, a = ctx.page, ctx.say, ctx.v, ctx.area
    if v("tet_gifts"):
        lead, amount = say.money("tet_gifts_amount", v("tet_gifts_amount"),
                                 ctx.r.choice(["full", "full", "trieu"]))
        p.add(f"{ctx.ind()}- Ủy ban MTTQ phối hợp kết nối quà tết cho người nghèo, gia đình chính "
              f"sách, người có công trên địa bàn {ctx.home()}. Từ Trung ương, tỉnh, huyện, "
              f"{a.short} và các nhà hảo tâm, con em xa quê đã trao tặng ",
              say.count("tet_gifts", v("tet_gifts"), "suất"), ", với số tiền là: ", lead, amount)
    if v("longevity_gifts"):
        lead, amount = say.money("longevity_gifts_amount", v("longevity_gifts_amount"),
                                 ctx.r.choice(["full", "trieu"]))
        p.add(f"{ctx.ind()}- Ban công tác Mặt trận các {a.village} đến tận nhà trao quà mừng thọ "
              "cho ", say.count("longevity_gifts", v("longevity_gifts"), "cụ"),
              ", từ 70 tuổi đến hơn 100 tuổi, với số tiền ", lead, amount, ".")
    if v("development_loans_households") and ctx.r.random() < 0.85:
        group = ctx.r.choice(["Hội phụ nữ", "Hội Nông dân", "Hội Cựu chiến binh"])
        lead, amount = say.money("development_loans_amount", v("development_loans_amount"),
                                 ctx.r.choice(["full", "full", "trieu"]))
        p.add(f"{ctx.ind()}- {group} làm hồ sơ giải ngân nguồn vốn vay quỹ phát triển cho ",
              say.count("development_loans_households", v("development_loans_households"), "hộ"),
              " với số tiền ", lead, amount, ".")
    if ctx.r.random() < 0.5:
        p.add(f"{ctx.ind()}- Khởi công xây dựng 01 nhà Đại đoàn kết cho hộ ông "
              f"{ctx.r.choice(_MEN)} tại {ctx.village()} với kinh phí hỗ trợ 60 triệu đồng.")


def agriculture(ctx: Ctx) -> None:
    p, say, v, y = ctx.page, ctx.say, ctx.v, ctx.year
    p.add(" * Nông nghiệp")
    parts: list[str | Fact] = []
    if ctx.q == 1 or (ctx.style != "quarter" and v("crop_restructuring")):
        parts += ["Tập trung chỉ đạo đẩy mạnh chuyển đổi cơ cấu trong sản xuất vụ Đông xuân đạt ",
                  say.pct("crop_restructuring", "pct_of_plan", v("crop_restructuring"),
                          gap=""), "KH. "]
    rice = v("rice_area_ha")
    if rice:
        season = {1: "vụ Xuân", 2: "vụ Hè Thu"}.get(ctx.q, "cả năm")
        what = "lúa cả năm" if ctx.style != "quarter" else f"lúa {season}"
        parts += [f"Toàn {ctx.area.short} gieo cấy ", say.count("rice_area_ha", rice, "ha"),
                  f" {what}. "]
    if ctx.q in (2, 3):
        parts += [f"Năng suất lúa vụ {'Xuân' if ctx.q == 2 else 'Hè Thu'} ước đạt "
                  f"{ctx.r.randint(48, 62)} tạ/ha. "]
    vacc = v("livestock_vaccination")
    if vacc:
        round_no = 1 if ctx.q <= 2 else 2
        parts += [f"Tổ chức tiêm phòng gia súc, gia cầm đợt {round_no}/{y} đạt ",
                  say.pct("livestock_vaccination", "pct_of_plan", vacc), " so với kế hoạch. "]
    if ctx.q in (2, 4) and ctx.r.random() < 0.8:
        parts += ["Tổng đàn gia súc, gia cầm hiện có ",
                  say.count("livestock_head", v("livestock_head"), "con", span="to_date"),
                  ", ổn định và phát triển. "]
    parts += ["Công tác phòng chống dịch bệnh cho đàn gia súc, gia cầm thường xuyên được chú "
              "trọng."]
    p.add(*parts)


def urban_works(ctx: Ctx) -> None:
    p, say, v, a = ctx.page, ctx.say, ctx.v, ctx.area
    p.add("* Xây dựng đô thị văn minh" if a.kind == "town" else "* Xây dựng nông thôn mới")
    p.add(f"{ctx.ind()}- Kiện toàn ban chỉ đạo, duy trì nghiêm túc chế độ giao ban định kỳ hàng "
          "tuần, hàng tháng, quý.")
    green: list[str | Fact] = []
    if v("trees_planted") and ctx.r.random() < 0.92:
        green += [say.count("trees_planted", v("trees_planted"), "cây xanh")]
    if v("green_fence_m") and ctx.r.random() < 0.92:
        green += ([", "] if green else []) + [say.length("green_fence_m", v("green_fence_m")),
                                              " hàng rào xanh"]
    if green:
        p.add(f"{ctx.ind()}- Trồng mới  ", *green, "; xây dựng đề án quy định số nhà, lắp đặt "
              "các biển tên đường;")
    roads = v("roads_built_m")
    if roads and ctx.r.random() < 0.9:
        kind = ctx.r.choice(["đường giao thông", "đường bê tông", "đường nhựa cacbon"])
        line: list[str | Fact] = [f"{ctx.ind()}- Hoàn thành làm mới ",
                                  say.length("roads_built_m", roads), f" {kind}"]
        if v("drains_built_m"):
            line += [", ", say.length("drains_built_m", v("drains_built_m")),
                     " rãnh thoát nước"]
        p.add(*line, f" tại {ctx.village()}, {ctx.village()}.")
    elif not roads:
        p.add(f"{ctx.ind()}- Tiến hành khảo sát các tuyến đường các {a.village} đăng ký làm lề "
              f"đường, đường bê tông, rãnh thoát nước năm {ctx.year}.")
    invest = v("public_investment")
    if invest and ctx.r.random() < 0.6:
        lead, amount = say.money("public_investment", invest, ctx.r.choice(["ty", "trieu"]))
        p.add(f"{ctx.ind()}- Giải ngân vốn đầu tư xây dựng cơ bản đạt ", lead, amount, ".")
    p.add(f"{ctx.ind()}- Đẩy nhanh tiến độ xây dựng nhà văn hóa {a.village} "
          f"{ctx.r.randint(1, a.villages)}, {ctx.r.randint(1, a.villages)}; chỉ đạo xây dựng "
          f"{a.village} {ctx.r.randint(1, a.villages)} đạt khu dân cư kiểu mẫu.")


def industry(ctx: Ctx) -> None:
    if ctx.area.money < 0.3 or ctx.r.random() < 0.15:
        return
    p, say, v = ctx.page, ctx.say, ctx.v
    code = "industry_construction_output"
    growth = ctx.s.yoy(code, ctx.i, ctx.span)
    _, total = say.money(code, v(code), "ty", estimate=True)
    word = "tăng" if growth >= 0 else "giảm"
    p.add(" * Công nghiệp - xây dựng-TMDV:")
    p.add(" Tổng giá trị sản xuất TTCN, xây dựng ước đạt ", total, f", {word} ",
          say.pct(code, "pct_change_yoy", growth, 1, **_inherit(total)),
          " so với cùng kỳ, trong đó sản xuất tiểu "
          "thủ công nghiệp ước đạt ",
          say.money("handicraft_output", v("handicraft_output"), "ty", estimate=True)[1],
          ", xây dựng ước đạt ",
          say.money("construction_output", v("construction_output"), "ty", estimate=True)[1],
          ". Tiếp tục đẩy mạnh sản xuất cửa nhôm, nhựa, cửa sắt, làm bánh, dò chả.")


def _inherit(value: Fact) -> dict[str, str]:
    """A percentage said of an estimated value ("ước đạt X, đạt 52% dự toán") is an
    estimate too."""
    return {"qualifier": "estimate"} if value.qualifier == "estimate" else {}


def _plan_sentence(ctx: Ctx) -> list[str | Fact]:
    plan = ctx.s.plan[ctx.year]
    _, stated = ctx.say.money("budget_revenue", plan, "ty", measure="plan", span="year",
                              period=f"{ctx.year}Q4")
    return [f"Dự toán thu ngân sách năm {ctx.year} huyện giao ", stated, ". "]


def revenue(ctx: Ctx, force_plan: bool = False) -> None:
    p, say, r = ctx.page, ctx.say, ctx.r
    code = "budget_revenue"
    p.add("   * Công tác thu ngân sách trên địa bàn")
    lines: list[str | Fact] = ["Thu ngân sách được tập trung chỉ đạo quyết liệt với nhiều biện "
                               "pháp tích cực. "]
    if ctx.q == 1 or force_plan:
        lines += _plan_sentence(ctx)
    plan = ctx.s.plan[ctx.year]
    if ctx.style == "quarter":
        value = ctx.v(code)
        variant = r.randrange(3)
        if variant == 0:
            lead, f = say.money(code, value, "full")
            lines += [f"Tổng thu ngân sách trong quý {ctx.roman}  đạt ", lead, f]
        elif variant == 1:
            lead, f = say.money(code, value, "ty", estimate=True)
            lines += [f"Thu ngân sách nhà nước trên địa bàn quý {ctx.roman} ước đạt ", f]
        else:
            lead, f = say.money(code, value, "ty")
            lines += [f"Tổng thu ngân sách quý {ctx.roman} thu được ", lead, f]
        est = _inherit(f)
        if r.random() < 0.5:
            lines += [", đạt ", say.pct(code, "pct_of_plan", value / plan * 100, **est),
                      " dự toán năm"]
        if ctx.i >= 4 or r.random() < 0.7:
            growth = ctx.s.yoy(code, ctx.i)
            lines += [f", {'tăng' if growth >= 0 else 'giảm'} ",
                      say.pct(code, "pct_change_yoy", growth, 1, **est), " so với cùng kỳ"]
        lines += [". "]
        if ctx.q == 3 and r.random() < 0.7:
            ytd = ctx.v(code, "ytd")
            _, f = say.money(code, ytd, "ty", span="ytd", estimate=True)
            lines += ["Lũy kế 9 tháng đầu năm, tổng thu ngân sách ước đạt ", f, ", đạt ",
                      say.pct(code, "pct_of_plan", ytd / plan * 100, span="ytd", **_inherit(f)),
                      " dự toán. "]
        if ctx.q == 4:
            year = ctx.v(code, "year")
            _, f = say.money(code, year, "ty", span="year", estimate=True)
            lines += [f"Cả năm {ctx.year} thu ngân sách ước đạt ", f, ", đạt ",
                      say.pct(code, "pct_of_plan", year / plan * 100, span="year",
                              **_inherit(f)),
                      " dự toán. "]
    else:
        value = ctx.v(code)
        what = "6 tháng đầu năm" if ctx.style == "half" else f"năm {ctx.year}"
        _, f = say.money(code, value, "ty", estimate=True)
        lines += [f"Tổng thu ngân sách {what} ước đạt ", f, ", đạt ",
                  say.pct(code, "pct_of_plan", value / plan * 100, **_inherit(f)), " dự toán"]
        growth = ctx.s.yoy(code, ctx.i, ctx.span)
        if r.random() < 0.3:
            lines += [", bằng ", say.pct(code, "pct_of_prior_year", 100 + growth, **_inherit(f)),
                      " so với cùng kỳ. "]
        else:
            lines += [f", {'tăng' if growth >= 0 else 'giảm'} ",
                      say.pct(code, "pct_change_yoy", growth, 1, **_inherit(f)),
                      " so với cùng kỳ. " if ctx.style == "half"
                      else f" so với năm {ctx.year - 1}. "]
        if r.random() < 0.6:
            lead, f = say.money(code, ctx.v(code, "quarter"), "full", span="quarter")
            lines += [f"Riêng quý {ctx.roman} thu ngân sách đạt ", lead, f, ". "]
        if r.random() < 0.7:
            _, f = say.money("budget_expenditure", ctx.v("budget_expenditure"), "ty",
                             estimate=True)
            lines += [f"Tổng chi ngân sách {what} ước đạt ", f, ". "]
    p.add(*lines)
    if r.random() < 0.75:
        month = 3 * ctx.q
        p.add(f"Riêng trong tháng {month} thu được ",
              say.count("housing_tax_households", ctx.v("housing_tax_households", "month"),
                        "hộ", span="month", month=month),
              " thu thuế nhà ở tư nhân với tổng số tiền ",
              *_money_parts(say.money("housing_tax_revenue", ctx.v("housing_tax_revenue", "month"),
                                      "full", span="month", month=month)),
              ". Thực hiện tốt việc ủy thác vay vốn tại các ngân hàng, tạo thuận lợi cho nhân "
              "dân vay vốn phát triển sản xuất, kinh doanh.")


def _money_parts(pair: tuple[str, Fact]) -> tuple[str | Fact, ...]:
    lead, fact = pair
    return (lead, fact) if lead else (fact,)


def admin_and_land(ctx: Ctx) -> None:
    p, say, v = ctx.page, ctx.say, ctx.v
    p.add(f"* Cải cách hành chính: Tiếp nhận và giải quyết {digits(ctx.r.randint(600, 1900))} "
          f"hồ sơ thủ tục hành chính, tỷ lệ đúng hạn đạt 99,{ctx.r.randint(1, 9)}%. Nâng cao "
          "chất lượng dịch vụ công trực tuyến mức độ 3 và mức độ 4.")
    line: list[str | Fact] = ["* Tài nguyên môi trường: Tăng cường công tác quản lý đất đai. "]
    if v("land_certificate_dossiers") and ctx.r.random() < 0.85:
        line += ["Xây dựng ",
                 say.count("land_certificate_dossiers", v("land_certificate_dossiers"), "hồ sơ"),
                 " cấp Giấy CNQSD đất lần đầu, cấp đổi, đính chính Giấy CNQSD đất cho các hộ gia "
                 "đình"]
        if v("pre1980_land_dossiers") and ctx.r.random() < 0.8:
            line += [" và hoàn thiện ",
                     say.count("pre1980_land_dossiers", v("pre1980_land_dossiers"), "bộ hồ sơ"),
                     " công nhận đất trước 1980"]
        line += [". "]
    line += ["Hoàn thiện Quy hoạch sử dụng đất giai đoạn 2021-2030."]
    p.add(*line)


def social(ctx: Ctx) -> None:
    p, say, v, y = ctx.page, ctx.say, ctx.v, ctx.year
    if ctx.q == 3:
        p.add(f"Tổ chức khai giảng năm học {y}-{y + 1} an toàn; tỷ lệ học sinh lên lớp đạt "
              f"99,{ctx.r.randint(1, 8)}%.")
    amount = ctx.s.q("merit_allowance_amount", ctx.i)
    lead, f = ctx.say.money("merit_allowance_amount", amount, "ty", span="quarter")
    p.add(f" Giám sát chi trả tiền trợ cấp người có công quý {ctx.roman}/{y} với số tiền ", lead,
          f, "/", say.count("merit_beneficiaries", ctx.s.q("merit_beneficiaries", ctx.i),
                            "đối tượng", glue=" ", span="quarter"),
          f". Thường xuyên đối chiếu tăng giảm đối tượng người có công và đối tượng BTXH quý "
          f"{ctx.roman}/{y}.")
    proposals: list[str | Fact] = []
    if v("disability_benefit_proposals"):
        proposals += ["Đề nghị ", say.count("disability_benefit_proposals",
                                            v("disability_benefit_proposals"), "đối tượng",
                                            pad=True), " hưởng chế độ khuyết tật"]
    if v("age80_benefit_proposals"):
        proposals += [" và " if proposals else "Đề nghị ",
                      say.count("age80_benefit_proposals", v("age80_benefit_proposals"),
                                "đối tượng", pad=True), " hưởng chế độ 80 tuổi"]
    if proposals and ctx.r.random() < 0.85:
        p.add(*proposals, ".")
    if v("poor_household_certificates") and ctx.style == "quarter":
        p.add("Cấp ", say.count("poor_household_certificates", v("poor_household_certificates"),
                                "giấy xác nhận"),
              " cho hộ nghèo, cận nghèo làm hồ sơ miễn giảm học phí.")
    if v("war_invalid_gifts") and (ctx.q == 3 or ctx.style == "year"):
        lead, f = say.money("war_invalid_gifts_amount", v("war_invalid_gifts_amount"),
                            ctx.r.choice(["full", "trieu"]))
        p.add(f"Nhân kỷ niệm {y - 1947} năm ngày Thương binh liệt sỹ 27/7, tổ chức trao ",
              say.count("war_invalid_gifts", v("war_invalid_gifts"), "suất quà"),
              " cho thương binh, thân nhân liệt sỹ với số tiền ", lead, f, ".")
    if v("scholarships_proposed") and ctx.style == "quarter":
        p.add(f"Rà soát học sinh con hộ nghèo, hộ cận nghèo sinh từ năm {y - 10}-{y - 8} đề nghị ",
              say.count("scholarships_proposed", v("scholarships_proposed"), "em", pad=True),
              " cấp học bổng.")


def health(ctx: Ctx, heading: str) -> None:
    p, say, v = ctx.page, ctx.say, ctx.v
    p.add(heading)
    line: list[str | Fact] = [f"{ctx.ind()}Thường xuyên giám sát, hướng dẫn công dân cách ly "
                              "tại nhà, nắm bắt tình hình dịch bệnh trên địa bàn"]
    if v("health_declarations"):
        line += ["; Cập nhật người khai báo y tế hàng ngày: Tổng số khai báo y tế: ",
                 say.count("health_declarations", v("health_declarations"), "người")]
    f0 = v("covid_f0_cases")
    if f0:
        text, iso = ctx.as_of(ctx.r.randint(1, 3))
        line += [f", số F0 điều trị tại nhà và chuyển viện tính đến {text} có ",
                 say.count("covid_f0_cases", f0, "người", span="to_date", as_of=iso)]
    elif ctx.i < 2:
        line += [f"; {ctx.home()} chưa ghi nhận ca mắc Covid-19 trong cộng đồng"]
    p.add(*line, ".")
    if ctx.i == 2:
        p.add(f"{ctx.ind()}- Tiếp nhận {ctx.r.randint(150, 480)} công dân từ TP Hồ Chí Minh và "
              "các tỉnh phía Nam về quê, tổ chức cách ly theo quy định.")
    if ctx.r.random() < 0.85:
        p.add(f"{ctx.ind()}- Tổng số bệnh nhân đến khám và điều trị: ",
              say.count("patients_examined", v("patients_examined"), "bệnh nhân"),
              " trong đó điều trị ngoại trú ", say.count("outpatients", v("outpatients"), ""),
              ", chuyển viện ", say.count("patients_referred", v("patients_referred"),
                                          "bệnh nhân"), ".")
    kids: list[str | Fact] = []
    if v("child_full_immunisation") and ctx.r.random() < 0.8:
        kids += ["Tổ chức tiêm chủng đầy đủ 8 loại vắc xin cho ",
                 say.count("child_full_immunisation", v("child_full_immunisation"), "trẻ em")]
    if v("measles_rubella_polio_vaccination") and ctx.style == "quarter":
        kids += [", tiêm vắc xin Sởi Rubella, uống bại liệt cho " if kids else
                 "Tiêm vắc xin Sởi Rubella, uống bại liệt cho ",
                 say.count("measles_rubella_polio_vaccination",
                           v("measles_rubella_polio_vaccination"), "người")]
    if kids:
        p.add(f"{ctx.ind()}- ", *kids, ".")
    covid_doses(ctx)


def _swap_digits(n: int) -> int:
    """The number with its last two differing digits swapped (a typing slip)."""
    text = list(str(n))
    for k in range(len(text) - 1, 0, -1):
        if text[k] != text[k - 1]:
            text[k], text[k - 1] = text[k - 1], text[k]
            return int("".join(text))
    return n + 9


def covid_doses(ctx: Ctx) -> None:
    p, say, v, a = ctx.page, ctx.say, ctx.v, ctx.area
    parts = [(k, v(f"covid_doses_{k}")) for k in (1, 2, 3)]
    given = [(k, n) for k, n in parts if n]
    if not given:
        p.add(f"{ctx.ind()}- Chuẩn bị các điều kiện triển khai tiêm vắc xin phòng Covid-19 theo "
              "kế hoạch của huyện.")
        return
    word = ctx.r.choice(["mũi", "mũi", "liều"])
    glue = ctx.r.choice([" ", " ", ""])
    total = v("covid_doses_total")
    note = ""
    if (a.slug, ctx.period) == DOSES_TYPO:
        total, note = _swap_digits(int(total)), "dq: total ≠ dose 1 + dose 2 + dose 3 (typo)"
    where = f"UBND {a.full_name}" if ctx.r.random() < 0.5 else f"Trạm Y tế {a.short}"
    if len(given) == 1:
        k, n = given[0]
        p.add(f"{ctx.ind()}- Triển khai tiêm vắc xin Covid-19 cho lực lượng tuyến đầu, tiêm mũi "
              f"{k}: ", say.count(f"covid_doses_{k}", n, word, glue=glue), ".")
        return
    line: list[str | Fact] = [f"{ctx.ind()}- Triển khai công tác tiêm phòng vắc xin Covid-19 "
                              f"tại {where} với tổng số mũi tiêm: "]
    if ctx.style != "quarter":
        line[0] = f"{ctx.ind()}- {ctx.when().capitalize()} tổ chức tiêm vắc xin Covid-19 với "
        line.append("tổng số mũi tiêm: ")
    line += [say.count("covid_doses_total", total, word, note=note), " trong đó tiêm "]
    for n_part, (k, n) in enumerate(given):
        line += [(", " if n_part else "") + f"mũi {k}: ",
                 say.count(f"covid_doses_{k}", n, word, glue=glue)]
    line += [". Hằng ngày theo dõi các trường hợp ho sốt báo cáo tuyến trên."]
    p.add(*line)
    if ctx.i >= 3 and ctx.r.random() < 0.45:
        text, iso = ctx.as_of(ctx.r.randint(1, 4))
        cumulative = sum(ctx.s.values["covid_doses_total"][: ctx.i + 1])
        p.add(f"{ctx.ind()}  Tính đến ngày {text}/{ctx.year}, tổng số mũi tiêm vắc xin phòng "
              f"Covid-19 {ctx.home()} đã thực hiện là ",
              say.count("covid_doses_total", cumulative, "mũi", span="to_date", as_of=iso), ".")


def defence(ctx: Ctx) -> None:
    p = ctx.page
    p.add(f"{ctx.ind()}4. Quốc phòng - an ninh")
    extra = ""
    if ctx.q == 1:
        extra = (f" Tổ chức tốt lễ giao nhận quân, {ctx.r.randint(8, 24)} thanh niên lên đường "
                 f"nhập ngũ năm {ctx.year}, đạt 100% chỉ tiêu.")
    elif ctx.q == 3:
        extra = (f" Huấn luyện lực lượng dân quân năm {ctx.year} cho {ctx.r.randint(30, 70)} "
                 "chiến sỹ, đạt yêu cầu.")
    p.add(f"{ctx.ind()}Tập trung tuần tra, truy quét tội phạm, các tệ nạn, không để xẩy ra vụ "
          "việc phức tạp. Duy trì giao ban hàng tháng theo định kỳ, phân công cán bộ trực "
          f"chiến.{extra} Nhìn chung, an ninh trật tự được đảm bảo.")


def shortcomings(ctx: Ctx) -> None:
    p = ctx.page
    p.add(f"{ctx.ind()}III. MỘT SỐ KHÓ KHĂN, HẠN CHẾ")
    p.add(f"{ctx.ind()}- Công tác quản lý nhà nước trên một số lĩnh vực còn hạn chế, nhất là "
          "lĩnh vực đất đai, tài nguyên; tiến độ một số công trình triển khai còn chậm.")
    p.add(f"{ctx.ind()}- Việc nắm bắt và phản ánh tình hình tư tưởng ở một số chi bộ chưa kịp "
          "thời.")


def tasks(ctx: Ctx) -> None:
    p, y = ctx.page, ctx.year
    nxt = {"quarter": f"QUÝ {ROMAN[ctx.q % 4 + 1]} NĂM {y + 1 if ctx.q == 4 else y}",
           "half": f"6 THÁNG CUỐI NĂM {y}", "year": f"NĂM {y + 1}"}[ctx.style]
    p.add(f"{ctx.ind()}C. NHIỆM VỤ, GIẢI PHÁP {nxt}")
    p.add(f"{ctx.ind()}- Tiếp tục thực hiện Chỉ thị số 05-CT/TW, Kết luận 01-KL/TW, ngày 18/5/2021 "
          "của Bộ Chính trị; Nghị quyết Trung ương 4 khóa XI, khóa XII.")
    if ctx.r.random() < 0.5:
        p.add(f"{ctx.ind()}- Tổ chức tốt điều hành và thu ngân sách, phấn đấu hoàn thành 100% dự "
              "toán năm; đẩy nhanh tiến độ các công trình kế hoạch vốn đầu tư.")
    if y == 2022 and ctx.q <= 2:
        p.add(f"{ctx.ind()}- Triển khai đúng tiến độ tiêm chủng vắc xin Covid-19 cho trẻ em từ "
              "5-12 tuổi theo kế hoạch của huyện.")
    p.add(f"{ctx.ind()}- Tập trung đẩy mạnh xây dựng chỉnh trang {ctx.area.village} "
          f"{ctx.r.randint(1, ctx.area.villages)} và {ctx.area.village} "
          f"{ctx.r.randint(1, ctx.area.villages)} đạt chuẩn kiểu mẫu.")
    what = {"quarter": f"quý {ctx.roman}", "half": "6 tháng đầu năm", "year": f"năm {y}"}
    p.add(f"{ctx.ind()}Trên đây là báo cáo kết quả thực hiện nhiệm vụ {what[ctx.style]}./.")


def signature(ctx: Ctx, web: bool) -> None:
    p = ctx.page
    p.add("Nơi nhận:")
    if ctx.area.issuer == "party":
        p.add("- Huyện uỷ (b/c);")
        p.add("- BCH. Đảng uỷ;")
        p.add("- Lưu: VPĐU")
        p.add("T/M BAN THƯỜNG VỤ")
        p.add(ctx.r.choice(["BÍ THƯ", "PHÓ BÍ THƯ"]))
    else:
        p.add("- UBND huyện (b/c);")
        p.add(f"- TT Đảng ủy, HĐND {ctx.area.short};")
        p.add("- Lưu: VT.")
        p.add("TM. ỦY BAN NHÂN DÂN")
        p.add(ctx.r.choice(["CHỦ TỊCH", "KT. CHỦ TỊCH - PHÓ CHỦ TỊCH"]))
    p.add("")
    p.add(ctx.r.choice(_PEOPLE))
    if web:
        p.add("")
        p.add("Tổng số điểm của bài viết là: 0 trong 0 đánh giá")
        p.add("Thống kê truy cập")
        p.add(f"  • Đang truy cập{ctx.r.randint(1, 9)}")
        p.add(f"  • Hôm nay{ctx.r.randint(80, 400)}")
        p.add(f"  • Tổng lượt truy cập{ctx.r.randint(100, 250)},{ctx.r.randint(100, 999)}")


def write_report(ctx: Ctx, number: int) -> str:
    """Fill ``ctx.page`` with the whole report; return the text as written to disk."""
    web = ctx.web = ctx.area.issuer == "party" and ctx.r.random() < 0.5
    header(ctx, number, web)
    intro(ctx)
    force_plan = ctx.area.kind == "town" and ctx.period == "2022Q2"
    if ctx.area.issuer == "party":
        leadership(ctx)
        party_work(ctx)
        ctx.page.add(" 4. Công tác dân vận, hoạt động của Mặt trận Tổ quốc và các tổ chức chính "
                     "trị - xã hội")
        welfare_gifts(ctx)
        ctx.page.add(" II. KINH TẾ - XÃ HỘI, QUỐC PHÒNG - AN NINH")
        ctx.page.add("1. Lĩnh vực kinh tế")
        agriculture(ctx)
        urban_works(ctx)
        industry(ctx)
        revenue(ctx, force_plan)
        admin_and_land(ctx)
        ctx.page.add("2. Văn hoá - xã hội")
        social(ctx)
        health(ctx, "3. Công tác chỉ đạo phòng chống dịch Covid-19")
    else:
        ctx.page.add("A. KẾT QUẢ THỰC HIỆN NHIỆM VỤ")
        ctx.page.add("I. LĨNH VỰC KINH TẾ")
        agriculture(ctx)
        industry(ctx)
        urban_works(ctx)
        revenue(ctx, force_plan)
        admin_and_land(ctx)
        ctx.page.add("II. LĨNH VỰC VĂN HÓA - XÃ HỘI")
        ctx.page.add("1. Chính sách xã hội")
        social(ctx)
        welfare_gifts(ctx)
        health(ctx, "2. Y tế, phòng chống dịch Covid-19")
    defence(ctx)
    shortcomings(ctx)
    tasks(ctx)
    signature(ctx, web)
    text = ctx.page.text()
    if (ctx.area.slug, ctx.period) == NFD_REPORT:
        text = unicodedata.normalize("NFD", text)
    return text
