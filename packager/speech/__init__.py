"""Narration: translated article -> speech script -> synthesised, measured, chaptered MP3s.

Nothing heavy is imported here, so ``packager --help`` stays fast; engines,
numpy and the encoders load only when a build asks for audio.
"""
