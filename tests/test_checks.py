"""``packager check``: the shipped catalogs, the report formats, accept flags, readability, numbers."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from packager import cli
from packager.i18n import readability as rd
from packager.i18n.checks import CODES, check_locale
from packager.i18n.checks.rules import check_message
from packager.i18n.pofile import read_catalog, write_catalog
from packager.i18n.workflow import update
from packager.project import load_project
from packager.source import read_article
from tests.conftest import SHIPPED_LOCALES, SLUG, run_packager
from tests.test_adversarial import COST, PLAIN, REF2, findings_for, po_path, project, set_translation, sub

__all__ = ["project"]  # fixtures shared with the adversarial suite


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_shipped_catalogs_have_no_errors(project: Path, locale: str) -> None:
    blocking = [str(f) for f in findings_for(project, locale) if f.blocking]
    assert blocking == []


def test_every_code_has_a_severity_and_a_description() -> None:
    assert all(sev in ("error", "warning") and text for sev, text in CODES.values())


def _break_year(root: Path, flags=()) -> None:
    set_translation(root, "es", REF2, sub("(2022)", "(2012)"), flags)


def test_human_report_lists_findings_then_a_table(project: Path, capsys) -> None:
    _break_year(project)
    assert cli.main(["-C", str(project), "check", "--locale", "es"]) == 1
    out = capsys.readouterr().out.splitlines()
    errors = [line for line in out if ": error: " in line]
    assert len(errors) == 2  # 2012 added, 2022 missing
    pattern = rf"\S*locales/es/LC_MESSAGES/{SLUG}\.po:\d+: error: '2012' is not in the source \[number-changed\]"
    assert re.fullmatch(pattern, errors[1])
    table = out[out.index("") + 1 :]
    assert table[0].split() == ["article", "locale", "errors", "warnings", "accepted", "result"]
    assert table[2].split()[:3] == [SLUG, "es", "2"] and table[2].split()[-1] == "FAIL"


def test_quiet_prints_only_blocking_errors(project: Path, capsys) -> None:
    assert cli.main(["-C", str(project), "check", "-q"]) == 0
    assert capsys.readouterr().out.strip() == ""
    _break_year(project)
    assert cli.main(["-C", str(project), "check", "-q"]) == 1
    assert all(": error: " in line for line in capsys.readouterr().out.strip().splitlines())


def test_json_report_per_locale_with_accepted_findings(project: Path, capsys) -> None:
    _break_year(project, flags=("accept-number-changed",))
    assert cli.main(["-C", str(project), "check", "--json"]) == 0
    reports = {r["locale"]: r for r in json.loads(capsys.readouterr().out)}
    assert set(reports) == {"en", *SHIPPED_LOCALES}  # en: the narration's pronunciation lexicon
    es = reports["es"]
    assert es["errors"] == 0 and es["accepted"] == 2 and es["ok"] is True
    accepted = [f for f in es["findings"] if f["accepted"]]
    assert {(f["code"], f["key"], f["severity"]) for f in accepted} == {("number-changed", REF2, "error")}
    assert set(accepted[0]) >= {"severity", "code", "message", "path", "line", "key", "accepted", "locale"}


def test_acceptances_survive_babel_update_and_gettext_tools(project: Path) -> None:
    """They live in reviews/, not in the catalog, so no tool that rewrites the catalog drops them."""
    _break_year(project, flags=("accept-number-changed",))
    update(load_project(project))  # re-extract and merge: Babel rewrites the file
    path = po_path(project)
    merged = subprocess.run(["msgcat", str(path)], check=True, capture_output=True, text=True).stdout
    path.write_text(merged, encoding="utf-8")  # msgcat rewrites it too
    entry = next(m for m in read_catalog(path, locale="es") if m.context == REF2)
    assert "(2012)" in entry.string and not any(f.startswith("accept") for f in entry.flags)
    assert all(f.accepted for f in findings_for(project) if f.key == REF2 and f.code == "number-changed")


@pytest.mark.parametrize(
    "form", ["#, accept-number-changed, accept-link-changed\n", "# packager: accept-number-changed\n"]
)
def test_a_translator_cannot_accept_their_own_findings(project: Path, form: str) -> None:
    _break_year(project)
    path = po_path(project)
    text = path.read_text(encoding="utf-8")
    text = text.replace(f'msgctxt "{REF2}"', form + f'msgctxt "{REF2}"', 1)
    path.write_text(text, encoding="utf-8")
    found = [f for f in findings_for(project) if f.key == REF2]
    assert [f.code for f in found if f.blocking] == ["number-changed", "number-changed"]
    assert [f.code for f in found if f.code == "ignored-signoff"] == ["ignored-signoff"]
    assert not any(f.accepted for f in found)


def test_a_translator_cannot_sign_their_own_review(project: Path) -> None:
    from packager.i18n.translate import localize

    path = po_path(project)
    text = path.read_text(encoding="utf-8")
    text = text.replace('"X-Medical-Review-By: \\n"', '"X-Medical-Review-By: Dr. Nobody\\n"')
    text = text.replace('"X-Medical-Review-Source-Version: \\n"', '"X-Medical-Review-Source-Version: 1.0.0\\n"')
    path.write_text(text, encoding="utf-8")
    assert "Dr. Nobody" in path.read_text(encoding="utf-8")
    project_ = load_project(project)
    article = read_article(project_.articles()[0])
    assert localize(project_, article, "es").article.draft is True
    ignored = [f for f in findings_for(project) if f.code == "ignored-signoff"]
    assert len(ignored) == 1 and ignored[0].key == "" and "packager review" in ignored[0].message


def test_catalog_wide_findings_are_accepted_by_a_reviewer(project: Path) -> None:
    from packager.i18n.signoff import record_acceptance

    path = po_path(project)
    catalog = read_catalog(path, locale="es")
    hard = (
        "Extraordinariamente, las complicaciones inmunológicas multisistémicas, particularmente "
        "heterogéneas, desencadenaron manifestaciones hematológicas, neurológicas y nefrológicas "
        "insospechadamente incapacitantes, caracterizadas bibliográficamente por investigadores internacionales."
    )
    for message in catalog:
        if message.context and message.context.rsplit("/", 1)[-1].startswith("p") and "[" not in message.id:
            if not re.search(r"\d", message.id):
                message.string = hard
    write_catalog(path, catalog)
    record_acceptance(load_project(project), SLUG, "es", "", "readability", "", "", "Test Reviewer")
    found = [f for f in findings_for(project) if f.code == "readability"]
    assert len(found) == 1 and found[0].accepted and found[0].key == "" and found[0].line == 10
    assert "Fernández-Huerta score" in found[0].message and "target at least 60" in found[0].message


def test_readability_works_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    import nltk

    def no_network(*args, **kwargs):
        raise AssertionError("tried to download NLTK data")

    monkeypatch.setattr(nltk, "download", no_network)
    monkeypatch.setattr(nltk.data, "find", lambda *a, **k: (_ for _ in ()).throw(LookupError("offline")))
    text = "The cat sat on the mat. It was a sunny day, and the children played outside."
    result = rd.readability(text, "en")
    assert result is not None and result.formula == "Flesch-Kincaid grade" and result.score < 5
    assert rd.grade_level(text, "en_US") == result.score
    assert rd.readability("Hola.", "vi") is None and rd.readability(text, "zh_Hans") is None
    assert rd.readability("El gato duerme en la casa. Es un día de sol.", "es").ok  # type: ignore[union-attr]


NUMBER_CASES = [
    # (source, translation, locale, expected codes)
    ("Take 1.5 mg twice a day.", "Tome 1,5 mg dos veces al día.", "es", []),
    ("Take 1.5 mg twice a day.", "Tome 1.5 mg dos veces al día.", "es", []),  # unambiguous in es
    ("Take 1.5 mg twice a day.", "Tome 1.500 mg dos veces al día.", "es", ["number-misread"]),
    ("Take 1.5 mg twice a day.", "Tome 15 mg dos veces al día.", "es", ["number-changed", "number-changed"]),
    ("Take 1.5 mg twice a day.", "Tome 1,5 g dos veces al día.", "es", ["unit-changed"]),
    ("Take 1.5 mg twice a day.", "تناول ١٫٥ ملغ مرتين في اليوم.", "ar", []),
    ("Take 1.5 mg twice a day.", "تناول ۱٫۵ ملغ مرتين في اليوم.", "ar", []),  # Persian digits
    ("Take 1.5 mg twice a day.", "每天服用两次，每次１．５毫克。", "zh_Hans", []),  # full-width
    ("It costs $1,250.", "Cuesta 1250 dólares.", "es", []),
    ("It costs $375,000.", "Cuesta 375 000 dólares.", "es", []),  # RAE: a space groups thousands
    ("It costs $375,000.", "Cuesta 37 500 dólares.", "es", ["number-changed", "number-changed"]),
    ("It costs $1,250.", "Il coûte 1 250 dollars.", "fr", []),
    ("It costs $1,250.", "Il coûte 1\u202f250 $.", "fr", []),
    ("It costs $1,250.", "Il coûte 1\u202f250 €.", "fr", ["unit-changed"]),
    ("About 50% of people.", "Khoảng 50% số người.", "vi", []),
    ("About 50% of people.", "Khoảng 50 người.", "vi", ["unit-changed"]),
    ("About 50% of people.", "Alrededor del 5% de las personas.", "es", ["number-changed", "number-changed"]),
    ("Five people took part.", "5 personas participaron.", "es", []),  # number words may become digits
    ("Call 555-0100 today.", "Llame hoy al 555-0100.", "es", []),
    ("Call 555-0100 today.", "Llame hoy al 555-0199.", "es", ["address-changed", "address-changed"]),
    ("Call +1 800 555 0100 today.", "Llame hoy al +1 800 555 0199.", "es", ["address-changed", "address-changed"]),
    ("Wait 6 hours.", "Espere 6 días.", "es", ["unit-changed"]),
    ("Anti-CD19 CAR T cells, CABA-201.", "Células CAR T anti-CD19, CABA-201.", "es", []),
    ("It was -5 degrees.", "Hizo 5 grados.", "es", ["number-changed", "number-changed"]),
]


@pytest.mark.parametrize(("source", "translation", "locale", "codes"), NUMBER_CASES)
def test_numbers_are_compared_after_normalising(source: str, translation: str, locale: str, codes: list[str]) -> None:
    found = [code for code, _ in check_message(source, translation, locale) if code in _NUMERIC]
    assert sorted(found) == sorted(codes), check_message(source, translation, locale)


_NUMERIC = {"number-changed", "unit-changed", "number-misread", "number-format", "address-changed"}


# --- the real command line ----------------------------------------------------------------------


def test_subprocess_check_clean_and_failing(project: Path) -> None:
    result = run_packager("-C", str(project), "check", "--quiet")
    assert result.returncode == 0 and result.stdout.strip() == "" and result.stderr == ""
    _break_year(project)
    result = run_packager("-C", str(project), "check", "--locale", "es", "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout)[0]["errors"] == 2


def test_subprocess_malformed_catalog_is_one_line_exit_2(project: Path) -> None:
    shutil.copy(Path(__file__).parent / "data" / "adversarial" / "truncated-string.po", po_path(project))
    result = run_packager("check", cwd=project)
    assert result.returncode == 2
    assert result.stderr == (
        f"packager: error: locales/es/LC_MESSAGES/{SLUG}.po:16: "
        "PO syntax error: a string must be one quoted literal (truncated file?)\n"
    )
    assert "Traceback" not in result.stdout + result.stderr


def test_build_refuses_a_locale_with_errors_naming_file_and_line(project: Path) -> None:
    _break_year(project)
    result = run_packager("build", "--locale", "es", "--format", "handout", cwd=project)
    assert result.returncode != 0
    line = next(m.lineno for m in read_catalog(po_path(project), locale="es") if m.context == REF2)
    assert f"locales/es/LC_MESSAGES/{SLUG}.po:{line}: error:" in result.stdout + result.stderr
    assert not list((project / "build").glob("es/*.pdf"))


def test_check_locale_is_the_api_the_build_uses(project: Path) -> None:
    proj = load_project(project)
    article = read_article(proj.articles()[0])
    set_translation(project, "es", COST, sub("$1 millón", "$2 millones"))
    set_translation(project, "es", PLAIN, lambda s: s + "\u200f")
    errors = [f for f in check_locale(proj, article, "es") if f.blocking]
    assert {(f.key, f.code) for f in errors} == {(COST, "number-changed"), (PLAIN, "invisible-character")}
    assert all(f.path == po_path(project) and isinstance(f.line, int) and f.locale == "es" for f in errors)


def test_a_locale_cldr_does_not_know_is_checked_without_crashing(project: Path, capsys) -> None:
    folder = project / "locales" / "xx" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    text = po_path(project).read_text(encoding="utf-8").replace("Language: es", "Language: xx")
    (folder / f"{SLUG}.po").write_text(text, encoding="utf-8")
    assert cli.main(["-C", str(project), "check", "--locale", "xx", "--locale", "xx", "--json"]) == 0
    reports = json.loads(capsys.readouterr().out)
    assert [(r["locale"], r["errors"]) for r in reports] == [("xx", 0)]


def test_a_pinned_acceptance_covers_exactly_one_finding_and_lapses_when_it_changes(project: Path, capsys) -> None:
    _break_year(project)
    assert cli.main(["-C", str(project), "check", "--locale", "es", "--json"]) == 1
    errors = [f for f in json.loads(capsys.readouterr().out)[0]["findings"] if f["severity"] == "error"]
    added = next(f for f in errors if "'2012' is not in the source" in f["message"])
    set_translation(project, "es", REF2, lambda s: s, (added["accept_flag"],))
    found = [f for f in findings_for(project) if f.key == REF2]
    assert [(f.code, f.accepted) for f in found if f.severity == "error"] == [
        ("number-changed", False),  # '2022' from the source is missing: not accepted
        ("number-changed", True),
    ]
    missing = next(f for f in found if f.blocking)
    set_translation(project, "es", REF2, lambda s: s, (missing.accept_flag,))
    assert not [f for f in findings_for(project) if f.blocking]
    compiled = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po_path(project))], capture_output=True)
    assert compiled.returncode == 0
    set_translation(project, "es", REF2, sub("(2012)", "(2013)"))  # the wording changes: every acceptance lapses
    found = [f for f in findings_for(project) if f.key == REF2]
    assert {f.message for f in found if f.blocking} == {
        "'2013' is not in the source",
        "'2022' from the source is missing",
    }
    assert sorted(f.message for f in found if f.code == "unused-accept") == sorted(
        f"'{flag}' accepts nothing here: the translation changed since Test Reviewer accepted it"
        for flag in (added["accept_flag"], missing.accept_flag)
    )


def test_numbers_side_by_side_are_not_read_as_a_phone_number() -> None:
    """Found by hypothesis: '10.00 100' was taken for a phone number, hiding a changed '100,000'."""
    from packager.i18n.checks.rules import check_message

    codes = {code for code, _ in check_message("10.00 100,000.", "10.00 100,100.", "es")}
    assert "number-changed" in codes


@pytest.mark.parametrize(
    ("locale", "translation"),
    [
        ("fr", "Le traitement coûte environ 1 000 000 $ US."),  # the space a French keyboard types
        ("ht", "Tretman an koute US$ 1 000 000."),
        ("ru", "Лечение стоит около 1 000 000 долларов США."),
        ("es", "El tratamiento cuesta unos 1.000.000 US$."),
    ],
)
def test_an_amount_grouped_by_spaces_is_a_price_not_a_phone_number(locale: str, translation: str) -> None:
    """Found translating into French and Haitian Creole: '1 000 000 $' was refused as a phone number."""
    from packager.i18n.checks.rules import check_message

    assert check_message("The treatment costs about $1,000,000.", translation, locale) == []


def test_a_phone_number_grouped_in_threes_is_still_compared_as_a_phone_number() -> None:
    from packager.i18n.checks.rules import check_message

    found = check_message("Call 912 345 678.", "Llame al 912 345 679.", "es")
    assert ("address-changed", "phone number '912345679' is not in the source") in found
