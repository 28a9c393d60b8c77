"""The indicator catalogue: data, not code.

The package ships YAML files in ``kpi/core/indicators/``; users may add their own with
:func:`load_catalog` (``extra=[path]``) or the ``KPI_CATALOG`` environment variable
(``os.pathsep``-separated paths). The loader validates every entry and names the bad one.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final, Literal

import yaml

from kpi.core.domains import DOMAINS
from kpi.errors import CatalogError
from kpi.util import process_memo

AGGREGATIONS: Final = ("flow", "stock", "rate")
DIRECTIONS: Final = ("up", "down", "neutral")
RULE_KINDS: Final = ("sum", "parts_le_total")
UNCLASSIFIED: Final = "unclassified"

Aggregation = Literal["flow", "stock", "rate"]


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry; see ``kpi/core/indicators/local.yaml`` for field meanings."""

    code: str
    domain: str
    name_vi: str
    name_en: str
    unit: str
    aggregation: Aggregation
    good: str
    cues: tuple[str, ...] = ()
    unit_words: tuple[str, ...] = ()
    parts: dict[str, str] = field(default_factory=dict)
    origin: str = ""

    @property
    def is_money(self) -> bool:
        return self.unit == "VND"

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" else self.name_vi


@dataclass(frozen=True)
class Rule:
    """A consistency rule between indicators of one area, period and span."""

    id: str
    kind: str
    total: str
    parts: tuple[str, ...]
    tolerance: float = 0.005
    description_vi: str = ""
    description_en: str = ""


@dataclass(frozen=True)
class Catalog:
    """All indicators and rules, looked up by code."""

    indicators: dict[str, Indicator]
    rules: tuple[Rule, ...]

    def __getitem__(self, code: str) -> Indicator:
        try:
            return self.indicators[code]
        except KeyError:
            raise CatalogError("unknown indicator code", text=code) from None

    def __contains__(self, code: object) -> bool:
        return code in self.indicators

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators.values())

    def __len__(self) -> int:
        return len(self.indicators)

    def in_domain(self, domain: str) -> list[Indicator]:
        return [i for i in self if i.domain == domain]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _strings(value: object, entry: str, key: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CatalogError(f"entry {entry!r}: {key!r} must be a list of non-empty strings",
                           text=repr(value), where=where)
    return tuple(_nfc(v).lower() for v in value)


_REQUIRED: Final = ("code", "domain", "name_vi", "name_en", "unit", "aggregation", "good")
_KNOWN: Final = {*_REQUIRED, "cues", "unit_words", "parts"}


def _indicator(raw: object, where: str, index: int) -> Indicator:
    if not isinstance(raw, dict):
        raise CatalogError(f"indicator #{index} is not a mapping", text=repr(raw), where=where)
    name = str(raw.get("code", f"#{index}"))
    missing = [k for k in _REQUIRED if not isinstance(raw.get(k), str) or not raw[k].strip()]
    if missing:
        raise CatalogError(f"entry {name!r} lacks {missing}", where=where)
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:
        raise CatalogError(f"entry {name!r} has unknown fields {unknown}", where=where)
    code = raw["code"]
    if not code.replace("_", "").isalnum() or not code.isascii() or code != code.lower():
        raise CatalogError(f"entry {name!r}: code must be lowercase snake_case ASCII",
                           text=code, where=where)
    for key, allowed in (("domain", DOMAINS), ("aggregation", AGGREGATIONS), ("good", DIRECTIONS)):
        if raw[key] not in allowed:
            raise CatalogError(f"entry {name!r}: {key} must be one of {allowed}",
                               text=raw[key], where=where)
    parts = raw.get("parts") or {}
    if raw["aggregation"] == "rate" and set(parts) != {"numerator", "denominator"}:
        raise CatalogError(f"entry {name!r}: a rate needs parts {{numerator, denominator}}",
                           text=repr(parts), where=where)
    return Indicator(
        code=code,
        domain=raw["domain"],
        name_vi=_nfc(raw["name_vi"]),
        name_en=raw["name_en"],
        unit=raw["unit"],
        aggregation=raw["aggregation"],
        good=raw["good"],
        cues=_strings(raw.get("cues"), name, "cues", where),
        unit_words=_strings(raw.get("unit_words"), name, "unit_words", where),
        parts=dict(parts),
        origin=where,
    )


def _rule(raw: object, where: str, index: int) -> Rule:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise CatalogError(f"rule #{index} needs an 'id'", text=repr(raw), where=where)
    rid = raw["id"]
    if raw.get("kind") not in RULE_KINDS:
        raise CatalogError(f"rule {rid!r}: kind must be one of {RULE_KINDS}",
                           text=repr(raw.get("kind")), where=where)
    parts = raw.get("parts")
    if not isinstance(raw.get("total"), str) or not isinstance(parts, list) or not parts:
        raise CatalogError(f"rule {rid!r} needs 'total' and a non-empty list 'parts'", where=where)
    return Rule(
        id=rid,
        kind=raw["kind"],
        total=raw["total"],
        parts=tuple(parts),
        tolerance=float(raw.get("tolerance", 0.005)),
        description_vi=_nfc(str(raw.get("description_vi", ""))),
        description_en=str(raw.get("description_en", "")),
    )


#: libyaml's parser when PyYAML was built with it (about 10x faster than the pure-Python
#: one; a notebook reads the catalogue once per run of its kernel).
_LOADER: Final = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


#: The most nodes a YAML text may stand for once its aliases are expanded: a few hundred
#: bytes of nested aliases ("billion laughs") would otherwise stand for billions.
MAX_YAML_NODES: Final = 100_000


class YamlTooLarge(yaml.YAMLError):
    """A YAML text whose aliases expand past :data:`MAX_YAML_NODES` nodes."""


def load_yaml(text: str) -> object:
    """``yaml.safe_load(text)``, with the C parser when available; raises
    :class:`YamlTooLarge` (a ``yaml.YAMLError``) when aliases expand past the limit."""
    if "&" in text and "*" in text:  # anchors and aliases: count before building
        _check_expansion(text)
    return yaml.load(text, Loader=_LOADER)


def _check_expansion(text: str) -> None:
    """Count the nodes ``text`` stands for, each alias as the size of its anchor's node, in
    one pass over the parser's events (nothing is built)."""
    total = 0
    sizes: dict[str, int] = {}
    open_nodes: list[tuple[str | None, int]] = []
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent):
            total += sizes.get(event.anchor or "", 1)
        elif isinstance(event, yaml.ScalarEvent):
            total += 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            total += 1
            open_nodes.append((event.anchor, total - 1))
        elif isinstance(event, yaml.CollectionEndEvent) and open_nodes:
            anchor, start = open_nodes.pop()
            if anchor:
                sizes[anchor] = total - start
        if total > MAX_YAML_NODES:
            raise YamlTooLarge(f"its aliases expand to more than {MAX_YAML_NODES:,} nodes "
                               "(the limit; write the repeated part out instead)")


