/**
 * The default layers of the stack configuration: {@link DEFAULTS} (what upstream deployed, with the source of each
 * value) and {@link ENVIRONMENT_DEFAULTS}, merged under the stack's own keys by ./validate.ts resolveConfig.
 * lib/config.ts re-exports both.
 */
import { DeepPartial } from "../merge.js";
import { RDS_US_EAST_1_CA_BUNDLE } from "../rdsCaBundle.js";
import { PipelineServiceConfig, Settings } from "./schema.js";

// ---------------------------------------------------------------------------------------------------------------
// Defaults: what upstream deployed. Sources: ../shared/docs/pipeline-service-inventory.md.

/** The namespaces era's default PipelineRun ServiceAccount: ADR-0025, pipeline-service dfd5c9a and 1147039 (constraint 7). */
export const ADR_0025_SERVICE_ACCOUNT = "appstudio-pipeline";
/**
 * Phase 1's: the syncer creates the tenants' namespaces, and the operator's rbac reconciler (params createRbacResource
 * "true") creates `pipeline` in each (pipeline-service@kcp README "ServiceAccount used by PipelineRuns", constraint 42).
 */
export const PHASE1_SERVICE_ACCOUNT = "pipeline";

/**
 * The TektonConfig's `pipeline.default-service-account` for `s`: `tekton.defaultServiceAccount` when set, else
 * {@link PHASE1_SERVICE_ACCOUNT} on a cluster with `kcp.enabled` and {@link ADR_0025_SERVICE_ACCOUNT} otherwise.
 */
export function defaultServiceAccountOf(s: Pick<Settings, "tekton" | "kcp">): string {
    return s.tekton.defaultServiceAccount ?? (s.kcp.enabled ? PHASE1_SERVICE_ACCOUNT : ADR_0025_SERVICE_ACCOUNT);
}

