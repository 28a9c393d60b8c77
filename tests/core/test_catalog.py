"""The indicator catalogue: packaged entries and the validating loader."""

from __future__ import annotations

import pytest

from kpi.core.catalog import build_catalog, load_catalog
from kpi.errors import CatalogError

GOOD = """
indicators:
  - {code: a, domain: revenue, name_vi: A, name_en: A, unit: VND, aggregation: flow, good: up}
  - {code: b, domain: revenue, name_vi: B, name_en: B, unit: VND, aggregation: flow, good: up}
rules:
  - {id: r, kind: sum, total: a, parts: [b]}
"""


def test_packaged_catalogue_loads_and_covers_the_notebook_domains():
    cat = load_catalog()
    for domain in ("revenue", "vaccination", "welfare", "urban_works", "health", "party",
                   "agriculture"):
        assert cat.in_domain(domain), domain
    assert cat["budget_revenue"].is_money
    assert cat["covid_doses_total"].unit == "dose"
    rule = next(r for r in cat.rules if r.total == "covid_doses_total")
    assert set(rule.parts) == {"covid_doses_1", "covid_doses_2", "covid_doses_3"}


def test_vietnamese_names_are_nfc():
    import unicodedata

    for ind in load_catalog():
        assert unicodedata.is_normalized("NFC", ind.name_vi)


def test_user_file_extends_the_catalogue(tmp_path):
    extra = tmp_path / "mine.yaml"
    extra.write_text(GOOD.replace("code: a", "code: my_a").replace("code: b", "code: my_b")
                     .replace("total: a", "total: my_a").replace("[b]", "[my_b]"),
                     encoding="utf-8")
    cat = load_catalog([extra])
    assert "my_a" in cat and "budget_revenue" in cat


@pytest.mark.parametrize(("text", "message"), [
    (GOOD.replace("domain: revenue, name_vi: A", "domain: sport, name_vi: A"), "'a'.*domain"),
    (GOOD.replace("aggregation: flow, good: up}\n  - {code: b", "aggregation: mean, good: up}\n"
                  "  - {code: b"), "'a'.*aggregation"),
    (GOOD.replace("name_en: B, ", ""), "'b' lacks"),
    (GOOD.replace("parts: [b]", "parts: [zz]"), "rule 'r'.*zz"),
    (GOOD.replace("kind: sum", "kind: avg"), "rule 'r'"),
    (GOOD + "  - {id: r, kind: sum, total: a, parts: [b]}\n", "'r' defined twice"),
    (GOOD.replace("code: b", "code: a"), "'a' defined twice"),
    (GOOD.replace("code: a", "code: Bad-Code"), "snake_case"),
    ("indicators: [", "YAML"),
    ("- just a list", "mapping"),
])
def test_bad_entries_are_named(text, message):
    with pytest.raises(CatalogError, match=message):
        build_catalog([("user.yaml", text)])


def test_unknown_code_lookup_is_a_catalog_error():
    with pytest.raises(CatalogError, match="nope"):
        load_catalog()["nope"]


def test_missing_user_file_is_reported(tmp_path):
    with pytest.raises(CatalogError, match=r"missing\.yaml"):
        load_catalog([tmp_path / "missing.yaml"])
