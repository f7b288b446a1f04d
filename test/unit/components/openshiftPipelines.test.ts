import test from "ava";
import { find, installMocks, promiseOf, registeredOutputs, settle } from "../helpers/mocks.js";
import { NO_WAIT, READY, assertK8sChildren, childrenOf, clusterSettings, defaultSettings, outputKeys } from "../helpers/fixtures.js";
import type { Settings } from "../../../lib/config.js";

await installMocks("unit");
const k8s = await import("@pulumi/kubernetes");
const osp = await import("../../../components/openshiftPipelines.js");
const { buildResultSpec } = await import("../../../components/tektonResults.js");
const { OpenShiftPipelines, buildCatalogSource, buildImageDigestMirrorSet, buildPruner, buildTektonConfig, imageDigest, pacSettings } = osp;

const TC = "kubernetes:operator.tekton.dev/v1alpha1:TektonConfig";
const CATALOG = "kubernetes:operators.coreos.com/v1alpha1:CatalogSource";

// prod cluster 2 (stone-prod-p01): the backup pruner, performance overrides and a per-cluster GitHub App.
const prod = clusterSettings("prod", 2);
const local = clusterSettings("local", 1);
const mirrored: Settings = { ...defaultSettings(), osp: { ...defaultSettings().osp, imageDigestMirrors: [{ source: "quay.io/openshift-pipeline", mirrors: ["mirror.example.com/osp"] }] } };

const provider = new k8s.Provider("osp-k8s", { clusterIdentifier: "osp" });
const prodOsp = new OpenShiftPipelines("prod-osp", { provider, settings: prod, result: buildResultSpec(prod.results), chainsGenerateSigningSecret: false, readiness: READY });
const localOsp = new OpenShiftPipelines("local-osp", { provider, settings: local, result: buildResultSpec(local.results), chainsGenerateSigningSecret: true, readiness: NO_WAIT });
const mirrorOsp = new OpenShiftPipelines("mirror-osp", { provider, settings: mirrored, result: buildResultSpec(mirrored.results), chainsGenerateSigningSecret: false, readiness: READY });
const [prodUrn, localUrn, mirrorUrn, providerUrnValue] = await Promise.all([prodOsp.urn, localOsp.urn, mirrorOsp.urn, provider.urn].map((o) => promiseOf(o)));
await settle();

const tcSpec = (name: string) => find(TC, `${name}-tektonconfig`).inputs.spec;

test("type token; children: CatalogSource, optional IDMS, OperatorSubscription, TektonConfig", (t) => {
    t.false(find("pipeline-service:olm:OpenShiftPipelines", "prod-osp").custom);
    t.deepEqual(childrenOf(prodUrn).map((c) => c.name).sort(), ["prod-osp-catalog", "prod-osp-operator", "prod-osp-tektonconfig"]);
    t.deepEqual(childrenOf(mirrorUrn).map((c) => c.name).sort(), ["mirror-osp-catalog", "mirror-osp-idms", "mirror-osp-operator", "mirror-osp-tektonconfig"]);
    for (const urn of [prodUrn, localUrn, mirrorUrn]) assertK8sChildren(t, urn, providerUrnValue);
});

test("CatalogSource custom-operators: grpc, digest-pinned index, registryPoll, READY await", (t) => {
    const c = find(CATALOG, "prod-osp-catalog");
    t.is(c.inputs.metadata.name, "custom-operators");
    t.is(c.inputs.metadata.namespace, "openshift-marketplace");
    t.like(c.inputs.spec, { sourceType: "grpc", image: prod.osp.catalog.image, updateStrategy: { registryPoll: { interval: "30m" } } });
    t.regex(c.inputs.spec.image, /@sha256:[a-f0-9]{64}$/);
    t.is(c.inputs.metadata.annotations["pulumi.com/waitFor"], "jsonpath={.status.connectionState.lastObservedState}=READY");
    t.is(find(CATALOG, "local-osp-catalog").inputs.metadata.annotations["pulumi.com/skipAwait"], "true");
});

test("the OSP Subscription: package, channel, source = the CatalogSource, and it depends on it", (t) => {
    const s = find("kubernetes:operators.coreos.com/v1alpha1:Subscription", "prod-osp-operator-subscription");
    t.is(s.inputs.metadata.name, "openshift-pipelines-operator");
    t.is(s.inputs.metadata.namespace, "openshift-operators");
    t.like(s.inputs.spec, { name: "openshift-pipelines-operator-rh", channel: "latest", source: "custom-operators", sourceNamespace: "openshift-marketplace", installPlanApproval: "Automatic" });
    t.true(s.dependencies.includes(find(CATALOG, "prod-osp-catalog").urn));
    // With mirrors, the operator component waits for the ImageDigestMirrorSet.
    const idms = find("kubernetes:config.openshift.io/v1:ImageDigestMirrorSet", "mirror-osp-idms");
    t.true(find("pipeline-service:olm:OperatorSubscription", "mirror-osp-operator").dependencies.includes(idms.urn));
    t.deepEqual(idms.inputs.spec.imageDigestMirrors, [{ source: "quay.io/openshift-pipeline", mirrors: ["mirror.example.com/osp"], mirrorSourcePolicy: "AllowContactingSource" }]);
});

