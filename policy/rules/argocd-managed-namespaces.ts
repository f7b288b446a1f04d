import type { ResourceValidationPolicy } from "@pulumi/policy";
import { at, describe, is, KIND, metadataOf, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

/** The namespaces Pipeline Service owns, which the per-cluster Argo CD instance manages. */
const MANAGED = new Set(["openshift-pipelines", "tekton-results", "sprayproxy", "gateway"]);
const LABEL = "argocd.argoproj.io/managed-by";
const ARGOCD = "openshift-gitops";

/** Constraint 21: Pipeline Service's namespaces are labelled for the openshift-gitops Argo CD. */
const policy: ResourceValidationPolicy = {
    name: "argocd-managed-namespaces",
    description:
        "The namespaces Pipeline Service owns (openshift-pipelines, tekton-results, sprayproxy, gateway) must carry " +
        "the label argocd.argoproj.io/managed-by: openshift-gitops, so the cluster's Argo CD instance may manage what is in " +
        "them. Source: pipeline-service namespace.yaml and PLNSRVCE-1620 (inventory constraint 21).",
    validateResource: (args, report) => {
        if (!is(args.type, KIND.Namespace)) return;
        const name = metadataOf(args.props).name;
        if (name === undefined || !MANAGED.has(name)) return;
        const value = str(at(args.props, "metadata", "labels", LABEL));
        if (value === ARGOCD) return;
        report(
            violation(
                `${describe(args.type, args.props, args.name)} has ${value === undefined ? `no ${LABEL} label` : `${LABEL}: ${value}`}, so the openshift-gitops Argo CD cannot manage it`,
                `Set the label ${LABEL} to ${ARGOCD} (the ArgoCd component does this for its managedNamespaces, the Gateway for its own)`,
            ),
        );
    },
};

export default policy;
