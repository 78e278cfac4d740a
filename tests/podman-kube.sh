#!/bin/sh
# podman-kube.sh SBX PROFILE WORKDIR PROBE ARGS...
# Run the probe (bound read-only, as the tests do under `sbx run`) with
# ARGS as `sbx export --format k8s` describes it, from WORKDIR, under
# `podman play kube` (as root): the image is the bundle's rootfs/ of the
# same export (`podman import`), the seccomp profile is the SeccompProfile's
# spec written where its Localhost path points (what the Security Profiles
# Operator does on a node).  Prints the container's output; exit status:
# the container's, or 125 when podman failed.
#
# crun 1.8 refuses this machine's hybrid cgroup hierarchy while the v2 part
# is mounted: the caller runs this in a private mount namespace without it
# (see test_export_crun.c).  Podman's default nofile/nproc rlimits exceed
# this machine's hard limits: CONTAINERS_CONF sets smaller ones.
set -eu
sbx=$1 profile=$2 wd=$3 probe=$4
shift 4
tag="sbx-test-$$"
work=$(mktemp -d)
cleanup() {
        podman pod rm -f "$tag" >/dev/null 2>&1 || true
        podman rmi -f "localhost/$tag:1" >/dev/null 2>&1 || true
        rm -rf "$work"
}
trap cleanup EXIT
cat >"$work/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
CONF
export CONTAINERS_CONF="$work/containers.conf"
cd "$wd"
"$sbx" export -q --format oci-bundle "$work/bundle" --profile "$profile" --ro-bind "$probe" -- "$probe" "$@"
"$sbx" export -q --format k8s --image "localhost/$tag:1" --profile "$profile" --ro-bind "$probe" -- \
        "$probe" "$@" >"$work/export.yaml"
tar -C "$work/bundle/rootfs" -cf "$work/rootfs.tar" .
podman import -q "$work/rootfs.tar" "localhost/$tag:1" >/dev/null
/usr/bin/python3 - "$work" "$tag" <<'PY'
import json, os, sys, yaml
work, tag = sys.argv[1], sys.argv[2]
docs = [d for d in yaml.safe_load_all(open(work + "/export.yaml")) if d]
pod = next(d for d in docs if d["kind"] == "Pod")
sp = next(d for d in docs if d["kind"] == "SeccompProfile")
# The operator's node agent writes the spec as an OCI seccomp profile
# (errnoRet as a number) at the path the Pod names.
spec = dict(sp["spec"])
for s in spec.get("syscalls", []):
    if "errnoRet" in s:
        s["errnoRet"] = int(s["errnoRet"])
# Podman 4.3's `play kube` takes the profile only from the (pre-1.19)
# annotation, and only as a file directly under --seccomp-profile-root: the
# field's operator/NAMESPACE/NAME.json becomes that file.
local = pod["spec"]["securityContext"]["seccompProfile"]["localhostProfile"]
assert local == "operator/%s/%s.json" % (sp["metadata"]["namespace"], sp["metadata"]["name"]), local
os.makedirs(work + "/seccomp")
json.dump(spec, open(work + "/seccomp/" + os.path.basename(local), "w"))
pod["metadata"].setdefault("annotations", {})["seccomp.security.alpha.kubernetes.io/pod"] = \
    "localhost/" + os.path.basename(local)
pod["metadata"]["name"] = tag
yaml.safe_dump(pod, open(work + "/pod.yaml", "w"))
PY
podman play kube --network none --seccomp-profile-root "$work/seccomp" "$work/pod.yaml" >/dev/null || exit 125
ctr=$(podman pod inspect "$tag" --format '{{range .Containers}}{{.Name}} {{end}}' | tr ' ' '\n' | grep -v infra | head -1)
podman wait "$ctr" >"$work/status" || exit 125
podman logs "$ctr"
exit "$(cat "$work/status")"
