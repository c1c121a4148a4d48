"""Fast checks of the build plan (engine/plan.py): which targets are stale, which wait, which are refused.

A build is simulated by writing each planned target's outputs and its manifest entry, so no
format is really built; the expected targets come from the shipped project's locales and
the formats' documented needs (an EPUB needs the audio).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from packager.engine.manifest import MANIFEST, read_manifest
from packager.engine.plan import Plan, chosen_formats, plan
from packager.errors import PackagerError
from packager.project import load_project
from tests.conftest import SLUG


@pytest.fixture
def root(fresh_project: Path) -> Path:
    return fresh_project


def keys(targets) -> list[str]:
    return [t.key for t in targets]


def built(root: Path, result: Plan, only: set[str] | None = None) -> None:
    """Record the planned targets (or ``only`` these keys) as built: outputs written, manifest updated."""
    project = load_project(root)
    path = project.build_dir / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8")) if path.exists() else read_manifest(project.build_dir)
    for job in result.todo:
        if only is not None and job.target.key not in only:
            continue
        out = project.build_dir / job.target.locale / f"{job.target.format}.out"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(job.target.key.encode())
        sha = hashlib.sha256(out.read_bytes()).hexdigest()
        manifest["targets"][job.target.key] = {
            "inputs": job.digest,
            "outputs": [{"path": out.relative_to(project.build_dir).as_posix(), "sha256": sha}],
        }
    project.build_dir.mkdir(parents=True, exist_ok=True)
    (project.build_dir / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def change_numbers(root: Path, locale: str, count: int = 1) -> None:
    """Change the first ``count`` three-digit numbers of a translation to 999: a check error each."""
    path = root / "locales" / locale / "LC_MESSAGES" / f"{SLUG}.po"
    text = path.read_text(encoding="utf-8")
    found = list(re.finditer(r'^msgstr ".*?(\d{3})', text, re.M))[:count]
    assert len(found) == count
    for number in reversed(found):
        text = text[: number.start(1)] + "999" + text[number.end(1) :]
    path.write_text(text, encoding="utf-8")


def test_chosen_formats_add_what_they_need_in_build_order() -> None:
    assert chosen_formats(["epub"]) == ["audio", "epub"]
    assert chosen_formats(["site", "handout"]) == ["audio", "handout", "site"]
    assert chosen_formats(["braille"]) == ["braille"]
    assert chosen_formats(None) == ["audio", "handout", "large-print", "braille", "epub", "site"]


def test_a_fresh_project_plans_every_target_and_a_dependent_waits(root: Path) -> None:
    result = plan(load_project(root), ["es", "ht"], ["braille", "epub"])
    # The shipped settings skip braille for Haitian Creole (packager.yaml).
    assert keys(j.target for j in result.todo) == [
        f"{SLUG}/es/audio", f"{SLUG}/es/braille", f"{SLUG}/es/epub", f"{SLUG}/ht/audio", f"{SLUG}/ht/epub",
    ]  # fmt: skip
    waits = {j.target.key: keys(j.waits_for) for j in result.todo}
    assert waits[f"{SLUG}/es/epub"] == [f"{SLUG}/es/audio"] and waits[f"{SLUG}/es/braille"] == []
    assert list(result.fresh) == [] and list(result.refused) == [] and result.withdrawn == []
    assert result.states[f"{SLUG}/es"] | {"accepted_findings": []} == {
        "state": "current", "version": "1.1.0", "source_version": "1.1.0", "draft": True, "accepted_findings": [],
    }  # fmt: skip
    locales = {p.parent.parent.name for p in (root / "locales").glob(f"*/LC_MESSAGES/{SLUG}.po")} | {"en"}
    assert result.existing == {f"{SLUG}/{loc}" for loc in locales}
    jobs = {j.target.key: j for j in result.todo}
    assert jobs[f"{SLUG}/es/braille"].article.locale == "es"
    assert any(Path(p).name == f"{SLUG}.po" for p in jobs[f"{SLUG}/es/braille"].files)


def test_what_is_stale_is_told_before_any_translation_is_checked_and_nothing_when_all_is_fresh(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hook a build warms its workers with: once, with the stale formats in build order,
    before the first (costly) translation check; a build with nothing to do never hears it."""
    import packager.engine.plan as planning

    heard: list[tuple[str, object]] = []
    check = planning.localize_checked
    monkeypatch.setattr(
        planning, "localize_checked", lambda p, a, loc: (heard.append(("check", loc)), check(p, a, loc))[1]
    )
    project = load_project(root)
    for _ in range(2):  # the EPUB waits for the audio's output: the second plan has it stale again
        result = plan(project, ["es", "ht"], ["braille", "epub"], on_stale=lambda names: heard.append(("stale", names)))
        built(root, result)
    assert heard == [
        ("stale", ["audio", "braille", "epub"]), ("check", "es"), ("check", "ht"),
        ("stale", ["epub"]), ("check", "es"), ("check", "ht"),
    ]  # fmt: skip
    heard.clear()
    assert (
        plan(project, ["es", "ht"], ["braille", "epub"], on_stale=lambda names: heard.append(("stale", names))).todo
        == []
    )
    assert heard == []


