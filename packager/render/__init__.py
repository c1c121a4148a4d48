"""Print rendering: one Article -> HTML (Jinja2 templates) -> PDF (WeasyPrint), per theme.

Nothing here imports WeasyPrint at package import time, so ``packager --help`` stays fast;
:mod:`packager.render.pdf` loads it when a PDF is actually built.
"""
