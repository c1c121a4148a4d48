"""``BrailleBuilder``: the Builder for ``--format braille``.

Per locale: ``<slug>.brf`` (North American Braille ASCII, CR LF line ends, a form feed after
every page, for an embosser or a braille display) and ``<slug>.pef`` (PEF 1.0, the DAISY XML
braille format, the same pages in Unicode braille with Dublin Core metadata).
"""

from __future__ import annotations

from html import escape  # not xml.sax.saxutils: it imports urllib, and planning imports this module
from pathlib import Path

from packager import inline
from packager.braille import layout, louis
from packager.builders import Product, Progress
from packager.document import Article
from packager.errors import PackagerError
from packager.i18n.ui import DRAFT_NOTICE, outdated_notice, ui_gettext, ui_paths
from packager.project import Project, source_date_epoch

PEF_NS = "http://www.daisy.org/ns/2008/pef"


class BrailleBuilder:
    name = "braille"
    preload = ()

    def outputs(self, article: Article) -> list[str]:
        return [f"{article.slug}.brf", f"{article.slug}.pef"]

    def inputs(self, project: Project, locale: str) -> list[Path | str]:
        table = louis.choose_table(locale, project.settings.braille.tables)
        exact = louis.exact_table(locale, table)
        here = Path(__file__).resolve().parent
        tables = sorted({table.path, exact.path, *(folder / louis.BRF_DISPLAY for folder in louis.table_dirs()[:1])})
        return [
            *sorted(here.glob("*.py")),  # the layout is code: any change to it rebuilds
            *tables,
            *ui_paths(project.locales_dir, locale),
            louis.version(),
            f"table {table.name} exact {exact.name}",
        ]

    def preflight(self, project: Project, locales: list[str]) -> None:
        for locale in locales:
            louis.choose_table(locale, project.settings.braille.tables)

    def build(self, article: Article, project: Project, progress: Progress) -> Product:
        from packager.i18n.checks.numbers import exact_spans

        settings = project.settings.braille
        locale = article.locale
        table = louis.choose_table(locale, settings.tables)
        exact = louis.exact_table(locale, table)
        _ = ui_gettext(project.locales_dir, locale)
        notices = [_(DRAFT_NOTICE)] if article.draft else []
        notices += [n for n in [outdated_notice(article, project.locales_dir, locale)] if n]
        words = layout.Words(_, notices)
        walker = layout.Transcriber(lambda text: exact_spans(text, locale), words)
        clinic = project.settings.clinic
        paras = walker.title_page(article, clinic.name.strip(), clinic.contact.strip(), table.name)
        paras += walker.article(article)
        progress(1, 3, "braille: liblouis")
        cells = braille_of(paras, table, exact)
        width, lines = settings.cells_per_line, settings.lines_per_page
        blocks = [(para, layout.para_lines(text, para, width)) for para, text in zip(paras, cells, strict=True)]
        pages = layout.paginate(blocks, lines - 1)
        numbers = louis.translate([str(n) for n in range(1, len(pages) + 1)], table)
        numbers = [n.strip(layout.BLANK) for n in numbers]
        pages = layout.number_pages(pages, numbers, width, lines)
        check_pages(pages, width, lines)
        progress(2, 3, "braille: BRF and PEF")
        files = {
            self.outputs(article)[0]: brf(pages),
            self.outputs(article)[1]: pef(pages, article, project, table, width, lines),
        }
        info = {"pages": len(pages), "table": table.describe(), "exact_table": exact.name}
        return Product(files=files, info=info)


def braille_of(paras: list[layout.Para], table: louis.Table, exact: louis.Table) -> list[str]:
    """Every block's runs through liblouis, one process per table, joined back per block."""
    runs = [run for para in paras for run in para.runs]
    normal = [r.text for r in runs if not r.exact]
    exacts = [r.text for r in runs if r.exact]
    done = {False: iter(louis.translate(normal, table)), True: iter(louis.translate(exacts, exact))}
    translated = [six_dot(next(done[r.exact])) for r in runs]
    out, at = [], 0
    for para in paras:
        out.append(layout.join_runs(translated[at : at + len(para.runs)], para.runs))
        at += len(para.runs)
    return out


def six_dot(cells: str) -> str:
    """Cells without dots 7 and 8, which a BRF cannot hold. Six-dot tables use them only for
    a letter from outside their alphabet ("ü" in the Arabic and Chinese tables is dots 1256
    plus dot 7); dots 1-6 are that letter in six-dot braille."""
    return "".join(chr(0x2800 + ((ord(c) - 0x2800) & 0x3F)) if 0x2840 <= ord(c) <= 0x28FF else c for c in cells)


def check_pages(pages: list[list[str]], width: int, lines: int) -> None:
    """Never write a line or a page longer than the embosser's: checked on every page."""
    for number, page in enumerate(pages, start=1):
        if len(page) > lines:
            raise PackagerError(f"braille page {number} has {len(page)} lines; at most {lines} fit")
        for row in page:
            if len(row) > width or any(not 0x2800 <= ord(c) <= 0x283F for c in row):
                raise PackagerError(f"braille page {number} has a line of {len(row)} cells or a non-6-dot cell")


def brf(pages: list[list[str]]) -> bytes:
    """Braille ASCII: CR LF after every line, a form feed after every page."""
    out = []
    for page in pages:
        out.append("".join(louis.to_brf(row).rstrip(" ") + "\r\n" for row in page) + "\f")
    return "".join(out).encode("ascii")


def pef(
    pages: list[list[str]], article: Article, project: Project, table: louis.Table, width: int, lines: int
) -> bytes:
    """PEF 1.0 (version 2008-1): one volume, one section, single-sided, Dublin Core metadata."""
    meta = article.meta
    epoch = source_date_epoch()
    day = epoch.date().isoformat() if epoch else meta.reviewed.isoformat()
    dc = [
        ("format", "application/x-pef+xml"),
        ("identifier", f"packager:{meta.slug}:{article.locale}:{meta.version}"),
        ("title", inline.plain(meta.title.markdown)),
        *(("creator", author) for author in meta.authors),
        ("description", inline.plain(meta.summary.markdown)),
        ("publisher", project.settings.clinic.name.strip()),
        ("date", day),
        ("language", article.locale.replace("_", "-")),
        ("source", meta.source),
        ("rights", meta.licence),
        ("type", f"Braille, liblouis table {table.describe()}"),
    ]
    head = "".join(f"      <dc:{k}>{escape(v, quote=False)}</dc:{k}>\n" for k, v in dc if v)
    body = []
    for page in pages:
        rows = "".join(f"          <row>{row.rstrip(layout.BLANK)}</row>\n" for row in page)
        body.append(f"        <page>\n{rows}        </page>\n")
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<pef version="2008-1" xmlns="{PEF_NS}">\n'
        "  <head>\n"
        '    <meta xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f"{head}"
        "    </meta>\n"
        "  </head>\n"
        "  <body>\n"
        f'    <volume cols="{width}" rows="{lines}" rowgap="0" duplex="false">\n'
        "      <section>\n"
        f"{''.join(body)}"
        "      </section>\n"
        "    </volume>\n"
        "  </body>\n"
        "</pef>\n"
    )
    return text.encode("utf-8")


__all__ = ["BrailleBuilder"]
