"""packager: one trustworthy article, in every language, in every form a patient can use."""

__version__ = "0.1.0"
