import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe } from "../lib/k8s.js";
import { violation } from "../lib/report.js";
import { known } from "../lib/unknown.js";

/**
 * The component resources of the kubernetes provider (its multi-language components, remote in the Node SDK,
 * @pulumi/kubernetes 4.25.0): they hold no object of their own and carry no provider reference in state; the objects
 * they make are their children, each checked here. The program uses an empty ConfigGroup as a rollout ring's gate
 * (index.ts `ringGate`).
 */
const COMPONENT_TYPES = new Set([
    "kubernetes:yaml/v2:ConfigGroup",
    "kubernetes:yaml/v2:ConfigFile",
    "kubernetes:helm.sh/v4:Chart",
    "kubernetes:kustomize/v2:Directory",
]);

/** Multi-cluster stacks: the ambient kubeconfig must never decide which cluster a resource lands on. */
const policy: ResourceValidationPolicy = {
    name: "kubernetes-explicit-provider",
    description:
        "Every Kubernetes resource must name its cluster's provider explicitly; the default provider would " +
        "apply it to whatever cluster the ambient kubeconfig points at. Source: one Argo CD and one API per compute " +
        "cluster, pipeline-service operator/docs/operations.md @kcp (inventory constraint 17), and " +
        "pulumi-practices.md sections 2.4 and 4.6.",
    validateResource: (args, report) => {
        if (!args.type.startsWith("kubernetes:") || COMPONENT_TYPES.has(args.type)) return;
        const urn = known(() => args.provider?.urn, undefined);
        const what = describe(args.type, args.props, args.name);
        if (!urn) {
            report(
                violation(
                    `${what} has no provider reference, so the engine applies it with the default provider`,
                    "Pass the cluster's provider in the resource options ({ provider }, as the components in components/*.ts do)",
                ),
            );
        } else if (urn.includes("::default")) {
            report(
                violation(
                    `${what} uses the default kubernetes provider '${urn.split("::").pop()}', which targets the ambient kubeconfig's cluster`,
                    "Pass the cluster's provider (ComputeCluster.provider, or the kcp provider for SyncTargets) in the resource options",
                ),
            );
        }
    },
};

export default policy;