def _read(text: str, where: str) -> tuple[list[Indicator], list[Rule]]:
    try:
        doc = load_yaml(text) or {}
    except yaml.YAMLError as exc:
        raise CatalogError(f"not valid YAML: {exc}", where=where) from exc
    if not isinstance(doc, dict):
        raise CatalogError("a catalogue file must be a mapping with 'indicators'", where=where)
    unknown = sorted(set(doc) - {"indicators", "rules"})
    if unknown:
        raise CatalogError(f"unknown top-level keys {unknown}", where=where)
    inds = [_indicator(r, where, i) for i, r in enumerate(doc.get("indicators") or [])]
    rules = [_rule(r, where, i) for i, r in enumerate(doc.get("rules") or [])]
    return inds, rules


def _packaged_files() -> list[Traversable]:
    folder = resources.files("kpi.core") / "indicators"
    return sorted((p for p in folder.iterdir() if p.name.endswith(".yaml")), key=lambda p: p.name)


def _packaged() -> list[tuple[str, str]]:
    return [(f"kpi/core/indicators/{p.name}", p.read_text(encoding="utf-8"))
            for p in _packaged_files()]


def build_catalog(sources: Iterable[tuple[str, str]]) -> Catalog:
    """Build a catalogue from ``(where, yaml_text)`` pairs; later files may not redefine codes."""
    indicators: dict[str, Indicator] = {}
    rules: dict[str, Rule] = {}
    for where, text in sources:
        inds, rls = _read(text, where)
        for ind in inds:
            if ind.code in indicators or ind.code == UNCLASSIFIED:
                first = indicators[ind.code].origin if ind.code in indicators else "reserved"
                raise CatalogError(f"indicator {ind.code!r} defined twice (first in {first})",
                                   where=where)
            indicators[ind.code] = ind
        for rule in rls:
            if rule.id in rules:
                raise CatalogError(f"rule {rule.id!r} defined twice", where=where)
            rules[rule.id] = rule
    for rule in rules.values():
        unknown = [c for c in (rule.total, *rule.parts) if c not in indicators]
        if unknown:
            raise CatalogError(f"rule {rule.id!r} names unknown indicators {unknown}")
    for ind in indicators.values():
        unknown = [c for c in ind.parts.values() if c not in indicators]
        if unknown:
            raise CatalogError(f"entry {ind.code!r}: parts name unknown indicators {unknown}",
                               where=ind.origin)
    return Catalog(indicators=indicators, rules=tuple(rules.values()))


def load_catalog(extra: Sequence[str | Path] = ()) -> Catalog:
    """The packaged catalogue plus ``extra`` files and those named by ``$KPI_CATALOG``."""
    env = [p for p in os.environ.get("KPI_CATALOG", "").split(os.pathsep) if p]
    paths = tuple(str(p) for p in (*extra, *env))
    return _load_cached(paths)


@lru_cache(maxsize=8)
def _load_cached(paths: tuple[str, ...]) -> Catalog:
    # Kept across warm-kernel resets too: otherwise every notebook would parse the YAML again.
    files = [*_packaged_files(), *paths, __file__]
    return process_memo.from_files("catalog", files, lambda: _build(paths))


def _build(paths: tuple[str, ...]) -> Catalog:
    sources = _packaged()
    for p in paths:
        try:
            sources.append((p, Path(p).read_text(encoding="utf-8")))
        except OSError as exc:
            raise CatalogError(f"cannot read catalogue file: {exc.strerror}", where=p) from exc
        except UnicodeDecodeError as exc:
            raise CatalogError(f"not UTF-8 text (byte {exc.start})", where=p) from exc
    return build_catalog(sources)
