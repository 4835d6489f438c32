"""CloudFormation templates (JSON and YAML, SAM included): IAM policies, principals and MWAA environments.

Both formats become one plain representation whose pointers are the same for both: YAML short-form tags turn into
their long forms (`!Sub x` becomes {"Fn::Sub": x}, the wrapped value at the tag's pointer plus "Fn::Sub"), so one
resolver serves both. Intrinsics resolve where the template determines the value (SPEC §3); everything else stays a
`Symbolic` part with the expression's text. Positions come from `linter.positions` only.
"""
from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from ..model import (
    DeclaredCall,
    Diagnostic,
    Environment,
    Origin,
    ParsedSource,
    PolicyDocument,
    Principal,
    SourceSuppression,
    Symbolic,
    Value,
    new_origin,
    new_value,
)
from . import MAX_STATEMENTS, statements_cut
from .iam_json import DocumentReader

MAX_RESOLUTION_STEPS = 50_000  # intrinsic evaluations per template; past it values stay symbolic
MAX_ALTERNATIVES = 16  # values one expression (or statement) may stand for; Fn::If branches multiply
MAX_RESOLUTION_DEPTH = 64  # nested intrinsics (and Ref chains) followed before giving up
MAX_YAML_DEPTH = 200  # YAML nesting converted (the caller already bounds bracket nesting)
SYMBOLIC_TEXT_MAX = 80

PSEUDO_PREFIX = "AWS::"
NO_VALUE = "AWS::NoValue"
LIST_PARAMETER_TYPES = ("CommaDelimitedList", "List<")
ENVIRONMENT_TYPE = "AWS::MWAA::Environment"

# type -> property holding an identity policy document of the resource itself
POLICY_RESOURCES = {
    "AWS::IAM::Policy": "PolicyDocument",
    "AWS::IAM::ManagedPolicy": "PolicyDocument",
    "AWS::IAM::RolePolicy": "PolicyDocument",
    "AWS::IAM::UserPolicy": "PolicyDocument",
    "AWS::IAM::GroupPolicy": "PolicyDocument",
    "AWS::SSO::PermissionSet": "InlinePolicy",
}
# principals and the property that names them
PRINCIPAL_RESOURCES = {"AWS::IAM::Role": "RoleName", "AWS::IAM::User": "UserName", "AWS::IAM::Group": "GroupName"}
SAM_RESOURCES = ("AWS::Serverless::Function", "AWS::Serverless::StateMachine")
# policy resources attach to principals through these properties: property -> (principal type, is a list)
ATTACHMENTS = {
    "Roles": ("AWS::IAM::Role", True),
    "Users": ("AWS::IAM::User", True),
    "Groups": ("AWS::IAM::Group", True),
    "RoleName": ("AWS::IAM::Role", False),
    "UserName": ("AWS::IAM::User", False),
    "GroupName": ("AWS::IAM::Group", False),
}
AIRFLOW_SERVICES = ("airflow.amazonaws.com", "airflow-env.amazonaws.com")
RULE_ID = re.compile(r"[A-Z]+[0-9]{3}")
SUB_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


# --- the plain representation ---------------------------------------------------------------------------------


def intrinsic(node):
    """(function, argument) of an intrinsic function call (`{"Ref": x}`, `{"Fn::Sub": x}`), else None."""
    if isinstance(node, dict) and len(node) == 1:
        ((key, arg),) = node.items()
        if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
            return key, arg
    return None


def yaml_tag_key(tag: str) -> str | None:
    """The long-form key of a CloudFormation short-form tag (`!Sub` -> "Fn::Sub"); None for other tags."""
    if not tag.startswith("!") or tag.startswith("!!") or len(tag) < 2:
        return None
    name = tag[1:]
    return name if name in ("Ref", "Condition") else f"Fn::{name}"


def render(node) -> str:
    """Short text for an expression that stays symbolic: `${Param}`, `${Env.Arn}`, `!ImportValue shared-name`."""
    found = intrinsic(node)
    if found is None:
        text = node if isinstance(node, str) else json.dumps(node, default=str, separators=(", ", ": "))
    else:
        name, arg = found
        short = name[4:] if name.startswith("Fn::") else name
        if name == "Ref" and isinstance(arg, str):
            text = "${" + arg + "}"
        elif name == "Fn::GetAtt" and isinstance(arg, (str, list)) and all(isinstance(a, str) for a in _as_list(arg)):
            text = "${" + (arg if isinstance(arg, str) else ".".join(arg)) + "}"
        elif isinstance(arg, str):
            text = f"!{short} {arg}"
        else:
            text = f"!{short} " + json.dumps(arg, default=_render_default, separators=(", ", ": "))
    return text if len(text) <= SYMBOLIC_TEXT_MAX else text[: SYMBOLIC_TEXT_MAX - 1] + "…"


def _render_default(value) -> str:
    return "".join(p if isinstance(p, str) else p.text for p in value.parts) if isinstance(value, Text) else str(value)


def _as_list(node) -> list:
    return node if isinstance(node, list) else [node]


@dataclass(frozen=True)
class Text:
    """One resolved string: literal and symbolic parts, and the parameters whose defaults it used."""

    parts: tuple
    notes: tuple = ()

    @property
    def known(self) -> str | None:
        return "".join(self.parts) if all(isinstance(p, str) for p in self.parts) else None


def symbolic(node) -> "Text":
    return Text((Symbolic(render(node)),))


def concat(texts) -> Text:
    parts: list = []
    notes: list = []
    for text in texts:
        for part in text.parts:
            if isinstance(part, str) and parts and isinstance(parts[-1], str):
                parts[-1] += part
            elif part != "":
                parts.append(part)
        notes.extend(n for n in text.notes if n not in notes)
    return Text(tuple(parts) or ("",), tuple(notes))


def note_text(notes) -> str:
    if not notes:
        return ""
    if len(notes) == 1:
        return f"from the default of parameter {notes[0]}"
    return "from the defaults of parameters " + ", ".join(notes[:-1]) + f" and {notes[-1]}"


@dataclass(frozen=True)
class Leaf:
    """A resolved policy element handed to DocumentReader where raw JSON would have a string."""

    value: Value


def make_value(raw, origin: Origin) -> Value | None:
    if isinstance(raw, Leaf):
        return raw.value
    if isinstance(raw, str):
        return Value.literal(raw, origin)
    return None


class Unresolvable(Exception):
    """A part of a template that must be a structure (a policy document, a statement) and is not determined."""

    def __init__(self, reason: str, pointer: tuple):
        super().__init__(reason)
        self.reason = reason
        self.pointer = pointer


@dataclass(frozen=True)
class Template:
    path: str
    root: dict
    parameters: dict
    resources: dict
    mappings: dict
    text: str | None = None  # YAML text (for comments); None for JSON


def template_of(path: str, root: dict, text: str | None) -> Template:
    def mapping(key):
        found = root.get(key)
        return found if isinstance(found, dict) else {}

    return Template(path, root, mapping("Parameters"), mapping("Resources"), mapping("Mappings"), text)


def looks_like_template(root) -> bool:
    if not isinstance(root, dict):
        return False
    if "AWSTemplateFormatVersion" in root:
        return True
    resources = root.get("Resources")
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and isinstance(r.get("Type"), str) and r["Type"].startswith(("AWS::", "Custom::", "Alexa::"))
        for r in resources.values()
    )


