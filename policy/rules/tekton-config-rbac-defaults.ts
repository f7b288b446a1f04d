import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ruleConfig } from "../lib/config.js";
import { arr, at, describe, is, KIND, rec, show } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

const DEFAULTS = { defaultServiceAccount: "appstudio-pipeline", kcpSynced: false };

/**
 * Constraint 7 (ADR-0025, the namespaces era): no operator-created `pipeline` SA/RBAC; PipelineRuns run as
 * appstudio-pipeline. A Phase 1 stack (`kcpSynced: true`) needs the opposite, which kcp-phase1-pipelinerun-service-account
 * checks: the syncer creates the namespaces, so the operator must create `pipeline` in them.
 */
const policy: ResourceValidationPolicy = {
    name: "tekton-config-rbac-defaults",
    description:
        'The TektonConfig must set param createRbacResource to "false" and pipeline.default-service-account ' +
        "to appstudio-pipeline, so the operator creates no broad pipeline ServiceAccount. Source: ADR-0025, " +
        "pipeline-service dfd5c9a and 1147039 (inventory constraint 7).",
    configSchema: {
        properties: {
            defaultServiceAccount: {
                type: "string",
                default: DEFAULTS.defaultServiceAccount,
                description: "The expected default ServiceAccount.",
            },
            kcpSynced: {
                type: "boolean",
                default: DEFAULTS.kcpSynced,
                description:
                    "The stack's compute clusters are synced by kcp (Phase 1): ADR-0025 does not apply there, and kcp-phase1-pipelinerun-service-account checks the Phase 1 defaults instead.",
            },
        },
        required: [],
    },
    validateResource: (args, report) => {
        if (!is(args.type, KIND.TektonConfig)) return;
        const cfg = ruleConfig(args, DEFAULTS);
        if (cfg.kcpSynced) return;
        const what = describe(args.type, args.props, args.name);
        const params = arr(at(args.props, "spec", "params"))
            .map(rec)
            .filter((p) => p?.name === "createRbacResource");
        if (params.length === 0) {
            report(
                violation(
                    `${what} does not set the createRbacResource param, so the operator creates the 'pipeline' ServiceAccount and its RBAC in every namespace`,
                    'Add {name: createRbacResource, value: "false"} to spec.params',
                ),
            );
        } else if (params.some((p) => p?.value !== "false")) {
            report(
                violation(
                    `${what} sets createRbacResource to ${params.map((p) => show(p?.value)).join(", ")}`,
                    'Set the createRbacResource param to the string "false" (quoted: params are strings)',
                ),
            );
        }
        const sa = at(args.props, "spec", "pipeline", "default-service-account");
        if (sa !== cfg.defaultServiceAccount) {
            report(
                violation(
                    `${what} runs PipelineRuns as ServiceAccount ${show(sa)} by default instead of '${cfg.defaultServiceAccount}'`,
                    `Set spec.pipeline.default-service-account to ${cfg.defaultServiceAccount} (pipeline-service:tekton.defaultServiceAccount)`,
                ),
            );
        }
    },
};

export default policy;
