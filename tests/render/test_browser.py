"""The reports in a real browser: headless Chromium, offline, from file://.

One small run (a report with charts and one that fails) is shared by the session. Each
page must load with no failed request, no console error, every image decoded, no script,
and its Vietnamese headline visible; a screenshot of each goes to
``test-artifacts/screenshots/``. Missing Chromium is a failure, not a skip: CI installs it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from kpi.run.runner import RunResult, run_quarter
from tests.runner_support import fixture_notebook, make_root

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = Path(os.environ.get("KPI_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("KPI_CHROMEDRIVER", "/usr/bin/chromedriver"))
AREA = "cam-xuyen-town"
ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
    "--window-size=1280,1600",
)


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    """One run to look at: charts (ok, 4 images, quoted <script>) and raises (failed)."""
    root = make_root(tmp_path_factory.mktemp("browser-project"), {AREA: ["2022Q1"]})
    notebooks = [fixture_notebook("charts"), fixture_notebook("raises")]
    return run_quarter("2022Q1", root=root, notebooks=notebooks, jobs=2, progress=False)


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    for binary, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not binary.is_file():
            pytest.fail(
                f"{binary} not found: install {package} (apt-get install -y chromium "
                "chromium-driver) or set KPI_CHROMIUM / KPI_CHROMEDRIVER; the browser tests "
                "must run, not skip"
            )
    options = Options()
    options.binary_location = str(CHROMIUM)
    for arg in ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        _drain(driver)  # start-up noise (new-tab page requests) is not the reports' doing
        yield driver
    finally:
        driver.quit()


def _drain(driver: webdriver.Chrome) -> None:
    driver.get_log("browser")
    driver.get_log("performance")


def visit(driver: webdriver.Chrome, page: Path, shot: str) -> dict:
    """Open ``page`` offline; what went wrong while loading it, and a screenshot."""
    _drain(driver)
    driver.get(page.as_uri())
    WebDriverWait(driver, 15).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    events = [json.loads(e["message"])["message"] for e in driver.get_log("performance")]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{shot}.png"))
    return {
        "failed_requests": [e["params"] for e in events if e["method"] == "Network.loadingFailed"],
        "console_errors": [e for e in driver.get_log("browser") if e["level"] == "SEVERE"],
        "broken_images": driver.execute_script(
            "return [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).length"
        ),
        "images": driver.execute_script("return document.images.length"),
        "scripts": driver.execute_script("return document.scripts.length"),
        "lang": driver.execute_script("return document.documentElement.lang"),
        "charset": driver.execute_script("return document.characterSet"),
        "text": driver.find_element(By.TAG_NAME, "body").text,
    }


def assert_clean(seen: dict) -> None:
    assert seen["failed_requests"] == []
    assert seen["console_errors"] == []
    assert seen["broken_images"] == 0
    assert seen["scripts"] == 0
    assert seen["lang"] == "vi" and seen["charset"] == "UTF-8"


def test_index_page_offline(browser: webdriver.Chrome, published: RunResult):
    seen = visit(browser, published.index_path, "index")
    assert_clean(seen)
    assert "Báo cáo KPI theo quý" in seen["text"] and "Quý I/2022" in seen["text"]
    hrefs = browser.execute_script(
        "return [...document.querySelectorAll('a[href$=\".html\"]')].map(a => a.href)"
    )
    reports = sorted(Path(r.html).as_uri() for r in published.results)
    assert sorted(hrefs) == reports


def test_report_with_charts_offline(browser: webdriver.Chrome, published: RunResult):
    page = next(r.html for r in published.results if r.notebook == "charts")
    seen = visit(browser, page, "report-charts")
    assert_clean(seen)
    assert seen["images"] == 4
    assert "Biểu đồ thử nghiệm" in seen["text"]
    assert "Quý I/2022 · Địa bàn: cam-xuyen-town" in seen["text"]
    assert "Trích dẫn: <script>alert(1)</script>" in seen["text"]  # shown as text


def test_failed_report_offline(browser: webdriver.Chrome, published: RunResult):
    page = next(r.html for r in published.results if r.notebook == "raises")
    seen = visit(browser, page, "report-failed")
    assert_clean(seen)
    assert "Lỗi khi chạy ở ô số 4" in seen["text"]
    assert "ValueError: thiếu số liệu cho cam-xuyen-town 2022Q1" in seen["text"]
    assert "Traceback" in seen["text"]


# --- the main job on the shipped data ---------------------------------------------------

DOMAIN_PAGES = ("revenue", "vaccination", "welfare", "urban_works")


@pytest.fixture(scope="session")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    """`kpi run --quarter 2022Q1` through the real CLI, on a copy of the shipped project."""
    import shutil
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("shipped")
    shutil.copytree(REPO / "data" / "raw", root / "data" / "raw")
    shutil.copytree(REPO / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.py"))
    done = subprocess.run(
        [sys.executable, "-m", "kpi", "--root", str(root), "run", "--quarter", "2022Q1",
         "--area", AREA, "--jobs", "2"],
        capture_output=True, text=True, timeout=900,
    )
    return root, done.returncode, done.stderr


def test_main_job_writes_every_report_index_and_manifest(shipped):
    root, code, stderr = shipped
    assert code == 0, stderr
    folder = root / "reports" / "2022Q1" / AREA
    names = {"overview", *DOMAIN_PAGES}
    assert {p.stem for p in folder.glob("*.html")} == names
    assert {p.stem for p in folder.glob("*.ipynb")} == names
    manifest = json.loads((root / "reports" / "2022Q1" / "manifest.json").read_text("utf-8"))
    assert manifest["quarter"] == "2022Q1"
    assert (root / "reports" / "index.html").is_file()
    assert (root / "data" / "processed" / "observations.parquet").is_file()
    for page in folder.glob("*.html"):
        assert page.stat().st_size < 300_000, page.name


def test_main_job_reports_in_the_browser(browser: webdriver.Chrome, shipped):
    root, code, stderr = shipped
    assert code == 0, stderr
    index = visit(browser, root / "reports" / "index.html", "shipped-index")
    assert_clean(index)
    assert "Báo cáo KPI theo quý" in index["text"]
    folder = root / "reports" / "2022Q1" / AREA
    for name in ("overview", *DOMAIN_PAGES):
        seen = visit(browser, folder / f"{name}.html", f"shipped-{name}")
        assert_clean(seen)
        assert "Thị trấn Cẩm Xuyên" in seen["text"], name
        assert "Quý I/2022 · Địa bàn: Thị trấn Cẩm Xuyên (cam-xuyen-town)" in seen["text"], name
        if name != "overview":
            assert seen["images"] >= 1, name
    revenue = visit(browser, folder / "revenue.html", "shipped-revenue")
    assert "4,88 tỷ đồng" in revenue["text"] or "4.884.100.000" in revenue["text"]
    assert "Số liệu chính" in revenue["text"]
