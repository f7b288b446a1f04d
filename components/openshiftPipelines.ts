/**
 * The OpenShift Pipelines operator (OSP) through OLM, its TektonConfig, and the Chains objects around it.
 *
 * Type token: `pipeline-service:olm:OpenShiftPipelines`.
 * Creates, in order:
 *   1. CatalogSource `custom-operators` (grpc, index image pinned by digest, registryPoll), waited on until its
 *      gRPC connection is `READY`;
 *   2. optionally an ImageDigestMirrorSet for the index's registries (ADR-0009 Consequences);
 *   3. the Subscription `openshift-pipelines-operator` to package `openshift-pipelines-operator-rh` in
 *      `openshift-operators`, whose source is that CatalogSource, waited on until `AtLatestKnown` and its
 *      `status.installedCSV` is the expected CSV (lib/fleet.ts expectedCsvOf), with `AUTOINSTALL_COMPONENTS=false` so
 *      the TektonConfig below is the only one;
 *   4. the TektonConfig `config` (cluster-scoped), waited on until `Ready`, with only the fields the targeted operator
 *      (`osp.operatorVersion`, lib/operatorVersions.ts) knows.
 * The Subscription and the TektonConfig carry the catalog image and the expected CSV as annotations
 * ({@link upgradeAnnotations}), so a catalog change updates both and their waits run again, in that order: the CSV
 * OLM installs from the new index, then the TektonConfig Ready under the new operator. The next ring depends on those
 * waits (index.ts), not only on the CatalogSource, whose readiness was already true (issue 11 §3).
 *   5. Chains: the metrics Service `tekton-chains` and its ServiceMonitor, and (when the signing key comes from the
 *      secret store) the ClusterRole/RoleBinding `tekton-chains-public-key-viewer` for `system:authenticated`.
 * Sources: infra-deployments components/pipeline-service/production/base/main-pipeline-service-configuration.yaml and
 * update-tekton-config-pac.yaml @e952b760 ("infra HEAD" below), and pipeline-service@5b34974a
 * `operator/gitops/argocd/pipeline-service/openshift-pipelines/` for what HEAD keeps (inventory §2.2, §2.3).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { defaultServiceAccountOf, Settings } from "../lib/config.js";
import {
    ARGOCD_SKIP_DRY_RUN,
    awaitAnnotations,
    customResource,
    CustomResourceSpec,
    labels,
    PIPELINES_NAMESPACE,
    Readiness,
} from "../lib/k8s.js";
import { expectedCsvOf } from "../lib/fleet.js";
import { atLeast, supports } from "../lib/operatorVersions.js";
import { OperatorSubscription } from "./operatorSubscription.js";

export interface OpenShiftPipelinesArgs {
    provider: k8s.Provider;
    /** The cluster's resolved settings. */
    settings: Settings;
    /** TektonConfig `spec.result`, from {@link TektonResults}; undefined: no `result` block (operator < 0.75). */
    result: Record<string, unknown> | undefined;
    /** Whether Chains generates its own signing secret (dev's generated secrets mode). */
    chainsGenerateSigningSecret: boolean;
    readiness: Readiness;
}

/** `sha256:<hex>` of a digest-pinned image reference. */
export function imageDigest(image: string): string {
    const at = image.indexOf("@");
    return at < 0 ? "" : image.slice(at + 1);
}

/** CatalogSource `custom-operators` in `openshift-marketplace` (constraint 2). */
export function buildCatalogSource(osp: Settings["osp"], readiness: Readiness): CustomResourceSpec {
    return {
        apiVersion: "operators.coreos.com/v1alpha1",
        kind: "CatalogSource",
        metadata: {
            name: osp.catalog.name,
            namespace: osp.catalog.namespace,
            labels: labels(),
            annotations: {
                "argocd.argoproj.io/sync-wave": "0",
                ...awaitAnnotations(readiness, "jsonpath={.status.connectionState.lastObservedState}=READY"),
            },
        },
        spec: {
            sourceType: "grpc",
            image: osp.catalog.image,
            displayName: osp.catalog.displayName,
            publisher: "Pipeline Service",
            updateStrategy: { registryPoll: { interval: osp.catalog.pollInterval } },
        },
    };
}

