"""Checks on the finished PDF: the answer guard."""
