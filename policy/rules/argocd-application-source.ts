import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ENVIRONMENT_PROPERTY, Environment, ruleConfig } from "../lib/config.js";
import { arr, at, describe, is, KIND, rec, show, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

/**
 * The deprecated upstream repository. Its `operator/gitops/argocd/pipeline-service` tree declares the CatalogSource,
 * Subscription, TektonConfig, exporter and a second Tekton Results that this program applies itself
 * (pipeline-service `operator/gitops/argocd/pipeline-service/kustomization.yaml@5b34974a`), and Konflux stopped
 * using it in August 2024 (infra-deployments `components/pipeline-service/README.md@e952b760`).
 */
const DEPRECATED = ["github.com/openshift-pipelines/pipeline-service"];
const DEFAULTS = {
    environment: "prod" as Environment,
    deprecatedRepos: DEPRECATED,
    pinnedEnvironments: ["prod"] as string[],
};
const COMMIT = /^[0-9a-f]{40}$/;

/** `host/owner/name` of a Git URL, lower-case, without scheme, credentials, `.git` or trailing slashes. */
export function normalizeRepo(url: string): string {
    return url
        .trim()
        .toLowerCase()
        .replace(/^[a-z+]+:\/\//, "")
        .replace(/^[^@/]+@/, "")
        .replace(/^([^/:]+):(?!\d)/, "$1/")
        .replace(/^www\./, "")
        .replace(/\/+$/, "")
        .replace(/\.git$/, "");
}

/** One owner per object (upstream-conformance §1.5): the root Application's source. */
const policy: ResourceValidationPolicy = {
    name: "argocd-application-source",
    description:
        "Every Argo CD Application must track content this program does not apply: never the deprecated " +
        "openshift-pipelines/pipeline-service repository, whose tree declares the CatalogSource, Subscription and " +
        "TektonConfig Pulumi force-applies (Argo CD selfHeal and Pulumi would fight over them), and in prod a " +
        "targetRevision pinned to a 40-hex commit. Source: pipeline-service operator/gitops/argocd/pipeline-service/" +
        "kustomization.yaml@5b34974a, infra-deployments components/pipeline-service/README.md@e952b760 and " +
        "upstream-conformance §1.5 (inventory constraints 17 and 38).",
    configSchema: {
        properties: {
            environment: ENVIRONMENT_PROPERTY,
            deprecatedRepos: {
                type: "array",
                items: { type: "string" },
                default: DEFAULTS.deprecatedRepos,
                description: "Repositories (host/owner/name) no Application may track.",
            },
            pinnedEnvironments: {
                type: "array",
                items: { type: "string" },
                default: DEFAULTS.pinnedEnvironments,
                description: "Environments whose Applications must pin targetRevision to a 40-hex commit.",
            },
        },
        required: [],
    },
    validateResource: (args, report) => {
        if (!is(args.type, KIND.Application)) return;
        const cfg = ruleConfig(args, DEFAULTS);
        const what = describe(args.type, args.props, args.name);
        const fix = '(pipeline-service:gitops in Pulumi.<stack>.yaml, README "GitOps and delivery modes")';
        // `spec.source`, or every entry of the multi-source `spec.sources`.
        const sources = [
            rec(at(args.props, "spec", "source")),
            ...arr(at(args.props, "spec", "sources")).map(rec),
        ].filter((s): s is Record<string, unknown> => s !== undefined);
        if (!sources.length) {
            report(
                violation(
                    `${what} has no spec.source, so what it applies cannot be checked`,
                    `Set spec.source to the GitOps repository's repoURL, targetRevision and path ${fix}`,
                ),
            );
            return;
        }
        const deprecated = new Set(arr(cfg.deprecatedRepos).map((r) => normalizeRepo(String(r))));
        for (const s of sources) {
            const repo = str(s.repoURL);
            if (repo !== undefined && deprecated.has(normalizeRepo(repo))) {
                report(
                    violation(
                        `${what} tracks ${repo}, the deprecated Pipeline Service repository, whose tree declares the ` +
                            "CatalogSource, Subscription, TektonConfig and exporter Pulumi applies, so Argo CD and Pulumi would both own them",
                        `Set spec.source to content this program does not manage, e.g. a path of the team's GitOps repository ${fix}`,
                    ),
                );
            }
            const rev = s.targetRevision;
            if (
                arr(cfg.pinnedEnvironments).includes(cfg.environment) &&
                !(typeof rev === "string" && COMMIT.test(rev))
            ) {
                report(
                    violation(
                        `${what} tracks targetRevision ${show(rev)} in ${cfg.environment}, which can move under the cluster`,
                        `Pin spec.source.targetRevision to a 40-hex commit ${fix}`,
                    ),
                );
            }
        }
    },
};

export default policy;