# --- intrinsic resolution ----------------------------------------------------------------------------------------


# intrinsic -> Resolver method; everything else (Fn::ImportValue, Fn::Base64, Fn::GetAZs, ...) stays symbolic
STRING_FUNCTIONS = {
    "Ref": "_ref",
    "Fn::GetAtt": "_fn_getatt",
    "Fn::Sub": "_fn_sub",
    "Fn::Join": "_fn_join",
    "Fn::Select": "_fn_select",
    "Fn::Split": "_fn_split",
    "Fn::FindInMap": "_fn_findinmap",
    "Fn::If": "_fn_if",
}


class Resolver:
    """Evaluates string-valued intrinsics. Results are lists of alternatives: a `Text`, or a tuple of `Text` for
    list values (Fn::Split, list parameters); [] when the value is AWS::NoValue; None when the node is not a string
    expression at all (an object, null)."""

    def __init__(self, template: Template):
        self.template = template
        self.steps_left = MAX_RESOLUTION_STEPS

    def resolve(self, node, depth: int = 0, seen: frozenset = frozenset()):
        self.steps_left -= 1
        if (self.steps_left < 0 or depth > MAX_RESOLUTION_DEPTH) and not isinstance(node, (Text, str, int, float)):
            return [symbolic(node)]  # literals stay known: a spent budget must not turn "2012-10-17" into a guess
        if isinstance(node, Text):
            return [node]
        if isinstance(node, bool):
            return [Text(("true" if node else "false",))]
        if isinstance(node, (str, int, float)):
            return [Text((str(node),))]
        if isinstance(node, list):
            items = self.list_items(node, depth, seen)
            return None if items is None else [tuple(items)] if len(items) <= MAX_ALTERNATIVES * 4 else [symbolic(node)]
        found = intrinsic(node)
        if found is None:
            return None
        name, arg = found
        if name not in STRING_FUNCTIONS:
            return [symbolic(node)]
        result = getattr(self, STRING_FUNCTIONS[name])(arg, node, depth + 1, seen)
        return result if result is None or len(result) <= MAX_ALTERNATIVES else [symbolic(node)]

    def list_items(self, items: list, depth: int, seen: frozenset) -> list | None:
        """The strings of a literal list whose items may be expressions; Fn::If items contribute one branch each
        (the first branch's alternatives, then the second's: both are kept)."""
        out: list = []
        for item in items:
            found = self.resolve(item, depth + 1, seen)
            if found is None:
                return None
            for alternative in found:
                out.extend(alternative if isinstance(alternative, tuple) else (alternative,))
        return out

    def single(self, node, depth: int, seen: frozenset) -> Text | None:
        """The one Text a node resolves to, or None (several alternatives, a list, not a string)."""
        found = self.resolve(node, depth, seen)
        if found is None or len(found) != 1 or isinstance(found[0], tuple):
            return None
        return found[0]

    def known(self, node, depth: int = 0, seen: frozenset = frozenset()) -> str | None:
        text = self.single(node, depth, seen)
        return text.known if text is not None else None

    # Ref and GetAtt

    def _ref(self, arg, node, depth, seen):
        if not isinstance(arg, str):
            return [symbolic(node)]
        if arg == NO_VALUE:
            return []
        if arg.startswith(PSEUDO_PREFIX):
            return [Text((Symbolic("${" + arg + "}"),))]
        parameter = self.template.parameters.get(arg)
        if isinstance(parameter, dict):
            return self.parameter(arg, parameter, node)
        resource = self.template.resources.get(arg)
        if isinstance(resource, dict) and arg not in seen:
            kind = resource.get("Type")
            props = resource.get("Properties") if isinstance(resource.get("Properties"), dict) else {}
            name_key = "Name" if kind == ENVIRONMENT_TYPE else PRINCIPAL_RESOURCES.get(kind) if isinstance(kind, str) else None
            if name_key and name_key in props:
                found = self.resolve(props[name_key], depth, seen | {arg})
                if found:
                    return found
        return [Text((Symbolic("${" + arg + "}"),))]

    def parameter(self, name: str, parameter: dict, node):
        if "Default" not in parameter:
            return [Text((Symbolic("${" + name + "}"),))]
        default = parameter["Default"]
        kind = parameter.get("Type")
        is_list = isinstance(kind, str) and kind.startswith(LIST_PARAMETER_TYPES)
        if isinstance(default, list):
            items = [str(item) for item in default if isinstance(item, (str, int, float))]
        elif isinstance(default, (str, int, float)) and not isinstance(default, bool):
            items = [str(default)] if not is_list else [item.strip() for item in str(default).split(",")]
        else:
            return [symbolic(node)]
        texts = tuple(Text((item,), (name,)) for item in items)
        return [texts] if is_list or isinstance(default, list) else [texts[0]]

    def _fn_getatt(self, arg, node, depth, seen):
        if isinstance(arg, str) and "." in arg:
            logical, attribute = arg.split(".", 1)
        elif isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
            logical, attribute = arg[0], self.known(arg[1], depth, seen)
            if attribute is None:
                return [symbolic(node)]
        else:
            return [symbolic(node)]
        return self.attribute(logical, attribute, depth, seen)

    def attribute(self, logical: str, attribute: str, depth: int, seen: frozenset):
        resource = self.template.resources.get(logical)
        placeholder = [Text((Symbolic("${" + f"{logical}.{attribute}" + "}"),))]
        if not isinstance(resource, dict) or resource.get("Type") != ENVIRONMENT_TYPE or attribute != "Arn":
            return placeholder
        names = self._ref(logical, {"Ref": logical}, depth, seen)
        prefix = Text(
            ("arn:", Symbolic("${AWS::Partition}"), ":airflow:", Symbolic("${AWS::Region}"), ":", Symbolic("${AWS::AccountId}"), ":environment/")
        )
        return [concat((prefix, name)) for name in names if isinstance(name, Text)] or placeholder

    # string functions

    def _fn_sub(self, arg, node, depth, seen):
        variables = {}
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            arg, variables = arg
        if not isinstance(arg, str):
            return [symbolic(node)]
        pieces: list = []  # each a list of Text alternatives
        at = 0
        for match in SUB_PLACEHOLDER.finditer(arg):
            pieces.append([Text((arg[at : match.start()],))])
            pieces.append(self.placeholder(match.group(1), variables, depth, seen))
            at = match.end()
        pieces.append([Text((arg[at:],))])
        return self.combine(pieces, node)

    def placeholder(self, name: str, variables: dict, depth: int, seen: frozenset) -> list:
        stripped = name.strip()
        if stripped.startswith("!"):
            return [Text(("${" + stripped[1:] + "}",))]
        if stripped in variables:
            found = self.resolve(variables[stripped], depth, seen)
            texts = [f for f in found or () if isinstance(f, Text)]
            return texts or [Text((Symbolic("${" + stripped + "}"),))]
        if stripped.startswith(PSEUDO_PREFIX):
            return self._ref(stripped, None, depth, seen)
        if ":" in stripped:  # an IAM policy variable such as ${aws:username}: literal text for IAM
            return [Text(("${" + name + "}",))]
        if "." in stripped:
            logical, attribute = stripped.split(".", 1)
            return self.attribute(logical, attribute, depth, seen)
        found = self._ref(stripped, {"Ref": stripped}, depth, seen)
        texts = [f for f in found if isinstance(f, Text)]
        return texts or [Text((Symbolic("${" + stripped + "}"),))]

    def combine(self, pieces: list, node) -> list:
        """Concatenate alternatives piecewise (Fn::If inside a Sub or Join multiplies them)."""
        total = 1
        for piece in pieces:
            total *= max(1, len(piece))
        if total > MAX_ALTERNATIVES:
            return [symbolic(node)]
        return [concat(choice) for choice in itertools.product(*[p or [Text(("",))] for p in pieces])]

    def _fn_join(self, arg, node, depth, seen):
        if not (isinstance(arg, list) and len(arg) == 2):
            return [symbolic(node)]
        delimiter = self.known(arg[0], depth, seen)
        if delimiter is None:
            return [symbolic(node)]
        if isinstance(arg[1], list):  # each item picks one of its alternatives (Fn::If), list values splice in
            pieces = []
            for item in arg[1]:
                found = self.resolve(item, depth, seen)
                if found is None:
                    return [symbolic(node)]
                pieces.append([alt if isinstance(alt, tuple) else (alt,) for alt in found] or [()])
            lists = self.products(pieces)
        else:
            found = self.resolve(arg[1], depth, seen)
            lists = found if found and all(isinstance(f, tuple) for f in found) else None
        if lists is None:
            return [symbolic(node)]
        out = []
        for texts in lists:
            joined = []
            for i, text in enumerate(texts):
                joined.extend([Text((delimiter,)), text] if i else [text])
            out.append(concat(joined))
        return out

    @staticmethod
    def products(pieces: list) -> list | None:
        """Every choice of one alternative per piece, each flattened into one tuple; None past MAX_ALTERNATIVES."""
        total = 1
        for piece in pieces:
            total *= len(piece)
        if total > MAX_ALTERNATIVES:
            return None
        return [tuple(text for alternative in choice for text in alternative) for choice in itertools.product(*pieces)]

    def _fn_select(self, arg, node, depth, seen):
        if not (isinstance(arg, list) and len(arg) == 2):
            return [symbolic(node)]
        index = self.known(arg[0], depth, seen)
        if index is None or not index.strip().isdigit():
            return [symbolic(node)]
        position = int(index)
        if isinstance(arg[1], list):
            if position >= len(arg[1]):
                return [symbolic(node)]
            return self.resolve(arg[1][position], depth, seen)
        found = self.resolve(arg[1], depth, seen) or []
        out = [alt[position] for alt in found if isinstance(alt, tuple) and position < len(alt)]
        return out if len(out) == len(found) and out else [symbolic(node)]

    def _fn_split(self, arg, node, depth, seen):
        if not (isinstance(arg, list) and len(arg) == 2):
            return [symbolic(node)]
        delimiter = self.known(arg[0], depth, seen)
        found = self.resolve(arg[1], depth, seen)
        if not delimiter or not found or any(isinstance(f, tuple) for f in found):
            return [symbolic(node)]
        return [split_text(text, delimiter) for text in found]

    def _fn_findinmap(self, arg, node, depth, seen):
        if not (isinstance(arg, list) and len(arg) in (3, 4)):
            return [symbolic(node)]
        map_name = self.known(arg[0], depth, seen)
        table = self.template.mappings.get(map_name) if map_name else None
        second = self.known(arg[2], depth, seen)
        if not isinstance(table, dict) or second is None:
            return self.map_default(arg, node, depth, seen)
        top = self.known(arg[1], depth, seen)
        if top is not None:
            row = table.get(top)
            if isinstance(row, dict) and second in row:
                return self.resolve(row[second], depth, seen)
            return self.map_default(arg, node, depth, seen)
        # the top-level key is not known (e.g. !Ref AWS::Region): known if every row agrees
        candidates = {json.dumps(row[second], sort_keys=True, default=str) for row in table.values() if isinstance(row, dict) and second in row}
        if len(candidates) == 1:
            return self.resolve(json.loads(candidates.pop()), depth, seen)
        return [symbolic(node)]

    def map_default(self, arg, node, depth, seen):
        if len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
            return self.resolve(arg[3]["DefaultValue"], depth, seen)
        return [symbolic(node)]

    def _fn_if(self, arg, node, depth, seen):
        if not (isinstance(arg, list) and len(arg) == 3):
            return [symbolic(node)]
        out = []
        for branch in arg[1:]:
            found = self.resolve(branch, depth, seen)
            if found is None:
                return None
            out.extend(found)
        return out


