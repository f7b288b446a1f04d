import test from "ava";
import fc from "fast-check";
import { find, installMocks, promiseOf, registeredOutputs, settle } from "../../helpers/mocks.js";
import {
    NO_WAIT,
    READY,
    assertK8sChildren,
    childrenOf,
    clusterSettings,
    copy,
    defaultSettings,
    outputKeys,
} from "../helpers/fixtures.js";
import type { Settings } from "../../../lib/config.js";

await installMocks("unit");
const k8s = await import("@pulumi/kubernetes");
const osp = await import("../../../components/openshiftPipelines.js");
const { buildResultSpec } = await import("../../../components/tektonResults.js");
const { CHECKER_VERSIONS, FIELD_GATES, atLeast, newerFields } = await import("../../../lib/operatorVersions.js");
const {
    OpenShiftPipelines,
    SIZING,
    buildCatalogSource,
    buildChain,
    buildImageDigestMirrorSet,
    buildPruner,
    buildTektonConfig,
    imageDigest,
    pacSettings,
} = osp;

const TC = "kubernetes:operator.tekton.dev/v1alpha1:TektonConfig";
const CATALOG = "kubernetes:operators.coreos.com/v1alpha1:CatalogSource";
const SUB = "kubernetes:operators.coreos.com/v1alpha1:Subscription";

// prod cluster 2 (stone-prod-p01): the backup pruner, HEAD performance and a per-cluster GitHub App.
const prod = clusterSettings("prod", 2);
const local = clusterSettings("local", 1);
const mirrored: Settings = {
    ...defaultSettings(),
    osp: {
        ...defaultSettings().osp,
        imageDigestMirrors: [{ source: "quay.io/openshift-pipeline", mirrors: ["mirror.example.com/osp"] }],
    },
};

const provider = new k8s.Provider("osp-k8s", { clusterIdentifier: "osp" });
const ns = new k8s.core.v1.Namespace("osp-ns", { metadata: { name: "openshift-pipelines" } }, { provider });
const prodOsp = new OpenShiftPipelines(
    "prod-osp",
    { provider, settings: prod, result: buildResultSpec(prod), chainsGenerateSigningSecret: false, readiness: READY },
    { dependsOn: [ns] },
);
const localOsp = new OpenShiftPipelines("local-osp", {
    provider,
    settings: local,
    result: buildResultSpec(local),
    chainsGenerateSigningSecret: true,
    readiness: NO_WAIT,
});
const mirrorOsp = new OpenShiftPipelines("mirror-osp", {
    provider,
    settings: mirrored,
    result: buildResultSpec(mirrored),
    chainsGenerateSigningSecret: false,
    readiness: READY,
});
const [prodUrn, localUrn, mirrorUrn, providerUrnValue, nsUrn] = await Promise.all(
    [prodOsp.urn, localOsp.urn, mirrorOsp.urn, provider.urn, ns.urn].map((o) => promiseOf(o)),
);
await settle();

const tcSpec = (name: string) => find(TC, `${name}-tektonconfig`).inputs.spec;

/** Settings targeting operator `v` that it can honour (Triggers on, no ordinals, ... where the version lacks them). */
function honourable(base: Settings, v: string): Settings {
    const s = copy(base);
    s.osp.operatorVersion = v;
    if (!atLeast(v, "0.77.0")) {
        s.tekton.triggers.enabled = true;
        s.pac.cancelInProgressOnPullRequests = false;
    }
    if (!atLeast(v, "0.74.0")) s.tekton.performance.statefulsetOrdinals = false;
    if (!atLeast(v, "0.81.0")) s.results.enabled = false;
    return s;
}

test("type token; children: CatalogSource, optional IDMS, OperatorSubscription, TektonConfig, Chains Service/monitor/viewer", (t) => {
    t.false(find("pipeline-service:olm:OpenShiftPipelines", "prod-osp").custom);
    t.deepEqual(
        childrenOf(prodUrn)
            .map((c) => c.name)
            .sort(),
        [
            "prod-osp-catalog",
            "prod-osp-chains-metrics",
            "prod-osp-chains-monitor",
            "prod-osp-operator",
            "prod-osp-public-key-viewer",
            "prod-osp-public-key-viewer-role",
            "prod-osp-tektonconfig",
        ],
    );
    t.deepEqual(
        childrenOf(localUrn)
            .map((c) => c.name)
            .sort(),
        [
            "local-osp-catalog",
            "local-osp-chains-metrics",
            "local-osp-chains-monitor",
            "local-osp-operator",
            "local-osp-tektonconfig",
        ],
        "generated mode: Chains makes its own key, so there is no public-key Secret to grant",
    );
    t.true(childrenOf(mirrorUrn).some((c) => c.name === "mirror-osp-idms"));
    for (const urn of [prodUrn, localUrn, mirrorUrn]) assertK8sChildren(t, urn, providerUrnValue);
});

