import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ruleConfig } from "../lib/config.js";
import { at, describe, is, KIND, rec, show, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

const DEFAULTS = { hacHosts: [] as string[] };

/** The PaC console settings and the placeholders each one needs. */
const URL_KEYS: Record<string, string[]> = {
    "custom-console-url": [],
    "custom-console-url-namespace": ["namespace"],
    "custom-console-url-pr-details": ["namespace", "pr"],
    "custom-console-url-pr-tasklog": ["namespace", "pr", "task"],
};

/** Hosts that are never the Hybrid Application Console: the cluster console and cluster PaC routes. */
const CLUSTER_HOSTS = [/^console-openshift-console\./, /^pipelines-as-code-controller/, /^oauth-openshift\./];

function placeholder(name: string): RegExp {
    return new RegExp(`\\{\\{\\s*${name}\\s*\\}\\}`);
}

/** Constraint 13: console links are https URLs on the HAC host, with the placeholders PaC fills in. */
const policy: ResourceValidationPolicy = {
    name: "pac-console-urls-on-hac",
    description:
        "The PaC settings custom-console-url, custom-console-url-namespace, custom-console-url-pr-details " +
        "and custom-console-url-pr-tasklog must be https URLs on the Hybrid Application Console host, never the " +
        "cluster console or a cluster route; namespace links need {{ namespace }}, pr-details also {{ pr }}, tasklog " +
        "also {{ task }}. Source: ADR-0009, ADR-0019 and infra-deployments PaC settings 2024 (inventory constraint 13).",
    configSchema: {
        properties: {
            hacHosts: {
                type: "array",
                items: { type: "string", minLength: 1 },
                default: DEFAULTS.hacHosts,
                description:
                    "Hosts of this environment's consoles (host of pipeline-service:hacConsoleUrl, per cluster). Empty: any host but the cluster's own.",
            },
        },
        required: [],
    },
    validateResource: (args, report) => {
        if (!is(args.type, KIND.TektonConfig)) return;
        const cfg = ruleConfig(args, DEFAULTS);
        const what = describe(args.type, args.props, args.name);
        const settings = rec(at(args.props, "spec", "platforms", "openshift", "pipelinesAsCode", "settings"));
        for (const [key, needs] of Object.entries(URL_KEYS)) {
            const raw = settings?.[key];
            const value = str(raw);
            if (!value?.trim()) {
                report(
                    violation(
                        `${what} does not set PaC ${key}, so PaC links users to the cluster instead of the console`,
                        `Set spec.platforms.openshift.pipelinesAsCode.settings.${key} from pipeline-service:hacConsoleUrl (pacSettings in components/openshiftPipelines.ts)`,
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
            if (!url || url.protocol !== "https:") {
                report(
                    violation(
                        `${what} sets PaC ${key} to ${show(value)}, which is not an https URL`,
                        "Set pipeline-service:hacConsoleUrl to the console's https base URL",
                    ),
                );
                continue;
            }
            const host = url.hostname;
            if (cfg.hacHosts.length ? !cfg.hacHosts.includes(host) : CLUSTER_HOSTS.some((re) => re.test(host))) {
                report(
                    violation(
                        `${what} sends PaC ${key} to host '${host}'` +
                            (cfg.hacHosts.length
                                ? `, not one of this environment's console hosts (${cfg.hacHosts.join(", ")})`
                                : ", a cluster host users cannot reach"),
                        "Set pipeline-service:hacConsoleUrl (or the cluster's overrides.hacConsoleUrl) to the Hybrid Application Console URL, or add its host to hacHosts in the policy config",
                    ),
                );
            }
            const missing = needs.filter((n) => !placeholder(n).test(value));
            if (missing.length) {
                report(
                    violation(
                        `${what} sets PaC ${key} to ${show(value)} without the ${missing.map((m) => `{{ ${m} }}`).join(", ")} placeholder${missing.length > 1 ? "s" : ""}`,
                        `Include ${missing.map((m) => `{{ ${m} }}`).join(" and ")} in the URL, as pacSettings in components/openshiftPipelines.ts does`,
                    ),
                );
            }
        }
    },
};

export default policy;