def split_text(text: Text, delimiter: str) -> tuple:
    """Fn::Split over literal and symbolic parts: symbolic parts stay inside the piece they fall in."""
    pieces: list = [[]]
    for part in text.parts:
        if isinstance(part, Symbolic):
            pieces[-1].append(part)
            continue
        chunks = part.split(delimiter)
        pieces[-1].append(chunks[0])
        pieces.extend([chunk] for chunk in chunks[1:])
    return tuple(concat([Text(tuple(p), text.notes)]) for p in pieces)


def referenced_logicals(node) -> set:
    """Logical ids an expression refers to through Ref, Fn::GetAtt or Fn::Sub placeholders."""
    out: set = set()
    todo = [node]
    while todo:
        current = todo.pop()
        found = intrinsic(current)
        if found:
            name, arg = found
            if name == "Ref" and isinstance(arg, str):
                out.add(arg)
            elif name == "Fn::GetAtt":
                first = arg.split(".", 1)[0] if isinstance(arg, str) else arg[0] if isinstance(arg, list) and arg else None
                if isinstance(first, str):
                    out.add(first)
            elif name == "Fn::Sub":
                template = arg[0] if isinstance(arg, list) and arg else arg
                if isinstance(template, str):
                    out.update(m.group(1).split(".", 1)[0].strip() for m in SUB_PLACEHOLDER.finditer(template))
            todo.extend(arg if isinstance(arg, list) else [arg])
        elif isinstance(current, dict):
            todo.extend(current.values())
        elif isinstance(current, list):
            todo.extend(current)
    return out


# --- policy documents ------------------------------------------------------------------------------------------


