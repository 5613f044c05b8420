#!/usr/bin/env python3
"""Validates flipside's OpenAPI document with openapi-spec-validator (PyPI).

Usage: validate.py SOURCE, where SOURCE is the `flipside` binary (its `openapi` command prints
the document), a running server's URL (http://host:port, the document is fetched from
/api/v1/openapi.json) or a JSON file. Prints `1 passed, 0 failed` when the document is valid.
"""
import json
import os
import subprocess
import sys
import urllib.request

from openapi_spec_validator import OpenAPIV31SpecValidator


def load(source):
    if source.startswith("http://") or source.startswith("https://"):
        with urllib.request.urlopen(source.rstrip("/") + "/api/v1/openapi.json") as r:
            return json.load(r)
    if os.access(source, os.X_OK) and not source.endswith(".json"):
        out = subprocess.run([source, "openapi"], check=True, capture_output=True, text=True)
        return json.loads(out.stdout)
    with open(source) as f:
        return json.load(f)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    doc = load(sys.argv[1])
    errors = [str(e).splitlines()[0] for e in OpenAPIV31SpecValidator(doc).iter_errors()]
    # The validator checks the schema of the document; these are the contract's own rules.
    ids = []
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            op_id = op.get("operationId")
            if not op_id:
                errors.append(f"{method.upper()} {path} has no operationId")
            ids.append(op_id)
    duplicates = sorted({i for i in ids if i and ids.count(i) > 1})
    if duplicates:
        errors.append(f"operationIds used more than once: {', '.join(duplicates)}")
    for e in errors:
        print(f"invalid: {e}")
    print(f"OpenAPI {doc.get('openapi')}: {len(ids)} operations")
    print(f"{0 if errors else 1} passed, {1 if errors else 0} failed")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
