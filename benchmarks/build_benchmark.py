"""Benchmark `packager build` on the shipped project against a naive baseline, and how cost grows.

On the shipped project, as medians of ``--runs`` runs: a cold build, a no-op rebuild, a
rebuild after editing one paragraph of the source (translated in every catalog, as
translators would), and a naive baseline that makes the same handout, large-print and
audio files by calling the `weasyprint` command line and the speech engine's command line
(espeak-ng, then ffmpeg to MP3) once per output. Prints times, ratios, peak memory
(proportional set size of the whole process tree, so that pages shared between worker
processes count once; sampled every quarter second; at least the largest resident set one
of its processes reached, for a command too short to sample) and the CPU seconds of each stage of the cold
build (``packager build --stage-cpu``), so that the machine's limit is visible.

With ``--sizes``, the same on synthetic libraries of N articles x M locales
(``benchmarks/library.py``): cold build, no-op rebuild, a one-paragraph edit of one
article (and how many targets it rebuilt), peak memory (of the tree, and of the build process
itself: what the planner and the writer hold, without the workers, and of a no-op build), and the
ratios between sizes.

    .venv/bin/python benchmarks/build_benchmark.py [--runs 3] [--keep DIR]
    .venv/bin/python benchmarks/build_benchmark.py --sizes 1x5,10x5,40x10 [--formats handout] [--no-naive] [--distinct]
    .venv/bin/python benchmarks/build_benchmark.py --sizes 10x5 --no-naive --scheduler local-cluster  # Dask
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PACKAGER = [sys.executable, "-m", "packager"]
STAGE_CPU = "stage CPU seconds: "
#: How often memory is sampled. Reading every process's page tables costs CPU that the build
#: being measured would otherwise have: sampled every 20 ms, a cold build of the shipped
#: project took 66 s instead of 54 (its workers share the 2 cores with the sampler).
SAMPLE_SECONDS = 0.25
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


def _pss(pid: int) -> int:
    """A process's proportional set size (0 once it has ended)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _tree_pss(pid: int) -> int:
    """Proportional set size of a process and its descendants: shared pages counted once, not per process."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        stack.extend(_children(current))
        total += _pss(current)
    return total


#: Python started for a measured command writes its own peak resident set (``VmHWM``) here at exit.
#: The kernel's ``ru_maxrss`` cannot be used for it: a child that Python spawns execs from the
#: parent's memory, whose high-water mark it keeps, so a 25 MB no-op showed this process's 50 MB.
_SITE = """
import atexit, os

def _peak():
    with open("/proc/self/status") as status:
        found = [line.split()[1] for line in status if line.startswith("VmHWM:")]
    with open(os.environ["PACKAGER_BENCH_PEAKS"], "a") as out:
        out.write(f"{os.getpid()} {found[0]}\\n")

if os.environ.get("PACKAGER_BENCH_PEAKS"):
    atexit.register(_peak)
