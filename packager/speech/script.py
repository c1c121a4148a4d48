"""The speech script: what a listener hears, made from the translated document tree.

Built from the :class:`~packager.document.Article`, never from raw Markdown:
links are read by their text, bare addresses in a sayable form, figures by
their description, tables row by row.

A listener who cannot see the page is oriented by voice: the opening says that
the voice is synthetic, how many parts there are and how to skip one; every
part starts with "Part N of M"; a closing part gives the clinic's contact; the
reference list, read in full, is the last part, so it is easy to skip; and the
recording says where it ends.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from babel import Locale, UnknownLocaleError

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
    Section,
    Table,
    Text,
    unhandled,
)
from packager.i18n.ui import CALLOUT_LABELS, NOTES_HEADING, outdated_notice, ui_gettext
from packager.speech import islands
from packager.speech.lexicon import Lexicon
from packager.speech.normalize import normalize, sayable_address

#: Seconds of silence after each kind of utterance: the rhythm a listener navigates by.
PAUSES = {
    "title": 0.9,
    "heading": 0.8,
    "paragraph": 0.7,
    "item": 0.5,
    "last-item": 0.7,
    "notice": 0.8,
    "part": 0.4,
    "label": 0.4,  # a call-out's kind or a checklist's announcement, before what it announces
    "sentence": 0.4,  # between the sentences of one paragraph or item
}
OPENING_ID = "introduction"  # the source's id for text before the first heading, too
CLOSING_ID = "closing"  # the part that gives the clinic's contact, after the last section of the article
NOTES_ID = "endnotes"  # the footnotes, read after the last section (as print has them), before the closing


@dataclass(frozen=True)
class Utterance:
    text: str  # normalised: exactly what the engine is given
    pause: float  # seconds of silence after it
    words: int  # words (or CJK characters) in the source wording, for measuring speech rate
    #: a later sentence of the paragraph or item the previous utterance began (synchronised
    #: text marks each sentence of an element in turn)
    joins: bool = False


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


def count_words(text: str, locale: str = "en") -> int:
    """Words for the speech rate (``audio.rate``, the ``words_per_minute`` a build reports).

    The words ICU's word breaks find for the language: Thai, Lao, Khmer and Burmese by
    dictionary, not by the spaces between phrases; "CAR-T" two, "don't" one. In the wide scripts
    of East Asia (Han, kana, hangul) each letter counts one: each is a syllable, which is what
    eSpeak's speeds are measured in (``SPEED_FACTOR`` for Chinese in characters a minute, and the
    calibration of other voices in syllables a minute, :mod:`packager.speech.engines.espeak`).
    """
    from packager.segment import word_spans

    count = 0
    for start, end in word_spans(text, locale):
        piece = text[start:end]
        wide = sum(1 for c in piece if c.isalpha() and unicodedata.east_asian_width(c) == "W")
        count += wide or any(c.isalnum() for c in piece)
    return count


def language_name(locale: str) -> str:
    try:
        parsed = Locale.parse(locale)
    except (ValueError, UnknownLocaleError):
        return locale
    return parsed.get_language_name(parsed) or locale


class _Reader:
    """How this article's texts become spoken text: its lexicon, and islands of the source language.

    ``source`` is the article in its source language (None when narrating the source
    itself); its texts, by message key, tell which spans a translation left untranslated.
    """

    def __init__(self, lexicon: Lexicon, source: Article | None = None, source_lexicon: Lexicon | None = None):
        self.lexicon = lexicon
        self.source_language = source.locale.split("_")[0] if source is not None else ""
        islands_wanted = source is not None and self.source_language != lexicon.locale.split("_")[0]
        self.source_texts = {t.key: t for t in source.texts()} if source is not None and islands_wanted else {}
        self.source_lexicon = source_lexicon or Lexicon(locale=self.source_language)
        self.latin_script = _written_in_latin(lexicon.locale)

    def spoken(self, text: Text | None) -> str:
        """Links by their text; a link whose text is an address, in its sayable form; islands marked."""
        if text is None:
            return ""
        said, emphasised = _spoken_parts(text, self.lexicon)
        source = self.source_texts.get(text.key)
        if source is None:
            return said
        source_said = _spoken_parts(source, self.source_lexicon)[0]
        spans = islands.find(said, source_said, emphasised, self.latin_script)
        for start, end in reversed(spans):
            said = said[:start] + islands.mark(self.source_language, said[start:end]) + said[end:]
        return said


def _written_in_latin(locale: str) -> bool:
    from babel.core import get_global

    likely = get_global("likely_subtags").get(locale) or get_global("likely_subtags").get(locale.split("_")[0], "")
    parts = str(likely).split("_")
    return "Latn" in parts or "Latn" in locale.split("_")


class _Writer:
    """Collects utterances for one chapter; one place decides wording and pauses."""

    def __init__(self, reader: _Reader):
        self.reader = reader
        self.lexicon = reader.lexicon
        self.out: list[Utterance] = []

    def say_text(self, text: Text | None, kind: str, first: Callable[[str], str] = str) -> None:
        """A paragraph or item sentence by sentence, each its own utterance (so it is timed on its
        own: the page marks the sentence being read); ``first`` adds what is said before it (its
        number, "Step 2, point 1.") to the first."""
        if text is None:
            return
        pieces = inline.sentences(text.markdown, self.lexicon.locale)
        for n, piece in enumerate(pieces):
            said = self.reader.spoken(replace(text, markdown=piece))
            last = n == len(pieces) - 1
            self.say(first(said) if n == 0 else said, kind if last else "sentence", joins=n > 0)

    def say(self, plain: str, kind: str, joins: bool = False) -> None:
        from packager.segment import ends_sentence

        plain = plain.strip()
        heard = islands.strip(plain)
        if not heard.strip():
            return
        if not ends_sentence(heard, self.lexicon.locale) and not heard.endswith((":", "：")):
            # A pause and a falling tone where the text has none: a heading, a list item, Thai
            # (written without sentence punctuation). The ends are ICU's for the language: "।",
            # "።", "۔", "؟", "。" end a sentence as "." does.
            plain += "。" if self.lexicon.word_joiner == "" else "."
        pieces = []
        for language, piece in islands.segments(plain):
            if language is None:
                pieces.append(self._own(piece))
            else:
                pieces.append(" " + islands.mark(language, normalize(piece, self.reader.source_lexicon)) + " ")
        said = re.sub(r"\s+", " ", "".join(pieces)).strip()
        self.out.append(Utterance(said, PAUSES[kind], count_words(heard, self.lexicon.locale), joins))

    def _own(self, piece: str) -> str:
        said = normalize(piece, self.lexicon) if piece.strip(" ,;:") else piece
        if self.lexicon.diacritise:
            from packager.speech.diacritics import diacritise

            said = diacritise(said, self.lexicon.diacritise)
        return said


def chapter_sections(article: Article, reference_sections: tuple[str, ...]) -> tuple[list[Section], list[Section]]:
    """The sections with a heading, in narration order: the article's own, then its reference lists."""
    headed = [s for s in article.sections if s.heading is not None]
    return [s for s in headed if s.id not in reference_sections], [s for s in headed if s.id in reference_sections]


