"""A focused validator for the request bodies of Discord's OpenAPI 3.1 specification.

It compiles each schema once into small closures (cached per ``$ref`` name) and reports what fails
the way Discord's API does: a list of ``(path, code, message)`` that :class:`FormErrors` turns into
the ``errors`` tree of a 50035 "Invalid Form Body" answer. A general JSON Schema validator would say
"is not valid under any of the given schemas" at a union; Discord picks the union member by the
value's ``type`` field and reports the member's own errors, and so does this one.

Only the keywords the specification uses on request bodies are implemented: ``$ref``, ``type``
(with ``null`` in type lists), ``properties``, ``required``, ``additionalProperties`` (as a schema),
``items``, ``minItems``/``maxItems``, ``uniqueItems``, ``minLength``/``maxLength``, ``pattern``,
``minimum``/``maximum``, ``enum``, ``const``, ``allOf``, ``oneOf`` and ``anyOf``. Formats are not
checked, except that a ``snowflake`` string may be sent as an integer, as Discord accepts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ("Check", "FormErrors", "SchemaCompiler")

Json = dict[str, Any]
Path = tuple[str, ...]


class FormErrors:
    """Errors found in one request body, each at the path of the field it concerns."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[tuple[Path, str, str]] = []

    def add(self, path: Path, code: str, message: str) -> None:
        """Record that the field at ``path`` is refused with Discord's ``code`` and ``message``."""
        self.items.append((path, code, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def tree(self) -> Json:
        """Discord's ``errors`` tree: field names and list indexes as keys, ``_errors`` at the leaves."""
        root: Json = {}
        for path, code, message in self.items:
            node = root
            for key in path:
                node = node.setdefault(key, {})
            entry = {"code": code, "message": message}
            # A value can break one rule twice (an enum and the union it also belongs to): say it once.
            if entry not in node.setdefault("_errors", []):
                node["_errors"].append(entry)
        return root


Check = Callable[[Any, Path, FormErrors], None]

_REQUIRED = ("BASE_TYPE_REQUIRED", "This field is required")


def _ok(value: Any, path: Path, errors: FormErrors) -> None:
    return None


def _length_error(size: int, low: int | None, high: int | None, *, bounded: bool) -> tuple[str, str] | None:
    if (low is None or size >= low) and (high is None or size <= high):
        return None
    # Discord names both bounds for lists ("Must be between 1 and 5 in length.") and only the
    # broken one for strings ("Must be 100 or fewer in length.").
    if bounded and low is not None and high is not None:
        return "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length."
    if high is not None and size > high:
        return "BASE_TYPE_MAX_LENGTH", f"Must be {high} or fewer in length."
    return "BASE_TYPE_MIN_LENGTH", f"Must be {low} or more in length."


def _choices(values: list[Any]) -> str:
    # Discord prints the allowed values as a Python tuple: "(1,)" or "(1, 2, 3)".
    return repr(tuple(values))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class SchemaCompiler:
    """Compiles the schemas of one specification into checks, each compiled once.

    Parameters
    ----------
    schemas: Mapping[str, Json]
        The specification's ``components/schemas``.
    """

    __slots__ = ("_by_ref", "_schemas")

    def __init__(self, schemas: Mapping[str, Json]) -> None:
        self._schemas = schemas
        self._by_ref: dict[str, Check] = {}

    def compile(self, schema: Json) -> Check:
        """The check of ``schema``."""
        ref = schema.get("$ref")
        if ref is not None and len(schema.keys() - {"$ref", "description", "title"}) == 0:
            return self._ref(ref)
        return self._compile(schema)

    # ------------------------------------------------------------------ references

    def _ref(self, ref: str) -> Check:
        name = ref.rsplit("/", 1)[1]
        found = self._by_ref.get(name)
        if found is not None:
            return found
        # A placeholder first: schemas refer to themselves (containers hold rows hold buttons...).
        slot: list[Check] = []

        def later(value: Any, path: Path, errors: FormErrors) -> None:
            slot[0](value, path, errors)

        self._by_ref[name] = later
        compiled = self._compile(self._schemas[name])
        slot.append(compiled)
        self._by_ref[name] = compiled
        return compiled

    def _resolve(self, schema: Json) -> Json:
        while "$ref" in schema:
            schema = self._schemas[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    # ------------------------------------------------------------------ one schema

    def _compile(self, schema: Json) -> Check:
        checks: list[Check] = []
        if "$ref" in schema:
            checks.append(self._ref(schema["$ref"]))
        for sub in schema.get("allOf", ()):
            checks.append(self.compile(sub))
        union = schema.get("oneOf") or schema.get("anyOf")
        types = schema.get("type")
        type_set = {types} if isinstance(types, str) else set(types or ())
        if union is not None:
            checks.append(self._union(union, nullable="null" in type_set or not type_set))
        checks.extend(self._value_checks(schema))
        type_check = self._type(type_set, schema.get("format"))
        if type_check is None and not checks:
            return _ok
        nullable = "null" in type_set

        def check(value: Any, path: Path, errors: FormErrors) -> None:
            if value is None and (nullable or type_check is None):
                # Unions with a null member and schemas without a type decide on None themselves.
                if type_check is None:
                    for each in checks:
                        each(value, path, errors)
                return
            if type_check is not None and not type_check(value, path, errors):
                return
            for each in checks:
                each(value, path, errors)

        return check

    def _type(self, types: set[str], fmt: str | None) -> Callable[[Any, Path, FormErrors], bool] | None:
        wanted = types - {"null"}
        if not wanted:
            return None
        tests: list[Callable[[Any], bool]] = []
        for name in wanted:
            if name == "string":
                tests.append(
                    (lambda v: isinstance(v, str) or (_is_int(v) and v >= 0))
                    if fmt == "snowflake"
                    else (lambda v: isinstance(v, str))
                )
            elif name == "integer":
                tests.append(_is_int)
            elif name == "number":
                tests.append(lambda v: _is_int(v) or isinstance(v, float))
            elif name == "boolean":
                tests.append(lambda v: isinstance(v, bool))
            elif name == "array":
                tests.append(lambda v: isinstance(v, list))
            elif name == "object":
                tests.append(lambda v: isinstance(v, dict))
        first = sorted(wanted)[0]
        code, message = {
            "object": ("MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType"),
            "array": ("LIST_TYPE_CONVERT", "Only iterables may be used in a ListType"),
            "integer": ("NUMBER_TYPE_COERCE", "Value {value} is not int."),
            "number": ("NUMBER_TYPE_COERCE", "Value {value} is not float."),
            "boolean": ("BOOLEAN_TYPE_CONVERT", "Value {value} is not bool."),
            "string": ("STRING_TYPE_CONVERT", "Could not interpret {value} as string."),
        }.get(first, ("BASE_TYPE_INVALID", "Invalid value"))
        if fmt == "snowflake":
            code, message = "NUMBER_TYPE_COERCE", "Value {value} is not snowflake."

        def check(value: Any, path: Path, errors: FormErrors) -> bool:
            if value is None:
                errors.add(path, *_REQUIRED)
                return False
            for test in tests:
                if test(value):
                    return True
            errors.add(path, code, message.format(value=f'"{value}"'))
            return False

        return check

    def _value_checks(self, schema: Json) -> list[Check]:
        checks: list[Check] = []
        if "enum" in schema or "const" in schema:
            allowed = list(schema["enum"]) if "enum" in schema else [schema["const"]]
            checks.append(self._choice(allowed))
        low, high = schema.get("minLength"), schema.get("maxLength")
        if low is not None or high is not None:
            checks.append(self._length(str, low, high))
        low, high = schema.get("minItems"), schema.get("maxItems")
        if low is not None or high is not None:
            checks.append(self._length(list, low, high))
        if "minimum" in schema or "maximum" in schema:
            checks.append(self._range(schema.get("minimum"), schema.get("maximum")))
        if "pattern" in schema:
            checks.append(self._pattern(re.compile(schema["pattern"])))
        if "properties" in schema or "required" in schema:
            checks.append(self._object(schema.get("properties", {}), schema.get("required", ())))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            checks.append(self._values(self.compile(extra), set(schema.get("properties", ()))))
        if "items" in schema:
            checks.append(self._items(self.compile(schema["items"])))
        if schema.get("uniqueItems"):
            checks.append(_unique)
        return checks

    @staticmethod
    def _choice(allowed: list[Any]) -> Check:
        message = f"Value must be one of {_choices(allowed)}."
        members = set(allowed)

        def check(value: Any, path: Path, errors: FormErrors) -> None:
            if isinstance(value, (dict, list)) or value not in members:
                errors.add(path, "BASE_TYPE_CHOICES", message)

        return check

    @staticmethod
    def _length(kind: type[str] | type[list[Any]], low: int | None, high: int | None) -> Check:
        def check(value: Any, path: Path, errors: FormErrors) -> None:
            if isinstance(value, kind):
                problem = _length_error(len(value), low, high, bounded=kind is list)
                if problem is not None:
                    errors.add(path, *problem)

        return check

    @staticmethod
    def _range(low: float | None, high: float | None) -> Check:
        def check(value: Any, path: Path, errors: FormErrors) -> None:
            if not (_is_int(value) or isinstance(value, float)):
                return
            if low is not None and value < low:
                errors.add(path, "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {low}.")
            elif high is not None and value > high:
                errors.add(path, "NUMBER_TYPE_MAX", f"int value should be less than or equal to {high}.")

        return check

    @staticmethod
    def _pattern(pattern: re.Pattern[str]) -> Check:
        def check(value: Any, path: Path, errors: FormErrors) -> None:
            if isinstance(value, str) and pattern.search(value) is None:
                errors.add(path, "NUMBER_TYPE_COERCE", f'Value "{value}" is not snowflake.')

        return check

    def _object(self, properties: Mapping[str, Json], required: tuple[str, ...] | list[str]) -> Check:
        fields = [(name, self.compile(sub)) for name, sub in properties.items()]
        needed = tuple(required)

        def check(value: Any, path: Path, errors: FormErrors) -> None:
            if not isinstance(value, dict):
                return
            for name in needed:
                if name not in value:
                    errors.add((*path, name), *_REQUIRED)
            for name, sub in fields:
                if name in value:
                    sub(value[name], (*path, name), errors)

        return check

    @staticmethod
    def _values(sub: Check, known: set[str]) -> Check:
        def check(value: Any, path: Path, errors: FormErrors) -> None:
            if isinstance(value, dict):
                for name, item in value.items():
                    if name not in known:
                        sub(item, (*path, name), errors)

        return check

    @staticmethod
    def _items(sub: Check) -> Check:
        def check(value: Any, path: Path, errors: FormErrors) -> None:
            if isinstance(value, list):
                for index, item in enumerate(value):
                    sub(item, (*path, str(index)), errors)

        return check

    # ------------------------------------------------------------------ unions

    def _union(self, branches: list[Json], *, nullable: bool) -> Check:
        members = [self._resolve(branch) for branch in branches]
        if any(member.get("type") == "null" for member in members):
            nullable = True
        kept = [
            (branch, member)
            for branch, member in zip(branches, members, strict=True)
            if member.get("type") != "null"
        ]
        if kept and all("const" in member for _, member in kept):
            # An enumeration written as a union of titled constants (button styles, component types).
            choice = self._choice([member["const"] for _, member in kept])
            return (lambda v, p, e: None if v is None else choice(v, p, e)) if nullable else choice
        compiled = [(self._discriminator(member), self.compile(branch)) for branch, member in kept]
        if len(compiled) == 1:
            only = compiled[0][1]
            return (lambda v, p, e: None if v is None else only(v, p, e)) if nullable else only
        tagged = all(tags is not None for tags, _ in compiled)
        allowed = sorted({tag for tags, _ in compiled for tag in (tags or ())})
        wrong_type = f'Value of field "type" must be one of {_choices(allowed)}.'

        def check(value: Any, path: Path, errors: FormErrors) -> None:
            if value is None:
                if not nullable:
                    errors.add(path, *_REQUIRED)
                return
            if tagged and isinstance(value, dict):
                tag = value.get("type")
                matching = [sub for tags, sub in compiled if tags is not None and tag in tags]
                if not matching:
                    errors.add(path, "UNION_TYPE_CHOICES", wrong_type)
                    return
            else:
                matching = [sub for _, sub in compiled]
            if len(matching) == 1:
                matching[0](value, path, errors)
                return
            closest: FormErrors | None = None
            for sub in matching:
                trial = FormErrors()
                sub(value, path, trial)
                if not trial:
                    return
                if closest is None or len(trial.items) < len(closest.items):
                    closest = trial
            if closest is not None:
                errors.items.extend(closest.items)

        return check

    def _discriminator(self, member: Json) -> frozenset[Any] | None:
        """The values of ``type`` that select this union member, if its ``type`` property is fixed."""
        field = member.get("properties", {}).get("type")
        if not isinstance(field, dict):
            return None
        field = self._resolve(field)
        if "enum" in field:
            return frozenset(field["enum"])
        if "const" in field:
            return frozenset((field["const"],))
        return None


def _unique(value: Any, path: Path, errors: FormErrors) -> None:
    if not isinstance(value, list):
        return
    seen: set[Any] = set()
    for index, item in enumerate(value):
        if isinstance(item, (dict, list)):
            continue
        if item in seen:
            errors.add(
                (*path, str(index)), "SET_TYPE_ALREADY_CONTAINS_VALUE", "The set already contains this value"
            )
        seen.add(item)
