/** The whole program under mocks with Pulumi.prod.yaml. */
import test from "ava";
import { find, ofKind, providerUrn } from "./helpers/mocks.js";
import { CC, PROVIDER, commonProgramTests, runProgram } from "./helpers/program.js";

const program = await runProgram("prod");
commonProgramTests(program);

test("prod: ring 1 (stone-prd-rh01) gates both ring-2 clusters; ring-2 clusters do not wait for each other", async (t) => {
    const { cfg } = program;
    t.deepEqual(cfg.clusters.map((c) => [c.name, c.ring]), [["stone-prd-rh01", 1], ["stone-prd-m01", 2], ["stone-prod-p01", 2]]);
    const tc = find("kubernetes:operator.tekton.dev/v1alpha1:TektonConfig", "stone-prd-rh01-osp-tektonconfig").urn;
    t.true(find(CC, "stone-prd-m01").dependencies.includes(tc));
    t.true(find(CC, "stone-prod-p01").dependencies.includes(tc));
    t.deepEqual(find(CC, "stone-prd-rh01").dependencies, []);
});

test("prod: the SprayProxy runs on stone-prd-rh01 and fans out to all three clusters", async (t) => {
    const { exports } = program;
    const gwDeploy = find("kubernetes:apps/v1:Deployment", "gateway-deployment");
    t.is(providerUrn(gwDeploy.provider), find(PROVIDER, "stone-prd-rh01-k8s").urn);
    t.deepEqual(exports.gatewayMode, "fanout");
    const backend: string = gwDeploy.inputs.spec.template.spec.containers[0].env[0].value;
    t.deepEqual(backend.split(" "), [
        "https://pipelines-as-code-controller-openshift-pipelines.apps.stone-prd-rh01.pg1f.p1.openshiftapps.com",
        "https://pipelines-as-code-controller-openshift-pipelines.apps.stone-prd-m01.84db.p1.openshiftapps.com",
        "https://pipelines-as-code-controller-openshift-pipelines.apps.stone-prod-p01.wcfb.p1.openshiftapps.com",
    ]);
    const es = find("kubernetes:external-secrets.io/v1:ExternalSecret", "gateway-webhook-secret");
    t.deepEqual(es.inputs.spec.dataFrom, [{ extract: { key: "production/pipeline-service/github-app" } }]);
});

test("prod: every cluster registers a SyncTarget in the kcp workspace through the kcp provider", (t) => {
    const kcp = find(PROVIDER, "kcp");
    t.like(kcp.inputs, { clusterIdentifier: "kcp", context: "kcp-prod" });
    const sts = ofKind("SyncTarget");
    t.deepEqual(sts.map((s) => s.inputs.metadata.name).sort(), ["stone-prd-m01", "stone-prd-rh01", "stone-prod-p01"]);
    for (const s of sts) t.is(providerUrn(s.provider), kcp.urn);
});

test("prod: backup pruner (keep-since, pipelineruns only) and webhook HPA 6/6 on every cluster", (t) => {
    for (const name of ["stone-prd-rh01", "stone-prd-m01", "stone-prod-p01"]) {
        const spec = find("kubernetes:operator.tekton.dev/v1alpha1:TektonConfig", `${name}-osp-tektonconfig`).inputs.spec;
        t.deepEqual(spec.pruner, { disabled: false, "keep-since": 80, resources: ["pipelinerun"], schedule: "*/30 * * * *" });
        t.like(spec.pipeline.options.horizontalPodAutoscalers["tekton-pipelines-webhook"].spec, { minReplicas: 6, maxReplicas: 6 });
        t.is(spec.result.watcher.completed_run_grace_period, "10m");
    }
});

test("prod: stone-prod-p01's own GitHub App and console; the others keep the environment's", (t) => {
    const pac = (n: string) => find("kubernetes:operator.tekton.dev/v1alpha1:TektonConfig", `${n}-osp-tektonconfig`).inputs.spec.platforms.openshift.pipelinesAsCode.settings;
    t.like(pac("stone-prod-p01"), {
        "application-name": "Konflux Production Internal",
        "custom-console-name": "Konflux Production Internal",
        "custom-console-url": "https://konflux.apps.stone-prod-p01.wcfb.p1.openshiftapps.com/application-pipeline",
    });
    for (const n of ["stone-prd-rh01", "stone-prd-m01"]) {
        t.like(pac(n), { "application-name": "Red Hat Konflux", "custom-console-url": "https://console.redhat.com/preview/application-pipeline" });
    }
});

test("prod: no inline Secret carries data (every credential comes from an ExternalSecret)", (t) => {
    for (const s of ofKind("Secret")) {
        t.is(s.inputs.type, "kubernetes.io/service-account-token", s.name);
        t.is(s.inputs.stringData, undefined, s.name);
        t.is(s.inputs.data, undefined, s.name);
    }
});
