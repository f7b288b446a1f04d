/**
 * Pipeline Service: Tekton pipelines as a service on every compute cluster of one environment (stack).
 *
 * 1. Load and validate the stack configuration (lib/config.ts). A bad value stops here, before any resource
 *    is registered.
 * 2. One kubernetes Provider for the kcp workspace (when kcp is enabled), then one ComputeCluster per cluster,
 *    each with its own Provider. Rollout rings: every cluster of ring N+1 waits for all of ring N.
 * 3. The webhook gateway on its host cluster: HAProxy for one cluster, SprayProxy fan-out for several.
 *
 * Fleet lifecycle (lib/fleet.ts, README "Draining and removing a compute cluster"): the configuration is checked
 * against the clusters the stack deployed (its own outputs, passed by the wrapper) before anything is registered; a
 * `draining` cluster's SyncTarget is unschedulable, it leaves the gateway's backends and the update waits until no
 * PipelineRun runs there; a `removed` cluster gets no resources (Pulumi deletes its platform objects, refused while
 * runs are there). Namespaced objects are `deletedWith` their namespace (lib/lifecycle.ts).
 *
 * `delivery.mode` (direct | gitops) decides who applies the platform; see components/computeCluster.ts.
 *
 * Set PIPELINE_SERVICE_RENDER_DIR to render every manifest to that directory instead of applying it (policy
 * audits of dev and prod without cluster access; see README "Policy audits").
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ComputeCluster } from "./components/computeCluster.js";
import {
    KcpConsumerWorkspace,
    kcpEndpointFromFile,
    RENDER_KCP_ENDPOINT,
    workspaceKubeconfig,
} from "./components/kcpSyncer.js";
import { Gateway } from "./components/gateway.js";
import { ResourcePool, Tenant } from "./components/tenants.js";
import { kubeconfigSecret, loadConfig, tenantWorkspace } from "./lib/config.js";
import { patchForceTransformation } from "./lib/k8s.js";
import { PROTECTED_ENVIRONMENTS, protectionTransformation } from "./lib/protection.js";
import { checkFleet, deletedWithNamespaceTransformation } from "./lib/lifecycle.js";
import { drainWait, refuseRemovalWhileRunning } from "./lib/drain.js";
import { drainOffboardedTenants } from "./lib/tenantDrain.js";
import { GATEWAY_NAMESPACE } from "./lib/naming.js";
import { providerArgs } from "./lib/providers.js";
import { fenceFromEnvironment } from "./lib/fencing.js";
import { installSdkStackTraces } from "./lib/stackTraces.js";
import { exitWhenOrphaned } from "./lib/orphanGuard.js";

// Before any resource: the SDK's own bookkeeping captures no stack traces it would throw away (lib/stackTraces.ts).
installSdkStackTraces();
// A program whose CLI was SIGKILLed ends itself instead of running on with no engine (lib/orphanGuard.ts).
exitWhenOrphaned();

const cfg = loadConfig();
// Renames, removals without draining, state transitions and CSV downgrades, against the stack's own outputs.
const recorded = checkFleet(cfg);
/** Every managed Kubernetes object is applied with force (see patchForceTransformation). */
const transformations = [patchForceTransformation];
const renderDirectory = process.env.PIPELINE_SERVICE_RENDER_DIR || undefined;
// Cluster identity fencing (lib/fencing.ts): every compute cluster is the one this stack deployed to, checked
// (bounded) before any resource is registered; the identities are exported as clusters.<name>.identity.
// A cluster recorded as removed may be gone already: it is not asked.
const identities = await fenceFromEnvironment(
    cfg.clusters.filter((c) => !(c.state === "removed" && recorded[c.name]?.state === "removed")),
    renderDirectory,
);
// `state: removed` deletes the TektonConfig: refused while PipelineRuns still run there (bounded, before any change).
await refuseRemovalWhileRunning(cfg.clusters, recorded, renderDirectory);
// A tenant removed from tenants[] is drained first: the update waits (bounded) until none of its PipelineRuns runs.
await drainOffboardedTenants(cfg, renderDirectory);
// A removed cluster gets no resources: Pulumi deletes what the state holds of it (TektonConfig before the
// Subscription, by their recorded dependencies; openshift-pipelines and the signing secret are retained).
const live = cfg.clusters.filter((c) => c.state !== "removed");

