"""The speech script: what a listener hears, made from the translated document tree.

Built from the :class:`~packager.document.Article`, never from raw Markdown:
links are read by their text, bare addresses in a sayable form, figures by
their description, tables row by row and the reference list shortened.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError

from packager import inline
from packager.document import (
    Article,
    Block,
    Figure,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Section,
    Table,
    Text,
    unhandled,
)
from packager.i18n.ui import outdated_notice, ui_gettext
from packager.speech.lexicon import Lexicon
from packager.speech.normalize import normalize, sayable_address

#: Seconds of silence after each kind of utterance: the rhythm a listener navigates by.
PAUSES = {"title": 0.9, "heading": 0.8, "paragraph": 0.7, "item": 0.5, "last-item": 0.7, "notice": 0.8}
OPENING_ID = "introduction"  # the source's id for text before the first heading, too


@dataclass(frozen=True)
class Utterance:
    text: str  # normalised: exactly what the engine is given
    pause: float  # seconds of silence after it
    words: int  # words (or CJK characters) in the source wording, for measuring speech rate


@dataclass(frozen=True)
class Chapter:
    id: str  # the section id: stable across translations, used in file names
    title: str  # the translated heading, plain text
    utterances: tuple[Utterance, ...]


@dataclass(frozen=True)
class Script:
    locale: str
    title: str
    chapters: tuple[Chapter, ...]

    def utterances(self) -> list[Utterance]:
        return [u for chapter in self.chapters for u in chapter.utterances]


def count_words(text: str) -> int:
    """Words for speech rate: CJK characters count one each, other words by spaces."""
    cjk = len(re.findall(r"[\u3400-\u9fff]", text))
    return cjk + len(re.findall(r"[^\s\u3400-\u9fff\W]+", re.sub(r"[\u3400-\u9fff]", " ", text)))


def language_name(locale: str) -> str:
    try:
        parsed = Locale.parse(locale)
    except (ValueError, UnknownLocaleError):
        return locale
    return parsed.get_language_name(parsed) or locale


class _Writer:
    """Collects utterances for one chapter; one place decides wording and pauses."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self.out: list[Utterance] = []

    def say(self, plain: str, kind: str) -> None:
        plain = plain.strip()
        if not plain:
            return
        if not re.search(r"[.!?。！？:：]$", plain):
            plain += "。" if self.lexicon.word_joiner == "" else "."
        self.out.append(Utterance(normalize(plain, self.lexicon), PAUSES[kind], count_words(plain)))


def build_script(article: Article, lexicon: Lexicon, reference_sections: tuple[str, ...] = ("references",)) -> Script:
    """The whole narration of ``article`` in its own language, one chapter per section."""
    _ = ui_gettext("speech", article.locale)
    title = _spoken(article.meta.title, lexicon)
    opening = _Writer(lexicon)
    opening.say(title, "title")
    opening.say(_("Language: {language}.").format(language=language_name(article.locale)), "notice")
    if article.draft:
        opening.say(_("This is a draft translation. It has not yet been checked by a medical reviewer."), "notice")
    # Spoken in the listener's language only: the printed page carries the English too.
    opening.say(outdated_notice(article, "speech", article.locale, spoken=True), "notice")
    opening.say(_spoken(article.meta.summary, lexicon), "paragraph")
    chapters = [Chapter(OPENING_ID, title, ())]
    for section in article.sections:
        writer = opening if section.heading is None else _Writer(lexicon)
        if writer is not opening:
            heading = _spoken(section.heading, lexicon) if section.heading else ""
            writer.say(heading, "heading")
        _section(writer, section, section.id in reference_sections, _)
        if writer is not opening:
            chapters.append(Chapter(section.id, _plain(section.heading), tuple(writer.out)))
    chapters[0] = Chapter(OPENING_ID, _plain(article.meta.title), tuple(opening.out))
    return Script(article.locale, _plain(article.meta.title), tuple(chapters))


def _section(writer: _Writer, section: Section, references: bool, _) -> None:
    for block in section.blocks:
        if references and isinstance(block, ListBlock):
            _references(writer, block, _)
        else:
            _block(writer, block, _)


