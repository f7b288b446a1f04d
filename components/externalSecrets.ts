/**
 * Secrets for one compute cluster: the ClusterSecretStores it reads from (referenced, or created where config says
 * this program owns them), optionally the External Secrets operator, the GitHub App secret for Pipelines as Code and
 * the per-cluster Chains signing secret, as ExternalSecrets.
 *
 * Stores (upstream-conformance §1.6): on RHTAP clusters `appsre-stonesoup-vault` and `appsre-vault` are shared by
 * about twenty services and owned by infra-deployments `components/cluster-secret-store`. With
 * `secretStore.manage: false` (the default) they are only referenced: each is read with
 * `CustomResource.get` during preview (not in render mode), so a missing store fails the preview with its name and
 * the cluster's. With `manage: true` the program creates every store the cluster reads from, with appRole auth as
 * upstream (`vault`) or a namespace of Secrets (`kubernetes`, the local control plane), admitting
 * `secretStore.namespaces` plus the program's own consumers.
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
import { clusterStores, referencedStoreNames } from "../lib/clusterSecretStores.js";
import { buildExternalSecret, ESO_API, vaultKey } from "../lib/externalSecret.js";
import {
    buildPacWebhookSecret,
    customResource,
    CustomResourceSpec,
    labels,
    PIPELINES_NAMESPACE,
    Readiness,
} from "../lib/k8s.js";
import { OperatorSubscription, OperatorSubscriptionArgs } from "./operatorSubscription.js";

/**
 * The External Secrets operator through OLM, as infra-deployments
 * components/external-secrets-operator/base/subscription.yaml@a601cbe7: an OperatorGroup targeting its namespace and
 * the Subscription `external-secrets-operator` with Manual approval and a pinned startingCSV. Manual approval waits for
 * a person to approve the InstallPlan, so the Subscription is not awaited (it would never reach AtLatestKnown alone).
 * `namespace` is the operator's Namespace; `subscription` is the {@link OperatorSubscription}'s arguments (it builds the Subscription); `timeoutSeconds` is the
 * stack's readiness timeout.
 */
export function buildEsoOperator(
    o: Settings["externalSecrets"],
    timeoutSeconds = 60,
): {
    namespace: k8s.core.v1.NamespaceArgs;
    operatorGroup: CustomResourceSpec;
    subscription: Omit<OperatorSubscriptionArgs, "provider">;
} {
    return {
        namespace: { metadata: { name: o.namespace, labels: labels() } },
        operatorGroup: {
            apiVersion: "operators.coreos.com/v1",
            kind: "OperatorGroup",
            metadata: {
                name: "external-secrets-operator",
                namespace: o.namespace,
                labels: labels(),
                annotations: { "argocd.argoproj.io/sync-wave": "-3" },
            },
            spec: { targetNamespaces: [o.namespace] },
        },
        subscription: {
            name: "external-secrets-operator",
            namespace: o.namespace,
            package: "external-secrets-operator",
            channel: o.channel,
            source: o.source,
            sourceNamespace: o.sourceNamespace,
            installPlanApproval: "Manual",
            startingCSV: o.startingCSV,
            readiness: { waitFor: false, timeoutSeconds },
        },
    };
}

/**
 * ExternalSecret `tekton-chains-public-key` → Secret `public-key` (the name the `tekton-chains-public-key-viewer`
 * RoleBinding admits), holding ONLY `cosign.pub` of the signing key's Vault entry: `data[].remoteRef.property`, never
 * `dataFrom.extract`, which would copy the private key too. Orphan and Prune=false like the signing secret.
 * Source: infra-deployments components/pipeline-service/base/external-secrets/openshift-pipelines/chains-public-key.yaml@e952b760.
 */
export function buildChainsPublicKeySecret(a: {
    storeName: string;
    key: string;
    refreshInterval: string;
    readiness: Readiness;
}): CustomResourceSpec {
    const es = buildExternalSecret({
        name: "tekton-chains-public-key",
        namespace: PIPELINES_NAMESPACE,
        storeName: a.storeName,
        key: a.key,
        refreshInterval: a.refreshInterval,
        target: {
            name: "public-key",
            creationPolicy: "Orphan",
            template: { metadata: { annotations: { "argocd.argoproj.io/sync-options": "Prune=false" } } },
        },
        readiness: a.readiness,
    });
    const { dataFrom: _all, ...spec } = es.spec as Record<string, unknown>;
    return {
        ...es,
        spec: { ...spec, data: [{ secretKey: "cosign.pub", remoteRef: { key: a.key, property: "cosign.pub" } }] },
    };
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
    /**
     * Read referenced (unmanaged) stores during preview to check they exist. Default: on, except in render mode
     * (`PIPELINE_SERVICE_RENDER_DIR`), where no cluster is reachable.
     */
    checkStoresExist?: boolean;
}

