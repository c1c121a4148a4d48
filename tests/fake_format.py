"""A format that exists only as this module and one register() line: the registry test's subject.

It needs the handout: its one file is the sha256 of the handout PDF it read from build/.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from packager.builders import Format, Product, register
from packager.document import Article
from packager.project import Project


class DigestBuilder:
    preload = ()

    def outputs(self, article: Article) -> list[str]:
        return [f"{article.slug}.digest.txt"]

    def inputs(self, project: Project, locale: str) -> list[Path | str]:
        return [Path(__file__)]

    def preflight(self, project: Project, locales: list[str]) -> None:
        return None

    def build(self, article: Article, project: Project, progress) -> Product:
        handout = project.build_dir / article.locale / f"{article.slug}.pdf"
        digest = hashlib.sha256(handout.read_bytes()).hexdigest()
        return Product({self.outputs(article)[0]: f"{article.meta.title.markdown}\n{digest}\n".encode()})


register(Format("digest", "Digest of the handout", "tests.fake_format:DigestBuilder", order=90, needs=("handout",)))
