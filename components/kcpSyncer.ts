/**
 * The kcp syncer for one compute cluster (Phase 1), declared as `kubectl kcp workload sync` v0.11.0 renders it for
 * the same inputs, on both sides (kcp-dev/kcp `pkg/cliplugins/workload/plugin/sync.go` and `syncer.yaml` @v0.11.0):
 *
 * - in the kcp workspace (the kcp provider): the SyncTarget, and the syncer's identity there: a ServiceAccount in the
 *   `default` namespace, a ClusterRole (`sync` and `get`/`list`/`watch` on its SyncTarget, `get` on
 *   `synctargets/tunnel`, `update`/`patch` on `synctargets/status`, `apiresourceimports`) and its ClusterRoleBinding,
 *   all owned by the SyncTarget (sync.go `enableSyncerForWorkspace`);
 * - on the compute cluster: the Namespace, ServiceAccount (and its `-token` Secret), ClusterRole with the template's
 *   rules (namespaces incl. delete, endpoints get, CRDs, networkpolicies, `*` on the synced resources plus secrets and
 *   configmaps), ClusterRoleBinding, the namespaced DNS Role/RoleBinding, the kubeconfig Secret and the Deployment
 *   (env `NAMESPACE`, `--api-import-poll-interval`, `--downstream-namespace-clean-delay`, QPS 20 / Burst 30,
 *   `--dns-image`, a kcp server URL without any path).
 *
 * Every object comes from a pure `build*` function; test/e2e/kcp-conformance.test.ts compares them field by field
 * with what the real `kubectl-kcp` v0.11.0 renders, and lists every deliberate difference with its reason.
 *
 * Credentials (`kcp.credentials`): by default the program creates a `kubernetes.io/service-account-token` Secret for
 * the kcp-side ServiceAccount, reads its token as a Pulumi secret and writes the syncer's kubeconfig Secret from it
 * (a secret in state and outputs). `externalSecret` renders the kubeconfig from the Vault key
 * `<prefix>/<cluster>/kcp-syncer` (`token`, `ca.crt`) instead.
 *
 * Consumers: {@link KcpConsumerWorkspace} gives a tenant workspace the APIBinding and Placement that
 * `kubectl kcp bind compute` v0.11.0 creates (`pkg/cliplugins/bind/plugin/bind_compute.go`).
 *
 * Type tokens: `pipeline-service:kcp:KcpSyncer`, `pipeline-service:kcp:KcpConsumerWorkspace`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import YAML from "yaml";
import { KubeconfigRef, Settings } from "../lib/config.js";
import { buildExternalSecret, vaultKey } from "../lib/externalSecret.js";
import {
    awaitAnnotations,
    customResource,
    CustomResourceSpec,
    labels,
    Readiness,
    Resources,
    RESTRICTED_SECURITY_CONTEXT,
    restrictedPodSecurityContext,
} from "../lib/k8s.js";
import {
    apiBindingName,
    clusterSyncerNamespace,
    placementName,
    POOL_LABEL,
    syncerDnsId,
    syncTargetName,
} from "../lib/naming.js";

type Rule = k8s.types.input.rbac.v1.PolicyRule;

/**
 * The generator's defaults (sync.go `NewSyncOptions` @v0.11.0): one replica, the kcp-side ServiceAccount in the
 * `default` namespace, QPS 20, Burst 30, API import poll interval 1m, downstream namespace clean delay 30s (rendered
 * with Go's `time.Duration.String()`), and the Secret key `kubeconfig` (`SyncerSecretConfigKey`).
 */
export const SYNCER_DEFAULTS = Object.freeze({
    replicas: 1,
    kcpNamespace: "default",
    qps: 20,
    burst: 30,
    apiImportPollInterval: "1m0s",
    downstreamNamespaceCleanDelay: "30s",
    secretConfigKey: "kubeconfig",
});

/** Requests and limits (constraint 36); the generator sets none. */
export const SYNCER_RESOURCES: Resources = {
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { cpu: "1", memory: "512Mi" },
};

/** The names of one syncer's objects. The generator names every object with the syncer ID (sync.go `renderSyncerResources`). */
export interface SyncerNames {
    /** The SyncTarget's name in kcp. */
    syncTarget: string;
    /** The syncer ID: the compute-side Namespace and the name of every syncer object, in kcp and downstream. */
    id: string;
    /** The DNS Role/RoleBinding name (`kcp-dns-...`). */
    dnsId: string;
    /** The kcp-side ServiceAccount's namespace (`--kcp-namespace`, default `default`). */
    kcpNamespace: string;
}