def chapter_ids(article: Article, reference_sections: tuple[str, ...]) -> list[str]:
    """Every part's id in narration order: opening, sections, the notes (if any), closing, reference lists."""
    main, references = chapter_sections(article, reference_sections)
    notes = [NOTES_ID] if article.notes else []
    return [OPENING_ID, *(s.id for s in main), *notes, CLOSING_ID, *(s.id for s in references)]


def build_script(
    article: Article,
    lexicon: Lexicon,
    reference_sections: tuple[str, ...] = ("references",),
    clinic: tuple[str, str] = ("", ""),
    source: Article | None = None,
    source_lexicon: Lexicon | None = None,
    locales_dir: Path | None = None,
) -> Script:
    """The whole narration of ``article`` in its own language, one chapter per part.

    ``clinic`` is the clinic's name and contact (phone, address), spoken in the closing part.
    ``source`` (the article in the source language) and its lexicon mark the spans a
    translation kept in the source language, to be spoken in that language. ``locales_dir``
    holds the project's interface catalogs, the wording of the opening and the parts
    (None: English).
    """
    reader = _Reader(lexicon, source, source_lexicon)
    _ = ui_gettext(locales_dir, article.locale)
    article = glossary.place(article)
    main, references = chapter_sections(article, reference_sections)
    total = len(main) + len(references) + 2 + bool(article.notes)
    title = reader.spoken(article.meta.title)
    opening = _Writer(reader)
    opening.say(title, "title")
    opening.say(_("Language: {language}.").format(language=language_name(article.locale)), "notice")
    opening.say(_("This recording uses a synthetic voice: a computer reads the text."), "notice")
    if article.draft:
        opening.say(_("This is a draft translation. It has not yet been checked by a medical reviewer."), "notice")
    # Spoken in the listener's language only: the printed page carries the English too.
    opening.say(outdated_notice(article, locales_dir, article.locale, spoken=True), "notice")
    opening.say(
        _(
            "This recording has {parts} parts. To skip to the next part, use the next track or next chapter button."
        ).format(parts=total),
        "notice",
    )
    opening.say_text(article.meta.summary, "paragraph")
    for section in article.sections:
        if section.heading is None:
            _section(opening, section, _)
    chapters = [Chapter(OPENING_ID, _plain(article.meta.title), tuple(opening.out))]

    def part(spoken_heading: str) -> _Writer:
        writer = _Writer(reader)
        writer.say(_("Part {number} of {total}.").format(number=len(chapters) + 1, total=total), "part")
        writer.say(spoken_heading, "heading")
        return writer

    for section in main:
        writer = part(reader.spoken(section.heading))
        _section(writer, section, _)
        chapters.append(Chapter(section.id, _plain(section.heading), tuple(writer.out)))
    if article.notes:
        # Footnotes never interrupt a sentence: they are read after the text, numbered as printed.
        notes_title = _(NOTES_HEADING)
        writer = part(notes_title)
        for n, note in enumerate(article.notes, start=1):
            writer.say_text(note.text, "item", first=f"{n}. {{}}".format)
        chapters.append(Chapter(NOTES_ID, notes_title, tuple(writer.out)))
    closing_title = _("Contact")
    writer = part(closing_title)
    _closing(writer, clinic, bool(references), _)
    chapters.append(Chapter(CLOSING_ID, closing_title, tuple(writer.out)))
    for n, section in enumerate(references, start=1):
        writer = part(reader.spoken(section.heading))
        _references(writer, section, _)
        if n == len(references):
            writer.say(_("End of recording."), "paragraph")
        chapters.append(Chapter(section.id, _plain(section.heading), tuple(writer.out)))
    return Script(article.locale, _plain(article.meta.title), tuple(chapters))


