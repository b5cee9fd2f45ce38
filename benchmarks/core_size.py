"""How big the core is that a student reads: lines of code per file and the longest functions.

    python benchmarks/core_size.py [--top N] [FILE ...]

A line of code is a line that is neither blank, nor a comment, nor part of a docstring. The
core is the engine (Function, Tensor, the backward pass, the primitive operations, argument
validation) and the activation pages; by default every file of those that exists is measured.
"""

from __future__ import annotations

import argparse
import ast
import io
import tokenize
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "tinygrad_acts"
CORE = (
    "engine.py",
    "function.py",
    "tensor.py",
    "autograd.py",
    "backward.py",
    "grad_mode.py",
    "ops.py",
    "validation.py",
    "activations",
)


def code_lines(source: str) -> set[int]:
    """Line numbers holding code: not blank, not only a comment, not a docstring."""
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                              tokenize.DEDENT, tokenize.ENDMARKER):
            lines.update(range(token.start[0], token.end[0] + 1))
    return lines - docstrings


def functions(path: Path) -> list[tuple[int, str]]:
    """(lines of code, qualified name) for every function and method of a file."""
    source = path.read_text()
    code = code_lines(source)
    result = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                span = set(range(child.lineno, child.end_lineno + 1))
                result.append((len(span & code), f"{path.name}:{prefix}{child.name}"))
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(ast.parse(source), "")
    return result


def core_files(names: list[str]) -> list[Path]:
    paths = []
    for name in names or CORE:
        path = PACKAGE / name
        if path.is_dir():
            paths.extend(sorted(path.glob("*.py")))
        elif path.exists():
            paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", help="files or folders inside tinygrad_acts/")
    parser.add_argument("--top", type=int, default=5, help="how many longest functions")
    args = parser.parse_args()
    total_code = total_lines = 0
    every_function = []
    print(f"{'file':40s} {'lines':>6s} {'code':>6s}")
    for path in core_files(args.files):
        source = path.read_text()
        n_code = len(code_lines(source))
        total_code += n_code
        total_lines += source.count("\n")
        every_function.extend(functions(path))
        print(f"{str(path.relative_to(PACKAGE)):40s} {source.count(chr(10)):6d} {n_code:6d}")
    print(f"{'total':40s} {total_lines:6d} {total_code:6d}")
    print("\nlongest functions (lines of code):")
    for n, name in sorted(every_function, reverse=True)[: args.top]:
        print(f"  {n:4d}  {name}")


if __name__ == "__main__":
    main()
