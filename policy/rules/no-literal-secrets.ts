import type { ResourceValidationPolicy } from "@pulumi/policy";
import { Environment, ENVIRONMENT_PROPERTY, ENVIRONMENTS, ruleConfig } from "../lib/config.js";
import { describe, is, KIND, rec, show } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

const DEFAULTS = {
    environment: "prod" as Environment,
    literalSecretEnvironments: ["local", "dev"] as Environment[],
};

/** Constraints 24 and 48: outside dev every secret value comes from an ExternalSecret. */
const policy: ResourceValidationPolicy = {
    name: "no-literal-secrets",
    description:
        "Outside dev no Kubernetes Secret may carry literal data or stringData: the GitHub App, Results " +
        "database and S3, Chains signing and syncer credentials come from ExternalSecrets. A service-account-token " +
        "Secret with no data is allowed. Source: ADR-0009 and infra-deployments base/external-secrets, " +
        "development vs production kustomizations (inventory constraints 24 and 48).",
    configSchema: {
        properties: {
            environment: ENVIRONMENT_PROPERTY,
            literalSecretEnvironments: {
                type: "array",
                items: { type: "string", enum: ENVIRONMENTS },
                default: DEFAULTS.literalSecretEnvironments,
                description: "Environments where Secrets with literal values are allowed (the generated secrets mode).",
            },
        },
        required: [],
    },
    validateResource: (args, report) => {
        if (!is(args.type, KIND.Secret)) return;
        const cfg = ruleConfig(args, DEFAULTS);
        if (cfg.literalSecretEnvironments.includes(cfg.environment)) return;
        const what = describe(args.type, args.props, args.name);
        // Key names only: the values may be unknown during preview, and must never be echoed.
        const keys = ["data", "stringData"].flatMap((field) =>
            Object.keys(rec(args.props[field]) ?? {}).map((k) => `${field}.${k}`),
        );
        if (keys.length) {
            report(
                violation(
                    `${what} (type ${show(args.props.type ?? "Opaque")}) carries literal values in ${keys.join(", ")} in ${cfg.environment}, ` +
                        "so the secret lives in Pulumi state and cannot be rotated in Vault",
                    "Declare an ExternalSecret for it instead (buildExternalSecret in components/externalSecrets.ts), " +
                        "e.g. by setting pipeline-service:secrets.mode to external",
                ),
            );
        }
    },
};

export default policy;
