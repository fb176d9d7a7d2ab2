"""Exceptions raised for user mistakes; adapters turn them into one readable line."""

from __future__ import annotations


class XlUprError(Exception):
    """Base class: a problem the user can fix (the message says what and how)."""


class InputError(XlUprError):
    """A records file is missing, unreadable, or lacks a required column or value."""


class DocumentError(XlUprError):
    """A UN document could not be recognised or yielded no rows."""


class SettingsError(XlUprError):
    """A setting is missing or outside its allowed range."""


class WorkbookError(XlUprError):
    """A workbook is locked, malformed, too large, or lacks a needed sheet or column."""


class OutputError(XlUprError):
    """A file cannot be written: a folder, read-only, open in Excel, busy, or the disk is full."""


class XlUprWarning(UserWarning):
    """Something was read or written, but not exactly as given (the message says what)."""
