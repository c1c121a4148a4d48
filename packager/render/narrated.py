"""The text as the narration speaks it: which element of the page, and which sentence of it,
each utterance reads aloud.

Synchronised text (the EPUB's Media Overlays, the listening-station site) needs, for every
sentence the narration speaks, an id in the page and the utterance's start and end in
``<slug>.timings.json`` (written by the ``audio`` format). Which utterances speak which element
follows the speech script's order within each part: a part opens with "Part N of M" and its
heading, then the utterances of each paragraph, list item (reference lists: one per entry),
table row and figure. A paragraph or item is spoken sentence by sentence (the script's
``joins`` marks a later sentence of the same element), cut where the page cuts it into
``<span class="s">`` (both cut with :func:`packager.inline.sentences`). Spoken-only utterances
(the opening's notices, "Part N of M", the closing) are not matched. A count that does not add
up is an error, never a shifted highlight.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from packager.builders import get_builder
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
    unhandled,
)
from packager.errors import PackagerError
from packager.project import Project

#: Picture types both an EPUB reading system (core media types) and a browser show.
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
}


def narration_files(article: Article, project: Project) -> tuple[Path, str, dict[str, Any]]:
    """The ``audio`` format's folder, its main MP3's name and its parsed timings."""
    folder = project.build_dir / article.locale
    audio_files = get_builder("audio").outputs(article)
    mp3_name = audio_files[0]
    timings_name = next(name for name in audio_files if name.endswith(".timings.json"))
    try:
        timings = json.loads((folder / timings_name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PackagerError(f"the narration's {timings_name} is needed: {exc}") from exc
    return folder, mp3_name, timings


@dataclass(frozen=True)
class Clip:
    """A sentence (or a whole element) of the text and when the narration speaks it (an EPUB
    overlay's ``par``, a listening-station cue)."""

    element: str  # id in the content document
    start: float
    end: float


_SENTENCE = re.compile(re.escape('<span class="s">'))


class Ids:
    """Element ids for the spoken elements, and the images the page carries (under ``images``)."""

    def __init__(self, images: str = "images") -> None:
        self.count = 0
        self.images = images
        self.files: dict[str, Path] = {}
        self.sentences: dict[str, int] = {}  # an element read sentence by sentence: how many it has

    def next(self) -> str:
        self.count += 1
        return f"mo-{self.count}"

    def sentence_ids(self, html: Markup, element: str) -> Markup:
        """``html`` (an element's) with an id on each of its sentences: ``<element>-1``, ``-2``..."""
        count = len(_SENTENCE.findall(html))
        if not count:
            return html
        self.sentences[element] = count
        numbers = itertools.count(1)
        return Markup(_SENTENCE.sub(lambda _: f'<span class="s" id="{element}-{next(numbers)}">', html))


def assign_ids(article: Article, context: dict[str, Any], ids: Ids, project: Project) -> dict[str, list[str]]:
    """Give every spoken element of the context's views an id; by section id, the ids of the
    elements in reading order (the opening's key holds the title and summary first)."""
    from packager.speech.script import OPENING_ID

    context["listen"] = None  # the page carries the narration itself: no QR code to it
    context["title_id"], context["summary_id"] = ids.next(), ids.next()
    context["summary_html"] = ids.sentence_ids(context["summary_html"], context["summary_id"])
    spoken: dict[str, list[str]] = {OPENING_ID: [context["title_id"], context["summary_id"]]}
    references = project.settings.audio.reference_sections
    for section, view in zip(article.sections, context["sections"], strict=True):
        view["heading_md"] = section.heading.markdown if section.heading else ""
        view["heading_id"] = ids.next() if section.heading else ""
        found = [view["heading_id"]] if section.heading else []
        _block_ids(section.blocks, view["blocks"], ids, found, article, project, section.id in references)
        if section.heading:
            spoken[section.id] = found
        else:
            spoken[OPENING_ID] += found
    if context["notes"]:
        from packager.speech.script import NOTES_ID

        context["notes_heading_id"] = ids.next()
        for note in context["notes"]:
            note["id"] = ids.next()
            note["html"] = ids.sentence_ids(note["html"], note["id"])
        spoken[NOTES_ID] = [context["notes_heading_id"], *(note["id"] for note in context["notes"])]
    return spoken


def _block_ids(
    blocks: tuple[Block, ...], views: list, ids: Ids, found: list[str], article: Article, project: Project, ref: bool
) -> None:
    """Ids for the elements the narration speaks one by one, in its order (``ref``: a reference
    list, where the narration reads each entry, not the lists inside it)."""
    from packager.render.html import image_path

    for block, view in zip(blocks, views, strict=True):
        if isinstance(block, (Heading, Paragraph)):
            view.id = ids.next()
            view.html = ids.sentence_ids(view.html, view.id)
            found.append(view.id)
        elif isinstance(block, ListBlock):
            _item_ids(view, ids, found, nested=not ref)
        elif isinstance(block, Table):
            view.row_ids = [ids.next() for _ in block.rows]
            found += view.row_ids
        elif isinstance(block, Figure):
            view.id = ids.next()
            found.append(view.id)
            path = image_path(article, project, block)
            href = f"{ids.images}/{len(ids.files) + 1}{path.suffix.lower()}"
            if path.suffix.lower() not in IMAGE_TYPES:
                said = f"image {block.src!r}: must be PNG, JPEG, GIF or SVG"
                raise PackagerError(said, article.path, block.alt.line)
            ids.files[href] = path
            view.src = href
        elif isinstance(block, Quote):
            _block_ids(block.blocks, view.children, ids, found, article, project, False)  # read as in the text
        elif isinstance(block, Callout):  # the label ("Important"), then the text
            view.label_id = ids.next()
            found.append(view.label_id)
            _block_ids(block.blocks, view.children, ids, found, article, project, False)
        elif isinstance(block, Checklist):  # "A list to tick:" is the list's, then each item
            view.id = ids.next()
            found.append(view.id)
            _item_ids(view, ids, found, nested=False)
        elif isinstance(block, DefinitionList):  # each term with its definitions: one utterance, on the term
            _item_ids(view, ids, found, nested=False)
        elif isinstance(block, GlossaryNote):
            view.id = ids.next()
            found.append(view.id)
        else:
            raise unhandled(block, "the synchronised text")


def _item_ids(view: Any, ids: Ids, found: list[str], nested: bool) -> None:
    for item in view.items:
        item.id = ids.next()
        item.html = ids.sentence_ids(item.html, item.id)
        found.append(item.id)
        if item.sublist is not None and nested:
            _item_ids(item.sublist, ids, found, nested)


def spoken_clips(elements: dict[str, list[str]], timings: dict[str, Any], ids: Ids) -> dict[str, list[Clip]]:
    """By part, its spoken sentences (or elements) in reading order, each with its utterance's
    start and end in the MP3."""
    from packager.speech.script import OPENING_ID

    parts = {part["id"]: part for part in timings["sections"]}
    last_part = timings["sections"][-1]["id"] if timings["sections"] else ""
    clips: dict[str, list[Clip]] = {}
    for part_id, wanted in elements.items():
        part = parts.get(part_id)
        if part is None:
            raise PackagerError(f"the narration has no part {part_id!r}: build the audio again")
        said = _by_element(part["utterances"])
        if part_id == OPENING_ID:  # the title first; the summary and the text before any heading last
            chosen = [said[0], *said[len(said) - len(wanted) + 1 :]] if len(said) >= len(wanted) else []
        else:  # "Part N of M", then the heading and the blocks; the last part ends "End of recording."
            chosen = said[1 : 1 + len(wanted)]
            extra = len(said) - 1 - len(wanted)
            if extra not in ((0, 1) if part_id == last_part else (0,)):
                chosen = []
        if len(chosen) != len(wanted):
            raise PackagerError(
                f"the narration of part {part_id!r} speaks {len(said)} elements for {len(wanted)} of the text"
            )
        clips[part_id] = []
        for element, utterances in zip(wanted, chosen, strict=True):
            count = ids.sentences.get(element, 1)
            if len(utterances) != count:
                raise PackagerError(
                    f"the narration reads element {element} of part {part_id!r} in {len(utterances)} sentences;"
                    f" the page has {count}"
                )
            names = [f"{element}-{n}" for n in range(1, count + 1)] if count > 1 else [element]
            clips[part_id] += [
                Clip(name, float(u["start"]), float(u["end"])) for name, u in zip(names, utterances, strict=True)
            ]
    return clips


def _by_element(utterances: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The part's utterances grouped by the element they read (a later sentence joins its first)."""
    groups: list[list[dict[str, Any]]] = []
    for utterance in utterances:
        if utterance.get("joins") and groups:
            groups[-1].append(utterance)
        else:
            groups.append([utterance])
    return groups