export class ExternalSecrets extends pulumi.ComponentResource {
    /**
     * The store `secretStore.name`: created (`manage: true`), read to check it exists (`manage: false`), or undefined
     * (generated mode, or a reference in render mode). Dependents wait on it.
     */
    public readonly store?: k8s.apiextensions.CustomResource;
    /** Every store this cluster reads from, created or read (see {@link referencedStoreNames}). */
    public readonly stores: k8s.apiextensions.CustomResource[] = [];
    /** The operator's Subscription, when `externalSecrets.installOperator` is true. */
    public readonly operator?: OperatorSubscription;
    /** `pipelines-as-code-secret` in `openshift-pipelines` (an ExternalSecret, or a Secret in generated mode). */
    public readonly pacSecret: pulumi.CustomResource;
    /** `tekton-chains-signing-secret` → Secret `signing-secrets` (external mode only; dev lets Chains generate it). */
    public readonly chainsSigningSecret?: k8s.apiextensions.CustomResource;
    /** `tekton-chains-public-key` → Secret `public-key` with `cosign.pub` only (external mode only). */
    public readonly chainsPublicKey?: k8s.apiextensions.CustomResource;
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
            const webhook = new random.RandomPassword(
                `${name}-webhook-secret`,
                { length: 40, special: false },
                { parent: this },
            );
            this.webhookSecret = pulumi.secret(webhook.result);
            this.pacSecret = new k8s.core.v1.Secret(
                `${name}-pac-secret`,
                buildPacWebhookSecret(PIPELINES_NAMESPACE, this.webhookSecret),
                child,
            );
            this.storeName = pulumi.output(s.secretStore.name);
        } else {
            const operatorDeps: pulumi.Resource[] = [];
            if (s.externalSecrets.installOperator) {
                const o = buildEsoOperator(s.externalSecrets, readiness.timeoutSeconds);
                const ns = new k8s.core.v1.Namespace(`${name}-eso-namespace`, o.namespace, { parent: this, provider });
                const og = customResource(`${name}-eso-operator-group`, o.operatorGroup, {
                    parent: this,
                    provider,
                    dependsOn: [ns],
                });
                this.operator = new OperatorSubscription(
                    `${name}-eso`,
                    { provider, ...o.subscription },
                    { parent: this, dependsOn: [og] },
                );
                operatorDeps.push(this.operator);
            }
            const stores = clusterStores(name, {
                provider,
                clusterName: args.clusterName,
                settings: s,
                storeNames: referencedStoreNames(s),
                consumerNamespaces: args.consumerNamespaces,
                check: args.checkStoresExist ?? !process.env.PIPELINE_SERVICE_RENDER_DIR,
                parent: this,
                dependsOn: operatorDeps,
            });
            this.stores.push(...stores.values());
            this.store = stores.get(s.secretStore.name);
            // A read (get) resource has no metadata output of its own; its id is the store's name.
            this.storeName = !this.store
                ? pulumi.output(s.secretStore.name)
                : s.secretStore.manage
                  ? this.store.metadata.name
                  : this.store.id.apply(() => s.secretStore.name);
            const storeDep = { ...child, dependsOn: [...(args.dependsOn ?? []), ...this.stores] };
            this.pacSecret = customResource(
                `${name}-pac-secret`,
                buildExternalSecret({
                    name: "pipelines-as-code-secret",
                    namespace: PIPELINES_NAMESPACE,
                    storeName: s.secretStore.name,
                    key: vaultKey(prefix, "github-app"),
                    refreshInterval: s.secrets.pacRefreshInterval,
                    target: { name: "pipelines-as-code-secret", creationPolicy: "Owner", deletionPolicy: "Delete" },
                    readiness,
                }),
                storeDep,
            );
            // Per cluster, long-lived, never deleted by ESO or Argo CD (constraint 27).
            this.chainsSigningSecret = customResource(
                `${name}-chains-signing-secret`,
                buildExternalSecret({
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
                }),
                storeDep,
            );
            // Its public half only (property cosign.pub), next to it, also Orphan (infra HEAD chains-public-key.yaml).
            this.chainsPublicKey = customResource(
                `${name}-chains-public-key`,
                buildChainsPublicKeySecret({
                    storeName: s.secretStore.name,
                    key: vaultKey(prefix, `${args.clusterName}/chains-signing-secret`),
                    refreshInterval: s.secrets.chainsRefreshInterval,
                    readiness,
                }),
                storeDep,
            );
        }

        this.registerOutputs({
            store: this.store,
            stores: this.stores,
            operator: this.operator,
            pacSecret: this.pacSecret,
            chainsSigningSecret: this.chainsSigningSecret,
            chainsPublicKey: this.chainsPublicKey,
            webhookSecret: this.webhookSecret,
            storeName: this.storeName,
        });
    }
}
