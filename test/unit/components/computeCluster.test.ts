import test from "ava";
import * as path from "node:path";
import {
    collected,
    descendantsOf,
    find,
    installMocks,
    ofKind,
    promiseOf,
    providerUrn,
    registeredOutputs,
    settle,
} from "../../helpers/mocks.js";
import {
    assertK8sChildren,
    childrenOf,
    copy,
    isSecretValue,
    k8sOnly,
    outputKeys,
    stackConfig,
    unsecret,
} from "../helpers/fixtures.js";
import type { ResolvedCluster } from "../../../lib/config.js";
import { clusterSyncerNamespace } from "../../../lib/naming.js";

const KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: []\n# token: very-secret-token\n";
await installMocks("unit", { "pipeline-service:kubeconfigDev": KUBECONFIG }, ["pipeline-service:kubeconfigDev"]);
const k8s = await import("@pulumi/kubernetes");
const { ComputeCluster } = await import("../../../components/computeCluster.js");
const { providerArgs } = await import("../../../lib/providers.js");

const PROVIDER = "pulumi:providers:kubernetes";
const local = stackConfig("local");
// compute-2 of the local stack (kcp on, external secrets), with the post-deploy check switched on.
const withKcp: ResolvedCluster = copy(local.clusters[1]!);
withKcp.settings.postDeployCheck.enabled = true;
// The Vault path for the syncer's kcp token (kcp.credentials externalSecret), and a kcp server URL (no kubeconfig file here).
withKcp.settings.kcp.credentials = "externalSecret";
withKcp.settings.kcp.serverUrl = "https://kcp.example.com";
// A dev-like cluster: generated secrets, kcp off, kubeconfig from secret config.
const devCluster: ResolvedCluster = {
    ...copy(local.clusters[0]!),
    name: "dev-1",
    kubeconfig: { secretConfigKey: "kubeconfigDev" },
    appsDomain: "apps.dev-1.example.com",
};
devCluster.settings.secrets.mode = "generated";
devCluster.settings.kcp.enabled = false;

const kcpProvider = new k8s.Provider("kcp", { clusterIdentifier: "kcp" });
const cc = new ComputeCluster("compute-2", {
    cluster: withKcp,
    environment: "local",
    kcpProvider,
    extraSecretNamespaces: ["sprayproxy"],
});
const dev = new ComputeCluster("dev-1", { cluster: devCluster, environment: "dev" });
// Render mode: manifests go to <dir>/<cluster>; the provider gets no credentials at all.
const rendered = new ComputeCluster("render-1", {
    cluster: { ...copy(devCluster), name: "render-1" },
    environment: "dev",
    renderDirectory: "/tmp/render",
});
const [ccUrn, devUrn, kcpUrn] = await Promise.all([cc.urn, dev.urn, kcpProvider.urn].map((o) => promiseOf(o)));
await promiseOf(rendered.urn);
await settle();

test("type token and the composed components, each parented to the cluster", (t) => {
    t.false(find("pipeline-service:cluster:ComputeCluster", "compute-2").custom);
    t.deepEqual(
        childrenOf(ccUrn)
            .map((c) => `${c.type} ${c.name}`)
            .sort(),
        [
            "command:local:Command compute-2-post-deploy-check",
            "pipeline-service:argocd:ArgoCd compute-2-argocd",
            "pipeline-service:kcp:KcpSyncer compute-2-syncer",
            "pipeline-service:monitoring:MetricsExporter compute-2-metrics",
            "pipeline-service:olm:OpenShiftPipelines compute-2-osp",
            "pipeline-service:secrets:ExternalSecrets compute-2-secrets",
            "pipeline-service:tekton:TektonResults compute-2-results",
            "pipeline-service:tenant:PlatformAccess compute-2-access",
            `${PROVIDER} compute-2-k8s`,
        ],
    );
    t.deepEqual(
        childrenOf(devUrn)
            .map((c) => c.type)
            .sort(),
        [
            "pipeline-service:argocd:ArgoCd",
            "pipeline-service:monitoring:MetricsExporter",
            "pipeline-service:olm:OpenShiftPipelines",
            "pipeline-service:secrets:ExternalSecrets",
            "pipeline-service:tekton:TektonResults",
            "pipeline-service:tenant:PlatformAccess",
            PROVIDER,
        ],
    );
});

