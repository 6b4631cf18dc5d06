"""`btctrace --version` and `--help` answer without loading a command: no pandas, NetworkX or
requests imported; the command list --help shows is each command's own first line."""

import json
import subprocess
import sys

import click

from btctrace.cli import COMMANDS, cli

HEAVY = ("pandas", "networkx", "requests", "matplotlib", "btctrace.runner", "btctrace.cli.trace")


def _loaded_after(code: str) -> dict:
    probe = f"import sys, json\n{code}\nprint(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_the_root_help_and_version_load_no_command():
    for argv in (["--version"], ["--help"]):
        loaded = _loaded_after("from btctrace.cli import cli\n"
                               f"try:\n    cli({argv!r}, prog_name='btctrace')\nexcept SystemExit:\n    pass")
        assert not any(loaded.values()), (argv, [m for m, yes in loaded.items() if yes])


def test_the_package_root_names_its_api_without_importing_it():
    assert not any(_loaded_after("import btctrace").values())
    import btctrace

    assert btctrace.run_trace.__module__ == "btctrace.runner" and "TraceJob" in dir(btctrace)
    for name in btctrace.__all__:
        assert getattr(btctrace, name) is not None


def test_each_listed_line_is_the_commands_own_help():
    context = click.Context(cli)
    for name, (_, _, line) in COMMANDS.items():
        command = cli.get_command(context, name)
        assert command.name == name and command.get_short_help_str(limit=1_000) == line, name


def test_an_unknown_command_is_a_usage_error():
    result = subprocess.run([sys.executable, "-m", "btctrace", "tracee"], capture_output=True, text=True)
    assert result.returncode == 2 and "No such command 'tracee'" in result.stderr