class Builder:
    """Turns one template into documents, environments, principals and diagnostics."""

    def __init__(self, template: Template, embed=None):
        self.template = template
        self.path = template.path
        self.resolver = Resolver(template)
        self.diagnostics: list = []
        self.embed = embed or (lambda pointer, text: None)  # registers positions of JSON held in a string

    def origin(self, pointer: tuple) -> Origin:
        return new_origin(self.path, tuple(pointer), None)

    def diagnostic(self, rule_id: str, message: str, pointer: tuple, logical: str | None) -> None:
        self.diagnostics.append(Diagnostic(rule_id, message, self.origin(pointer), logical))

    # structure

    def choices(self, node, pointer: tuple, what: str | None = None, depth: int = 0, text_ok: bool = False) -> list:
        """The structures a node can be: Fn::If gives both branches, AWS::NoValue none, a parameter its default.
        Anything else the template leaves open raises Unresolvable when `what` names the expected structure, and is
        returned as it is otherwise;
        with `text_ok`, string expressions (Fn::Sub, Fn::Join: a document written as JSON text) are kept."""
        found = intrinsic(node)
        if found is None or depth > MAX_RESOLUTION_DEPTH:
            return [(node, pointer)]
        name, arg = found
        inner = pointer + (name,)
        if name == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
            return self.choices(arg[1], inner + (1,), what, depth + 1, text_ok) + self.choices(
                arg[2], inner + (2,), what, depth + 1, text_ok
            )
        if name == "Ref" and arg == NO_VALUE:
            return []
        if name == "Ref" and isinstance(arg, str) and isinstance(self.template.parameters.get(arg), dict):
            if "Default" in self.template.parameters[arg]:
                return [(self.template.parameters[arg]["Default"], ("Parameters", arg, "Default"))]
            if what:
                raise Unresolvable(f"{what} comes from parameter {arg}, which has no default", pointer)
            return [(node, pointer)]
        if name in ("Fn::Sub", "Fn::Join") and text_ok:
            return [(node, pointer)]  # a string expression: documents given as JSON text handle it
        if what:
            raise Unresolvable(f"{what} is {render(node)}, which the template does not determine", pointer)
        return [(node, pointer)]  # not a structure: the caller decides (e.g. a Ref naming a role)

    def items(self, node, pointer: tuple, what: str | None = None, logical: str | None = None) -> list:
        """Items of a list property (itself possibly Fn::If, items possibly AWS::NoValue); an undetermined item
        is reported (MWAA012) when `what` names it, and skipped."""
        if node is None:
            return []
        out = []
        try:
            found = self.choices(node, pointer, what)
        except Unresolvable as exc:
            self.diagnostic("MWAA012", exc.reason, exc.pointer, logical)
            return []
        for value, where in found:
            for i, item in enumerate(value) if isinstance(value, list) else [(None, value)]:
                item_pointer = where + (i,) if i is not None else where
                try:
                    out.extend(self.choices(item, item_pointer, what))
                except Unresolvable as exc:
                    self.diagnostic("MWAA012", exc.reason, exc.pointer, logical)
        return out

    def documents(self, node, pointer: tuple, logical: str, name: str, kind: str = "identity") -> list:
        """Every policy document a property can be (both branches of Fn::If), MWAA012 for the undetermined."""
        try:
            found = self.choices(node, pointer, "the policy document", text_ok=True)
        except Unresolvable as exc:
            self.diagnostic("MWAA012", exc.reason, exc.pointer, logical)
            return []
        out = []
        for raw, where in found:
            for body, body_pointer in self.document_bodies(raw, where, logical):
                doc = self.document(body, body_pointer, logical, name, kind)
                if doc is not None:
                    out.append(doc)
        return out

    def document_bodies(self, raw, pointer: tuple, logical: str) -> list:
        """A document as an object: JSON text is parsed (with positions into the string when it maps back);
        a Fn::Sub of JSON text is parsed before substitution, its strings then resolved as Fn::Sub each."""
        if isinstance(raw, str):
            parsed = self.parse_json_text(raw, pointer, logical)
            return [] if parsed is None else [(parsed, pointer)]
        found = intrinsic(raw)
        if found and found[0] == "Fn::Sub":
            arg = found[1]
            text, variables, inner = (arg, None, pointer + ("Fn::Sub",)) if isinstance(arg, str) else (None, None, None)
            if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
                text, variables, inner = arg[0], arg[1], pointer + ("Fn::Sub", 0)
            parsed = self.parse_json_text(text, inner, logical) if text is not None else None
            if parsed is None:
                if text is None:
                    self.diagnostic("MWAA012", f"the policy document is {render(raw)}, which is not JSON text", pointer, logical)
                return []
            return [(wrap_sub(parsed, variables), inner)]
        if found:
            texts = self.resolver.resolve(raw) or []
            known = [t.known for t in texts if isinstance(t, Text)]
            if len(known) == len(texts) and known and all(k is not None for k in known):
                return [(p, pointer) for p in (self.parse_json_text(k, pointer, logical, embed=False) for k in known) if p is not None]
            self.diagnostic("MWAA012", f"the policy document is {render(raw)}, which the template does not determine", pointer, logical)
            return []
        return [(raw, pointer)]

    def parse_json_text(self, text: str, pointer: tuple, logical: str, embed: bool = True):
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError) as exc:
            self.diagnostic("MWAA000", f"policy document is a string that is not valid JSON: {exc}", pointer, logical)
            return None
        if embed:
            self.embed(pointer, text)
        return parsed

    def document(self, raw, pointer: tuple, logical: str, name: str, kind: str) -> PolicyDocument | None:
        reader = DocumentReader(self.path, logical, make_value)
        origin = self.origin(pointer)
        try:
            found = self.document_statements(raw, pointer, reader, origin)
        except Unresolvable as exc:
            self.diagnostic("MWAA012", exc.reason, exc.pointer, logical)
            found = None
        self.diagnostics.extend(reader.problems)
        if found is None:
            return None
        statements, is_trust = found
        return PolicyDocument(
            origin, tuple(statements), logical, name, "trust" if is_trust or kind == "trust" else "identity", scope=self.path
        )

    def document_statements(self, raw, pointer: tuple, reader, origin: Origin):
        if not isinstance(raw, dict) or intrinsic(raw):
            reader.problem(f"a policy document is an object, not {_kind(raw)}", origin)
            return None
        if "Statement" not in raw:
            reader.problem('policy document has no "Statement"', origin)
            return None
        if "Version" in raw:
            version = self.resolver.known(raw["Version"])
            if version not in ("2012-10-17", "2008-10-17", None) or (version is None and not intrinsic(raw["Version"])):
                reader.problem(
                    f'"Version" must be "2012-10-17" (or the legacy "2008-10-17"), not {raw["Version"]!r}', origin.child("Version")
                )
        items = []
        for body, where in self.choices(raw["Statement"], pointer + ("Statement",), "the Statement"):
            if isinstance(body, list):  # an undetermined statement is reported (MWAA012); the others are analysed
                if len(body) > MAX_STATEMENTS:  # the rest is counted, not read
                    reader.problems.append(statements_cut(len(body), self.origin(where + (MAX_STATEMENTS,)), reader.logical))
                    body = body[:MAX_STATEMENTS]
                items.extend(self.items(body, where, "a statement", reader.logical))
            elif isinstance(body, dict) and not intrinsic(body):
                items.append((body, where))
            else:
                reader.problem(f'"Statement" is an object or a list of objects, not {_kind(body)}', self.origin(where))
                return None
        if len(items) > MAX_STATEMENTS:  # Fn::If items and several Statement choices add up
            if not any(p.rule_id == "MWAA012" and "statements of this policy after" in p.message for p in reader.problems):
                reader.problems.append(statements_cut(len(items), self.origin(items[MAX_STATEMENTS][1]), reader.logical))
            items = items[:MAX_STATEMENTS]
        is_trust = any(isinstance(s, dict) and "Principal" in s for s, _ in items)
        statements = []
        for body, where in items:
            for variant in self.statement_variants(body, where, reader.logical):
                statement = reader.statement(variant, self.origin(where), is_trust)
                if statement is not None:
                    statements.append(statement)
        return statements, is_trust

    def statement_variants(self, raw, pointer: tuple, logical: str) -> list:
        """A statement with its elements resolved: Leafs for strings, one variant per Fn::If choice of Effect,
        Sid, Condition and Principal (elements inside Action/Resource lists contribute both branches)."""
        if not isinstance(raw, dict):
            return [raw]
        options = []
        try:
            for key, value in raw.items():
                where = pointer + (key,)
                if key in ("Action", "NotAction", "Resource", "NotResource"):
                    options.append([(key, self.leaves(value, where))])
                elif key in ("Effect", "Sid"):
                    options.append([(key, self.plain(v, w, key)) for v, w in self.choices(value, where, f'the "{key}"')] or [(key, ABSENT)])
                elif key == "Condition":
                    options.append([(key, c) for c in self.condition_variants(value, where)] or [(key, ABSENT)])
                elif key in ("Principal", "NotPrincipal"):
                    options.append([(key, self.principal(v, w)) for v, w in self.choices(value, where, f'the "{key}"')] or [(key, ABSENT)])
                else:
                    options.append([(key, value)])
        except Unresolvable as exc:
            self.diagnostic("MWAA012", f"{exc.reason}; this statement is skipped, the rest of the policy is analysed", exc.pointer, logical)
            return []
        if all(len(option) == 1 for option in options):  # no Fn::If: one variant
            return [{key: value for ((key, value),) in options if value is not ABSENT}]
        return [
            {key: value for key, value in variant if value is not ABSENT}
            for variant in bounded_product(options, self, pointer, logical)
        ]

    def plain(self, value, pointer: tuple, key: str):
        """Effect and Sid as plain strings (an undetermined Effect cannot be judged)."""
        if isinstance(value, (str, bool, int, float)) or value is None or not intrinsic(value):
            return value
        known = self.resolver.known(value)
        if known is None and key == "Effect":
            raise Unresolvable(f'the "Effect" is {render(value)}, which the template does not determine', pointer)
        return known

    def leaves(self, node, pointer: tuple) -> list:
        """Policy elements as Leafs carrying their own origin (the list item, the Fn::If branch, the !Sub scalar).
        Anything that is not a string expression is kept raw for DocumentReader to report."""
        if isinstance(node, list):
            out = []
            for i, item in enumerate(node):
                if isinstance(item, str):
                    out.append(self.literal_leaf(item, pointer + (i,)))
                else:
                    out.extend(self.leaves(item, pointer + (i,)) if not isinstance(item, list) else [item])
            return out
        if isinstance(node, str):
            return [self.literal_leaf(node, pointer)]
        found = intrinsic(node)
        if found and found[0] == "Fn::If" and isinstance(found[1], list) and len(found[1]) == 3:
            inner = pointer + ("Fn::If",)
            return self.leaves(found[1][1], inner + (1,)) + self.leaves(found[1][2], inner + (2,))
        alternatives = self.resolver.resolve(node) if (found or isinstance(node, (str, Text))) else None
        if alternatives is None:
            return [node]
        out = []
        for alternative in alternatives:
            for text in alternative if isinstance(alternative, tuple) else (alternative,):
                out.append(Leaf(Value(text.parts, self.origin(pointer), note_text(text.notes))))
        return out

    def literal_leaf(self, text: str, pointer: tuple) -> Leaf:
        """A plain string as leaves() would resolve it, without the resolver (its step counted all the same)."""
        self.resolver.steps_left -= 1
        return Leaf(new_value((text,), new_origin(self.path, pointer, None)))

    def principal(self, node, pointer: tuple):
        if isinstance(node, dict) and not intrinsic(node):
            return {kind: self.leaves(entries, pointer + (kind,)) for kind, entries in node.items()}
        found = self.leaves(node, pointer)
        return found[0] if len(found) == 1 else found

    def condition_variants(self, node, pointer: tuple) -> list:
        out = []
        for block, where in self.choices(node, pointer, "the Condition"):
            if not isinstance(block, dict):
                out.append(block)
                continue
            options = []
            for operator, tests in block.items():
                alternatives = []
                for test, test_pointer in self.choices(tests, where + (operator,), f'the condition "{operator}"'):
                    if isinstance(test, dict):
                        test = {key: self.leaves(values, test_pointer + (key,)) for key, values in test.items()}
                    alternatives.append((operator, test))
                options.append(alternatives or [(operator, ABSENT)])
            out.extend(
                {k: v for k, v in variant if v is not ABSENT} for variant in bounded_product(options, self, where, None)
            )
        return out


