import type { ResourceValidationPolicy } from "@pulumi/policy";
import { Environment, ENVIRONMENT_PROPERTY, ENVIRONMENTS, ruleConfig } from "../lib/config.js";
import { goDurationSeconds } from "../lib/duration.js";
import { at, describe, is, isTrue, KIND, rec, show, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

const DEFAULTS = {
    environment: "prod" as Environment,
    requireResults: true,
    inClusterDatabaseEnvironments: ["local", "dev"] as Environment[],
};

/** A database host inside the cluster (`<svc>.<ns>.svc[.cluster.local]`, or a bare service name). */
function inClusterHost(host: string): boolean {
    return /\.svc(\.cluster\.local)?$/.test(host) || !host.includes(".");
}

/** Constraints 30, 32 and 48: Results over TLS with auth, logs in S3, a positive watcher grace period. */
const policy: ResourceValidationPolicy = {
    name: "tekton-results-settings",
    description: "Tekton Results (TektonConfig spec.result) must be enabled with db_sslmode verify-full and a CA " +
        "(db_sslrootcert), auth_disable false, logs_api true with logs_type S3, a watcher completed_run_grace_period " +
        "greater than zero, and outside dev an external database. Source: pipeline-service tekton-results config.env, " +
        "api-s3-config.yaml and watcher-config.yaml @5b34974a, PR #868, tektoncd/results#514 (inventory " +
        "constraints 30, 32 and 48).",
    configSchema: {
        properties: {
            environment: ENVIRONMENT_PROPERTY,
            requireResults: { type: "boolean", default: DEFAULTS.requireResults, description: "Require Results through the operator (spec.result)." },
            inClusterDatabaseEnvironments: {
                type: "array",
                items: { type: "string", enum: ENVIRONMENTS },
                default: DEFAULTS.inClusterDatabaseEnvironments,
                description: "Environments where an in-cluster PostgreSQL is acceptable.",
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
                report(violation(`${what} ${result ? "disables" : "does not configure"} Tekton Results (spec.result), so PipelineRuns are neither archived nor pruned`,
                    "Set spec.result from TektonResults.tektonConfigResult (buildResultSpec in components/tektonResults.ts)"));
            }
            return;
        }
        if (result.db_sslmode !== "verify-full") {
            report(violation(`${what} connects Results to its database with db_sslmode ${show(result.db_sslmode)}, which does not verify the server`,
                "Set spec.result.db_sslmode to verify-full"));
        }
        if (!str(result.db_sslrootcert)?.trim()) {
            report(violation(`${what} sets no db_sslrootcert, so verify-full has no CA to verify the database against`,
                "Set spec.result.db_sslrootcert to the mounted CA bundle path (RESULTS_DB_CA_PATH in components/tektonResults.ts)"));
        }
        if (result.auth_disable !== false) {
            report(violation(`${what} sets auth_disable to ${show(result.auth_disable)}; the Results API must check every caller's token`,
                "Set spec.result.auth_disable to false"));
        }
        if (result.logs_api !== true || result.logs_type !== "S3") {
            report(violation(`${what} sets logs_api ${show(result.logs_api)} and logs_type ${show(result.logs_type)}, so logs are not kept in S3`,
                "Set spec.result.logs_api to true and spec.result.logs_type to S3"));
        }
        const grace = at(result, "watcher", "completed_run_grace_period");
        const seconds = typeof grace === "string" ? goDurationSeconds(grace) : undefined;
        if (seconds === undefined || seconds <= 0) {
            report(violation(`${what} sets the watcher completed_run_grace_period to ${show(grace)}; zero or negative deletes runs while their logs still stream (tektoncd/results#514)`,
                "Set pipeline-service:results.watcherGracePeriod to a positive duration such as 10m (prod) or 2h (dev)"));
        }
        const host = str(result.db_host);
        if (host && inClusterHost(host) && !cfg.inClusterDatabaseEnvironments.includes(cfg.environment)) {
            report(violation(`${what} points Results at the in-cluster database '${host}' in ${cfg.environment}, where only the managed database may hold Results`,
                "Set pipeline-service:results.database.host to the RDS endpoint of this environment"));
        }
    },
};

export default policy;
