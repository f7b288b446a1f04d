/**
 * The kcp syncer for one compute cluster (Phase 1): a SyncTarget in the kcp workspace and, on the compute
 * cluster, the syncer's Namespace, ServiceAccount, ClusterRole (limited to the synced resources), binding,
 * kubeconfig Secret and Deployment.
 *
 * Type token: `pipeline-service:kcp:KcpSyncer`.
 * Upstream generated these with `kubectl kcp workload sync` (kcp v0.9–v0.11 template
 * `pkg/cliplugins/workload/plugin/syncer.yaml`) and patched the container with `syncer-patch.yaml`
 * (pipeline-service@kcp `operator/images/kcp-registrar/`; inventory §2.8; constraints 42–44). Here they are
 * declared directly, so Pulumi owns their lifecycle and drift:
 * - the SyncTarget name is the cluster name when at most 43 characters, else its md5 ({@link syncTargetName});
 * - the Deployment takes the SyncTarget's name and UID from the kcp API (`--sync-target-name`, `--sync-target-uid`);
 * - synced resources never include taskruns or runs (rejected by config validation and by the policy pack);
 * - the kubeconfig Secret is rendered by an ExternalSecret from the Vault key `<prefix>/<cluster>/kcp-syncer`
 *   (`token`, `ca.crt`), so no credential passes through Pulumi.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Settings } from "../lib/config.js";
import { awaitAnnotations, customResource, CustomResourceSpec, labels, Readiness, Resources, RESTRICTED_SECURITY_CONTEXT } from "../lib/k8s.js";
import { syncerNamespace, syncTargetName } from "../lib/naming.js";
import { buildExternalSecret, vaultKey } from "./externalSecrets.js";

export const SYNCER_RESOURCES: Resources = {
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { cpu: "1", memory: "512Mi" },
};

/** `pipelineruns.tekton.dev` → group `tekton.dev`, resource `pipelineruns`; `services` → core group. */
export function splitResource(r: string): { group: string; resource: string } {
    const dot = r.indexOf(".");
    return dot < 0 ? { group: "", resource: r } : { group: r.slice(dot + 1), resource: r.slice(0, dot) };
}

/** The SyncTarget in the kcp workspace (workload.kcp.io/v1alpha1, kcp v0.11). */
export function buildSyncTarget(clusterName: string): CustomResourceSpec {
    const name = syncTargetName(clusterName);
    return {
        apiVersion: "workload.kcp.io/v1alpha1",
        kind: "SyncTarget",
        metadata: {
            name,
            labels: labels({ "kuadrant.dev/synctarget": name, "pipeline-service.io/compute-cluster": clusterName.slice(0, 63) }),
        },
        spec: { unschedulable: false, supportedAPIExports: [{ export: "kubernetes" }] },
    };
}

/** ClusterRole rules: namespaces, CRD reads, and full access only to the synced resources (kcp template). */
export function buildSyncerRules(resources: string[]): k8s.types.input.rbac.v1.PolicyRule[] {
    const byGroup = new Map<string, Set<string>>();
    for (const r of resources) {
        const { group, resource } = splitResource(r);
        const set = byGroup.get(group) ?? new Set<string>();
        set.add(resource);
        set.add(`${resource}/status`);
        byGroup.set(group, set);
    }
    return [
        { apiGroups: [""], resources: ["namespaces"], verbs: ["create", "get", "list", "watch"] },
        { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "list", "watch"] },
        ...[...byGroup.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([group, rs]) => ({
            apiGroups: [group],
            resources: [...rs].sort(),
            verbs: ["*"],
        })),
    ];
}

/** The syncer's container args (kcp v0.11 syncer template). */
export function syncerArgs(target: { name: string; uid: string }, workspace: string, resources: string[]): string[] {
    return [
        "--from-kubeconfig=/kcp/kubeconfig",
        `--sync-target-name=${target.name}`,
        `--sync-target-uid=${target.uid}`,
        `--from-cluster=${workspace}`,
        ...resources.map((r) => `--resources=${r}`),
        "--qps=30",
        "--burst=20",
    ];
}