ABSENT = object()  # a key whose value is AWS::NoValue in one variant


def bounded_product(options: list, builder: Builder, pointer: tuple, logical: str | None) -> list:
    total = 1
    for option in options:
        total *= len(option)
    if total > MAX_ALTERNATIVES:
        builder.diagnostic(
            "MWAA012", f"all of the {total} variants Fn::If gives this statement (only the first {MAX_ALTERNATIVES} are analysed)", pointer, logical
        )
    return list(itertools.islice(itertools.product(*options), MAX_ALTERNATIVES))


def wrap_sub(node, variables):
    """JSON parsed from a Fn::Sub template: each string becomes a Fn::Sub of its own with the same variables."""
    if isinstance(node, dict):
        return {key: wrap_sub(value, variables) for key, value in node.items()}
    if isinstance(node, list):
        return [wrap_sub(item, variables) for item in node]
    if isinstance(node, str) and "${" in node:
        return {"Fn::Sub": [node, variables] if variables else node}
    return node


def _kind(raw) -> str:
    if intrinsic(raw):
        return render(raw)
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(type(raw), "a number")


# --- resources, principals, environments -----------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    """A policy resource's link to a principal: a logical id of the template, or a name from outside it."""

    type: str
    logical: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Found:
    """What one resource contributes; documents are indexes into the template's list of documents."""

    logical: str
    type: str
    documents: tuple = ()
    trust: tuple = ()
    attachments: tuple = ()
    managed: tuple = ()  # logical ids of ManagedPolicies it uses (ManagedPolicyArns, SAM Policies)
    groups: tuple = ()  # logical ids of the groups a user belongs to
    calls: tuple = ()
    ignores: tuple = ()  # ((rule ids, reason), ...) from Metadata