test("TektonConfig config: target namespace, profile, createRbacResource, default SA", (t) => {
    const tc = find(TC, "prod-osp-tektonconfig");
    t.is(tc.inputs.metadata.name, "config");
    t.is(tc.inputs.metadata.namespace, undefined, "TektonConfig is cluster-scoped");
    const spec = tc.inputs.spec;
    t.is(spec.targetNamespace, "openshift-pipelines");
    t.is(spec.profile, "all");
    t.deepEqual(spec.params, [{ name: "createRbacResource", value: "false" }]);
    t.is(spec.pipeline["default-service-account"], "appstudio-pipeline");
    for (const r of ["bundles", "cluster", "git", "hub"]) t.is(spec.pipeline[`enable-${r}-resolver`], true);
    t.is(spec.pipeline["enable-tekton-oci-bundles"], true);
    t.is(tc.inputs.metadata.annotations["argocd.argoproj.io/sync-options"], "SkipDryRunOnMissingResource=true");
    t.is(tc.inputs.metadata.annotations["pulumi.com/waitFor"], "condition=Ready");
});

test("TektonConfig waits for the operator Subscription", (t) => {
    const sub = find("kubernetes:operators.coreos.com/v1alpha1:Subscription", "prod-osp-operator-subscription");
    t.true(find(TC, "prod-osp-tektonconfig").dependencies.includes(sub.urn));
});

test("TektonConfig: triggers disabled, operator pruner, tektonpruner off", (t) => {
    t.deepEqual(tcSpec("local-osp").trigger, { disabled: true });
    t.deepEqual(tcSpec("local-osp").pruner, { disabled: true });
    t.deepEqual(tcSpec("prod-osp").pruner, { disabled: false, resources: ["pipelinerun"], schedule: "*/30 * * * *", "keep-since": 80 });
    t.like(tcSpec("prod-osp").tektonpruner, { disabled: true });
});

test("TektonConfig: PaC settings name the GitHub App and link into HAC with placeholders", (t) => {
    const pac = tcSpec("prod-osp").platforms.openshift.pipelinesAsCode;
    t.is(pac.enable, true);
    const s = pac.settings;
    t.is(prod.githubAppName, "Konflux Production Internal");
    t.is(s["application-name"], prod.githubAppName);
    t.is(s["custom-console-name"], prod.githubAppName);
    const base = prod.hacConsoleUrl;
    t.is(s["custom-console-url"], base);
    t.is(s["custom-console-url-namespace"], `${base}/ns/{{ namespace }}`);
    t.is(s["custom-console-url-pr-details"], `${base}/ns/{{ namespace }}/pipelinerun/{{ pr }}`);
    t.is(s["custom-console-url-pr-tasklog"], `${base}/ns/{{ namespace }}/pipelinerun/{{ pr }}/logs/{{ task }}`);
    const localPac = tcSpec("local-osp").platforms.openshift.pipelinesAsCode.settings;
    t.is(localPac["application-name"], "Pipeline Service Local");
    t.true(localPac["custom-console-url"].startsWith("https://console.pipeline-service.localhost/"));
});

test("TektonConfig: Chains in-toto/OCI without transparency log; signing secret generated only when asked", (t) => {
    const expected = {
        disabled: false,
        "artifacts.pipelinerun.format": "in-toto",
        "artifacts.pipelinerun.storage": "oci",
        "artifacts.oci.storage": "oci",
        "artifacts.taskrun.storage": "",
        "transparency.enabled": "false",
    };
    t.deepEqual(tcSpec("prod-osp").chain, { ...expected, generateSigningSecret: false });
    t.deepEqual(tcSpec("local-osp").chain, { ...expected, generateSigningSecret: true });
});

test("TektonConfig: performance and webhook HPA from settings", (t) => {
    t.deepEqual(tcSpec("prod-osp").pipeline.performance, {
        "disable-ha": false, buckets: 4, replicas: 2, "threads-per-controller": 32, "kube-api-qps": 50, "kube-api-burst": 50,
    });
    t.like(tcSpec("prod-osp").pipeline.options.horizontalPodAutoscalers["tekton-pipelines-webhook"].spec, { minReplicas: 6, maxReplicas: 6 });
    t.like(tcSpec("local-osp").pipeline.performance, { buckets: 2, replicas: 2 });
    t.like(tcSpec("local-osp").pipeline.options.horizontalPodAutoscalers["tekton-pipelines-webhook"].spec, { minReplicas: 2, maxReplicas: 6 });
});