def test_only_the_braille_of_a_locale_that_skips_braille_is_nothing(root: Path) -> None:
    result = plan(load_project(root), ["ht"], ["braille"])
    assert result.todo == [] and list(result.fresh) == [] and list(result.refused) == [] and result.states == {}


def test_built_targets_are_up_to_date_and_a_changed_output_rebuilds_it_and_its_dependents(root: Path) -> None:
    project = load_project(root)
    first = plan(project, ["es"], ["braille", "epub"])
    built(root, first)
    # The EPUB was planned while the audio was stale: its digest now includes the audio's output.
    second = plan(project, ["es"], ["braille", "epub"])
    assert keys(j.target for j in second.todo) == [f"{SLUG}/es/epub"]
    assert keys(o.target for o in second.fresh) == [f"{SLUG}/es/audio", f"{SLUG}/es/braille"]
    assert second.todo[0].waits_for == ()
    built(root, second)
    third = plan(project, ["es"], ["braille", "epub"])
    assert third.todo == [] and list(third.refused) == []
    assert [(o.target.key, o.status) for o in third.fresh] == [
        (f"{SLUG}/es/audio", "up to date"), (f"{SLUG}/es/braille", "up to date"), (f"{SLUG}/es/epub", "up to date"),
    ]  # fmt: skip
    assert third.manifest["targets"][f"{SLUG}/es/braille"]["outputs"] == [
        {"path": "es/braille.out", "sha256": hashlib.sha256(f"{SLUG}/es/braille".encode()).hexdigest()}
    ]
    assert third.states[f"{SLUG}/es"] == {"state": "current", "version": "1.1.0", "source_version": "1.1.0"}
    (project.build_dir / "es" / "audio.out").write_bytes(b"changed")
    fourth = plan(project, ["es"], ["braille", "epub"])
    assert keys(j.target for j in fourth.todo) == [f"{SLUG}/es/audio", f"{SLUG}/es/epub"]
    assert keys(fourth.todo[1].waits_for) == [f"{SLUG}/es/audio"]
    assert keys(o.target for o in fourth.fresh) == [f"{SLUG}/es/braille"]


