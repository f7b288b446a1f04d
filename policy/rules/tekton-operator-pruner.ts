import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ruleConfig } from "../lib/config.js";
import { arr, at, describe, is, KIND, num, rec, show, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

const DEFAULTS = { allowBackupPruner: true };

/** Constraints 8 and 9: Results prunes; the operator pruner is off, or a valid backup pruner of PipelineRuns only. */
const policy: ResourceValidationPolicy = {
    name: "tekton-operator-pruner",
    description:
        "The operator pruner must be disabled (spec.pruner.disabled: true) because Tekton Results archives " +
        "and prunes, or be a valid backup pruner: the flag spelled disabled, exactly one of keep and keep-since, " +
        "resources exactly [pipelinerun] and a schedule. Source: ADR-0009, pipeline-service 8074097, c12b163, c9e9d5d " +
        "and 6c63f92, infra-deployments #4184 (inventory constraints 8 and 9).",
    configSchema: {
        properties: {
            allowBackupPruner: {
                type: "boolean",
                default: DEFAULTS.allowBackupPruner,
                description: "Whether an enabled backup pruner (c12b163, infra #4184) is acceptable.",
            },
        },
        required: [],
    },
    validateResource: (args, report) => {
        if (!is(args.type, KIND.TektonConfig)) return;
        const cfg = ruleConfig(args, DEFAULTS);
        const what = describe(args.type, args.props, args.name);
        const pruner = rec(at(args.props, "spec", "pruner"));
        if (!pruner) {
            report(
                violation(
                    `${what} has no spec.pruner, so the operator's default pruner deletes runs that Tekton Results may not have archived yet`,
                    "Set spec.pruner to {disabled: true} (pipeline-service:tekton.operatorPruner.disabled)",
                ),
            );
            return;
        }
        if ("disable" in pruner) {
            report(
                violation(
                    `${what} sets spec.pruner.disable, a misspelling the operator ignores (pipeline-service c9e9d5d)`,
                    "Rename the key to disabled",
                ),
            );
        }
        const disabled = pruner.disabled;
        if (disabled === true) return;
        if (disabled !== false && disabled !== undefined) {
            report(
                violation(
                    `${what} sets spec.pruner.disabled to ${show(disabled)}, which is not a boolean`,
                    "Set spec.pruner.disabled to true or false, unquoted",
                ),
            );
            return;
        }
        if (!cfg.allowBackupPruner) {
            report(
                violation(
                    `${what} enables the operator pruner, but this environment does not allow a backup pruner`,
                    "Set spec.pruner.disabled to true (pipeline-service:tekton.operatorPruner.disabled), or allow the backup pruner in the policy config",
                ),
            );
            return;
        }
        const hasKeep = pruner.keep !== undefined && pruner.keep !== null;
        const hasKeepSince = pruner["keep-since"] !== undefined && pruner["keep-since"] !== null;
        if (hasKeep && hasKeepSince) {
            report(
                violation(
                    `${what} sets both spec.pruner.keep and spec.pruner.keep-since, which the operator webhook rejects ` +
                        '("expected exactly one, got both", pipeline-service 6c63f92)',
                    "Keep only one of them (pipeline-service:tekton.operatorPruner.keep or keepSince)",
                ),
            );
        } else if (!hasKeep && !hasKeepSince) {
            report(
                violation(
                    `${what} enables the pruner without keep or keep-since`,
                    "Set exactly one of spec.pruner.keep and spec.pruner.keep-since (pipeline-service:tekton.operatorPruner.keepSince)",
                ),
            );
        } else {
            const n = num(hasKeep ? pruner.keep : pruner["keep-since"]);
            if (n === undefined || n <= 0 || !Number.isInteger(n)) {
                report(
                    violation(
                        `${what} sets spec.pruner.${hasKeep ? "keep" : "keep-since"} to ${show(hasKeep ? pruner.keep : pruner["keep-since"])}`,
                        "Use a positive whole number",
                    ),
                );
            }
        }
        const resources = arr(pruner.resources);
        if (resources.length !== 1 || resources[0] !== "pipelinerun") {
            report(
                violation(
                    `${what} prunes resources ${show(pruner.resources)}; pruning TaskRuns deletes TaskRuns of PipelineRuns still in flight`,
                    "Set spec.pruner.resources to [pipelinerun] (pipeline-service:tekton.operatorPruner.resources)",
                ),
            );
        }
        if (!str(pruner.schedule)?.trim()) {
            report(
                violation(
                    `${what} enables the pruner without a schedule`,
                    "Set spec.pruner.schedule to a cron expression such as '*/30 * * * *' (pipeline-service:tekton.operatorPruner.schedule)",
                ),
            );
        }
    },
};

export default policy;
