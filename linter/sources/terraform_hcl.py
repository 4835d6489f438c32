"""Terraform HCL: a folder of `.tf` files is one module; policies, principals and MWAA environments from it.

This module holds the `Evaluator`, the walk of the module tree (resources, principals, environments) and
`parse_module`; files are read by `terraform_tree`, policies built by `terraform_builder`. Expressions are
evaluated into a small set of abstract values (`Str`, `Lst`, `Obj`, `Lit`, `Unknown`, `Choice`, `DocRef`,
`FileRef`, `Encoded`; in `terraform_values`); whatever the module does not determine stays `Unknown` and becomes a
`Symbolic` part.

Pointers (positions live in one `TreeSpans` per file, keyed by these tuples):
- a block: ("resource", TYPE, NAME), ("data", TYPE, NAME), ("variable", NAME), ("module", NAME), ("output", NAME);
  a local: ("locals", NAME); an attribute: block pointer + (ATTRIBUTE,); a list item: + (index,); an object
  element: + (key,), its key: + (key, KEY); conditional branches: + ("then",) / + ("else",); a function argument:
  + (FUNCTION, index); a nested block: + (BLOCK TYPE, index).
- a policy written with jsonencode or heredoc JSON: the attribute pointer + the IAM JSON path, e.g.
  ("resource", "aws_iam_policy", "x", "policy", "Statement", 0, "Action", 1).
- a policy built by `data "aws_iam_policy_document"`: the data pointer + the IAM JSON path of the document it
  renders, e.g. ("data", "aws_iam_policy_document", "d", "Statement", 0, "Action", 1) is the second item of
  `actions` in the first statement block; ("...", "Statement", 0) is the statement block itself.
Elements also carry their span in their origin, so a file read through two module calls resolves the same way.
"""
from __future__ import annotations

import os
import re
from dataclasses import replace

from ..model import Diagnostic, Environment, Origin, ParsedSource, Symbolic
from ..positions import KEY, FileSpans, TreeSpans
from .iam_json import trusts_airflow
from .terraform_builder import Builder
from .terraform_tree import (
    HclFile,
    Module,
    _attributes,
    _block_parts,
    _blocks,
    _declared_calls,
    _file_start,
    _index,
    _make_parser,
    _named,
    _read_file,
)
from .terraform_values import (
    ATTACHMENTS,
    DOC_DATA,
    MAX_ITEMS,
    POLICY_RESOURCES,
    PRINCIPAL_TYPES,
    Choice,
    Collected,
    DocRef,
    Encoded,
    FileRef,
    Lit,
    Lst,
    Obj,
    Str,
    Unknown,
    _as_parts,
    _format,
    _join_notes,
    _link,
    _list_items,
    _literal_text,
    _merge_parts,
    _moved,
    _unescape,
    _with_note,
    value_text,
)

MAX_STEPS = 48  # nested reference hops (var -> local -> ...) before a value is left symbolic: cycles cannot hang
MAX_MODULE_DEPTH = 6  # nested local module calls followed
MAX_TEXT = 200_000  # longer computed strings (doubling interpolations) are left symbolic
SYMBOLIC_DATA = ("aws_region", "aws_caller_identity", "aws_partition")
_WRAPPERS = frozenset(("expression", "literal_value", "collection_value", "template_expr"))  # one-child nodes ev steps through


