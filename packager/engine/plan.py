"""Planning: every target (article x locale x format), which are stale, which cannot be built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packager.builders import FORMATS, Builder, formats, get_builder
from packager.document import Article
from packager.engine.inputs import inputs_hash, target_inputs
from packager.engine.manifest import is_fresh, read_manifest
from packager.engine.targets import Outcome, Target
from packager.errors import PackagerError
from packager.project import Project
from packager.source import project_articles
from packager.timings import stage


@dataclass
class Job:
    """A stale target. ``digest`` is final when it needs nothing being rebuilt; otherwise it is
    the digest of its own inputs, completed with its dependencies' outputs once they are built."""

    target: Target
    digest: str
    article: Article
    waits_for: tuple[Target, ...] = ()
    files: tuple[Path, ...] = ()  # the project's files it reads (see inputs.Inputs)


@dataclass
class Plan:
    """What one build will do: targets with their input hashes, and targets refused up front."""

    todo: list[Job] = field(default_factory=list)
    fresh: list[Outcome] = field(default_factory=list)
    refused: list[Outcome] = field(default_factory=list)
    #: "slug/locale" -> what is published there: state (current | outdated | refused | failed),
    #: version, source_version, reason. Never missing a locale the project has.
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    withdrawn: list[str] = field(default_factory=list)  # "slug/locale" refused as outdated: its old files go
    existing: set[str] = field(default_factory=set)  # every "slug/locale" the project has, whatever was asked


def with_needs(digest: str, needed: list[dict[str, Any]]) -> str:
    """A dependent's digest: its own inputs and the sha256 of every output it needs."""
    return inputs_hash([digest, *(out["sha256"] for entry in needed for out in entry["outputs"])])


def chosen_formats(wanted: list[str] | None) -> list[str]:
    """The formats asked for and every format they need, in build order."""
    chosen: set[str] = set()
    stack = list(wanted or FORMATS)
    while stack:
        name = stack.pop()
        if name not in chosen:
            chosen.add(name)
            stack += FORMATS[name].needs
    return [f.name for f in formats() if f.name in chosen]


#: Called once, before any translation is checked, with the formats of the stale targets (if any).
StaleHook = Callable[[list[str]], None]


def plan(
    project: Project, locales: list[str] | None, wanted: list[str] | None, on_stale: StaleHook | None = None
) -> Plan:
    """Which targets are fresh and which stale, then each stale locale's translation, checked.

    Freshness is decided for every locale first (hashes only): ``on_stale`` learns what will
    be built before the translations are checked, the costly part of planning a cold build,
    so the caller can get workers ready meanwhile.
    """
    result = Plan()
    manifest = read_manifest(project.build_dir)
    names = chosen_formats(wanted)
    builders = {name: get_builder(name) for name in names}
    found: list[str] = []
    decided: list[tuple[Article, str, _Decision]] = []
    for source, article, all_locales in project_articles(project):
        found += [loc for loc in all_locales if loc not in found]
        result.existing |= {f"{article.slug}/{loc}" for loc in all_locales}
        for locale in all_locales:
            if not locales or locale in locales:
                decision = _decide(project, manifest, builders, source, article, locale)
                if decision is not None:
                    decided.append((article, locale, decision))
    missing = sorted(set(locales or ()) - set(found))  # a locale no article has (one article may lack it)
    if missing:
        raise PackagerError(
            f"no catalog for locale {', '.join(missing)} (there are: {', '.join(found)}); "
            "run 'packager init LOCALE' to start one",
            project.locales_dir,
        )
    stale_formats = {t.format for _, _, decision in decided for t in decision.stale}
    if on_stale is not None and stale_formats:
        on_stale([name for name in names if name in stale_formats])
    for article, locale, decision in decided:
        _plan_locale(project, result, builders, article, locale, decision)
    return result


@dataclass
class _Decision:
    """One locale's targets of one article: their input digests, and which are stale."""

    targets: list[Target]
    digests: dict[Target, str]
    files: dict[Target, tuple[Path, ...]]
    unready: dict[Target, str]  # e.g. no voice for this language: only this target fails
    stale: list[Target]
    waits: dict[Target, tuple[Target, ...]]
    fresh: list[Outcome]
    known: dict[str, Any] | None  # the locale's state the manifest holds, still true when nothing is stale


