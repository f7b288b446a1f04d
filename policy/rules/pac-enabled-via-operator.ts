import type { ResourceValidationPolicy } from "@pulumi/policy";
import { at, describe, is, isTrue, KIND, metadataOf, show } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

/** Constraint 11: Pipelines as Code comes from the operator, not a separate install. */
const policy: ResourceValidationPolicy = {
    name: "pac-enabled-via-operator",
    description:
        "Pipelines as Code must be enabled through the operator (TektonConfig " +
        "spec.platforms.openshift.pipelinesAsCode.enable: true), with no separate pipelines-as-code namespace install. " +
        "Source: pipeline-service ba5f2c9 and d35d8dc (inventory constraint 11).",
    validateResource: (args, report) => {
        const what = describe(args.type, args.props, args.name);
        if (is(args.type, KIND.TektonConfig)) {
            const enable = at(args.props, "spec", "platforms", "openshift", "pipelinesAsCode", "enable");
            if (!isTrue(enable)) {
                report(
                    violation(
                        `${what} does not enable Pipelines as Code (pipelinesAsCode.enable is ${show(enable)}), so no Git event starts a pipeline`,
                        "Set spec.platforms.openshift.pipelinesAsCode.enable to true (buildTektonConfig in components/openshiftPipelines.ts)",
                    ),
                );
            }
        } else if (is(args.type, KIND.Namespace) && metadataOf(args.props).name === "pipelines-as-code") {
            report(
                violation(
                    `${what} is the namespace of a separate Pipelines as Code install, which conflicts with the operator's PaC in openshift-pipelines`,
                    "Remove it and configure PaC through TektonConfig spec.platforms.openshift.pipelinesAsCode",
                ),
            );
        }
    },
};

export default policy;
