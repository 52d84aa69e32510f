"""The quick parse for a GUI start gives what the full parser gives, without the plug-ins."""

import argparse
from collections.abc import Callable

import pytest

import app.commands
from app.cli import build_parser, parse_args


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["gui"],
        ["--data-dir", "d"],
        ["--data-dir", "d", "gui"],
        ["--data-dir=d", "--verbose", "--site-config", "s.toml", "gui"],
        ["--data-dir", "a", "--data-dir=b", "--verbose", "--verbose"],
        ["--data-dir=", "--site-config", "x=y"],
        ["--data-dir", "gui"],
        ["--data-dir", "gui", "gui"],
    ],
)
def test_a_gui_start_skips_plugin_discovery(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = build_parser().parse_args(argv)

    def no_discovery() -> list[app.commands.Command]:
        raise AssertionError("plug-in commands discovered for a GUI start")

    monkeypatch.setattr(app.commands, "discover", no_discovery)
    assert parse_args(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["gui", "--verbose"],
        ["gui", "x"],
        ["gui", "gui"],
        ["--bogus"],
        ["--ver"],
        ["--", "gui"],
        ["nope"],
        ["--data-dir"],
        ["--data-dir", "-x"],
        ["--verbose=1"],
    ],
)
def test_usage_errors_are_the_full_parsers(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as full:
        build_parser().parse_args(argv)
    full_err = capsys.readouterr().err
    with pytest.raises(SystemExit) as quick:
        parse_args(argv)
    assert quick.value.code == full.value.code == 2
    assert capsys.readouterr().err == full_err


@pytest.mark.parametrize("argv", [["--verb", "--data", "d"], ["--data=d", "gui"], ["--version"]])
def test_what_the_quick_parse_declines_still_parses_the_same(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    def outcome(parse: Callable[[list[str]], argparse.Namespace]) -> object:
        try:
            return parse(argv)
        except SystemExit as exc:
            return exc.code, capsys.readouterr()

    assert outcome(parse_args) == outcome(build_parser().parse_args)


def test_other_commands_and_help_use_the_full_parser(capsys: pytest.CaptureFixture[str]) -> None:
    args = parse_args(["--data-dir", "d", "search", "化工", "--json"])
    assert isinstance(args, argparse.Namespace)
    assert (args.command, args.query, args.json) == ("search", "化工", True)
    with pytest.raises(SystemExit):
        parse_args(["--help"])
    out = capsys.readouterr().out
    assert "demo-data" in out and "check-case" in out
