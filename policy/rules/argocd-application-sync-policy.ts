import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ruleConfig } from "../lib/config.js";
import { goDurationSeconds } from "../lib/duration.js";
import { arr, at, describe, is, KIND, num, show, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

const DEFAULTS = { requireInClusterDestination: true };
const IN_CLUSTER = "https://kubernetes.default.svc";

/** Constraints 17 and 18: automated, self-healing sync that retries forever with backoff, in-cluster. */
const policy: ResourceValidationPolicy = {
    name: "argocd-application-sync-policy",
    description:
        "Every Argo CD Application must sync automatically with prune and selfHeal, use syncOption " +
        "CreateNamespace=true, retry forever (retry.limit -1) with a backoff, and in Phase 1 deploy to its own " +
        "cluster (https://kubernetes.default.svc). Source: pipeline-service operator/gitops/argocd/pipeline-service.yaml " +
        "@5b34974a, the infra-deployments ApplicationSet and operator/docs/operations.md @kcp (inventory constraints 17 and 18).",
    configSchema: {
        properties: {
            requireInClusterDestination: {
                type: "boolean",
                default: DEFAULTS.requireInClusterDestination,
                description:
                    "Require spec.destination.server https://kubernetes.default.svc (one Argo CD per compute cluster).",
            },
        },
        required: [],
    },
    validateResource: (args, report) => {
        if (!is(args.type, KIND.Application)) return;
        const cfg = ruleConfig(args, DEFAULTS);
        const what = describe(args.type, args.props, args.name);
        const sp = (...p: string[]) => at(args.props, "spec", "syncPolicy", ...p);
        const fix = "(buildRootApplication in components/argocd.ts)";
        if (sp("automated", "prune") !== true || sp("automated", "selfHeal") !== true) {
            report(
                violation(
                    `${what} has syncPolicy.automated ${show(sp("automated"))}, so drift and removed manifests stay on the cluster`,
                    `Set spec.syncPolicy.automated to {prune: true, selfHeal: true} ${fix}`,
                ),
            );
        }
        if (!arr(sp("syncOptions")).includes("CreateNamespace=true")) {
            report(
                violation(
                    `${what} has syncOptions ${show(sp("syncOptions"))} without CreateNamespace=true, so a sync into a missing namespace fails`,
                    `Add CreateNamespace=true to spec.syncPolicy.syncOptions ${fix}`,
                ),
            );
        }
        const limit = num(sp("retry", "limit"));
        if (limit !== -1) {
            report(
                violation(
                    `${what} has retry.limit ${show(sp("retry", "limit"))}, so Argo CD gives up on a failed sync`,
                    `Set spec.syncPolicy.retry.limit to -1 (retry forever) ${fix}`,
                ),
            );
        }
        const duration = str(sp("retry", "backoff", "duration"));
        const maxDuration = str(sp("retry", "backoff", "maxDuration"));
        const factor = num(sp("retry", "backoff", "factor"));
        const positive = (d: string | undefined) => d !== undefined && (goDurationSeconds(d) ?? 0) > 0;
        if (!positive(duration) || !positive(maxDuration) || factor === undefined || factor < 1) {
            report(
                violation(
                    `${what} has retry.backoff ${show(sp("retry", "backoff"))}, so endless retries would hammer the API server`,
                    `Set spec.syncPolicy.retry.backoff to {duration: 10s, factor: 2, maxDuration: 3m} ${fix}`,
                ),
            );
        }
        const server = at(args.props, "spec", "destination", "server");
        if (cfg.requireInClusterDestination && server !== IN_CLUSTER) {
            report(
                violation(
                    `${what} deploys to ${show(server)}; in Phase 1 each compute cluster's own Argo CD manages only that cluster`,
                    `Set spec.destination.server to ${IN_CLUSTER}, or set requireInClusterDestination to false in the policy config for a hub Argo CD`,
                ),
            );
        }
    },
};

export default policy;