test("CatalogSource custom-operators: grpc, the HEAD pipelines-index-4.19 digest, registryPoll, READY await", (t) => {
    const c = find(CATALOG, "prod-osp-catalog");
    t.is(c.inputs.metadata.name, "custom-operators");
    t.is(c.inputs.metadata.namespace, "openshift-marketplace");
    t.like(c.inputs.spec, {
        sourceType: "grpc",
        image: prod.osp.catalog.image,
        updateStrategy: { registryPoll: { interval: "30m" } },
    });
    t.is(
        c.inputs.spec.image,
        "quay.io/openshift-pipeline/pipelines-index-4.19@sha256:bd598786408b16bc1171c79907db124013189d57677e8bfbec1feccc55523ccd",
    );
    t.is(
        c.inputs.metadata.annotations["pulumi.com/waitFor"],
        "jsonpath={.status.connectionState.lastObservedState}=READY",
    );
    t.is(find(CATALOG, "local-osp-catalog").inputs.metadata.annotations["pulumi.com/skipAwait"], "true");
});

test("the OSP Subscription: channel pipelines-5.0, source = the CatalogSource, AUTOINSTALL_COMPONENTS false", (t) => {
    const s = find(SUB, "prod-osp-operator-subscription");
    t.is(s.inputs.metadata.name, "openshift-pipelines-operator");
    t.is(s.inputs.metadata.namespace, "openshift-operators");
    t.like(s.inputs.spec, {
        name: "openshift-pipelines-operator-rh",
        channel: "pipelines-5.0",
        source: "custom-operators",
        sourceNamespace: "openshift-marketplace",
        installPlanApproval: "Automatic",
    });
    t.deepEqual(s.inputs.spec.config, { env: [{ name: "AUTOINSTALL_COMPONENTS", value: "false" }] });
    t.true(s.dependencies.includes(find(CATALOG, "prod-osp-catalog").urn));
    const idms = find("kubernetes:config.openshift.io/v1:ImageDigestMirrorSet", "mirror-osp-idms");
    t.true(find("pipeline-service:olm:OperatorSubscription", "mirror-osp-operator").dependencies.includes(idms.urn));
});

test("the upgrade wait: the Subscription waits for AtLatestKnown and the expected installed CSV; both it and the TektonConfig carry the catalog", (t) => {
    const csv = "openshift-pipelines-operator-rh.v5.0.5-854";
    const sub = find(SUB, "prod-osp-operator-subscription").inputs.metadata.annotations;
    t.deepEqual(JSON.parse(sub["pulumi.com/waitFor"]), [
        "jsonpath={.status.state}=AtLatestKnown",
        `jsonpath={.status.installedCSV}=${csv}`,
    ]);
    t.is(sub["pulumi.com/timeoutSeconds"], String(READY.timeoutSeconds), "bounded by readiness.timeoutSeconds");
    const tc = find(TC, "prod-osp-tektonconfig").inputs.metadata.annotations;
    for (const a of [sub, tc]) {
        t.is(a[osp.CATALOG_IMAGE_ANNOTATION], prod.osp.catalog.image);
        t.is(a[osp.EXPECTED_CSV_ANNOTATION], csv);
    }
    // An index whose CSV is not known (allowed where readiness is off): the catalog is still annotated, no CSV wait.
    const unknown = copy(prod);
    unknown.osp.catalog.image = `quay.io/x/index@sha256:${"c".repeat(64)}`;
    t.deepEqual(osp.upgradeAnnotations(unknown), { [osp.CATALOG_IMAGE_ANNOTATION]: unknown.osp.catalog.image });
    unknown.osp.expectedCsv = "openshift-pipelines-operator-rh.v5.0.6-1";
    t.is(osp.upgradeAnnotations(unknown)[osp.EXPECTED_CSV_ANNOTATION], "openshift-pipelines-operator-rh.v5.0.6-1");
    t.is(
        find(SUB, "local-osp-operator-subscription").inputs.metadata.annotations["pulumi.com/skipAwait"],
        "true",
        "the local stack does not wait",
    );
});

