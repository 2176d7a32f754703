"""The HTML trace page in a real headless browser (Debian's chromium + chromedriver).

Walks every step with the keyboard and checks what a reviewer would see: the step number,
the highlighted changed variable and the marked source line; and that the page made no
network request and broke no Content-Security-Policy rule (our hashes match).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest

from checker.render.diff import diff_states, var_types
from checker.render.html import render_page
from checker.result import CheckResult
from tests.test_render_fixtures import abba, counter_range, evil, mutex_fixed, mutex_race, \
    rwsem_readers, spin_lasso

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
if not os.path.exists(CHROMIUM):
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)
# chromium without chromium-driver is a broken install (.ci/run installs both): fail, loudly.

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    profile = tempfile.mkdtemp(prefix="mmspec-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run",
              "--disable-dev-shm-usage", f"--user-data-dir={profile}",
              "--window-size=1400,1000"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        yield d
    finally:
        d.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_page(driver: Any, tmp_path: Path, results: list[CheckResult]) -> None:
    page = tmp_path / "trace.html"
    page.write_text(render_page(results), encoding="utf-8")
    driver.get(page.as_uri())


def visible_section(driver: Any) -> Any:
    secs = [s for s in driver.find_elements(By.CSS_SELECTOR, "section.case") if s.is_displayed()]
    assert len(secs) == 1
    return secs[0]


def assert_clean_load(driver: Any) -> None:
    """No network request of any kind; the CSP admits our style (a wrong hash leaves
    `document.styleSheets` empty) and script (`walk` needs it); no script error logged."""
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert driver.execute_script(
        "return document.styleSheets.length === 1 && document.styleSheets[0].cssRules.length > 10")
    csp = driver.find_element(By.CSS_SELECTOR, 'meta[http-equiv="Content-Security-Policy"]')
    assert "default-src 'none'" in csp.get_attribute("content")
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


def walk(driver: Any, result: CheckResult, vidx: int = 0) -> None:
    """Press ArrowRight through every state, checking number, change and source line."""
    v = result.violations[vidx]
    types = var_types(result.spec)
    body = driver.find_element(By.TAG_NAME, "body")
    sec = visible_section(driver)
    steps = v.trace.steps
    for i, step in enumerate(steps):
        if i:
            body.send_keys(Keys.ARROW_RIGHT)
        assert sec.find_element(By.CSS_SELECTOR, ".stepno").text == str(i)
        views = [e for e in sec.find_elements(By.CSS_SELECTOR, ".stateview") if e.is_displayed()]
        assert [e.get_attribute("data-step") for e in views] == [str(i)]
        changed = [e.text for e in views[0].find_elements(By.CSS_SELECTOR, "tr.changed td.path")]
        marked = sec.find_elements(By.CSS_SELECTOR, ".src-line.marked")
        cur = sec.find_elements(By.CSS_SELECTOR, ".lanes tr.current")
        assert [r.get_attribute("data-step") for r in cur] == [str(i)]
        if i == 0:
            assert changed == [] and marked == []
            continue
        expected = [c.path for c in diff_states(steps[i - 1].state, step.state, types)]
        assert changed == expected and expected
        assert step.span is not None
        assert [m.get_attribute("data-line") for m in marked] == [str(step.span.line)]
    # one more ArrowRight stays on the last step; Home and End jump
    body.send_keys(Keys.ARROW_RIGHT)
    assert sec.find_element(By.CSS_SELECTOR, ".stepno").text == str(len(steps) - 1)
    body.send_keys(Keys.HOME)
    assert sec.find_element(By.CSS_SELECTOR, ".stepno").text == "0"
    body.send_keys(Keys.END)
    assert sec.find_element(By.CSS_SELECTOR, ".stepno").text == str(len(steps) - 1)
    body.send_keys(Keys.ARROW_LEFT)
    assert sec.find_element(By.CSS_SELECTOR, ".stepno").text == str(len(steps) - 2)


def test_walk_mutex_race_with_the_keyboard(driver: Any, tmp_path: Path) -> None:
    r = mutex_race()
    open_page(driver, tmp_path, [r])
    walk(driver, r)
    sec = visible_section(driver)
    # lock ownership over time: m's holder per step, as the lanes table shows it
    holders = [e.text for e in sec.find_elements(By.CSS_SELECTOR, ".lanes td.lockcell")]
    assert holders == ["-", "t[1]", "t[1]", "-", "t[2]", "t[2]"]
    assert_clean_load(driver)


def test_walk_rwsem_and_lasso(driver: Any, tmp_path: Path) -> None:
    for r in (rwsem_readers(), spin_lasso()):
        open_page(driver, tmp_path, [r])
        walk(driver, r)
        assert_clean_load(driver)
    assert driver.find_elements(By.CSS_SELECTOR, ".lanes tr.loop-back")


def test_several_specs_switch_cases(driver: Any, tmp_path: Path) -> None:
    results = [mutex_race(), mutex_fixed(), abba(), counter_range()]
    open_page(driver, tmp_path, results)
    tabs = driver.find_elements(By.CSS_SELECTOR, ".case-tab:not([disabled])")
    assert len(tabs) == 4  # mutex_race, abba x2 (deadlock, lock-order), counter
    tabs[3].click()
    assert "range error" in visible_section(driver).find_element(By.TAG_NAME, "h2").text
    walk(driver, results[3])
    assert_clean_load(driver)


def test_hostile_spec_runs_no_script(driver: Any, tmp_path: Path) -> None:
    r = evil()
    open_page(driver, tmp_path, [r])
    # Injected markup is text, not elements; our script ran (cursor at 0), nothing else did.
    assert driver.find_elements(By.CSS_SELECTOR, "main img") == []
    assert len(driver.find_elements(By.TAG_NAME, "script")) == 2
    assert "<script>" in driver.find_element(By.TAG_NAME, "h1").text
    walk(driver, r)
    assert_clean_load(driver)


def test_walk_a_real_spec_end_to_end(driver: Any, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A .mms file through the front-end and the explicit engine, walked in the browser."""
    frontend = pytest.importorskip("mmspec.frontend")
    explicit = pytest.importorskip("checker.explicit")
    from mmspec.ground import ground

    monkeypatch.chdir(Path(__file__).parent / "golden" / "e2e")
    r = explicit.check(ground(frontend.load_spec("race.mms")))
    open_page(driver, tmp_path, [r])
    walk(driver, r)
    assert_clean_load(driver)


