/**
 * Fixture resources built by the program's own pure builders (components/*.ts) from the resolved stack
 * configuration of Pulumi.prod.yaml / Pulumi.dev.yaml, so an allowed fixture is what the program deploys.
 */
import { buildRootApplication, GITOPS_SUBSCRIPTION } from "../../../components/argocd.js";
import { buildClusterSecretStore } from "../../../lib/clusterSecretStores.js";
import { buildExternalSecret, vaultKey } from "../../../lib/externalSecret.js";
import { buildSyncTarget, buildSyncerRules } from "../../../components/kcpSyncer.js";
import { buildCatalogSource, buildTektonConfig } from "../../../components/openshiftPipelines.js";
import { buildSubscription } from "../../../components/operatorSubscription.js";
import { buildResultSpec } from "../../../components/tektonResults.js";
import { PipelineServiceConfig, resolveConfig, ResolvedCluster, Settings } from "../../../lib/config.js";
import { CustomResourceSpec, PIPELINES_NAMESPACE } from "../../../lib/k8s.js";
import { clusterSyncerNamespace, syncTargetName } from "../../../lib/naming.js";
import { deserialized, type ProviderInput, type ResourceInput, type StackResourceInput } from "./harness.js";
import { stackValues } from "./program.js";

export const PROD: PipelineServiceConfig = resolveConfig("prod", stackValues("prod"));
export const DEV: PipelineServiceConfig = resolveConfig("dev", stackValues("dev"));

export function clusterOf(cfg: PipelineServiceConfig, name: string): ResolvedCluster {
    const c = cfg.clusters.find((x) => x.name === name);
    if (!c) throw new Error(`no cluster ${name} in stack ${cfg.stack}`);
    return c;
}

/** The first prod cluster (stone-prd-rh01) and the internal one with its own GitHub App (stone-prod-p01). */
export const PROD_RH01 = clusterOf(PROD, "stone-prd-rh01");
export const PROD_P01 = clusterOf(PROD, "stone-prod-p01");
export const DEV_PLNSVC = clusterOf(DEV, "plnsvc");

/** An explicit provider for a compute cluster, shaped as the engine describes it. */
export function clusterProvider(cluster: string, stack = "prod"): ProviderInput {
    return {
        urn: `urn:pulumi:${stack}::pipeline-service::pipeline-service:cluster:ComputeCluster$pulumi:providers:kubernetes::${cluster}-k8s`,
        name: `${cluster}-k8s`,
        type: "pulumi:providers:kubernetes",
        props: { clusterIdentifier: cluster, enableServerSideApply: "true" },
    };
}

/** A custom resource description as the policy runtime sees it (`kubernetes:<apiVersion>:<kind>`). */
export function cr(
    spec: CustomResourceSpec,
    name = spec.metadata.name,
    provider: ProviderInput = clusterProvider("stone-prd-rh01"),
): ResourceInput {
    return {
        type: `kubernetes:${spec.apiVersion}:${spec.kind}`,
        name,
        props: deserialized({
            apiVersion: spec.apiVersion,
            kind: spec.kind,
            metadata: spec.metadata,
            spec: spec.spec,
        }) as Record<string, unknown>,
        provider,
    };
}

/** A copy of `input` with `mutate` applied to a deep copy of its props. */
export function edit<T extends ResourceInput>(input: T, mutate: (props: any) => void): T {
    const props = deserialized(input.props);
    mutate(props);
    return { ...input, props };
}

export function tektonConfig(c: ResolvedCluster = PROD_RH01, chainsGenerateSigningSecret = false): ResourceInput {
    const s = c.settings;
    return cr(
        buildTektonConfig(s, buildResultSpec(s), s.readiness, chainsGenerateSigningSecret),
        "config",
        clusterProvider(c.name),
    );
}

export function catalogSource(s: Settings = PROD_RH01.settings): ResourceInput {
    return cr(buildCatalogSource(s.osp, s.readiness));
}

export function ospSubscription(s: Settings = PROD_RH01.settings): ResourceInput {
    const sub = s.osp.subscription;
    return cr(
        buildSubscription({
            name: sub.name,
            namespace: sub.namespace,
            package: sub.package,
            channel: sub.channel,
            source: s.osp.catalog.name,
            sourceNamespace: s.osp.catalog.namespace,
            installPlanApproval: sub.installPlanApproval,
            startingCSV: sub.startingCSV,
            readiness: s.readiness,
        }),
    );
}