/** Annotation: the OSP index image the object was last applied for. */
export const CATALOG_IMAGE_ANNOTATION = "pipeline-service.io/catalog-image";
/** Annotation: the CSV OLM must have installed from that index (`osp.expectedCsv`, or derived). */
export const EXPECTED_CSV_ANNOTATION = "pipeline-service.io/expected-csv";

/**
 * The annotations that tie the Subscription and the TektonConfig to the catalog: the index image and, when known, the
 * expected CSV. A catalog bump changes them, so both objects are updated and awaited again.
 */
export function upgradeAnnotations(s: Settings): Record<string, string> {
    const csv = expectedCsvOf(s);
    return { [CATALOG_IMAGE_ANNOTATION]: s.osp.catalog.image, ...(csv ? { [EXPECTED_CSV_ANNOTATION]: csv } : {}) };
}

/** The Subscription condition of the upgrade wait: OLM installed the expected CSV (`status.installedCSV`). */
export function installedCsvCondition(csv: string): string {
    return `jsonpath={.status.installedCSV}=${csv}`;
}

/** ImageDigestMirrorSet for the catalog's registries, or undefined when no mirrors are configured. */
export function buildImageDigestMirrorSet(osp: Settings["osp"]): CustomResourceSpec | undefined {
    if (!osp.imageDigestMirrors.length) return undefined;
    return {
        apiVersion: "config.openshift.io/v1",
        kind: "ImageDigestMirrorSet",
        metadata: { name: `${osp.catalog.name}-mirrors`, labels: labels() },
        spec: {
            imageDigestMirrors: osp.imageDigestMirrors.map((m) => ({
                source: m.source,
                mirrors: m.mirrors,
                mirrorSourcePolicy: "AllowContactingSource",
            })),
        },
    };
}

/**
 * PaC settings: the console links into the Hybrid Application Console (ADR-0009, ADR-0019), plus the three keys infra
 * HEAD sets (`production/base/update-tekton-config-pac.yaml@e952b760`). `custom-console-url` is the configured URL as
 * written (HEAD keeps its trailing slash); the templated links join the base without one. Values are strings (PaC
 * reads the settings as a ConfigMap). `enable-cancel-in-progress-on-pull-requests` only where the operator's PaC
 * knows it (>= 0.77).
 */
export function pacSettings(
    githubAppName: string,
    hacConsoleUrl: string,
    pac?: Settings["pac"],
    operatorVersion?: string,
): Record<string, string> {
    const base = hacConsoleUrl.replace(/\/+$/, "");
    const out: Record<string, string> = {
        "application-name": githubAppName,
        "custom-console-name": githubAppName,
        "custom-console-url": hacConsoleUrl,
        "custom-console-url-namespace": `${base}/ns/{{ namespace }}`,
        "custom-console-url-pr-details": `${base}/ns/{{ namespace }}/pipelinerun/{{ pr }}`,
        "custom-console-url-pr-tasklog": `${base}/ns/{{ namespace }}/pipelinerun/{{ pr }}/logs/{{ task }}`,
    };
    if (pac) {
        out["remember-ok-to-test"] = String(pac.rememberOkToTest);
        out["secret-github-app-token-scoped"] = String(pac.secretGithubAppTokenScoped);
        const key = "enable-cancel-in-progress-on-pull-requests";
        if (operatorVersion && supports(operatorVersion, `platforms.openshift.pipelinesAsCode.settings.${key}`)) {
            out[key] = String(pac.cancelInProgressOnPullRequests);
        }
    }
    return out;
}

/** TektonConfig `spec.pruner`: disabled, or a valid backup pruner (constraints 8–9). */
export function buildPruner(p: Settings["tekton"]["operatorPruner"]): Record<string, unknown> {
    if (p.disabled) return { disabled: true };
    const out: Record<string, unknown> = { disabled: false, resources: p.resources, schedule: p.schedule };
    if (p.keep !== undefined) out.keep = p.keep;
    else out["keep-since"] = p.keepSince;
    return out;
}

type Res = { requests?: Record<string, string>; limits?: Record<string, string> };
interface Sizing {
    proxyWebhook: Res;
    pipelinesWebhook: Res;
    remoteResolvers: { replicas: number; resources: Res };
    controller: Res;
    /** Extra `config-defaults` data (dev's default container requests). */
    configDefaults: Record<string, string>;
    /** Extra ConfigMaps (prod: resolvers leader election buckets; dev: resolver fetch timeouts and backoff). */
    configMaps: Record<string, Record<string, string>>;
    /** `metrics.pipelinerun.level` / `metrics.taskrun.level` (prod only). */
    metricsLevel?: string;
}