export function syncerNames(clusterName: string, workspace: string): SyncerNames {
    const id = clusterSyncerNamespace(clusterName, workspace);
    return {
        syncTarget: syncTargetName(clusterName),
        id,
        dnsId: syncerDnsId(id),
        kcpNamespace: SYNCER_DEFAULTS.kcpNamespace,
    };
}

/** `pipelineruns.tekton.dev` → group `tekton.dev`, resource `pipelineruns`; `services` → core group. */
export function splitResource(r: string): { group: string; resource: string } {
    const dot = r.indexOf(".");
    return dot < 0 ? { group: "", resource: r } : { group: r.slice(dot + 1), resource: r.slice(0, dot) };
}

/**
 * The kcp server URL the syncer's kubeconfig uses: scheme, host and port, without any path (the syncer uses
 * cluster-aware clients, so a `/clusters/<workspace>` path makes it fail to find its SyncTarget), and with the port
 * made explicit (443/80), as sync.go:239-268@v0.11.0 does.
 */
export function syncerServerUrl(url: string): string {
    const u = new URL(url);
    const port = u.port || (u.protocol === "https:" ? "443" : "80");
    return `${u.protocol}//${u.hostname.includes(":") ? `[${u.hostname}]` : u.hostname}:${port}`;
}

/** What a kubeconfig says about kcp: the current (or given) context's server without its path, and its CA. */
export interface KcpEndpoint {
    serverUrl?: string;
    /** Base64 PEM (`certificate-authority-data`). */
    caData?: string;
}

/** The kcp endpoint of a kubeconfig's text, for `context` (default: its current context). Pure. */
export function kcpEndpointOf(kubeconfig: string, context?: string): KcpEndpoint {
    const doc = YAML.parse(kubeconfig) as {
        "current-context"?: string;
        contexts?: { name: string; context?: { cluster?: string } }[];
        clusters?: { name: string; cluster?: { server?: string; "certificate-authority-data"?: string } }[];
    } | null;
    const ctx = doc?.contexts?.find((c) => c.name === (context ?? doc?.["current-context"]));
    const cluster = doc?.clusters?.find((c) => c.name === ctx?.context?.cluster)?.cluster;
    if (!cluster?.server) return {};
    return { serverUrl: syncerServerUrl(cluster.server), caData: cluster["certificate-authority-data"] };
}

/**
 * The kcp endpoint of a review render (`npm run render`): a reserved `.invalid` host (RFC 6761), so that rendered
 * manifests do not depend on the machine's kubeconfig. It can only appear in the syncer's kubeconfig Secret, whose
 * data the render redacts; a render is never applied (gitops delivery reads the real kubeconfig).
 */
export const RENDER_KCP_ENDPOINT: KcpEndpoint = { serverUrl: "https://kcp.render.invalid:443" };

/** The kcp endpoint from a kcpKubeconfig reference with a file (`path`, relative to `root`); undefined otherwise. */
export function kcpEndpointFromFile(ref: KubeconfigRef | undefined, root: string): KcpEndpoint | undefined {
    if (!ref?.path) return undefined;
    const file = path.resolve(root, ref.path);
    if (!fs.existsSync(file)) return undefined;
    return kcpEndpointOf(fs.readFileSync(file, "utf8"), ref.context);
}

/** The kcp kubeconfig of a consumer workspace: the same credentials, the server `<kcp>/clusters/<workspace>`. Pure. */
export function workspaceKubeconfig(kubeconfig: string, workspace: string, context?: string): string {
    const doc = YAML.parse(kubeconfig) as Record<string, any>;
    const ctxName = context ?? doc["current-context"];
    const ctx = (doc.contexts ?? []).find((c: any) => c.name === ctxName);
    const cluster = (doc.clusters ?? []).find((c: any) => c.name === ctx?.context?.cluster);
    if (!cluster?.cluster?.server) throw new Error(`the kcp kubeconfig has no server for context '${ctxName}'`);
    const base = new URL(cluster.cluster.server);
    const server = `${base.protocol}//${base.host}/clusters/${workspace}`;
    return YAML.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "kcp", cluster: { ...cluster.cluster, server } }],
        users: (doc.users ?? []).filter((u: any) => u.name === ctx.context.user),
        contexts: [{ name: "kcp", context: { cluster: "kcp", user: ctx.context.user } }],
        "current-context": "kcp",
    });
}

