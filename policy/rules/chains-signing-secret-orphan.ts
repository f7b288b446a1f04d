import type { ResourceValidationPolicy } from "@pulumi/policy";
import { arr, at, describe, is, KIND, metadataOf, rec, show, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";
import { known } from "../lib/unknown.js";

const SIGNING_SECRET = "signing-secrets";
const EXTERNAL_SECRET_NAME = "tekton-chains-signing-secret";

/** Constraint 27: the per-cluster, long-lived Chains key is never deleted by ESO or Argo CD. */
const policy: ResourceValidationPolicy = {
    name: "chains-signing-secret-orphan",
    description:
        "The ExternalSecret of the Chains signing key (Secret signing-secrets) must use creationPolicy " +
        "Orphan, never deletionPolicy Delete, carry the Prune=false Argo CD sync option and read a Vault key that " +
        "names its cluster, because rotating the key invalidates every signature. Source: infra-deployments " +
        "chains-signing-secrets.yaml @4cb50a81 and architecture/pipeline-service.md (inventory constraint 27).",
    validateResource: (args, report) => {
        if (!is(args.type, KIND.ExternalSecret)) return;
        const target = rec(at(args.props, "spec", "target"));
        if (metadataOf(args.props).name !== EXTERNAL_SECRET_NAME && str(target?.name) !== SIGNING_SECRET) return;
        const what = describe(args.type, args.props, args.name);
        if (target?.creationPolicy !== "Orphan") {
            report(
                violation(
                    `${what} has creationPolicy ${show(target?.creationPolicy)}, so ESO deletes the signing key with the ExternalSecret`,
                    "Set spec.target.creationPolicy to Orphan (components/externalSecrets.ts)",
                ),
            );
        }
        if (target?.deletionPolicy === "Delete") {
            report(
                violation(
                    `${what} has deletionPolicy Delete, so the signing key disappears when the Vault key does`,
                    "Remove spec.target.deletionPolicy (ESO then retains the Secret) or set it to Retain",
                ),
            );
        }
        const syncOptions =
            str(at(target, "template", "metadata", "annotations", "argocd.argoproj.io/sync-options")) ?? "";
        if (!/(^|,)\s*Prune=false\s*(,|$)/.test(syncOptions)) {
            report(
                violation(
                    `${what} does not annotate the Secret with argocd.argoproj.io/sync-options: Prune=false, so Argo CD may prune the signing key`,
                    "Set spec.target.template.metadata.annotations['argocd.argoproj.io/sync-options'] to Prune=false",
                ),
            );
        }
        // The Vault key must be per cluster: it names the cluster (the provider's clusterIdentifier, when known).
        const cluster = known(() => str(args.provider?.props?.clusterIdentifier), undefined);
        const keys = [
            ...arr(at(args.props, "spec", "dataFrom")).map((d) => str(at(d, "extract", "key"))),
            ...arr(at(args.props, "spec", "data")).map((d) => str(at(d, "remoteRef", "key"))),
        ].filter((k): k is string => k !== undefined);
        // Path segments: `/` in Vault keys, `.` in a kubernetes-store prefix (Secret names cannot hold `/`; lib/externalSecret.ts vaultKey).
        if (cluster && keys.length && !keys.every((k) => k.split(/[/.]/).includes(cluster))) {
            report(
                violation(
                    `${what} reads Vault key(s) ${keys.map((k) => `'${k}'`).join(", ")}, which do not name cluster '${cluster}', so clusters would share one signing key`,
                    `Use the key <prefix>/${cluster}/chains-signing-secret (components/externalSecrets.ts)`,
                ),
            );
        }
    },
};

export default policy;