/**
 * Container sizing per infra HEAD environment: `production` from production/base/main-pipeline-service-configuration.yaml,
 * `development` from development/main-pipeline-service-configuration.yaml (both @e952b760).
 */
export const SIZING: Record<Settings["tekton"]["sizing"], Sizing> = {
    production: {
        proxyWebhook: { limits: { cpu: "500m", memory: "500Mi" }, requests: { cpu: "100m", memory: "100Mi" } },
        pipelinesWebhook: { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "400m", memory: "1Gi" } },
        remoteResolvers: {
            replicas: 4,
            resources: { limits: { memory: "10Gi" }, requests: { cpu: "500m", memory: "10Gi" } },
        },
        controller: { requests: { memory: "16Gi", cpu: "1" }, limits: { memory: "16Gi" } },
        configDefaults: {},
        configMaps: { "config-leader-election-resolvers": { buckets: "8" } },
        metricsLevel: "namespace",
    },
    development: {
        proxyWebhook: { limits: { cpu: "250m", memory: "256Mi" }, requests: { cpu: "50m", memory: "64Mi" } },
        pipelinesWebhook: { limits: { cpu: "500m", memory: "512Mi" }, requests: { cpu: "100m", memory: "128Mi" } },
        remoteResolvers: {
            replicas: 2,
            resources: { limits: { memory: "512Mi", cpu: "300m" }, requests: { cpu: "100m", memory: "256Mi" } },
        },
        controller: { limits: { memory: "1Gi", cpu: "500m" }, requests: { cpu: "200m", memory: "512Mi" } },
        configDefaults: {
            "default-container-resource-requirements": 'default:\n  requests:\n    memory: "128Mi"\n    cpu: "50m"\n',
        },
        configMaps: {
            "bundleresolver-config": {
                "fetch-timeout": "2m",
                "backoff-duration": "15s",
                "backoff-factor": "2.0",
                "backoff-steps": "10",
                "backoff-cap": "15m",
            },
            "git-resolver-config": { "fetch-timeout": "2m" },
        },
    },
};

/** The zap JSON logger config of ADR-6 that infra HEAD gives the pipelines and triggers controllers. */
export const ZAP_LOGGER_CONFIG = JSON.stringify(
    {
        level: "info",
        development: false,
        sampling: { initial: 100, thereafter: 100 },
        outputPaths: ["stdout"],
        errorOutputPaths: ["stderr"],
        encoding: "json",
        encoderConfig: {
            timeKey: "ts",
            levelKey: "level",
            nameKey: "logger",
            callerKey: "caller",
            messageKey: "msg",
            stacktraceKey: "stacktrace",
            lineEnding: "",
            levelEncoder: "",
            timeEncoder: "iso8601",
            durationEncoder: "string",
            callerEncoder: "",
        },
    },
    null,
    2,
);

const HPA_METRICS = [
    { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 100 } } },
    { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 100 } } },
];

/** `spec.template.spec.containers: [{name, ...container}]` plus pod-level extras, as the operator's options merge them. */
function podSpec(container: Record<string, unknown>, pod: Record<string, unknown> = {}): Record<string, unknown> {
    return { template: { spec: { ...pod, containers: [container] } } };
}

