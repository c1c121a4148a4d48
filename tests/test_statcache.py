"""Answers kept across builds (packager/statcache.py): reused while what they came from keeps its
stat, asked again the moment it changes, and a no-op build runs no program at all."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from packager import statcache
from packager.engine.store import KNOWN, USED, kept, let_go


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty store whose files count as settled at once (the tests write them just before)."""
    monkeypatch.setattr(statcache, "_known", {})
    monkeypatch.setattr(statcache, "SETTLED_NS", -(10**18))


def _counting(answer: Callable[[], str], files: list[Path | str]) -> tuple[Callable, list[int]]:
    asked = [0]

    def ask() -> tuple[str, list[Path | str]]:
        asked[0] += 1
        return answer(), files

    return ask, asked


@pytest.mark.usefixtures("store")
def test_an_answer_is_reused_until_a_file_it_came_from_changes(tmp_path: Path) -> None:
    config = tmp_path / "tool.conf"
    config.write_text("voice=a\n", encoding="utf-8")
    ask, asked = _counting(lambda: config.read_text(encoding="utf-8"), [config])
    assert statcache.remembered("tool", ask) == "voice=a\n"
    assert statcache.remembered("tool", ask) == "voice=a\n"
    assert asked == [1]
    config.write_text("voice=b\n", encoding="utf-8")  # same size: the ctime still moves
    assert statcache.remembered("tool", ask) == "voice=b\n"
    assert asked == [2]


@pytest.mark.usefixtures("store")
def test_a_file_added_to_a_folder_or_a_missing_file_appearing_asks_again(tmp_path: Path) -> None:
    fonts, extra = tmp_path / "fonts", tmp_path / "local.conf"
    (fonts / "noto").mkdir(parents=True)
    (fonts / "noto" / "a.ttf").write_bytes(b"a")
    listing = lambda: ",".join(sorted(p.name for p in fonts.rglob("*.ttf")))  # noqa: E731
    ask, asked = _counting(listing, [extra, *statcache.with_folders([fonts / "noto"])])
    assert statcache.remembered("fonts", ask) == "a.ttf"
    (fonts / "noto" / "b.ttf").write_bytes(b"b")  # a font installed beside the others
    assert statcache.remembered("fonts", ask) == "a.ttf,b.ttf"
    (fonts / "new").mkdir()  # a new package's folder, beside the known one
    (fonts / "new" / "c.ttf").write_bytes(b"c")
    assert statcache.remembered("fonts", ask) == "a.ttf,b.ttf,c.ttf"
    assert statcache.remembered("fonts", ask) == "a.ttf,b.ttf,c.ttf"
    assert asked == [3]
    extra.write_text("<fontconfig/>", encoding="utf-8")  # missing when asked: its appearance counts
    statcache.remembered("fonts", ask)
    assert asked == [4]


@pytest.mark.usefixtures("store")
@pytest.mark.parametrize("damaged", [[], {"files": 3, "answer": 1}, {"files": [[1]], "answer": 1}, {"files": []}])
def test_a_damaged_entry_asks_again(damaged: object) -> None:
    statcache._known["tool"] = damaged
    ask, asked = _counting(lambda: "answer", [])
    assert statcache.remembered("tool", ask) == "answer"
    assert asked == [1]


def test_an_answer_from_files_changed_in_the_last_two_seconds_is_used_but_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(statcache, "_known", {})
    config = tmp_path / "tool.conf"
    config.write_text("x", encoding="utf-8")  # just written: it may change again within its mtime's tick
    ask, asked = _counting(lambda: "answer", [config])
    assert statcache.remembered("tool", ask) == "answer"
    assert statcache.remembered("tool", ask) == "answer"
    assert asked == [2]


def test_with_folders_lists_every_folder_above_each_path_once_up_to_the_top(tmp_path: Path) -> None:
    a, b = tmp_path / "x" / "a.ttf", tmp_path / "x" / "y" / "b.ttf"
    folders = statcache.with_folders([a, b])
    assert folders[:3] == [str(a), str(a.parent), str(tmp_path)]
    assert str(b.parent) in folders and folders.count(str(tmp_path)) == 1 and "/" in folders
    assert statcache.with_folders([a, b], top=[tmp_path / "x"]) == [str(a), str(a.parent), str(b), str(b.parent)]


