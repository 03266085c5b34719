"""Loaders that turn source files into entries."""
