"""Article -> print HTML and the page CSS that goes with it, for one theme.

The HTML comes from autoescaped Jinja2 templates; article text enters only
through :func:`packager.inline.to_html`, which escapes raw HTML, so neither the
source nor a translation can inject markup. The per-document CSS (page size,
running footer, draft notice, font stack) is built here with CSS string
escaping, never by a template, so text cannot break out of a CSS string either.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from packager import __version__, glossary, inline, segment
from packager.document import (
    Article,
    Block,
    Callout,
    Checklist,
    DefinitionList,
    Figure,
    GlossaryNote,
    Heading,
    ListBlock,
    Meta,
    Paragraph,
    Quote,
    Table,
    Text,
    unhandled,
)
from packager.errors import PackagerError
from packager.i18n.ui import CALLOUT_LABELS, DRAFT_NOTICE, N_, NOTES_HEADING, outdated_notice, ui_gettext
from packager.project import Project, source_date_epoch
from packager.render import fonts, qr
from packager.render.bidi import isolate_ltr, map_text
from packager.render.themes import HANDOUT, HERE, LARGE_PRINT, TEMPLATES, THEMES, Theme, points  # noqa: F401

#: CLDR supplemental data, paperSize "US-Letter"; every other territory uses A4.
LETTER_TERRITORIES = frozenset("BZ CA CL CO CR GT MX NI PA PH PR SV US VE".split())


def paper_size(project: Project) -> str:
    """A4 or Letter: from settings, or by the clinic's country as CLDR says."""
    size = project.settings.paper_size
    if size in ("A4", "Letter"):
        return size
    return "Letter" if project.settings.clinic.country.strip().upper() in LETTER_TERRITORIES else "A4"


def html_lang(locale: str) -> str:
    """BCP 47 for a gettext locale name: zh_Hans -> zh-Hans."""
    return locale.replace("_", "-")


@lru_cache(maxsize=64)
def _babel_locale(locale: str) -> Any:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(locale.split("_")[0]) if "_" in locale else Locale.parse("en")


def direction(locale: str) -> str:
    return "rtl" if _babel_locale(locale).character_order == "right-to-left" else "ltr"


def format_day(day: date, locale: str) -> str:
    """The locale's long date; ISO 8601 where CLDR has no month names for it (Haitian Creole:
    root's "2026 M11 1" reads as a code, "2026-11-01" as a date)."""
    from babel import Locale
    from babel.dates import format_date

    parsed = _babel_locale(locale)
    if parsed.months["format"]["wide"].get(day.month) == Locale.parse("root").months["format"]["wide"][day.month]:
        return day.isoformat()
    return format_date(day, "long", locale=parsed)


def pdf_date(article: Article) -> str:
    """The PDF's date: SOURCE_DATE_EPOCH when set (reproducible builds), else the review date. Never the clock."""
    epoch = source_date_epoch()
    return epoch.strftime("%Y-%m-%dT%H:%M:%SZ") if epoch else article.meta.reviewed.isoformat()


# -- the view model: the article as the template needs it -------------------------------------


@dataclass
class View:
    """One block, ready for the template (inline HTML already escaped by inline.to_html)."""

    kind: str  # heading | p | list | table | figure | quote | callout | checklist | deflist | definition
    level: int = 0
    intro: bool = False  # a paragraph just before a list or table (a lead-in): kept with it
    html: Markup = field(default_factory=Markup)
    ordered: bool = False
    start: int = 1
    loose: bool = False
    items: list[Any] = field(default_factory=list)  # ListItemView
    rows: list[list[Markup]] = field(default_factory=list)
    header: list[Markup] = field(default_factory=list)
    src: str = ""
    alt: str = ""
    caption: Markup | None = None
    label: str = ""  # a call-out's kind as printed ("Important")
    callout: str = ""  # a call-out's kind, for its CSS class
    label_id: str = ""  # the label's id, for the EPUB overlay (the narration speaks the label)
    children: list[View] = field(default_factory=list)
    id: str = ""  # set by renderers that point into the text (EPUB Media Overlays); print leaves it empty
    row_ids: list[str] = field(default_factory=list)  # a table's body rows, likewise


def _inline_html(markdown: str, rtl: bool = False, locale: str = "") -> Markup:
    """Inline Markdown as escaped HTML; in right-to-left text each left-to-right run isolated; in
    Thai, Lao, Khmer and Burmese a line-break opportunity at each word end (segment.py); Korean
    words kept whole."""
    rendered = inline.to_html(markdown, print_urls=True)
    if segment.has_no_space_script(rendered):
        rendered = map_text(rendered, lambda text: escape(segment.mark_word_breaks(text, locale)))
    if segment.keep_all_words(rendered):
        rendered = map_text(rendered, _unbroken_words)
    return Markup(isolate_ltr(rendered) if rtl else rendered)