class TemplateBuilder(Builder):
    def __init__(self, template: Template, embed=None):
        super().__init__(template, embed)
        self.docs: list = []  # every PolicyDocument, identity and trust
        self.environments: list = []

    def add_documents(self, docs) -> tuple:
        start = len(self.docs)
        self.docs.extend(docs)
        return tuple(range(start, len(self.docs)))

    def resource_entries(self) -> list:
        out = []
        for logical, resource in self.template.resources.items():
            pointer = ("Resources", logical)
            if not isinstance(resource, dict):
                if isinstance(logical, str) and logical.startswith("Fn::ForEach") and mentions_iam(resource):
                    self.diagnostic("MWAA012", "the policies of resources generated by Fn::ForEach (the loop is not expanded)", pointer, logical)
                continue
            kind = resource.get("Type")
            if not isinstance(kind, str):
                continue
            if kind in POLICY_RESOURCES or kind in PRINCIPAL_RESOURCES or kind in SAM_RESOURCES or kind == ENVIRONMENT_TYPE:
                out.append(self.resource(logical, kind, resource, pointer))
        return [found for found in out if found is not None]

    def resource(self, logical: str, kind: str, resource: dict, pointer: tuple) -> Found | None:
        props_pointer = pointer + ("Properties",)
        alternatives = self.choices(resource.get("Properties", {}), props_pointer)
        calls, ignores = self.metadata(logical, resource, pointer)
        found = Found(logical, kind, calls=calls, ignores=ignores)
        for props, where in alternatives or [({}, props_pointer)]:
            if not isinstance(props, dict):
                continue
            if kind == ENVIRONMENT_TYPE:
                self.environments.extend(self.environment(logical, props, pointer, where))
            elif kind in POLICY_RESOURCES:
                found = merge(found, self.policy_resource(logical, kind, props, where))
            elif kind in PRINCIPAL_RESOURCES:
                found = merge(found, self.principal_resource(logical, kind, props, where))
            else:
                found = merge(found, self.sam_resource(logical, kind, props, where))
        return found

    def policy_resource(self, logical: str, kind: str, props: dict, pointer: tuple) -> Found:
        key = POLICY_RESOURCES[kind]
        name = self.resolver.known(props.get("PolicyName")) or self.resolver.known(props.get("ManagedPolicyName")) or logical
        docs: list = []
        if key in props:
            docs = self.documents(props[key], pointer + (key,), logical, name)
        elif kind != "AWS::SSO::PermissionSet":
            self.diagnostic("MWAA000", f"{kind} {logical} has no {key}", pointer, logical)
        attachments = []
        for prop, (target_type, is_list) in ATTACHMENTS.items():
            if prop in props and (is_list or kind.endswith(("RolePolicy", "UserPolicy", "GroupPolicy"))):
                for value, _ in self.items(props[prop], pointer + (prop,)) if is_list else self.choices(props[prop], pointer + (prop,)):
                    attachments.append(self.attachment(value, target_type))
        return Found(logical, kind, self.add_documents(docs), attachments=tuple(a for a in attachments if a))

    def attachment(self, value, target_type: str) -> Attachment | None:
        """Which principal a Roles/Users/Groups entry names: a logical id of the template, or a name."""
        found = intrinsic(value)
        if found and found[0] == "Ref" and isinstance(found[1], str):
            resource = self.template.resources.get(found[1])
            if isinstance(resource, dict) and resource.get("Type") == target_type:
                return Attachment(target_type, logical=found[1])
        name = self.resolver.known(value)
        if name is None:
            return None
        for logical, resource in self.template.resources.items():
            if isinstance(resource, dict) and resource.get("Type") == target_type:
                props = resource.get("Properties") if isinstance(resource.get("Properties"), dict) else {}
                if self.resolver.known(props.get(PRINCIPAL_RESOURCES[target_type])) == name:
                    return Attachment(target_type, logical=logical)
        return Attachment(target_type, name=name)

    def principal_resource(self, logical: str, kind: str, props: dict, pointer: tuple) -> Found:
        docs = []
        for item, where in self.items(props.get("Policies"), pointer + ("Policies",), "an inline policy", logical):
            if not isinstance(item, dict) or "PolicyDocument" not in item:
                self.diagnostic("MWAA000", "an inline policy is an object with PolicyName and PolicyDocument", where, logical)
                continue
            policy_name = self.resolver.known(item.get("PolicyName"))
            label = f"{logical}/{policy_name}" if policy_name else logical
            docs.extend(self.documents(item["PolicyDocument"], where + ("PolicyDocument",), logical, label))
        trust = []
        if "AssumeRolePolicyDocument" in props:
            trust = self.documents(props["AssumeRolePolicyDocument"], pointer + ("AssumeRolePolicyDocument",), logical, logical, "trust")
        groups = []
        for value, _ in self.items(props.get("Groups"), pointer + ("Groups",)) if kind == "AWS::IAM::User" else ():
            attachment = self.attachment(value, "AWS::IAM::Group")
            if attachment and attachment.logical:
                groups.append(attachment.logical)
        return Found(
            logical,
            kind,
            self.add_documents(docs),
            trust=self.add_documents(trust),
            managed=self.managed_references(props.get("ManagedPolicyArns"), pointer + ("ManagedPolicyArns",)),
            groups=tuple(groups),
        )

    def managed_references(self, node, pointer: tuple) -> tuple:
        out = []
        for value, _ in self.items(node, pointer):
            found = intrinsic(value)
            if found and found[0] in ("Ref", "Fn::GetAtt"):
                target = found[1] if isinstance(found[1], str) else found[1][0] if isinstance(found[1], list) and found[1] else None
                target = target.split(".", 1)[0] if isinstance(target, str) else None
                resource = self.template.resources.get(target)
                if isinstance(resource, dict) and resource.get("Type") == "AWS::IAM::ManagedPolicy":
                    out.append(target)
        return tuple(out)

    def sam_resource(self, logical: str, kind: str, props: dict, pointer: tuple) -> Found:
        """SAM Policies: statement documents are analysed; managed policy names are not documents; SAM policy
        templates are reported only when they could concern Airflow (no SAM template grants airflow actions)."""
        docs = []
        managed = []
        for item, where in self.items(props.get("Policies"), pointer + ("Policies",)):
            if isinstance(item, dict) and "Statement" in item:
                docs.extend(self.documents(item, where, logical, logical))
            elif intrinsic(item):  # a managed policy ARN: one of the template's ManagedPolicies, or from outside
                managed.extend(self.managed_references([item], where))
            elif isinstance(item, dict) and len(item) == 1:
                (template_name,) = item
                if re.search("airflow|mwaa", str(template_name), re.I):
                    self.diagnostic("MWAA012", f"SAM policy template {template_name} (SAM expands it at deployment)", where, logical)
            elif isinstance(item, dict):
                self.diagnostic("MWAA012", "a SAM policy item that is neither a statement document nor a policy template", where, logical)
        return Found(logical, kind, self.add_documents(docs), managed=tuple(managed))

    # environments

    def environment(self, logical: str, props: dict, pointer: tuple, props_pointer: tuple) -> list:
        if "Name" in props:
            names = self.leaves(props["Name"], props_pointer + ("Name",))
        else:  # CloudFormation generates the physical name
            names = [Leaf(Value((Symbolic("${" + logical + "}"),), self.origin(pointer)))]
        versions = self.leaves(props["AirflowVersion"], props_pointer + ("AirflowVersion",)) if "AirflowVersion" in props else [None]
        modes = {leaf.value.text for leaf in self.leaves(props["WebserverAccessMode"], props_pointer + ("WebserverAccessMode",)) if isinstance(leaf, Leaf)} if "WebserverAccessMode" in props else {"PRIVATE_ONLY"}
        mode = modes.pop() if len(modes) == 1 else render(props.get("WebserverAccessMode"))
        out = []
        for name, version in itertools.islice(itertools.product(names, versions), MAX_ALTERNATIVES):
            name_value = name.value if isinstance(name, Leaf) else None
            version_value = version.value if isinstance(version, Leaf) else None
            out.append(
                Environment(
                    name=name_value.known if name_value else None,
                    origin=name_value.origin if name_value else self.origin(props_pointer + ("Name",)),
                    airflow_version=version_value.known if version_value else None,
                    version_origin=version_value.origin if version_value else None,
                    webserver_access_mode=mode,
                    execution_role=self.execution_role(props.get("ExecutionRoleArn")),
                    note=f"name {name_value.note}" if name_value and name_value.note else "",
                    scope=self.path,
                    logical=logical,
                )
            )
        return out

    def execution_role(self, node) -> str | None:
        """The logical id of the execution role when it is in the template, else the role ARN when known."""
        if node is None:
            return None
        for logical in sorted(referenced_logicals(node)):
            resource = self.template.resources.get(logical)
            if isinstance(resource, dict) and resource.get("Type") == "AWS::IAM::Role":
                return logical
        return self.resolver.known(node)

    # declarations

    def metadata(self, logical: str, resource: dict, pointer: tuple) -> tuple:
        meta = resource.get("Metadata")
        block = meta.get("mwaa-lint") if isinstance(meta, dict) else None
        if block is None:
            return (), ()
        where = pointer + ("Metadata", "mwaa-lint")
        if not isinstance(block, dict):
            self.diagnostic("MWAA000", "Metadata mwaa-lint is an object with calls and ignore", where, logical)
            return (), ()
        calls = []
        raw_calls = block.get("calls")
        entries = [(raw_calls, where + ("calls",))] if isinstance(raw_calls, str) else [
            (item, where + ("calls", i)) for i, item in enumerate(raw_calls if isinstance(raw_calls, list) else [])
        ]
        for item, item_pointer in entries:
            if not isinstance(item, str):
                self.diagnostic("MWAA000", 'a declared call is a string such as "GET /eventLogs"', item_pointer, logical)
                continue
            calls.extend(DeclaredCall(text.strip(), self.origin(item_pointer)) for text in item.split(",") if text.strip())
        ignores = []
        raw_ignore = block.get("ignore")
        for i, item in enumerate(raw_ignore if isinstance(raw_ignore, list) else [] if raw_ignore is None else [raw_ignore]):
            parsed = parse_ignore(item)
            if parsed is None:
                item_pointer = where + ("ignore", i) if isinstance(raw_ignore, list) else where + ("ignore",)
                self.diagnostic("MWAA000", "an ignore entry is a rule id such as MWAA001, optionally followed by a reason", item_pointer, logical)
            else:
                ignores.append(parsed)
        return tuple(calls), tuple(ignores)


