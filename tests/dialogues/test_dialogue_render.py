import pytest

from frankly.dialogues.render import to_html


def test_markdown_is_rendered() -> None:
    assert to_html("# Readout\n\nWe **agreed**:\n\n- one") == (
        "<h1>Readout</h1>\n<p>We <strong>agreed</strong>:</p>\n<ul>\n<li>one</li>\n</ul>\n"
    )


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="https://a.b" onclick="alert(1)">x</a>',
        "<div onmouseover='alert(1)'>raw html</div>",
        "<iframe src=https://evil></iframe>",
        "<svg onload=alert(1)>",
        "text <b onclick=alert(1)>inline</b>",
    ],
)
def test_raw_html_is_shown_as_text(source: str) -> None:
    html = to_html(source)
    assert "<script" not in html and "<img" not in html and "<iframe" not in html
    assert "<svg" not in html and "<div" not in html and "<b " not in html
    assert "&lt;" in html  # the reader sees what was written


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](java\tscript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "<javascript:alert(1)>",
        "[x]: javascript:alert(1)\n\n[y][x]",
        "[x](/relative/path)",
        "[x](&#106;avascript:alert(1))",
        "[x](<javascript:alert(1)>)",
        "[x](%6Aavascript:alert(1))",
        '[x](https://a.b "t" onclick=alert(1))',
    ],
)
def test_only_http_https_and_mailto_links(source: str) -> None:
    # The text stays for the reader to see; no link is made of it.
    html = to_html(source)
    assert "<a" not in html and "href" not in html
    assert html.startswith("<p>")


def test_allowed_links_open_without_referrer() -> None:
    assert to_html("[a](https://a.b/x) [m](mailto:x@a.b) <http://c.d>") == (
        '<p><a href="https://a.b/x" rel="nofollow noopener noreferrer">a</a> '
        '<a href="mailto:x@a.b" rel="nofollow noopener noreferrer">m</a> '
        '<a href="http://c.d" rel="nofollow noopener noreferrer">http://c.d</a></p>\n'
    )


def test_an_image_is_never_loaded_but_stays_a_link() -> None:
    html = to_html("![map](https://tracker.example/pixel.png)")
    assert "<img" not in html
    assert 'href="https://tracker.example/pixel.png"' in html
