"""Run the Terraform sources (HCL modules and plan JSON) and the rules over a folder of real-world files.

    python tools/realworld_tf.py FOLDER [--list]

Prints: files read, policies found (documents), policies analysed (with at least one statement), policies the
source says it could not analyse (MWAA012), MWAA000 findings (each with its location), and internal errors
(tracebacks in a parser or a rule, by file). Also counts the policy definitions written in the `.tf` files
(by a plain text search) so a gap between "written" and "found + reported" stands out. Exit 1 on internal errors.
"""
from __future__ import annotations

import os
import re
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WRITTEN = re.compile(
    r'^\s*(?:resource\s+"aws_iam_(?:policy|role_policy|user_policy|group_policy)"|data\s+"aws_iam_policy_document"'
    r"|inline_policy\s*\{|assume_role_policy\s*=)",
    re.M,
)


def main(argv: list[str]) -> int:
    from linter.config import Config
    from linter.engine import load_builtin_rules, run
    from linter.run import assemble
    from linter.sources import Outcome, discover, parse_file, parse_terraform_module

    folder = argv[0]
    show = "--list" in argv
    files = discover([folder])
    files = [f for f in files if f.endswith(".tf") or f.endswith(".json")]
    outcomes = []
    errors = []
    modules: dict = {}
    for path in files:
        if path.endswith(".tf"):
            modules.setdefault(os.path.dirname(path) or ".", []).append(path)
            continue
        try:
            outcome = parse_file(path)
        except Exception:  # noqa: BLE001 - counting internal errors is the point
            errors.append((path, traceback.format_exc()))
            continue
        if outcome.source is not None and outcome.source.kind == "terraform-plan":
            outcomes.append(outcome)
    for directory, members in sorted(modules.items()):
        try:
            outcomes.extend(parse_terraform_module(directory, members))
        except Exception:  # noqa: BLE001
            errors.append((directory, traceback.format_exc()))
            outcomes.extend(Outcome(p, skipped=True) for p in members)
    scan = assemble(outcomes, Config())
    findings = []
    try:
        findings = run(scan, load_builtin_rules(), Config())
    except Exception:  # noqa: BLE001
        errors.append(("(rules)", traceback.format_exc()))
    written = 0
    for path in files:
        if path.endswith(".tf"):
            written += len(WRITTEN.findall(Path(path).read_text(encoding="utf-8", errors="replace")))
    documents = scan.documents
    analysed = [d for d in documents if d.statements]
    not_analysed = [d for d in scan.diagnostics if d.rule_id == "MWAA012"]
    parse_errors = [f for f in findings if f.rule_id == "MWAA000"]
    tf_files = sum(1 for f in files if f.endswith(".tf"))
    plans = sum(1 for o in outcomes if o.source is not None and o.source.kind == "terraform-plan")
    print(f"folder:                {folder}")
    print(f"files:                 {tf_files} .tf in {len(modules)} modules, {plans} plan JSON")
    print(f"policies written:      {written} (text search over .tf files)")
    print(f"policies found:        {len(documents)}")
    print(f"analysed:              {len(analysed)} (with statements)")
    print(f"unresolvable (MWAA012): {len(not_analysed)}")
    print(f"MWAA000:               {len(parse_errors)}")
    print(f"findings:              {len(findings)}")
    print(f"internal errors:       {len(errors)}")
    if show:
        for finding in parse_errors + [f for f in findings if f.rule_id == "MWAA012"]:
            print(f"  {finding.path}:{finding.span.start_line}:{finding.span.start_col}: {finding.rule_id} {finding.message}")
    for where, trace in errors:
        print(f"--- {where}\n{trace}")
    return 1 if errors else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