// One provider for the kcp workspace when any cluster syncs through kcp (an override may enable it per cluster).
const kcpProvider =
    live.some((c) => c.settings.kcp.enabled) && cfg.kcpKubeconfig
        ? new k8s.Provider("kcp", providerArgs("kcp", cfg.kcpKubeconfig, renderDirectory))
        : undefined;
// The kcp server (without path) and CA the syncer's kubeconfig uses, from the kcp kubeconfig file when there is one
// (as `kubectl kcp workload sync` takes them from the current kubeconfig, kcp sync.go:239-271@v0.11.0).
// A review render (`npm run render`, PIPELINE_SERVICE_RENDER_DIR) reads no machine-specific file: it uses
// RENDER_KCP_ENDPOINT, which appears only inside the kubeconfig Secret the render redacts and is never applied.
const kcpEndpoint = !kcpProvider
    ? undefined
    : renderDirectory
      ? RENDER_KCP_ENDPOINT
      : kcpEndpointFromFile(cfg.kcpKubeconfig, process.cwd());

const byRing = [...live].sort((a, b) => a.ring - b.ring || a.index - b.index);
const deployed = new Map<string, ComputeCluster>();

/**
 * Rollout rings: the gate of ring `ring`, `ring-<ring>-gate`, made when the first cluster of the next ring needs it. A
 * `kubernetes:yaml/v2:ConfigGroup` with no objects (nothing is applied or rendered), on the provider of the ring's
 * first cluster, that depends on every ComputeCluster of the ring; each cluster of the next ring depends on the gate
 * only. The SDK registers the gate once every object of the ring is registered (created, in an `up`), and the next
 * ring's clusters once the gate is, so the rollout order is the one of depending on every object of the ring; the
 * state lists the ring's objects once, on the gate, not once per cluster of the next ring. It is a remote component
 * of the kubernetes provider, not a plain ComponentResource: the SDK expands a plain component into its custom
 * children, so one without children would gate nothing.
 */
const gates = new Map<number, pulumi.Resource>();
function ringGate(ring: number): pulumi.Resource {
    let gate = gates.get(ring);
    if (!gate) {
        const members = byRing.filter((c) => c.ring === ring).map((c) => deployed.get(c.name)!);
        gate = new k8s.yaml.v2.ConfigGroup(
            `ring-${ring}-gate`,
            { objs: [] },
            { provider: members[0]!.provider, dependsOn: members },
        );
        gates.set(ring, gate);
    }
    return gate;
}

