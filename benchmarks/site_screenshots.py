"""Screenshots of the listening station (home page and the Arabic page) for the README and
the docs, taken with Debian's headless Chromium from a built ``build/site/``.

    .venv/bin/python benchmarks/site_screenshots.py [--build build] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks.browser import REPO, chromium

SLUG = "lupus-car-t-cell-therapy"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=REPO / "build")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    site = args.build.resolve() / "site"
    args.out.mkdir(parents=True, exist_ok=True)
    with chromium(1024, 768) as driver:
        driver.get((site / "index.html").as_uri())
        driver.save_screenshot(str(args.out / "site-home.png"))
        driver.get((site / "ar" / f"{SLUG}.html").as_uri())
        # Section 2 played, then paused on the second sentence of a paragraph (a cue "mo-N-2"):
        # the page as a listener sees it, the sentence being read highlighted.
        driver.find_elements("css selector", ".play")[1].click()  # a real click: the browser lets it play
        time.sleep(1)
        driver.execute_script(
            "const a = document.querySelectorAll('audio')[1]; a.pause();"
            "const cues = JSON.parse(document.getElementById('narration').textContent).parts[1].cues;"
            "a.currentTime = cues.find(c => /-2$/.test(c[0]) && c[0].split('-').length == 3)[1] + 0.1;"
        )
        time.sleep(1)
        driver.save_screenshot(str(args.out / "site-ar.png"))
    print(f"wrote {args.out / 'site-home.png'} and {args.out / 'site-ar.png'}")


if __name__ == "__main__":
    main()
