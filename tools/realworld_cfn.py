"""Run the CloudFormation source and the rules over a folder of real-world templates (e.g. the test suites of
cfn-lint and aws-cloudformation-iam-policy-validator).

    python tools/realworld_cfn.py FOLDER [--list]

Prints: files read, templates, policies found, policies analysed, policies reported as not analysable (MWAA012),
MWAA000 findings, and internal errors (tracebacks in the parser or a rule, by file). "Policies found" is counted
independently of the source, by walking each template for the places an IAM identity or trust policy can be written
(`PolicyDocument`, `Policies[].PolicyDocument`, `AssumeRolePolicyDocument`, SAM `Policies` statements,
`InlinePolicy`); a place with neither a document nor a diagnostic at or above it is listed as SILENT (there must be
none). `--list` prints every MWAA000/MWAA012 with its location. Exit 1 on internal errors or silent policies.
"""
from __future__ import annotations

import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXTENSIONS = (".json", ".yaml", ".yml", ".template")


def policy_sites(root) -> list[tuple]:
    """Pointers of the places a template writes an IAM policy (before any intrinsic resolution)."""
    import json

    from linter.sources.cloudformation import POLICY_RESOURCES, PRINCIPAL_RESOURCES, SAM_RESOURCES

    sites = []
    resources = root.get("Resources") if isinstance(root, dict) else None
    for logical, resource in (resources or {}).items() if isinstance(resources, dict) else ():
        if not isinstance(resource, dict) or not isinstance(resource.get("Properties"), dict):
            continue
        kind, props = resource.get("Type"), resource["Properties"]
        base = ("Resources", logical, "Properties")
        if kind in POLICY_RESOURCES and POLICY_RESOURCES[kind] in props:
            sites.append(base + (POLICY_RESOURCES[kind],))
        if kind in PRINCIPAL_RESOURCES:
            if "AssumeRolePolicyDocument" in props:
                sites.append(base + ("AssumeRolePolicyDocument",))
            policies = props.get("Policies")
            if isinstance(policies, list):
                sites.extend(base + ("Policies", i) for i, item in enumerate(policies) if not (isinstance(item, dict) and "PolicyDocument" not in item and len(item) != 1))
            elif policies is not None:
                sites.append(base + ("Policies",))
        if kind in SAM_RESOURCES:
            policies = props.get("Policies")
            items = policies if isinstance(policies, list) else [policies]
            for i, item in enumerate(items):
                if isinstance(item, dict) and ("Statement" in item or (str(next(iter(item), "")).startswith("Fn::") and '"Statement"' in json.dumps(item, default=str))):
                    sites.append(base + (("Policies", i) if isinstance(policies, list) else ("Policies",)))
    return sites


def plain_template(path: str):
    """The template as plain values with the source's own conversion (pointers agree with the source's)."""
    import json

    import yaml

    from linter.positions import decode, yaml_plain
    from linter.sources.cloudformation import MAX_YAML_DEPTH, looks_like_template, yaml_tag_key

    text = decode(Path(path).read_bytes())
    if text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text)
        except ValueError:
            return None
    try:
        for node in yaml.compose_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if node is not None:
                root = yaml_plain(text, node, yaml_tag_key, 2 * len(text) + 10_000, MAX_YAML_DEPTH)[0]
                if looks_like_template(root):
                    return root
    except Exception:  # noqa: BLE001 - the source reports these as MWAA000
        return None
    return None


def covered(site: tuple, source) -> bool:
    def under(pointer) -> bool:
        pointer = tuple(pointer)
        return pointer[: len(site)] == site or site[: len(pointer)] == pointer and len(pointer) >= 2

    return any(under(d.origin.pointer) for d in source.documents) or any(
        under(d.origin.pointer) or d.origin.pointer == () for d in source.diagnostics
    )


def main(argv: list[str]) -> int:
    from linter.config import Config
    from linter.engine import load_builtin_rules, run
    from linter.positions import locate
    from linter.run import assemble
    from linter.sources import parse_file

    if not argv:
        print(__doc__)
        return 2
    folder = Path(argv[0])
    show = "--list" in argv
    files = sorted(str(p) for p in folder.rglob("*") if p.is_file() and p.suffix in EXTENSIONS)
    rules = load_builtin_rules()
    counts = dict(files=len(files), templates=0, skipped=0, found=0, analysed=0, documents=0, unresolvable=0, mwaa000=0)
    errors, silent, listed = [], [], []
    for path in files:
        try:
            outcome = parse_file(path)
        except Exception:  # noqa: BLE001 - counting internal errors is the point
            errors.append((path, traceback.format_exc()))
            continue
        source = outcome.source
        if source is None or source.kind not in ("cloudformation", "unknown"):
            counts["skipped"] += 1
            continue
        counts["templates"] += source.kind == "cloudformation"
        root = plain_template(path) if source.kind == "cloudformation" else None
        sites = policy_sites(root) if root is not None else []
        counts["found"] += len(sites)
        counts["documents"] += len(source.documents)
        for site in sites:
            if any(tuple(d.origin.pointer)[: len(site)] == site for d in source.documents):
                counts["analysed"] += 1
            elif not covered(site, source):
                silent.append((path, site))
        for diagnostic in source.diagnostics:
            key = "mwaa000" if diagnostic.rule_id == "MWAA000" else "unresolvable" if diagnostic.rule_id == "MWAA012" else None
            if key:
                counts[key] += 1
                span = locate(source.spans, diagnostic.origin)
                listed.append(f"{path}:{span.start_line}:{span.start_col}: {diagnostic.rule_id} {diagnostic.message}")
        try:
            run(assemble([outcome], Config()), rules, Config())
        except Exception:  # noqa: BLE001
            errors.append((path, traceback.format_exc()))
    print(f"files: {counts['files']} (templates: {counts['templates']}, other/skipped: {counts['skipped']})")
    print(f"policies found: {counts['found']} (documents produced, Fn::If branches counted: {counts['documents']})")
    print(f"policies analysed: {counts['analysed']}")
    print(f"not analysable (MWAA012): {counts['unresolvable']}")
    print(f"MWAA000: {counts['mwaa000']}")
    print(f"silent (neither analysed nor reported): {len(silent)}")
    print(f"internal errors: {len(errors)}")
    for path, site in silent:
        print(f"  SILENT {path} {'/'.join(map(str, site))}")
    if show:
        for line in listed:
            print("  " + line)
    for path, trace in errors:
        print(f"--- {path}\n{trace}")
    return 1 if errors or silent else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
