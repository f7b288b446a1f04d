import type { ResourceValidationPolicy } from "@pulumi/policy";
import { at, describe, parseKubeType, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

/** API groups Kubernetes serves itself; every other group comes from a CRD an operator installs. */
const BUILT_IN_GROUPS = new Set([
    "core",
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "rbac.authorization.k8s.io",
    "networking.k8s.io",
    "apiextensions.k8s.io",
    "admissionregistration.k8s.io",
    "storage.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "node.k8s.io",
    "certificates.k8s.io",
    "flowcontrol.apiserver.k8s.io",
]);
const OPTION = "SkipDryRunOnMissingResource=true";

/** Constraint 19: custom resources tell Argo CD not to dry-run them before their CRD exists. */
const policy: ResourceValidationPolicy = {
    name: "operator-crs-skip-dry-run",
    description:
        "Every custom resource whose CRD comes from an operator (TektonConfig, ExternalSecret, ServiceMonitor, " +
        "Route, CatalogSource and the like) must carry the annotation argocd.argoproj.io/sync-options with " +
        "SkipDryRunOnMissingResource=true, so Argo CD does not fail its dry run while the operator has not installed the " +
        "CRD yet. Source: pipeline-service PR #229 (PLNSRVCE-629) and the kustomization commonAnnotations (inventory constraint 19).",
    validateResource: (args, report) => {
        const t = parseKubeType(args.type);
        if (!t || BUILT_IN_GROUPS.has(t.group)) return;
        // A store only read to check it exists (CustomResource.get, components/externalSecrets.ts) sends no inputs and
        // is never applied.
        if (at(args.props, "apiVersion") === undefined && at(args.props, "metadata") === undefined) return;
        const options = str(at(args.props, "metadata", "annotations", "argocd.argoproj.io/sync-options"));
        if (
            options
                ?.split(",")
                .map((o) => o.trim())
                .includes(OPTION)
        )
            return;
        report(
            violation(
                `${describe(args.type, args.props, args.name)} has ${options === undefined ? "no argocd.argoproj.io/sync-options annotation" : `argocd.argoproj.io/sync-options '${options}'`}`,
                `Add ${OPTION} to its argocd.argoproj.io/sync-options annotation (customResource in lib/k8s.ts adds it to every custom resource)`,
            ),
        );
    },
};

export default policy;