/** TektonConfig `spec.pipeline` (infra HEAD, sizing per {@link SIZING}). */
export function buildPipeline(s: Settings): Record<string, unknown> {
    const v = s.osp.operatorVersion;
    const perf = s.tekton.performance;
    const size = SIZING[s.tekton.sizing];
    const controller = {
        spec: podSpec(
            { name: "tekton-pipelines-controller", resources: size.controller },
            {
                // infra HEAD: spread the controller's ordinals over zones
                topologySpreadConstraints: [
                    {
                        maxSkew: 1,
                        topologyKey: "topology.kubernetes.io/zone",
                        whenUnsatisfiable: "DoNotSchedule",
                        labelSelector: { matchLabels: { app: "tekton-pipelines-controller" } },
                    },
                ],
            },
        ),
    };
    const ordinals = perf.statefulsetOrdinals && supports(v, "pipeline.performance.statefulset-ordinals");
    const performance: Record<string, unknown> = {
        "disable-ha": perf.disableHa,
        buckets: perf.buckets,
        replicas: perf.replicas,
        "threads-per-controller": perf.threadsPerController,
        "kube-api-qps": perf.kubeApiQps,
        "kube-api-burst": perf.kubeApiBurst,
    };
    if (ordinals) performance["statefulset-ordinals"] = true;
    return {
        "default-service-account": defaultServiceAccountOf(s),
        "enable-api-fields": "alpha",
        "enable-bundles-resolver": true,
        "enable-cluster-resolver": true,
        "enable-git-resolver": true,
        "enable-hub-resolver": true,
        "enable-tekton-oci-bundles": true,
        "enable-step-actions": true,
        "enable-param-enum": true,
        ...(size.metricsLevel
            ? { "metrics.pipelinerun.level": size.metricsLevel, "metrics.taskrun.level": size.metricsLevel }
            : {}),
        performance,
        options: {
            disabled: false,
            configMaps: {
                "config-logging": {
                    data: {
                        "loglevel.controller": "info",
                        "loglevel.webhook": "info",
                        "zap-logger-config": ZAP_LOGGER_CONFIG,
                    },
                },
                "config-defaults": {
                    data: {
                        "default-timeout-minutes": "120",
                        "default-imagepullbackoff-timeout": "15m",
                        ...size.configDefaults,
                    },
                },
                ...Object.fromEntries(Object.entries(size.configMaps).map(([k, data]) => [k, { data }])),
            },
            deployments: {
                "tekton-operator-proxy-webhook": {
                    spec: {
                        replicas: s.tekton.proxyWebhook.minReplicas,
                        ...podSpec({ name: "proxy", resources: size.proxyWebhook }),
                    },
                },
                "tekton-pipelines-webhook": { spec: podSpec({ name: "webhook", resources: size.pipelinesWebhook }) },
                // infra HEAD: "The events controller is unused by Konflux", replicas 0
                "tekton-events-controller": { spec: { replicas: 0 } },
                // Without ordinals the controller is a Deployment.
                ...(ordinals ? {} : { "tekton-pipelines-controller": controller }),
            },
            statefulSets: {
                "tekton-pipelines-remote-resolvers": {
                    spec: {
                        replicas: size.remoteResolvers.replicas,
                        ...podSpec({
                            name: "controller",
                            env: [{ name: "GIT_SSL_CAINFO", value: "/tekton-custom-certs/ca-bundle.crt" }],
                            resources: size.remoteResolvers.resources,
                        }),
                    },
                },
                ...(ordinals ? { "tekton-pipelines-controller": controller } : {}),
            },
            horizontalPodAutoscalers: {
                "tekton-operator-proxy-webhook": {
                    spec: {
                        minReplicas: s.tekton.proxyWebhook.minReplicas,
                        maxReplicas: s.tekton.proxyWebhook.maxReplicas,
                        metrics: HPA_METRICS,
                    },
                },
                "tekton-pipelines-webhook": {
                    spec: {
                        minReplicas: s.tekton.webhook.minReplicas,
                        maxReplicas: s.tekton.webhook.maxReplicas,
                        metrics: HPA_METRICS,
                    },
                },
            },
        },
    };
}

/**
 * TektonConfig `spec.chain` (infra HEAD): in-toto for TaskRuns and PipelineRuns with deep inspection, OCI storage, no
 * TaskRun storage, no transparency log; the controller's threads/QPS/burst as container args through `options`.
 */
export function buildChain(s: Settings, generateSigningSecret: boolean): Record<string, unknown> {
    const c = s.chains;
    return {
        disabled: false,
        ...(supports(s.osp.operatorVersion, "chain.generateSigningSecret") ? { generateSigningSecret } : {}),
        "artifacts.oci.storage": "oci",
        // A string (BoolValue) from 0.74; a *bool before (tektonchain_types.go@v0.70.0), where "true" fails to decode.
        "artifacts.pipelinerun.enable-deep-inspection": atLeast(s.osp.operatorVersion, "0.74.0") ? "true" : true,
        "artifacts.pipelinerun.format": "in-toto",
        "artifacts.pipelinerun.storage": "oci",
        "artifacts.taskrun.format": "in-toto",
        "artifacts.taskrun.storage": "",
        "transparency.enabled": "false",
        options: {
            deployments: {
                "tekton-chains-controller": {
                    spec: podSpec({
                        name: "tekton-chains-controller",
                        args: [
                            `--threads-per-controller=${c.threadsPerController}`,
                            `--kube-api-qps=${c.kubeApiQps}`,
                            `--kube-api-burst=${c.kubeApiBurst}`,
                        ],
                    }),
                },
            },
        },
    };
}

