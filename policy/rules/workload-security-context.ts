import type { ResourceValidationPolicy } from "@pulumi/policy";
import { arr, at, describe, rec } from "../lib/k8s.js";
import { violation } from "../lib/report.js";
import { containerLabel, containersOf, isWorkload, podSpecOf } from "../lib/workloads.js";

/** Constraints 34 and 44: every container runs restricted. */
const policy: ResourceValidationPolicy = {
    name: "workload-security-context",
    description:
        "Every container of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod must run " +
        "as non-root with a read-only root filesystem, allowPrivilegeEscalation false, all capabilities dropped and " +
        "the RuntimeDefault seccomp profile (container or pod level). Source: pipeline-service b707aab (PLNSRVCE-1476) " +
        "and kcp-registrar syncer-patch.yaml (inventory constraints 34 and 44).",
    validateResource: (args, report) => {
        if (!isWorkload(args.type)) return;
        const pod = podSpecOf(args.type, args.props);
        const podSc = rec(pod?.securityContext);
        const what = describe(args.type, args.props, args.name);
        for (const c of containersOf(pod)) {
            const sc = rec(c.container.securityContext);
            const missing: string[] = [];
            const nonRoot = sc?.runAsNonRoot ?? podSc?.runAsNonRoot;
            if (nonRoot !== true) missing.push("runAsNonRoot: true");
            if (sc?.readOnlyRootFilesystem !== true) missing.push("readOnlyRootFilesystem: true");
            if (sc?.allowPrivilegeEscalation !== false) missing.push("allowPrivilegeEscalation: false");
            if (sc?.privileged === true) missing.push("privileged: false");
            if (!arr(at(sc, "capabilities", "drop")).includes("ALL")) missing.push("capabilities.drop: [ALL]");
            const seccomp = at(sc, "seccompProfile", "type") ?? at(podSc, "seccompProfile", "type");
            if (seccomp !== "RuntimeDefault") missing.push("seccompProfile.type: RuntimeDefault");
            if (missing.length) {
                report(
                    violation(
                        `${containerLabel(c)} of ${what} runs without ${missing.join(", ")}`,
                        "Set the container's securityContext to RESTRICTED_SECURITY_CONTEXT from lib/k8s.ts, and mount an emptyDir where it must write (e.g. /tmp)",
                    ),
                );
            }
        }
    },
};

export default policy;