def test_a_no_op_plan_runs_no_program(fresh_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """fontconfig (fc-list, fc-match: ar, zh and ko have their own faces), eSpeak NG's version and
    voice lists and ffmpeg's version are asked by the first plan and kept in build/.cache; a later
    process plans the same build without running any of them."""
    from packager.engine.inputs import forget
    from packager.engine.plan import plan
    from packager.project import load_project
    from packager.render import fonts
    from packager.speech.audiobook import ffmpeg_version
    from packager.speech.engines import espeak

    monkeypatch.setattr(statcache, "SETTLED_NS", -(10**18))  # the project was copied just now
    project = load_project(fresh_project)
    build_dir = project.build_dir
    build_dir.mkdir(exist_ok=True)
    run: list[str] = []
    watching = True

    def audit(event: str, args: tuple) -> None:
        if watching and event == "subprocess.Popen":
            run.append(Path(str(args[0])).name)

    def new_process() -> None:
        """What a second `packager build` starts with: no answer in memory."""
        forget()
        for cached in (fonts._installed_faces, fonts.locale_family, espeak._listings, espeak._binary, ffmpeg_version):
            cached.cache_clear()
        let_go(build_dir)
        statcache.load(kept(build_dir, KNOWN), kept(build_dir, USED))

    sys.addaudithook(audit)
    new_process()
    plan(project, None, ["handout", "audio"])
    asked = set(run)
    run.clear()
    new_process()
    plan(load_project(fresh_project), None, ["handout", "audio"])
    watching = False
    assert {"fc-list", "fc-match", "espeak-ng", "ffmpeg"} <= asked  # the first plan asked them all
    assert run == []


def test_a_changed_fontconfig_configuration_asks_fontconfig_again(tmp_path: Path, store: None) -> None:
    """A font added to a folder fontconfig reads is found by the next build, not the kept answer."""
    from packager.render import fonts

    folder = tmp_path / "fonts"
    folder.mkdir()
    noto = Path(next(line for line in fonts._fc(fonts._FACES) if "NotoSans-Regular" in line).split("\t")[0])
    shutil.copy(noto, folder / "First.ttf")
    conf = tmp_path / "fonts.conf"
    conf.write_text(f"<fontconfig><dir>{folder}</dir><cachedir>{tmp_path}/cache</cachedir></fontconfig>")
    env = {"FONTCONFIG_FILE": str(conf)}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        first = fonts._fc(fonts._FACES)
        shutil.copy(noto, folder / "Second.ttf")
        second = fonts._fc(fonts._FACES)
    listed = subprocess.run(["fc-list", "-f", "%{file}\n"], env=env, capture_output=True, text=True).stdout
    assert sorted(Path(p).name for p in listed.split()) == ["First.ttf", "Second.ttf"]  # fontconfig's own answer
    assert [Path(line.split("\t")[0]).name for line in first] == ["First.ttf"]
    assert sorted(Path(line.split("\t")[0]).name for line in second) == ["First.ttf", "Second.ttf"]


@pytest.mark.parametrize("settled_ns", [-(10**18), 10**18], ids=["settled", "changed just now"])
def test_a_file_hashed_before_the_last_ones_is_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settled_ns: int
) -> None:
    """A build holds the digests of the files it hashed last, not one per file of the library;
    a file hashed before those, asked again, is answered from the stat cache (a row of the store),
    or, changed too recently to keep, from what this build found: it is not read again."""
    from packager import project
    from packager.engine import inputs

    monkeypatch.setattr(statcache, "SETTLED_NS", settled_ns)
    inputs.forget()
    statcache.load(kept(tmp_path / "build", KNOWN), kept(tmp_path / "build", USED))
    read: list[str] = []
    real = inputs.read_limited
    monkeypatch.setattr(inputs, "read_limited", lambda path, *a: read.append(path.name) or real(path, *a))
    po = tmp_path / "fr.po"
    po.write_text('msgid "a"\nmsgstr "b"\n', encoding="utf-8")
    first = inputs.file_digest(po)
    inputs.file_digest.cache_clear()  # past the build's last HELD_FILES files
    project._READ.clear()
    assert inputs.file_digest(po) == first == statcache.sha256_of(str(po))
    assert read == ["fr.po"]
    inputs.forget()
    let_go(tmp_path / "build")


def test_the_files_read_last_are_held_and_no_more(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from packager import project

    monkeypatch.setattr(project, "HELD_FILES", 3)
    monkeypatch.setattr(project, "_READ", project._READ.__class__())
    for n in range(5):
        (tmp_path / f"{n}.md").write_text(str(n), encoding="utf-8")
        project.read_limited(tmp_path / f"{n}.md", 100, "article")
    assert [path.name for path in project._READ] == ["2.md", "3.md", "4.md"]
    assert project.read_digest(tmp_path / "4.md") == statcache.sha256_of(str(tmp_path / "4.md"))
    assert project.read_digest(tmp_path / "0.md") is None