/** `createCABundleConfigMaps` is read from operator 0.77 (pkg/reconciler/openshift/tektonconfig/rbac.go: absent @v0.74.0, present @v0.77.0). */
export const CA_BUNDLE_PARAM_SINCE = "0.77.0";

/**
 * The TektonConfig `config`, with only the fields `s.osp.operatorVersion` knows (lib/operatorVersions.ts):
 *
 * - `targetNamespace: openshift-pipelines`, `profile: all` (constraint 6);
 * - `params`: `createRbacResource "false"` (ADR-0025) or, on a Phase 1 cluster (`kcp.enabled`), `"true"`: the syncer
 *   creates the tenants' namespaces, and only the operator's rbac reconciler puts the `pipeline` ServiceAccount the
 *   PipelineRuns default to in each of them (pipeline-service@kcp README "ServiceAccount used by PipelineRuns");
 *   from 0.77, `createCABundleConfigMaps "false"` (infra HEAD);
 * - `pipeline`: {@link buildPipeline};
 * - `trigger.disabled: true` unless Triggers are enabled (ADR-0009; the field exists from 0.77, config validation
 *   refuses Triggers off before that);
 * - `pruner` from config; `tektonpruner.disabled: true` from 0.76 (infra HEAD; older operators have no event pruner);
 * - `chain`: {@link buildChain};
 * - `platforms.openshift.pipelinesAsCode`: enabled, settings {@link pacSettings}, watcher/webhook replicas;
 * - `result`: from {@link TektonResults} (omitted when undefined).
 */
export function buildTektonConfig(
    s: Settings,
    result: Record<string, unknown> | undefined,
    readiness: Readiness,
    chainsGenerateSigningSecret = false,
): CustomResourceSpec {
    const v = s.osp.operatorVersion;
    const params = [{ name: "createRbacResource", value: s.kcp.enabled ? "true" : "false" }];
    if (atLeast(v, CA_BUNDLE_PARAM_SINCE)) params.push({ name: "createCABundleConfigMaps", value: "false" });
    const trigger: Record<string, unknown> = {};
    if (!s.tekton.triggers.enabled && supports(v, "trigger.disabled")) trigger.disabled = true;
    if (s.tekton.triggers.enabled) {
        trigger.options = {
            configMaps: {
                "config-logging-triggers": {
                    data: {
                        "loglevel.controller": "info",
                        "loglevel.eventlistener": "info",
                        "loglevel.webhook": "info",
                        "zap-logger-config": ZAP_LOGGER_CONFIG,
                    },
                },
            },
        };
    }
    const spec: Record<string, unknown> = {
        targetNamespace: PIPELINES_NAMESPACE,
        profile: "all",
        params,
        pipeline: buildPipeline(s),
        trigger,
        pruner: buildPruner(s.tekton.operatorPruner),
        // The event-based pruner is off (infra HEAD); the v0.81 CRD requires `global-config` to be present.
        ...(supports(v, "tektonpruner") ? { tektonpruner: { disabled: true, "global-config": {} } } : {}),
        chain: buildChain(s, chainsGenerateSigningSecret),
        platforms: {
            openshift: {
                pipelinesAsCode: {
                    enable: true,
                    settings: pacSettings(s.githubAppName, s.hacConsoleUrl, s.pac, v),
                    options: {
                        deployments: {
                            "pipelines-as-code-watcher": { spec: { replicas: s.pac.watcherReplicas } },
                            "pipelines-as-code-webhook": { spec: { replicas: s.pac.webhookReplicas } },
                        },
                    },
                },
            },
        },
    };
    if (result !== undefined) spec.result = result;
    return {
        apiVersion: "operator.tekton.dev/v1alpha1",
        kind: "TektonConfig",
        metadata: {
            name: "config",
            labels: labels(),
            annotations: {
                ...ARGOCD_SKIP_DRY_RUN,
                "argocd.argoproj.io/sync-wave": "0",
                ...upgradeAnnotations(s),
                ...awaitAnnotations(readiness, "condition=Ready"),
            },
        },
        spec,
    };
}

