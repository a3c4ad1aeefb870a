#!/usr/bin/env python3
"""Checks docs/api.yaml against the code that serves it.

  check_openapi.py SOURCE_DIR [--samples DIR]

1. The file is valid YAML and an OpenAPI 3.0 document whose $refs all resolve.
2. Every route reporting registers is documented with its method, and every documented
   path is registered: the routes of services/reporting/api.cpp (http.route / http.sse),
   the service host's (/healthz, /readyz, /metrics: services/runtime/service_host.cpp)
   and the dashboard files of the embed manifest (services/reporting/CMakeLists.txt).
3. The stream's event names sent by api.cpp are the ones documented (x-sse-events).
4. Every schema example validates against its schema.
5. With --samples: every DIR/<operationId>.json (bodies saved from a running stack by the
   browser test) validates against the operation's 200 schema, and DIR/error.json against
   Error. Objects must not carry undocumented fields, so the document stays complete.
Prints what it checked; exits 1 on the first kind of problem found, listing all of them.
"""
import json
import os
import re
import sys

import yaml


def fail(problems):
    for p in problems:
        print("FAIL:", p)
    sys.exit(1)


def resolve(doc, ref):
    if not ref.startswith("#/"):
        raise KeyError(ref)
    node = doc
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def all_refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from all_refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from all_refs(v)


def validate(doc, schema, value, where, problems):
    """A small OpenAPI 3.0 schema check: type, nullable, enum, required, properties
    (undocumented properties are errors unless additionalProperties allows them), items."""
    if "$ref" in schema:
        schema = resolve(doc, schema["$ref"])
    if value is None:
        if not schema.get("nullable", False):
            problems.append(f"{where}: null but not nullable")
        return
    t = schema.get("type")
    ok = {
        "object": isinstance(value, dict),
        "array": isinstance(value, list),
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        None: True,
    }[t]
    if not ok:
        problems.append(f"{where}: expected {t}, got {json.dumps(value)[:60]}")
        return
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in {schema['enum']}")
    if t == "object":
        props = schema.get("properties", {})
        for r in schema.get("required", []):
            if r not in value:
                problems.append(f"{where}: missing required field {r}")
        extra = schema.get("additionalProperties")
        for k, v in value.items():
            if k in props:
                validate(doc, props[k], v, f"{where}.{k}", problems)
            elif isinstance(extra, dict):
                validate(doc, extra, v, f"{where}.{k}", problems)
            elif extra is not True:
                problems.append(f"{where}: field {k!r} is not documented")
    if t == "array":
        for i, v in enumerate(value):
            validate(doc, schema.get("items", {}), v, f"{where}[{i}]", problems)


def registered_routes(src):
    def read(rel):
        with open(os.path.join(src, rel), encoding="utf-8") as f:
            return f.read()

    api = read("services/reporting/api.cpp")
    routes = {(m, p) for m, p in re.findall(r'http\.route\("(\w+)",\s*"([^"]+)"', api)}
    routes |= {("GET", p) for p in re.findall(r'http\.sse\("([^"]+)"\)', api)}
    host = read("services/runtime/service_host.cpp")
    routes |= {(m, p) for m, p in re.findall(r'route\("(\w+)",\s*"([^"]+)"', host)}
    cmake = read("services/reporting/CMakeLists.txt")
    dashboard = re.findall(r'\\t(/[^\\]*)\\t', cmake)
    routes |= {("GET", p) for p in dashboard}
    if not dashboard or "register_api" not in api:
        fail(["could not find the dashboard manifest or register_api: update this script"])
    events = set(re.findall(r'events\.push_back\(\{"(\w+)"', api))
    events |= set(re.findall(r'changed\("(\w+)"', api))
    return routes, events


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    src = sys.argv[1]
    samples = sys.argv[sys.argv.index("--samples") + 1] if "--samples" in sys.argv else None
    with open(os.path.join(src, "docs/api.yaml"), encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    problems = []
    if not str(doc.get("openapi", "")).startswith("3.0"):
        problems.append("openapi: expected a 3.0.x document")
    for key in ("info", "paths", "components"):
        if key not in doc:
            problems.append(f"missing top-level {key}")
    for ref in all_refs(doc):
        try:
            resolve(doc, ref)
        except (KeyError, TypeError):
            problems.append(f"unresolved $ref {ref}")
    if problems:
        fail(problems)
    print(f"ok - docs/api.yaml is OpenAPI {doc['openapi']} with {len(doc['paths'])} paths, every $ref resolves")

    routes, events = registered_routes(src)
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops
                  if m in ("get", "post", "put", "delete", "patch")}
    for m, p in sorted(routes - documented):
        problems.append(f"{m} {p} is served but not documented in docs/api.yaml")
    for m, p in sorted(documented - routes):
        problems.append(f"{m} {p} is documented but not registered by reporting")
    for p, ops in doc["paths"].items():
        for m, op in ops.items():
            if "responses" not in op or "operationId" not in op:
                problems.append(f"{m.upper()} {p}: needs operationId and responses")
    if problems:
        fail(problems)
    print(f"ok - all {len(routes)} routes of reporting are documented, and only they: "
          + ", ".join(p for _, p in sorted(routes)))

    documented_events = set(doc["paths"]["/api/v1/stream"]["get"].get("x-sse-events", {}))
    if events != documented_events:
        fail([f"stream events sent {sorted(events)} != documented {sorted(documented_events)}"])
    print(f"ok - stream events documented: {', '.join(sorted(events))}")

    checked = 0
    for p, ops in doc["paths"].items():
        for m, op in ops.items():
            for code, resp in op.get("responses", {}).items():
                if "$ref" in resp:
                    resp = resolve(doc, resp["$ref"])
                for ctype, media in resp.get("content", {}).items():
                    if "example" in media and ctype == "application/json":
                        validate(doc, media["schema"], media["example"], f"{m} {p} {code} example", problems)
                        checked += 1
    if problems:
        fail(problems)
    print(f"ok - {checked} JSON examples match their schemas")

    if samples and not os.path.isdir(samples):
        if os.environ.get("PQRFLOW_SKIP_BROWSER") == "1" and os.environ.get("CI") != "true":
            print(f"skipped - no samples in {samples} (PQRFLOW_SKIP_BROWSER=1)")
            sys.exit(77)
        fail([f"no samples directory {samples}: the browser test saves it"])
    if samples:
        ops = {op["operationId"]: op for ops in doc["paths"].values() for op in ops.values()}
        names = sorted(n for n in os.listdir(samples) if n.endswith(".json"))
        if not names:
            fail([f"no samples in {samples}"])
        for name in names:
            with open(os.path.join(samples, name), encoding="utf-8") as f:
                body = json.load(f)
            op_id = name[:-5]
            if op_id == "error":
                schema = {"$ref": "#/components/schemas/Error"}
            elif op_id.startswith("event-"):
                schema = doc["paths"]["/api/v1/stream"]["get"]["x-sse-events"][op_id[6:]]
            elif op_id in ops:
                schema = ops[op_id]["responses"]["200"]["content"]["application/json"]["schema"]
            else:
                problems.append(f"sample {name}: no operation {op_id}")
                continue
            validate(doc, schema, body, name, problems)
        if problems:
            fail(problems)
        print(f"ok - {len(names)} responses of a running stack match their schemas: {', '.join(names)}")


if __name__ == "__main__":
    main()
