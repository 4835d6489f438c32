"""The console script: answers `--version` before the command line framework loads (start-up budget), and hands
everything else to linter.cli."""
import gc
import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from . import __version__

        sys.stdout.write(f"mwaa-lint {__version__}\n")
        return
    # Loading typer and click creates tens of thousands of objects that live until exit. Without collections while
    # they load, and frozen out of the collector's generations afterwards, they are not walked again and again
    # (about 4 ms of a one-file run).
    gc.disable()
    try:
        from .cli import main as cli_main
    finally:
        gc.freeze()
        gc.enable()
    cli_main()