# -- evaluation -------------------------------------------------------------------------------------------------------
class Evaluator:
    """Evaluates expressions of the modules of one parse, with a memo per (module, reference)."""

    def __init__(self, root_dir: str, parser):
        self.root_dir = root_dir
        self.parser = parser
        self.memo: dict = {}
        self.problems: list[Diagnostic] = []
        self.files: dict = {}  # path -> HclFile (child module files)
        self.children: dict = {}  # (id(module), call name) -> Module | None

    def note(self, rule: str, message: str, origin: Origin, logical: str | None = None) -> None:
        diagnostic = Diagnostic(rule, message, origin, logical)
        if diagnostic not in self.problems:
            self.problems.append(diagnostic)

    # expressions -------------------------------------------------------------------------------------------------
    def ev(self, mod: Module, file: HclFile, node, ptr: tuple, scope: dict, steps: int = 0):
        if steps > MAX_STEPS:
            return Unknown(file.node_text(node), file.origin(ptr, node), "reference chain too long (a cycle?)")
        while True:  # through wrappers and one-part expressions without a call per level
            kind = node.type
            if kind in _WRAPPERS and node.named_child_count == 1:  # the usual case, without a list of children
                child = node.named_child(0)
                kind = child.type
                if kind != "comment" and kind != "variable_expr":
                    node = child
                    continue
                kind = node.type
            if kind == "expression":
                kids = _named(node, file)
                if node.children and node.children[0].type == "(":
                    if not kids:
                        return Unknown("", file.origin(ptr, node))
                elif not kids:
                    return Unknown(file.node_text(node), file.origin(ptr, node))
                elif kids[0].type == "variable_expr":
                    return self.reference(mod, file, node, kids, ptr, scope, steps)
                elif len(kids) > 1:
                    value = self.ev(mod, file, kids[0], ptr, scope, steps)
                    for post in kids[1:]:
                        value = self.traverse(value, file, post, mod, scope, steps, node, ptr)
                    if isinstance(value, (Str, Lit, Unknown)):
                        value = _moved(value, file.origin(ptr, node))
                    return value
                node = kids[0]
            elif kind in ("literal_value", "collection_value", "template_expr"):
                kids = _named(node, file)
                if not kids:
                    return Unknown(file.node_text(node), file.origin(ptr, node))
                node = kids[0]
            else:
                break
        if kind == "string_lit" or kind == "quoted_template":
            return self.template(mod, file, node, ptr, scope, steps, heredoc=False)
        if kind == "heredoc_template":
            return self.template(mod, file, node, ptr, scope, steps, heredoc=True)
        if kind == "numeric_lit":
            text = file.node_text(node)
            try:
                number = int(text)
            except ValueError:
                try:
                    number = float(text)
                except ValueError:
                    number = text
            return Lit(number, file.origin(ptr, node))
        if kind == "bool_lit":
            return Lit(file.node_text(node) == "true", file.origin(ptr, node))
        if kind == "null_lit":
            return Lit(None, file.origin(ptr, node))
        if kind == "tuple":
            items = [c for c in _named(node, file) if c.type not in ("tuple_start", "tuple_end")]
            return Lst(tuple([self.ev(mod, file, item, ptr + (i,), scope, steps) for i, item in enumerate(items)]), file.origin(ptr, node))
        if kind == "object":
            return self.object(mod, file, node, ptr, scope, steps)
        if kind == "function_call":
            return self.function(mod, file, node, ptr, scope, steps)
        if kind == "conditional":
            kids = _named(node)
            origin = file.origin(ptr, node)
            if len(kids) != 3:
                return Unknown(file.node_text(node), origin)
            options = (
                self.ev(mod, file, kids[1], ptr + ("then",), scope, steps),
                self.ev(mod, file, kids[2], ptr + ("else",), scope, steps),
            )
            return Choice(options, origin)
        if kind == "variable_expr":
            return self.reference(mod, file, node, [node], ptr, scope, steps)
        return Unknown(file.node_text(node), file.origin(ptr, node))

    def object(self, mod, file, node, ptr, scope, steps) -> Obj:
        items = []
        for elem in _named(node, file):
            if elem.type != "object_elem":
                continue
            kids = _named(elem, file)
            if len(kids) < 2:
                continue
            key_node, value_node = kids[0], kids[-1]
            if key_node.named_child_count == 1:  # the usual case, without a list of children
                bare = key_node.named_child(0).type == "variable_expr"
            else:
                inner = _named(key_node, file)
                bare = len(inner) == 1 and inner[0].type == "variable_expr"
            if bare:
                key = file.node_text(key_node)  # a bare identifier is the key itself
            else:
                key_value = self.ev(mod, file, key_node, ptr + ("(key)",), scope, steps)
                if isinstance(key_value, Str) and not any(isinstance(p, Symbolic) for p in key_value.parts):
                    key = "".join(key_value.parts)
                else:
                    key = file.node_text(key_node)
            key_origin = file.origin(ptr + (key, KEY), key_node)
            items.append((key, self.ev(mod, file, value_node, ptr + (key,), scope, steps), key_origin))
        return Obj(tuple(items), file.origin(ptr, node))

    def template(self, mod, file, node, ptr, scope, steps, heredoc: bool) -> Str:
        kids = node.children
        if len(kids) == 3 and kids[1].type == "template_literal" and kids[0].type == "quoted_template_start":
            text = _unescape(file.node_text(kids[1]), False)  # a plain quoted string
            if len(text) <= MAX_TEXT:
                return Str((text,) if text else ("",), file.origin(ptr, node))
        parts: list = []
        notes = []
        directive = False
        for child in node.children:
            if child.type == "template_literal":
                raw = file.node_text(child)
                parts.append(_unescape(raw, heredoc))
            elif child.type == "template_interpolation":
                inner = _named(child, file)
                inner = [c for c in inner if c.type == "expression"]
                if not inner:
                    continue
                value = self.ev(mod, file, inner[0], ptr + ("${}",), scope, steps)
                found, note = _as_parts(value)
                parts.extend(found)
                notes.append(note)
            elif child.type == "template_directive":
                directive = True
                parts.append(Symbolic(file.node_text(child)))
        origin = file.origin(ptr, node)
        merged = _merge_parts(parts)
        if sum(len(p) if isinstance(p, str) else len(p.text) for p in merged) > MAX_TEXT:
            return Unknown(file.node_text(node)[:200], origin, f"the string would be longer than {MAX_TEXT:,} characters")
        info = None
        if heredoc:
            body = [c for c in node.children if c.type in ("template_literal", "template_interpolation", "template_directive")]
            if body:
                info = (file, file.offset(body[0]), tuple(ptr))
        return Str(merged, origin, _join_notes(*notes), info, directive)

    def traverse(self, value, file, post, mod, scope, steps, whole, ptr):
        """Apply one get_attr/index/splat to a value."""
        if isinstance(value, Unknown):
            return value
        if post.type == "get_attr":
            name = file.node_text(post).lstrip(".").strip()
            if isinstance(value, Obj):
                found = value.get(name)
                if found is not None:
                    return found
            return Unknown(file.node_text(whole), file.origin(ptr, whole))
        if post.type == "index":
            inner = [c for c in _named(post) for c in ([c] if c.type == "expression" else _named(c)) if c.type == "expression"]
            if inner:
                key = self.ev(mod, file, inner[0], ptr + ("[]",), scope, steps)
                if isinstance(value, Lst) and isinstance(key, Lit) and isinstance(key.value, int):
                    if 0 <= key.value < len(value.items):
                        return value.items[key.value]
                if isinstance(value, Obj) and isinstance(key, Str) and all(isinstance(p, str) for p in key.parts):
                    found = value.get("".join(key.parts))
                    if found is not None:
                        return found
            text = file.node_text(post)
            if isinstance(value, Lst) and re.fullmatch(r"\.\d+", text.strip()):
                i = int(text.strip()[1:])
                if i < len(value.items):
                    return value.items[i]
        return Unknown(file.node_text(whole), file.origin(ptr, whole))

    def reference(self, mod, file, node, kids, ptr, scope, steps):
        """var.x, local.x, data.T.N.attr, module.M.out, path.module, T.N.attr, iterator values; then traversals."""
        origin = file.origin(ptr, node)
        text = file.node_text(node)
        path = _steps(file, kids)
        head = path[0][1]
        instance = {"data": 3}.get(head, 2)  # data.T.N[0].json, T.N[*].arn: skip the instance key after the name
        names = []
        splat = False
        rest = []
        for i, (kind, name, post) in enumerate(path):
            if rest or (kind != "attr" and not (i == instance and head != "var" and head != "local")):
                rest.append(post)
            elif kind == "attr":
                names.append(name)
            else:
                splat = splat or kind == "splat"
        value, used = self.resolve(mod, file, names, ptr, origin, text, scope, steps)
        if value is None:
            return Unknown(text, origin)
        for name in names[used:]:
            if isinstance(value, Obj) and value.get(name) is not None:
                value = value.get(name)
            else:
                return Unknown(text, origin)
        for post in rest:
            value = self.traverse(value, file, post, mod, scope, steps, node, ptr)
        if splat and isinstance(value, DocRef):
            return Lst((value,), origin)
        if isinstance(value, (Str, Lit, Unknown)) and (head not in scope or rest or used < len(names)):
            value = _moved(value, origin)
        return value

    def resolve(self, mod, file, names, ptr, origin, text, scope, steps):
        """(value, how many names it consumed), or (None, 0) when unknown."""
        head = names[0]
        if head in scope:
            return scope[head], 1
        if head == "var" and len(names) >= 2:
            return self.variable(mod, names[1], origin, steps), 2
        if head == "local" and len(names) >= 2:
            found = mod.index.get(("local", names[1]))
            if found is None:
                return None, 0
            return self.memoized(mod, ("local", names[1]), found, steps), 2
        if head == "path" and len(names) >= 2:
            # relative to the root module, where Terraform runs and where file() paths start
            module_path = os.path.relpath(mod.directory, self.root_dir) if mod.directory != self.root_dir else "."
            where = {"module": module_path, "root": ".", "cwd": "."}.get(names[1])
            return (Str((where,), origin), 2) if where is not None else (None, 0)
        if head == "data" and len(names) >= 4:
            if names[1] == DOC_DATA and names[3] in ("json", "minified_json") and (("data", DOC_DATA, names[2]) in mod.index):
                return DocRef(mod, names[2], origin), 4
            return None, 0
        if head == "module" and len(names) >= 3:
            child = self.child(mod, names[1])
            if child is None:
                return None, 0
            found = child.index.get(("output", names[2]))
            if found is None:
                return None, 0
            out_file, block, out_ptr = found
            attr = _attributes(_block_parts(out_file, block)[2]).get("value")
            if attr is None:
                return None, 0
            return self.memoized(child, ("output", names[2]), (out_file, attr, out_ptr + ("value",)), steps), 3
        if head == "aws_mwaa_environment" and len(names) >= 3:
            return self.environment_attribute(mod, names[1], names[2], origin, steps), 3
        return None, 0

    def memoized(self, mod, key, found, steps):
        memo_key = (id(mod), key)
        if memo_key in self.memo:
            value = self.memo[memo_key]
            return value if value is not None else Unknown(" ".join(key), found[0].origin(found[2], found[1]), "cyclic reference")
        self.memo[memo_key] = None  # in progress: a cycle resolves to Unknown
        file, node, pointer = found
        value = self.ev(mod, file, node, pointer, {}, steps + 1)
        self.memo[memo_key] = value
        return value

    def variable(self, mod: Module, name: str, origin: Origin, steps: int):
        if name in mod.inputs and mod.parent is not None:
            parent_file, expr, pointer = mod.inputs[name]
            return self.memoized(mod.parent, ("module-input", mod.prefix, name), (parent_file, expr, pointer), steps)
        found = mod.index.get(("variable", name))
        if found is None:
            return Unknown(f"var.{name}", origin, f"variable {name} is not declared")
        file, block, pointer = found
        default = _attributes(_block_parts(file, block)[2]).get("default")
        if default is None:
            return Unknown(f"var.{name}", origin, f"variable {name} has no default")
        value = self.memoized(mod, ("variable", name), (file, default, pointer + ("default",)), steps)
        return _with_note(value, f"from the default of variable {name}")

    def environment_attribute(self, mod, name, attribute, origin, steps):
        found = mod.index.get(("resource", "aws_mwaa_environment", name))
        if found is None:
            return None
        file, block, pointer = found
        attr = _attributes(_block_parts(file, block)[2]).get("name")
        if attr is None or attribute not in ("name", "id", "arn"):
            return None
        env_name = self.memoized(mod, ("resource-name", name), (file, attr, pointer + ("name",)), steps)
        if not isinstance(env_name, Str):
            return None
        if attribute in ("name", "id"):
            return env_name
        address = f"{mod.prefix}aws_mwaa_environment.{name}.arn"
        parts = (
            "arn:",
            Symbolic("${" + address + ":partition}"),
            ":airflow:",
            Symbolic("${" + address + ":region}"),
            ":",
            Symbolic("${" + address + ":account}"),
            ":environment/",
        ) + env_name.parts
        return Str(_merge_parts(parts), origin, env_name.note)

    def function(self, mod, file, node, ptr, scope, steps):
        kids = _named(node)
        name = file.node_text(kids[0]) if kids else ""
        origin = file.origin(ptr, node)
        arg_nodes = []
        for kid in kids[1:]:
            if kid.type == "function_arguments":
                arg_nodes = [c for c in _named(kid) if c.type == "expression"]
        short = name.split("::")[-1]

        def arg(i):
            return self.ev(mod, file, arg_nodes[i], ptr if short == "jsonencode" else ptr + (short, i), scope, steps)

        unknown = Unknown(file.node_text(node), origin)
        if short == "jsonencode" and len(arg_nodes) == 1:
            return Encoded(arg(0), origin)
        if short in ("file", "templatefile") and arg_nodes:
            target = arg(0)
            if not isinstance(target, Str) or any(isinstance(p, Symbolic) for p in target.parts):
                return Unknown(file.node_text(node), origin, f"the file name {file.node_text(arg_nodes[0])} is not known")
            path = _join_path(self.root_dir, "".join(target.parts))
            variables = arg(1) if short == "templatefile" and len(arg_nodes) > 1 else None
            return FileRef(path, origin, variables, short == "templatefile")
        args = [arg(i) for i in range(len(arg_nodes))]
        if short in ("concat", "flatten", "tolist", "toset", "distinct", "compact", "sort") and args:
            items = []
            for value in args:
                items.extend(_list_items(value, flat=short == "flatten"))
            if short == "compact":
                items = [v for v in items if not (isinstance(v, Str) and v.parts == ("",))]
            if len(items) > MAX_ITEMS:
                return Unknown(file.node_text(node)[:200], origin, f"the list would have more than {MAX_ITEMS:,} items")
            return Lst(tuple(items), origin)
        if short in ("lower", "upper", "trimspace", "tostring") and len(args) == 1:
            value = args[0]
            if isinstance(value, Str) and all(isinstance(p, str) for p in value.parts):
                text = "".join(value.parts)
                text = {"lower": text.lower(), "upper": text.upper(), "trimspace": text.strip()}.get(short, text)
                return Str((text,), origin, value.note)
            if isinstance(value, Lit) and short == "tostring" and value.value is not None:
                return Str((_literal_text(value.value),), origin)
            return unknown
        if short in ("join", "one") and args and isinstance(args[-1], Lst) and len(args[-1].items) == 1 and isinstance(args[-1].items[0], DocRef):
            return args[-1].items[0]  # join("", data.aws_iam_policy_document.x.*.json)
        if short == "join" and len(args) == 2 and isinstance(args[0], Str) and isinstance(args[1], Lst):
            parts: list = []
            for i, item in enumerate(args[1].items):
                if i:
                    parts.extend(args[0].parts)
                found, _ = _as_parts(item)
                parts.extend(found)
            return Str(_merge_parts(parts), origin)
        if short == "format" and args and isinstance(args[0], Str) and all(isinstance(p, str) for p in args[0].parts):
            return _format(args[0], args[1:], origin) or unknown
        if short == "merge" and args and all(isinstance(a, Obj) for a in args):
            return Obj(tuple(i for a in args for i in a.items), origin)
        if short in ("coalesce", "try") and args:
            for value in args:
                if not isinstance(value, Unknown) and not (isinstance(value, Lit) and value.value is None):
                    return value
            return unknown
        if short == "lookup" and len(args) >= 2 and isinstance(args[0], Obj) and isinstance(args[1], Str):
            key = "".join(p for p in args[1].parts if isinstance(p, str))
            found = args[0].get(key)
            return found if found is not None else (args[2] if len(args) > 2 else unknown)
        if short == "element" and len(args) == 2 and isinstance(args[0], Lst) and isinstance(args[1], Lit):
            if isinstance(args[1].value, int) and args[0].items:
                return args[0].items[args[1].value % len(args[0].items)]
        return unknown

    # modules -------------------------------------------------------------------------------------------------------
    def child(self, mod: Module, name: str) -> Module | None:
        key = (id(mod), name)
        if key in self.children:
            return self.children[key]
        self.children[key] = None
        found = mod.index.get(("module", name))
        if found is None:
            return None
        file, block, pointer = found
        attrs = _attributes(_block_parts(file, block)[2])
        source_node = attrs.get("source")
        logical = f"{mod.prefix}module.{name}"
        if source_node is None:
            return None
        source = self.ev(mod, file, source_node, pointer + ("source",), {})
        text = "".join(p for p in source.parts if isinstance(p, str)) if isinstance(source, Str) else ""
        where = file.origin(pointer + ("source",), source_node)
        if not text.startswith(("./", "../")):
            self.note("MWAA012", f"remote module {text or file.node_text(source_node)!r} not analysed: its policies are not checked", where, logical)
            return None
        directory = os.path.normpath(os.path.join(mod.directory, text))
        if mod.depth + 1 > MAX_MODULE_DEPTH or _is_ancestor(mod, directory):
            self.note("MWAA012", f"module {text!r} not analysed: nested deeper than {MAX_MODULE_DEPTH} modules or calls itself", where, logical)
            return None
        try:
            names = sorted(n for n in os.listdir(directory) if n.endswith(".tf"))
        except OSError:
            names = []
        if not names:
            self.note("MWAA012", f"module {text!r} not analysed: no .tf files in {directory}", where, logical)
            return None
        files = []
        for n in names:
            path = os.path.join(directory, n)
            if path not in self.files:
                self.files[path] = _read_file(path, self.parser, self.problems)
            files.append(self.files[path])
        inputs = {
            attr: (file, expr, pointer + (attr,))
            for attr, expr in attrs.items()
            if attr not in ("source", "version", "providers", "count", "for_each", "depends_on")
        }
        child = Module(directory, tuple(files), f"{logical}.", mod, inputs, _index(files), mod.depth + 1, (file, block))
        self.children[key] = child
        return child