test("TektonConfig config: target namespace, profile, params, default SA, resolvers; waits for the Subscription", (t) => {
    const tc = find(TC, "prod-osp-tektonconfig");
    t.is(tc.inputs.metadata.name, "config");
    t.is(tc.inputs.metadata.namespace, undefined, "TektonConfig is cluster-scoped");
    const spec = tc.inputs.spec;
    t.is(spec.targetNamespace, "openshift-pipelines");
    t.is(spec.profile, "all");
    t.deepEqual(spec.params, [
        { name: "createRbacResource", value: "false" },
        { name: "createCABundleConfigMaps", value: "false" },
    ]);
    t.is(spec.pipeline["default-service-account"], "appstudio-pipeline");
    for (const r of ["bundles", "cluster", "git", "hub"]) t.is(spec.pipeline[`enable-${r}-resolver`], true);
    t.like(spec.pipeline, {
        "enable-tekton-oci-bundles": true,
        "enable-step-actions": true,
        "enable-param-enum": true,
    });
    t.is(tc.inputs.metadata.annotations["pulumi.com/waitFor"], "condition=Ready");
    t.true(tc.dependencies.includes(find(SUB, "prod-osp-operator-subscription").urn));
});

test("TektonConfig: Triggers disabled (0.81), operator pruner from config, tektonpruner off", (t) => {
    t.deepEqual(tcSpec("local-osp").trigger, { disabled: true });
    t.deepEqual(tcSpec("local-osp").pruner, { disabled: true });
    t.deepEqual(tcSpec("prod-osp").pruner, {
        disabled: false,
        resources: ["pipelinerun"],
        schedule: "*/30 * * * *",
        "keep-since": 80,
    });
    t.deepEqual(tcSpec("prod-osp").tektonpruner, { disabled: true, "global-config": {} });
});

test("TektonConfig: prod performance and HPAs at infra HEAD values", (t) => {
    const p = tcSpec("prod-osp").pipeline;
    t.deepEqual(p.performance, {
        "disable-ha": false,
        buckets: 4,
        replicas: 4,
        "threads-per-controller": 32,
        "kube-api-qps": 50,
        "kube-api-burst": 50,
        "statefulset-ordinals": true,
    });
    t.like(p.options.horizontalPodAutoscalers["tekton-pipelines-webhook"].spec, { minReplicas: 6, maxReplicas: 6 });
    t.like(p.options.horizontalPodAutoscalers["tekton-operator-proxy-webhook"].spec, {
        minReplicas: 2,
        maxReplicas: 6,
    });
    t.deepEqual(p.options.deployments["tekton-events-controller"], { spec: { replicas: 0 } });
    t.deepEqual(p.options.deployments["tekton-pipelines-webhook"].spec.template.spec.containers[0].resources, {
        limits: { cpu: "1", memory: "1Gi" },
        requests: { cpu: "400m", memory: "1Gi" },
    });
    const resolvers = p.options.statefulSets["tekton-pipelines-remote-resolvers"].spec;
    t.is(resolvers.replicas, 4);
    t.is(resolvers.template.spec.containers[0].resources.requests.memory, "10Gi");
    t.is(
        p.options.statefulSets["tekton-pipelines-controller"].spec.template.spec.containers[0].resources.requests
            .memory,
        "16Gi",
    );
    t.like(p.options.configMaps["config-defaults"].data, {
        "default-timeout-minutes": "120",
        "default-imagepullbackoff-timeout": "15m",
    });
    t.is(p["metrics.pipelinerun.level"], "namespace");
    // local: development sizing from infra HEAD development/, compute-2's performance override.
    const l = tcSpec("local-osp").pipeline;
    t.like(l.performance, { buckets: 2, replicas: 2 });
    t.is(
        l.options.statefulSets["tekton-pipelines-remote-resolvers"].spec.replicas,
        SIZING.development.remoteResolvers.replicas,
    );
    t.false("metrics.pipelinerun.level" in l);
});