def _unbroken_words(text: str) -> str:
    """Each Korean word in a span the line breaker may not break inside (``.word``: no wrap)."""
    out, last = [], 0
    for start, end in segment.keep_all_words(text):
        out += [str(escape(text[last:start])), f'<span class="word">{escape(text[start:end])}</span>']
        last = end
    return "".join(out) + str(escape(text[last:]))


class _Levels:
    """Heading levels that never skip: h1 title, h2 sections, then at most one deeper at a time."""

    def __init__(self) -> None:
        self.last = 2

    def next(self, wanted: int) -> int:
        self.last = max(3, min(wanted, self.last + 1))
        return self.last


class _Writer:
    """One article's blocks as views: its inline HTML (right-to-left runs isolated, glossary terms
    marked as <dfn> at their first use, footnote references as numbers), its heading levels."""

    def __init__(self, article: Article, project: Project, sentences: bool = False) -> None:
        self.article, self.project = article, project
        self.sentences = sentences
        self.references = False  # in a reference list, each entry is read whole (speech/script.py)
        self.rtl = direction(article.locale) == "rtl"
        self.levels = _Levels()
        self.dfn = glossary.defined_in(article.sections)
        self.notes = {note.label: n for n, note in enumerate(article.notes, start=1)}
        self._ = ui_gettext(project.locales_dir, article.locale)

    def html(self, text: Text, spoken_by_sentence: bool = False) -> Markup:
        """``spoken_by_sentence``: a text the narration reads sentence by sentence; with the
        writer's ``sentences``, each of its sentences in a ``<span class="s">`` (when it has more
        than one), for synchronised text to mark."""
        pieces = inline.sentences(text.markdown, self.article.locale) if spoken_by_sentence and self.sentences else ()
        if len(pieces) > 1:
            rendered = Markup("").join(
                Markup('<span class="s">%s</span>%s')
                % (_inline_html(piece.strip(), self.rtl, self.article.locale), " " if piece[-1:].isspace() else "")
                for piece in pieces
            )
        else:
            rendered = _inline_html(text.markdown, self.rtl, self.article.locale)
        for term in self.dfn.get(text.key, ()):
            rendered = _mark_term(rendered, inline.plain(term.markdown), self.article.locale)
        return _note_refs(rendered, self.notes) if self.notes else rendered

    def views(self, blocks: tuple[Block, ...]) -> list[View]:
        out = [self.view(block) for block in blocks]
        for view, after in itertools.pairwise(out):
            view.intro = view.kind == "p" and after.kind in ("list", "table", "checklist")
        return out

    def view(self, block: Block) -> View:
        _html = self.html
        if isinstance(block, Heading):
            return View("heading", level=self.levels.next(block.level), html=_html(block.text))
        if isinstance(block, Paragraph):
            return View("p", html=_html(block.text, spoken_by_sentence=True))
        if isinstance(block, ListBlock):
            return self.list_view(block)
        if isinstance(block, Table):
            header = [_html(t) for t in block.header]
            return View("table", header=header, rows=[[_html(t) for t in row] for row in block.rows])
        if isinstance(block, Figure):
            src = image_path(self.article, self.project, block).as_uri()
            caption = _html(block.caption) if block.caption else None
            return View("figure", src=src, alt=_plain(block.alt), caption=caption)
        if isinstance(block, Quote):
            return View("quote", children=self.views(block.blocks))
        if isinstance(block, Callout):
            label = self._(CALLOUT_LABELS[block.kind])
            return View("callout", label=label, callout=block.kind, children=self.views(block.blocks))
        if isinstance(block, Checklist):
            return View("checklist", items=[ListItemView(_html(item, spoken_by_sentence=True)) for item in block.items])
        if isinstance(block, DefinitionList):
            items = [ListItemView(_html(term), defs=[_html(d) for d in defs]) for term, defs in block.items]
            return View("deflist", items=items)
        if isinstance(block, GlossaryNote):
            line = escape(self._("{term}: {definition}"))
            term = Markup("<b>") + _capitalised(_html(block.term)) + Markup("</b>")
            return View("definition", html=line.format(term=term, definition=_html(block.definition)))
        raise unhandled(block, "the print renderer")

    def list_view(self, block: ListBlock) -> View:
        """A list, with the lists inside its items, numbered as the author numbered it."""
        items = []
        for item in block.items:
            sublist = self.list_view(item.sublist) if item.sublist else None
            items.append(ListItemView(self.html(item.text, spoken_by_sentence=not self.references), sublist))
        return View("list", ordered=block.ordered, start=block.start, loose=block.loose, items=items)