def _steps(file: HclFile, kids) -> list:
    """A traversal as (kind, name, node) steps: ("attr", name), ("index", None), ("splat", None); the attributes
    and indexes inside a splat follow it as their own steps."""
    out = []
    for kid in kids:
        if kid.type == "variable_expr":
            out.append(("attr", file.node_text(kid), kid))
        elif kid.type == "get_attr":
            out.append(("attr", file.node_text(kid).lstrip(".").strip(), kid))
        elif kid.type == "splat":
            out.append(("splat", None, kid))
            inner = _named(kid)[0] if _named(kid) else kid
            out.extend(_steps(file, [c for c in _named(inner)]))
        else:
            out.append(("index", None, kid))
    return out


def _is_ancestor(mod: Module, directory: str) -> bool:
    while mod is not None:
        if os.path.normpath(mod.directory) == directory:
            return True
        mod = mod.parent
    return False


def _join_path(root: str, text: str) -> str:
    """A file() path (relative to the root module) as a path the scan can open, written like the scan's paths."""
    if os.path.isabs(text):
        return os.path.normpath(text)
    text = os.path.normpath(text)
    return root if text == "." else os.path.join(root, text) if not text.startswith("..") else os.path.normpath(os.path.join(root, text))


# -- the module tree -----------------------------------------------------------------------------------------------------
def _reference_address(mod: Module, file: HclFile, node, types) -> str | None:
    """`aws_iam_role.X.name` (or `"${...}"`, `aws_iam_role.X[0].arn`) -> prefixed address, if of one of the types."""
    text = file.node_text(node).strip()
    match = re.fullmatch(r'(?:"\$\{)?\s*([a-z0-9_]+)\.([A-Za-z0-9_-]+)(?:\[[^\]]*\])?\.(name|id|arn|unique_id)\s*(?:\}")?', text)
    if match and match.group(1) in types:
        return f"{mod.prefix}{match.group(1)}.{match.group(2)}"
    return None


