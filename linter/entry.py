"""The console script: answers `--version` before the command line framework loads (start-up budget), and hands
everything else to linter.cli."""
import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from . import __version__

        sys.stdout.write(f"mwaa-lint {__version__}\n")
        return
    from .cli import main as cli_main

    cli_main()