// ---------------------------------------------------------------------------------------------------------------
// kcp side

/**
 * The SyncTarget in the kcp workspace (workload.kcp.io/v1alpha1, kcp v0.11; sync.go `applySyncTarget`). With a
 * `pool` (`clusters[].pool`) it carries {@link POOL_LABEL}, which the pool's kcp Location selects it by
 * (components/tenants.ts `buildPoolLocation`). `unschedulable` (a cluster that is draining, `clusters[].state`): kcp
 * places no new workload on it, while what runs there keeps running (workload.kcp.io/v1alpha1 SyncTargetSpec
 * `unschedulable`, kcp pkg/apis/workload/v1alpha1/types_synctarget.go@v0.11.0).
 */
export function buildSyncTarget(clusterName: string, pool?: string, unschedulable = false): CustomResourceSpec {
    const name = syncTargetName(clusterName);
    return {
        apiVersion: "workload.kcp.io/v1alpha1",
        kind: "SyncTarget",
        metadata: {
            name,
            labels: labels(
                { "kuadrant.dev/synctarget": name, "pipeline-service.io/compute-cluster": clusterName.slice(0, 63) },
                pool ? { [POOL_LABEL]: pool } : undefined,
            ),
        },
        spec: { unschedulable, supportedAPIExports: [{ export: "kubernetes" }] },
    };
}

/** The owner references every kcp-side object of the syncer carries (sync.go `syncTargetOwnerReferences`). */
export function syncTargetOwnerReferences(target: {
    name: pulumi.Input<string>;
    uid: pulumi.Input<string>;
}): k8s.types.input.meta.v1.OwnerReference[] {
    return [{ apiVersion: "workload.kcp.io/v1alpha1", kind: "SyncTarget", name: target.name, uid: target.uid }];
}

/** The syncer's rights in kcp, on its own SyncTarget only (sync.go:523-551@v0.11.0). */
export function buildKcpSyncerRules(syncTarget: string): Rule[] {
    return [
        { verbs: ["sync"], apiGroups: ["workload.kcp.io"], resourceNames: [syncTarget], resources: ["synctargets"] },
        {
            verbs: ["get"],
            apiGroups: ["workload.kcp.io"],
            resourceNames: [syncTarget],
            resources: ["synctargets/tunnel"],
        },
        {
            verbs: ["get", "list", "watch"],
            apiGroups: ["workload.kcp.io"],
            resources: ["synctargets"],
            resourceNames: [syncTarget],
        },
        {
            verbs: ["update", "patch"],
            apiGroups: ["workload.kcp.io"],
            resourceNames: [syncTarget],
            resources: ["synctargets/status"],
        },
        {
            verbs: ["get", "create", "update", "delete", "list", "watch"],
            apiGroups: ["apiresource.kcp.io"],
            resources: ["apiresourceimports"],
        },
    ];
}

export function buildKcpServiceAccount(
    n: SyncerNames,
    owners: k8s.types.input.meta.v1.OwnerReference[],
): k8s.core.v1.ServiceAccountArgs {
    return { metadata: { name: n.id, namespace: n.kcpNamespace, labels: labels(), ownerReferences: owners } };
}

/**
 * The token Secret of the kcp-side ServiceAccount. The generator reads the Secret kcp's token controller generated
 * for it (`serviceAccount.Secrets[0]`); the program asks for one by name, as the template does downstream, so the
 * provider waits until the controller has filled `token` and `ca.crt`.
 */
export function buildKcpTokenSecret(n: SyncerNames): k8s.core.v1.SecretArgs {
    return {
        metadata: {
            name: `${n.id}-token`,
            namespace: n.kcpNamespace,
            labels: labels(),
            annotations: { "kubernetes.io/service-account.name": n.id },
        },
        type: "kubernetes.io/service-account-token",
    };
}

export function buildKcpClusterRole(
    n: SyncerNames,
    owners: k8s.types.input.meta.v1.OwnerReference[],
): k8s.rbac.v1.ClusterRoleArgs {
    return {
        metadata: { name: n.id, labels: labels(), ownerReferences: owners },
        rules: buildKcpSyncerRules(n.syncTarget),
    };
}