def _walk_module(ev: Evaluator, builder: Builder, mod: Module, out: Collected) -> None:
    for key, (file, node, pointer) in sorted(mod.index.items(), key=lambda item: (item[1][0].path, item[1][1].start_byte)):
        if key[0] == "resource":
            _resource(ev, builder, mod, file, node, pointer, key[1], key[2], out)
        elif key[0] == "module":
            child = ev.child(mod, key[1])
            if child is not None:
                _walk_module(ev, builder, child, out)
    for key, (file, node, pointer) in sorted(mod.index.items(), key=lambda item: (item[1][0].path, item[1][1].start_byte)):
        if key[0] == "data" and key[1] == DOC_DATA and (id(mod), key[2]) not in builder.used_data:
            doc = builder.data_document(mod, key[2])
            if doc is not None and id(doc) not in out.document_ids:
                _add_documents(out, (doc,))
                address = f"{mod.prefix}data.{DOC_DATA}.{key[2]}"
                out.own[address] = ((doc,), None, (), doc.origin)


def _resource(ev, builder, mod, file, node, pointer, rtype, name, out: Collected) -> None:
    address = f"{mod.prefix}{rtype}.{name}"
    body = _block_parts(file, node)[2]
    attrs = _attributes(body)
    calls = _declared_calls(file, node, pointer)

    def docs_of(attr, kind="identity", base=pointer, in_file=file, in_attrs=attrs):
        expr = in_attrs.get(attr)
        if expr is None or expr.parent.has_error:  # a syntax error there is already MWAA000
            return ()
        value = ev.ev(mod, in_file, expr, base + (attr,), {})
        return builder.documents(value, address, address, kind)

    if rtype in POLICY_RESOURCES:
        docs = docs_of("policy")
        docs = tuple(replace(d, calls=d.calls + tuple(c for c in calls if c not in d.calls)) if d.logical == address else d for d in docs)
        _add_documents(out, docs)
        target = None
        target_attr = POLICY_RESOURCES[rtype]
        if target_attr and target_attr in attrs:
            ptype = PRINCIPAL_TYPES[target_attr]
            target = _reference_address(mod, file, attrs[target_attr], (ptype,)) or _named_principal(ev, mod, file, attrs[target_attr], pointer + (target_attr,), ptype)
        out.own[address] = (docs, target, calls, file.origin(pointer, node))
        if "policy" not in attrs:
            ev.note("MWAA000", f"{rtype} has no policy", file.origin(pointer, node), address)
    elif rtype in PRINCIPAL_TYPES.values():
        inline = []
        for i, block in enumerate(_blocks(file, body, "inline_policy")):
            inner_attrs = _attributes(_block_parts(file, block)[2])
            inline.extend(docs_of("policy", base=pointer + ("inline_policy", i), in_attrs=inner_attrs))
        _add_documents(out, inline)
        trust = docs_of("assume_role_policy", "trust") if rtype == "aws_iam_role" else ()
        trust = tuple(replace(d, kind="trust") for d in trust)
        _add_documents(out, trust)
        out.principals[address] = {
            "documents": list(inline),
            "trust": trust,
            "calls": calls,
            "origin": file.origin(pointer, node),
            "execution": any(trusts_airflow(d) for d in trust),
        }
        managed = attrs.get("managed_policy_arns")
        if managed is not None:
            for item in _list_nodes(managed):
                policy = _reference_address(mod, file, item, ("aws_iam_policy",))
                if policy:
                    out.attachments.append((address, policy))
    elif rtype in ATTACHMENTS or rtype == "aws_iam_policy_attachment":
        policy_node = attrs.get("policy_arn")
        policy = _reference_address(mod, file, policy_node, ("aws_iam_policy",)) if policy_node is not None else None
        if policy is None:
            return
        if rtype in ATTACHMENTS:
            kind = ATTACHMENTS[rtype]
            target_nodes = [attrs[kind]] if kind in attrs else []
            targets = [(kind, n) for n in target_nodes]
        else:
            targets = [(kind, n) for kind in ("role", "user", "group") for n in _list_nodes(attrs.get(kind + "s"))]
        for kind, target_node in targets:
            ptype = PRINCIPAL_TYPES[kind]
            target = _reference_address(mod, file, target_node, (ptype,)) or _named_principal(ev, mod, file, target_node, pointer + (kind,), ptype)
            if target:
                out.attachments.append((target, policy))
    elif rtype == "aws_mwaa_environment":
        out.environments.append(_environment(ev, mod, file, node, pointer, name, attrs, builder.scope))