LONG = "x" * 400  # a comment far wider than any panel
ABBA = f"""spec abba_page
mutex A
mutex B
process P {{
a1: lock(A)   // {LONG}
a2: lock(B)
a3: unlock(B)
a4: unlock(A)
}}
process Q {{
b1: lock(B)
b2: lock(A)
b3: unlock(A)
b4: unlock(B)
}}
"""


def abba_page(driver: Any, tmp_path: Path, hash_: str = "") -> CheckResult:
    """ABBA through the front-end and the explicit engine. BFS, P's steps before Q's: the
    shortest deadlock is P: a1 (P holds A), Q: b1 (Q holds B); then P waits for B, held by
    Q, and Q waits for A, held by P."""
    from checker import explicit
    from mmspec import frontend
    from mmspec.ground import ground

    spec = tmp_path / "abba_page.mms"
    spec.write_text(ABBA)
    r = explicit.check(ground(frontend.load_spec(str(spec))))
    dl = [v for v in r.violations if v.kind == "deadlock"]
    assert dl and [s.label for s in dl[0].trace.steps] == [None, "P: a1", "Q: b1"]
    page = tmp_path / "abba.html"
    page.write_text(render_page([r]), encoding="utf-8")
    driver.get(page.as_uri() + hash_)
    return r


def test_deadlock_shows_who_waits_for_whom(driver: Any, tmp_path: Path) -> None:
    abba_page(driver, tmp_path)
    sec = visible_section(driver)
    rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in sec.find_elements(By.CSS_SELECTOR, "table.blocked tbody tr")]
    assert rows == [["P", "B", "Q"], ["Q", "A", "P"]]
    lanes = [th.text for th in sec.find_elements(By.CSS_SELECTOR, ".lanes th.lane")]
    cells = sec.find_elements(By.CSS_SELECTOR, ".lanes tr.blocked-row td.lane")
    waits = dict(zip(lanes, (c.text for c in cells)))
    assert waits == {"P": "waits for B, held by Q", "Q": "waits for A, held by P"}
    # lock owners by thread name, in the lanes and in the state table
    holders = [e.text for e in sec.find_elements(By.CSS_SELECTOR, ".lanes td.lockcell")]
    assert holders == ["-", "-", "P", "-", "P", "Q"]  # per step: [A], [B]
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.END)
    view = [e for e in sec.find_elements(By.CSS_SELECTOR, ".stateview") if e.is_displayed()][0]
    owners = {tr.find_element(By.CSS_SELECTOR, "td.path").text:
              tr.find_element(By.CSS_SELECTOR, "td.value").text
              for tr in view.find_elements(By.CSS_SELECTOR, "tr.var")
              if tr.find_element(By.CSS_SELECTOR, "td.path").text.endswith(".owner")}
    assert owners == {"A.owner": "P", "B.owner": "Q"}
    assert_clean_load(driver)


def test_long_source_line_wraps_inside_its_panel(driver: Any, tmp_path: Path) -> None:
    abba_page(driver, tmp_path)
    sec = visible_section(driver)
    panel = sec.find_element(By.CSS_SELECTOR, ".source-panel")
    line = sec.find_element(By.CSS_SELECTOR, '.src-line[data-line="5"]')
    assert LONG[:50] in line.text
    # wrapped: the line is taller than one line, and nothing overflows sideways
    assert line.size["height"] > 3 * sec.find_element(
        By.CSS_SELECTOR, '.src-line[data-line="6"]').size["height"]
    assert driver.execute_script("return arguments[0].scrollWidth <= arguments[0].clientWidth",
                                 panel)
    assert_clean_load(driver)


def test_step_links(driver: Any, tmp_path: Path) -> None:
    abba_page(driver, tmp_path, "#step-1")
    sec = visible_section(driver)
    assert sec.find_element(By.CSS_SELECTOR, ".stepno").text == "1"
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_RIGHT)
    assert driver.execute_script("return location.hash") == "#step-2"
    driver.execute_script("location.hash = '#step-0'")
    assert sec.find_element(By.CSS_SELECTOR, ".stepno").text == "0"
    assert_clean_load(driver)