// byRing is sorted, so the nearest lower ring (ring numbers may skip) is the ring met before the current one.
let previous: number | undefined;
let current: number | undefined;
for (const cluster of byRing) {
    if (cluster.ring !== current) [previous, current] = [current, cluster.ring];
    const dependsOn = previous === undefined ? [] : [ringGate(previous)];
    deployed.set(
        cluster.name,
        new ComputeCluster(
            cluster.name,
            {
                cluster,
                environment: cfg.environment,
                kcpProvider,
                kcpEndpoint,
                extraSecretNamespaces:
                    cluster.name === cfg.gateway.hostCluster ? [GATEWAY_NAMESPACE[cfg.gateway.mode]] : [],
                renderDirectory,
                delivery: cfg.delivery,
                access: cfg.access,
                // ADR-0009 tenants get their namespaces on the clusters of their pool (components/tenants.ts).
                servesTenants: !cfg.settings.kcp.enabled && cfg.tenants.some((t) => t.pool === cluster.pool),
            },
            {
                dependsOn,
                // Staging and prod protect the objects whose loss hurts (lib/protection.ts); `decommission` lifts it; a
                // draining cluster keeps openshift-pipelines and the signing secret. Then deletedWith their namespace (after
                // the protection, so a retained namespace is seen as retained).
                transformations: [
                    ...transformations,
                    protectionTransformation({
                        environment: cfg.environment,
                        decommission: cluster.decommission,
                        state: cluster.state,
                    }),
                    deletedWithNamespaceTransformation(),
                ],
            },
        ),
    );
    // Let the SDK send this cluster's registrations before the next cluster is built: otherwise every object of the
    // fleet is in flight at once (100 clusters under mocks: peak RSS 1.3 GB, 0.6 GB with this; bench/README.md).
    // The order of registrations is unchanged: cluster by cluster, ring by ring.
    await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Provider args for the kcp workspace `ws`: the kcp kubeconfig's credentials with the server `<kcp>/clusters/<ws>`
 * (a secret when it carries them). With `after`, the kubeconfig waits for that Output, so a provider for a workspace
 * the same update creates is configured only once it exists (unknown, hence not contacted, in a preview).
 */
function workspaceProviderArgs(id: string, ws: string, after?: pulumi.Output<unknown>): k8s.ProviderArgs {
    const ref = cfg.kcpKubeconfig!;
    const args = providerArgs(id, ref, renderDirectory);
    const file = path.resolve(ref.path ?? process.env.KUBECONFIG ?? path.join(os.homedir(), ".kube", "config"));
    // Without the file (the unit suite; a real run fails earlier, on the kcp provider's own kubeconfig) the
    // provider keeps the kcp kubeconfig reference.
    if (!renderDirectory && (ref.secretConfigKey || fs.existsSync(file))) {
        const text = ref.secretConfigKey
            ? kubeconfigSecret(ref.secretConfigKey)
            : pulumi.output(fs.readFileSync(file, "utf8"));
        args.kubeconfig = pulumi.secret(
            pulumi.all([text, after]).apply(([k]) => workspaceKubeconfig(k, ws, ref.context)),
        );
        delete args.context;
    }
    return args;
}
const phase1 = cfg.settings.kcp.enabled && kcpProvider !== undefined && cfg.kcpKubeconfig !== undefined;

// Workspaces bound to the compute workspace that are not tenants (kcp.consumerWorkspaces): an APIBinding and a
// Placement each.
const consumers = phase1
    ? cfg.settings.kcp.consumerWorkspaces.map((ws) => {
          const id = `kcp-${ws.replace(/:/g, "-")}`;
          const provider = new k8s.Provider(id, workspaceProviderArgs(id, ws));
          return new KcpConsumerWorkspace(
              id,
              { provider, workspace: ws, computeWorkspace: cfg.settings.kcp.workspace },
              { dependsOn: [...deployed.values()], transformations },
          );
      })
    : [];

// Resource pools and tenants (components/tenants.ts). Phase 1: a Location per pool in the compute workspace, and per
// tenant a workspace in the platform's workspace (the parent of kcp.workspace) placed on its pool. ADR-0009: per
// tenant a namespace on each cluster of its pool.
const pools =
    phase1 && cfg.tenants.length
        ? new Map(
              cfg.pools.map((p) => [
                  p.name,
                  new ResourcePool(`pool-${p.name}`, { kcpProvider: kcpProvider!, pool: p }, { transformations }),
              ]),
          )
        : new Map<string, ResourcePool>();
const platformWorkspace = cfg.settings.kcp.workspace.slice(0, cfg.settings.kcp.workspace.lastIndexOf(":"));
const platformProvider =
    phase1 && cfg.tenants.length
        ? new k8s.Provider(
              `kcp-${platformWorkspace.replace(/:/g, "-")}`,
              workspaceProviderArgs(`kcp-${platformWorkspace.replace(/:/g, "-")}`, platformWorkspace),
          )
        : undefined;
const tenants = cfg.tenants.map((t) => {
    const ws = tenantWorkspace(cfg.settings.kcp.workspace, t.name);
    const id = `kcp-${ws.replace(/:/g, "-")}`;
    return new Tenant(
        `tenant-${t.name}`,
        {
            tenant: t,
            kcp: phase1
                ? {
                      platformProvider: platformProvider!,
                      computeWorkspace: cfg.settings.kcp.workspace,
                      workspace: ws,
                      providerArgs: (w) => workspaceProviderArgs(id, ws, w.metadata.uid),
                      location: pools.get(t.pool),
                      timeoutSeconds: cfg.settings.readiness.timeoutSeconds,
                  }
                : undefined,
            clusters: phase1
                ? undefined
                : live
                      .filter((c) => c.pool === t.pool)
                      .map((c) => {
                          const cc = deployed.get(c.name)!;
                          return { name: c.name, provider: cc.platformProvider, dependsOn: [cc.access] };
                      }),
        },
        { dependsOn: phase1 ? [...deployed.values()] : [], transformations },
    );
});

// The gateway's host: a compute cluster, or (gateway.hostKubeconfig) a host cluster of its own with its own Provider,
// as upstream ran SprayProxy on the host clusters (infra-deployments argo-cd-apps/base/host/sprayproxy@22396f90).
const separateHost = cfg.gateway.hostKubeconfig
    ? new k8s.Provider(
          `${cfg.gateway.hostCluster}-k8s`,
          providerArgs(cfg.gateway.hostCluster, cfg.gateway.hostKubeconfig, renderDirectory),
      )
    : undefined;
const host = separateHost ? deployed.get(byRing[0]!.name)! : deployed.get(cfg.gateway.hostCluster)!;
const hostSettings = separateHost
    ? cfg.settings
    : cfg.clusters.find((c) => c.name === cfg.gateway.hostCluster)!.settings;
const gateway = new Gateway(
    "gateway",
    {
        // The gateway is platform: in gitops delivery mode it is rendered for Argo CD like the rest (README "GitOps").
        provider: separateHost ?? host.platformProvider,
        mode: cfg.gateway.mode,
        hostname: cfg.gateway.hostname,
        // Only active clusters receive webhooks: a draining one leaves the backends.
        members: cfg.clusters
            .filter((c) => c.state === "active")
            .map((c) => ({ name: c.name, appsDomain: c.appsDomain })),
        settings: hostSettings,
        webhookSecret: host.secrets.webhookSecret,
        readiness: hostSettings.readiness,
        dependsOn: !separateHost && host.secrets.store ? [host.secrets.store] : [],
        separateHost: separateHost ? { hostName: cfg.gateway.hostCluster } : undefined,
    },
    { transformations: [...transformations, deletedWithNamespaceTransformation()] },
);

// Draining: once the SyncTarget is unschedulable and the gateway no longer lists the cluster, wait (bounded) until no
// PipelineRun runs there. The recorded state becomes `draining` only when that wait succeeded.
const drained = new Map(
    live
        .filter((c) => c.state === "draining")
        .map((c) => {
            const cc = deployed.get(c.name)!;
            return [
                c.name,
                drainWait(c, [cc.syncer?.syncTarget.metadata, gateway.deployment.metadata], renderDirectory),
            ];
        }),
);

/**
 * Per cluster: the catalog digest and channel, the Argo CD Application, the SyncTarget, the gateway URL, and what the
 * next run checks against (lib/fleet.ts): the lifecycle state, the expected CSV and whether its objects are protected.
 */
export const clusters = Object.fromEntries(
    cfg.clusters.map((c) => {
        const cc = deployed.get(c.name);
        if (!cc)
            return [
                c.name,
                {
                    ring: c.ring,
                    state: "removed",
                    expectedCsv: "",
                    protected: false,
                    identity: identities[c.name] ?? "",
                },
            ];
        return [
            c.name,
            {
                state: drained.get(c.name)?.apply(() => "draining") ?? c.state,
                expectedCsv: cc.pipelines.expectedCsv,
                protected: PROTECTED_ENVIRONMENTS.has(cfg.environment) && !c.decommission,
                ring: c.ring,
                catalogDigest: cc.catalogDigest,
                channel: cc.channel,
                argoApplication: cc.argoApplication,
                syncTarget: cc.syncTarget,
                gatewayUrl: gateway.url,
                pacUrl: cc.pacUrl,
                identity: identities[c.name] ?? "",
            },
        ];
    }),
);
export const gatewayUrl = gateway.url;
export const gatewayMode = cfg.gateway.mode;
export const gatewayBackends = gateway.backends;
export const environment = cfg.environment;
/** Per tenant workspace bound to the compute workspace: its APIBinding and Placement names. */
export const kcpConsumerWorkspaces = Object.fromEntries(
    consumers.map((c, i) => [
        cfg.settings.kcp.consumerWorkspaces[i]!,
        { apiBinding: c.apiBinding.metadata.name, placement: c.placement.metadata.name },
    ]),
);
/** Per tenant: its pool and where it lives (Phase 1: its kcp workspace; ADR-0009: `<cluster>/<namespace>` per cluster). */
export const tenantsDeployed = Object.fromEntries(
    tenants.map((t) => [
        t.name,
        {
            pool: t.pool,
            mode: t.workspacePath ? "kcp-workspace" : "namespace",
            placement: t.placement,
        },
    ]),
);
export const renderedTo = renderDirectory ?? pulumi.output("");