def _list_nodes(node) -> list:
    """The item expressions of a tuple literal (or the node itself)."""
    if node is None:
        return []
    current = node
    while current.type in ("expression", "collection_value") and len(_named(current)) == 1:
        current = _named(current)[0]
    if current.type == "tuple":
        return [c for c in _named(current) if c.type == "expression"]
    return [node]


def _named_principal(ev, mod, file, node, ptr, ptype) -> str | None:
    """A principal named by a literal: the role/user/group resource of the module with that name."""
    value = ev.ev(mod, file, node, ptr, {})
    if not isinstance(value, Str) or any(isinstance(p, Symbolic) for p in value.parts):
        return None
    wanted = "".join(value.parts)
    for key, (pfile, pnode, pptr) in mod.index.items():
        if key[0] == "resource" and key[1] == ptype:
            attr = _attributes(_block_parts(pfile, pnode)[2]).get("name")
            if attr is not None:
                name = ev.memoized(mod, ("resource-name-" + ptype, key[2]), (pfile, attr, pptr + ("name",)), 0)
                if isinstance(name, Str) and name.parts == (wanted,):
                    return f"{mod.prefix}{ptype}.{key[2]}"
    return None


def _add_documents(out: Collected, docs) -> None:
    for doc in docs:
        if id(doc) not in out.document_ids:
            out.document_ids.add(id(doc))
            out.documents.append(doc)