export function buildKcpClusterRoleBinding(
    n: SyncerNames,
    owners: k8s.types.input.meta.v1.OwnerReference[],
): k8s.rbac.v1.ClusterRoleBindingArgs {
    return {
        metadata: { name: n.id, labels: labels(), ownerReferences: owners },
        subjects: [{ kind: "ServiceAccount", name: n.id, namespace: n.kcpNamespace }],
        roleRef: { kind: "ClusterRole", name: n.id, apiGroup: "rbac.authorization.k8s.io" },
    };
}

// ---------------------------------------------------------------------------------------------------------------
// Compute-cluster side (syncer.yaml @v0.11.0)

/**
 * The resources the syncer gets `*` on downstream, grouped as sync.go `getGroupMappings` does: the synced resources
 * plus `secrets` and `configmaps` ("always needed", sync.go:411), sorted as a set; pods add their subresources.
 */
export function groupMappings(resources: string[]): { apiGroup: string; resources: string[] }[] {
    const all = [...new Set([...resources, "secrets", "configmaps"])].sort();
    const byGroup = new Map<string, string[]>();
    for (const r of all) {
        const { group, resource } = splitResource(r);
        const list = byGroup.get(group) ?? [];
        list.push(resource);
        if (group === "" && resource === "pods") {
            list.push(
                "pods/log",
                "pods/exec",
                "pods/attach",
                "pods/binding",
                "pods/portforward",
                "pods/proxy",
                "pods/ephemeralcontainers",
            );
        }
        byGroup.set(group, list);
    }
    return [...byGroup.entries()]
        .map(([apiGroup, rs]) => ({ apiGroup, resources: rs }))
        .sort((a, b) =>
            a.apiGroup === b.apiGroup
                ? a.resources.join(",") < b.resources.join(",")
                    ? -1
                    : 1
                : a.apiGroup < b.apiGroup
                  ? -1
                  : 1,
        );
}

/** The syncer's ClusterRole rules on the compute cluster (syncer.yaml ClusterRole @v0.11.0). */
export function buildSyncerRules(resources: string[]): Rule[] {
    return [
        { apiGroups: [""], resources: ["namespaces"], verbs: ["create", "get", "list", "watch", "delete"] },
        { apiGroups: [""], resources: ["endpoints"], verbs: ["get"] },
        {
            apiGroups: ["apiextensions.k8s.io"],
            resources: ["customresourcedefinitions"],
            verbs: ["get", "watch", "list"],
        },
        { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["create", "list", "watch"] },
        ...groupMappings(resources).map((g) => ({ apiGroups: [g.apiGroup], resources: g.resources, verbs: ["*"] })),
    ];
}

/** The DNS Role in the syncer's namespace: what the syncer needs to run its DNS Deployment (syncer.yaml Role @v0.11.0). */
export function buildDnsRules(): Rule[] {
    const rw = ["create", "get", "list", "update", "delete", "watch"];
    return [
        { apiGroups: [""], resources: ["serviceaccounts", "services"], verbs: rw },
        { apiGroups: [""], resources: ["endpoints"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["apps"], resources: ["deployments"], verbs: rw },
        { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: rw },
    ];
}

export function buildSyncerNamespace(n: SyncerNames): k8s.core.v1.NamespaceArgs {
    return { metadata: { name: n.id, labels: labels({ "workload.kcp.io/sync-target": n.syncTarget }) } };
}

export function buildSyncerServiceAccount(n: SyncerNames): k8s.core.v1.ServiceAccountArgs {
    return { metadata: { name: n.id, namespace: n.id, labels: labels() } };
}

/** The template's `<sa>-token` Secret of the downstream ServiceAccount. */
export function buildSyncerTokenSecret(n: SyncerNames): k8s.core.v1.SecretArgs {
    return {
        metadata: {
            name: `${n.id}-token`,
            namespace: n.id,
            labels: labels(),
            annotations: { "kubernetes.io/service-account.name": n.id },
        },
        type: "kubernetes.io/service-account-token",
    };
}

export function buildSyncerClusterRole(n: SyncerNames, resources: string[]): k8s.rbac.v1.ClusterRoleArgs {
    return { metadata: { name: n.id, labels: labels() }, rules: buildSyncerRules(resources) };
}

export function buildSyncerClusterRoleBinding(n: SyncerNames): k8s.rbac.v1.ClusterRoleBindingArgs {
    return {
        metadata: { name: n.id, labels: labels() },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: n.id },
        subjects: [{ kind: "ServiceAccount", name: n.id, namespace: n.id }],
    };
}

