"""Self-contained HTML (SPEC 5): an exported notebook loads no script, stylesheet, font or
image from outside itself, and ``outside_references`` finds every such address (the check
that test_report and test_batch run on the real report.html and comparison.html)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from intervet_plan.outputs.report import export_html
from intervet_plan.outputs.standalone import CONTENT_SECURITY_POLICY, outside_references

# a 1x1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def test_exported_notebook_loads_nothing_from_outside(tmp_path: Path):
    image = base64.b64encode(PNG).decode("ascii")
    table = "<table><tr><th>activity</th><td>EUR 5</td></tr></table>"
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Costs\n\nTravel costs $5 and $6 a day."),
            new_code_cell(
                "show(fig)",
                outputs=[
                    new_output("display_data", data={"image/png": image, "text/plain": "fig"}),
                    new_output("display_data", data={"text/html": table, "text/plain": "t"}),
                ],
            ),
        ],
        metadata={"title": "Costs"},
    )
    ipynb = tmp_path / "page.ipynb"
    nbformat.write(nb, str(ipynb))
    html = export_html(ipynb, tmp_path / "page.html").read_text(encoding="utf-8")

    assert outside_references(html) == []
    assert "<script" not in html  # no require.js, MathJax, mermaid or widget loader
    assert not re.search(r"https?://[^\s\"'<>]*\.(?:js|mjs|css|woff2?|ttf)\b", html)
    assert f'content="{CONTENT_SECURITY_POLICY}"' in html
    assert "Travel costs $5 and $6 a day." in html  # dollars stay text, never math
    assert f"data:image/png;base64,{image}" in html and "EUR 5" in html
    assert "jp-Notebook" in html  # the lab look: its stylesheet is inlined


@pytest.mark.parametrize(
    "page, found",
    [
        ('<script src="https://cdn.example/require.js"></script>', "script src"),
        ('<script type="module" src="//cdn.example/m.mjs"></script>', "script src"),
        ('<link rel="stylesheet" href="http://cdn.example/a.css">', "link href"),
        ('<link rel="preload" href="fonts/a.woff2">', "link href"),
        ('<img src="https://example.org/logo.png" alt="logo">', "img src"),
        ('<img srcset="data:image/png;base64,AA 1x, https://x.org/a.png 2x">', "img srcset"),
        ('<iframe src="https://example.org/"></iframe>', "iframe src"),
        ("<style>@font-face { src: url('https://fonts.example/f.woff2'); }</style>", "style url"),
        ('<style>@import "https://fonts.example/f.css";</style>', "style url"),
        ('<div style="background: url(https://x.org/b.png)"></div>', "div style url"),
    ],
)
def test_outside_references_finds_each_kind_of_fetch(page: str, found: str):
    refs = outside_references(page)
    assert len(refs) == 1 and refs[0].startswith(found), refs


def test_links_in_text_and_embedded_resources_are_inside():
    page = (
        '<a href="https://erasmus-plus.ec.europa.eu/">programme guide</a>'
        '<a href="#Targets">Targets</a><img src="data:image/png;base64,AA" alt="x">'
        "<style>.i { background: url(data:image/svg+xml;base64,AA) }</style>"
        "<p>see https://example.org/a.css in the text</p>"
    )
    assert outside_references(page) == []
