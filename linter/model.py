"""The normalized model every input kind produces and every rule reads.

Positions are never computed here: elements carry an `Origin` (file + pointer into the source), and
`linter.positions` turns origins into spans once findings exist.

Start-up: every method dataclasses generates is compiled when this module loads (about 0.1 ms each). So the repr
dataclasses would generate is written once, in `Record`; the classes compared by value but seldom (values,
statements, documents, declared calls, diagnostics) take the generated __eq__/__hash__ from `ValueRecord`; only
the hot keys (origins, spans, symbolic parts) keep generated ones; the classes whose instances nothing compares or
hashes by value (environments, principals, sources, the scan, hits, findings) compare by identity. All stay frozen.
A docstring on each class saves the signature dataclasses would otherwise compute.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields
from enum import Enum

Pointer = tuple  # tuple[str | int, ...]: keys and indexes from the document root to a value


class Record:
    """Base of the model's dataclasses (declared with repr=False): the repr dataclasses would generate for each."""

    __slots__ = ()

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)
        return f"{type(self).__qualname__}({shown})"


class ValueRecord(Record):
    """Base of the dataclasses compared by value, but seldom (declared with eq=False): the __eq__ and __hash__
    dataclasses would generate, over all fields."""

    __slots__ = ()

    def _fields(self) -> tuple:
        return tuple(getattr(self, f.name) for f in fields(self))

    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return self._fields() == other._fields()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._fields())


@functools.cache
def _iam(name: str):
    """linter.iam.<name>, imported on first use (an import statement costs a microsecond at every call)."""
    from importlib import import_module

    return import_module(f".iam.{name}", __package__)


class cached_property(functools.cached_property):
    """functools.cached_property without the lock Python 3.11 takes on each first access (3.12 dropped it). The value
    is stored with object.__setattr__ (past the frozen dataclasses' own), not through `instance.__dict__`: asking for
    that builds a dict out of the instance's inline attributes, which costs a quarter of a first access."""

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = self.func(instance)
        _set_attribute(instance, self.attrname, value)
        return value


_set_attribute = object.__setattr__


class Level(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "note": 1}[self.value]


