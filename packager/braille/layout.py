"""The article as braille blocks, then pages: formatted to BANA's *Braille Formats:
Principles of Print-to-Braille Transcription, 2016*.

What the guideline asks and where it is done here:

- a title page (§2: title, then edition, producer and notices), every page numbered in braille
  at the right end of its last line (§1.10), which holds nothing else;
- centred main headings with a blank line before and after, runover lines centred with at
  least three blank cells on either side; sub-headings as cell-5 headings with a blank line
  before (§4); a heading never ends a page (it keeps its next two lines with it);
- paragraphs in 3-1 (first line in cell 3, runovers in cell 1), no blank line between (§3);
- lists in 1-3 with a blank line before and after, numbers kept, bullets left out (§8);
- tables linearised (§11.6, listed format): one block per row, every entry led by its
  column heading, first entry 1-5 and the others 3-5, a blank line between rows, after a
  transcriber's note that says so;
- transcriber's notes in 7-5 (§16), for what the braille shows differently from print
  (print emphasis, tables) and for pictures, which become their description (§14).

Text is kept as runs; a run marked ``exact`` (addresses, phone numbers, doses and prices,
code) is brailled with the uncontracted table so it can be copied exactly.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from packager import glossary, inline
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
    Paragraph,
    Quote,
    Table,
    Text,
    unhandled,
)
from packager.i18n.ui import CALLOUT_LABELS, NOTES_HEADING

BLANK = "\u2800"  # the empty braille cell
WALKER = "the braille transcriber"


@dataclass(frozen=True)
class Run:
    text: str
    exact: bool = False  # brailled uncontracted: an address, a phone number, a dose


@dataclass(frozen=True)
class Para:
    """One braille block: its text, its indents (in cells, from 0) and what goes around it."""

    runs: tuple[Run, ...]
    first: int = 0  # indent of its first line
    runover: int = 0  # indent of the lines after it
    centred: bool = False
    blank_before: bool = False
    blank_after: bool = False
    keep_with_next: bool = False  # a heading: never the last thing on a page
    new_page: bool = False  # starts a page (the text after the title page)


@dataclass
class Words:
    """The interface strings a transcription adds, in the reader's language."""

    gettext: Callable[[str], str]
    notices: list[str] = field(default_factory=list)  # draft and outdated notices


TN_LABEL = "Transcriber's note:"
TN_EMPHASIS = "Print emphasis (bold and italics) is not shown."
TN_TABLE = "This table is shown one row at a time; each entry starts with its column heading."
TN_FIGURE = "Picture: {description}"
CHECKLIST = "A list to tick:"
DEFINED = "{term}: {definition}"
VERSION = "Version {version}"
CONTACT = "Questions? Contact:"
TABLE_USED = "Braille table: {table}"


def runs_of(text: Text | str, exact_spans: Callable[[str], list[tuple[int, int]]]) -> tuple[Run, ...]:
    """Inline Markdown as runs: links by their text, then their address when it says more; code,
    and what ``exact_spans`` finds in plain text, exact."""
    root = inline.parse(inline.without_notes(text.markdown if isinstance(text, Text) else text))
    out: list[Run] = []

    def plain(chunk: str) -> None:
        at = 0
        for start, end in exact_spans(chunk):
            out.append(Run(chunk[at:start]))
            out.append(Run(chunk[start:end], exact=True))
            at = end
        out.append(Run(chunk[at:]))

    def walk(node: etree.Element) -> None:
        plain(node.text or "")
        for child in node:
            if child.tag == "code":
                out.append(Run("".join(child.itertext()), exact=True))
            elif child.tag == "a":
                label = "".join(child.itertext())
                address = inline.printed_address(label, child.get("href", ""))
                walk(child)
                if address:
                    out.extend([Run(" ("), Run(address, exact=True), Run(")")])
            else:
                walk(child)
            plain(child.tail or "")

    walk(root)
    return tuple(run for run in out if run.text)