def test_a_fresh_locale_keeps_the_state_the_manifest_records(root: Path) -> None:
    project = load_project(root)
    built(root, plan(project, ["es"], ["braille"]))
    manifest = json.loads((project.build_dir / MANIFEST).read_text(encoding="utf-8"))
    manifest["locales"][f"{SLUG}/es"] = {"state": "outdated", "version": "1.0.0", "source_version": "1.0.0"}
    (project.build_dir / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    again = plan(project, ["es"], ["braille"])
    assert again.todo == [] and again.states[f"{SLUG}/es"]["version"] == "1.0.0"


def test_a_locale_no_article_has_is_an_error_naming_the_ones_there_are(root: Path) -> None:
    with pytest.raises(
        PackagerError, match=r"no catalog for locale xx, yy \(there are: en, .*es.*\); run 'packager init LOCALE'"
    ):
        plan(load_project(root), ["es", "yy", "xx"], ["braille"])


def test_a_translation_with_errors_fails_alone_and_builds_nothing(root: Path) -> None:
    change_numbers(root, "es")
    result = plan(load_project(root), ["es", "fr"], ["braille"])
    assert keys(j.target for j in result.todo) == [f"{SLUG}/fr/braille"]
    assert [(o.target.key, o.status) for o in result.refused] == [(f"{SLUG}/es/braille", "failed")]
    assert result.refused[0].reason.startswith("translation check failed: ")
    # One changed number is two findings: the source's number missing, 999 not in the source.
    assert result.refused[0].reason.endswith("[number-changed] (and 1 more; run 'packager check --locale es')")
    state = result.states[f"{SLUG}/es"]
    assert state["state"] == "failed" and state["reason"] == result.refused[0].reason
    assert result.withdrawn == []


def test_more_than_one_error_names_the_first_and_counts_the_rest(root: Path) -> None:
    change_numbers(root, "es", 2)
    (refused,) = plan(load_project(root), ["es"], ["braille"]).refused
    assert refused.reason.startswith(f"translation check failed: {root / 'locales' / 'es' / 'LC_MESSAGES' / SLUG}.po:")
    # Each changed number is two findings: the source's number missing, 999 not in the source.
    assert re.search(
        r"from the source is missing \[number-changed\] \(and 3 more; run 'packager check --locale es'\)$",
        refused.reason,
    )


def test_a_second_article_without_translations_adds_its_own_locale_only(root: Path) -> None:
    first = root / "source" / f"{SLUG}.md"
    second = root / "source" / "zz-second.md"
    second.write_text(
        first.read_text(encoding="utf-8").replace(f"slug: {SLUG}", "slug: zz-second", 1), encoding="utf-8"
    )
    result = plan(load_project(root), ["es"], ["braille"])  # only the first article has Spanish
    assert [(j.target.key, j.target.source) for j in result.todo] == [(f"{SLUG}/es/braille", first)]
    assert "zz-second/en" in result.existing and f"{SLUG}/es" in result.existing
    everything = plan(load_project(root), None, ["braille"])
    assert {j.target.key for j in everything.todo} >= {f"{SLUG}/en/braille", "zz-second/en/braille"}
    assert {j.target.source for j in everything.todo} == {first, second}


def test_the_unknown_locale_error_names_the_locales_folder(root: Path) -> None:
    with pytest.raises(PackagerError, match=r"no catalog for locale xx") as caught:
        plan(load_project(root), ["xx"], ["braille"])
    assert caught.value.path == root / "locales"


def test_a_rebuilt_dependency_with_new_output_makes_its_dependent_stale(root: Path) -> None:
    project = load_project(root)
    built(root, plan(project, ["es"], ["epub"]))
    built(root, plan(project, ["es"], ["epub"]))  # the EPUB, now that the audio is built
    assert plan(project, ["es"], ["epub"]).todo == []
    # The audio is rebuilt (same inputs) and its output differs: the EPUB holds the old audio.
    audio = project.build_dir / "es" / "audio.out"
    audio.write_bytes(b"new narration")
    manifest = json.loads((project.build_dir / MANIFEST).read_text(encoding="utf-8"))
    manifest["targets"][f"{SLUG}/es/audio"]["outputs"][0]["sha256"] = hashlib.sha256(b"new narration").hexdigest()
    (project.build_dir / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    again = plan(project, ["es"], ["epub"])
    assert keys(j.target for j in again.todo) == [f"{SLUG}/es/epub"]
    assert again.todo[0].waits_for == () and keys(o.target for o in again.fresh) == [f"{SLUG}/es/audio"]


def test_fresh_targets_of_every_locale_are_listed(root: Path) -> None:
    project = load_project(root)
    built(root, plan(project, ["es", "fr"], ["braille"]))
    again = plan(project, ["es", "fr"], ["braille"])
    assert keys(o.target for o in again.fresh) == [f"{SLUG}/es/braille", f"{SLUG}/fr/braille"]


def test_a_fresh_locale_without_a_recorded_state_takes_its_outputs_translation(root: Path) -> None:
    project = load_project(root)
    built(root, plan(project, ["es"], ["braille", "handout"]))
    manifest = json.loads((project.build_dir / MANIFEST).read_text(encoding="utf-8"))
    recorded = {"state": "outdated", "version": "1.0.0", "source_version": "1.0.0"}
    manifest["targets"][f"{SLUG}/es/handout"]["outputs"][0]["translation"] = recorded
    (project.build_dir / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert plan(project, ["es"], ["braille", "handout"]).states[f"{SLUG}/es"] == recorded


def test_every_failing_locale_is_listed(root: Path) -> None:
    for locale in ("es", "fr"):
        change_numbers(root, locale)
    result = plan(load_project(root), ["es", "fr"], ["braille"])
    assert [(o.target.key, o.status) for o in result.refused] == [
        (f"{SLUG}/es/braille", "failed"),
        (f"{SLUG}/fr/braille", "failed"),
    ]


def test_an_outdated_translation_is_planned_and_published_marked_with_both_versions(root: Path) -> None:
    from tests.test_publishing import edit_source, front_matter_version

    old = front_matter_version(root)
    edit_source(root, old + ".1")
    result = plan(load_project(root), ["es"], ["braille"])
    assert keys(j.target for j in result.todo) == [f"{SLUG}/es/braille"] and list(result.refused) == []
    # A translation of the earlier version, not reviewed for this one: a draft.
    assert result.states[f"{SLUG}/es"] == {
        "state": "outdated",
        "version": old,
        "source_version": old + ".1",
        "draft": True,
        "accepted_findings": [],
    }
    assert result.withdrawn == []


def test_outdated_translations_the_settings_refuse_are_refused_and_withdrawn(root: Path) -> None:
    from tests.test_publishing import edit_source, front_matter_version

    with (root / "packager.yaml").open("a", encoding="utf-8") as settings:
        settings.write("outdated_translations: refuse\n")
    edit_source(root, front_matter_version(root) + ".1")
    result = plan(load_project(root), ["es", "fr"], ["braille"])
    assert result.todo == []
    assert [(o.target.key, o.status) for o in result.refused] == [
        (f"{SLUG}/es/braille", "refused"),
        (f"{SLUG}/fr/braille", "refused"),
    ]
    assert all("outdated_translations: refuse" in o.reason for o in result.refused)
    assert result.withdrawn == [f"{SLUG}/es", f"{SLUG}/fr"]
    assert result.states[f"{SLUG}/es"] == {"state": "refused", "reason": result.refused[0].reason}


def test_a_target_whose_inputs_cannot_be_read_fails_alone_and_its_dependent_waits(root: Path) -> None:
    """A Piper voice that is not there: French audio fails; French braille is planned, the
    French EPUB waits for the audio (and fails with it when the build runs)."""
    with (root / "packager.yaml").open("a", encoding="utf-8") as settings:
        settings.write("audio:\n  engines: {fr: piper}\n  voices: {fr: missing.onnx}\n")
    result = plan(load_project(root), ["fr"], ["braille", "audio", "epub"])
    assert [(o.target.key, o.status) for o in result.refused] == [(f"{SLUG}/fr/audio", "failed")]
    assert result.refused[0].reason.startswith("missing.onnx: ")
    assert {j.target.key: keys(j.waits_for) for j in result.todo} == {
        f"{SLUG}/fr/braille": [],
        f"{SLUG}/fr/epub": [f"{SLUG}/fr/audio"],
    }


def test_a_format_whose_preflight_fails_is_refused_for_that_locale_only(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from packager.render import fonts

    monkeypatch.setattr(fonts, "system_face", lambda family: None)  # no system font installed
    result = plan(load_project(root), ["ar", "es"], ["braille", "handout"])
    assert [(o.target.key, o.status) for o in result.refused] == [(f"{SLUG}/ar/handout", "failed")]
    assert result.refused[0].reason == (
        "locale ar needs the font 'Noto Sans Arabic': install the Debian package fonts-noto-core"
    )
    planned = {f"{SLUG}/ar/braille", f"{SLUG}/es/braille", f"{SLUG}/es/handout"}
    assert set(keys(j.target for j in result.todo)) == planned
