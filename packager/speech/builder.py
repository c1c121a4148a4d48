"""``AudioBuilder``: the Builder for ``--format audio``.

Per locale it returns one chaptered MP3 of the whole article, the same
narration as a chaptered M4B audiobook (AAC) for Apple Books and audiobook
apps, one MP3 per section and an .m3u8 playlist, so that a listener with the
simplest player can still skip section by section.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packager.builders import Product, Progress
from packager.document import Article
from packager.errors import PackagerError
from packager.i18n.ui import outdated_notice, ui_gettext, ui_paths
from packager.project import AudioSettings, Project
from packager.source import read_article
from packager.speech.engines import Engine, EngineUnavailable, Voice, voice_for
from packager.speech.lexicon import find_lexicon, lexicon_file, load_lexicon
from packager.timings import stage

if TYPE_CHECKING:
    from packager.speech.script import Script

SPEECH_FORMAT = "speech-7"  # bump when assembly, mastering or the files' tags change
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


class AudioBuilder:
    name = "audio"
    preload = ("numpy", "scipy.signal", "scipy.ndimage", "pyloudnorm", "lameenc", "mutagen.id3")

    def outputs(self, article: Article) -> list[str]:
        """The files, with the tracks named as the default settings order the parts (``build`` names them
        from the script it reads, so a project's own ``audio.reference_sections`` is followed)."""
        from packager.speech.script import chapter_ids

        slug = article.slug
        order = chapter_ids(article, AudioSettings().reference_sections)
        tracks = [track_path(slug, n, cid) for n, cid in enumerate(order, start=1)]
        return [f"{slug}.mp3", f"{slug}.m4b", *tracks, f"{slug}.m3u8", f"{slug}.timings.json"]

    def inputs(self, project: Project, locale: str) -> list[Path | str]:
        engine, voice = voice_for(project, locale)
        from packager.speech.audiobook import ffmpeg_version
        from packager.statcache import tool_version

        found: list[Path | str] = [SPEECH_FORMAT, tool_version("ffmpeg", ffmpeg_version)]
        for language in dict.fromkeys((locale, project.settings.source_language)):  # islands use the source's
            lexicon = find_lexicon(project.locales_dir, language)
            found += [lexicon] if lexicon else []
        diacritiser = lexicon_file(project.locales_dir, locale).diacritise
        if diacritiser:
            from packager.speech.diacritics import identity

            found.append(identity(diacritiser))
        found += ui_paths(project.locales_dir, locale, project.settings.source_language)
        found.append(f"{engine.name} {engine.version()} voice={engine.identity(voice)} rate={voice.rate}")
        if project.settings.audio.fallback:
            fb_engine, fb_voice = voice_for(project, locale, project.settings.audio.fallback)
            found.append(f"fallback {fb_engine.name} {fb_engine.version()} voice={fb_engine.identity(fb_voice)}")
        return found

    def preflight(self, project: Project, locales: list[str]) -> None:
        """Every locale's engine and voice (and the fallback's) exist: checked before any synthesis."""
        from packager.i18n.checks import lexicon_findings

        fallback = project.settings.audio.fallback
        for locale in locales:
            errors = [f for f in lexicon_findings(project, locale) if f.blocking]
            if errors:  # a lexicon may change how words sound, never what is said
                raise PackagerError(f"pronunciation lexicon check failed: {errors[0]}")
            voice_for(project, locale)
            if fallback:
                voice_for(project, locale, fallback)

    def build(self, article: Article, project: Project, progress: Progress) -> Product:
        from packager.speech.script import build_script
        from packager.speech.synthesis import render

        lexicon = load_lexicon(project.locales_dir, article.locale)
        clinic = project.settings.clinic
        source = read_article(article.path)  # for the spans a translation keeps in the source language
        script = build_script(
            article,
            lexicon,
            project.settings.audio.reference_sections,
            (clinic.name, clinic.contact),
            source,
            load_lexicon(project.locales_dir, source.locale),
            project.locales_dir,
        )
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
    from packager.speech.audiobook import encode_m4b

    _ = ui_gettext(project.locales_dir, article.locale)
    slug = article.slug
    meta = article.meta
    language = iso639_2(article.locale)
    album = project.settings.clinic.name or script.title
    notices = [_("This recording uses a synthetic voice: a computer reads the text.")]
    if article.draft:
        notices.append(_("This is a draft translation. It has not yet been checked by a medical reviewer."))
    for said_in in dict.fromkeys((article.locale, article.meta.language)):  # outdated: in both languages
        notices.append(outdated_notice(article, project.locales_dir, said_in))
    comment = " ".join(dict.fromkeys(n for n in notices if n))  # an untranslated notice once
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
        path = track_path(slug, n, chapter.id)
        track = Tags(**{**base.__dict__, "title": chapter.title, "album": script.title, "track": f"{n}/{total}"})
        files[path] = tag_mp3(mp3, track)
        entries.append((path, chapter.title, seconds))
    narration = b"".join(rendered.chapters)
    with stage("encode"):
        m4b = encode_m4b(narration, base, marks, project.settings.audio.bitrate)
    full = {f"{slug}.mp3": tag_mp3(narration, base, marks), f"{slug}.m4b": m4b}
    timings = {f"{slug}.timings.json": timing_file(f"{slug}.mp3", script, rendered)}
    return {**full, **files, f"{slug}.m3u8": playlist(script.title, entries), **timings}


def track_path(slug: str, number: int, chapter_id: str) -> str:
    """The MP3 of one part of the narration, by its place (from 1) and id, relative to the locale's folder."""
    return f"{slug}/{number:02d}-{chapter_id}.mp3"


def timing_file(audio_path: str, script: Script, rendered) -> bytes:
    """When each part and each utterance (a heading, a sentence of a paragraph or item, a table
    row, a notice of the opening) is spoken in the narration, with the words it speaks: what
    synchronised text (a listening station, EPUB Media Overlays) needs. ``joins`` marks a later
    sentence of the element the utterance before began. Times are seconds in ``audio_path``."""
    import json

    sections, offset = [], 0.0
    for chapter, seconds, spans in zip(script.chapters, rendered.seconds, rendered.timings, strict=True):
        utterances = [
            {"start": round(offset + start, 3), "end": round(offset + end, 3), "text": utterance.text}
            | ({"joins": True} if utterance.joins else {})
            for utterance, (start, end) in zip(chapter.utterances, spans, strict=True)
        ]
        sections.append(
            {"id": chapter.id, "title": chapter.title, "start": round(offset, 3), "end": round(offset + seconds, 3)}
            | {"utterances": utterances}
        )
        offset += seconds
    data = {"format": 1, "audio": audio_path, "duration": round(offset, 3), "sections": sections}
    return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


__all__ = ["AudioBuilder"]