def _capitalised(html: Markup) -> Markup:
    """The term with its first letter as at the start of a sentence ("Remission: ...")."""
    done = False

    def first(text: str) -> str:
        nonlocal done
        if done or not text.strip():
            return str(escape(text))
        done = True
        i = len(text) - len(text.lstrip())
        return str(escape(text[:i] + text[i].upper() + text[i + 1 :]))

    return Markup(map_text(html, first))


def _mark_term(html: Markup, term: str, locale: str) -> Markup:
    """``html`` with the first whole-word use of ``term`` in <dfn>, the term being defined there."""
    done = False

    def mark(text: str) -> str:
        nonlocal done
        span = None if done else segment.find_word(text, term, locale)
        if span is None:
            return str(escape(text))
        done = True
        at, end = span
        return f"{escape(text[:at])}<dfn>{escape(text[at:end])}</dfn>{escape(text[end:])}"

    return Markup(map_text(html, mark))


def _note_refs(html: Markup, numbers: dict[str, int]) -> Markup:
    """Footnote references ("[^label]") as superscript numbers that link to the note."""

    def ref(match: re.Match[str]) -> str:
        n = numbers.get(match["label"])
        if n is None:
            return match[0]
        return f'<sup class="note-ref"><a href="#note-{n}" id="note-ref-{n}">{n}</a></sup>'

    return Markup(inline.NOTE_REF.sub(ref, str(html)))


@dataclass
class ListItemView:
    html: Markup
    sublist: View | None = None
    id: str = ""
    defs: list[Markup] = field(default_factory=list)  # a defined term's definitions


def _plain(text: Any) -> str:
    return inline.plain(text.markdown)


def image_path(article: Article, project: Project, figure: Figure) -> Path:
    """A figure's image, which must be a file under the project's source/ folder."""
    path = (article.path.parent / figure.src).resolve()
    root = project.source_dir.resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise PackagerError(f"image {figure.src!r} must be a file inside {root}", article.path, figure.alt.line)
    return path


# -- rendering --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its file name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True)
class Rendered:
    """The HTML and the per-document CSS for one article in one theme."""

    html: str
    css: str
    fonts: fonts.FontPlan
    direction: str
    lang: str


def render(article: Article, project: Project, theme: Theme, *, tight: bool = False) -> Rendered:
    """HTML + page CSS; raises PackagerError if a character has no font.

    ``tight`` sets the theme's tighter spacing between blocks (``html.tight`` in its CSS):
    the builder's second try when a page would hold only a section's last few lines, or end
    a section half-way down.
    """
    context = article_context(article, project, theme, tight=tight)
    _ = ui_gettext(project.locales_dir, article.locale)
    meta, locale, lang, dir_, title = article.meta, article.locale, context["lang"], context["dir"], context["title"]
    version_line = _("Version {version}").format(version=meta.version)
    html = _environment().get_template("article.html").render(context)
    page_of = _("Page {page} of {pages}")
    footer = [title, version_line, dated_line(meta, locale, _)]
    running = _(DRAFT_LINE) if article.draft else ""
    plan = fonts.plan_fonts(locale, "".join([text_of(html), *footer, page_of, running, "…", fonts.CHROME]))
    css = page_css(
        theme,
        paper=paper_size(project),
        dir_=dir_,
        footer=footer,
        page_of=page_of,
        running=running,
        plan=plan,
    )
    return Rendered(html=html, css=css, fonts=plan, direction=dir_, lang=lang)


def dated_line(meta: Meta, locale: str, _: Callable[[str], str]) -> str:
    """The footer's date: "Last updated", unless a medical reviewer is named. A bare "Reviewed
    1 November 2026" reads to a patient as a medical review, which only a named reviewer makes."""
    day = format_day(meta.reviewed, locale)
    if not meta.medical_reviewers:
        return _("Last updated {date}").format(date=day)
    reviewers = ", ".join(meta.medical_reviewers)
    return _("Medically reviewed by {reviewers}, {date}").format(reviewers=reviewers, date=day)


