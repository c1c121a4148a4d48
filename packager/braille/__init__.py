"""Braille: the translated article as ASCII braille (BRF) and PEF, through liblouis."""
