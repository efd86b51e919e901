#!/usr/bin/python3
"""check_schemas.py SCHEMA_DIR DIR...: validates every DIR/*.json against its schema.

A document's schema is named by its file name up to the first dot: request.minimal.json is
checked against request.schema.json. The schemas themselves are checked first (draft 2020-12),
and a few broken documents must be rejected, so a schema that accepts everything fails too.
Run by CTest on config/schemas/examples and on wire_examples' output (the C++ encoders).
"""
import copy
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "common"))
from missing_tool import missing_tool  # noqa: E402

try:
    import jsonschema
except ImportError as e:
    missing_tool("python module 'jsonschema' (apt-get install python3-jsonschema) not importable: %s" % e)

DRAFT = jsonschema.Draft202012Validator


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: check_schemas.py SCHEMA_DIR DIR...")
    schema_dir = pathlib.Path(sys.argv[1])
    validators = {}
    for path in sorted(schema_dir.glob("*.schema.json")):
        schema = load(path)
        DRAFT.check_schema(schema)
        validators[path.name[: -len(".schema.json")]] = DRAFT(schema)

    failures = 0
    checked = {}
    for directory in sys.argv[2:]:
        for path in sorted(pathlib.Path(directory).glob("*.json")):
            kind = path.name.split(".")[0]
            if kind not in validators:
                print(f"{path}: no schema named {kind}.schema.json")
                failures += 1
                continue
            document = load(path)
            errors = sorted(validators[kind].iter_errors(document), key=lambda e: list(e.path))
            for e in errors:
                print(f"{path}: {'/'.join(map(str, e.path)) or '(root)'}: {e.message}")
            failures += bool(errors)
            checked.setdefault(kind, document)
            print(f"{path}: {'ok' if not errors else 'INVALID'}")

    # Every schema must reject an unknown key and a missing required one (strict like the decoders).
    for kind, validator in validators.items():
        if kind not in checked:
            print(f"{kind}.schema.json: no document was checked against it")
            failures += 1
            continue
        typo = dict(checked[kind], unknown_key=1)
        missing = copy.deepcopy(checked[kind])
        missing.pop(validator.schema["required"][0])
        for name, bad in (("an unknown key", typo), ("a missing required key", missing)):
            if validator.is_valid(bad):
                print(f"{kind}.schema.json: accepts a document with {name}")
                failures += 1

    print(f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
