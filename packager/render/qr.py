"""QR codes that take a reader of paper to the listening station's page of the same handout
(its text, read aloud)."""

from __future__ import annotations

from urllib.parse import quote

from markupsafe import Markup

from packager.errors import PackagerError


def published_url(publish_url: str, path: str) -> str:
    """Where an output is published: ``<publish_url>/<path>``, ``path`` relative to ``build/``."""
    base = publish_url.strip().rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise PackagerError(f"setting 'publish_url' must be an http(s) address, not {publish_url!r}")
    return f"{base}/{quote(path)}"


def qr_svg(url: str, title: str) -> Markup:
    """Inline SVG (no file, no fetch), sized by CSS; its <title> becomes the PDF figure's alt text."""
    import segno

    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(scale=1, border=4, omitsize=True, title=title, dark="#000", light="#fff")
    # segno escapes the title and draws only paths: nothing from the URL is markup.
    return Markup(svg.replace("<svg ", '<svg role="img" class="qr" ', 1))
