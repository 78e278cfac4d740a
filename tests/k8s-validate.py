#!/usr/bin/python3
"""Validate YAML streams of `sbx export --format k8s` (the FILEs, or stdin) against
the fixed schemas in tests/fixtures/k8s: every document must be a Pod (the
Kubernetes v1 schema generated from python3-kubernetes) or a Security
Profiles Operator SeccompProfile (written by hand from the operator's API
types), and there must be one of each.  With --selftest, also show that the
schemas refuse a broken copy of each (an unknown field, a wrong type), so
the check cannot pass vacuously.  Usage: k8s-validate.py FIXTURES_DIR
[--selftest] [FILE...]"""
import copy
import json
import sys

import jsonschema
import yaml

fixtures = sys.argv[1]
schemas = {
    "Pod": json.load(open(fixtures + "/pod-v1.schema.json")),
    "SeccompProfile": json.load(open(fixtures + "/seccompprofile-v1beta1.schema.json")),
}
def check(stream, name):
    docs = [d for d in yaml.safe_load_all(stream) if d is not None]
    kinds = sorted(d.get("kind") for d in docs)
    if kinds != ["Pod", "SeccompProfile"]:
        sys.exit("%s: expected one Pod and one SeccompProfile, got %s" % (name, kinds))
    for d in docs:
        try:
            jsonschema.validate(d, schemas[d["kind"]])
        except jsonschema.ValidationError as e:
            sys.exit("%s: %s: %s at %s" % (name, d["kind"], e.message, "/".join(map(str, e.path))))
    pod = next(d for d in docs if d["kind"] == "Pod")
    sp = next(d for d in docs if d["kind"] == "SeccompProfile")
    # The Pod names the profile the operator installs for this object.
    want = "operator/%s/%s.json" % (sp["metadata"]["namespace"], sp["metadata"]["name"])
    got = pod["spec"]["securityContext"]["seccompProfile"].get("localhostProfile")
    if got != want:
        sys.exit("%s: the Pod's localhostProfile %r is not the SeccompProfile's %r" % (name, got, want))
    return pod, sp


files = [a for a in sys.argv[2:] if a != "--selftest"]
checked = [check(open(f), f) for f in files] if files else [check(sys.stdin, "stdin")]
if "--selftest" in sys.argv:
    pod, sp = checked[0]
    broken = [
        ("Pod", lambda p: p["spec"]["containers"][0]["securityContext"].update(bogus=True)),
        ("Pod", lambda p: p["spec"]["securityContext"].update(runAsUser="nobody")),
        ("SeccompProfile", lambda s: s["spec"]["syscalls"][0].update(errnoRet=1)),
        ("SeccompProfile", lambda s: s["spec"].update(defaultErrnoRet=38)),
    ]
    for kind, breakit in broken:
        d = copy.deepcopy(pod if kind == "Pod" else sp)
        breakit(d)
        try:
            jsonschema.validate(d, schemas[kind])
        except jsonschema.ValidationError:
            continue
        sys.exit("the %s schema accepted a broken document" % kind)
print("ok: %d exports" % len(checked))
