"""The notebooks in JupyterLab, as an analyst uses them: JupyterLab on a free localhost port
with a token, each notebook opened in headless Chromium, Run All, no error output and every
chart decoded; then the parameters cell edited to another area (by its Vietnamese name) and
quarter and Run All again. Opening a notebook must not mark it changed."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = Path(os.environ.get("KPI_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("KPI_CHROMEDRIVER", "/usr/bin/chromedriver"))
NOTEBOOKS = ("overview", "revenue", "vaccination", "welfare", "urban_works",
             "explore/district_ranking")
#: Charts each notebook draws for its default parameters (at least).
CHARTS = {"overview": 0, "revenue": 3, "vaccination": 4, "welfare": 3, "urban_works": 4,
          "explore/district_ranking": 4}
RUN_TIMEOUT = 240


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """JupyterLab serving a copy of the notebooks and the data (processed already)."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(REPO / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(REPO / "data" / "raw", root / "data" / "raw")
    subprocess.run([sys.executable, "-m", "kpi", "--root", str(root), "ingest"], check=True,
                   capture_output=True)
    port, token = _free_port(), secrets.token_hex(16)
    log = (root / "lab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
         "--ip=127.0.0.1", f"--port={port}", f"--ServerApp.token={token}",
         f"--ServerApp.root_dir={root}", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        cwd=root, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start: "
                                + (root / "lab.log").read_text(encoding="utf-8")[-2000:])
                time.sleep(0.5)
        yield f"{base}/lab/tree/{{path}}?token={token}", root
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    for binary in (CHROMIUM, CHROMEDRIVER):
        if not binary.is_file():
            pytest.fail(f"{binary} not found: apt-get install -y chromium chromium-driver")
    options = Options()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--window-size=1400,1000",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
                f"--user-data-dir={tmp_path_factory.mktemp('lab-chromium')}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver: webdriver.Chrome, script: str, timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = driver.execute_script(script)
        if got:
            return got
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


_KERNEL_IDLE = """
const s = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
const status = document.querySelector(
  '.jp-Toolbar-kernelStatus, .jp-Notebook-ExecutionIndicator');
const text = [...document.querySelectorAll('.jp-StatusBar-TextItem')]
  .map(e => e.textContent).join(' ');
return s && status && (status.getAttribute('data-status') === 'idle') && /Idle/.test(text);
"""
_DONE = """
const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
  .map(p => p.textContent.trim());
return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p)) ? prompts : null;
"""
_OUTPUTS = """
const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
const imgs = [...panel.querySelectorAll('.jp-OutputArea-output img')];
return {
  errors: [...panel.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
    .map(e => e.textContent.slice(0, 500)),
  images: imgs.length,
  broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).length,
  text: panel.querySelector('.jp-Notebook').textContent,
  dirty: !!document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty'),
};
"""
_SET_PARAMETERS = """
const cell = document.querySelector(
  '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .cm-content');
const view = cell.cmView.view;
const doc = view.state.doc.toString();
const next = doc
  .replace(/^area: str = "[^"]*"/m, 'area: str = ' + JSON.stringify(arguments[0]))
  .replace(/^quarter: str = "[^"]*"/m, 'quarter: str = ' + JSON.stringify(arguments[1]));
view.dispatch({changes: {from: 0, to: doc.length, insert: next}});
return view.state.doc.toString();
"""


def _run_all(driver: webdriver.Chrome) -> dict:
    # the Run menu, as a person would: Run → Run All Cells
    menu = next(e for e in driver.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-item")
                if e.text.strip() == "Run")
    menu.click()
    item = _wait(driver, "return document.querySelector("
                 "'.lm-Menu-item[data-command=\"runmenu:run-all\"]')", 10, "Run menu")
    item.click()
    time.sleep(1)
    _wait(driver, _DONE, RUN_TIMEOUT, "every cell to run")
    _wait(driver, _KERNEL_IDLE, RUN_TIMEOUT, "the kernel to be idle after Run All")
    return driver.execute_script(_OUTPUTS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab(name: str, lab: tuple[str, Path],
                                     browser: webdriver.Chrome) -> None:
    url, root = lab
    before = (root / "notebooks" / f"{name}.ipynb").read_bytes()
    browser.get(url.format(path=f"notebooks/{name}.ipynb"))
    _wait(browser, _KERNEL_IDLE, 120, "the notebook to open with an idle kernel")
    kernel = browser.execute_script(
        "return [...document.querySelectorAll('.jp-KernelName, .jp-Toolbar-kernelName')]"
        ".map(e => e.textContent.trim()).join(' ')")
    assert "Python (kpi)" in kernel
    opened = browser.execute_script(_OUTPUTS)
    assert not opened["dirty"], "opening the notebook marked it changed"
    seen = _run_all(browser)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / f"lab-{name.replace('/', '-')}.png"))
    assert seen["errors"] == []
    assert seen["broken"] == 0 and seen["images"] >= CHARTS[name], seen["images"]
    # another area, by its Vietnamese name, and another quarter
    area = "Huyện Cẩm Xuyên" if name.startswith("explore/") else "Xã Cẩm Bình"
    edited = browser.execute_script(_SET_PARAMETERS, area, "2022Q3")
    assert f'area: str = "{area}"' in edited and 'quarter: str = "2022Q3"' in edited
    seen = _run_all(browser)
    assert seen["errors"] == []
    assert seen["broken"] == 0
    assert "Quý III/2022" in seen["text"]
    assert ("Cẩm Xuyên" if name.startswith("explore/") else "Cẩm Bình") in seen["text"]
    # nothing was saved: the file on disk is as committed
    assert (root / "notebooks" / f"{name}.ipynb").read_bytes() == before


def test_an_unknown_area_is_one_short_message_in_lab(lab: tuple[str, Path],
                                                     browser: webdriver.Chrome) -> None:
    url, _ = lab
    browser.get(url.format(path="notebooks/revenue.ipynb"))
    _wait(browser, _KERNEL_IDLE, 120, "the notebook to open with an idle kernel")
    browser.execute_script(_SET_PARAMETERS, "cam-hoa-commune", "2022Q1")
    menu = next(e for e in browser.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-item")
                if e.text.strip() == "Run")
    menu.click()
    _wait(browser, "return document.querySelector("
          "'.lm-Menu-item[data-command=\"runmenu:run-all\"]')", 10, "Run menu").click()
    errors = _wait(browser, "const p = document.querySelector("
                   "'.jp-NotebookPanel:not(.lm-mod-hidden)'); const e = [...p.querySelectorAll("
                   "'.jp-OutputArea-output[data-mime-type=\"application/vnd.jupyter.stderr\"]')]"
                   # textContent: Lab fills innerText only for what it has drawn in view
                   ".map(x => x.textContent).filter(x => x.trim());"
                   "return e.length ? e : null", RUN_TIMEOUT, "the error")
    assert len(errors) == 1
    message = errors[0].strip()
    assert message.startswith("UnknownAreaError: unknown area 'cam-hoa-commune'")
    assert "cam-binh-commune" in message and "areas.csv" in message
    assert "Traceback" not in message and message.count("\n") == 0
