/**
 * The ClusterSecretStores other teams own on RHTAP clusters. Pure data: the policy pack and the components both import
 * it. A program that references one of these must not take it over; one that manages a store of such a name must
 * admit every namespace upstream's store admits (never narrowing it), or the other services lose their secrets.
 *
 * Source: infra-deployments components/cluster-secret-store/base/appsre-stonesoup-vault-secret-store.yaml and
 * appsre-vault-secret-store.yml @a601cbe7 (`spec.conditions[0].namespaces`), upstream-conformance §1.6.
 */
export const SHARED_SECRET_STORES: Readonly<Record<string, readonly string[]>> = Object.freeze({
    "appsre-stonesoup-vault": Object.freeze([
        "dora-metrics",
        "application-service",
        "appstudio-workload-monitoring",
        "spi-system",
        "group-sync-operator",
        "build-templates",
        "build-templates-e2e",
        "build-service",
        "tekton-ci",
        "image-controller",
        "multi-platform-controller",
        "jvm-build-service",
        "openshift-logging",
        "sprayproxy",
        "appstudio-monitoring",
        "openshift-pipelines",
        "rhtap-servicerelease-tenant",
        "rhtap-build-tenant",
        "rhtap-o11y-tenant",
        "admin-checker",
        "integration-service",
    ]),
    "appsre-vault": Object.freeze(["tekton-results", "gitops", "spi-system", "remotesecret", "openshift-adp"]),
});

/** The namespaces upstream's shared store `name` admits, or undefined when `name` is not a known shared store. */
export function sharedStoreNamespaces(name: string): readonly string[] | undefined {
    return Object.prototype.hasOwnProperty.call(SHARED_SECRET_STORES, name) ? SHARED_SECRET_STORES[name] : undefined;
}
