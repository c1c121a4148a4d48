"""End to end: hostile translations that a (careless) reviewer accepted still cannot attack the PDF.

The checks refuse these translations; here every finding is accepted, so the
build goes ahead and the renderer itself must neutralise them: markup shown as
text, no local file read, nothing fetched, no link to a local file or script.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.conftest import SLUG, run_packager
from tests.test_adversarial import BOLD, PLAIN, TRIALS, project, set_translation, sub

__all__ = ["project"]

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("packager.render.pdf") is None or importlib.util.find_spec("pdfplumber") is None,
    reason="needs the PDF renderer (packager/render/pdf.py) and pdfplumber",
)

P2 = PLAIN.replace("p1", "p2")
ATTACKS = [
    (PLAIN, lambda s: s + " <script>alert('x')</script> <style>body{display:none}</style>", ("accept-raw-html",)),
    (P2, lambda s: s + ' <img src="file:///etc/passwd"> &lt;iframe src=x&gt;', ("accept-raw-html",)),
    (TRIALS, sub("https://clinicaltrials.gov/", "file:///etc/passwd"), ("accept-link-changed",)),
    (
        BOLD,
        lambda s: s + " ![secreto](file:///etc/hostname) [pulse](javascript:alert(1))",
        ("accept-markup-changed", "accept-link-changed"),
    ),
]


def test_accepted_hostile_translations_are_rendered_as_harmless_text(project: Path) -> None:
    import pdfplumber

    for key, change, flags in ATTACKS:
        set_translation(project, "es", key, change, flags)
    checked = run_packager("check", "--locale", "es", "--quiet", cwd=project)
    assert checked.returncode == 0, checked.stdout + checked.stderr  # all findings accepted
    result = run_packager("build", "--locale", "es", "--format", "handout", "--quiet", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    pdf = project / "build" / "es" / f"{SLUG}.pdf"
    with pdfplumber.open(pdf) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
        uris = [link.get("uri") or "" for page in document.pages for link in page.hyperlinks]
        images = sum(len(page.images) for page in document.pages)
    flat = "".join(text.split())
    assert "<script>alert('x')</script>" in flat and "<style>body{display:none}</style>" in flat
    assert '<imgsrc="file:///etc/passwd">' in flat and "<iframesrc=x>" in flat
    assert "root:" not in text and Path("/etc/hostname").read_text().strip() not in text
    assert images == 0
    assert uris and all(uri.startswith(("https://", "http://", "mailto:", "tel:")) for uri in uris), uris
    assert not any("file:" in uri or "javascript:" in uri for uri in uris)