export function buildDnsRole(n: SyncerNames): k8s.rbac.v1.RoleArgs {
    return { metadata: { name: n.dnsId, namespace: n.id, labels: labels() }, rules: buildDnsRules() };
}

export function buildDnsRoleBinding(n: SyncerNames): k8s.rbac.v1.RoleBindingArgs {
    return {
        metadata: { name: n.dnsId, namespace: n.id, labels: labels() },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: n.dnsId },
        subjects: [{ kind: "ServiceAccount", name: n.id, namespace: n.id }],
    };
}

/** The syncer's kubeconfig for kcp, laid out as syncer.yaml's Secret @v0.11.0 (server without a path). Pure. */
export function buildSyncerKubeconfig(k: {
    serverUrl: string;
    caData: string;
    token: string;
    kcpNamespace?: string;
}): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: default-cluster",
        "  cluster:",
        `    certificate-authority-data: ${k.caData}`,
        `    server: ${syncerServerUrl(k.serverUrl)}`,
        "contexts:",
        "- name: default-context",
        "  context:",
        "    cluster: default-cluster",
        `    namespace: ${k.kcpNamespace ?? SYNCER_DEFAULTS.kcpNamespace}`,
        "    user: default-user",
        "current-context: default-context",
        "users:",
        "- name: default-user",
        "  user:",
        `    token: ${k.token}`,
        "",
    ].join("\n");
}

/** The kubeconfig Secret (name = syncer ID, key `kubeconfig`); `kubeconfig` is a Pulumi secret. */
export function buildKubeconfigSecret(n: SyncerNames, kubeconfig: pulumi.Input<string>): k8s.core.v1.SecretArgs {
    return {
        metadata: { name: n.id, namespace: n.id, labels: labels() },
        type: "Opaque",
        stringData: { [SYNCER_DEFAULTS.secretConfigKey]: pulumi.secret(kubeconfig) },
    };
}

/** `kcp.credentials: externalSecret`: the same kubeconfig rendered by ESO from `<prefix>/<cluster>/kcp-syncer` (`token`, `ca.crt`). */
export function buildKubeconfigExternalSecret(
    n: SyncerNames,
    clusterName: string,
    s: Settings,
    serverUrl: string,
    readiness: Readiness,
): CustomResourceSpec {
    return buildExternalSecret({
        name: n.id,
        namespace: n.id,
        storeName: s.secretStore.name,
        key: vaultKey(s.secretStore.keyPrefix, `${clusterName}/kcp-syncer`),
        refreshInterval: s.secrets.chainsRefreshInterval,
        target: {
            name: n.id,
            creationPolicy: "Owner",
            deletionPolicy: "Delete",
            template: {
                data: {
                    [SYNCER_DEFAULTS.secretConfigKey]: buildSyncerKubeconfig({
                        // Quoted, so the template is YAML before ESO renders it (`{{` would start a flow mapping).
                        serverUrl,
                        caData: "'{{ index . \"ca.crt\" | b64enc }}'",
                        token: '"{{ .token }}"',
                        kcpNamespace: n.kcpNamespace,
                    }),
                },
            },
        },
        readiness,
    });
}

/**
 * The syncer's container args, in the template's order (syncer.yaml @v0.11.0). `--from-cluster` is the workspace
 * path (the generator writes the SyncTarget's logical-cluster name; the syncer accepts both, real-controllers.md §3).
 */
export function syncerArgs(
    target: { name: string; uid: string },
    workspace: string,
    resources: string[],
    image: string,
): string[] {
    return [
        `--from-kubeconfig=/kcp/${SYNCER_DEFAULTS.secretConfigKey}`,
        `--sync-target-name=${target.name}`,
        `--sync-target-uid=${target.uid}`,
        `--from-cluster=${workspace}`,
        `--api-import-poll-interval=${SYNCER_DEFAULTS.apiImportPollInterval}`,
        `--downstream-namespace-clean-delay=${SYNCER_DEFAULTS.downstreamNamespaceCleanDelay}`,
        ...resources.map((r) => `--resources=${r}`),
        `--qps=${SYNCER_DEFAULTS.qps}`,
        `--burst=${SYNCER_DEFAULTS.burst}`,
        `--dns-image=${image}`,
    ];
}

