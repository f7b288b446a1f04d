/**
 * Pipeline Service on one compute cluster.
 *
 * Type token: `pipeline-service:cluster:ComputeCluster`.
 * Owns the cluster's kubernetes Provider (with `clusterIdentifier` set to the cluster name, so rotating
 * credentials or a new API server port never replaces resources) and composes, in dependency order:
 * {@link ArgoCd}, {@link ExternalSecrets}, {@link TektonResults}, {@link OpenShiftPipelines},
 * {@link MetricsExporter}, {@link KcpSyncer} (when kcp is enabled), {@link PlatformAccess} (the SRE, Results-reader and
 * Chains public-key roles; with ADR-0009 tenants also the SCC and the runner and tenant roles) and an optional
 * post-deploy check.
 *
 * Delivery modes (lib/config.ts `delivery`): in `direct` mode every component uses the cluster's Provider. In
 * `gitops` mode the platform (Results, OpenShift Pipelines, the exporter, and the gateway on its host) gets a
 * render-only Provider ({@link ComputeCluster.platformProvider}) that writes its manifests to
 * `<delivery.renderDir>/<gitops.path>/<cluster>/`, which the root Application syncs; the bootstrap (Argo CD and its
 * Application, ExternalSecrets and the store, the kcp syncer) keeps the real one. So no object has two owners.
 */
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PLATFORM_ACCESS_DEFAULTS, PlatformAccess as PlatformAccessConfig, ResolvedCluster } from "../lib/config.js";
import { PIPELINES_NAMESPACE, Readiness } from "../lib/k8s.js";
import { clusterSyncerNamespace, pacRouteUrl, platformPath } from "../lib/naming.js";
import * as path from "node:path";
import { providerArgs } from "../lib/providers.js";
import { ArgoCd } from "./argocd.js";
import { ExternalSecrets } from "./externalSecrets.js";
import { KcpEndpoint, KcpSyncer } from "./kcpSyncer.js";
import { MetricsExporter } from "./metricsExporter.js";
import { OpenShiftPipelines } from "./openshiftPipelines.js";
import { TektonResults } from "./tektonResults.js";
import { PlatformAccess } from "./tenants.js";

export interface ComputeClusterArgs {
    cluster: ResolvedCluster;
    environment: string;
    /** Provider of the kcp workspace, when kcp is enabled. */
    kcpProvider?: k8s.Provider;
    /** The kcp server (without path) and CA from the kcp kubeconfig, for the syncer's kubeconfig. */
    kcpEndpoint?: KcpEndpoint;
    /** ExternalSecret namespaces on this cluster beyond Pipeline Service's own (the gateway's, on its host). */
    extraSecretNamespaces?: string[];
    /** Render instead of apply (see `providerArgs` in lib/providers.ts). */
    renderDirectory?: string;
    /** Delivery mode (default `direct`); `renderDir` is the GitOps repository checkout in `gitops` mode. */
    delivery?: { mode: "direct" | "gitops"; renderDir?: string };
    /** Platform roles (`pipeline-service:access`); default: the SRE group of infra-deployments. */
    access?: PlatformAccessConfig;
    /** ADR-0009 tenant namespaces land here: also the SCC, the runner and tenant roles (components/tenants.ts). */
    servesTenants?: boolean;
}

export class ComputeCluster extends pulumi.ComponentResource {
    public readonly provider: k8s.Provider;
    /** The provider of the platform components: {@link provider} in `direct` mode, a render-only one in `gitops`. */
    public readonly platformProvider: k8s.Provider;
    public readonly argocd: ArgoCd;
    public readonly secrets: ExternalSecrets;
    public readonly results: TektonResults;
    public readonly pipelines: OpenShiftPipelines;
    public readonly metrics: MetricsExporter;
    public readonly syncer?: KcpSyncer;
    /** The platform roles, and the cluster-wide objects ADR-0009 tenant namespaces use. */
    public readonly access: PlatformAccess;
    public readonly postDeployCheck?: command.local.Command;
    /** `sha256:<hex>` of the OSP index image. */
    public readonly catalogDigest: pulumi.Output<string>;
    /** The OSP Subscription channel. */
    public readonly channel: pulumi.Output<string>;
    /** `openshift-gitops/<name>` of the root Argo CD Application. */
    public readonly argoApplication: pulumi.Output<string>;
    /** The SyncTarget's name in the kcp workspace ("" when kcp is disabled). */
    public readonly syncTarget: pulumi.Output<string>;
    /** PaC controller route of this cluster (a gateway backend). */
    public readonly pacUrl: pulumi.Output<string>;

