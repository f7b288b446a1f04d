import type { ResourceValidationPolicy } from "@pulumi/policy";
import { Environment, ENVIRONMENT_PROPERTY, ENVIRONMENTS, ruleConfig } from "../lib/config.js";
import { goDurationSeconds } from "../lib/duration.js";
import { at, describe, is, isTrue, KIND, rec, show, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

const DEFAULTS = {
    environment: "prod" as Environment,
    requireResults: true,
    inClusterDatabaseEnvironments: ["local", "dev"] as Environment[],
    kcpSynced: false,
};

/** A database host inside the cluster (`<svc>.<ns>.svc[.cluster.local]`, or a bare service name). */
function inClusterHost(host: string): boolean {
    return /\.svc(\.cluster\.local)?$/.test(host) || !host.includes(".");
}

/**
 * Constraints 30, 32 and 48: Results over TLS with auth, logs in S3, a positive watcher grace period.
 * The watcher's `completed_run_grace_period`: "If 0, Runs will not be deleted. If < 0, Runs will be deleted
 * immediately" (tektoncd/results cmd/watcher/main.go). ADR-0009 has Results prune, so it must be positive; on a
 * Phase 1 stack (`kcpSynced`) the syncer re-creates deleted PipelineRuns, so 0 is what kcp-phase1-pipelineruns-kept
 * requires and passes here.
 */
const policy: ResourceValidationPolicy = {
    name: "tekton-results-settings",
    description:
        "Tekton Results (TektonConfig spec.result) must be enabled with db_sslmode verify-full and a CA " +
        "(db_sslrootcert), auth_disable false, logs_api true with logs_type S3, a watcher completed_run_grace_period " +
        "greater than zero (0, never delete, on a stack synced by kcp), watcher check_owner false when the watcher is configured, and outside dev an external " +
        "database. Source: pipeline-service tekton-results config.env, " +
        "api-s3-config.yaml and watcher-config.yaml @5b34974a, PR #868, tektoncd/results#514 (inventory " +
        "constraints 30, 32 and 48).",
    configSchema: {
        properties: {
            environment: ENVIRONMENT_PROPERTY,
            requireResults: {
                type: "boolean",
                default: DEFAULTS.requireResults,
                description: "Require Results through the operator (spec.result).",
            },
            inClusterDatabaseEnvironments: {
                type: "array",
                items: { type: "string", enum: ENVIRONMENTS },
                default: DEFAULTS.inClusterDatabaseEnvironments,
                description: "Environments where an in-cluster PostgreSQL is acceptable.",
            },
            kcpSynced: {
                type: "boolean",
                default: DEFAULTS.kcpSynced,
                description:
                    "The stack's compute clusters are synced by kcp (Phase 1): a grace period of 0 (the watcher never deletes) is allowed.",
            },
        },
        required: [],
    },
    validateResource: (args, report) => {
        if (!is(args.type, KIND.TektonConfig)) return;
        const cfg = ruleConfig(args, DEFAULTS);
        const what = describe(args.type, args.props, args.name);
        const result = rec(at(args.props, "spec", "result"));
        if (!result || isTrue(result.disabled)) {
            if (cfg.requireResults) {
                report(
                    violation(
                        `${what} ${result ? "disables" : "does not configure"} Tekton Results (spec.result), so PipelineRuns are neither archived nor pruned`,
                        "Set spec.result from TektonResults.tektonConfigResult (buildResultSpec in components/tektonResults.ts)",
                    ),
                );
            }
            return;
        }
        if (result.db_sslmode !== "verify-full") {
            report(
                violation(
                    `${what} connects Results to its database with db_sslmode ${show(result.db_sslmode)}, which does not verify the server`,
                    "Set spec.result.db_sslmode to verify-full",
                ),
            );
        }
        if (!str(result.db_sslrootcert)?.trim()) {
            report(
                violation(
                    `${what} sets no db_sslrootcert, so verify-full has no CA to verify the database against`,
                    "Set spec.result.db_sslrootcert to the mounted CA bundle path (RESULTS_DB_CA_PATH in components/tektonResults.ts)",
                ),
            );
        }
        if (result.auth_disable !== false) {
            report(
                violation(
                    `${what} sets auth_disable to ${show(result.auth_disable)}; the Results API must check every caller's token`,
                    "Set spec.result.auth_disable to false",
                ),
            );
        }
        if (result.logs_api !== true || result.logs_type !== "S3") {
            report(
                violation(
                    `${what} sets logs_api ${show(result.logs_api)} and logs_type ${show(result.logs_type)}, so logs are not kept in S3`,
                    "Set spec.result.logs_api to true and spec.result.logs_type to S3",
                ),
            );
        }
        const grace = at(result, "watcher", "completed_run_grace_period");
        const seconds = typeof grace === "string" ? goDurationSeconds(grace) : undefined;
        const negative = typeof grace === "string" && /^-/.test(grace.trim());
        if (negative) {
            report(
                violation(
                    `${what} sets the watcher completed_run_grace_period to ${show(grace)}; a negative period deletes runs at once, while their logs still stream (tektoncd/results#514)`,
                    "Set pipeline-service:results.watcherGracePeriod to a positive duration such as 10m (prod) or 2h (dev)",
                ),
            );
        } else if (seconds === undefined) {
            report(
                violation(
                    `${what} sets the watcher completed_run_grace_period to ${show(grace)}, which is not a Go duration`,
                    "Set pipeline-service:results.watcherGracePeriod to a duration such as 10m (prod) or 2h (dev)",
                ),
            );
        } else if (seconds === 0 && !cfg.kcpSynced) {
            report(
                violation(
                    `${what} sets the watcher completed_run_grace_period to ${show(grace)}, so the watcher never deletes runs and nothing prunes completed PipelineRuns (ADR-0009 has Results prune them)`,
                    "Set pipeline-service:results.watcherGracePeriod to a positive duration such as 10m (prod) or 2h (dev); on a stack synced by kcp, set this rule's kcpSynced policy config to true",
                ),
            );
        }
        const checkOwner = at(result, "watcher", "check_owner");
        if (rec(result.watcher) && checkOwner !== false) {
            report(
                violation(
                    `${what} runs the Results watcher with check_owner ${show(checkOwner)}, so runs owned by something other than Tekton are never stored`,
                    "Set spec.result.watcher.check_owner to false (pipeline-service:results.watcherCheckOwner: false, as pipeline-service watcher-config.yaml@5b34974a ran it)",
                ),
            );
        }
        const host = str(result.db_host);
        if (host && inClusterHost(host) && !cfg.inClusterDatabaseEnvironments.includes(cfg.environment)) {
            report(
                violation(
                    `${what} points Results at the in-cluster database '${host}' in ${cfg.environment}, where only the managed database may hold Results`,
                    "Set pipeline-service:results.database.host to the RDS endpoint of this environment",
                ),
            );
        }
    },
};

export default policy;