def parse_ignore(item) -> tuple | None:
    """`MWAA001`, `MWAA001 reason`, `MWAA001, MWAA002: reason`, {rule: MWAA001, reason: ...} or {MWAA001: reason}."""
    if isinstance(item, dict):
        ids = item.get("rule") or item.get("id") or item.get("rules")
        if ids is None and len(item) == 1:
            ((ids, reason),) = item.items()
            item = {"rule": ids, "reason": reason}
        ids = ids if isinstance(ids, list) else [ids]
        if not ids or not all(isinstance(i, str) and RULE_ID.fullmatch(i) for i in ids):
            return None
        return tuple(ids), str(item.get("reason") or "")
    if not isinstance(item, str):
        return None
    match = re.fullmatch(r"\s*([A-Z]+[0-9]{3}(?:\s*,\s*[A-Z]+[0-9]{3})*)\s*[:\-]?\s*(.*)", item, re.S)
    if not match:
        return None
    return tuple(re.split(r"\s*,\s*", match.group(1))), match.group(2).strip()


def merge(a: Found, b: Found) -> Found:
    """What `a` found, with `b`'s documents and links added (its calls and ignores kept)."""
    return Found(
        a.logical,
        a.type,
        a.documents + b.documents,
        a.trust + b.trust,
        a.attachments + b.attachments,
        a.managed + b.managed,
        a.groups + b.groups,
        a.calls,
        a.ignores,
    )


def mentions_iam(node) -> bool:
    text = json.dumps(node, default=str)
    return any(kind in text for kind in ('"AWS::IAM::', '"AWS::Serverless::', '"AWS::SSO::PermissionSet"', f'"{ENVIRONMENT_TYPE}"'))


def trusts_airflow(doc: PolicyDocument) -> bool:
    """The trust policy lets MWAA assume the role (airflow.amazonaws.com, also written airflow.${AWS::URLSuffix})."""
    return any(
        statement.is_allow
        and any(p.text.replace("${AWS::URLSuffix}", "amazonaws.com") in AIRFLOW_SERVICES for p in statement.principals)
        for statement in doc.statements
    )


# --- assembling the source ---------------------------------------------------------------------------------------


def assemble(builder: TemplateBuilder, spans, comments=()) -> ParsedSource:
    """Link documents to principals, attach declarations, and build the ParsedSource."""
    from ..positions import entry_lines

    path = builder.path
    entries = builder.resource_entries()
    if builder.resolver.steps_left < 0:
        builder.diagnostic(
            "MWAA012",
            f"values of intrinsic functions past {MAX_RESOLUTION_STEPS:,} evaluation steps (references that multiply, "
            "e.g. names built twice from names); they stay symbolic",
            (),
            None,
        )
    by_logical = {found.logical: found for found in entries}
    execution_roles = {env.execution_role for env in builder.environments if env.execution_role}
    doc_calls: dict = {}
    resource_calls = {found.logical: list(found.calls) for found in entries}
    for found in entries:
        for index in found.documents:
            doc_calls.setdefault(index, []).extend(found.calls)
    suppressions = [
        SourceSuppression(ids, path, *lines, reason)
        for found in entries
        for ids, reason in found.ignores
        for lines in [entry_lines(spans, ("Resources", found.logical))]
        if lines
    ]
    apply_comments(builder, comments, spans, by_logical, doc_calls, resource_calls)

    members = principal_members(entries, by_logical)
    doc_principals: dict = {}
    for logical, indexes in members.items():
        for index in indexes:
            doc_principals.setdefault(index, []).append(logical)
    docs = [
        replace(doc, principals=tuple(doc_principals.get(i, ())), calls=tuple(doc_calls.get(i, ())))
        if doc_principals.get(i) or doc_calls.get(i)
        else doc
        for i, doc in enumerate(builder.docs)
    ]
    principals = []
    for logical, indexes in members.items():
        found = by_logical[logical]
        own = [docs[i] for i in indexes]
        calls = list(resource_calls.get(logical, ()))
        for doc in own:
            calls.extend(c for c in doc.calls if c not in calls)
        execution = logical in execution_roles or any(trusts_airflow(docs[i]) for i in found.trust)
        principals.append(
            Principal(
                logical, tuple(own), Origin(path, ("Resources", logical)), logical, tuple(calls), is_execution_role=execution, scope=path
            )
        )
    return ParsedSource(
        path,
        "cloudformation",
        documents=tuple(docs),
        environments=tuple(builder.environments),
        principals=tuple(principals),
        diagnostics=tuple(builder.diagnostics),
        spans=spans,
        suppressions=tuple(suppressions),
    )


def principal_members(entries: list, by_logical: dict) -> dict:
    """Principal logical id -> indexes of the identity documents that apply to it, in template order.

    Roles, users and groups get their inline policies, the policies that attach to them (Roles/Users/Groups,
    RoleName/...), the ManagedPolicies they reference, and (users) the documents of their groups. SAM functions get
    their Policies. A policy resource attached to nothing in the template is its own principal.
    """
    attached: dict = {}
    for found in entries:
        for attachment in found.attachments:
            if attachment.logical in by_logical:
                attached.setdefault(attachment.logical, []).extend(found.documents)
    members: dict = {}
    for found in entries:
        if found.type in PRINCIPAL_RESOURCES or found.type in SAM_RESOURCES:
            indexes = list(found.documents) + attached.get(found.logical, [])
            for managed in found.managed:
                indexes.extend(by_logical[managed].documents if managed in by_logical else ())
            members[found.logical] = indexes
    for found in entries:
        if found.type == "AWS::IAM::User":
            for group in found.groups:
                members[found.logical].extend(members.get(group, ()))
    used = {i for indexes in members.values() for i in indexes}
    for found in entries:
        if found.type in POLICY_RESOURCES and found.documents and not any(i in used for i in found.documents):
            members[found.logical] = list(found.documents)
    return {logical: list(dict.fromkeys(indexes)) for logical, indexes in members.items()}


