"""Settings, the -C option and the command line's promises (exit codes, one-line errors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from packager.cli import main
from packager.project import load_project
from tests.conftest import run_packager


def test_defaults_without_settings_file(tmp_path: Path) -> None:
    """The defaults the README documents, written out here rather than taken from the code."""
    settings = load_project(tmp_path).settings
    assert (settings.source_language, settings.locales, settings.completeness_threshold) == ("en", (), 100.0)
    assert (settings.paper_size, settings.publish_url, settings.outdated_translations) == ("auto", "", "publish")
    assert (settings.clinic.name, settings.clinic.contact, settings.clinic.country) == ("", "", "US")
    audio = settings.audio
    assert (audio.engine, audio.engines, audio.voices, audio.fallback) == ("espeak-ng", {}, {}, "")
    assert (audio.rate, audio.bitrate, audio.reference_sections) == (0, 64, ("references",))


def test_settings_are_typed(tmp_path: Path) -> None:
    (tmp_path / "packager.yaml").write_text(
        "locales: [es, zh_Hans]\ncompleteness_threshold: 90\npaper_size: A4\n"
        "clinic:\n  name: Riverside Lupus Clinic\n  contact: (555) 010-0199\n  country: CA\n",
        encoding="utf-8",
    )
    settings = load_project(tmp_path).settings
    assert settings.locales == ("es", "zh_Hans")
    assert settings.completeness_threshold == 90.0
    assert settings.clinic.name == "Riverside Lupus Clinic" and settings.clinic.country == "CA"


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("locales: [es]\ncolour: blue\n", "packager.yaml:2: unknown setting 'colour'"),
        ("clinic:\n  name: X\n  fax: 1\n", "packager.yaml:3: unknown setting 'clinic.fax'"),
        ("completeness_threshold: lots\n", "packager.yaml:1: setting 'completeness_threshold' has the wrong type"),
        (
            "completeness_threshold: 150\n",
            "packager.yaml:1: setting 'completeness_threshold' must be between 0 and 100",
        ),
        ("paper_size: A3\n", "packager.yaml:1: setting 'paper_size' must be one of auto, A4, Letter"),
        (
            "audio:\n  bitrate: 8\n",  # LAME would write MPEG-2.5, which the build then cannot read
            "packager.yaml:2: setting 'audio.bitrate' must be one of 16, 24, 32, 40, 48, 56, 64, 80, 96, 112,",
        ),
        ("locales: [../../etc]\n", "packager.yaml:1: '../../etc' is not a locale name"),
        ("locales: [es\n", "packager.yaml:2: invalid YAML"),
        ("skip: {ht: brail}\n", "packager.yaml:1: setting 'skip.ht' names 'brail', which is not a format"),
        ("skip: {../x: audio}\n", "packager.yaml:1: '../x' is not a locale name"),
    ],
)
def test_bad_settings_are_one_line_errors(tmp_path: Path, yaml_text: str, message: str) -> None:
    (tmp_path / "packager.yaml").write_text(yaml_text, encoding="utf-8")
    result = run_packager("-C", str(tmp_path), "stats")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_dash_c_runs_in_another_folder(project_copy: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_packager("-C", str(project_copy), "stats", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert "zh_Hans" in result.stdout and "100%" in result.stdout


def test_help_lists_every_command() -> None:
    result = run_packager("--help")
    assert result.returncode == 0
    for command in ("extract", "init", "update", "stats", "check", "review", "accept", "build"):
        assert command in result.stdout


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys; from packager import cli\n"
        "try:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = ('weasyprint', 'babel.messages', 'markdown', 'numpy', 'piper', 'gtts')\n"
        "print([m for m in heavy if m in sys.modules])"
    )
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.strip().endswith("[]"), out


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run_packager("-C", str(tmp_path), "frobnicate").returncode == 2
    result = run_packager("-C", str(tmp_path / "missing"), "stats")
    assert result.returncode == 2 and "no such project folder" in result.stderr


def test_init_refuses_a_path_as_locale(project_copy: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["-C", str(project_copy), "init", "../evil"]) == 2
    assert "is not a locale name" in capsys.readouterr().err
    assert not (project_copy / "evil").exists()


def test_a_skipped_format_and_the_formats_that_need_it_are_not_planned_for_that_locale(project_copy: Path) -> None:
    """Liblouis has no Haitian Creole table and espeak-ng no Tagalog voice: the clinic says so once."""
    from packager.builders import FORMATS
    from packager.engine.plan import plan
    from packager.project import load_project

    (project_copy / "packager.yaml").write_text("skip: {es: audio, vi: 'braille, handout'}\n", encoding="utf-8")
    result = plan(load_project(project_copy), ["es", "vi", "ar"], None)
    planned = {(job.target.locale, job.target.format) for job in result.todo}
    needs_audio = {name for name, fmt in FORMATS.items() if "audio" in fmt.needs}
    assert needs_audio, "a format needing audio is registered (EPUB)"
    assert {fmt for loc, fmt in planned if loc == "es"} == set(FORMATS) - {"audio"} - needs_audio
    assert {fmt for loc, fmt in planned if loc == "vi"} == set(FORMATS) - {"braille", "handout"}
    assert {fmt for loc, fmt in planned if loc == "ar"} == set(FORMATS)
