"""The README documents every command and shows the two set-up commands."""

from __future__ import annotations

from pathlib import Path

from xl_upr.cli import build_parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_is_in_the_readme():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"xl-upr {name}" in README, name


def test_readme_has_the_two_commands():
    assert "pip install . && xl-upr reconcile workbooks/kazakhstan-demo.xlsx" in README
    assert "pip install '.[test]' && python -m pytest" in README