test("its own kubernetes Provider, clusterIdentifier = cluster name, kubeconfig path and context", (t) => {
    const p = find(PROVIDER, "compute-2-k8s");
    t.is(p.parent, ccUrn);
    t.like(p.inputs, {
        clusterIdentifier: "compute-2",
        context: "compute-2",
        kubeconfig: ".local/kubeconfig",
        enableServerSideApply: "true",
    });
});

test("secretConfigKey: the kubeconfig reaches the Provider only as a secret", (t) => {
    const p = find(PROVIDER, "dev-1-k8s");
    t.is(p.inputs.clusterIdentifier, "dev-1");
    t.true(isSecretValue(p.inputs.kubeconfig));
    t.is(unsecret(p.inputs.kubeconfig), KUBECONFIG);
    t.false("context" in p.inputs);
    t.false("renderYamlToDirectory" in p.inputs);
});

test("render mode: one directory per cluster and no credentials on the Provider", (t) => {
    const p = find(PROVIDER, "render-1-k8s");
    t.is(p.inputs.clusterIdentifier, "render-1");
    t.is(p.inputs.renderYamlToDirectory, path.join("/tmp/render", "render-1"));
    t.false("kubeconfig" in p.inputs);
    t.false("context" in p.inputs);
});

test("every Kubernetes resource is a descendant on the cluster's provider; the SyncTarget on kcp's", async (t) => {
    const own = await promiseOf(cc.provider.urn);
    const kube = assertK8sChildren(
        t,
        ccUrn,
        own,
        Object.fromEntries(
            ["synctarget", "kcp-sa", "kcp-role", "kcp-binding"].map((x) => [`compute-2-syncer-${x}`, kcpUrn]),
        ),
    );
    t.true(kube.length > 30, `${kube.length} Kubernetes resources`);
    assertK8sChildren(t, devUrn, await promiseOf(dev.provider.urn));
    // Nothing of one cluster leaks onto another cluster's provider.
    t.true(k8sOnly(descendantsOf(devUrn)).every((c) => providerUrn(c.provider) !== own));
});

test("the store's conditions cover every ExternalSecret on the cluster, including the syncer's and extra namespaces", (t) => {
    const store = find("kubernetes:external-secrets.io/v1:ClusterSecretStore", "compute-2-secrets-store");
    const allowed: string[] = store.inputs.spec.conditions[0].namespaces;
    const ns = clusterSyncerNamespace("compute-2", withKcp.settings.kcp.workspace);
    t.deepEqual(allowed, ["openshift-pipelines", "sprayproxy", ns].sort());
    const ess = ofKind("ExternalSecret", "compute-2-");
    t.is(ess.length, 6, "PaC, Chains signing and public key, Results DB and S3, the syncer's kubeconfig");
    for (const es of ess)
        t.true(allowed.includes(es.inputs.metadata.namespace), `${es.name} in ${es.inputs.metadata.namespace}`);
});

test("dependency order: secrets after the namespace, OSP after the DB and PaC secrets", (t) => {
    const nsUrn = find("kubernetes:core/v1:Namespace", "compute-2-argocd-ns-openshift-pipelines").urn;
    const storeUrn = find("kubernetes:external-secrets.io/v1:ClusterSecretStore", "compute-2-secrets-store").urn;
    const es = (n: string) => find("kubernetes:external-secrets.io/v1:ExternalSecret", n);
    t.true(es("compute-2-secrets-pac-secret").dependencies.includes(nsUrn));
    t.true(es("compute-2-results-db-secret").dependencies.includes(storeUrn));
    t.true(es("compute-2-syncer-kubeconfig").dependencies.includes(storeUrn));
    const osp = find("pipeline-service:olm:OpenShiftPipelines", "compute-2-osp");
    t.true(osp.dependencies.includes(es("compute-2-results-db-secret").urn));
    t.true(osp.dependencies.includes(es("compute-2-secrets-pac-secret").urn));
    t.true(find("kubernetes:apps/v1:Deployment", "compute-2-metrics-deployment").dependencies.includes(nsUrn));
});