/** The syncer Deployment (syncer.yaml Deployment @v0.11.0), with the restricted securityContext and resources added. */
export function buildSyncerDeployment(
    n: SyncerNames,
    o: { image: string; args: pulumi.Input<string[]>; readiness: Readiness },
): k8s.apps.v1.DeploymentArgs {
    const app = { app: n.id };
    return {
        metadata: { name: n.id, namespace: n.id, labels: labels(app), annotations: awaitAnnotations(o.readiness) },
        spec: {
            replicas: SYNCER_DEFAULTS.replicas,
            strategy: { type: "Recreate" },
            selector: { matchLabels: app },
            template: {
                metadata: { labels: labels(app) },
                spec: {
                    containers: [
                        {
                            name: "kcp-syncer",
                            command: ["/ko-app/syncer"],
                            args: o.args,
                            env: [{ name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }],
                            image: o.image,
                            imagePullPolicy: "IfNotPresent",
                            terminationMessagePolicy: "FallbackToLogsOnError",
                            securityContext: RESTRICTED_SECURITY_CONTEXT,
                            resources: SYNCER_RESOURCES,
                            volumeMounts: [{ name: "kcp-config", mountPath: "/kcp/", readOnly: true }],
                        },
                    ],
                    serviceAccountName: n.id,
                    securityContext: restrictedPodSecurityContext(),
                    volumes: [{ name: "kcp-config", secret: { secretName: n.id, optional: false } }],
                },
            },
        },
    };
}

// ---------------------------------------------------------------------------------------------------------------
// Consumer workspaces (`kubectl kcp bind compute` v0.11.0)

/** The APIBinding to `<computeWorkspace>:kubernetes` in a consumer workspace (bind_compute.go `applyAPIBinding`). */
export function buildComputeApiBinding(computeWorkspace: string): CustomResourceSpec {
    return {
        apiVersion: "apis.kcp.io/v1alpha1",
        kind: "APIBinding",
        metadata: { name: apiBindingName(computeWorkspace, "kubernetes"), labels: labels() },
        spec: { reference: { export: { path: computeWorkspace, name: "kubernetes" } } },
    };
}

/**
 * The Placement onto the compute workspace's SyncTargets, every namespace (bind_compute.go `applyPlacement`): every
 * location by default; with `locationSelector` only the Locations carrying those labels, as `kubectl kcp bind
 * compute <workspace> --location-selectors=<k>=<v>` creates it (the name hashes the selector string the same way).
 */
export function buildComputePlacement(
    computeWorkspace: string,
    locationSelector?: Record<string, string>,
): CustomResourceSpec {
    const selector = locationSelector && Object.keys(locationSelector).length ? locationSelector : undefined;
    // labels.SelectorFromSet(...).String(): `k=v` pairs sorted by key, joined with ','.
    const selectorString = selector
        ? Object.keys(selector)
              .sort()
              .map((k) => `${k}=${selector[k]}`)
              .join(",")
        : "";
    return {
        apiVersion: "scheduling.kcp.io/v1alpha1",
        kind: "Placement",
        metadata: { name: placementName(computeWorkspace, "", [selectorString]), labels: labels() },
        spec: {
            namespaceSelector: {},
            locationSelectors: [selector ? { matchLabels: { ...selector } } : {}],
            locationWorkspace: computeWorkspace,
            locationResource: { group: "workload.kcp.io", version: "v1alpha1", resource: "synctargets" },
        },
    };
}

// ---------------------------------------------------------------------------------------------------------------
// Components

export interface KcpSyncerArgs {
    /** Provider of the compute cluster. */
    provider: k8s.Provider;
    /** Provider of the kcp (compute) workspace. */
    kcpProvider: k8s.Provider;
    clusterName: string;
    settings: Settings;
    readiness: Readiness;
    /** The kcp endpoint read from the kcp kubeconfig (server without path, CA); `kcp.serverUrl` wins over its server. */
    kcpEndpoint?: KcpEndpoint;
    /** The ClusterSecretStore the kubeconfig ExternalSecret reads from (`kcp.credentials: externalSecret`). */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
    /** The cluster's resource pool (`clusters[].pool`): a label on its SyncTarget. */
    pool?: string;
    /** The cluster is draining: its SyncTarget takes no new workloads. */
    unschedulable?: boolean;
}

