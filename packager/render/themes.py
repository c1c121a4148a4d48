"""The two print themes, apart from the HTML renderer: planning reads their files without loading it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
THEMES = HERE / "themes"


@dataclass(frozen=True)
class Theme:
    """What differs between the handout and the large-print edition: stylesheets and a few numbers."""

    name: str  # the --format name
    suffix: str  # before .pdf in the file name
    stylesheets: tuple[str, ...]  # files in themes/
    italics: bool  # may <em> be set in italics (large print: never)
    margin_box_pt: float  # font size of the footer and the running draft line
    margins: tuple[str, str, str, str]  # top, end, bottom, start; top grows for the running draft line
    draft_top: str  # top margin when the running draft line is shown
    one_line_footer: bool  # "Page X of Y · title" on one line, title shortened to fit, instead of two boxes
    line_pt: float  # the body text's line height: a page with less than 3 of them of text is tightened away

    def files(self) -> list[Path]:
        return [THEMES / name for name in self.stylesheets]


HANDOUT = Theme(
    name="handout",
    suffix="",
    stylesheets=("common.css", "handout.css"),
    italics=True,
    margin_box_pt=10,
    margins=("18mm", "18mm", "22mm", "18mm"),
    draft_top="26mm",
    one_line_footer=False,
    line_pt=12 * 1.4,
)
LARGE_PRINT = Theme(
    name="large-print",
    suffix=".large-print",
    stylesheets=("common.css", "large-print.css"),
    italics=False,
    margin_box_pt=18,
    margins=("1in", "1in", "1.25in", "1in"),
    draft_top="1.45in",
    one_line_footer=True,
    line_pt=18 * 1.5,
)


_POINTS = {"in": 72.0, "mm": 72 / 25.4, "pt": 1.0}


def points(length: str) -> float:
    """A theme's margin ("1in", "18mm", "12pt") in points."""
    for unit, factor in _POINTS.items():
        if length.endswith(unit):
            return float(length[: -len(unit)]) * factor
    raise ValueError(f"unsupported length {length!r}")
