import type { ResourceValidationPolicy } from "@pulumi/policy";
import { at, describe, is, isTrue, KIND, show } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

const FLAGS = [
    "enable-bundles-resolver",
    "enable-cluster-resolver",
    "enable-git-resolver",
    "enable-hub-resolver",
    "enable-tekton-oci-bundles",
];

/** Constraint 16: remote resolvers and OCI bundles are on. */
const policy: ResourceValidationPolicy = {
    name: "tekton-resolvers-enabled",
    description:
        "The TektonConfig must enable the bundles, cluster, git and hub resolvers and Tekton OCI bundles, " +
        "which Konflux pipelines reference. Source: pipeline-service 396027c (inventory constraint 16).",
    validateResource: (args, report) => {
        if (!is(args.type, KIND.TektonConfig)) return;
        const what = describe(args.type, args.props, args.name);
        const off = FLAGS.filter((f) => !isTrue(at(args.props, "spec", "pipeline", f)));
        if (off.length) {
            report(
                violation(
                    `${what} does not enable ${off.map((f) => `${f} (${show(at(args.props, "spec", "pipeline", f))})`).join(", ")}`,
                    `Set ${off.map((f) => `spec.pipeline.${f}`).join(", ")} to true`,
                ),
            );
        }
    },
};

export default policy;