class Transcriber:
    """The walker: article -> braille blocks. It raises on a block kind it does not know."""

    def __init__(self, exact_spans: Callable[[str], list[tuple[int, int]]], words: Words):
        self.exact_spans = exact_spans
        self.words = words
        self.table_note_given = False

    def runs(self, text: Text | str) -> tuple[Run, ...]:
        return runs_of(text, self.exact_spans)

    def note(self, message: str) -> Para:
        _ = self.words.gettext
        return Para(self.runs(f"{_(TN_LABEL)} {message}"), first=6, runover=4, blank_before=True, blank_after=True)

    def title_page(self, article: Article, clinic_name: str, contact: str, table: str) -> list[Para]:
        _ = self.words.gettext
        out = [Para(self.runs(article.meta.title), centred=True, blank_after=True)]
        out.append(Para(self.runs(_(VERSION).format(version=article.meta.version)), centred=True, blank_after=True))
        if clinic_name:
            out.append(Para(self.runs(clinic_name), centred=True))
        if contact:
            out.append(Para(self.runs(f"{_(CONTACT)} {contact}"), centred=True))
        for notice in self.words.notices:
            out.append(Para(self.runs(notice), blank_before=True, first=2))
        before, _placeholder, after = _(TABLE_USED).partition("{table}")
        runs = (*self.runs(before), Run(table, exact=True), *self.runs(after))  # a file name: exact
        out.append(Para(runs, blank_before=True, first=2))
        if any(_has_emphasis(t) for t in article.texts()):
            out.append(self.note(_(TN_EMPHASIS)))
        return out

    def article(self, article: Article) -> list[Para]:
        out: list[Para] = [Para(self.runs(article.meta.summary), first=2, new_page=True)]
        article = glossary.place(article)
        for section in article.sections:
            if section.heading is not None:
                out.append(self.main_heading(section.heading))
            out += self.blocks(section.blocks)
        if article.notes:  # footnotes as endnotes, numbered as print numbers them
            out.append(self.main_heading(self.words.gettext(NOTES_HEADING)))
            for n, note in enumerate(article.notes, start=1):
                out.append(Para((Run(f"{n}. "), *self.runs(note.text)), first=0, runover=2))
        return out

    def main_heading(self, text: Text | str) -> Para:
        return Para(self.runs(text), centred=True, blank_before=True, blank_after=True, keep_with_next=True)

    def blocks(self, blocks: tuple[Block, ...]) -> list[Para]:
        out: list[Para] = []
        for block in blocks:
            out += self.block(block)
        return out

    def list_items(self, block: ListBlock, depth: int) -> list[Para]:
        """Items at cells 1-3 (BANA's list format), a list inside an item two cells further in,
        numbered as the author numbered them."""
        items = []
        for n, item in enumerate(block.items, start=block.start):
            number: tuple[Run, ...] = (Run(f"{n}. "),) if block.ordered else ()
            items.append(Para(number + self.runs(item.text), first=2 * depth, runover=2 * depth + 2))
            if item.sublist is not None:
                items += self.list_items(item.sublist, depth + 1)
        return items

    def block(self, block: Block) -> list[Para]:
        _ = self.words.gettext
        if isinstance(block, Heading):
            return [Para(self.runs(block.text), first=4, runover=4, blank_before=True, keep_with_next=True)]
        if isinstance(block, Paragraph):
            return [Para(self.runs(block.text), first=2)]
        if isinstance(block, ListBlock):
            return _surrounded(self.list_items(block, 0))
        if isinstance(block, Table):
            out = [] if self.table_note_given else [self.note(_(TN_TABLE))]
            self.table_note_given = True
            for row in block.rows:
                entries = []
                for n, (head, cell) in enumerate(zip(block.header, row, strict=False)):
                    runs = (*self.runs(head), Run(": "), *self.runs(cell)) if inline.plain(head.markdown) else ()
                    entries.append(Para(runs or self.runs(cell), first=0 if n == 0 else 2, runover=4))
                entries[0] = replace(entries[0], blank_before=True)
                out += entries
            out[-1] = replace(out[-1], blank_after=True)
            return out
        if isinstance(block, Figure):
            picture = [self.note(_(TN_FIGURE).format(description=inline.plain(block.alt.markdown)))]
            return picture + ([Para(self.runs(block.caption), first=2)] if block.caption else [])
        if isinstance(block, Quote):
            return _surrounded(self.blocks(block.blocks))
        if isinstance(block, Callout):  # its label as a cell-5 heading, its text set off by blank lines
            label = Para(self.runs(_(CALLOUT_LABELS[block.kind])), first=4, runover=4, keep_with_next=True)
            return _surrounded([label, *self.blocks(block.blocks)])
        if isinstance(block, Checklist):  # nothing to tick in braille: a list, announced
            items = [Para(self.runs(item), first=0, runover=2) for item in block.items]
            return _surrounded([Para(self.runs(_(CHECKLIST)), first=2, keep_with_next=True), *items])
        if isinstance(block, DefinitionList):
            entries = []
            for term, definitions in block.items:
                said: list[Run] = [*self.runs(term), Run(": ")]
                for d in definitions:
                    said += [*self.runs(d), Run(" ")]
                entries.append(Para(tuple(said), first=0, runover=2))
            return _surrounded(entries)
        if isinstance(block, GlossaryNote):
            before, _term, rest = _(DEFINED).partition("{term}")
            between, _definition, after = rest.partition("{definition}")
            runs = (*self.runs(before), *self.runs(block.term), *self.runs(between))
            return [Para((*runs, *self.runs(block.definition), *self.runs(after)), first=2)]
        raise unhandled(block, WALKER)


