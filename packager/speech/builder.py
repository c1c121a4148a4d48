"""``AudioBuilder``: the Builder for ``--format audio``.

Per locale it returns one chaptered MP3 of the whole article, one MP3 per
section and an .m3u8 playlist, so that a listener with the simplest player
can still skip section by section.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from packager.builders import Product, Progress
from packager.document import Article
from packager.i18n.ui import ui_gettext, ui_paths
from packager.project import Project
from packager.speech.engines import Engine, EngineUnavailable, Voice, voice_for
from packager.speech.lexicon import find_lexicon, load_lexicon
from packager.speech.script import OPENING_ID, Script, build_script

SPEECH_FORMAT = "speech-3"  # bump when assembly or mastering changes the sound
#: Debian's iso-codes package: the ISO 639-2 codes ID3 wants for a language tag.
ISO_639_2 = Path("/usr/share/iso-codes/json/iso_639-2.json")


@functools.lru_cache(maxsize=1)
def _iso639_2() -> dict[str, str]:
    try:
        entries = json.loads(ISO_639_2.read_text(encoding="utf-8"))["639-2"]
    except (OSError, ValueError, KeyError):  # iso-codes missing: the tag says "undetermined"
        return {}
    return {e["alpha_2"]: e["alpha_3"] for e in entries if "alpha_2" in e}


def iso639_2(locale: str) -> str:
    """The ISO 639-2 (terminology) code of a locale's language, "und" when unknown."""
    return _iso639_2().get(locale.split("_")[0], "und")


def chapter_ids(article: Article) -> list[str]:
    """The opening (title, language, notices and any text before the first heading), then each section."""
    return [OPENING_ID] + [s.id for s in article.sections if s.heading is not None]


class AudioBuilder:
    name = "audio"
    preload = ("numpy", "scipy.signal", "scipy.ndimage", "pyloudnorm", "lameenc", "mutagen.id3")

    def outputs(self, article: Article) -> list[str]:
        slug = article.slug
        tracks = [f"{slug}/{n:02d}-{cid}.mp3" for n, cid in enumerate(chapter_ids(article), start=1)]
        return [f"{slug}.mp3", *tracks, f"{slug}.m3u8"]

    def inputs(self, project: Project, locale: str) -> list[Path | str]:
        engine, voice = voice_for(project, locale)
        found: list[Path | str] = [SPEECH_FORMAT]
        lexicon = find_lexicon(project.locales_dir, locale)
        found += [lexicon] if lexicon else []
        found += ui_paths("speech", locale)
        found.append(f"{engine.name} {engine.version()} voice={engine.identity(voice)} rate={voice.rate}")
        if project.settings.audio.fallback:
            fb_engine, fb_voice = voice_for(project, locale, project.settings.audio.fallback)
            found.append(f"fallback {fb_engine.name} {fb_engine.version()} voice={fb_engine.identity(fb_voice)}")
        return found

    def preflight(self, project: Project, locales: list[str]) -> None:
        """Every locale's engine and voice (and the fallback's) exist: checked before any synthesis."""
        fallback = project.settings.audio.fallback
        for locale in locales:
            voice_for(project, locale)
            if fallback:
                voice_for(project, locale, fallback)

    def build(self, article: Article, project: Project, progress: Progress) -> Product:
        from packager.speech.synthesis import render

        lexicon = load_lexicon(project.locales_dir, article.locale)
        script = build_script(article, lexicon, project.settings.audio.reference_sections)
        engine, voice = voice_for(project, article.locale)
        info: dict[str, Any] = {}
        cache_dir, bitrate = project.build_dir / ".cache" / "tts", project.settings.audio.bitrate
        try:
            rendered = render(script, engine, voice, cache_dir, progress, bitrate)
        except EngineUnavailable as exc:
            fallback = project.settings.audio.fallback
            if not fallback or fallback == engine.name:
                raise
            info["fallback_from"] = f"{engine.name}: {exc.message}"
            engine, voice = voice_for(project, article.locale, fallback)
            rendered = render(script, engine, voice, cache_dir, progress, bitrate)
        files = _package(article, project, script, rendered, engine, voice)
        info.update(rendered.info)
        info.update({"engine": f"{engine.name} {engine.version()}", "voice": voice.name})
        return Product(files=files, info=info)


def _package(article: Article, project: Project, script: Script, rendered, engine: Engine, voice: Voice) -> dict:
    from packager.speech.audio import ChapterMark, Tags, playlist, tag_mp3

    _ = ui_gettext("speech", article.locale)
    slug = article.slug
    meta = article.meta
    language = iso639_2(article.locale)
    album = project.settings.clinic.name or script.title
    comment = (
        _("This is a draft translation. It has not yet been checked by a medical reviewer.") if article.draft else ""
    )
    base = Tags(
        title=script.title,
        artist=", ".join(meta.authors),
        album=album,
        language=language,
        year=meta.reviewed.year,
        version=meta.version,
        licence=meta.licence,
        comment=comment,
    )
    files: dict[str, bytes] = {}
    marks: list[ChapterMark] = []
    entries: list[tuple[str, str, float]] = []
    position = 0.0
    total = len(script.chapters)
    chapters = zip(script.chapters, rendered.chapters, rendered.seconds, strict=True)
    for n, (chapter, mp3, seconds) in enumerate(chapters, start=1):
        start, position = position, position + seconds
        marks.append(ChapterMark(chapter.id, chapter.title, round(start * 1000), round(position * 1000)))
        path = f"{slug}/{n:02d}-{chapter.id}.mp3"
        track = Tags(**{**base.__dict__, "title": chapter.title, "album": script.title, "track": f"{n}/{total}"})
        files[path] = tag_mp3(mp3, track)
        entries.append((path, chapter.title, seconds))
    full = tag_mp3(b"".join(rendered.chapters), base, marks)
    return {f"{slug}.mp3": full, **files, f"{slug}.m3u8": playlist(script.title, entries)}


__all__ = ["AudioBuilder"]