export class KcpSyncer extends pulumi.ComponentResource {
    public readonly syncTarget: k8s.apiextensions.CustomResource;
    public readonly syncTargetName: pulumi.Output<string>;
    /** The syncer ID: its namespace and the name of each of its objects. */
    public readonly syncerId: string;
    public readonly kcpServiceAccount: k8s.core.v1.ServiceAccount;
    public readonly kcpTokenSecret?: k8s.core.v1.Secret;
    public readonly kcpClusterRole: k8s.rbac.v1.ClusterRole;
    public readonly kcpClusterRoleBinding: k8s.rbac.v1.ClusterRoleBinding;
    public readonly namespace: k8s.core.v1.Namespace;
    public readonly serviceAccount: k8s.core.v1.ServiceAccount;
    public readonly serviceAccountToken: k8s.core.v1.Secret;
    public readonly clusterRole: k8s.rbac.v1.ClusterRole;
    public readonly clusterRoleBinding: k8s.rbac.v1.ClusterRoleBinding;
    public readonly dnsRole: k8s.rbac.v1.Role;
    public readonly dnsRoleBinding: k8s.rbac.v1.RoleBinding;
    public readonly kubeconfigSecret: k8s.core.v1.Secret | k8s.apiextensions.CustomResource;
    public readonly deployment: k8s.apps.v1.Deployment;

    constructor(name: string, args: KcpSyncerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-service:kcp:KcpSyncer", name, {}, opts);
        const { provider, kcpProvider, settings: s, readiness } = args;
        const kcp = s.kcp;
        const n = syncerNames(args.clusterName, kcp.workspace);
        this.syncerId = n.id;
        const down = { parent: this, provider };
        const up = { parent: this, provider: kcpProvider };
        const serverUrl = kcp.serverUrl ?? args.kcpEndpoint?.serverUrl;
        if (!serverUrl) {
            throw new Error(
                `cluster ${args.clusterName}: no kcp server URL: kcpKubeconfig names no readable file with a server for its ` +
                    `context, so set pipeline-service:kcp.serverUrl (https://<host>:<port>) or point kcpKubeconfig.path at the kcp kubeconfig ` +
                    `(on the embedded default, run npm run cluster -- up first).`,
            );
        }

        // kcp side
        this.syncTarget = customResource(
            `${name}-synctarget`,
            buildSyncTarget(args.clusterName, args.pool, args.unschedulable),
            up,
        );
        this.syncTargetName = this.syncTarget.metadata.name;
        const owners = syncTargetOwnerReferences({
            name: this.syncTarget.metadata.name,
            uid: this.syncTarget.metadata.uid,
        });
        this.kcpServiceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-kcp-sa`,
            buildKcpServiceAccount(n, owners),
            up,
        );
        this.kcpClusterRole = new k8s.rbac.v1.ClusterRole(`${name}-kcp-role`, buildKcpClusterRole(n, owners), up);
        this.kcpClusterRoleBinding = new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-kcp-binding`,
            buildKcpClusterRoleBinding(n, owners),
            { ...up, dependsOn: [this.kcpServiceAccount, this.kcpClusterRole] },
        );