def _surrounded(paras: list[Para]) -> list[Para]:
    """A blank line before the first and after the last (lists, quotations)."""
    if paras:
        paras[0] = replace(paras[0], blank_before=True)
        paras[-1] = replace(paras[-1], blank_after=True)
    return paras


def _has_emphasis(text: Text) -> bool:
    return any(node.tag in ("em", "strong") for node in inline.parse(text.markdown).iter())


# -- lines and pages ------------------------------------------------------------------------------


def wrap(cells: str, width: int, first: int, runover: int) -> list[str]:
    """Braille words into lines of at most ``width`` cells with the given indents. A word longer
    than a line (a long address) is divided at the line's end."""
    words = [w for w in cells.split(BLANK) if w]
    lines: list[str] = []
    line = BLANK * first
    fresh = True  # nothing but the indent on this line yet
    for word in words:
        while word:
            gap = "" if fresh else BLANK
            if len(line) + len(gap) + len(word) <= width:
                line += gap + word
                word, fresh = "", False
            elif fresh:  # longer than a whole line: divide it
                room = width - len(line)
                line, word = line + word[:room], word[room:]
                lines.append(line)
                line, fresh = BLANK * runover, True
            else:
                lines.append(line)
                line, fresh = BLANK * runover, True
    if not fresh or not lines:
        lines.append(line)
    return lines


def centre(cells: str, width: int) -> list[str]:
    """Centred lines, each with at least three blank cells on either side."""
    lines = wrap(cells, max(width - 6, 1), 0, 0)
    return [BLANK * ((width - len(line)) // 2) + line for line in lines]


def para_lines(braille: str, para: Para, width: int) -> list[str]:
    return centre(braille, width) if para.centred else wrap(braille, width, para.first, para.runover)


def paginate(blocks: list[tuple[Para, list[str]]], text_lines: int) -> list[list[str]]:
    """Blocks of lines -> pages of at most ``text_lines`` lines. No page starts with a blank line;
    a heading moves to the next page unless two lines of what follows fit after it; a block
    of several lines never leaves just its first line at the foot of a page."""
    pages: list[list[str]] = [[]]
    for index, (para, lines) in enumerate(blocks):
        page = pages[-1]
        if para.new_page and page:
            pages.append([])
            page = pages[-1]
        if para.blank_before and page and page[-1] != "":
            page.append("")
        needed = min(2, len(lines))
        if para.keep_with_next and index + 1 < len(blocks):
            needed = len(lines) + int(para.blank_after) + min(2, len(blocks[index + 1][1]))
        if page and len(page) + min(needed, text_lines) > text_lines:
            pages.append([])
            page = pages[-1]
        for line in lines:
            if len(page) == text_lines:
                pages.append([])
                page = pages[-1]
            page.append(line)
        if para.blank_after and len(page) < text_lines:
            page.append("")
    for page in pages:
        while page and page[-1] == "":
            page.pop()
    return [page for page in pages if page]


def number_pages(pages: list[list[str]], numbers: list[str], width: int, lines: int) -> list[list[str]]:
    """Every page padded to ``lines`` lines, its braille number at the right end of the last."""
    out = []
    for page, number in zip(pages, numbers, strict=True):
        padded = page + [""] * (lines - 1 - len(page))
        out.append([line.rstrip(BLANK) for line in padded] + [BLANK * (width - len(number)) + number])
    return out


def join_runs(braille: list[str], runs: tuple[Run, ...]) -> str:
    """The brailled runs as one string of cells, spaces kept where the print had them."""
    parts = []
    for cells, run in zip(braille, runs, strict=True):
        lead = BLANK if run.text[:1].isspace() else ""
        trail = BLANK if run.text[-1:].isspace() else ""
        parts.append(lead + cells.strip(BLANK + " ") + trail)
    return re.sub(f"{BLANK}+", BLANK, "".join(parts)).strip(BLANK)