test("the TektonConfig reflects the cluster's overrides (local compute-2: buckets 2, replicas 2)", (t) => {
    const tc = find("kubernetes:operator.tekton.dev/v1alpha1:TektonConfig", "compute-2-osp-tektonconfig");
    t.like(tc.inputs.spec.pipeline.performance, { buckets: 2, replicas: 2 });
    t.is(tc.inputs.spec.chain.generateSigningSecret, false);
    t.is(
        find("kubernetes:operator.tekton.dev/v1alpha1:TektonConfig", "dev-1-osp-tektonconfig").inputs.spec.chain
            .generateSigningSecret,
        true,
    );
});

test("post-deploy check: curl of the PaC route, re-run when the catalog or channel changes, after the TektonConfig", (t) => {
    const cmd = find("command:local:Command", "compute-2-post-deploy-check");
    t.is(
        cmd.inputs.create,
        "curl -sS -o /dev/null --max-time 20 -w '%{http_code}' https://pipelines-as-code-controller-openshift-pipelines.apps.compute-2.pipeline-service.localhost/",
    );
    t.deepEqual(cmd.inputs.triggers, [withKcp.settings.osp.catalog.image, "pipelines-5.0"]);
    t.true(
        cmd.dependencies.includes(
            find("kubernetes:operator.tekton.dev/v1alpha1:TektonConfig", "compute-2-osp-tektonconfig").urn,
        ),
    );
    t.is(collected.filter((c) => c.type === "command:local:Command" && c.name.startsWith("dev-1")).length, 0);
});

test("generated mode: no store, random secrets, no syncer", (t) => {
    t.is(ofKind("ClusterSecretStore", "dev-1-").length, 0);
    t.is(ofKind("ExternalSecret", "dev-1-").length, 0);
    t.is(
        collected.filter((c) => c.type === "random:index/randomPassword:RandomPassword" && c.name.startsWith("dev-1-"))
            .length,
        2,
    );
    t.is(dev.syncer, undefined);
});

test("outputs: catalogDigest, channel, argoApplication, syncTarget, pacUrl", async (t) => {
    t.regex(await promiseOf(cc.catalogDigest), /^sha256:[a-f0-9]{64}$/);
    t.is(await promiseOf(cc.channel), "pipelines-5.0");
    t.is(await promiseOf(cc.argoApplication), "openshift-gitops/pipeline-service");
    t.is(await promiseOf(cc.syncTarget), "compute-2");
    t.is(await promiseOf(dev.syncTarget), "");
    t.is(
        await promiseOf(cc.pacUrl),
        "https://pipelines-as-code-controller-openshift-pipelines.apps.compute-2.pipeline-service.localhost",
    );
    t.deepEqual(outputKeys(registeredOutputs.get(ccUrn)), [
        "access",
        "argoApplication",
        "argocd",
        "catalogDigest",
        "channel",
        "metrics",
        "pacUrl",
        "pipelines",
        "postDeployCheck",
        "provider",
        "results",
        "secrets",
        "syncTarget",
        "syncer",
    ]);
});

test("kcp enabled without a kcp provider is refused", (t) => {
    t.throws(() => new ComputeCluster("orphan", { cluster: copy(local.clusters[0]!), environment: "local" }), {
        message: /kcp is enabled but no kcp provider was given/,
    });
});

test("providerArgs", (t) => {
    t.deepEqual(providerArgs("c", { path: "k.yaml", context: "ctx" }), {
        clusterIdentifier: "c",
        enableServerSideApply: true,
        suppressDeprecationWarnings: true,
        kubeconfig: "k.yaml",
        context: "ctx",
    });
    t.deepEqual(providerArgs("c", { path: "k.yaml", context: "ctx" }, "/r"), {
        clusterIdentifier: "c",
        enableServerSideApply: true,
        suppressDeprecationWarnings: true,
        renderYamlToDirectory: path.join("/r", "c"),
    });
});
