"""Planning: every target (article x locale x format), which are stale, which cannot be built."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packager.builders import FORMATS, Builder, formats, get_builder
from packager.document import Article
from packager.engine.inputs import inputs_hash, target_inputs
from packager.engine.manifest import is_fresh, open_manifest
from packager.engine.spill import Spilled
from packager.engine.targets import Outcome, Target, outcome_log
from packager.errors import PackagerError
from packager.project import Project
from packager.source import iter_articles, read_article
from packager.timings import stage


@dataclass
class Job:
    """A stale target. ``digest`` is final when it needs nothing being rebuilt; otherwise it is
    the digest of its own inputs, completed with its dependencies' outputs once they are built."""

    target: Target
    digest: str
    article: Article
    waits_for: tuple[Target, ...] = ()
    files: tuple[str, ...] = ()  # the project's files it reads (see inputs.Inputs)


@dataclass
class Translated:
    """One stale locale of one article, its translation checked: what it publishes, its jobs,
    and the targets refused (all of them, when its translation is)."""

    key: str  # "slug/locale"
    state: dict[str, Any]
    jobs: list[Job] = field(default_factory=list)
    refused: list[Outcome] = field(default_factory=list)
    withdrawn: bool = False  # refused as outdated: its old files must go


#: Source articles a plan keeps parsed between deciding and translating. A library's articles
#: past these are parsed again when their locales' turn comes: its memory does not grow with it.
SOURCES_HELD = 32


@dataclass
class Plan:
    """What one build will do: targets with their input hashes, and targets refused up front.

    Stale locales wait in ``untranslated`` until :meth:`translate_next`: a build translates
    each when its workers need more work, so it holds a few translated articles at a time,
    however big the library. What they publish, refuse and withdraw joins the plan then.
    What it keeps per target (the queue, the outcomes known so far) is kept on disk (:mod:`.spill`).
    """

    project: Project
    builders: dict[str, Builder]
    todo: list[Job] = field(default_factory=list)
    fresh: Spilled[Outcome] = field(default_factory=outcome_log)
    refused: Spilled[Outcome] = field(default_factory=outcome_log)
    #: "slug/locale" -> what is published there: state (current | outdated | refused | failed),
    #: version, source_version, reason. Never missing a locale the project has, once translated.
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    withdrawn: list[str] = field(default_factory=list)  # "slug/locale" refused as outdated: its old files go
    existing: set[str] = field(default_factory=set)  # every "slug/locale" the project has, whatever was asked
    untranslated: Spilled[_Unit] = field(default_factory=Spilled)
    stale: int = 0  # stale targets, those of untranslated locales included
    stale_formats: list[str] = field(default_factory=list)  # their formats, in build order
    manifest: dict[str, Any] = field(default_factory=dict)  # the last build's, planned against (read once)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by stage of the targets run so far
    sources: dict[Path, Article] = field(default_factory=dict)  # parsed source articles held: see SOURCES_HELD

    def translate_next(self) -> Translated:
        """Translate and check the next stale locale; add what it publishes to the plan."""
        unit = self.untranslated.popleft()
        sources = self.sources
        article = sources.pop(unit.source, None) or read_article(unit.source)  # past SOURCES_HELD: parsed again
        if self.untranslated and self.untranslated[0].source == unit.source:  # its other locales come next
            sources[unit.source] = article
        done = _translate(self.project, self.builders, article, unit.locale, unit.stale)
        self.states[done.key] = done.state
        self.refused.extend(done.refused)
        self.withdrawn += [done.key] if done.withdrawn else []
        return done


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
    project: Project,
    locales: list[str] | None,
    wanted: list[str] | None,
    on_stale: StaleHook | None = None,
    translate: bool = True,
) -> Plan:
    """Which targets are fresh and which stale, then each stale locale's translation, checked.

    Freshness is decided for every locale first (hashes only): ``on_stale`` learns what will
    be built before the translations are checked, the costly part of planning a cold build,
    so the caller can get workers ready meanwhile. ``translate=False`` leaves the stale
    locales in ``untranslated``, for the build to translate one by one (:meth:`Plan.translate_next`).
    """
    names = chosen_formats(wanted)
    builders = {name: get_builder(name) for name in names}
    result = Plan(project, builders, manifest=open_manifest(project.build_dir))
    manifest = result.manifest
    found: list[str] = []
    stale: set[str] = set()
    for source, article, all_locales in iter_articles(project):
        found += [loc for loc in all_locales if loc not in found]
        result.existing |= {f"{article.slug}/{loc}" for loc in all_locales}
        for locale in all_locales:
            if locales and locale not in locales:
                continue
            decision = _decide(project, manifest, builders, source, article, locale)
            if decision is None:
                continue
            _fresh(result, article, locale, decision)
            if decision.stale:
                result.untranslated.append(_Unit(source, locale, tuple(_queued(decision))))
                result.stale += len(decision.stale)
                stale |= {t.format for t in decision.stale}
                if len(result.sources) < SOURCES_HELD:
                    result.sources[source] = article
    missing = sorted(set(locales or ()) - set(found))  # a locale no article has (one article may lack it)
    if missing:
        raise PackagerError(
            f"no catalog for locale {', '.join(missing)} (there are: {', '.join(found)}); "
            "run 'packager init LOCALE' to start one",
            project.locales_dir,
        )
    result.stale_formats = [name for name in names if name in stale]
    if on_stale is not None and stale:
        on_stale(result.stale_formats)
    while translate and result.untranslated:
        result.todo += result.translate_next().jobs
    return result


