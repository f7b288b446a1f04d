/**
 * Pipeline Service: Tekton pipelines as a service on every compute cluster of one environment (stack).
 *
 * 1. Load and validate the stack configuration (lib/config.ts). A bad value stops here, before any resource
 *    is registered.
 * 2. One kubernetes Provider for the kcp workspace (when kcp is enabled), then one ComputeCluster per cluster,
 *    each with its own Provider. Rollout rings: every cluster of ring N+1 waits for all of ring N.
 * 3. The webhook gateway on its host cluster: HAProxy for one cluster, SprayProxy fan-out for several.
 *
 * Set PIPELINE_SERVICE_RENDER_DIR to render every manifest to that directory instead of applying it (policy
 * audits of dev and prod without cluster access; see README "Policy audits").
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ComputeCluster, providerArgs } from "./components/computeCluster.js";
import { Gateway, GATEWAY_NAMESPACE } from "./components/gateway.js";
import { loadConfig } from "./lib/config.js";
import { patchForceTransformation } from "./lib/k8s.js";

const cfg = loadConfig();
/** Every managed Kubernetes object is applied with force (see patchForceTransformation). */
const transformations = [patchForceTransformation];
const renderDirectory = process.env.PIPELINE_SERVICE_RENDER_DIR || undefined;

// One provider for the kcp workspace when any cluster syncs through kcp (an override may enable it per cluster).
const kcpProvider = cfg.clusters.some((c) => c.settings.kcp.enabled) && cfg.kcpKubeconfig
    ? new k8s.Provider("kcp", providerArgs("kcp", cfg.kcpKubeconfig, renderDirectory))
    : undefined;

const byRing = [...cfg.clusters].sort((a, b) => a.ring - b.ring || a.index - b.index);
const deployed = new Map<string, ComputeCluster>();
for (const cluster of byRing) {
    const previousRing = byRing.filter((c) => c.ring < cluster.ring);
    const gate = previousRing.length ? Math.max(...previousRing.map((c) => c.ring)) : undefined;
    const dependsOn = byRing.filter((c) => c.ring === gate).map((c) => deployed.get(c.name)!);
    deployed.set(cluster.name, new ComputeCluster(cluster.name, {
        cluster,
        environment: cfg.environment,
        kcpProvider,
        extraSecretNamespaces: cluster.name === cfg.gateway.hostCluster ? [GATEWAY_NAMESPACE[cfg.gateway.mode]] : [],
        renderDirectory,
    }, { dependsOn, transformations }));
}

const host = deployed.get(cfg.gateway.hostCluster)!;
const hostSettings = cfg.clusters.find((c) => c.name === cfg.gateway.hostCluster)!.settings;
const gateway = new Gateway("gateway", {
    provider: host.provider,
    mode: cfg.gateway.mode,
    hostname: cfg.gateway.hostname,
    members: cfg.clusters.map((c) => ({ name: c.name, appsDomain: c.appsDomain })),
    settings: hostSettings,
    webhookSecret: host.secrets.webhookSecret,
    readiness: hostSettings.readiness,
    dependsOn: host.secrets.store ? [host.secrets.store] : [],
}, { transformations });

/** Per cluster: the catalog digest and channel, the Argo CD Application, the SyncTarget and the gateway URL. */
export const clusters = Object.fromEntries(cfg.clusters.map((c) => {
    const cc = deployed.get(c.name)!;
    return [c.name, {
        ring: c.ring,
        catalogDigest: cc.catalogDigest,
        channel: cc.channel,
        argoApplication: cc.argoApplication,
        syncTarget: cc.syncTarget,
        gatewayUrl: gateway.url,
        pacUrl: cc.pacUrl,
    }];
}));
export const gatewayUrl = gateway.url;
export const gatewayMode = cfg.gateway.mode;
export const gatewayBackends = gateway.backends;
export const environment = cfg.environment;
export const renderedTo = renderDirectory ?? pulumi.output("");