def article_context(
    article: Article, project: Project, theme: Theme, *, tight: bool = False, sentences: bool = False
) -> dict[str, Any]:
    """What the article templates show: the title, notices, masthead, sections as views, "About
    this handout". The print edition (``article.html``) and the EPUB (``epub.xhtml``) both read it.
    ``sentences``: each sentence the narration speaks on its own in a span (synchronised text)."""
    locale = article.locale
    _ = ui_gettext(project.locales_dir, locale)
    meta = article.meta
    lang, dir_ = html_lang(locale), direction(locale)
    title = _plain(meta.title)
    reviewed = format_day(meta.reviewed, locale)
    draft_notices = notices_in_both(article, project.locales_dir)
    clinic = project.settings.clinic
    listen = None
    if project.settings.publish_url.strip():
        from packager.builders import main_output, output_dir

        page = output_dir(Path(), "site", locale) / main_output("site", article)  # the listening station
        url = qr.published_url(project.settings.publish_url, page.as_posix())
        listen = {
            "svg": qr.qr_svg(url, _("Audio version of this handout")),
            "label": _("Listen to this handout: scan the code with your phone."),
            "url": url,
        }
    article = glossary.place(article)
    writer = _Writer(article, project, sentences)
    sections = []
    for section in article.sections:
        writer.levels.last = 2
        writer.references = section.id in project.settings.audio.reference_sections
        sections.append(
            {
                "id": section.id,
                "heading": writer.html(section.heading) if section.heading else None,
                "blocks": writer.views(section.blocks),
            }
        )
    writer.references = False
    notes = [
        {"number": n, "html": writer.html(note.text, spoken_by_sentence=True), "id": ""}
        for n, note in enumerate(article.notes, start=1)
    ]
    about = [(_("Version"), meta.version), (_("Last updated"), reviewed)]
    if meta.authors:
        about.append((_("Written by"), ", ".join(meta.authors)))
    if meta.medical_reviewers:
        about.append((_("Medical review by"), ", ".join(meta.medical_reviewers)))
    about += [(_("Source"), meta.source), (_("Licence"), meta.licence)]
    keywords = [title, _("Patient information")]
    if theme is LARGE_PRINT:
        keywords.append(_("Large print"))
    context = {
        "lang": lang,
        "dir": dir_,
        "theme": theme.name,
        "tight": tight,
        "title": title,
        "title_html": _inline_html(meta.title.markdown, dir_ == "rtl", locale),
        "summary": _plain(meta.summary),
        "summary_html": writer.html(meta.summary, spoken_by_sentence=True),
        "authors": ", ".join(meta.authors),
        "keywords": ", ".join(keywords),
        "generator": f"packager {__version__}",
        "date": pdf_date(article),
        "draft_notices": draft_notices,
        "clinic": {"name": clinic.name.strip(), "contact": clinic.contact.strip()},
        "contact_label": _("Questions? Contact:"),
        "listen": listen,
        "sections": sections,
        "notes": notes,
        "notes_heading": _(NOTES_HEADING),
        "notes_heading_id": "",
        "about_heading": _("About this handout"),
        "about": about,
        "_": _,  # a template's own words, {{ _("...") }}: extracted into locales/packager.pot too
    }
    return context


def notices_in_both(article: Article, locales_dir: Path) -> list[tuple[str, str, str]]:
    """The draft and outdated notices as (text, lang, dir): in the reader's language, then in the
    source's. A notice the reader's catalog leaves in English is given once, never twice."""
    wanted = [article.locale, article.meta.language]
    out: list[tuple[str, str, str]] = []
    for locale in dict.fromkeys(wanted):
        _ = ui_gettext(locales_dir, locale)
        texts = [_(DRAFT_NOTICE)] if article.draft else []
        texts.append(outdated_notice(article, locales_dir, locale))
        for text in texts:
            if text and text not in (notice for notice, _lang, _dir in out):
                out.append((text, html_lang(locale), direction(locale)))
    return out


#: The draft notice as one short line, running at the top of every page after the first.
DRAFT_LINE = N_("Draft translation, not medically reviewed")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.attrs_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("alt", "title", "aria-label") and value:
                self.attrs_text.append(value)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(html: str) -> str:
    """Every character the reader will see (for the font coverage check)."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return "".join(collector.parts)


# -- per-document CSS -------------------------------------------------------------------------


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: quotes, backslashes, controls and <>& escaped by code point."""
    out = []
    for char in text:
        if char == "\n":
            out.append("\\A ")
        elif char in '"\\<>&' or ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):X} ")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def isolated_lines(lines: list[str]) -> str:
    """Lines for a margin box, each in its own bidi isolate (FSI...PDI), so each takes its own
    direction: an English line in an Arabic footer keeps its full stop at its end."""
    return " '\\A' ".join(f'"\\2068" {css_string(line)} "\\2069"' for line in lines) or '""'


