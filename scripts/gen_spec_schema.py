#!/usr/bin/env python3
"""Writes every property's description, default and enum into Schemas/podform-spec.schema.json
from the Fields table of Specs/spec.md, the normative reference, so that the two cannot drift
(DocumentationTests.testSpecSchemaMatchesSpecTable fails when they do).

Usage: scripts/gen_spec_schema.py [--check]   (--check: exit 1 if the schema would change)
"""
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "Specs" / "spec.md"
SCHEMA = ROOT / "Schemas" / "podform-spec.schema.json"


def rows():
    """(key, type, default, meaning) for each row of the Fields table."""
    text = SPEC.read_text(encoding="utf-8")
    section = text.split("## Fields", 1)[1].split("\n## ", 1)[0]
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        # Cells are separated by " | "; an escaped pipe (\|) inside a cell is not a separator.
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        key, _required, kind, default, meaning = cells[:5]
        yield key.strip("`"), kind.replace("\\|", "|"), default.replace("\\|", "|"), meaning.replace("\\|", "|")


def plain(markdown):
    """The description editors show as plain text: Markdown code spans unwrapped."""
    return re.sub(r"`([^`]*)`", r"\1", markdown)


def node(schema, key):
    """The schema node of a dotted key (object branches of oneOf are followed)."""
    current = schema
    for part in key.split("."):
        current = object_branch(current)["properties"][part]
    return current


def object_branch(n):
    if "properties" in n:
        return n
    for branch in n.get("oneOf", []) + n.get("anyOf", []):
        if "properties" in branch:
            return branch
    raise KeyError(f"no object branch in {n}")


def enum_of(kind):
    """`a` | `b` | `c` in the type column, else None."""
    parts = [p.strip() for p in kind.split("|")]
    if len(parts) < 2 or not all(re.fullmatch(r"`[^`]+`", p) for p in parts):
        return None
    return [p.strip("`") for p in parts]


def default_of(default, n):
    """A default the schema can state: one literal, of the node's type. None otherwise."""
    m = re.fullmatch(r"`([^`]*)`|([0-9.]+)|(true|false)", default)
    if not m:
        return None
    literal = next(g for g in m.groups() if g is not None)
    types = {n.get("type")} | {b.get("type") for b in n.get("oneOf", [])}
    if literal in ("true", "false") and "boolean" in types:
        return literal == "true"
    if literal == "{}" and "object" in types:
        return {}
    if re.fullmatch(r"[0-9]+", literal) and types & {"integer", "number"}:
        return int(literal)
    if re.fullmatch(r"[0-9]+\.[0-9]+", literal) and "number" in types:
        return float(literal)
    if "enum" in n and literal in n["enum"]:
        return literal
    return None


def generate():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for key, kind, default, meaning in rows():
        n = node(schema, key)
        n["description"] = plain(meaning)
        n["markdownDescription"] = meaning
        enum = enum_of(kind)
        if enum is not None:
            n["enum"] = enum
        value = default_of(default, n)
        if value is not None:
            n["default"] = value
    return schema


def main():
    schema = generate()
    text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    if "--check" in sys.argv[1:]:
        if SCHEMA.read_text(encoding="utf-8") != text:
            print(f"{SCHEMA} is out of date with {SPEC}: run scripts/gen_spec_schema.py", file=sys.stderr)
            return 1
        return 0
    SCHEMA.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
