"""Every command is in the README and has an example in its --help; exit codes are documented."""

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from btctrace.cli import cli
from btctrace.errors import ExitCode
from tests.conftest import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text()


def all_commands(group=cli, prefix=()):
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        if isinstance(command, click.Group):
            yield from all_commands(command, path)
        yield path


@pytest.mark.parametrize("path", list(all_commands()), ids=" ".join)
def test_command_is_documented_and_has_an_example(path):
    assert f"btctrace {' '.join(path)}" in README
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0 and "Example" in result.output


@pytest.mark.parametrize("code", list(ExitCode))
def test_exit_codes_are_in_the_readme(code):
    assert f"| {int(code)} |" in README


def test_python_dash_m_runs():
    result = subprocess.run([sys.executable, "-m", "btctrace", "--version"], capture_output=True, text=True,
                            cwd=PROJECT_ROOT, check=False)
    assert result.returncode == 0 and "btctrace" in result.stdout


def test_ci_runs_the_readme_test_command():
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert "python3 -m pip install --quiet '.[test,reference]'" in ci and "python3 -m pytest" in ci
    assert "python3 -m pip install '.[test,reference]'" in README and "python3 -m pytest" in README