def _block(writer: _Writer, block: Block, _) -> None:
    lexicon = writer.lexicon
    if isinstance(block, Heading):
        writer.say(_spoken(block.text, lexicon), "heading")
    elif isinstance(block, Paragraph):
        writer.say(_spoken(block.text, lexicon), "paragraph")
    elif isinstance(block, ListBlock):
        _list(writer, block, _)
    elif isinstance(block, Table):
        header = [_spoken(cell, lexicon) for cell in block.header]
        for row in block.rows:
            cells = [_spoken(cell, lexicon) for cell in row]
            parts = [f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=False)]
            writer.say(" ".join(p if re.search(r"[.!?。]$", p) else p + "." for p in parts), "item")
    elif isinstance(block, Figure):
        writer.say(_("Figure: {description}").format(description=_spoken(block.alt, lexicon)), "paragraph")
    elif isinstance(block, Quote):
        for inner in block.blocks:
            _block(writer, inner, _)
    else:
        raise unhandled(block, "the speech script")


def _list(writer: _Writer, block: ListBlock, _, parent: tuple[int, ...] = ()) -> None:
    """Items with the numbers the page shows; a point inside a numbered step says which step
    it belongs to ("Step 2, point 1."), and a point inside that point which point too
    ("Step 2, point 1, sub-point 1."), so a listener never loses the numbering."""
    for n, item in enumerate(block.items, start=block.start):
        said = _spoken(item.text, writer.lexicon)
        point = n - block.start + 1
        if len(parent) == 1:
            said = _("Step {step}, point {point}.").format(step=parent[0], point=point) + " " + said
        elif len(parent) == 2:
            label = _("Step {step}, point {point}, sub-point {sub}.")
            said = label.format(step=parent[0], point=parent[1], sub=point) + " " + said
        elif block.ordered:
            said = f"{n}. {said}"
        last = n == block.start + len(block.items) - 1 and item.sublist is None
        writer.say(said, "last-item" if last else "item")
        if item.sublist is not None:
            inner = (*parent, point) if parent else (n,) if block.ordered else ()
            _list(writer, item.sublist, _, inner)


_YEAR = re.compile(r"\((\d{4})\)")
_INITIALS = re.compile(r"(?:\s+(?:[A-Z]\.?){1,3}|\s*&)$")


def _references(writer: _Writer, block: ListBlock, _) -> None:
    """Each reference as first author, year and journal: titles and addresses stay in print."""
    for n, item in enumerate(block.items, start=1):
        root = inline.parse(item.text.markdown)
        plain = _plain_text(root)
        journal = " ".join("".join(e.itertext()) for e in root.iter("em"))
        year = _YEAR.search(plain)
        authors = plain[: year.start()] if year else plain.split(".")[0]
        names = [a.strip() for a in re.split(r"[,，،]", authors) if a.strip()]
        first = _INITIALS.sub("", names[0].rstrip(". ")) if names else ""
        others = len(names) > 1
        said = first + (" " + _("and others") if others else "")
        if year:
            said += f", {year.group(1)}"
        if journal:
            said += f", {journal}"
        writer.say(_("Reference {number}: {reference}").format(number=n, reference=said), "item")
    writer.say(_("The full reference list is in the printed handout."), "paragraph")


def _plain(text: Text | None) -> str:
    return inline.plain(text.markdown).strip() if text else ""


def _plain_text(root: etree.Element) -> str:
    """Inline text with autolinked addresses dropped (they are read elsewhere or not at all)."""
    parts = [root.text or ""]
    for child in root:
        label = "".join(child.itertext())
        if child.tag == "a" and label.strip() == child.get("href", "").strip():
            parts.append("")
        else:
            parts.append(label)
        parts.append(child.tail or "")
    return "".join(parts).strip()


def _spoken(text: Text | None, lexicon: Lexicon) -> str:
    """Links by their text; a link whose text is an address, in its sayable form."""
    if text is None:
        return ""
    root = inline.parse(text.markdown)
    parts = [root.text or ""]
    for child in root:
        label = "".join(child.itertext())
        if child.tag == "a" and re.fullmatch(r"\s*(?:https?://|www\.)?[\w-]+(?:\.[\w-]+)+(?:/\S*)?\s*", label):
            label = sayable_address(label, lexicon)
        parts.append(label)
        parts.append(child.tail or "")
    return "".join(parts)
