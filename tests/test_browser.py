"""report.html and comparison.html as a reader's browser shows them (SPEC 5): each page opened
offline in headless Chromium makes no request outside its own file, fails none, logs no
console error and shows every figure; a full-page screenshot of each is kept in
``artifacts/screenshots/`` (or ``$SCREENSHOTS``) to be looked at.

Debian's ``chromium`` (``/usr/bin/chromium``, or ``$CHROMIUM``) is driven by Playwright for
Python; Playwright's own browser download is never used. Without that Chromium the tests fail
with what to install: they are never skipped. Run with ``make test-browser``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from conftest import run_cli, tiny_tables, write_case

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SHOTS = Path(os.environ.get("SCREENSHOTS", ROOT / "artifacts" / "screenshots"))
VIEWPORT = {"width": 1200, "height": 900}

# page name -> (fixture that renders it, file in that fixture's folder)
PAGES = {
    "baseline": ("intervet", "baseline/report.html"),
    "covid": ("intervet", "covid/report.html"),
    "infeasible": ("intervet", "infeasible/report.html"),
    "intervet-comparison": ("intervet", "comparison.html"),
    "tiny": ("tiny", "tiny-budget_eur-100000/report.html"),
    "tiny-comparison": ("tiny", "comparison.html"),
}


def _batch_runs(out: Path) -> dict[str, int]:
    runs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {r["name"]: r["exit_code"] for r in runs}


@pytest.fixture(scope="module")
def intervet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One batch on the INTERVET WB case: the shipped baseline and covid scenarios, and a
    variant whose WBL_LONG quota minimum (120) exceeds its eligible applicants (infeasible)."""
    root = tmp_path_factory.mktemp("intervet")
    infeasible = root / "infeasible.yaml"
    case = ROOT / "data" / "intervet_wb"
    quotas = {"WBL_LONG": {"quota": 120, "quota_min": 120}}
    infeasible.write_text(
        yaml.safe_dump({"name": "infeasible", "case": str(case), "quotas": quotas}),
        encoding="utf-8",
    )
    scenarios = [ROOT / "scenarios" / "baseline.yaml", ROOT / "scenarios" / "covid.yaml"]
    out = root / "batch"
    _, _, err = run_cli(
        "batch", *map(str, [*scenarios, infeasible]), "--jobs", "2", "--out", str(out)
    )
    assert _batch_runs(out) == {"baseline": 0, "covid": 0, "infeasible": 3}, err
    return out


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A budget sweep of the tiny case (conftest): two runs and their comparison."""
    root = tmp_path_factory.mktemp("tiny")
    meta, tables = tiny_tables()
    case = write_case(root / "case", meta, tables)
    target = {"name": "women", "share_of": {"gender": "F"}, "min": 0.5}
    scenario = root / "tiny.yaml"
    scenario.write_text(
        yaml.safe_dump({"name": "tiny", "case": str(case), "targets": [target]}),
        encoding="utf-8",
    )
    out = root / "sweep"
    code, _, err = run_cli(
        "sweep", str(scenario), "--vary", "budget_eur=1500,100000", "--jobs", "2", "--out", str(out)
    )
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright; a clear failure when either is missing."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install -y chromium; "
            ".ci/run does so as root or with sudo) or set CHROMIUM to a Chromium binary",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "Playwright for Python is missing: make install (a dev dependency)", pytrace=False
        )
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """What the browser did with a page: every request, failure and console error, and each
    image's loaded width (0 when it did not load)."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    images: list[tuple[str, int]] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)


def visit(browser: object, page_file: Path, screenshot: Path) -> Visit:
    """Open ``page_file`` offline (as a mailed report is read), wait until it has loaded,
    and save a full-page screenshot."""
    seen = Visit()
    context = browser.new_context(viewport=VIEWPORT, offline=True)  # type: ignore[attr-defined]
    page = context.new_page()
    page.on("request", lambda r: seen.requests.append(r.url))
    page.on("requestfailed", lambda r: seen.failed.append(f"{r.url}: {r.failure}"))
    page.on("console", lambda m: m.type == "error" and seen.errors.append(m.text))
    page.on("pageerror", lambda e: seen.errors.append(f"uncaught: {e}"))
    page.goto(page_file.as_uri(), wait_until="load")
    page.wait_for_load_state("networkidle")
    seen.images = [
        (alt, width)
        for alt, width in page.eval_on_selector_all(
            "img", "els => els.map(e => [e.alt, e.complete ? e.naturalWidth : 0])"
        )
    ]
    seen.headings = page.eval_on_selector_all("h1, h2", "els => els.map(e => e.innerText)")
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshot), full_page=True)
    context.close()
    return seen


@pytest.mark.parametrize("name", list(PAGES))
def test_page_is_whole_offline(name: str, browser: object, request: pytest.FixtureRequest):
    source, relative = PAGES[name]
    page_file = request.getfixturevalue(source) / relative
    html = page_file.read_text(encoding="utf-8")
    seen = visit(browser, page_file, SHOTS / f"{name}.png")

    outside = [u for u in seen.requests if not u.startswith(("file:", "data:"))]
    assert outside == [], f"{name}: requests outside the file"
    assert seen.failed == [], f"{name}: failed requests"
    assert seen.errors == [], f"{name}: console errors"
    assert len(seen.images) == html.count("<img"), f"{name}: images in the page"
    assert [alt for alt, width in seen.images if width <= 0] == [], f"{name}: images not shown"
    assert seen.headings, f"{name}: no heading shown"
    assert (SHOTS / f"{name}.png").stat().st_size > 10_000
