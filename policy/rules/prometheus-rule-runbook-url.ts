import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ruleConfig } from "../lib/config.js";
import { arr, at, describe, isKind, rec, show, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

const DEFAULTS = { runbookHosts: [] as string[] };

/**
 * Every alert carries a runbook: redhat-appstudio/o11y gives each rule of `prometheus.pipeline_alerts.yaml@0add2941`
 * an `annotations.runbook_url` into the Konflux SOP repository, and its docs/ALERTS.md@935d72c8 requires an SOP
 * runbook for SLO alerts. Recording rules have no annotations and are not checked.
 */
const policy: ResourceValidationPolicy = {
    name: "prometheus-rule-runbook-url",
    description:
        "Every alerting rule of a PrometheusRule must carry annotations.runbook_url, an https URL of the runbook " +
        "the on-call engineer follows (on one of runbookHosts when that list is set). Source: redhat-appstudio/o11y " +
        "prometheus.pipeline_alerts.yaml@0add2941 and docs/ALERTS.md (observability, next to inventory constraint 40).",
    configSchema: {
        properties: {
            runbookHosts: {
                type: "array",
                items: { type: "string", minLength: 1 },
                default: DEFAULTS.runbookHosts,
                description:
                    "Hosts runbooks may live on (the host of RUNBOOK_BASE in components/metricsExporter.ts). Empty: any https host.",
            },
        },
        required: [],
    },
    validateResource: (args, report) => {
        if (!isKind(args.type, "monitoring.coreos.com", "PrometheusRule")) return;
        const cfg = ruleConfig(args, DEFAULTS);
        const what = describe(args.type, args.props, args.name);
        for (const g of arr(at(args.props, "spec", "groups"))) {
            const group = str(rec(g)?.name) ?? "(unnamed group)";
            for (const r of arr(rec(g)?.rules)) {
                const alert = str(rec(r)?.alert);
                if (alert === undefined) continue; // a recording rule
                const where = `${what} alert ${alert} (group ${group})`;
                const raw = at(r, "annotations", "runbook_url");
                const value = str(raw);
                if (!value?.trim()) {
                    report(
                        violation(
                            `${where} has no annotations.runbook_url, so whoever is paged has no procedure to follow`,
                            "Add annotations.runbook_url with the https URL of its runbook (buildPipelineAlertRules in components/metricsExporter.ts appends RUNBOOKS paths to the runbook base)",
                        ),
                    );
                    continue;
                }
                let url: URL | undefined;
                try {
                    url = new URL(value);
                } catch {
                    url = undefined;
                }
                if (!url || url.protocol !== "https:" || !url.hostname) {
                    report(
                        violation(
                            `${where} has annotations.runbook_url ${show(value)}, which is not an https URL`,
                            "Set annotations.runbook_url to the runbook's absolute https URL (the runbook base in components/metricsExporter.ts must start with https://)",
                        ),
                    );
                    continue;
                }
                if (cfg.runbookHosts.length && !cfg.runbookHosts.includes(url.hostname)) {
                    report(
                        violation(
                            `${where} links its runbook on host '${url.hostname}', not one of ${cfg.runbookHosts.join(", ")}`,
                            "Set the runbook base to the SOP repository's URL, or add the host to runbookHosts in the policy config",
                        ),
                    );
                }
            }
        }
    },
};

export default policy;
