import type { ResourceValidationPolicy } from "@pulumi/policy";
import { arr, describe, isKind, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

const HOST = [
    "allowHostDirVolumePlugin",
    "allowHostIPC",
    "allowHostNetwork",
    "allowHostPID",
    "allowHostPorts",
    "allowPrivilegedContainer",
    "allowPrivilegeEscalation",
];
const CAPABILITIES = ["SETFCAP"];
const VOLUMES = ["configMap", "downwardAPI", "emptyDir", "persistentVolumeClaim", "projected", "secret"];

/** Constraint 37: `appstudio-pipelines-scc` (and any SCC the stack declares) stays non-privileged. */
const policy: ResourceValidationPolicy = {
    name: "scc-non-privileged",
    description:
        "Every SecurityContextConstraints the stack declares must stay non-privileged: no host access and no privileged " +
        "or escalating containers, only the SETFCAP capability allowed, MKNOD dropped, volumes limited to configMap, downwardAPI, " +
        "emptyDir, persistentVolumeClaim, projected and secret, and no users listed (tenants get it through RBAC use " +
        "bindings). Source: pipeline-service appstudio-pipelines-scc.yaml, ADR-0025 (inventory constraint 37).",
    validateResource: (args, report) => {
        if (!isKind(args.type, "security.openshift.io", "SecurityContextConstraints")) return;
        const p = args.props;
        const what = describe(args.type, p, args.name);
        const on = HOST.filter((k) => p[k] !== false);
        if (on.length) {
            report(
                violation(
                    `${what} leaves ${on.join(", ")} not false, so pods admitted under it can reach the node or gain privileges`,
                    `Set ${on.join(", ")} to false`,
                ),
            );
        }
        const caps = arr(p.allowedCapabilities)
            .map(str)
            .filter((c) => c !== undefined && !CAPABILITIES.includes(c));
        if (caps.length)
            report(
                violation(
                    `${what} allows the capabilities ${caps.join(", ")} beyond SETFCAP`,
                    `Remove ${caps.join(", ")} from allowedCapabilities`,
                ),
            );
        const defaults = arr(p.defaultAddCapabilities);
        if (defaults.length)
            report(
                violation(`${what} adds capabilities to every container by default`, "Remove defaultAddCapabilities"),
            );
        if (!arr(p.requiredDropCapabilities).includes("MKNOD")) {
            report(
                violation(
                    `${what} does not drop MKNOD, so containers can create device nodes`,
                    "Add MKNOD to requiredDropCapabilities",
                ),
            );
        }
        const vols = arr(p.volumes)
            .map(str)
            .filter((v) => v !== undefined && !VOLUMES.includes(v));
        if (vols.length) {
            report(
                violation(
                    `${what} allows the volume types ${vols.join(", ")} (hostPath or '*' reach the node)`,
                    `Remove ${vols.join(", ")} from volumes`,
                ),
            );
        }
        const users = arr(p.users);
        if (users.length) {
            report(
                violation(
                    `${what} names users directly (${users.map((u) => String(u)).join(", ")}), outside RBAC and the tenant's bindings`,
                    "Set users to [] and grant the SCC with a RoleBinding to its use ClusterRole",
                ),
            );
        }
    },
};

export default policy;