/** The OpenShift GitOps Subscription exactly as components/argocd.ts declares it. */
export function gitopsSubscription(s: Settings = PROD_RH01.settings): ResourceInput {
    return cr(buildSubscription({ ...GITOPS_SUBSCRIPTION, readiness: s.readiness }));
}

export function rootApplication(s: Settings = PROD_RH01.settings): ResourceInput {
    return cr(buildRootApplication(s.gitops));
}

/** The consumer namespaces ComputeCluster gives the store (PaC, the gateway's on the host, the syncer's). */
export function consumerNamespaces(c: ResolvedCluster, extra: string[] = []): string[] {
    const out = [PIPELINES_NAMESPACE, ...extra];
    if (c.settings.kcp.enabled) out.push(clusterSyncerNamespace(c.name, c.settings.kcp.workspace));
    return out;
}

export function clusterSecretStore(c: ResolvedCluster = PROD_RH01, extra: string[] = []): ResourceInput {
    return cr(
        buildClusterSecretStore(c.settings.secretStore, consumerNamespaces(c, extra)),
        c.settings.secretStore.name,
        clusterProvider(c.name),
    );
}

/** `pipelines-as-code-secret` in openshift-pipelines, as components/externalSecrets.ts declares it. */
export function pacExternalSecret(c: ResolvedCluster = PROD_RH01, namespace = PIPELINES_NAMESPACE): ResourceInput {
    const s = c.settings;
    return cr(
        buildExternalSecret({
            name: "pipelines-as-code-secret",
            namespace,
            storeName: s.secretStore.name,
            key: vaultKey(s.secretStore.keyPrefix, "github-app"),
            refreshInterval: s.secrets.pacRefreshInterval,
            target: { name: "pipelines-as-code-secret", creationPolicy: "Owner", deletionPolicy: "Delete" },
            readiness: s.readiness,
        }),
        "pipelines-as-code-secret",
        clusterProvider(c.name),
    );
}

/** The Chains signing-key ExternalSecret, as components/externalSecrets.ts declares it. */
export function chainsSigningExternalSecret(c: ResolvedCluster = PROD_RH01): ResourceInput {
    const s = c.settings;
    return cr(
        buildExternalSecret({
            name: "tekton-chains-signing-secret",
            namespace: PIPELINES_NAMESPACE,
            storeName: s.secretStore.name,
            key: vaultKey(s.secretStore.keyPrefix, `${c.name}/chains-signing-secret`),
            refreshInterval: s.secrets.chainsRefreshInterval,
            target: {
                name: "signing-secrets",
                creationPolicy: "Orphan",
                template: { metadata: { annotations: { "argocd.argoproj.io/sync-options": "Prune=false" } } },
            },
            readiness: s.readiness,
        }),
        "tekton-chains-signing-secret",
        clusterProvider(c.name),
    );
}

export function syncTarget(clusterName: string): ResourceInput {
    return cr(buildSyncTarget(clusterName), syncTargetName(clusterName), {
        urn: "urn:pulumi:prod::pipeline-service::pulumi:providers:kubernetes::kcp",
        name: "kcp",
        props: { context: "kcp-prod" },
    });
}

/** The syncer's ClusterRole as components/kcpSyncer.ts declares it. */
export function syncerClusterRole(resources: string[], c: ResolvedCluster = PROD_RH01): ResourceInput {
    return {
        type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
        name: `${c.name}-syncer-role`,
        props: deserialized({
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: `kcp-syncer-${syncTargetName(c.name)}` },
            rules: buildSyncerRules(resources),
        }) as Record<string, unknown>,
        provider: clusterProvider(c.name),
    };
}

/** Turn resource fixtures into stack resources with distinct URNs (and optional parents). */
export function asStack(items: (ResourceInput & { parent?: string })[]): StackResourceInput[] {
    return items.map((r, i) => ({
        ...r,
        urn: r.urn ?? `urn:pulumi:prod::pipeline-service::${r.type}::${r.name ?? "r"}-${i}`,
    }));
}