def apply_comments(builder: TemplateBuilder, comments, spans, by_logical: dict, doc_calls: dict, resource_calls: dict) -> None:
    """`# mwaa-lint: calls ...` above a resource, policy or statement (ignore comments are linter.suppress's)."""
    from ..positions import entry_lines

    if not comments:
        return
    anchors = comment_anchors(builder, spans, by_logical)
    for directive in comments:
        if directive.verb.startswith("ignore"):
            continue  # inline ignore comments are read by linter.suppress
        if directive.verb != "calls":
            builder.diagnostics.append(
                Diagnostic("MWAA000", f'unknown mwaa-lint directive "{directive.verb}" (known: calls, ignore[ID])', Origin(builder.path, (), directive.span))
            )
            continue
        calls = [DeclaredCall(text, Origin(builder.path, (), span)) for text, span in directive.items]
        target = anchors.get(directive.next_line)
        if target is None:
            for logical in by_logical:
                lines = entry_lines(spans, ("Resources", logical))
                if lines and lines[0] <= directive.next_line <= lines[1]:
                    target = ("resource", logical)
        if target is None:
            builder.diagnostics.append(
                Diagnostic("MWAA000", "a mwaa-lint calls comment belongs on the line above a resource or a statement", Origin(builder.path, (), directive.span))
            )
        elif target[0] == "resource":
            resource_calls.setdefault(target[1], []).extend(calls)
            for index in by_logical[target[1]].documents:
                doc_calls.setdefault(index, []).extend(calls)
        else:
            doc_calls.setdefault(target[1], []).extend(calls)


def comment_anchors(builder: TemplateBuilder, spans, by_logical: dict) -> dict:
    """First line -> what starts there: ("resource", logical id) or ("document", index) for a policy or statement."""
    from ..positions import KEY

    anchors: dict = {}

    def first_line(pointer):
        span = spans.span(tuple(pointer))
        return span.start_line if span else None

    for index, doc in enumerate(builder.docs):
        for statement in doc.statements:
            anchors.setdefault(first_line(statement.origin.pointer), ("document", index))
        anchors.setdefault(first_line(doc.origin.pointer), ("document", index))
        anchors.setdefault(first_line(doc.origin.pointer + (KEY,)), ("document", index))
    for logical in by_logical:
        anchors[first_line(("Resources", logical, KEY))] = ("resource", logical)
    anchors.pop(None, None)
    return anchors


# --- entry points ----------------------------------------------------------------------------------------------


def parse_json(path: str, text: str, raw) -> ParsedSource:
    """A CloudFormation template in JSON, already decoded into `raw`."""
    from ..positions import FileSpans

    builder = TemplateBuilder(template_of(path, raw, None))
    return assemble(builder, FileSpans(path, "json", text=text))


def parse_yaml(path: str, text: str) -> ParsedSource | None:
    """A CloudFormation template in YAML; None when the text is YAML but no template (the file is skipped)."""
    import yaml

    from ..positions import FILE_START, LineIndex, OffsetSpans, YamlLimitError, comment_directives, yaml_error_span, yaml_plain

    loader = template_loader()
    budget = 2 * len(text) + 10_000
    found = None
    extra = 0
    try:
        for node in yaml.compose_all(text, Loader=loader):
            if node is None:
                continue
            converted = yaml_plain(text, node, yaml_tag_key, budget, MAX_YAML_DEPTH)
            if looks_like_template(converted[0]):
                extra += found is not None
                found = found or converted
    except yaml.YAMLError as exc:
        return failed(path, f"invalid YAML: {yaml_problem(exc)}", yaml_error_span(text, exc))
    except YamlLimitError as exc:
        at = FILE_START if exc.offset is None else LineIndex(text).span(exc.offset, exc.offset + 1)
        return failed(path, f"{exc}; not parsed", at)
    except RecursionError:
        return failed(path, "YAML nested too deeply to parse", FILE_START)
    if found is None:
        return None
    root, values, keys, duplicates = found
    index = LineIndex(text)

    def embed(pointer, string):
        offsets = values.get(tuple(pointer))
        if offsets is not None:
            from ..positions import embedded_json_offsets

            inner_values, inner_keys = embedded_json_offsets(text, offsets[0], offsets[1], string, tuple(pointer))
            values.update(inner_values)
            keys.update(inner_keys)

    builder = TemplateBuilder(template_of(path, root, text), embed)
    for pointer, offsets in duplicates:
        builder.diagnostics.append(
            Diagnostic("MWAA000", f'duplicate key "{pointer[-1]}": only the last one counts', Origin(path, pointer, index.span(*offsets)))
        )
    if extra:
        builder.diagnostic("MWAA012", f"templates after the first of this YAML stream ({extra + 1} templates; only the first is analysed)", (), None)
    spans = OffsetSpans(index, values, keys)
    return assemble(builder, spans, comment_directives(text))


# The implicit tags a template's plain scalars can take that change their value (positions.yaml_plain reads bool,
# null and int; floats and timestamps stay strings, as in CloudFormation) or their meaning (the "<<" merge key).
_IMPLICIT_TAGS = {
    **dict.fromkeys("yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF".split(), "tag:yaml.org,2002:bool"),
    **dict.fromkeys(("~", "null", "Null", "NULL", ""), "tag:yaml.org,2002:null"),
    "<<": "tag:yaml.org,2002:merge",
}
_YAML_DECIMAL = re.compile(r"[-+]?(?:0[0-7]*|[1-9][0-9]*)")  # YAML 1.1 ints that are digits only


@lru_cache(maxsize=1)
def template_loader():
    """libyaml's safe loader (when built) resolving only the implicit tags above: PyYAML's resolver tries a list of
    regular expressions on every scalar, a third of the time libyaml takes to compose a template."""
    import yaml

    base = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

    class TemplateLoader(base):
        def resolve(self, kind, value, implicit):
            if kind is yaml.ScalarNode:
                if implicit[0]:
                    tag = _IMPLICIT_TAGS.get(value)
                    if tag is not None:
                        return tag
                    if value[0] in "+-0123456789" and _YAML_DECIMAL.fullmatch(value):
                        return "tag:yaml.org,2002:int"
                return "tag:yaml.org,2002:str"
            return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"

        def descend_resolver(self, current_node, current_index):
            pass  # no path resolvers

        def ascend_resolver(self):
            pass

    return TemplateLoader


def yaml_problem(exc) -> str:
    problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
    context = getattr(exc, "context", None)
    return f"{context}, {problem}" if context else problem


def failed(path: str, message: str, span) -> ParsedSource:
    return ParsedSource(path, "cloudformation", diagnostics=(Diagnostic("MWAA000", message, Origin(path, (), span)),))