/** The Chains metrics Service (infra HEAD `Service tekton-chains`: port `metrics` 9090 of the controller). */
export const CHAINS_METRICS_SERVICE = "tekton-chains";

export function buildChainsMetricsService(readiness: Readiness): k8s.types.input.core.v1.Service {
    return {
        metadata: {
            name: CHAINS_METRICS_SERVICE,
            namespace: PIPELINES_NAMESPACE,
            // The provider awaits a Service's endpoints: bounded where the operator runs, skipped where nothing does.
            annotations: awaitAnnotations(readiness),
            labels: labels({
                app: "tekton-chains-controller",
                "app.kubernetes.io/component": "metrics",
                "app.kubernetes.io/part-of": "tekton-chains",
            }),
        },
        spec: {
            ports: [{ name: "metrics", port: 9090, protocol: "TCP", targetPort: 9090 }],
            selector: {
                "app.kubernetes.io/component": "controller",
                "app.kubernetes.io/instance": "default",
                "app.kubernetes.io/part-of": "tekton-chains",
            },
        },
    };
}

/** ServiceMonitor `tekton-chains-controller` on that Service's `metrics` port over http (infra HEAD). */
export function buildChainsServiceMonitor(): CustomResourceSpec {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: {
            name: "tekton-chains-controller",
            namespace: PIPELINES_NAMESPACE,
            labels: labels(),
            annotations: { "argocd.argoproj.io/sync-wave": "1" },
        },
        spec: {
            endpoints: [{ honorLabels: true, interval: "15s", path: "/metrics", port: "metrics", scheme: "http" }],
            jobLabel: "app.kubernetes.io/name",
            namespaceSelector: { matchNames: [PIPELINES_NAMESPACE] },
            selector: {
                matchLabels: {
                    app: "tekton-chains-controller",
                    "app.kubernetes.io/component": "metrics",
                    "app.kubernetes.io/part-of": "tekton-chains",
                },
            },
            targetLabels: ["app", "app.kubernetes.io/component", "app.kubernetes.io/part-of"],
        },
    };
}

/** The Secret the public-key ExternalSecret writes (components/externalSecrets.ts). */
export const CHAINS_PUBLIC_KEY_SECRET = "public-key";

/** `metadata.name` of the Chains public-key viewer ClusterRole and its RoleBinding (infra-deployments HEAD). */
export const CHAINS_PUBLIC_KEY_VIEWER = "tekton-chains-public-key-viewer";

/**
 * ClusterRole `tekton-chains-public-key-viewer`: get/list/watch of the Secret {@link CHAINS_PUBLIC_KEY_SECRET} only,
 * so that anyone can verify Chains signatures (infra-deployments HEAD components/pipeline-service; used only when
 * the signing key is provisioned, not generated by Chains).
 */
export function buildChainsPublicKeyViewerRole(): k8s.rbac.v1.ClusterRoleArgs {
    return {
        metadata: { name: CHAINS_PUBLIC_KEY_VIEWER, labels: labels() },
        rules: [
            {
                apiGroups: [""],
                resources: ["secrets"],
                resourceNames: [CHAINS_PUBLIC_KEY_SECRET],
                verbs: ["get", "list", "watch"],
            },
        ],
    };
}

/** RoleBinding in `openshift-pipelines` of that ClusterRole to the Group `system:authenticated`. */
export function buildChainsPublicKeyViewerBinding(): k8s.rbac.v1.RoleBindingArgs {
    return {
        metadata: { name: CHAINS_PUBLIC_KEY_VIEWER, namespace: PIPELINES_NAMESPACE, labels: labels() },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: CHAINS_PUBLIC_KEY_VIEWER },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:authenticated" }],
    };
}

export class OpenShiftPipelines extends pulumi.ComponentResource {
    public readonly catalogSource: k8s.apiextensions.CustomResource;
    public readonly imageDigestMirrorSet?: k8s.apiextensions.CustomResource;
    public readonly operator: OperatorSubscription;
    public readonly tektonConfig: k8s.apiextensions.CustomResource;
    public readonly chainsService: k8s.core.v1.Service;
    public readonly chainsServiceMonitor: k8s.apiextensions.CustomResource;
    /** `tekton-chains-public-key-viewer` RoleBinding (external secrets mode only). */
    public readonly publicKeyViewer?: k8s.rbac.v1.RoleBinding;
    /** The index image's digest, `sha256:<hex>`. */
    public readonly catalogDigest: pulumi.Output<string>;
    /** The Subscription's channel. */
    public readonly channel: pulumi.Output<string>;
    /** The targeted tektoncd/operator version. */
    public readonly operatorVersion: pulumi.Output<string>;
    /** The CSV the Subscription waits for ("" when the index's CSV is not known; then only `AtLatestKnown`). */
    public readonly expectedCsv: pulumi.Output<string>;

