"""Exceptions that the CLI turns into one line and exit code 2."""

from __future__ import annotations


class NasforgeError(ValueError):
    """A problem with the user's input or data that they can fix; the message says how."""


class DataNotFoundError(NasforgeError, FileNotFoundError):
    """A reference data file is missing; the message names the file and where to put it."""


class DataFormatError(NasforgeError):
    """A data file exists but cannot be read as the expected format."""
