import type { ResourceValidationPolicy } from "@pulumi/policy";
import { at, describe, is, isTrue, KIND, rec, show } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

/** The Chains keys and the exact (string) values Pipeline Service runs with. */
const EXPECTED: Record<string, string> = {
    "artifacts.taskrun.format": "in-toto",
    "artifacts.pipelinerun.enable-deep-inspection": "true",
    "artifacts.pipelinerun.format": "in-toto",
    "artifacts.pipelinerun.storage": "oci",
    "artifacts.oci.storage": "oci",
    "artifacts.taskrun.storage": "",
    "transparency.enabled": "false",
};

/**
 * Constraint 14: Chains signs TaskRuns and PipelineRuns as in-toto (PipelineRuns with deep inspection) into OCI, no
 * TaskRun storage, no Rekor.
 */
const policy: ResourceValidationPolicy = {
    name: "chains-artifact-settings",
    description:
        "Tekton Chains must run with artifacts.taskrun.format in-toto, artifacts.pipelinerun.format in-toto, " +
        'artifacts.pipelinerun.enable-deep-inspection "true", artifacts.pipelinerun.storage oci, artifacts.oci.storage ' +
        'oci, artifacts.taskrun.storage "" and transparency.enabled "false". Source: pipeline-service ' +
        "tekton-config.yaml @5b34974a comments and infra-deployments production/base/main-pipeline-service-configuration.yaml " +
        "@e952b760 (inventory constraint 14).",
    validateResource: (args, report) => {
        if (!is(args.type, KIND.TektonConfig)) return;
        const what = describe(args.type, args.props, args.name);
        const chain = rec(at(args.props, "spec", "chain"));
        if (!chain) {
            report(
                violation(
                    `${what} has no spec.chain, so Chains runs with its defaults (TaskRun attestations in Tekton storage)`,
                    "Set spec.chain as buildTektonConfig in components/openshiftPipelines.ts does",
                ),
            );
            return;
        }
        if (isTrue(chain.disabled)) {
            report(
                violation(`${what} disables Tekton Chains, so no build is signed`, "Set spec.chain.disabled to false"),
            );
        }
        // tektoncd/operator < 0.74 types enable-deep-inspection as *bool (tektonchain_types.go@v0.70.0): true is right there.
        const wrong = Object.entries(EXPECTED).filter(
            ([k, v]) => chain[k] !== v && !(k === "artifacts.pipelinerun.enable-deep-inspection" && chain[k] === true),
        );
        if (wrong.length) {
            report(
                violation(
                    `${what} sets ${wrong.map(([k]) => `${k} to ${show(chain[k])}`).join(", ")}`,
                    `Set ${wrong.map(([k, v]) => `spec.chain."${k}" to "${v}"`).join(", ")} (strings, quoted)`,
                ),
            );
        }
    },
};

export default policy;