"""


@cache  # once per benchmark: the journal of a no-op build holds only in the environment it was made in
def _own_peaks() -> tuple[dict[str, str], Path]:
    """The environment that makes measured Python processes report their peaks, and the file they write."""
    folder = Path(tempfile.mkdtemp(prefix="packager-bench-site-"))
    atexit.register(shutil.rmtree, folder, True)
    (folder / "sitecustomize.py").write_text(_SITE)
    path = folder / "peaks"
    paths = [str(folder), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "PACKAGER_BENCH_PEAKS": str(path)}, path


def _own_peak(pid: int) -> int | None:
    """The peak resident set the process ``pid`` wrote at exit (bytes), if it was Python."""
    try:
        lines = _own_peaks()[1].read_text().splitlines()
    except OSError:
        return None
    found = [int(kb) * 1024 for p, kb in (line.split() for line in lines) if int(p) == pid]
    return found[-1] if found else None


@dataclass
class Run:
    seconds: float
    peak: int  # bytes
    client: int = 0  # bytes: the build process's own peak PSS (the planner's and writer's), without its workers
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by stage, from --stage-cpu
    built: int = 0  # targets built, from --json
    cpu_seconds: float = 0.0  # user + system CPU of the commands and the processes they waited for


def measure(commands: list[list[str]], cwd: Path | None = None) -> Run:
    """Run commands one after another: wall seconds, peak memory, CPU seconds.

    Peak memory is the largest of the process tree's sampled PSS and the largest resident set
    the command's own process reached (which catches a command too short for a sample): as
    Python reports it at exit (``VmHWM``), else the kernel's ``wait4`` count. CPU seconds are
    the stages' (``--stage-cpu``: every worker's too) where the command prints them; else what
    the commands and the processes they waited for used.
    """
    peak = client = 0
    started = time.perf_counter()
    cpu: dict[str, float] = {}
    built = 0
    used = 0.0
    for command in commands:
        with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
            env, peaks = _own_peaks()
            peaks.unlink(missing_ok=True)
            process = subprocess.Popen(command, cwd=cwd, stdout=out_file, stderr=err_file, env=env)
            done = threading.Event()

            def sample(pid: int = process.pid, done: threading.Event = done) -> None:
                nonlocal peak, client
                while not done.is_set():
                    peak = max(peak, _tree_pss(pid))
                    client = max(client, _pss(pid))
                    done.wait(SAMPLE_SECONDS)  # not sleep: a command that ends waits for no sample

            sampler = threading.Thread(target=sample)
            sampler.start()
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            done.set()
            sampler.join()
            own = _own_peak(process.pid)
            peak = max(peak, usage.ru_maxrss * 1024 if own is None else own)
            used += usage.ru_utime + usage.ru_stime
            out_file.seek(0)
            err_file.seek(0)
            out, err = out_file.read(), err_file.read()
        if process.returncode != 0:
            raise SystemExit(f"failed: {' '.join(command)}\n{err.decode()[-2000:]}")
        for line in err.decode().splitlines():
            if line.startswith(STAGE_CPU):
                cpu = {name: float(s) for name, s in (p.rsplit(" ", 1) for p in line[len(STAGE_CPU) :].split(", "))}
        if "--json" in command:
            built = sum(1 for target in json.loads(out) if target["status"] == "built")
    return Run(time.perf_counter() - started, peak, client, cpu, built, max(used, sum(cpu.values())))


def median_run(runs: list[Run]) -> Run:
    """The run of median time (its memory and stage CPU with it)."""
    return sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]


def copy_project(dest: Path) -> Path:
    for name in ("source", "locales"):
        shutil.copytree(REPO / name, dest / name)
    if (REPO / "packager.yaml").exists():
        shutil.copy(REPO / "packager.yaml", dest / "packager.yaml")
    return dest


def edit_one_paragraph(root: Path) -> None:
    """Change one source paragraph (of the first article) and revise it in every catalog, like a real revision."""
    from packager.i18n.pofile import read_catalog, write_catalog

    source = sorted((root / "source").glob("*.md"))[0]
    source.write_text(source.read_text(encoding="utf-8").replace(*EDITED), encoding="utf-8")
    subprocess.run([*PACKAGER, "-C", str(root), "-q", "update"], check=True)
    for po in (root / "locales").glob(f"*/LC_MESSAGES/{source.stem}.po"):
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
    cache = root / "build" / ".cache" / "tts"
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


def scenarios(make: Callable[[Path], Path], base: Path, build: list[str], runs: int) -> dict[str, Run]:
    """Cold build, no-op rebuild and one-paragraph edit, each run on a fresh copy; the median of each."""
    found: dict[str, list[Run]] = {"cold": [], "no-op": [], "edit": []}
    for n in range(runs):
        root = make(base / f"run-{n}")
        command = [*PACKAGER, "-C", str(root), *build]
        found["cold"].append(measure([command]))
        found["no-op"].append(measure([command]))
        edit_one_paragraph(root)
        found["edit"].append(measure([command]))
        shutil.rmtree(root, ignore_errors=True)
    return {name: median_run(found_runs) for name, found_runs in found.items()}


def stage_table(cpu: dict[str, float]) -> str:
    from packager.timings import STAGES

    names = [s for s in STAGES if s in cpu]
    total = sum(cpu.values()) or 1.0
    lines = [f"{'stage':<12}{'CPU s':>9}{'share':>8}"]
    lines += [f"{name:<12}{cpu[name]:>9.2f}{cpu[name] / total:>8.0%}" for name in names]
    lines.append(f"{'total':<12}{total:>9.2f}")
    return "\n".join(lines)


def shipped(base: Path, build: list[str], runs: int, naive: bool) -> None:
    """The shipped project: cold, no-op and edit against the naive baseline, with stage CPU."""
    found = scenarios(copy_project, base, build, runs)
    rows = [("cold build", found["cold"]), ("no-op rebuild", found["no-op"]), ("one-paragraph edit", found["edit"])]
    if naive:
        naive_runs = []
        for n in range(runs):
            root = copy_project(base / f"naive-{n}")
            naive_runs.append(measure(naive_commands(root, base / f"naive-out-{n}")))
            shutil.rmtree(root, ignore_errors=True)
        rows.append(("naive baseline", median_run(naive_runs)))
    print(f"\nshipped project, medians of {runs}: packager build {' '.join(build[1:])}")
    print(f"{'scenario':<28}{'seconds':>10}{'CPU s':>8}{'peak MB':>10}{'built':>7}")
    for name, run in rows:
        print(f"{name:<28}{run.seconds:>10.2f}{run.cpu_seconds:>8.2f}{run.peak / 2**20:>10.0f}{run.built:>7}")
    cold, noop, edit = found["cold"], found["no-op"], found["edit"]
    print(f"\nCPU seconds by stage, cold build (all processes):\n{stage_table(cold.cpu)}")
    print(f"\nedit / cold:  {edit.seconds / cold.seconds:.2f}  (goal <= 0.30)")
    if naive:
        print(f"cold / naive: {cold.seconds / rows[-1][1].seconds:.2f}  (goal <= 0.60)")
    print(f"no-op:        {noop.seconds:.2f} s (goal <= 0.25 s)")
    print(f"peak memory:  {max(cold.peak, edit.peak) / 2**20:.0f} MB (goal <= 500 MB)")


def growth(base: Path, build: list[str], runs: int, sizes: list[tuple[int, int]], distinct: bool = False) -> None:
    """Synthetic libraries of N articles x M locales: how cold, no-op and edit grow."""
    from benchmarks.library import make_library

    kind = "different articles" if distinct else "one article repeated"
    print(f"\nsynthetic libraries ({kind}), medians of {runs}: packager build {' '.join(build[1:])}")
    header = f"{'N x M':<8}{'targets':>8}{'cold s':>9}{'cold CPU':>9}{'no-op s':>9}{'no-op CPU':>10}{'ms/target':>10}"
    print(header + f"{'edit s':>8}{'rebuilt':>8}{'peak MB':>9}{'build MB':>9}{'no-op MB':>9}")
    first: tuple[int, Run, Run, int, int] | None = None
    for articles, locales in sizes:
        found = scenarios(lambda d, a=articles, m=locales: make_library(d, a, m, distinct=distinct), base, build, runs)
        cold, noop, edit = found["cold"], found["no-op"], found["edit"]
        targets = cold.built
        peak = max(r.peak for r in found.values())
        client = max(r.client for r in found.values())
        print(
            f"{f'{articles}x{locales}':<8}{targets:>8}{cold.seconds:>9.2f}{sum(cold.cpu.values()):>9.1f}{noop.seconds:>9.2f}"
            f"{noop.cpu_seconds:>10.2f}{1000 * noop.seconds / targets:>10.2f}{edit.seconds:>8.2f}{edit.built:>8}"
            f"{peak / 2**20:>9.0f}{client / 2**20:>9.0f}{noop.peak / 2**20:>9.0f}"
        )
        print(f"{'':<8}stage CPU s, cold: " + ", ".join(f"{k} {v:.1f}" for k, v in cold.cpu.items()))
        if first is None:
            first = (targets, cold, noop, peak, client)
        else:
            t0, cold0, noop0, peak0, client0 = first
            cold_x, noop_x = cold.seconds / cold0.seconds, noop.seconds / noop0.seconds
            print(
                f"{'':<8}ratios to row 1: targets x{targets / t0:.1f}, cold x{cold_x:.1f}, no-op x{noop_x:.1f}, "
                f"peak memory x{peak / peak0:.2f}, build process x{client / client0:.2f}, "
                f"no-op x{noop.peak / noop0.peak:.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="keep the work folders here")
    parser.add_argument("--runs", type=int, default=3, help="runs of each scenario; medians are shown")
    parser.add_argument("--sizes", default="", help="synthetic libraries to measure, e.g. 1x5,10x5,40x10")
    parser.add_argument("--formats", default="handout,large-print,audio", help="formats to build (comma-separated)")
    parser.add_argument("--no-naive", action="store_true", help="skip the shipped project and its naive baseline")
    parser.add_argument("--distinct", action="store_true", help="libraries of different articles (see library.py)")
    parser.add_argument("--jobs", "-j", type=int, default=0, help="packager build --jobs")
    parser.add_argument("--scheduler", help="packager build --scheduler (a Dask scheduler, or local-cluster)")
    args = parser.parse_args()
    base = Path(args.keep or tempfile.mkdtemp(prefix="packager-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # the same library bytes every run
    build = ["build", "--quiet", "--json", "--stage-cpu", "--jobs", str(args.jobs)]
    for name in args.formats.split(","):
        build += ["--format", name]
    if args.scheduler:
        build += ["--scheduler", args.scheduler]
    # Bytecode for packager's modules, as an installed packager has: with PYTHONDONTWRITEBYTECODE set
    # (as in CI), an editable checkout would otherwise compile them again in every run, no-op included.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "packager")], check=True, capture_output=True)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; work folder: {base}")
    if not args.no_naive:
        shipped(base, build, args.runs, naive="audio" in args.formats)
    if args.sizes:
        sizes = [tuple(int(n) for n in size.split("x")) for size in args.sizes.split(",")]
        growth(base, build, args.runs, [(a, m) for a, m in sizes], args.distinct)
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
