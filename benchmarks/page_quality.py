"""Page quality of the handout and large-print PDFs, read from the PDFs themselves.

For every PDF: the page count, how full each page is, the emptiest page, and the
pagination faults a reader notices: a heading or a lead-in (a line ending with a
colon, before its list or table) as the last thing on a page, a table split
across pages, a table row left alone on a page, blocks whose order in the
structure tree differs from their order on the page.

Everything is measured on the tagged content a reader gets (the structure tree
and the glyphs it points to), so running headers, footers and repeated notices,
which are artifacts, never count as text. Fill is the height from the top of the
text area to the foot of the lowest text, over the text area's height.

    .venv/bin/python benchmarks/page_quality.py [--locale L] [--format F] [--keep DIR]

Builds the shipped article in every shipped locale and both print formats (in a
temporary copy of the project) and prints one line per PDF, then its faults.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

HEADINGS = frozenset({"H1", "H2", "H3", "H4", "H5", "H6"})
#: Structure elements read as one block of the page flow.
BLOCKS = HEADINGS | {"P", "LI", "TR", "Figure", "Caption"}
LEAD_IN = re.compile(r"[:：]\s*$")
#: A PDF's text area: points from the page top to the area's top, and from the area's bottom to the page foot.
Area = tuple[float, float]


@dataclass
class Block:
    """One block of a page's flow, as the structure tree gives it: a heading, a paragraph, an item, a row."""

    kind: str
    page: int  # 1-based
    top: float
    bottom: float
    text: str
    table: int | None = None  # which table (in reading order) a row belongs to
    header: bool = False  # a table's header row


@dataclass
class Quality:
    """The measures of one PDF."""

    name: str
    fills: list[float]
    blocks: list[Block]
    headings_ending_page: list[tuple[int, str]] = field(default_factory=list)
    lead_ins_ending_page: list[tuple[int, str]] = field(default_factory=list)
    split_tables: list[tuple[int, list[int]]] = field(default_factory=list)  # table, body rows on each page
    out_of_order: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return len(self.fills)

    @property
    def lone_rows(self) -> list[tuple[int, list[int]]]:
        """Split tables with a page holding a single body row of theirs."""
        return [(table, rows) for table, rows in self.split_tables if 1 in rows]

    @property
    def emptiest(self) -> tuple[int, float]:
        """The emptiest page but the last (which may be short), as (page, fill)."""
        candidates = list(enumerate(self.fills[:-1], start=1)) or [(1, self.fills[0])]
        return min(candidates, key=lambda item: item[1])

    def line(self) -> str:
        page, fill = self.emptiest
        fills = " ".join(f"{round(100 * f):3d}" for f in self.fills)
        return (
            f"{self.name:<34} {self.pages:>3} pages  emptiest p{page} {fill:4.0%}  "
            f"headings@foot {len(self.headings_ending_page)}  lead-ins@foot {len(self.lead_ins_ending_page)}  "
            f"split tables {len(self.split_tables)} (lone rows {len(self.lone_rows)})  fill% {fills}"
        )

    def faults(self) -> Iterator[str]:
        for page, text in self.headings_ending_page:
            yield f"  heading ends page {page}: {text[:60]!r}"
        for page, text in self.lead_ins_ending_page:
            yield f"  lead-in ends page {page}: {text[:60]!r}"
        for table, rows in self.split_tables:
            yield f"  table {table} split, body rows per page {rows}"
        for page, first, second in self.out_of_order:
            yield f"  page {page}: {second[:30]!r} is read after {first[:30]!r} but printed above it"


def _elements(tree: list[dict]) -> Iterator[tuple[dict, list[dict]]]:
    """Structure elements in reading order, each with its ancestors."""
    stack = [(element, []) for element in reversed(tree)]
    while stack:
        element, ancestors = stack.pop()
        yield element, ancestors
        children = element.get("children") or []
        stack.extend((child, [*ancestors, element]) for child in reversed(children))


def _mcids(element: dict) -> Iterator[tuple[int, int]]:
    """(page number, MCID) of every marked-content sequence under ``element``."""
    for node, _ancestors in _elements([element]):
        for mcid in node.get("mcids") or ():
            yield node["page_number"], mcid


