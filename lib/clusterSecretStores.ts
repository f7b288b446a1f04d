/**
 * The ClusterSecretStores a cluster reads from, shared by the components that create or check them (the compute
 * cluster's ExternalSecrets and the gateway on a host that is not a compute cluster): the builder of a store this
 * program owns, the names a cluster's ExternalSecrets reference, and {@link clusterStores}, which creates or reads
 * them. Upstream-conformance §1.6; infra-deployments components/cluster-secret-store/base/*.yaml@a601cbe7
 * (constraints 24 and 25).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Settings } from "./config.js";
import { ESO_API } from "./externalSecret.js";
import { customResource, CustomResourceSpec, labels } from "./k8s.js";

/**
 * A ClusterSecretStore this program owns (`secretStore.manage: true`). Its conditions admit `secretStore.namespaces`
 * (a shared store's other tenants) plus `namespaces` (every consumer on the cluster, constraint 25), sorted, once.
 * - `vault`: appRole auth with a SecretID Secret, as infra-deployments
 *   components/cluster-secret-store/base/appsre-stonesoup-vault-secret-store.yaml@a601cbe7.
 * - `kubernetes`: ESO's kubernetes provider reading the Secrets of `remoteNamespace` with the kubeconfig in `authRef`
 *   (external-secrets apis/externalsecrets/v1/secretstore_kubernetes_types.go@v0.16.2); the local control plane's.
 */
export function buildClusterSecretStore(
    store: Settings["secretStore"],
    namespaces: string[],
    name = store.name,
): CustomResourceSpec {
    const provider =
        store.provider === "kubernetes"
            ? {
                  kubernetes: {
                      remoteNamespace: store.kubernetes.remoteNamespace,
                      authRef: { ...store.kubernetes.authRef },
                  },
              }
            : {
                  vault: {
                      server: store.vault.server,
                      path: store.vault.path,
                      version: store.vault.version,
                      auth: {
                          appRole: {
                              path: store.vault.appRole.path,
                              roleId: store.vault.appRole.roleId,
                              secretRef: { ...store.vault.appRole.secretRef },
                          },
                      },
                  },
              };
    return {
        apiVersion: ESO_API,
        kind: "ClusterSecretStore",
        metadata: { name, labels: labels() },
        spec: { provider, conditions: [{ namespaces: [...new Set([...store.namespaces, ...namespaces])].sort() }] },
    };
}

/**
 * Every ClusterSecretStore a cluster's ExternalSecrets read from: `secretStore.name` and, when set, Results' own
 * store (`results.secretStore`, e.g. `appsre-vault`, as infra-deployments' Results ExternalSecrets), deduplicated.
 */
export function referencedStoreNames(s: Settings): string[] {
    const rs = (s.results as Record<string, unknown>).secretStore;
    const results =
        typeof rs === "string"
            ? rs
            : rs !== null && typeof rs === "object" && typeof (rs as { name?: unknown }).name === "string"
              ? (rs as { name: string }).name
              : undefined;
    return [...new Set([s.secretStore.name, ...(results ? [results] : [])])];
}

/** Inputs of {@link clusterStores}. */
export interface ClusterStoresArgs {
    provider: k8s.Provider;
    /** The cluster's name, in the logical names of the existence checks. */
    clusterName: string;
    settings: Settings;
    /** Stores to create or check. */
    storeNames: string[];
    /** Every namespace with an ExternalSecret on this cluster; a managed store admits them. */
    consumerNamespaces: string[];
    /** Read unmanaged stores to check they exist (off in render mode). */
    check: boolean;
    parent: pulumi.Resource;
    dependsOn?: pulumi.Resource[];
}

/**
 * The stores of one cluster: created with {@link buildClusterSecretStore} when `secretStore.manage` is true (the
 * primary keeps the logical name `<name>-store`), otherwise read with `CustomResource.get` as
 * `<cluster>-store-ref-<store>`, so a missing store fails the preview naming the store and the cluster; none when
 * `check` is false. Also used by the gateway on a host cluster that is not a compute cluster.
 */
export function clusterStores(name: string, a: ClusterStoresArgs): Map<string, k8s.apiextensions.CustomResource> {
    const out = new Map<string, k8s.apiextensions.CustomResource>();
    const s = a.settings;
    for (const storeName of a.storeNames) {
        if (s.secretStore.manage) {
            out.set(
                storeName,
                customResource(
                    storeName === s.secretStore.name ? `${name}-store` : `${name}-store-${storeName}`,
                    buildClusterSecretStore(s.secretStore, a.consumerNamespaces, storeName),
                    { parent: a.parent, provider: a.provider, dependsOn: a.dependsOn },
                ),
            );
        } else if (a.check) {
            // A read: nothing is applied; a missing store fails the preview, naming this resource (cluster and store).
            out.set(
                storeName,
                k8s.apiextensions.CustomResource.get(`${a.clusterName}-store-ref-${storeName}`, {
                    apiVersion: ESO_API,
                    kind: "ClusterSecretStore",
                    id: storeName,
                    parent: a.parent,
                    provider: a.provider,
                }),
            );
        }
    }
    return out;
}
