"""Write linter/data/builtin-rules.json: the built-in rule files already parsed, so that runs reading no YAML input
do not import PyYAML. The YAML files stay the source; the loader ignores a cache whose CRC-32s do not match them.

    python tools/gen_rules_cache.py          # rewrite
    python tools/gen_rules_cache.py --check  # exit 1 if the committed cache is stale (a test runs this)
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from linter.engine import RULES_CACHE, builtin_rules_dir, rules_cache_text  # noqa: E402


def main() -> int:
    contents = {p: p.read_bytes() for p in sorted(builtin_rules_dir().glob("*.yaml"))}
    text = rules_cache_text(contents)
    if "--check" in sys.argv:
        if not RULES_CACHE.exists() or RULES_CACHE.read_text(encoding="utf-8") != text:
            print(f"{RULES_CACHE} is stale: run python tools/gen_rules_cache.py", file=sys.stderr)
            return 1
        return 0
    RULES_CACHE.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