@dataclass(slots=True)
class _Stale:
    """A stale target waiting for its locale's translation: what its job will need, and no more
    (a cold build of a library queues one for every target, on disk)."""

    target: Target
    digest: str
    waits_for: tuple[Target, ...]
    files: tuple[str, ...]
    unready: str | None  # why it cannot be built, found when planned


@dataclass(slots=True)
class _Unit:
    """A stale locale of one article, waiting to be translated."""

    source: Path
    locale: str
    stale: tuple[_Stale, ...]


@dataclass
class _Decision:
    """One locale's targets of one article: their input digests, and which are stale."""

    targets: list[Target]
    digests: dict[Target, str]
    files: dict[Target, tuple[str, ...]]
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
    files: dict[Target, tuple[str, ...]] = {}
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
    fresh = [Outcome(t, "up to date") for t in targets if t not in stale]  # their outputs: see the manifest
    known = manifest["locales"].get(f"{article.slug}/{locale}")
    if not known and fresh:  # a manifest of before locales were recorded: what its outputs say
        known = manifest["targets"][fresh[0].target.key]["outputs"][0].get("translation")
    return _Decision(targets, digests, files, unready, stale, waits, fresh, known)


def _queued(decided: _Decision) -> Iterator[_Stale]:
    for t in decided.stale:
        yield _Stale(t, decided.digests.get(t, ""), decided.waits[t], decided.files.get(t, ()), decided.unready.get(t))


def _fresh(result: Plan, article: Article, locale: str, decided: _Decision) -> None:
    """A locale's fresh targets; if none is stale, what it publishes, unchanged."""
    result.fresh.extend(decided.fresh)
    if not decided.stale:  # its inputs are unchanged, so is its state
        state = decided.known or published(article)
        result.states[f"{article.slug}/{locale}"] = state


def _translate(
    project: Project, builders: dict[str, Builder], article: Article, locale: str, stale: tuple[_Stale, ...]
) -> Translated:
    """A locale's translation checked, and its jobs: all refused if its translation is."""
    key = f"{article.slug}/{locale}"
    try:
        with stage("translate"):
            localized, accepted = localize_checked(project, article, locale)
    except PackagerError as exc:
        from packager.i18n.translate import OutdatedRefused

        refused = isinstance(exc, OutdatedRefused)
        status = "refused" if refused else "failed"
        outcomes = [Outcome(s.target, status, str(exc)) for s in stale]
        return Translated(key, {"state": status, "reason": str(exc)}, refused=outcomes, withdrawn=refused)
    done = Translated(key, published(localized) | {"draft": localized.draft, "accepted_findings": accepted})
    for s in stale:
        try:
            if s.unready is not None:
                raise PackagerError(s.unready)
            builders[s.target.format].preflight(project, [locale])
        except PackagerError as exc:
            done.refused.append(Outcome(s.target, "failed", str(exc)))
        else:
            done.jobs.append(Job(s.target, s.digest, localized, s.waits_for, s.files))
    return done


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