export interface KcpSyncerArgs {
    /** Provider of the compute cluster. */
    provider: k8s.Provider;
    /** Provider of the kcp workspace. */
    kcpProvider: k8s.Provider;
    clusterName: string;
    settings: Settings;
    readiness: Readiness;
    /** The ClusterSecretStore the kubeconfig ExternalSecret reads from. */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export class KcpSyncer extends pulumi.ComponentResource {
    public readonly syncTarget: k8s.apiextensions.CustomResource;
    public readonly syncTargetName: pulumi.Output<string>;
    public readonly namespace: k8s.core.v1.Namespace;
    public readonly serviceAccount: k8s.core.v1.ServiceAccount;
    public readonly clusterRole: k8s.rbac.v1.ClusterRole;
    public readonly kubeconfigSecret: k8s.apiextensions.CustomResource;
    public readonly deployment: k8s.apps.v1.Deployment;

    constructor(name: string, args: KcpSyncerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-service:kcp:KcpSyncer", name, {}, opts);
        const { provider, settings: s, readiness } = args;
        const kcp = s.kcp;
        const child = { parent: this, provider };

        this.syncTarget = customResource(`${name}-synctarget`, buildSyncTarget(args.clusterName),
            { parent: this, provider: args.kcpProvider });
        this.syncTargetName = this.syncTarget.metadata.name;
        const target = syncTargetName(args.clusterName);
        const ns = syncerNamespace(target, kcp.workspace);
        const appName = `kcp-syncer-${target}`.slice(0, 63).replace(/-+$/, "");
        const selector = { "app.kubernetes.io/name": "kcp-syncer", "workload.kcp.io/sync-target": target };

        this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, {
            metadata: { name: ns, labels: labels({ "workload.kcp.io/sync-target": target }) },
        }, child);
        const inNs = { ...child, dependsOn: [this.namespace] };
        this.serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-sa`, {
            metadata: { name: appName, namespace: ns, labels: labels() },
        }, inNs);
        this.clusterRole = new k8s.rbac.v1.ClusterRole(`${name}-role`, {
            metadata: { name: appName, labels: labels() },
            rules: buildSyncerRules(kcp.resources),
        }, child);
        new k8s.rbac.v1.ClusterRoleBinding(`${name}-binding`, {
            metadata: { name: appName, labels: labels() },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: this.clusterRole.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: this.serviceAccount.metadata.name, namespace: ns }],
        }, child);

        const serverUrl = kcp.serverUrl ?? "";
        this.kubeconfigSecret = customResource(`${name}-kubeconfig`, buildExternalSecret({
            name: `${appName}-kubeconfig`.slice(0, 63),
            namespace: ns,
            storeName: s.secretStore.name,
            key: vaultKey(s.secretStore.keyPrefix, `${args.clusterName}/kcp-syncer`),
            refreshInterval: s.secrets.chainsRefreshInterval,
            target: {
                name: "kcp-syncer-kubeconfig",
                creationPolicy: "Owner",
                deletionPolicy: "Delete",
                template: {
                    data: {
                        kubeconfig: [
                            "apiVersion: v1",
                            "kind: Config",
                            "clusters:",
                            `- name: kcp`,
                            `  cluster: {server: "${serverUrl.replace(/\/+$/, "")}/clusters/${kcp.workspace}", certificate-authority-data: "{{ index . \"ca.crt\" | b64enc }}"}`,
                            "users:",
                            "- name: syncer",
                            "  user: {token: \"{{ .token }}\"}",
                            "contexts:",
                            "- name: kcp",
                            "  context: {cluster: kcp, user: syncer}",
                            "current-context: kcp",
                        ].join("\n"),
                    },
                },
            },
            readiness,
        }), { ...inNs, dependsOn: [this.namespace, ...((args.dependsOn ?? []) as pulumi.Resource[])] });

        const podArgs = pulumi.all([this.syncTarget.metadata.name, this.syncTarget.metadata.uid])
            .apply(([n, uid]) => syncerArgs({ name: n, uid }, kcp.workspace, kcp.resources));
        this.deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, {
            metadata: { name: appName, namespace: ns, labels: labels(selector), annotations: awaitAnnotations(readiness) },
            spec: {
                replicas: 1,
                strategy: { type: "Recreate" },
                selector: { matchLabels: selector },
                template: {
                    metadata: { labels: labels(selector) },
                    spec: {
                        serviceAccountName: this.serviceAccount.metadata.name,
                        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                        containers: [{
                            name: "kcp-syncer",
                            image: kcp.syncerImage,
                            command: ["/ko-app/syncer"],
                            args: podArgs,
                            securityContext: RESTRICTED_SECURITY_CONTEXT,
                            resources: SYNCER_RESOURCES,
                            volumeMounts: [{ name: "kcp-config", mountPath: "/kcp", readOnly: true }],
                        }],
                        volumes: [{ name: "kcp-config", secret: { secretName: "kcp-syncer-kubeconfig", optional: false } }],
                    },
                },
            },
        }, { ...inNs, dependsOn: [this.namespace, this.kubeconfigSecret] });

        this.registerOutputs({
            syncTarget: this.syncTarget,
            syncTargetName: this.syncTargetName,
            namespace: this.namespace,
            serviceAccount: this.serviceAccount,
            clusterRole: this.clusterRole,
            kubeconfigSecret: this.kubeconfigSecret,
            deployment: this.deployment,
        });
    }
}
