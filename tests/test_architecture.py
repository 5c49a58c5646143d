"""The shape the code must keep, checked rather than hoped for: the one-way order of the
apps, Django kept out of the logic people must trust, no module reaching into another
app's pages (the contracts in pyproject.toml, run by import-linter), and modules and
functions small enough to read in one sitting."""

import ast
import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
LONGEST_FUNCTION = 80
LONGEST_MODULE = 500


def production_modules():
    for path in sorted((ROOT / "sharewise").rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "migrations" in parts or "tests" in parts or path.name.startswith("test_"):
            continue
        yield path


def test_the_import_contracts_are_kept():
    output = io.StringIO()
    with redirect_stdout(output):
        failed = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    if failed:
        pytest.fail(output.getvalue().split("Broken contracts", 1)[-1], pytrace=False)


def test_no_module_or_function_is_too_long_to_read():
    problems = []
    for path in production_modules():
        source = path.read_text()
        name = path.relative_to(ROOT)
        if (lines := len(source.splitlines())) > LONGEST_MODULE:
            problems.append(f"{name} is {lines} lines: split it by job")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > LONGEST_FUNCTION:
                    problems.append(
                        f"{name}:{node.lineno} {node.name}() is {length} lines: split it into steps"
                    )
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
