"""Translation catalogs: extract, init, update, read and apply (the Babel side of packager)."""