    constructor(name: string, args: OpenShiftPipelinesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-service:olm:OpenShiftPipelines", name, {}, opts);
        const { provider, settings: s, readiness } = args;
        const child = { parent: this, provider };
        // Namespaced children wait for what the component waits for (the namespace, through the secrets).
        const dep = opts?.dependsOn;
        const inherited = (Array.isArray(dep) ? dep : dep ? [dep] : []) as pulumi.Input<pulumi.Resource>[];

        this.catalogSource = customResource(`${name}-catalog`, buildCatalogSource(s.osp, readiness), child);
        const idms = buildImageDigestMirrorSet(s.osp);
        if (idms) this.imageDigestMirrorSet = customResource(`${name}-idms`, idms, child);

        const sub = s.osp.subscription;
        const csv = expectedCsvOf(s);
        this.operator = new OperatorSubscription(
            `${name}-operator`,
            {
                provider,
                name: sub.name,
                namespace: sub.namespace,
                package: sub.package,
                channel: sub.channel,
                // An Output: the Subscription waits for the CatalogSource (and its readiness) before it is created.
                source: this.catalogSource.metadata.name,
                sourceNamespace: s.osp.catalog.namespace,
                installPlanApproval: sub.installPlanApproval,
                startingCSV: sub.startingCSV,
                // infra HEAD Subscription config.env: the operator creates no TektonConfig of its own.
                env: [{ name: "AUTOINSTALL_COMPONENTS", value: String(sub.autoInstallComponents) }],
                readiness,
                annotations: upgradeAnnotations(s),
                waitFor: csv ? [installedCsvCondition(csv)] : [],
            },
            { parent: this, dependsOn: this.imageDigestMirrorSet ? [this.imageDigestMirrorSet] : [] },
        );

        this.tektonConfig = customResource(
            `${name}-tektonconfig`,
            buildTektonConfig(s, args.result, readiness, args.chainsGenerateSigningSecret),
            { ...child, dependsOn: [this.operator] },
        );

        const nsChild = { ...child, dependsOn: inherited };
        this.chainsService = new k8s.core.v1.Service(
            `${name}-chains-metrics`,
            buildChainsMetricsService(readiness),
            nsChild,
        );
        this.chainsServiceMonitor = customResource(`${name}-chains-monitor`, buildChainsServiceMonitor(), {
            ...child,
            dependsOn: [...inherited, this.chainsService],
        });
        if (!args.chainsGenerateSigningSecret) {
            // infra HEAD: everyone signed in may read the Chains public key (Secret `public-key`) to verify signatures.
            const viewer = new k8s.rbac.v1.ClusterRole(
                `${name}-public-key-viewer-role`,
                buildChainsPublicKeyViewerRole(),
                child,
            );
            this.publicKeyViewer = new k8s.rbac.v1.RoleBinding(
                `${name}-public-key-viewer`,
                buildChainsPublicKeyViewerBinding(),
                { ...nsChild, dependsOn: [...inherited, viewer] },
            );
        }

        this.catalogDigest = this.catalogSource.metadata.apply(() => imageDigest(s.osp.catalog.image));
        this.channel = pulumi.output(sub.channel);
        this.operatorVersion = pulumi.output(s.osp.operatorVersion);
        this.expectedCsv = pulumi.output(csv ?? "");

        this.registerOutputs({
            catalogSource: this.catalogSource,
            imageDigestMirrorSet: this.imageDigestMirrorSet,
            operator: this.operator,
            tektonConfig: this.tektonConfig,
            chainsService: this.chainsService,
            chainsServiceMonitor: this.chainsServiceMonitor,
            publicKeyViewer: this.publicKeyViewer,
            catalogDigest: this.catalogDigest,
            channel: this.channel,
            operatorVersion: this.operatorVersion,
            expectedCsv: this.expectedCsv,
        });
    }
}
