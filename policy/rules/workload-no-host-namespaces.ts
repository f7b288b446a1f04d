import type { ResourceValidationPolicy } from "@pulumi/policy";
import { arr, describe, rec, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";
import { isWorkload, podSpecOf } from "../lib/workloads.js";

/** Constraint 35: pods must be admissible under a restricted SCC. */
const policy: ResourceValidationPolicy = {
    name: "workload-no-host-namespaces",
    description:
        "No Pipeline Service pod may use hostNetwork, hostPID, hostIPC or hostPath volumes, so every pod is " +
        "admitted under a restricted SCC. Source: pipeline-service operator/test/test.sh test_security (inventory " +
        "constraint 35).",
    validateResource: (args, report) => {
        if (!isWorkload(args.type)) return;
        const pod = podSpecOf(args.type, args.props);
        if (!pod) return;
        const what = describe(args.type, args.props, args.name);
        const host = ["hostNetwork", "hostPID", "hostIPC"].filter((k) => pod[k] === true);
        if (host.length) {
            report(
                violation(
                    `${what} shares the node's ${host.join(", ")}, which the restricted SCC rejects`,
                    `Remove ${host.map((h) => `spec.${h}`).join(", ")} from the pod template`,
                ),
            );
        }
        const hostPaths = arr(pod.volumes)
            .map(rec)
            .filter((v) => v?.hostPath !== undefined)
            .map((v) => str(v?.name) ?? "(unnamed)");
        if (hostPaths.length) {
            report(
                violation(
                    `${what} mounts hostPath volume(s) ${hostPaths.map((v) => `'${v}'`).join(", ")}, which the restricted SCC rejects`,
                    "Use an emptyDir, ConfigMap, Secret or projected volume instead",
                ),
            );
        }
    },
};

export default policy;