def _closing(writer: _Writer, clinic: tuple[str, str], references_follow: bool, _) -> None:
    name = " ".join(clinic[0].split())
    contact = spoken_contact(clinic[1], writer.lexicon)
    if name and contact:
        writer.say(_("For questions, contact {clinic}: {contact}").format(clinic=name, contact=contact), "paragraph")
    elif name or contact:
        writer.say(_("For questions, contact {clinic}.").format(clinic=name or contact), "paragraph")
    else:
        writer.say(_("For questions, contact your care team."), "paragraph")
    if references_follow:
        writer.say(_("The last part is the full reference list. You can stop the recording here."), "paragraph")
    else:
        writer.say(_("End of recording."), "paragraph")


_PHONE = re.compile(r"\+?\(?\d[\d ().-]{5,}\d")
_HOST = re.compile(r"(?:https?://|www\.)?[\w-]+(?:\.[\w-]+)+(?:/\S*)?")


def spoken_contact(contact: str, lexicon: Lexicon) -> str:
    """A contact line as a listener would write it down: phone numbers digit by digit in their groups,
    addresses by their host name, the parts (split at "·", "|", ";") apart."""
    said = []
    for part in re.split(r"\s*[·•|;]\s*", contact.strip()):
        if _HOST.fullmatch(part) and not _PHONE.fullmatch(part):
            part = sayable_address(part, lexicon)
        else:
            part = _PHONE.sub(lambda m: ", ".join(" ".join(g) for g in re.findall(r"\d+", m.group(0))), part)
        said.append(part)
    return ", ".join(p for p in said if p)


def _section(writer: _Writer, section: Section, _) -> None:
    for block in section.blocks:
        _block(writer, block, _)


