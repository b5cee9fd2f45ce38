"""What every lesson shares: its command line, its headings, its narrative, and the check
that makes a lesson fail loudly when the engine breaks one of its claims.

A lesson starts with

    out = start(__file__, __doc__)   # parses --output-dir, prints the title and introduction

and then alternates `section(...)`, `say(...)` (a paragraph of narrative), numbers it
computes on the spot, and `check(claim, "what was expected, and what came out")`.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType

# Lessons run from a source checkout even before `pip install -e .`: the package folder is
# then found next to this one. (Every lesson imports this module before tinygrad_acts.)
if importlib.util.find_spec("tinygrad_acts") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

_WIDTH = 88
_lesson = "lesson"  # "lesson 3", set by start(): the prefix of a failed check's message


def start(script: str, doc: str, argv: list[str] | None = None) -> Path:
    """Parse the lesson's command line, print its title and introduction, and return the
    folder for its pictures (`--output-dir`, by default `./tinygrad_acts_output/lesson_NN`
    under the current directory; created only when a picture is written).

    `script` is the lesson's `__file__`: its name, `NN_topic.py`, gives the lesson's number.
    """
    global _lesson
    name = Path(script).name
    number = int(name[:2]) if name[:2].isdigit() else 0
    _lesson = f"lesson {number}"
    title, _, introduction = doc.strip().partition("\n")
    parser = argparse.ArgumentParser(
        description=title, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=textwrap.dedent(introduction),
    )
    parser.add_argument(
        "--output-dir", type=Path, default=Path("tinygrad_acts_output") / f"lesson_{number:02d}",
        help="folder for the lesson's pictures (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    banner = f"Lesson {number}: {title}"
    print(banner)
    print("=" * len(banner))
    say(introduction)
    return args.output_dir


def section(title: str) -> None:
    """A heading between the parts of a lesson."""
    print()
    print(title)
    print("-" * len(title))


def say(text: str) -> None:
    """Print a paragraph (or several, separated by blank lines), dedented and wrapped, with a
    blank line before and after; an indented block (code, a formula) is printed as it is."""
    paragraphs = textwrap.dedent(text).strip().split("\n\n")
    print()
    for paragraph in paragraphs:
        if paragraph.startswith("    "):
            print(paragraph)
        else:
            print(textwrap.fill(" ".join(paragraph.split()), _WIDTH))
        print()


def check(claim: bool, message: str) -> None:
    """The lesson's claim must hold; if the engine breaks it, stop with exit status 1."""
    if not claim:
        raise SystemExit(f"{_lesson}: CLAIM FAILED: {message}")
    print(f"  [ok] {message}")


def plots_or_none() -> ModuleType | None:
    """`tinygrad_acts.plots` when matplotlib is installed; otherwise None, after saying that
    the lesson skips its pictures (its checks still run)."""
    from tinygrad_acts import plots

    try:
        plots.require_matplotlib()
    except ImportError as error:
        print(f"  (no pictures: {error})")
        return None
    return plots


def picture_path(output_dir: Path, name: str) -> Path:
    """`output_dir / name`, creating the folder the first time a picture is written."""
    output_dir.mkdir(parents=True, exist_ok=True)
    return output_dir / name


def wrote(path: Path) -> None:
    print(f"  picture: {path}")