test("TektonConfig: Results through the operator (verify-full, auth on, S3 logs, grace period)", (t) => {
    const r = tcSpec("prod-osp").result;
    t.like(r, {
        disabled: false, is_external_db: true, db_sslmode: "verify-full", auth_disable: false, logs_api: true, logs_type: "S3",
        db_host: "stonesoup-prod-plnsvc.cluster-ro.us-east-1.rds.amazonaws.com", db_port: 5432, secret_name: "tekton-results-s3",
    });
    t.is(r.db_sslrootcert, "/etc/tls/db/tekton-results-db-ca.pem");
    t.deepEqual(r.watcher, { completed_run_grace_period: "10m" });
    t.deepEqual(tcSpec("local-osp").result.watcher, { completed_run_grace_period: "2h" });
});

test("registerOutputs; catalogDigest and channel", async (t) => {
    t.deepEqual(outputKeys(registeredOutputs.get(prodUrn)), ["catalogDigest", "catalogSource", "channel", "operator", "tektonConfig"]);
    t.deepEqual(outputKeys(registeredOutputs.get(mirrorUrn)), ["catalogDigest", "catalogSource", "channel", "imageDigestMirrorSet", "operator", "tektonConfig"]);
    t.is(await promiseOf(prodOsp.catalogDigest), imageDigest(prod.osp.catalog.image));
    t.regex(await promiseOf(prodOsp.catalogDigest), /^sha256:[a-f0-9]{64}$/);
    t.is(await promiseOf(prodOsp.channel), "latest");
});

// ----- pure builders

test("imageDigest", (t) => {
    t.is(imageDigest(`quay.io/a/b@sha256:${"0".repeat(64)}`), `sha256:${"0".repeat(64)}`);
    t.is(imageDigest(`quay.io/a/b:tag@sha256:${"f".repeat(64)}`), `sha256:${"f".repeat(64)}`);
    t.is(imageDigest("quay.io/a/b:1234567"), "");
});

test("pacSettings trims trailing slashes and keeps the app name in both fields", (t) => {
    const s = pacSettings("My App", "https://hac.example.com/app///");
    t.is(s["custom-console-url"], "https://hac.example.com/app");
    t.is(s["custom-console-url-pr-details"], "https://hac.example.com/app/ns/{{ namespace }}/pipelinerun/{{ pr }}");
    t.is(s["application-name"], s["custom-console-name"]);
    t.deepEqual(Object.keys(s).sort(), ["application-name", "custom-console-name", "custom-console-url", "custom-console-url-namespace", "custom-console-url-pr-details", "custom-console-url-pr-tasklog"]);
});

test("buildPruner: disabled, keep, keep-since; never both", (t) => {
    t.deepEqual(buildPruner({ disabled: true, keep: 3 }), { disabled: true });
    t.deepEqual(buildPruner({ disabled: false, keep: 3, resources: ["pipelinerun"], schedule: "0 * * * *" }),
        { disabled: false, keep: 3, resources: ["pipelinerun"], schedule: "0 * * * *" });
    const ks = buildPruner({ disabled: false, keepSince: 60, resources: ["pipelinerun"], schedule: "0 * * * *" });
    t.deepEqual(ks, { disabled: false, "keep-since": 60, resources: ["pipelinerun"], schedule: "0 * * * *" });
    t.false("disable" in ks, "the flag is `disabled`, not `disable`");
});

test("buildCatalogSource and buildImageDigestMirrorSet", (t) => {
    const s = defaultSettings();
    const c = buildCatalogSource(s.osp, NO_WAIT);
    t.is(c.kind, "CatalogSource");
    t.like(c.spec as object, { sourceType: "grpc", image: s.osp.catalog.image, displayName: "custom-operators" });
    t.is(c.metadata.annotations?.["pulumi.com/skipAwait"], "true");
    t.is(buildImageDigestMirrorSet(s.osp), undefined);
});

test("buildTektonConfig follows settings (triggers enabled, defaults)", (t) => {
    const s = defaultSettings();
    s.tekton.triggers.enabled = true;
    s.tekton.defaultServiceAccount = "pipeline-sa";
    const tc = buildTektonConfig(s, { disabled: true }, READY);
    const spec = tc.spec as Record<string, any>;
    t.deepEqual(spec.trigger, { disabled: false });
    t.is(spec.pipeline["default-service-account"], "pipeline-sa");
    t.deepEqual(spec.result, { disabled: true });
    t.is(spec.chain.generateSigningSecret, false, "default: Chains does not generate its key");
    t.is(spec.platforms.openshift.pipelinesAsCode.settings["application-name"], "Red Hat Konflux");
    t.is(tc.metadata.name, "config");
});
