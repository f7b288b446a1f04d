import type { ResourceValidationPolicy } from "@pulumi/policy";
import { at, describe } from "../lib/k8s.js";
import { violation } from "../lib/report.js";
import { containerLabel, containersOf, isWorkload, podSpecOf } from "../lib/workloads.js";

const REQUIRED = [
    ["requests", "cpu"],
    ["requests", "memory"],
    ["limits", "cpu"],
    ["limits", "memory"],
] as const;

/** Constraint 36: CPU and memory requests and limits on every container. */
const policy: ResourceValidationPolicy = {
    name: "workload-resource-limits",
    description:
        "Every container must declare CPU and memory requests and limits, rather than rely on namespace " +
        "LimitRanges. Source: kube-linter practice and pipeline-service 7daba27 (inventory constraint 36).",
    validateResource: (args, report) => {
        if (!isWorkload(args.type)) return;
        const what = describe(args.type, args.props, args.name);
        for (const c of containersOf(podSpecOf(args.type, args.props))) {
            const missing = REQUIRED.filter(([kind, res]) => {
                const v = at(c.container, "resources", kind, res);
                return v === undefined || v === null || v === "";
            }).map(([kind, res]) => `${kind}.${res}`);
            if (missing.length) {
                report(
                    violation(
                        `${containerLabel(c)} of ${what} does not declare resources ${missing.join(", ")}`,
                        "Set resources.requests and resources.limits for both cpu and memory (see the Resources constants in components/*.ts)",
                    ),
                );
            }
        }
    },
};

export default policy;