def _decide(
    project: Project,
    manifest: dict[str, Any],
    builders: dict[str, Builder],
    source: Path,
    article: Article,
    locale: str,
) -> _Decision | None:
    targets = [Target(article.slug, locale, name, source) for name in builders if name not in skipped(project, locale)]
    if not targets:  # every format asked for is one this locale does without
        return None
    digests: dict[Target, str] = {}
    files: dict[Target, tuple[Path, ...]] = {}
    unready: dict[Target, str] = {}
    for t in targets:
        try:
            inputs = target_inputs(project, t.key, article, locale, FORMATS[t.format], builders[t.format])
        except PackagerError as exc:
            unready[t] = str(exc)
        else:
            digests[t], files[t] = inputs.digest, inputs.files
    stale: list[Target] = []
    waits: dict[Target, tuple[Target, ...]] = {}
    for t in targets:  # in build order, so a target's needs are decided before it
        needs = tuple(t.sibling(n) for n in FORMATS[t.format].needs)
        waits[t] = tuple(n for n in needs if n in stale)
        if t not in unready and not waits[t] and needs:
            digests[t] = with_needs(digests[t], [manifest["targets"][n.key] for n in needs])
        if t in unready or waits[t] or not is_fresh(manifest["targets"].get(t.key), digests[t], project.build_dir):
            stale.append(t)
    fresh = [Outcome(t, "up to date", outputs=manifest["targets"][t.key]["outputs"]) for t in targets if t not in stale]
    known = manifest["locales"].get(f"{article.slug}/{locale}")
    return _Decision(targets, digests, files, unready, stale, waits, fresh, known)


def _plan_locale(
    project: Project, result: Plan, builders: dict[str, Builder], article: Article, locale: str, decided: _Decision
) -> None:
    """A locale's fresh targets, and, if any is stale, its translation checked and its jobs."""
    stale, fresh = decided.stale, decided.fresh
    result.fresh += fresh
    state_key = f"{article.slug}/{locale}"
    if not stale:  # its inputs are unchanged, so is its state
        result.states[state_key] = decided.known or fresh[0].outputs[0].get("translation") or published(article)
        return
    try:
        with stage("translate"):
            localized, accepted = localize_checked(project, article, locale)
    except PackagerError as exc:
        from packager.i18n.translate import OutdatedRefused

        refused = isinstance(exc, OutdatedRefused)
        result.refused += [Outcome(t, "refused" if refused else "failed", str(exc)) for t in stale]
        result.states[state_key] = {"state": "refused" if refused else "failed", "reason": str(exc)}
        if refused:
            result.withdrawn.append(state_key)
        return
    result.states[state_key] = published(localized)
    result.states[state_key] |= {"draft": localized.draft, "accepted_findings": accepted}
    for t in stale:
        try:
            if t in decided.unready:
                raise PackagerError(decided.unready[t])
            builders[t.format].preflight(project, [locale])
        except PackagerError as exc:
            result.refused.append(Outcome(t, "failed", str(exc)))
        else:
            result.todo.append(Job(t, decided.digests[t], localized, decided.waits[t], decided.files[t]))


def skipped(project: Project, locale: str) -> set[str]:
    """The formats the settings skip for ``locale``, and every format that needs one of them."""
    names = project.settings.skipped(locale)
    for fmt in formats():  # in build order: a format's needs come before it
        if set(fmt.needs) & names:
            names.add(fmt.name)
    return names


def localize_checked(project: Project, article: Article, locale: str) -> tuple[Article, list[str]]:
    """The translate transform, then the checks of what it chose to publish (the current text
    or an earlier one): a translation with errors is never built. Also returns the findings a
    reviewer accepted, which every report lists."""
    from packager.i18n.translate import localize

    translation = localize(project, article, locale)
    if translation.catalog is None or translation.path is None:
        return translation.article, []
    from packager.i18n import checks
    from packager.i18n.signoff import load_signoff

    signoff = load_signoff(project, article.slug, locale)
    findings = checks.check_catalog(
        translation.source, translation.catalog, translation.path, locale, False, translation.earlier, signoff
    )
    errors = [f for f in findings + checks.check_ui_words(project.locales_dir, locale, signoff) if f.blocking]
    if errors:
        more = f" (and {len(errors) - 1} more; run 'packager check --locale {locale}')" if len(errors) > 1 else ""
        raise PackagerError(f"translation check failed: {errors[0]}{more}")
    return translation.article, [f"{f.key or 'catalog'}: {f.message} [{f.code}]" for f in findings if f.accepted]


def published(article: Article) -> dict[str, Any]:
    """What the manifest and index say a locale publishes, read off the translated article."""
    current = article.outdated.current_version if article.outdated else article.meta.version
    return {"state": "outdated" if article.outdated else "current", "version": article.meta.version} | {
        "source_version": current
    }