def _block(writer: _Writer, block: Block, _) -> None:
    spoken = writer.reader.spoken
    if isinstance(block, Heading):
        writer.say(spoken(block.text), "heading")
    elif isinstance(block, Paragraph):
        writer.say_text(block.text, "paragraph")
    elif isinstance(block, ListBlock):
        _list(writer, block, _)
    elif isinstance(block, Table):
        header = [spoken(cell) for cell in block.header]
        for row in block.rows:
            cells = [spoken(cell) for cell in row]
            parts = [f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=False)]
            writer.say(" ".join(p if re.search(r"[.!?。]$", p) else p + "." for p in parts), "item")
    elif isinstance(block, Figure):
        # The description first (written for those who cannot see the picture), then the caption
        # the page prints under it: a listener gets every word a reader sees.
        said = _("Figure: {description}").format(description=spoken(block.alt))
        caption = spoken(block.caption)
        writer.say(f"{_sentence(said)} {caption}" if caption else said, "paragraph")
    elif isinstance(block, Quote):
        for inner in block.blocks:
            _block(writer, inner, _)
    elif isinstance(block, Callout):
        writer.say(_(CALLOUT_LABELS[block.kind]), "label")  # "Important." before the call-out's text
        for inner in block.blocks:
            _block(writer, inner, _)
    elif isinstance(block, Checklist):
        writer.say(_("A list to tick:"), "label")
        for n, item in enumerate(block.items, start=1):
            writer.say_text(item, "last-item" if n == len(block.items) else "item", first=f"{n}. {{}}".format)
    elif isinstance(block, DefinitionList):
        for n, (term, definitions) in enumerate(block.items, start=1):
            said = " ".join(_sentence(spoken(d)) for d in definitions)
            writer.say(f"{_sentence(spoken(term), ':')} {said}", "last-item" if n == len(block.items) else "item")
    elif isinstance(block, GlossaryNote):
        said = _("{term} means: {definition}").format(term=spoken(block.term), definition=spoken(block.definition))
        writer.say(said, "paragraph")
    else:
        raise unhandled(block, "the speech script")


def _sentence(text: str, end: str = ".") -> str:
    """``text`` ending in ``end`` unless it ends a sentence already."""
    text = text.strip()
    return text if re.search(r"[.!?。！？:：؟]$", text) else text + end


def _list(writer: _Writer, block: ListBlock, _, parent: tuple[int, ...] = ()) -> None:
    """Items with the numbers the page shows; a point inside a numbered step says which step
    it belongs to ("Step 2, point 1."), and a point inside that point which point too
    ("Step 2, point 1, sub-point 1."), so a listener never loses the numbering."""
    for n, item in enumerate(block.items, start=block.start):
        point = n - block.start + 1
        number = ""
        if len(parent) == 1:
            number = _("Step {step}, point {point}.").format(step=parent[0], point=point)
        elif len(parent) == 2:
            label = _("Step {step}, point {point}, sub-point {sub}.")
            number = label.format(step=parent[0], point=parent[1], sub=point)
        elif block.ordered:
            number = f"{n}."
        last = n == block.start + len(block.items) - 1 and item.sublist is None
        writer.say_text(item.text, "last-item" if last else "item", first=f"{number} {{}}".format if number else str)
        if item.sublist is not None:
            inner = (*parent, point) if parent else (n,) if block.ordered else ()
            _list(writer, item.sublist, _, inner)


def _references(writer: _Writer, section: Section, _) -> None:
    """The reference list read in full, entry by entry; addresses by their host name."""
    for block in section.blocks:
        if not isinstance(block, ListBlock):
            _block(writer, block, _)
            continue
        for n, item in enumerate(block.items, start=1):
            said = writer.reader.spoken(item.text)
            writer.say(_("Reference {number}: {reference}").format(number=n, reference=said), "item")


def _plain(text: Text | None) -> str:
    return inline.plain(text.markdown).strip() if text else ""


def _spoken_parts(text: Text, lexicon: Lexicon) -> tuple[str, list[str]]:
    """The text as said (links by their text, an address link in its sayable form) and its emphasised phrases."""
    root = inline.parse(inline.without_notes(text.markdown))
    parts, emphasised = [root.text or ""], []
    for child in root:
        label = "".join(child.itertext())
        if child.tag == "a" and re.fullmatch(r"\s*(?:https?://|www\.)?[\w-]+(?:\.[\w-]+)+(?:/\S*)?\s*", label):
            label = sayable_address(label, lexicon)
        emphasised += ["".join(e.itertext()) for e in child.iter() if e.tag in ("em", "strong")]
        parts.append(label)
        parts.append(child.tail or "")
    return "".join(parts), emphasised
