/**
 * ExternalSecret builders shared by every component that reads a secret from the platform's secret store
 * (PaC, Chains, Results, the gateway, the kcp syncer).
 *
 * API: `external-secrets.io/v1` (infra-deployments HEAD; the pinned ESO CRDs serve only v1). Sources:
 * infra-deployments `components/pipeline-service/base/external-secrets/openshift-pipelines/*.yaml`; inventory §2.10,
 * constraints 24–27.
 */
import { ARGOCD_SKIP_DRY_RUN, awaitAnnotations, CustomResourceSpec, labels, Readiness } from "./k8s.js";

/** The External Secrets API version every ExternalSecret and ClusterSecretStore uses. */
export const ESO_API = "external-secrets.io/v1";

/** Inputs of {@link buildExternalSecret}. */
export interface ExternalSecretArgs {
    /** `metadata.name` of the ExternalSecret. */
    name: string;
    /** Its namespace; must be admitted by the store's `conditions` (constraint 25). */
    namespace: string;
    /** The ClusterSecretStore it reads from. */
    storeName: string;
    /** Full Vault key (`<prefix>/...`, see {@link vaultKey}). */
    key: string;
    /** ESO refresh interval, a Go duration such as `5m`. */
    refreshInterval: string;
    /** `spec.target` (name, creationPolicy, template, ...). */
    target: Record<string, unknown>;
    /** How the provider waits for it (`condition=Ready` when readiness is on). */
    readiness: Readiness;
}

/**
 * An ExternalSecret that extracts every property of one Vault key into a Secret. Sync wave -1, so the Secret exists
 * before the workloads that mount it; SkipDryRunOnMissingResource because ESO installs the CRD (constraint 19).
 */
export function buildExternalSecret(a: ExternalSecretArgs): CustomResourceSpec {
    return {
        apiVersion: ESO_API,
        kind: "ExternalSecret",
        metadata: {
            name: a.name,
            namespace: a.namespace,
            labels: labels(),
            annotations: {
                ...ARGOCD_SKIP_DRY_RUN,
                "argocd.argoproj.io/sync-wave": "-1",
                ...awaitAnnotations(a.readiness, "condition=Ready"),
            },
        },
        spec: {
            refreshInterval: a.refreshInterval,
            secretStoreRef: { kind: "ClusterSecretStore", name: a.storeName },
            dataFrom: [{ extract: { key: a.key } }],
            target: a.target,
        },
    };
}

/**
 * `<prefix>/<key>` unless the key is already absolute (starts with the prefix). Trailing slashes of the prefix and
 * leading slashes of the key are dropped: `vaultKey("a/b/", "/c")` is `a/b/c`.
 *
 * A prefix ending in `.` names keys of a store of kind `kubernetes`, whose keys are Secret names and cannot contain
 * `/` (ESO pkg/provider/kubernetes/client.go@v0.16.2 GetSecretMap reads the Secret named by the key): the key's `/`
 * become `.`, so `vaultKey("local.", "compute-1/kcp-syncer")` is `local.compute-1.kcp-syncer`.
 */
export function vaultKey(prefix: string, key: string): string {
    if (prefix.endsWith(".")) {
        const k = key.replace(/^\/+/, "").replace(/\//g, ".");
        return k.startsWith(prefix) ? k : `${prefix}${k}`;
    }
    const p = prefix.replace(/\/+$/, "");
    return key.startsWith(`${p}/`) ? key : `${p}/${key.replace(/^\/+/, "")}`;
}
