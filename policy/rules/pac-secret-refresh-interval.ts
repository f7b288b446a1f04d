import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ruleConfig } from "../lib/config.js";
import { goDurationSeconds } from "../lib/duration.js";
import { at, describe, is, KIND, metadataOf, show, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

const DEFAULTS = { maxRefreshSeconds: 300 };
const PAC_SECRET = "pipelines-as-code-secret";

/** Constraint 26: the GitHub App secret refreshes at least every 5 minutes. */
const policy: ResourceValidationPolicy = {
    name: "pac-secret-refresh-interval",
    description:
        "The ExternalSecret of pipelines-as-code-secret (PaC and SprayProxy) must refresh at least every " +
        "5 minutes, so a rotated GitHub App secret causes only a short outage. Source: architecture/pipeline-service.md " +
        "and infra-deployments pipelines-as-code-secret.yaml 2023-09+ (inventory constraint 26).",
    configSchema: {
        properties: {
            maxRefreshSeconds: {
                type: "integer",
                minimum: 1,
                default: DEFAULTS.maxRefreshSeconds,
                description: "Longest acceptable refreshInterval, in seconds.",
            },
        },
        required: [],
    },
    validateResource: (args, report) => {
        if (!is(args.type, KIND.ExternalSecret)) return;
        const target = str(at(args.props, "spec", "target", "name"));
        if (metadataOf(args.props).name !== PAC_SECRET && target !== PAC_SECRET) return;
        const cfg = ruleConfig(args, DEFAULTS);
        const what = describe(args.type, args.props, args.name);
        const raw = at(args.props, "spec", "refreshInterval");
        const interval = str(raw);
        const seconds = interval === undefined ? undefined : goDurationSeconds(interval);
        const fix = `Set spec.refreshInterval to ${cfg.maxRefreshSeconds / 60 >= 1 && cfg.maxRefreshSeconds % 60 === 0 ? `${cfg.maxRefreshSeconds / 60}m` : `${cfg.maxRefreshSeconds}s`} or less (pipeline-service:secrets.pacRefreshInterval)`;
        if (seconds === undefined) {
            report(
                violation(
                    `${what} has refreshInterval ${show(raw)}, which ESO reads as its 1h default or rejects`,
                    fix,
                ),
            );
        } else if (seconds <= 0) {
            report(
                violation(
                    `${what} has refreshInterval ${show(raw)}, which never refreshes, so a rotated GitHub App secret never arrives`,
                    fix,
                ),
            );
        } else if (seconds > cfg.maxRefreshSeconds) {
            report(
                violation(
                    `${what} refreshes every ${interval}, longer than ${cfg.maxRefreshSeconds}s, so a rotated GitHub App secret breaks webhooks that long`,
                    fix,
                ),
            );
        }
    },
};

export default policy;