@dataclass(frozen=True, repr=False)
class Span(Record):
    """1-based lines and columns (columns in characters); end column is exclusive."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int


@dataclass(frozen=True, repr=False)
class Origin(Record):
    """Where an element came from: a file, a pointer into it, and optionally a span known up front."""

    path: str
    pointer: Pointer = ()
    span: Span | None = None

    def child(self, *keys) -> "Origin":
        return new_origin(self.path, self.pointer + keys, None)


# Fast constructors for the objects every parsed element makes. A frozen dataclass's __init__ sets each field
# through object.__setattr__; these fill the instance's fields directly: the same objects (fields, equality, hash,
# repr, pickling, frozen afterwards) at about a third of the cost. tests/test_model.py checks they cannot be told
# apart. They would break loudly if the classes got slots=True.
_new_object = object.__new__


def new_span(start_line: int, start_col: int, end_line: int, end_col: int) -> Span:
    span = _new_object(Span)
    fields = span.__dict__
    fields["start_line"] = start_line
    fields["start_col"] = start_col
    fields["end_line"] = end_line
    fields["end_col"] = end_col
    return span


def new_origin(path: str, pointer: tuple, span: Span | None) -> Origin:
    origin = _new_object(Origin)
    fields = origin.__dict__
    fields["path"] = path
    fields["pointer"] = pointer
    fields["span"] = span
    return origin


def new_value(parts: tuple, origin: Origin, note: str = "") -> "Value":
    value = _new_object(Value)
    fields = value.__dict__
    fields["parts"] = parts
    fields["origin"] = origin
    fields["note"] = note
    return value


@dataclass(frozen=True, repr=False)
class Symbolic(Record):
    """A part of a value the scan could not resolve, kept as the source wrote it."""

    text: str


@dataclass(frozen=True, eq=False, repr=False)
class Value(ValueRecord):
    """A string element (action, resource, condition value) as parts: literal text and symbolic pieces."""

    parts: tuple  # tuple[str | Symbolic, ...]
    origin: Origin
    note: str = ""  # e.g. "from the default of parameter EnvName"

    @classmethod
    def literal(cls, text: str, origin: Origin) -> "Value":
        return cls((text,), origin)

    @cached_property
    def known(self) -> str | None:
        """The full text when every part is known, else None."""
        if len(self.parts) == 1 and isinstance(self.parts[0], str):
            return self.parts[0]
        if all(isinstance(p, str) for p in self.parts):
            return "".join(self.parts)
        return None

    @property
    def is_symbolic(self) -> bool:
        return any(isinstance(p, Symbolic) for p in self.parts)

    @property
    def text(self) -> str:
        """Human-readable text, symbolic parts shown as written."""
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)

    @cached_property
    def airflow_resource(self):
        """This element classified against the airflow ARN formats (linter.iam.arns), computed once."""
        return _iam("arns").classify(self)


@dataclass(frozen=True, eq=False, repr=False)
class Condition(ValueRecord):
    """One condition of a statement: operator, key and values (`StringEquals: {aws:SourceVpc: [...]}`)."""

    operator: str
    key: str
    values: tuple  # tuple[Value, ...]
    origin: Origin


@dataclass(frozen=True, eq=False, repr=False)
class Statement(ValueRecord):
    """One statement of a policy document, its elements as Values."""

    origin: Origin
    effect: str  # "Allow" or "Deny" (sources report anything else as MWAA000)
    sid: str | None = None
    actions: tuple = ()  # tuple[Value, ...] from "Action"
    not_actions: tuple = ()  # from "NotAction"
    resources: tuple = ()
    not_resources: tuple = ()
    conditions: tuple = ()  # tuple[Condition, ...]
    has_not_action: bool = False
    has_not_resource: bool = False
    principals: tuple = ()  # trust policies: tuple[Value, ...] of "Principal" entries (service names, ARNs)

    @property
    def is_allow(self) -> bool:
        return self.effect == "Allow"

    @cached_property
    def airflow_actions(self) -> frozenset | None:
        """Names of the airflow actions this statement names (through Action, or left by NotAction); None when
        NotAction has unresolved parts. Computed once (linter.iam.actions)."""
        return _iam("actions").statement_airflow_actions(self)

    @property
    def action_origin(self) -> Origin:
        return self.origin.child("NotAction" if self.has_not_action else "Action")

    @property
    def resource_origin(self) -> Origin:
        return self.origin.child("NotResource" if self.has_not_resource else "Resource")


@dataclass(frozen=True, eq=False, repr=False)
class DeclaredCall(ValueRecord):
    """A REST call a principal is declared to make, e.g. "GET /eventLogs"."""

    text: str
    origin: Origin


@dataclass(frozen=True, eq=False, repr=False)
class PolicyDocument(ValueRecord):
    """An IAM policy document (identity or trust policy) and where it came from."""

    origin: Origin
    statements: tuple  # tuple[Statement, ...]
    logical: str | None = None  # CloudFormation logical id, Terraform address, or None for raw JSON
    name: str = ""  # a label for messages: file name, logical id, address
    kind: str = "identity"  # "identity" or "trust"
    principals: tuple = ()  # names of the principals it attaches to
    calls: tuple = ()  # tuple[DeclaredCall, ...] declared next to the policy
    scope: str | None = None  # template path or Terraform root module folder; None: configuration only


@dataclass(frozen=True, eq=False, repr=False)
class Environment(Record):
    """An MWAA environment the scan or the configuration knows of."""

    name: str | None  # None when the name is symbolic
    origin: Origin | None = None
    airflow_version: str | None = None
    version_origin: Origin | None = None
    webserver_access_mode: str = "PRIVATE_ONLY"
    region: str | None = None
    account: str | None = None
    partition: str | None = None
    execution_role: str | None = None
    vpc_ids: tuple = ()
    vpc_endpoint_ids: tuple = ()
    custom_roles: tuple = ()  # tuple[(role name, frozenset[(action, resource)]), ...]
    note: str = ""  # e.g. "name from the default of parameter EnvName"
    scope: str | None = None  # template path or Terraform root module folder; None: from the configuration
    logical: str | None = None


@dataclass(frozen=True, eq=False, repr=False)
class Principal(Record):
    """An IAM role/user/group (or a lone policy file) and the policies that apply to it."""

    name: str
    documents: tuple  # tuple[PolicyDocument, ...]
    origin: Origin | None = None
    logical: str | None = None
    calls: tuple = ()  # tuple[DeclaredCall, ...]
    environment: str | None = None  # declared environment name
    is_execution_role: bool = False
    scope: str | None = None


@dataclass(frozen=True, eq=False, repr=False)
class Diagnostic(ValueRecord):
    """A problem a source found while reading a file: MWAA000 (parse error) or MWAA012 (not analysed)."""

    rule_id: str
    message: str
    origin: Origin
    logical: str | None = None


@dataclass(frozen=True, eq=False, repr=False)
class ParsedSource(Record):
    """What one file (or Terraform module member) parses into."""

    path: str
    kind: str  # "iam-json", "cloudformation", "terraform", "terraform-plan"
    documents: tuple = ()
    environments: tuple = ()
    principals: tuple = ()
    diagnostics: tuple = ()
    spans: object = None  # a SpanResolver (linter.positions) for origins that carry only a pointer
    suppressions: tuple = ()  # tuple[SourceSuppression, ...] declared in the source (e.g. CloudFormation Metadata)


@dataclass(frozen=True, eq=False, repr=False)
class SourceSuppression(Record):
    """Findings of these rules between these lines of a file are suppressed (inSource), with a reason."""

    rule_ids: tuple
    path: str
    start_line: int
    end_line: int
    reason: str = ""


@dataclass(frozen=True, eq=False, repr=False)
class Scan(Record):
    """Everything the rules see: all parsed sources of the run, plus configuration facts."""

    sources: tuple = ()  # tuple[ParsedSource, ...]
    documents: tuple = ()
    environments: tuple = ()
    principals: tuple = ()
    diagnostics: tuple = ()
    skipped: tuple = ()  # paths skipped because they are not an input kind we read

    def environments_for(self, scope: str | None) -> tuple:
        """Environments a policy is judged against: those of its own template/module plus the configuration's."""
        shared, by_scope = self._environments_by_scope
        return by_scope.get(scope, shared) if scope is not None else shared

    @cached_property
    def airflow_documents(self) -> tuple:
        """(document, its statements that name an airflow action) for each document with some, in order: the only
        statements most rules look at (see `Statement.airflow_actions`), found once per scan."""
        out = []
        for doc in self.documents:
            statements = tuple(s for s in doc.statements if s.airflow_actions)
            if statements:
                out.append((doc, statements))
        return tuple(out)

    @cached_property
    def _environments_by_scope(self) -> tuple:
        shared = tuple(e for e in self.environments if e.scope is None)
        by_scope: dict = {}
        for environment in self.environments:
            if environment.scope is not None:
                by_scope[environment.scope] = by_scope.get(environment.scope, shared) + (environment,)
        return shared, by_scope


@dataclass(frozen=True, eq=False, repr=False)
class Hit(Record):
    """What a rule reports: where (an origin) and the arguments of its message, before spans are attached."""

    origin: Origin
    args: dict = field(default_factory=dict)  # fills the rule's message template
    related: tuple = ()  # tuple[(Origin, str), ...]
    logical: str | None = None
    level: str | None = None  # overrides the rule's default level for this hit (the configuration overrides both)


@dataclass(frozen=True, eq=False, repr=False)
class Suppression(Record):
    """Why a finding is suppressed."""

    kind: str  # "inSource" or "external" (SARIF's suppression kinds)
    reason: str
    via: str = "comment"  # "comment", "metadata", "configuration" or "baseline"


@dataclass(frozen=True, eq=False, repr=False)
class Finding(Record):
    """A rule's finding, with its span, message, fingerprint and suppression."""

    rule_id: str
    level: Level
    message: str
    path: str
    span: Span
    pointer: Pointer = ()
    logical: str | None = None
    related: tuple = ()  # tuple[(path, Span, message), ...]
    fingerprint: str = ""
    suppressed: Suppression | None = None

    @property
    def sort_key(self):
        return (self.path, self.span.start_line, self.span.start_col, self.rule_id, self.message)