        // compute-cluster side
        this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, buildSyncerNamespace(n), down);
        const inNs = { ...down, dependsOn: [this.namespace] };
        this.serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-sa`, buildSyncerServiceAccount(n), inNs);
        this.serviceAccountToken = new k8s.core.v1.Secret(`${name}-sa-token`, buildSyncerTokenSecret(n), {
            ...down,
            dependsOn: [this.namespace, this.serviceAccount],
        });
        this.clusterRole = new k8s.rbac.v1.ClusterRole(`${name}-role`, buildSyncerClusterRole(n, kcp.resources), down);
        this.clusterRoleBinding = new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-binding`,
            buildSyncerClusterRoleBinding(n),
            { ...down, dependsOn: [this.clusterRole, this.serviceAccount] },
        );
        this.dnsRole = new k8s.rbac.v1.Role(`${name}-dns-role`, buildDnsRole(n), inNs);
        this.dnsRoleBinding = new k8s.rbac.v1.RoleBinding(`${name}-dns-binding`, buildDnsRoleBinding(n), {
            ...down,
            dependsOn: [this.namespace, this.dnsRole, this.serviceAccount],
        });

        if (kcp.credentials === "externalSecret") {
            this.kubeconfigSecret = customResource(
                `${name}-kubeconfig`,
                buildKubeconfigExternalSecret(n, args.clusterName, s, serverUrl, readiness),
                { ...down, dependsOn: [this.namespace, ...((args.dependsOn ?? []) as pulumi.Resource[])] },
            );
        } else {
            // Not marked skipAwait: the provider waits until kcp's token controller has filled `token` (and `ca.crt`).
            this.kcpTokenSecret = new k8s.core.v1.Secret(`${name}-kcp-token`, buildKcpTokenSecret(n), {
                ...up,
                dependsOn: [this.kcpServiceAccount],
            });
            const data = this.kcpTokenSecret.data;
            const kubeconfig = pulumi.secret(
                data.apply((d) =>
                    buildSyncerKubeconfig({
                        serverUrl,
                        caData: args.kcpEndpoint?.caData ?? d?.["ca.crt"] ?? "",
                        token: Buffer.from(d?.token ?? "", "base64").toString("utf8"),
                        kcpNamespace: n.kcpNamespace,
                    }),
                ),
            );
            this.kubeconfigSecret = new k8s.core.v1.Secret(`${name}-kubeconfig`, buildKubeconfigSecret(n, kubeconfig), {
                ...inNs,
                additionalSecretOutputs: ["data", "stringData"],
            });
        }

        const podArgs = pulumi
            .all([this.syncTarget.metadata.name, this.syncTarget.metadata.uid])
            .apply(([st, uid]) => syncerArgs({ name: st, uid }, kcp.workspace, kcp.resources, kcp.syncerImage));
        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            buildSyncerDeployment(n, { image: kcp.syncerImage, args: podArgs, readiness }),
            {
                ...down,
                dependsOn: [
                    this.namespace,
                    this.kubeconfigSecret,
                    this.clusterRoleBinding,
                    this.dnsRoleBinding,
                    this.kcpClusterRoleBinding,
                ],
            },
        );

        this.registerOutputs({
            syncTarget: this.syncTarget,
            syncTargetName: this.syncTargetName,
            syncerId: this.syncerId,
            kcpServiceAccount: this.kcpServiceAccount,
            kcpTokenSecret: this.kcpTokenSecret,
            kcpClusterRole: this.kcpClusterRole,
            kcpClusterRoleBinding: this.kcpClusterRoleBinding,
            namespace: this.namespace,
            serviceAccount: this.serviceAccount,
            serviceAccountToken: this.serviceAccountToken,
            clusterRole: this.clusterRole,
            clusterRoleBinding: this.clusterRoleBinding,
            dnsRole: this.dnsRole,
            dnsRoleBinding: this.dnsRoleBinding,
            kubeconfigSecret: this.kubeconfigSecret,
            deployment: this.deployment,
        });
    }
}

export interface KcpConsumerWorkspaceArgs {
    /** Provider whose server is `<kcp>/clusters/<workspace>`. */
    provider: k8s.Provider;
    /** The tenant workspace path. */
    workspace: string;
    /** The compute workspace whose `kubernetes` APIExport and SyncTargets it uses (`kcp.workspace`). */
    computeWorkspace: string;
    /** Labels of the Locations the Placement selects (a tenant's pool); default: every Location. */
    locationSelector?: Record<string, string>;
}

/** One tenant workspace bound to the compute workspace: its APIBinding and Placement. */
export class KcpConsumerWorkspace extends pulumi.ComponentResource {
    public readonly apiBinding: k8s.apiextensions.CustomResource;
    public readonly placement: k8s.apiextensions.CustomResource;

    constructor(name: string, args: KcpConsumerWorkspaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-service:kcp:KcpConsumerWorkspace", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        this.apiBinding = customResource(`${name}-apibinding`, buildComputeApiBinding(args.computeWorkspace), child);
        this.placement = customResource(
            `${name}-placement`,
            buildComputePlacement(args.computeWorkspace, args.locationSelector),
            { ...child, dependsOn: [this.apiBinding] },
        );
        this.registerOutputs({ apiBinding: this.apiBinding, placement: this.placement });
    }
}
