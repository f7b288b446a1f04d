import type { ResourceValidationPolicy } from "@pulumi/policy";
import { at, describe, is, KIND, metadataOf, show } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

/** Constraint 6: TektonConfig `config`, targetNamespace openshift-pipelines, profile all. */
const policy: ResourceValidationPolicy = {
    name: "tekton-config-named-config",
    description:
        "The TektonConfig must be named config, target namespace openshift-pipelines (OSP 1.15 blocks " +
        "changing it) and use profile all. Source: pipeline-service tekton-config.yaml @5b34974a and openshift-docs " +
        "PR #77469 (inventory constraint 6).",
    validateResource: (args, report) => {
        if (!is(args.type, KIND.TektonConfig)) return;
        const what = describe(args.type, args.props, args.name);
        const { name } = metadataOf(args.props);
        if (name !== "config") {
            report(
                violation(
                    `${what} is named ${show(name)}; the operator reconciles only the TektonConfig named 'config'`,
                    "Set metadata.name to config (buildTektonConfig in components/openshiftPipelines.ts)",
                ),
            );
        }
        const target = at(args.props, "spec", "targetNamespace");
        if (target !== "openshift-pipelines") {
            report(
                violation(
                    `${what} has targetNamespace ${show(target)}; changing it from openshift-pipelines is unsupported`,
                    "Set spec.targetNamespace to openshift-pipelines",
                ),
            );
        }
        const profile = at(args.props, "spec", "profile");
        if (profile !== "all") {
            report(
                violation(
                    `${what} has profile ${show(profile)}, which leaves out components Pipeline Service runs`,
                    "Set spec.profile to all",
                ),
            );
        }
    },
};

export default policy;