def _environment(ev, mod, file, node, pointer, name, attrs, scope) -> Environment:
    address = f"{mod.prefix}aws_mwaa_environment.{name}"

    def value_of(attr):
        expr = attrs.get(attr)
        if expr is None:
            return None
        if attr == "name":
            return ev.memoized(mod, ("resource-name", name), (file, expr, pointer + (attr,)), 0)
        return ev.ev(mod, file, expr, pointer + (attr,), {})

    env_name = value_of("name")
    version = value_of("airflow_version")
    mode = value_of("webserver_access_mode")
    known = lambda v: "".join(v.parts) if isinstance(v, Str) and all(isinstance(p, str) for p in v.parts) else None  # noqa: E731
    mode_text = "PRIVATE_ONLY" if mode is None else (known(mode) or value_text(mode) if isinstance(mode, Str) else "${unknown}")
    execution = None
    role_node = attrs.get("execution_role_arn")
    if role_node is not None:
        execution = _reference_address(mod, file, role_node, ("aws_iam_role",)) or known(value_of("execution_role_arn"))
    notes = []
    if isinstance(env_name, Str) and env_name.note:
        notes.append(f"name {env_name.note}")
    if isinstance(version, Str) and version.note:
        notes.append(f"airflow_version {version.note}")
    return Environment(
        name=known(env_name),
        origin=env_name.origin if isinstance(env_name, Str) else file.origin(pointer, node),
        airflow_version=known(version),
        version_origin=version.origin if isinstance(version, (Str, Lit)) else None,
        webserver_access_mode=mode_text,
        execution_role=execution,
        note="; ".join(notes),
        scope=scope,
        logical=address,
    )


