"""Output formats: plain functions from a report to text."""

from __future__ import annotations

FORMATS = ("text", "json", "sarif", "github", "junit")