export const DEFAULTS: Settings = {
    // No default (upstream-conformance §1.5): upstream's `openshift-pipelines/pipeline-service` `main` is deprecated
    // (infra-deployments components/pipeline-service/README.md@e952b760) and its path declares the CatalogSource,
    // Subscription, TektonConfig and exporter Pulumi applies. The empty values fail validation, naming the key.
    gitops: { repoUrl: "", revision: "", path: "" },
    githubAppName: "Red Hat Konflux",
    hacConsoleUrl: "https://console.redhat.com/preview/application-pipeline",
    osp: {
        // The operator the catalog below ships (lib/operatorVersions.ts KNOWN_CATALOGS, OSP_CHANNELS).
        operatorVersion: "0.81.0",
        // infra-deployments components/pipeline-service/production/base/main-pipeline-service-configuration.yaml@e952b760
        // (CatalogSource custom-operators: OSP build 5.0.5-854 on the OCP 4.19 index)
        catalog: {
            name: "custom-operators",
            namespace: "openshift-marketplace",
            image: "quay.io/openshift-pipeline/pipelines-index-4.19@sha256:bd598786408b16bc1171c79907db124013189d57677e8bfbec1feccc55523ccd",
            displayName: "custom-operators",
            pollInterval: "30m",
        },
        // same file: Subscription openshift-pipelines-operator, channel pipelines-5.0, AUTOINSTALL_COMPONENTS "false"
        subscription: {
            name: "openshift-pipelines-operator",
            namespace: "openshift-operators",
            package: "openshift-pipelines-operator-rh",
            channel: "pipelines-5.0",
            installPlanApproval: "Automatic",
            autoInstallComponents: false,
        },
        imageDigestMirrors: [],
    },
    tekton: {
        triggers: { enabled: false },
        operatorPruner: { disabled: true },
        // update-tekton-config-performance.yaml @4cb50a81; statefulset-ordinals: infra HEAD (all environments)
        performance: {
            disableHa: false,
            buckets: 1,
            replicas: 1,
            threadsPerController: 32,
            kubeApiQps: 50,
            kubeApiBurst: 50,
            statefulsetOrdinals: true,
        },
        webhook: { minReplicas: 2, maxReplicas: 6 },
        // infra HEAD production/base: horizontalPodAutoscalers.tekton-operator-proxy-webhook 2..6
        proxyWebhook: { minReplicas: 2, maxReplicas: 6 },
        sizing: "production",
    },
    results: {
        enabled: true,
        database: {
            port: 5432,
            name: "tekton_results",
            vaultKey: "tekton-results/db",
            caBundle: RDS_US_EAST_1_CA_BUNDLE,
        },
        s3: { vaultKey: "tekton-results/s3" },
        watcherGracePeriod: "10m",
        refreshInterval: "1h",
        // pipeline-service watcher-config.yaml@5b34974a and infra HEAD: -check_owner=false
        watcherCheckOwner: false,
        // infra HEAD ConfigMap tekton-results-config-results-retention-policy: maxRetention "30", runAt "5 5 * * 0"
        retention: { maxRetentionDays: 30, runAt: "5 5 * * 0" },
        route: { enabled: true },
    },
    // infra HEAD: chain.options.deployments.tekton-chains-controller args
    chains: { threadsPerController: 32, kubeApiQps: 50, kubeApiBurst: 50 },
    // infra HEAD production/base/update-tekton-config-pac.yaml and pipelinesAsCode.options (watcher, webhook: 2)
    pac: {
        rememberOkToTest: false,
        secretGithubAppTokenScoped: false,
        cancelInProgressOnPullRequests: true,
        watcherReplicas: 2,
        webhookReplicas: 2,
    },
    secrets: { mode: "external", pacRefreshInterval: "5m", chainsRefreshInterval: "5m" },
    // infra-deployments components/cluster-secret-store/base/appsre-stonesoup-vault-secret-store.yaml@a601cbe7 and
    // production/approle-id-patch.yaml@a601cbe7 (the production RoleID; base has d2d9c931-…, staging the same).
    secretStore: {
        name: "appsre-stonesoup-vault",
        manage: false,
        provider: "vault",
        vault: {
            server: "https://vault.ci.ext.devshift.net",
            path: "stonesoup",
            version: "v2",
            appRole: {
                path: "approle",
                roleId: "8ef732dc-177a-a940-ebd4-f25bd2607bd2",
                secretRef: { name: "appsre-vault", key: "secret-id", namespace: "appsre-vault" },
            },
        },
        kubernetes: {
            remoteNamespace: "pipeline-service-secrets",
            authRef: { name: "eso-store-kubeconfig", key: "kubeconfig", namespace: "pipeline-service-secrets" },
        },
        namespaces: [],
        keyPrefix: "production/pipeline-service",
    },
    // infra-deployments components/external-secrets-operator/base/subscription.yaml@a601cbe7 (staging pins v0.9.1).
    externalSecrets: {
        installOperator: false,
        namespace: "external-secrets-operator",
        channel: "stable",
        source: "community-operators",
        sourceNamespace: "openshift-marketplace",
        startingCSV: "external-secrets-operator.v0.8.1",
    },
    kcp: {
        enabled: true,
        workspace: "root:pipeline-service:compute",
        // kcp v0.11.0 (commit 771cfc8ac154): kcp's syncer-image workflow tags every image with the short commit SHA.
        syncerImage: "ghcr.io/kcp-dev/kcp/syncer:771cfc8",
        // CRS_TO_SYNC @kcp, with taskruns and runs removed (PR #122, PR #294)
        resources: [
            "deployments.apps",
            "services",
            "ingresses.networking.k8s.io",
            "networkpolicies.networking.k8s.io",
            "pipelines.tekton.dev",
            "pipelineruns.tekton.dev",
            "tasks.tekton.dev",
            "repositories.pipelinesascode.tekton.dev",
        ],
        credentials: "serviceAccountToken",
        consumerWorkspaces: [],
        // The Phase 1 design prunes nothing in kcp ("this must be done manually", pipeline-service@kcp README).
        workspacePruner: { enabled: false, maxDeletions: 500 },
    },
    metricsExporter: {
        // metrics-exporter kustomization @5b34974a: newTag 9d2439c8… (a commit-SHA tag)
        image: "quay.io/konflux-ci/pipeline-service-exporter:9d2439c8a77d2ce0527cc5aea3fc6561b7671b48",
    },
    gatewayImages: {
        // infra-deployments components/sprayproxy: newName quay.io/konflux-ci/sprayproxy, newTag f1afe076… (commit SHA)
        sprayproxy: "quay.io/konflux-ci/sprayproxy:f1afe07688592565986ded70ca912d80629c04a0",
        // sprayproxy config/sprayproxy.yaml@f1afe076 runs registry.redhat.io/openshift4/ose-kube-rbac-proxy:v4.12 (a tag);
        // this is that tag's digest as openshift/aws-load-balancer-operator bundle-hack/container_digest.sh records it
        // ("Latest version of v4.12 tag is used", Red Hat catalog image 6aab84313772c4c0c3adae20).
        kubeRbacProxy:
            "registry.redhat.io/openshift4/ose-kube-rbac-proxy@sha256:1942b0309b8978f20cdd55875a363b0c16a52646745db6deb0c47546343ad2af",
    },
    readiness: { waitFor: true, timeoutSeconds: 900 },
    postDeployCheck: { enabled: false },
    // A drain waits as long as a PipelineRun may run by default: config-defaults `default-timeout-minutes: "120"`, which
    // the TektonConfig sets as infra HEAD does (components/openshiftPipelines.ts buildTektonConfig).
    drain: { timeoutSeconds: 7200 },
};

/**
 * Per-environment defaults, between {@link DEFAULTS} and the stack's keys (operator version and Tekton sizing only).
 *
 * `results.secretStore` has no environment default: infra-deployments reads the Results credentials from the shared
 * `appsre-vault` store (base/external-secrets/tekton-results/*.yaml@e952b760), but only into namespace
 * `tekton-results`, the one its hand-deployed Results runs in; that store admits tekton-results, gitops, spi-system,
 * remotesecret and openshift-adp, not `openshift-pipelines` (components/cluster-secret-store/base/appsre-vault-secret-store.yml@a601cbe7,
 * lib/secretStores.ts), where the operator runs Results. So operator-managed Results reads them from the stack's own
 * store (`appsre-stonesoup-vault` upstream, which admits openshift-pipelines), and validation refuses a shared store
 * that does not admit the namespace.
 */
export const ENVIRONMENT_DEFAULTS: Record<PipelineServiceConfig["environment"], DeepPartial<Settings>> = {
    local: { osp: { operatorVersion: "0.81.0" }, tekton: { sizing: "development" } },
    dev: { osp: { operatorVersion: "0.81.0" }, tekton: { sizing: "development" } },
    staging: { osp: { operatorVersion: "0.81.0" } },
    prod: { osp: { operatorVersion: "0.81.0" } },
};
