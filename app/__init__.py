"""Ketao (科淘网): the GBA Science Forum's technology-transfer marketplace."""
