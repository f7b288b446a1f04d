/**
 * Pipeline Service on one compute cluster.
 *
 * Type token: `pipeline-service:cluster:ComputeCluster`.
 * Owns the cluster's kubernetes Provider (with `clusterIdentifier` set to the cluster name, so rotating
 * credentials or a new API server port never replaces resources) and composes, in dependency order:
 * {@link ArgoCd}, {@link ExternalSecrets}, {@link TektonResults}, {@link OpenShiftPipelines},
 * {@link MetricsExporter}, {@link KcpSyncer} (when kcp is enabled) and an optional post-deploy check.
 */
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { kubeconfigSecret, KubeconfigRef, ResolvedCluster } from "../lib/config.js";
import { PIPELINES_NAMESPACE, Readiness } from "../lib/k8s.js";
import { syncerNamespace, syncTargetName } from "../lib/naming.js";
import { ArgoCd } from "./argocd.js";
import { ExternalSecrets } from "./externalSecrets.js";
import { pacRouteUrl } from "./gateway.js";
import { KcpSyncer } from "./kcpSyncer.js";
import { MetricsExporter } from "./metricsExporter.js";
import { OpenShiftPipelines } from "./openshiftPipelines.js";
import { TektonResults } from "./tektonResults.js";

/**
 * kubernetes Provider arguments for a cluster.
 * - `path`/`context`: the provider reads the kubeconfig file itself; the path, not its contents, is in state.
 * - `secretConfigKey`: the kubeconfig comes from secret stack config and stays a secret in state.
 * - `renderDirectory`: render manifests to `<dir>` instead of applying them (policy audits without cluster access).
 */
export function providerArgs(clusterIdentifier: string, ref: KubeconfigRef, renderDirectory?: string): k8s.ProviderArgs {
    const args: k8s.ProviderArgs = {
        clusterIdentifier,
        enableServerSideApply: true,
        suppressDeprecationWarnings: true,
    };
    if (renderDirectory) {
        // Render mode never talks to a cluster; the provider refuses credentials alongside it.
        args.renderYamlToDirectory = path.join(renderDirectory, clusterIdentifier);
        return args;
    }
    if (ref.secretConfigKey) args.kubeconfig = kubeconfigSecret(ref.secretConfigKey);
    else if (ref.path) args.kubeconfig = ref.path;
    if (ref.context) args.context = ref.context;
    return args;
}

export interface ComputeClusterArgs {
    cluster: ResolvedCluster;
    environment: string;
    /** Provider of the kcp workspace, when kcp is enabled. */
    kcpProvider?: k8s.Provider;
    /** ExternalSecret namespaces on this cluster beyond Pipeline Service's own (the gateway's, on its host). */
    extraSecretNamespaces?: string[];
    /** Render instead of apply (see {@link providerArgs}). */
    renderDirectory?: string;
}

export class ComputeCluster extends pulumi.ComponentResource {
    public readonly provider: k8s.Provider;
    public readonly argocd: ArgoCd;
    public readonly secrets: ExternalSecrets;
    public readonly results: TektonResults;
    public readonly pipelines: OpenShiftPipelines;
    public readonly metrics: MetricsExporter;
    public readonly syncer?: KcpSyncer;
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

        this.provider = new k8s.Provider(`${name}-k8s`, providerArgs(c.name, c.kubeconfig, args.renderDirectory), { parent: this });
        const provider = this.provider;

        this.argocd = new ArgoCd(`${name}-argocd`, {
            provider,
            gitops: s.gitops,
            managedNamespaces: [PIPELINES_NAMESPACE],
            readiness,
        }, { parent: this });
        const pipelinesNs = this.argocd.namespaces;

        const consumers = [PIPELINES_NAMESPACE, ...(args.extraSecretNamespaces ?? [])];
        if (s.kcp.enabled) consumers.push(syncerNamespace(syncTargetName(c.name), s.kcp.workspace));
        this.secrets = new ExternalSecrets(`${name}-secrets`, {
            provider,
            clusterName: c.name,
            settings: s,
            consumerNamespaces: consumers,
            readiness,
            dependsOn: pipelinesNs,
        }, { parent: this });
        const secretDeps = [...pipelinesNs, ...(this.secrets.store ? [this.secrets.store] : [])];

        this.results = new TektonResults(`${name}-results`, {
            provider,
            clusterName: c.name,
            settings: s,
            readiness,
            dependsOn: secretDeps,
        }, { parent: this });

        this.pipelines = new OpenShiftPipelines(`${name}-osp`, {
            provider,
            settings: s,
            result: this.results.tektonConfigResult,
            chainsGenerateSigningSecret: s.secrets.mode === "generated",
            readiness,
        }, { parent: this, dependsOn: [this.results.databaseSecret, this.secrets.pacSecret] });

        this.metrics = new MetricsExporter(`${name}-metrics`, {
            provider,
            image: s.metricsExporter.image,
            readiness,
            dependsOn: pipelinesNs,
        }, { parent: this });

        if (s.kcp.enabled) {
            if (!args.kcpProvider) throw new Error(`cluster ${c.name}: kcp is enabled but no kcp provider was given`);
            this.syncer = new KcpSyncer(`${name}-syncer`, {
                provider,
                kcpProvider: args.kcpProvider,
                clusterName: c.name,
                settings: s,
                readiness,
                dependsOn: this.secrets.store ? [this.secrets.store] : [],
            }, { parent: this });
        }

        this.pacUrl = pulumi.output(pacRouteUrl(c.appsDomain));
        if (s.postDeployCheck.enabled) {
            // A check with no Kubernetes API: the PaC route answers over HTTPS. Runs again when the operator changes.
            this.postDeployCheck = new command.local.Command(`${name}-post-deploy-check`, {
                create: pulumi.interpolate`curl -sS -o /dev/null --max-time 20 -w '%{http_code}' ${this.pacUrl}/`,
                triggers: [s.osp.catalog.image, s.osp.subscription.channel],
            }, { parent: this, dependsOn: [this.pipelines.tektonConfig] });
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
            postDeployCheck: this.postDeployCheck,
            catalogDigest: this.catalogDigest,
            channel: this.channel,
            argoApplication: this.argoApplication,
            syncTarget: this.syncTarget,
            pacUrl: this.pacUrl,
        });
    }
}