def read_blocks(path: Path) -> tuple[list[Block], list[tuple[float, float]]]:
    """The blocks of the tagged flow in reading order, and each page's (width, height)."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        sizes = [(float(page.width), float(page.height)) for page in pdf.pages]
        marks: dict[tuple[int, int], list[dict]] = {}
        for number, page in enumerate(pdf.pages, start=1):
            for obj in [*page.chars, *page.images, *page.rects]:
                if obj.get("mcid") is not None:
                    marks.setdefault((number, obj["mcid"]), []).append(obj)
        blocks: list[Block] = []
        tables = 0
        for element, ancestors in _elements(pdf.structure_tree):
            kind = element.get("type")
            if kind == "Table":
                tables += 1
            if kind not in BLOCKS or any(a.get("type") in BLOCKS for a in ancestors):
                continue
            objs = [obj for key in _mcids(element) for obj in marks.get(key, ())]
            if not objs:
                continue
            pages = sorted({key[0] for key in _mcids(element) if key in marks})
            for page in pages:  # an element split over pages is one block per page
                on_page = [obj for key in _mcids(element) if key[0] == page for obj in marks.get(key, ())]
                if not on_page:
                    continue
                text = "".join(obj.get("text", "") for obj in on_page if "text" in obj)
                in_table = any(a.get("type") == "Table" for a in ancestors)
                blocks.append(
                    Block(
                        kind=kind,
                        page=page,
                        top=min(float(obj["top"]) for obj in on_page),
                        bottom=max(float(obj["bottom"]) for obj in on_page),
                        text=text.strip(),
                        table=tables if kind == "TR" and in_table else None,
                        header=kind == "TR" and any(a.get("type") == "THead" for a in ancestors),
                    )
                )
    return blocks, sizes


def analyse(path: Path, area: Area | list[Area], name: str = "") -> Quality:
    """Measure one PDF. ``area``: its text area's top and bottom margins in points, one for all
    pages or one per page (a translation's first page has no running notice, so a smaller top)."""
    blocks, sizes = read_blocks(path)
    areas = area if isinstance(area, list) else [area] * len(sizes)
    fills = []
    for number, ((_width, height), (top, bottom)) in enumerate(zip(sizes, areas, strict=True), start=1):
        feet = [b.bottom for b in blocks if b.page == number]
        fills.append(max(0.0, min(1.0, (max(feet) - top) / (height - top - bottom))) if feet else 0.0)
    quality = Quality(name=name or path.name, fills=fills, blocks=blocks)
    _pagination_faults(quality)
    return quality


def _pagination_faults(q: Quality) -> None:
    blocks = q.blocks
    # A table split over pages is tagged as one table per page: its rows run on from the last page's.
    same: dict[int, int] = {}
    for before, block in itertools.pairwise(blocks):
        if block.table is not None and before.table is not None and before.page < block.page:
            same[block.table] = same.get(before.table, before.table)
    for block in blocks:
        if block.table is not None:
            block.table = same.get(block.table, block.table)
    for index, block in enumerate(blocks):
        after = blocks[index + 1] if index + 1 < len(blocks) else None
        if after is None or after.page == block.page:
            if after is not None and after.bottom <= block.top:
                q.out_of_order.append((block.page, block.text, after.text))
            continue
        # ``block`` is the last block of its page.
        if block.kind in HEADINGS:
            q.headings_ending_page.append((block.page, block.text))
        elif block.kind == "P" and LEAD_IN.search(block.text) and after.kind in ("LI", "TR"):
            q.lead_ins_ending_page.append((block.page, block.text))
    tables = sorted({b.table for b in blocks if b.table is not None})
    for table in tables:
        rows = [b for b in blocks if b.table == table and not b.header]
        pages = sorted({b.page for b in rows})
        if len(pages) > 1:
            q.split_tables.append((table, [sum(b.page == p for b in rows) for p in pages]))


# -- the report over the shipped article ------------------------------------------------------------


def content_areas(theme: object, pages: int, draft: bool) -> list[Area]:
    """The text area of each page from the theme's margins (page 1 of a draft has no running notice)."""
    top, _end, bottom, _start = (points(m) for m in theme.margins)  # type: ignore[attr-defined]
    running = points(theme.draft_top) if draft else top  # type: ignore[attr-defined]
    return [(top if number == 0 else running, bottom) for number in range(pages)]


def points(length: str) -> float:
    """A CSS length in in, mm, cm or pt, in points."""
    units = {"in": 72.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "pt": 1.0}
    match = re.fullmatch(r"([\d.]+)(in|mm|cm|pt)", length.strip())
    if not match:
        raise ValueError(f"unsupported length {length!r}")
    return float(match[1]) * units[match[2]]


def build_and_analyse(root: Path, locales: list[str], formats: list[str]) -> list[Quality]:
    """Build each (locale, format) PDF of every article in ``root`` with the real builders, then measure it."""
    from packager.builders import no_progress
    from packager.i18n.translate import localized
    from packager.project import load_project
    from packager.render.pdf import HandoutBuilder, LargePrintBuilder
    from packager.source import read_article

    builders = {"handout": HandoutBuilder(), "large-print": LargePrintBuilder()}
    project = load_project(root)
    out = []
    for source_path in project.articles():
        source = read_article(source_path)
        for locale in locales:
            article = localized(project, source, locale)
            for fmt in formats:
                builder = builders[fmt]
                product = builder.build(article, project, no_progress)
                (name, data), *_ = product.files.items()
                path = root / "build" / locale / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                areas = content_areas(builder.theme, product.info["pages"], article.draft)
                out.append(analyse(path, areas, name=f"{locale}/{name}"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locale", action="append", help="a locale (default: every shipped locale)")
    parser.add_argument("--format", action="append", choices=("handout", "large-print"))
    parser.add_argument("--keep", type=Path, help="build in this folder and keep the PDFs")
    args = parser.parse_args()
    from benchmarks.build_benchmark import copy_project

    shipped = {"en", *(p.name for p in (REPO / "locales").iterdir() if p.is_dir())}
    locales = args.locale or sorted(shipped, key=lambda locale: (locale != "en", locale))
    formats = args.format or ["handout", "large-print"]
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_project(args.keep or Path(tmp) / "project")
        results = build_and_analyse(root, locales, formats)
    total = 0
    for quality in results:
        print(quality.line())
        for fault in quality.faults():
            print(fault)
        total += quality.pages
    print(f"{total} pages in {len(results)} PDFs")


if __name__ == "__main__":
    main()