def parse_module(directory: str, files: list[str]) -> list[ParsedSource]:
    """All `.tf` files of one folder as one root module; one ParsedSource per file read (child module files and
    policy JSON files read through file()/templatefile() included)."""
    problems: list[Diagnostic] = []
    try:
        parser = _make_parser()
    except ImportError as exc:
        return [
            ParsedSource(path, "terraform", diagnostics=(Diagnostic("MWAA012", f"Terraform HCL not analysed: {exc} (install tree-sitter-hcl)", Origin(path, (), _file_start())),))
            for path in files
        ]
    hcl_files = [_read_file(path, parser, problems) for path in sorted(files)]
    ev = Evaluator(directory, parser)
    ev.problems = problems
    root = Module(directory, tuple(hcl_files), "", None, {}, _index(hcl_files), 0)
    builder = Builder(ev, directory)
    out = Collected()
    try:
        _walk_module(ev, builder, root, out)
    except RecursionError:  # a bound above should prevent it; never a traceback
        ev.note("MWAA000", "expressions nested too deeply to analyse", Origin(hcl_files[0].path, (), _file_start()) if hcl_files else Origin(directory))
        out = Collected()
    documents, principals = _link(out, directory)
    all_files = {f.path: f for f in hcl_files}
    all_files.update(ev.files)
    paths = list(all_files) + [p for p in builder.extra_sources if p not in all_files]
    by_path = {p: {"documents": [], "environments": [], "principals": [], "diagnostics": []} for p in paths}

    def put(path, kind, item):
        by_path.setdefault(path, {"documents": [], "environments": [], "principals": [], "diagnostics": []})[kind].append(item)

    for doc in documents:
        put(doc.origin.path, "documents", doc)
    for env in out.environments:
        put(env.origin.path if env.origin else directory, "environments", env)
    for principal in principals:
        put(principal.origin.path if principal.origin else directory, "principals", principal)
    for diagnostic in ev.problems:
        put(diagnostic.origin.path, "diagnostics", diagnostic)
    sources = []
    for path, found in by_path.items():
        found_file = all_files.get(path)
        spans = TreeSpans(found_file.spans, found_file.index, list(found_file.json_texts)) if found_file is not None else FileSpans(path, "json")
        sources.append(
            ParsedSource(
                path,
                "terraform",
                documents=tuple(found["documents"]),
                environments=tuple(found["environments"]),
                principals=tuple(found["principals"]),
                diagnostics=tuple(found["diagnostics"]),
                spans=spans,
            )
        )
    return sources
