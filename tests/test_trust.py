"""Nothing in build/ can be silently corrupted, and hostile files never make packager read
outside the project, hang, or print a traceback."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SLUG, copy_project, run_packager

HANDOUT = ("--format", "handout")


def manifest(root: Path) -> dict:
    return json.loads((root / "build" / "manifest.json").read_text(encoding="utf-8"))


def summary(root: Path, *args: str) -> tuple[int, dict[str, str], str]:
    result = run_packager("-C", str(root), "build", "--json", *args)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, {row["target"]: row["status"] for row in json.loads(result.stdout)}, result.stderr


@pytest.fixture(scope="module")
def handouts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("trust") / "project")
    code, _, stderr = summary(root, *HANDOUT)
    assert code == 0, stderr
    return root


@pytest.fixture
def built(handouts: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(handouts, root)
    return root


def test_a_same_size_overwrite_of_an_output_is_rebuilt(built: Path) -> None:
    path = built / "build" / "es" / f"{SLUG}.pdf"
    good = path.read_bytes()
    middle = len(good) // 2
    path.write_bytes(good[:middle] + bytes(100) + good[middle + 100 :])
    assert path.stat().st_size == len(good)
    code, statuses, _ = summary(built, *HANDOUT)
    assert code == 0 and statuses[f"{SLUG}/es/handout"] == "built"
    assert path.read_bytes() == good
    assert statuses[f"{SLUG}/en/handout"] == "up to date"


def test_a_forged_manifest_path_is_never_up_to_date(built: Path) -> None:
    data = manifest(built)
    entry = data["targets"][f"{SLUG}/vi/handout"]
    entry["outputs"][0]["path"] = "../../../../etc/passwd"
    entry["outputs"][0]["sha256"] = hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest()
    (built / "build" / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    code, statuses, _ = summary(built, *HANDOUT)
    assert code == 0 and statuses[f"{SLUG}/vi/handout"] == "built"
    assert all(not o["path"].startswith("..") for o in manifest(built)["outputs"])


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "directory", "link-out"])
def test_a_hostile_catalog_is_a_one_line_error_for_its_locale_only(built: Path, kind: str) -> None:
    path = built / "locales" / "vi" / "LC_MESSAGES" / f"{SLUG}.po"
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "directory":
        path.mkdir()
    else:
        path.symlink_to("/etc/passwd")
    result = subprocess.run(
        [sys.executable, "-m", "packager", "-C", str(built), "build", *HANDOUT],
        capture_output=True,
        text=True,
        timeout=120,  # a FIFO must not hang the build
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("packager: error:")]
    assert len(errors) == 1 and f"{SLUG}/vi (handout)" in errors[0] and f"{SLUG}.po" in errors[0], result.stderr
    check = subprocess.run(
        [sys.executable, "-m", "packager", "-C", str(built), "check", "--locale", "vi"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 2 and len(check.stderr.splitlines()) == 1 and "Traceback" not in check.stderr


def test_two_articles_with_one_slug_are_an_error(built: Path) -> None:
    source = built / "source" / f"{SLUG}.md"
    shutil.copy(source, built / "source" / "copy.md")
    result = run_packager("-C", str(built), "build", *HANDOUT)
    assert result.returncode == 2 and f"slug '{SLUG}' is also the slug of" in result.stderr


def test_no_file_outside_the_project_is_opened_with_hostile_links(built: Path) -> None:
    """strace: a catalog, a lexicon and an image linked to /etc/passwd are refused before they are opened."""
    if shutil.which("strace") is None:  # pragma: no cover - installed by setup.sh --test
        pytest.fail("strace is not installed; run scripts/setup.sh --test")
    (built / "locales" / "vi" / "LC_MESSAGES" / f"{SLUG}.po").unlink()
    (built / "locales" / "vi" / "LC_MESSAGES" / f"{SLUG}.po").symlink_to("/etc/passwd")
    (built / "locales" / "es" / "lexicon.yaml").unlink()
    (built / "locales" / "es" / "lexicon.yaml").symlink_to("/etc/passwd")
    images = list((built / "source").rglob("*.svg")) + list((built / "source").rglob("*.png"))
    for image in images:
        image.unlink()
        image.symlink_to("/etc/passwd")
    trace = built / "trace.txt"
    for command in (["check"], ["build", *HANDOUT, "--jobs", "1"]):
        strace = ["strace", "-f", "-e", "trace=open,openat,openat2", "-o", str(trace)]
        subprocess.run(
            [*strace, sys.executable, "-m", "packager", "-C", str(built), *command],
            capture_output=True,
            text=True,
            timeout=600,
        )
        opened = [line for line in trace.read_text().splitlines() if "/etc/passwd" in line and "ENOENT" not in line]
        assert opened == [], opened[:3]


@pytest.mark.slow
def test_workers_die_with_a_killed_build_and_write_nothing_after(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    build = subprocess.Popen(
        [sys.executable, "-m", "packager", "-C", str(root), "build", "--jobs", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # the build and everything it starts share one process group
    )
    assert build.stderr is not None
    for line in build.stderr:  # kill it once the first target is written, with others under way
        if "built:" in line:
            break
    build.send_signal(signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(build.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.killpg(build.pid, signal.SIGKILL)
        pytest.fail("packager worker processes outlived their build")
    state = {p: p.stat().st_mtime_ns for p in (root / "build").rglob("*") if p.is_file()}
    time.sleep(3)
    assert {p: p.stat().st_mtime_ns for p in (root / "build").rglob("*") if p.is_file()} == state


@pytest.mark.slow
def test_a_poisoned_or_shuffled_speech_cache_is_repaired_not_played(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    args = ("--locale", "en", "--format", "audio")
    code, _, stderr = summary(root, *args)
    assert code == 0, stderr
    narration = root / "build" / "en" / f"{SLUG}.mp3"
    good = narration.read_bytes()
    entries = sorted((root / "build" / ".cache").rglob("*.wav"))
    chapters = sorted((root / "build" / ".cache").rglob("*.mp3"))
    assert len(entries) > 3 and len(chapters) > 3
    first, second = entries[0].read_bytes(), entries[1].read_bytes()
    entries[0].write_bytes(second)  # two utterances swapped
    entries[1].write_bytes(first)
    entries[2].write_bytes(os.urandom(len(entries[2].read_bytes())))  # random bytes
    one, two = chapters[0].read_bytes(), chapters[1].read_bytes()
    chapters[0].write_bytes(two)  # two encoded sections swapped
    chapters[1].write_bytes(one)
    shutil.rmtree(root / "build" / "en")
    code, statuses, stderr = summary(root, *args)
    assert code == 0 and statuses[f"{SLUG}/en/audio"] == "built", stderr
    assert narration.read_bytes() == good, "the narration must be what a clean cache gives"
    middle = len(good) // 2  # an MP3 overwritten in place with the same size is not "up to date"
    narration.write_bytes(good[:middle] + bytes(4096) + good[middle + 4096 :])
    code, statuses, stderr = summary(root, *args)
    assert code == 0 and statuses[f"{SLUG}/en/audio"] == "built" and narration.read_bytes() == good, stderr


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda r: _edit(r / "source" / f"{SLUG}.md", "title: ", "title: \x07"), f"{SLUG}.md:2: a control character"),
        (lambda r: (r / "packager.yaml").write_text('clinic:\n  name: "A\x07"\n'), "packager.yaml:2: a control"),
        (
            lambda r: (r / "packager.yaml").write_text('clinic:\n  contact: "call \u202e555"\n'),
            "packager.yaml:2: setting 'clinic.contact' contains a hidden character (U+202E)",
        ),
        (
            lambda r: (r / "packager.yaml").write_text("publish_url: https://x.example/" + "a" * 100_000 + "\n"),
            "setting 'publish_url' is longer than 2000 characters",
        ),
        (lambda r: (r / "build").write_text("not a folder"), "cannot write the build folder"),
        (lambda r: (r / "build" / "manifest.json").mkdir(parents=True), "the manifest is a folder"),
    ],
    ids=["front-matter-control", "settings-control", "settings-bidi", "long-url", "build-is-a-file", "manifest-dir"],
)
def test_bad_surroundings_are_one_line_errors(tmp_path: Path, setup, expected: str) -> None:
    root = copy_project(tmp_path / "project")
    setup(root)
    result = run_packager("-C", str(root), "build", "--locale", "en", *HANDOUT)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.splitlines()) == 1 and expected in result.stderr, result.stderr


def test_a_bad_source_date_epoch_is_a_one_line_error(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    result = run_packager("-C", str(root), "build", *HANDOUT, env={"SOURCE_DATE_EPOCH": "²"})
    assert result.returncode == 2 and result.stderr.strip() == (
        "packager: error: SOURCE_DATE_EPOCH must be a whole number of seconds, not '²'"
    )


def _edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


SOURCE = "Search [clinicaltrials.gov](https://clinicaltrials.gov/) for lupus. It costs $375,000 in phase 3."


@pytest.mark.parametrize(
    ("translation", "expected"),
    [
        ("Busque en [clinicaltrials.gov](https://clinicaltrials.gov/). $375,000, fase 3. bit.ly/lupuscure", "bit.ly"),
        ("Busque en [clinicaltrials.gov](https://clinicaltrials.gov/). $375,000, fase 3. t.me/curalupus", "t.me"),
        ("Busque en [clinicaltrials.gov](https://clinicaltrials.gov/). $375,000, fase 3. lupus-cure.xyz", "xyz"),
        (
            "Busque en [clinicaltrials.gov](https://clinicaltrials.gov/). $375,000, fase 3. ｗｗｗ．lupus．ｃｏｍ",
            "lupus.com",
        ),
        ("Busque en [clinicaltrials.gov.xyz](https://clinicaltrials.gov/). $375,000, fase 3.", "link goes to"),
        ("Busque en [clinicaltrials.gov](https://clinicaltrials.gov/). $375,000, fase ③ ①.", "'1' is not"),
        ("Busque en [clinicaltrials.gov](https://clinicaltrials.gov/). $375,000, fase Ⅱ.", "'2' is not"),
        ("Busque en [clinicaltrials.gov](https://clinicaltrials.gov/). $357,000, fase 3.", "'357,000'"),
    ],
    ids=["bit.ly", "t.me", "new-tld", "full-width", "link-text-host", "enclosed", "roman", "price"],
)
def test_addresses_and_numbers_in_any_disguise_are_errors(translation: str, expected: str) -> None:
    from packager.i18n.checks.rules import CODES, check_message

    errors = [(code, text) for code, text in check_message(SOURCE, translation, "es") if CODES[code][0] == "error"]
    assert any(expected in text for _, text in errors), errors


def test_words_that_only_look_like_hosts_are_not_addresses() -> None:
    from packager.i18n.checks.numbers import addresses

    found, _ = addresses("See e.g. the report.pdf and node.js, i.e. nothing; but lupus.org is one.")
    assert [a.value for a in found] == ["lupus.org"]


@pytest.mark.parametrize(
    ("entry", "code"),
    [('  "not": ""\n', "lexicon-deletes"), ('  "375,000": "357000"\n', "lexicon-number")],
    ids=["deletes-not", "changes-price"],
)
def test_a_lexicon_cannot_change_what_is_said(tmp_path: Path, entry: str, code: str) -> None:
    root = copy_project(tmp_path / "project")
    lexicon = root / "locales" / "en" / "lexicon.yaml"
    _edit(lexicon, "words:\n", "words:\n" + entry)
    check = run_packager("-C", str(root), "check")
    assert check.returncode == 1 and "locales/en/lexicon.yaml:5: error:" in check.stdout and f"[{code}]" in check.stdout
    result = run_packager("-C", str(root), "build", "--locale", "en", "--format", "audio", *HANDOUT)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("packager: error:")]
    assert len(errors) == 1 and f"{SLUG}/en (audio)" in errors[0] and code in errors[0]
    assert (root / "build" / "en" / f"{SLUG}.pdf").exists() and not (root / "build" / "en" / f"{SLUG}.mp3").exists()


def test_a_voice_name_cannot_name_a_file(tmp_path: Path) -> None:
    """eSpeak NG opens a voice variant by name: '+../../etc/passwd' must never reach it."""
    root = copy_project(tmp_path / "project")
    (root / "packager.yaml").write_text("audio:\n  voices: {en: 'en+../../../../etc/passwd'}\n", encoding="utf-8")
    result = run_packager("-C", str(root), "build", "--locale", "en", "--format", "audio")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("packager: error:")]
    assert len(errors) == 1 and "has no voice variant '../../../../etc/passwd'" in errors[0]


def test_a_lexicon_error_cannot_be_accepted(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    _edit(root / "locales" / "es" / "lexicon.yaml", "words:\n", 'words:\n  "no": ""\n')
    check = run_packager("-C", str(root), "check", "--locale", "es", "--json")
    flag = next(
        f["accept_flag"] for r in json.loads(check.stdout) for f in r["findings"] if f["code"] == "lexicon-deletes"
    )
    accept = run_packager("-C", str(root), "accept", "es", flag, "--by", "Dr. Ana Ruiz")
    assert accept.returncode == 2 and "no finding" in accept.stderr
    assert run_packager("-C", str(root), "check", "--locale", "es").returncode == 1
