"""Benchmark `packager build` on the shipped project against a naive baseline.

Times, in one run: a cold build, a no-op rebuild, a rebuild after editing one
paragraph of the source (translated in every catalog, as translators would),
and a naive baseline that makes the same handout, large-print and audio files
by calling the `weasyprint` command line and the speech engine's command line
(espeak-ng, then ffmpeg to MP3) once per output. Prints times, ratios and peak
memory (proportional set size of the whole process tree, so that pages shared
between worker processes count once; sampled every 20 ms).

    .venv/bin/python benchmarks/build_benchmark.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PACKAGER = [sys.executable, "-m", "packager"]
EDITED = (
    "CAR T-cell therapy is strong medicine, and it has risks.",
    "CAR T-cell therapy is a strong treatment, and it has risks.",
)


def _children(pid: int) -> list[int]:
    """Direct children, from the kernel's per-thread lists (cheap: no scan of all of /proc)."""
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            found += [int(child) for child in task.read_text().split()]
    except OSError:  # the process ended meanwhile
        pass
    return found


def _tree_pss(pid: int) -> int:
    """Proportional set size of a process and its descendants: shared pages counted once, not per process."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        stack.extend(_children(current))
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def measure(commands: list[list[str]], cwd: Path | None = None) -> tuple[float, int]:
    """Run commands one after another; wall seconds and peak resident memory of the process tree."""
    peak = 0
    started = time.perf_counter()
    for command in commands:
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        done = threading.Event()

        def sample(pid: int = process.pid, done: threading.Event = done) -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_pss(pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        _, err = process.communicate()
        done.set()
        sampler.join()
        if process.returncode != 0:
            raise SystemExit(f"failed: {' '.join(command)}\n{err.decode()[-2000:]}")
    return time.perf_counter() - started, peak


def copy_project(dest: Path) -> Path:
    for name in ("source", "locales"):
        shutil.copytree(REPO / name, dest / name)
    if (REPO / "packager.yaml").exists():
        shutil.copy(REPO / "packager.yaml", dest / "packager.yaml")
    return dest


def edit_one_paragraph(root: Path) -> None:
    """Change one source paragraph and revise it in every catalog, like a real revision."""
    from packager.i18n.pofile import read_catalog, write_catalog

    source = next((root / "source").glob("*.md"))
    source.write_text(source.read_text(encoding="utf-8").replace(*EDITED), encoding="utf-8")
    subprocess.run([*PACKAGER, "-C", str(root), "-q", "update"], check=True)
    for po in (root / "locales").glob("*/LC_MESSAGES/*.po"):
        catalog = read_catalog(po, locale=po.parent.parent.name)
        for message in catalog:
            if message.fuzzy and message.id:
                # The translator's revision: here, the first comma goes, as it did in English.
                text = str(message.string)
                comma = next((c for c in (",", "،", "，") if c in text), None)
                message.string = text.replace(comma, "", 1) if comma else text + "!"
                message.flags.discard("fuzzy")
                message.previous_id = []
        write_catalog(po, catalog)


def cache_entries(root: Path) -> int:
    """Utterances in the synthesis cache (one WAV each)."""
    cache = root / "build" / ".cache"
    return sum(1 for _ in cache.rglob("*.wav")) if cache.exists() else 0


def naive_commands(root: Path, work: Path) -> list[list[str]]:
    """One weasyprint and one espeak-ng + ffmpeg call per output file, as a shell script would."""
    from packager.i18n.translate import localized
    from packager.project import load_project
    from packager.render.html import HANDOUT, LARGE_PRINT, render
    from packager.source import read_article
    from packager.speech.engines import voice_for
    from packager.speech.lexicon import load_lexicon
    from packager.speech.script import build_script

    project = load_project(root)
    commands: list[list[str]] = []
    weasyprint = str(Path(sys.executable).with_name("weasyprint"))
    for source in project.articles():
        article = read_article(source)
        for locale in [article.meta.language, *project.catalog_locales(article.slug)]:
            doc = localized(project, article, locale)
            out = work / locale
            out.mkdir(parents=True, exist_ok=True)
            for theme in (HANDOUT, LARGE_PRINT):
                rendered = render(doc, project, theme)
                css = "\n".join(p.read_text(encoding="utf-8") for p in theme.files()) + rendered.css
                page = out / f"{doc.slug}{theme.suffix}.html"
                page.write_text(rendered.html.replace("</head>", f"<style>{css}</style></head>", 1), encoding="utf-8")
                commands.append([weasyprint, "-q", str(page), str(page.with_suffix(".pdf"))])
            script = build_script(doc, load_lexicon(project.locales_dir, locale))
            _, voice = voice_for(project, locale, "espeak-ng")
            parts = [
                (f"{n:02d}-{c.id}", " ".join(u.text for u in c.utterances)) for n, c in enumerate(script.chapters, 1)
            ]
            parts.append((doc.slug, " ".join(text for _, text in parts)))
            for name, text in parts:
                text_file = out / f"{name}.txt"
                text_file.write_text(text, encoding="utf-8")
                wav = out / f"{name}.wav"
                commands.append(["espeak-ng", "-v", voice.name, "-w", str(wav), "-f", str(text_file)])
                commands.append(
                    [
                        "ffmpeg",
                        "-loglevel",
                        "error",
                        "-y",
                        "-i",
                        str(wav),
                        "-ac",
                        "1",
                        "-b:a",
                        "64k",
                        str(wav.with_suffix(".mp3")),
                    ]
                )
    return commands


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="keep the work folders here")
    args = parser.parse_args()
    base = Path(args.keep or tempfile.mkdtemp(prefix="packager-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    root = copy_project(base / "project")
    # The formats the naive baseline also makes (an M4B and the timings come with the audio).
    formats = ("--format", "handout", "--format", "large-print", "--format", "audio")
    build = [*PACKAGER, "-C", str(root), "build", "--quiet", *formats]

    print(f"machine: {os.cpu_count()} cores; project: {root}")
    cold, cold_mem = measure([build])
    noops = [measure([build]) for _ in range(3)]
    noop = min(t for t, _ in noops)
    edit_one_paragraph(root)
    before = cache_entries(root)
    edit, edit_mem = measure([build])
    synthesised = cache_entries(root) - before
    naive_root = copy_project(base / "naive")
    naive, naive_mem = measure(naive_commands(naive_root, base / "naive-out"))

    rows = [
        ("cold build", cold, cold_mem),
        ("no-op rebuild (best of 3)", noop, max(m for _, m in noops)),
        ("one-paragraph edit", edit, edit_mem),
        ("naive baseline", naive, naive_mem),
    ]
    print(f"{'scenario':<28}{'seconds':>10}{'peak MB':>10}")
    for name, seconds, memory in rows:
        print(f"{name:<28}{seconds:>10.2f}{memory / 2**20:>10.0f}")
    print(
        f"utterances synthesised after the edit: {synthesised} (locales: {len(list((root / 'build').glob('*/*.mp3')))})"
    )
    print(f"edit / cold:  {edit / cold:.2f}  (goal <= 0.30)")
    print(f"cold / naive: {cold / naive:.2f}  (goal <= 0.60)")
    print(f"no-op:        {noop:.2f} s (goal <= 0.5 s)")
    print(f"peak memory:  {max(cold_mem, edit_mem) / 2**20:.0f} MB (goal <= 500 MB)")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
