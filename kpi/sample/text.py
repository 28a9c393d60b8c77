"""Numbers written the ways local reports write them, each recorded as planted truth.

A :class:`Fact` is one number as stated (value, measure, span, qualifier and the exact
text). :class:`Say` writes facts for one report: money in full digits ("4.884.100.000đ")
or in tỷ/triệu ("hơn 3,2 tỷ đồng", "1 tỷ 250 triệu đồng"), counts with their unit word
("03 đối tượng", "85mũi"), lengths in m or km, percentages. A rounded amount gets the
qualifier its rounding implies: stated above the exact value → "gần" (approx), below →
"hơn" (more_than). :class:`Page` assembles lines and remembers where each fact sits
(``L<line>:<start>-<end>``, 1-based line, 0-based character columns, end exclusive).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

from kpi.numbers.vietnamese import format_number

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
BILLION = 1_000_000_000
MILLION = 1_000_000


def digits(n: float, pad: int = 0) -> str:
    """An integer with Vietnamese thousands dots: 4884100000 → "4.884.100.000", 3 → "03"."""
    text = format_number(round(abs(n))).rjust(pad, "0")
    return ("-" if n < 0 else "") + text


def decimal(x: float, places: int) -> str:
    """At most ``places`` decimals after a comma, trailing zeros dropped: 3.20 → "3,2"."""
    return format_number(round(x, places))


@dataclass(frozen=True)
class Fact:
    """One planted number: what a correct reader of the text should get."""

    indicator: str
    value: float
    text: str
    measure: str = "value"
    span: str = "quarter"
    qualifier: str = "exact"
    unit: str = ""
    month: int | None = None
    as_of: str = ""
    period: str = ""  # set by Page when empty: the report's quarter
    note: str = ""


@dataclass
class Page:
    """Lines of one report and the facts placed in them."""

    lines: list[str] = field(default_factory=list)
    placed: list[tuple[str, Fact]] = field(default_factory=list)

    def add(self, *parts: str | Fact) -> None:
        text = ""
        for part in parts:
            if isinstance(part, Fact):
                start = len(text)
                text += part.text
                self.placed.append((f"L{len(self.lines) + 1}:{start}-{len(text)}", part))
            else:
                text += part
        self.lines.append(text)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


@dataclass
class Say:
    """Fact writers for one report: ``span`` is what unmarked numbers cover."""

    r: random.Random
    span: str
    space: str = " "  # a no-break space in some reports, as word processors leave them
    units: dict[str, str] = field(default_factory=dict)  # indicator → catalogue base unit

    def _fact(self, code: str, value: float, text: str, **kw: object) -> Fact:
        kw.setdefault("span", self.span)
        measure = kw.get("measure", "value")
        unit = self.units.get(code, "") if measure in ("value", "plan") else "percent"
        return Fact(code, float(value), text, unit=unit, **kw)  # type: ignore[arg-type]

    def count(self, code: str, n: float, word: str, *, pad: bool = False, glue: str | None = None,
              **kw: object) -> Fact:
        """ "21 quần chúng", "03 đối tượng" (pad), "85mũi" (glue="")."""
        gap = self.space if glue is None else glue
        text = digits(n, 2 if pad and n < 10 else 0)
        return self._fact(code, n, f"{text}{gap}{word}" if word else text, **kw)

    def money(self, code: str, exact: float, form: str | None = None, *,
              estimate: bool = False, **kw: object) -> tuple[str, Fact]:
        """A lead word ("gần ", "hơn " or "") and the amount as written.

        ``form``: full (digits + đ/đồng), ty (tỷ, 1–2 decimals), trieu (triệu),
        ty_trieu ("1 tỷ 250 triệu đồng"); chosen at random when ``None``.
        """
        form = form or self.r.choice(["full", "ty", "ty", "trieu", "ty_trieu"]
                                     if exact < 10 * BILLION else ["full", "ty", "ty"])
        if form == "trieu" and exact >= 10 * BILLION:
            form = "ty"
        if form == "ty_trieu" and not (exact >= BILLION and (exact // MILLION) % 1000):
            form = "ty"
        if form == "ty" and exact < BILLION:
            form = "trieu"
        sp = self.space
        if form == "full":
            stated = float(round(exact))
            text = digits(stated) + self.r.choice(["đ", f"{sp}đồng", f"{sp}đồng", f"{sp}đ"])
        elif form == "ty_trieu":
            stated = float(round(exact / MILLION) * MILLION)
            bil, mil = divmod(round(stated / MILLION), 1000)
            text = f"{bil}{sp}tỷ {mil}{sp}triệu đồng"
        elif form == "trieu":
            places = 0 if exact >= 100 * MILLION or exact % MILLION == 0 else 1
            stated = round(exact / MILLION, places) * MILLION
            text = f"{decimal(stated / MILLION, places)}{sp}triệu đồng"
        else:
            places = 1 if exact >= 10 * BILLION or self.r.random() < 0.6 else 2
            stated = round(exact / BILLION, places) * BILLION
            text = f"{decimal(stated / BILLION, places)}{sp}tỷ đồng"
        stated = float(round(stated))
        if estimate:
            return "", self._fact(code, stated, text, qualifier="estimate", **kw)
        if stated > exact + 0.5:
            return "gần ", self._fact(code, stated, text, qualifier="approx", **kw)
        if stated < exact - 0.5:
            return "hơn ", self._fact(code, stated, text, qualifier="more_than", **kw)
        return "", self._fact(code, stated, text, **kw)

    def pct(self, code: str, measure: str, x: float, places: int = 0, *,
            gap: str | None = None, **kw: object) -> Fact:
        """A percentage ("52%", "12,3 %"); the text shows |x| (the sign is in the words:
        tăng/giảm)."""
        stated = round(x, places)
        gap = self.r.choice(["", "", " "]) if gap is None else gap
        return self._fact(code, stated, f"{decimal(abs(stated), places)}{gap}%",
                          measure=measure, **kw)

    def length(self, code: str, metres: float, **kw: object) -> Fact:
        """ "1.250 m", "820 mét" or, for a long road or drain, "1,25 km"."""
        long_works = code in ("roads_built_m", "drains_built_m")
        if long_works and metres >= 1000 and metres % 10 == 0 and self.r.random() < 0.4:
            return self._fact(code, metres, f"{decimal(metres / 1000, 2)}{self.space}km", **kw)
        word = self.r.choice(["m", "m", "mét"])
        return self._fact(code, metres, f"{digits(metres)}{self.space}{word}", **kw)


def with_period(fact: Fact, period: str) -> Fact:
    return fact if fact.period else replace(fact, period=period)
