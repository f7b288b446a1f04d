import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { providerUrnOf, urnName } from "../lib/clusters.js";
import { arr, at, describe, is, KIND, metadataOf, rec, show, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";
import { known } from "../lib/unknown.js";
import { sharedStoreNamespaces } from "../../lib/secretStores.js";

/** Whether one `spec.conditions[]` entry lists `namespace` (by name or regex). */
function conditionAllows(condition: Record<string, unknown>, namespace: string): boolean {
    if (arr(condition.namespaces).includes(namespace)) return true;
    return arr(condition.namespaceRegexes).some((re) => {
        try {
            return typeof re === "string" && new RegExp(re).test(namespace);
        } catch {
            return false;
        }
    });
}

interface Store {
    resource: PolicyResource;
    conditions: Record<string, unknown>[];
}

/** Constraints 24 and 25: ExternalSecrets use a ClusterSecretStore that admits their namespace. */
const policy: StackValidationPolicy = {
    name: "external-secret-store-namespaces",
    description:
        "Every ExternalSecret must reference a ClusterSecretStore declared on the same cluster whose " +
        "spec.conditions list the ExternalSecret's namespace, otherwise ESO refuses to sync it. A shared store the " +
        "stack only references and declares nowhere (appsre-stonesoup-vault, appsre-vault; secretStore.manage false) " +
        "belongs to its owners, and the preview checks that it exists. Source: " +
        "infra-deployments components/cluster-secret-store/base/*.yaml@a601cbe7 and base/external-secrets (inventory " +
        "constraints 24 and 25).",
    validateStack: (args, report) => {
        const stores = new Map<string, Store>();
        for (const r of args.resources) {
            if (!is(r.type, KIND.ClusterSecretStore)) continue;
            // A store only referenced (read to check it exists) has no spec until the preview has read the live object.
            if (known(() => at(r.props, "spec") === undefined, true)) continue;
            const name = known(() => metadataOf(r.props).name, undefined);
            const conditions = known(
                () =>
                    arr(at(r.props, "spec", "conditions"))
                        .map(rec)
                        .filter((c) => c !== undefined),
                undefined,
            );
            if (name === undefined || conditions === undefined) continue;
            stores.set(`${providerUrnOf(r) ?? ""}|${name}`, { resource: r, conditions });
        }
        for (const r of args.resources) {
            if (!is(r.type, KIND.ExternalSecret)) continue;
            const read = known(
                () => ({
                    what: describe(r.type, r.props, r.name),
                    namespace: metadataOf(r.props).namespace ?? "default",
                    kind: str(at(r.props, "spec", "secretStoreRef", "kind")) ?? "SecretStore",
                    store: str(at(r.props, "spec", "secretStoreRef", "name")),
                }),
                undefined,
            );
            if (!read) continue; // not known during preview; checked again at update
            const { what, namespace, kind, store } = read;
            if (kind !== "ClusterSecretStore") {
                report(
                    violation(
                        `${what} reads from a ${kind} ${show(store)}; Pipeline Service secrets come from the shared ClusterSecretStore`,
                        "Set spec.secretStoreRef to {kind: ClusterSecretStore, name: <pipeline-service:secretStore.name>}",
                    ),
                    r.urn,
                );
                continue;
            }
            const provider = providerUrnOf(r) ?? "";
            const found = store === undefined ? undefined : stores.get(`${provider}|${store}`);
            // A shared store the stack references but declares nowhere (secretStore.manage: false): its conditions belong to
            // its owners (infra-deployments components/cluster-secret-store), and the preview checks that it exists.
            const declaredAnywhere = [...stores.keys()].some((k) => k.endsWith(`|${store}`));
            if (!found && store !== undefined && sharedStoreNamespaces(store) && !declaredAnywhere) continue;
            if (!found) {
                report(
                    violation(
                        `${what} references ClusterSecretStore ${show(store)}, which this stack does not declare on the cluster of provider '${urnName(provider)}'`,
                        "Reference the store the cluster's ExternalSecrets component creates (pipeline-service:secretStore.name), or declare that store",
                    ),
                    r.urn,
                );
                continue;
            }
            if (!found.conditions.length) {
                report(
                    violation(
                        `${what} uses ClusterSecretStore '${store}', which has no spec.conditions and so serves every namespace of the cluster`,
                        `List the consumer namespaces, ${namespace} included, in the store's spec.conditions[].namespaces (buildClusterSecretStore in components/externalSecrets.ts)`,
                    ),
                    r.urn,
                );
            } else if (known(() => !found.conditions.some((c) => conditionAllows(c, namespace)), false)) {
                report(
                    violation(
                        `${what} is in namespace '${namespace}', which ClusterSecretStore '${store}' does not list in spec.conditions, so ESO will not sync it`,
                        `Add '${namespace}' to the store's consumer namespaces (consumerNamespaces of ExternalSecrets in components/computeCluster.ts)`,
                    ),
                    r.urn,
                );
            }
        }
    },
};

export default policy;
