"""A notebook exported as one self-contained HTML page (SPEC 5): nothing is fetched when the
page opens, neither from the internet nor from files beside it, so a mailed report reads the
same offline.

nbconvert's ``lab`` template loads require.js and MathJax from a CDN, and mermaid.js when a
diagram is present. The reports need none of them: figures are embedded PNGs, tables plain
HTML, text markdown without formulas, and no output carries JavaScript or widgets. The
template below keeps the ``lab`` look (its stylesheet is inlined already) and drops those
blocks; a Content-Security-Policy then lets the browser itself refuse any request that a
later output might try (only ``data:`` images and inline styles are allowed, no script).

>>> outside_references('<img src="data:image/png;base64,AA"><a href="#top">top</a>')
[]
>>> outside_references('<script src="https://cdn.example/x.js"></script>')
['script src https://cdn.example/x.js']
>>> outside_references('<style>@import url(//fonts.example/f.css);</style>')
['style url //fonts.example/f.css']
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from nbconvert import HTMLExporter

TEMPLATE_FILE = "intervet_standalone.html.j2"

# what the page may load: embedded images and inline styles; nothing else, anywhere
CONTENT_SECURITY_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}
<meta http-equiv="Content-Security-Policy" content="__CSP__">
{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
""".replace("__CSP__", CONTENT_SECURITY_POLICY)


def html_exporter(**options: object) -> HTMLExporter:
    """An nbconvert ``HTMLExporter`` with the ``lab`` look whose pages load nothing from
    outside themselves; ``options`` are passed on (``exclude_input=True``, ...)."""
    from jinja2 import DictLoader

    return HTMLExporter(
        template_name="lab",
        template_file=TEMPLATE_FILE,
        extra_loaders=[DictLoader({TEMPLATE_FILE: TEMPLATE})],
        **options,
    )


# attributes whose address the browser fetches by itself when the page opens
_FETCHED = {"src", "href", "srcset", "data", "poster", "background"}
_NAVIGATION = {"a", "area", "form"}  # fetched only when the reader follows them
_CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", re.IGNORECASE)


def _outside(address: str) -> bool:
    """True for an address outside the page itself: anything but an embedded ``data:``
    resource or a ``#fragment`` (a relative path is a file beside the page, which a
    mailed report would not have)."""
    a = address.strip().lower()
    return bool(a) and not a.startswith(("data:", "#"))


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag = tag
        for name, value in attrs:
            if value is None:
                continue
            if name == "style":
                self._css(value, f"{tag} style")
            elif name in _FETCHED and tag not in _NAVIGATION:
                # srcset: "address width, address width" (a data: address holds a comma)
                candidates = re.split(r",\s+", value.strip()) if name == "srcset" else [value]
                for address in (c.split()[0] for c in candidates if c.strip()):
                    if _outside(address):
                        self.found.append(f"{tag} {name} {address.strip()}")

    def handle_data(self, data: str) -> None:
        if self._tag == "style":
            self._css(data, "style")

    def handle_endtag(self, tag: str) -> None:
        self._tag = ""

    def _css(self, text: str, where: str) -> None:
        self.found += [f"{where} url {u}" for u in _CSS_URL.findall(text) if _outside(u)]


def outside_references(page: str) -> list[str]:
    """Every address in an HTML page that a browser would fetch from outside the page when
    it opens (scripts, stylesheets, fonts, images, frames, CSS ``url()`` and ``@import``),
    as ``"<tag> <attribute> <address>"``; embedded ``data:`` resources and ``#fragments``
    are inside. Links in the text (``<a href>``) are not counted: nothing is fetched unless
    the reader follows one."""
    parser = _References()
    parser.feed(page)
    parser.close()
    return parser.found