test("TektonConfig: without statefulset ordinals the controller is sized as a Deployment", (t) => {
    const s = copy(prod);
    s.tekton.performance.statefulsetOrdinals = false;
    const p = (buildTektonConfig(s, undefined, READY).spec as Record<string, any>).pipeline;
    t.false("statefulset-ordinals" in p.performance);
    t.truthy(p.options.deployments["tekton-pipelines-controller"]);
    t.false("tekton-pipelines-controller" in p.options.statefulSets);
});

test("TektonConfig: PaC settings at infra HEAD, console links from the stack config, watcher/webhook replicas", (t) => {
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
    t.like(s, {
        "remember-ok-to-test": "false",
        "secret-github-app-token-scoped": "false",
        "enable-cancel-in-progress-on-pull-requests": "true",
    });
    t.deepEqual(pac.options, {
        deployments: {
            "pipelines-as-code-watcher": { spec: { replicas: 2 } },
            "pipelines-as-code-webhook": { spec: { replicas: 2 } },
        },
    });
    t.is(
        tcSpec("local-osp").platforms.openshift.pipelinesAsCode.settings["application-name"],
        "Pipeline Service Local",
    );
});

test("TektonConfig: Chains at infra HEAD (in-toto TaskRuns and PipelineRuns, deep inspection, controller args)", (t) => {
    const c = tcSpec("prod-osp").chain;
    t.like(c, {
        disabled: false,
        generateSigningSecret: false,
        "artifacts.taskrun.format": "in-toto",
        "artifacts.taskrun.storage": "",
        "artifacts.pipelinerun.format": "in-toto",
        "artifacts.pipelinerun.storage": "oci",
        "artifacts.pipelinerun.enable-deep-inspection": "true",
        "artifacts.oci.storage": "oci",
        "transparency.enabled": "false",
    });
    t.deepEqual(c.options.deployments["tekton-chains-controller"].spec.template.spec.containers, [
        {
            name: "tekton-chains-controller",
            args: ["--threads-per-controller=32", "--kube-api-qps=50", "--kube-api-burst=50"],
        },
    ]);
    t.is(tcSpec("local-osp").chain.generateSigningSecret, true);
});

