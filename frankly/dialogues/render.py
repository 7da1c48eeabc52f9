"""Markdown to HTML that cannot run script in a reader's page.

markdown-it-py with raw HTML disabled: a `<script>` or an `onclick` in a
readout is shown as the text it is, never as markup. Links go only to
http, https and mailto addresses (no javascript:, data: or vbscript:), and
open with rel="nofollow noopener noreferrer". Images are not rendered, since
an image from an outside server would tell that server who reads the
readout and when; an image becomes a plain link to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

SCHEMES: Final = frozenset({"http", "https", "mailto"})
REL: Final = "nofollow noopener noreferrer"


def _link_ok(url: str) -> bool:
    # Browsers ignore tabs and newlines inside a scheme ("java\tscript:");
    # markdown-it has already percent-encoded them, and urlsplit keeps the
    # scheme as written, so a disguised scheme is simply not in SCHEMES.
    return urlsplit(url.strip()).scheme.lower() in SCHEMES


def _link_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # markdown-it binds a render rule to the renderer, which comes first.
    tokens[idx].attrSet("rel", REL)
    return renderer.renderToken(tokens, idx, options, env)


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")
    md.validateLink = _link_ok  # type: ignore[method-assign]
    md.add_render_rule("link_open", _link_open)
    return md


_MD: Final = _build()


def to_html(markdown: str) -> str:
    """The HTML of `markdown`: safe to put inside a page as it is."""
    html: str = _MD.render(markdown)
    return html
