"""Glossary terms: defined once in the front matter, explained where the text first uses them.

The first use is found in the text being rendered (a translation is searched for its own
translated term), as whole words by ICU's word ends (:func:`packager.segment.find_word`), so
it works where no space separates words. Every renderer calls :func:`place`, which puts a
:class:`~packager.document.GlossaryNote` after the block holding the first use: print shows
it as a small definition box, the narration says it after that block, braille after it too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from packager import inline, segment
from packager.document import Article, Block, GlossaryEntry, GlossaryNote, Section, Text, iter_texts
from packager.errors import PackagerError


def first_uses(article: Article) -> dict[str, tuple[int, int, Text]]:
    """By term key: (section index, block index, Text) of the term's first use in the body text
    (an image's description is not printed, so a use there does not count)."""
    found: dict[str, tuple[int, int, Text]] = {}
    if not article.meta.glossary:
        return found
    for s, section in enumerate(article.sections):
        for b, block in enumerate(section.blocks):
            if isinstance(block, GlossaryNote):
                continue
            for text in iter_texts(block):
                if text.key.endswith("/alt"):
                    continue
                plain = inline.plain(text.markdown)
                for entry in article.meta.glossary:
                    if entry.term.key not in found and uses(plain, entry.term, article.locale):
                        found[entry.term.key] = (s, b, text)
    return found


def uses(plain: str, term: Text, locale: str) -> bool:
    return segment.find_word(plain, inline.plain(term.markdown), locale) is not None


def check_used(article: Article) -> None:
    """A glossary term the source text never uses is an error naming its front-matter line."""
    used = first_uses(article)
    for entry in article.meta.glossary:
        if entry.term.key not in used:
            raise PackagerError(
                f"glossary term {entry.term.markdown!r} is never used in the text", article.path, entry.term.line
            )


def unused_terms(translated: Article) -> Iterator[GlossaryEntry]:
    """The glossary entries whose (translated) term the (translated) text never uses: the
    source uses each of its terms (:func:`check_used`), so a translator wrote another word in
    the text than in the glossary, and the reader would never see the definition."""
    used = first_uses(translated)
    yield from (entry for entry in translated.meta.glossary if entry.term.key not in used)


def place(article: Article) -> Article:
    """``article`` with a GlossaryNote after the block of each term's first use (idempotent)."""
    if not article.meta.glossary or any(isinstance(b, GlossaryNote) for s in article.sections for b in s.blocks):
        return article
    used = first_uses(article)
    after: dict[tuple[int, int], list[GlossaryNote]] = {}
    for entry in article.meta.glossary:
        if entry.term.key in used:
            s, b, text = used[entry.term.key]
            after.setdefault((s, b), []).append(GlossaryNote(entry.term, entry.definition, text.key))
    sections = []
    for s, section in enumerate(article.sections):
        blocks: list[Block] = []
        for b, block in enumerate(section.blocks):
            blocks.append(block)
            blocks.extend(after.get((s, b), []))
        sections.append(dataclasses.replace(section, blocks=tuple(blocks)))
    return dataclasses.replace(article, sections=tuple(sections))


def defined_in(sections: tuple[Section, ...]) -> dict[str, Text]:
    """By the key of the Text that first uses it: the term to mark there (as <dfn> in print)."""
    return {b.used_in: b.term for s in sections for b in s.blocks if isinstance(b, GlossaryNote)}
