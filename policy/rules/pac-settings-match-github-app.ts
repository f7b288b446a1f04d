import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ruleConfig } from "../lib/config.js";
import { at, describe, is, KIND, rec, show, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

const DEFAULTS = { githubAppNames: [] as string[] };

/** Constraint 12: application-name == custom-console-name == the GitHub App name. */
const policy: ResourceValidationPolicy = {
    name: "pac-settings-match-github-app",
    description:
        "The PaC settings application-name and custom-console-name must both equal the GitHub App's name, " +
        "one of the githubAppNames in the policy config, so check runs and console links carry the App's name. " +
        "Source: ADR-0009 and infra-deployments update-tekton-config-pac.yaml (inventory constraint 12).",
    configSchema: {
        properties: {
            githubAppNames: {
                type: "array",
                items: { type: "string", minLength: 1 },
                default: DEFAULTS.githubAppNames,
                description:
                    "The GitHub App names of this environment (pipeline-service:githubAppName, per cluster). Empty: only the equality is checked.",
            },
        },
        required: [],
    },
    validateResource: (args, report) => {
        if (!is(args.type, KIND.TektonConfig)) return;
        const cfg = ruleConfig(args, DEFAULTS);
        const what = describe(args.type, args.props, args.name);
        const settings = rec(at(args.props, "spec", "platforms", "openshift", "pipelinesAsCode", "settings"));
        const appName = str(settings?.["application-name"]);
        const consoleName = settings?.["custom-console-name"];
        if (!appName?.trim()) {
            report(
                violation(
                    `${what} sets no PaC application-name, so PaC reports checks under its default name instead of the GitHub App's`,
                    "Set spec.platforms.openshift.pipelinesAsCode.settings.application-name to the GitHub App name (pipeline-service:githubAppName)",
                ),
            );
            return;
        }
        if (consoleName !== appName) {
            report(
                violation(
                    `${what} has PaC custom-console-name ${show(consoleName)}, which differs from application-name '${appName}'`,
                    "Set both to the GitHub App name (pacSettings in components/openshiftPipelines.ts derives both from pipeline-service:githubAppName)",
                ),
            );
        }
        if (cfg.githubAppNames.length && !cfg.githubAppNames.includes(appName)) {
            report(
                violation(
                    `${what} names the GitHub App '${appName}', which is not one of this environment's Apps (${cfg.githubAppNames.map((n) => `'${n}'`).join(", ")})`,
                    "Set pipeline-service:githubAppName (or the cluster's overrides.githubAppName) to the App's exact name, or add the name to githubAppNames in the policy config",
                ),
            );
        }
    },
};

export default policy;