def counter_content(template: str) -> str:
    """'Page {page} of {pages}' -> a CSS content value with page counters, isolated for bidi.

    The whole phrase sits in a first-strong isolate and each number in its own, so a
    right-to-left footer cannot reorder "1 / 11" into "11 / 1", and an untranslated
    (English) phrase keeps its order inside an Arabic page.
    """
    parts: list[str] = ['"\\2068"']
    rest = template
    while rest:
        at = [(rest.find(k), k) for k in ("{page}", "{pages}") if k in rest]
        if not at:
            parts.append(css_string(rest))
            break
        pos, key = min(at)
        if pos:
            parts.append(css_string(rest[:pos]))
        parts.append(f'"\\2068" counter({key[1:-1]}) "\\2069"')
        rest = rest[pos + len(key) :]
    parts.append('"\\2069"')
    return " ".join(parts)


#: Paper widths in points, for fitting the one-line footer.
PAPER_WIDTH_PT = {"A4": 595.28, "Letter": 612.0}


def shorten(text: str, ems: float, width: Callable[[str], float]) -> str:
    """``text`` cut to at most ``ems`` wide (as ``width`` measures), at a word boundary where it
    has spaces, ending in "…"."""
    if width(text) <= ems:
        return text
    cut = ""
    for char in text:
        if width(cut + char + "…") > ems:
            break
        cut += char
    rest = text[len(cut) :]
    if " " in cut and not rest[:1].isspace():
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:·-") + "…"


def page_css(
    theme: Theme,
    *,
    paper: str,
    dir_: str,
    footer: list[str],
    page_of: str,
    running: str,
    plan: fonts.FontPlan,
) -> str:
    """@page rules (size, margins, footer, running draft line) and the font stack, mirrored for RTL.

    ``footer`` is [title, version, review date]. The handout prints title and version with
    date at the start, the page count at the end. Large print prints one line, "Page X of Y ·
    title", the title shortened to fit the line (version and date are in "About this handout").

    ``running`` is the draft notice as one short line at the top of every page but the first,
    where the full notice is part of the text. Margin boxes hold page furniture only: the
    builder marks their content as artifacts, so a screen reader does not read it on every page.
    """
    start, end = ("right", "left") if dir_ == "rtl" else ("left", "right")
    top, end_margin, bottom, start_margin = theme.margins
    size = "letter" if paper == "Letter" else "A4"
    box = f"font-size: {theme.margin_box_pt}pt; direction: {dir_}; white-space: pre-line;"
    page = [
        f"@page {{ size: {size}; margin-top: {theme.draft_top if running else top}; margin-bottom: {bottom}; "
        f"margin-{start}: {start_margin}; margin-{end}: {end_margin}; font-family: {plan.css_family}; {box}",
    ]
    if theme.one_line_footer:
        line_ems = (PAPER_WIDTH_PT[paper] - points(start_margin) - points(end_margin)) / theme.margin_box_pt
        width = partial(fonts.width_em, plan)
        counter_ems = width(page_of.format(page="000", pages="000") + " · ")
        title = shorten(footer[0], 0.95 * line_ems - counter_ems, width)
        page.append(
            f'  @bottom-center {{ content: {counter_content(page_of)} " · " {isolated_lines([title])}; '
            f"white-space: nowrap; text-align: {start}; vertical-align: top; padding-top: 8pt; width: 100%; }}"
        )
    else:
        page += [
            f"  @bottom-{start} {{ content: {isolated_lines([footer[0], ' · '.join(footer[1:])])}; "
            f"text-align: {start}; "
            "vertical-align: top; padding-top: 8pt; width: 68%; }",
            f"  @bottom-{end} {{ content: {counter_content(page_of)}; text-align: {end}; "
            "vertical-align: top; padding-top: 8pt; width: 32%; }",
        ]
    if running:
        page.append(
            # Never cut: a translation too long for one line wraps upwards into the margin.
            f"  @top-center {{ content: {isolated_lines([running])}; font-weight: bold; "
            f"text-align: {start}; vertical-align: bottom; width: 100%; padding-bottom: 4pt; "
            "margin-bottom: 0.15in; border-bottom: 1.5pt solid #000; }"
        )
    page.append("}")
    rules = [plan.font_face_css(theme.italics), "\n".join(page)]
    if running:
        rules.append(f"@page :first {{ margin-top: {top}; @top-center {{ content: none; border: none; }} }}")
    rules.append(f"html {{ font-family: {plan.css_family}; }}")
    return "\n".join(rule for rule in rules if rule)