    constructor(name: string, args: ComputeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-service:cluster:ComputeCluster", name, {}, opts);
        const c = args.cluster;
        const s = c.settings;
        const readiness: Readiness = s.readiness;

        this.provider = new k8s.Provider(`${name}-k8s`, providerArgs(c.name, c.kubeconfig, args.renderDirectory), {
            parent: this,
        });
        const provider = this.provider;
        const mode = args.delivery?.mode ?? "direct";
        if (mode === "gitops") {
            // Render-only: `<renderDir>/<gitops.path>/<cluster>` (providerArgs appends the cluster), or, when the whole
            // program renders (PIPELINE_SERVICE_RENDER_DIR), next to the bootstrap in `<dir>/<cluster>`.
            if (!args.renderDirectory && !args.delivery?.renderDir)
                throw new Error(`cluster ${c.name}: gitops delivery needs delivery.renderDir`);
            const dir =
                args.renderDirectory ??
                path.dirname(path.join(args.delivery!.renderDir!, platformPath(s.gitops.path, c.name)));
            this.platformProvider = new k8s.Provider(`${name}-k8s-platform`, providerArgs(c.name, {}, dir), {
                parent: this,
            });
        } else {
            this.platformProvider = provider;
        }
        const platform = this.platformProvider;

        this.argocd = new ArgoCd(
            `${name}-argocd`,
            {
                provider,
                gitops: s.gitops,
                delivery: { mode, cluster: c.name },
                managedNamespaces: [PIPELINES_NAMESPACE],
                readiness,
            },
            { parent: this },
        );
        const pipelinesNs = this.argocd.namespaces;

        const consumers = [PIPELINES_NAMESPACE, ...(args.extraSecretNamespaces ?? [])];
        if (s.kcp.enabled && s.kcp.credentials === "externalSecret")
            consumers.push(clusterSyncerNamespace(c.name, s.kcp.workspace));
        this.secrets = new ExternalSecrets(
            `${name}-secrets`,
            {
                provider,
                clusterName: c.name,
                settings: s,
                consumerNamespaces: consumers,
                readiness,
                dependsOn: pipelinesNs,
            },
            { parent: this },
        );
        const secretDeps = [...pipelinesNs, ...(this.secrets.store ? [this.secrets.store] : [])];

        this.results = new TektonResults(
            `${name}-results`,
            {
                provider: platform,
                clusterName: c.name,
                settings: s,
                readiness,
                dependsOn: secretDeps,
            },
            { parent: this },
        );

        this.pipelines = new OpenShiftPipelines(
            `${name}-osp`,
            {
                provider: platform,
                settings: s,
                result: this.results.tektonConfigResult,
                chainsGenerateSigningSecret: s.secrets.mode === "generated",
                readiness,
            },
            { parent: this, dependsOn: [this.results.databaseSecret, this.secrets.pacSecret] },
        );

        this.metrics = new MetricsExporter(
            `${name}-metrics`,
            {
                provider: platform,
                image: s.metricsExporter.image,
                readiness,
                dependsOn: pipelinesNs,
            },
            { parent: this },
        );

        if (s.kcp.enabled) {
            if (!args.kcpProvider) throw new Error(`cluster ${c.name}: kcp is enabled but no kcp provider was given`);
            this.syncer = new KcpSyncer(
                `${name}-syncer`,
                {
                    provider,
                    kcpProvider: args.kcpProvider,
                    kcpEndpoint: args.kcpEndpoint,
                    clusterName: c.name,
                    settings: s,
                    readiness,
                    dependsOn: this.secrets.store ? [this.secrets.store] : [],
                    pool: c.pool,
                    // Draining (clusters[].state): kcp places no new PipelineRun on the cluster.
                    unschedulable: c.state === "draining" || c.state === "removed",
                },
                { parent: this },
            );
        }

        this.access = new PlatformAccess(
            `${name}-access`,
            {
                provider: platform,
                access: args.access ?? PLATFORM_ACCESS_DEFAULTS,
                tenantRuntime: args.servesTenants ?? false,
                dependsOn: pipelinesNs,
            },
            { parent: this },
        );

        this.pacUrl = pulumi.output(pacRouteUrl(c.appsDomain));
        if (s.postDeployCheck.enabled) {
            // A check with no Kubernetes API: the PaC route answers over HTTPS. Runs again when the operator changes.
            this.postDeployCheck = new command.local.Command(
                `${name}-post-deploy-check`,
                {
                    create: pulumi.interpolate`curl -sS -o /dev/null --max-time 20 -w '%{http_code}' ${this.pacUrl}/`,
                    triggers: [s.osp.catalog.image, s.osp.subscription.channel],
                },
                { parent: this, dependsOn: [this.pipelines.tektonConfig] },
            );
        }

        this.catalogDigest = this.pipelines.catalogDigest;
        this.channel = this.pipelines.channel;
        this.argoApplication = pulumi.interpolate`${this.argocd.application.metadata.namespace}/${this.argocd.applicationName}`;
        this.syncTarget = this.syncer ? this.syncer.syncTargetName : pulumi.output("");

        this.registerOutputs({
            provider: this.provider,
            argocd: this.argocd,
            secrets: this.secrets,
            results: this.results,
            pipelines: this.pipelines,
            metrics: this.metrics,
            syncer: this.syncer,
            access: this.access,
            postDeployCheck: this.postDeployCheck,
            catalogDigest: this.catalogDigest,
            channel: this.channel,
            argoApplication: this.argoApplication,
            syncTarget: this.syncTarget,
            pacUrl: this.pacUrl,
        });
    }
}
