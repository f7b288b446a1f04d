import type { ResourceValidationPolicy } from "@pulumi/policy";
import { at, describe, is, isTrue, KIND, rec, show } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

/** The Chains keys and the exact (string) values Pipeline Service runs with. */
const EXPECTED: Record<string, string> = {
    "artifacts.pipelinerun.format": "in-toto",
    "artifacts.pipelinerun.storage": "oci",
    "artifacts.oci.storage": "oci",
    "artifacts.taskrun.storage": "",
    "transparency.enabled": "false",
};

/** Constraint 14: Chains signs PipelineRuns as in-toto into OCI, no TaskRun attestations, no Rekor. */
const policy: ResourceValidationPolicy = {
    name: "chains-artifact-settings",
    description: "Tekton Chains must run with artifacts.pipelinerun.format in-toto, artifacts.pipelinerun.storage " +
        "oci, artifacts.oci.storage oci, artifacts.taskrun.storage \"\" and transparency.enabled \"false\". " +
        "Source: pipeline-service tekton-config.yaml @5b34974a comments (inventory constraint 14).",
    validateResource: (args, report) => {
        if (!is(args.type, KIND.TektonConfig)) return;
        const what = describe(args.type, args.props, args.name);
        const chain = rec(at(args.props, "spec", "chain"));
        if (!chain) {
            report(violation(`${what} has no spec.chain, so Chains runs with its defaults (TaskRun attestations in Tekton storage)`,
                "Set spec.chain as buildTektonConfig in components/openshiftPipelines.ts does"));
            return;
        }
        if (isTrue(chain.disabled)) {
            report(violation(`${what} disables Tekton Chains, so no build is signed`, "Set spec.chain.disabled to false"));
        }
        const wrong = Object.entries(EXPECTED).filter(([k, v]) => chain[k] !== v);
        if (wrong.length) {
            report(violation(`${what} sets ${wrong.map(([k]) => `${k} to ${show(chain[k])}`).join(", ")}`,
                `Set ${wrong.map(([k, v]) => `spec.chain."${k}" to "${v}"`).join(", ")} (strings, quoted)`));
        }
    },
};

export default policy;