test("Chains: metrics Service and ServiceMonitor on its metrics port; public-key viewer for system:authenticated", (t) => {
    const svc = find("kubernetes:core/v1:Service", "prod-osp-chains-metrics");
    t.like(svc.inputs.metadata, { name: "tekton-chains", namespace: "openshift-pipelines" });
    t.deepEqual(svc.inputs.spec.ports, [{ name: "metrics", port: 9090, protocol: "TCP", targetPort: 9090 }]);
    t.true(svc.dependencies.includes(nsUrn), "namespaced children wait for what the component waits for");
    const sm = find("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "prod-osp-chains-monitor");
    t.is(sm.inputs.spec.endpoints[0].port, svc.inputs.spec.ports[0].name);
    for (const [k, v] of Object.entries(sm.inputs.spec.selector.matchLabels))
        t.is(svc.inputs.metadata.labels[k], v, `Service label ${k}`);
    const role = find("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "prod-osp-public-key-viewer-role");
    t.deepEqual(role.inputs.rules, [
        { apiGroups: [""], resources: ["secrets"], resourceNames: ["public-key"], verbs: ["get", "list", "watch"] },
    ]);
    const rb = find("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "prod-osp-public-key-viewer");
    t.like(rb.inputs.metadata, { name: "tekton-chains-public-key-viewer", namespace: "openshift-pipelines" });
    t.deepEqual(rb.inputs.subjects, [
        { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:authenticated" },
    ]);
    t.is(rb.inputs.roleRef.name, "tekton-chains-public-key-viewer");
});

test("TektonConfig: Results through the operator", (t) => {
    const r = tcSpec("prod-osp").result;
    t.like(r, {
        disabled: false,
        is_external_db: true,
        db_sslmode: "verify-full",
        auth_disable: false,
        logs_api: true,
        logs_type: "S3",
    });
    t.deepEqual(r.watcher, { completed_run_grace_period: "5m", check_owner: false });
    t.is(tcSpec("local-osp").result.watcher.completed_run_grace_period, local.results.watcherGracePeriod);
});

test("registerOutputs; catalogDigest, channel and operatorVersion", async (t) => {
    t.deepEqual(outputKeys(registeredOutputs.get(prodUrn)), [
        "catalogDigest",
        "catalogSource",
        "chainsService",
        "chainsServiceMonitor",
        "channel",
        "expectedCsv",
        "operator",
        "operatorVersion",
        "publicKeyViewer",
        "tektonConfig",
    ]);
    t.is(await promiseOf(prodOsp.expectedCsv), "openshift-pipelines-operator-rh.v5.0.5-854");
    t.is(await promiseOf(mirrorOsp.expectedCsv), "openshift-pipelines-operator-rh.v5.0.5-854");
    t.true(outputKeys(registeredOutputs.get(mirrorUrn)).includes("imageDigestMirrorSet"));
    t.is(await promiseOf(prodOsp.catalogDigest), imageDigest(prod.osp.catalog.image));
    t.is(await promiseOf(prodOsp.channel), "pipelines-5.0");
    t.is(await promiseOf(prodOsp.operatorVersion), "0.81.0");
});

// ----- version gates

test('Phase 1 (kcp on): createRbacResource "true", so the operator creates the pipeline SA in the syncer\'s namespaces', (t) => {
    const s = defaultSettings();
    s.tekton.defaultServiceAccount = "pipeline";
    s.kcp.enabled = false;
    const off = buildTektonConfig(s, { disabled: true }, READY).spec as Record<string, any>;
    t.is(
        off.params.find((p: { name: string }) => p.name === "createRbacResource").value,
        "false",
        "ADR-0025 without kcp",
    );
    s.kcp.enabled = true;
    const on = buildTektonConfig(s, { disabled: true }, READY).spec as Record<string, any>;
    t.is(on.params.find((p: { name: string }) => p.name === "createRbacResource").value, "true");
    t.is(on.pipeline["default-service-account"], "pipeline", "unset: Phase 1's account with kcp");
});

test("older targets: no trigger.disabled before 0.77, no tektonpruner before 0.76, no generateSigningSecret before 0.74", (t) => {
    const at = (v: string) =>
        buildTektonConfig(honourable(prod, v), buildResultSpec(honourable(prod, v)), READY).spec as Record<string, any>;
    const s74 = at("0.74.0");
    t.deepEqual(s74.trigger.options.configMaps["config-logging-triggers"].data["loglevel.controller"], "info");
    t.false("disabled" in s74.trigger);
    t.false("tektonpruner" in s74);
    t.false("result" in s74);
    t.false("enable-cancel-in-progress-on-pull-requests" in s74.platforms.openshift.pipelinesAsCode.settings);
    t.deepEqual(s74.params, [{ name: "createRbacResource", value: "false" }]);
    t.is(s74.chain.generateSigningSecret, false);
    const s70 = at("0.70.0");
    t.false("generateSigningSecret" in s70.chain);
    t.is(s70.chain["artifacts.pipelinerun.enable-deep-inspection"], true, "a *bool before 0.74");
    t.is(s74.chain["artifacts.pipelinerun.enable-deep-inspection"], "true");
    t.false("statefulset-ordinals" in s70.pipeline.performance);
    const s77 = at("0.77.0");
    t.deepEqual(s77.trigger, { disabled: true });
    t.deepEqual(s77.result, { disabled: true });
});

test("property: for every checker version, the built TektonConfig has no field newer than the version", (t) => {
    const bases = [prod, local, clusterSettings("dev", 0), defaultSettings()];
    fc.assert(
        fc.property(
            fc.constantFrom(...CHECKER_VERSIONS),
            fc.constantFrom(...bases),
            fc.boolean(),
            (v, base, generate) => {
                const s = honourable(base, v);
                const spec = buildTektonConfig(s, buildResultSpec(s), READY, generate).spec;
                const newer = newerFields(spec, v);
                if (newer.length) throw new Error(`${v}: ${JSON.stringify(newer)}`);
                return true;
            },
        ),
        { numRuns: 200 },
    );
    t.pass();
});

test("newerFields sees every gated field (so the property above can fail)", (t) => {
    for (const g of FIELD_GATES) {
        // The path as nested objects, which is how newerFields joins keys.
        const segs = g.path.split(".");
        const spec: Record<string, unknown> = {};
        let o = spec;
        for (const k of segs.slice(0, -1)) o = (o[k] = {}) as Record<string, unknown>;
        o[segs.at(-1)!] = "x";
        const old = newerFields(spec, "0.70.0");
        t.is(old.length, 1, `${g.path} is reported once for 0.70.0`);
        t.true(
            g.path === old[0]!.path || g.path.startsWith(`${old[0]!.path}.`),
            `${old[0]!.path} is ${g.path} or its gated parent`,
        );
        t.deepEqual(newerFields(spec, "0.81.0"), [], `${g.path} is known to 0.81.0`);
    }
});

// ----- pure builders

test("imageDigest", (t) => {
    t.is(imageDigest(`quay.io/a/b@sha256:${"0".repeat(64)}`), `sha256:${"0".repeat(64)}`);
    t.is(imageDigest(`quay.io/a/b:tag@sha256:${"f".repeat(64)}`), `sha256:${"f".repeat(64)}`);
    t.is(imageDigest("quay.io/a/b:1234567"), "");
});

test("pacSettings: custom-console-url as configured, links without a doubled slash, extras only when asked", (t) => {
    const s = pacSettings("My App", "https://hac.example.com/app/");
    t.is(s["custom-console-url"], "https://hac.example.com/app/");
    t.is(s["custom-console-url-pr-details"], "https://hac.example.com/app/ns/{{ namespace }}/pipelinerun/{{ pr }}");
    t.is(s["application-name"], s["custom-console-name"]);
    t.deepEqual(Object.keys(s).sort(), [
        "application-name",
        "custom-console-name",
        "custom-console-url",
        "custom-console-url-namespace",
        "custom-console-url-pr-details",
        "custom-console-url-pr-tasklog",
    ]);
    const pac = { ...defaultSettings().pac, cancelInProgressOnPullRequests: false };
    t.is(
        pacSettings("A", "https://h.example.com", pac, "0.81.0")["enable-cancel-in-progress-on-pull-requests"],
        "false",
    );
    t.false("enable-cancel-in-progress-on-pull-requests" in pacSettings("A", "https://h.example.com", pac, "0.74.0"));
});

test("buildPruner: disabled, keep, keep-since; never both", (t) => {
    t.deepEqual(buildPruner({ disabled: true, keep: 3 }), { disabled: true });
    t.deepEqual(buildPruner({ disabled: false, keep: 3, resources: ["pipelinerun"], schedule: "0 * * * *" }), {
        disabled: false,
        keep: 3,
        resources: ["pipelinerun"],
        schedule: "0 * * * *",
    });
    const ks = buildPruner({ disabled: false, keepSince: 60, resources: ["pipelinerun"], schedule: "0 * * * *" });
    t.deepEqual(ks, { disabled: false, "keep-since": 60, resources: ["pipelinerun"], schedule: "0 * * * *" });
});

test("buildCatalogSource and buildImageDigestMirrorSet", (t) => {
    const s = defaultSettings();
    const c = buildCatalogSource(s.osp, NO_WAIT);
    t.is(c.kind, "CatalogSource");
    t.like(c.spec as object, { sourceType: "grpc", image: s.osp.catalog.image, displayName: "custom-operators" });
    t.is(c.metadata.annotations?.["pulumi.com/skipAwait"], "true");
    t.is(buildImageDigestMirrorSet(s.osp), undefined);
});

test("buildTektonConfig follows settings (Triggers enabled keep their logging config; Results off)", (t) => {
    const s = defaultSettings();
    s.tekton.triggers.enabled = true;
    s.tekton.defaultServiceAccount = "pipeline-sa";
    s.chains.threadsPerController = 8;
    const tc = buildTektonConfig(s, { disabled: true }, READY);
    const spec = tc.spec as Record<string, any>;
    t.false("disabled" in spec.trigger);
    t.truthy(spec.trigger.options.configMaps["config-logging-triggers"]);
    t.is(spec.pipeline["default-service-account"], "pipeline-sa");
    t.deepEqual(spec.result, { disabled: true });
    t.is(spec.chain.generateSigningSecret, false, "default: Chains does not generate its key");
    t.is(
        (buildChain(s, false) as any).options.deployments["tekton-chains-controller"].spec.template.spec.containers[0]
            .args[0],
        "--threads-per-controller=8",
    );
    t.is(tc.metadata.name, "config");
    t.false("result" in (buildTektonConfig(s, undefined, READY).spec as object));
});
