/**
 * Secrets for one compute cluster: the ClusterSecretStore (Vault, Kubernetes auth), the GitHub App secret for
 * Pipelines as Code and the per-cluster Chains signing secret, as ExternalSecrets.
 *
 * Type token: `pipeline-service:secrets:ExternalSecrets`.
 * Sources: infra-deployments `components/cluster-secret-store/base/*.yaml` (store and namespace conditions),
 * `components/pipeline-service/base/external-secrets/openshift-pipelines/*.yaml` (ExternalSecrets); inventory §2.10,
 * constraints 24–27. ESO API `external-secrets.io/v1` (infra HEAD; the pinned ESO CRDs serve only v1).
 *
 * In the dev-only `generated` secrets mode (constraint 48), @pulumi/random generates the PaC webhook secret and no
 * ClusterSecretStore is created; the values stay secret Outputs and reach the cluster only as Secret data.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Settings } from "../lib/config.js";
import { awaitAnnotations, customResource, CustomResourceSpec, labels, PIPELINES_NAMESPACE, Readiness } from "../lib/k8s.js";

export const ESO_API = "external-secrets.io/v1";

export interface ExternalSecretArgs {
    name: string;
    namespace: string;
    storeName: string;
    /** Full Vault key (`<prefix>/...`). */
    key: string;
    refreshInterval: string;
    target: Record<string, unknown>;
    readiness: Readiness;
}

/** An ExternalSecret that extracts every property of one Vault key into a Secret. */
export function buildExternalSecret(a: ExternalSecretArgs): CustomResourceSpec {
    return {
        apiVersion: ESO_API,
        kind: "ExternalSecret",
        metadata: {
            name: a.name,
            namespace: a.namespace,
            labels: labels(),
            annotations: {
                "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true",
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

/** The ClusterSecretStore; `namespaces` must cover every ExternalSecret that references it (constraint 25). */
export function buildClusterSecretStore(store: Settings["secretStore"], namespaces: string[]): CustomResourceSpec {
    return {
        apiVersion: ESO_API,
        kind: "ClusterSecretStore",
        metadata: { name: store.name, labels: labels() },
        spec: {
            provider: {
                vault: {
                    server: store.vault.server,
                    path: store.vault.path,
                    version: store.vault.version,
                    auth: {
                        kubernetes: {
                            mountPath: store.vault.authMountPath,
                            role: store.vault.role,
                            serviceAccountRef: { name: "external-secrets", namespace: "external-secrets" },
                        },
                    },
                },
            },
            conditions: [{ namespaces: [...new Set(namespaces)].sort() }],
        },
    };
}

/** `<prefix>/<key>` unless the key is already absolute (starts with the prefix). */
export function vaultKey(prefix: string, key: string): string {
    const p = prefix.replace(/\/+$/, "");
    return key.startsWith(`${p}/`) ? key : `${p}/${key.replace(/^\/+/, "")}`;
}

export interface ExternalSecretsArgs {
    provider: k8s.Provider;
    clusterName: string;
    settings: Settings;
    /** Every namespace with an ExternalSecret on this cluster (PaC, Results, gateway, syncer). */
    consumerNamespaces: string[];
    readiness: Readiness;
    /** The PaC namespace must exist before its ExternalSecret. */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export class ExternalSecrets extends pulumi.ComponentResource {
    public readonly store?: k8s.apiextensions.CustomResource;
    /** `pipelines-as-code-secret` in `openshift-pipelines` (an ExternalSecret, or a Secret in generated mode). */
    public readonly pacSecret: pulumi.CustomResource;
    /** `tekton-chains-signing-secret` → Secret `signing-secrets` (external mode only; dev lets Chains generate it). */
    public readonly chainsSigningSecret?: k8s.apiextensions.CustomResource;
    /** The generated webhook secret (generated mode only), a secret Output. */
    public readonly webhookSecret?: pulumi.Output<string>;
    /** Name of the ClusterSecretStore other components reference. */
    public readonly storeName: pulumi.Output<string>;

    constructor(name: string, args: ExternalSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-service:secrets:ExternalSecrets", name, {}, opts);
        const { provider, settings: s, readiness } = args;
        const child = { parent: this, provider, dependsOn: args.dependsOn };
        const prefix = s.secretStore.keyPrefix;

        if (s.secrets.mode === "generated") {
            const webhook = new random.RandomPassword(`${name}-webhook-secret`, { length: 40, special: false }, { parent: this });
            this.webhookSecret = pulumi.secret(webhook.result);
            this.pacSecret = new k8s.core.v1.Secret(`${name}-pac-secret`, {
                metadata: { name: "pipelines-as-code-secret", namespace: PIPELINES_NAMESPACE, labels: labels() },
                stringData: { "webhook.secret": this.webhookSecret },
            }, child);
            this.storeName = pulumi.output(s.secretStore.name);
        } else {
            this.store = customResource(`${name}-store`, buildClusterSecretStore(s.secretStore, args.consumerNamespaces),
                { parent: this, provider });
            this.storeName = this.store.metadata.name;
            const storeDep = { ...child, dependsOn: [...(args.dependsOn ?? []), this.store] };
            this.pacSecret = customResource(`${name}-pac-secret`, buildExternalSecret({
                name: "pipelines-as-code-secret",
                namespace: PIPELINES_NAMESPACE,
                storeName: s.secretStore.name,
                key: vaultKey(prefix, "github-app"),
                refreshInterval: s.secrets.pacRefreshInterval,
                target: { name: "pipelines-as-code-secret", creationPolicy: "Owner", deletionPolicy: "Delete" },
                readiness,
            }), storeDep);
            // Per cluster, long-lived, never deleted by ESO or Argo CD (constraint 27).
            this.chainsSigningSecret = customResource(`${name}-chains-signing-secret`, buildExternalSecret({
                name: "tekton-chains-signing-secret",
                namespace: PIPELINES_NAMESPACE,
                storeName: s.secretStore.name,
                key: vaultKey(prefix, `${args.clusterName}/chains-signing-secret`),
                refreshInterval: s.secrets.chainsRefreshInterval,
                target: {
                    name: "signing-secrets",
                    creationPolicy: "Orphan",
                    template: { metadata: { annotations: { "argocd.argoproj.io/sync-options": "Prune=false" } } },
                },
                readiness,
            }), storeDep);
        }

        this.registerOutputs({
            store: this.store,
            pacSecret: this.pacSecret,
            chainsSigningSecret: this.chainsSigningSecret,
            webhookSecret: this.webhookSecret,
            storeName: this.storeName,
        });
    }
}
