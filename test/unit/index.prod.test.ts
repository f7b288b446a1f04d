/** The whole program under mocks with Pulumi.prod.yaml. */
import test from "ava";
import { collected, find, ofKind, providerUrn } from "../helpers/mocks.js";
import { CC, PROVIDER, RING_GATE, commonProgramTests, runProgram } from "./helpers/program.js";

const program = await runProgram("prod");
commonProgramTests(program);

test("prod: ring 1 (stone-prd-rh01) gates both ring-2 clusters; ring-2 clusters do not wait for each other", async (t) => {
    const { cfg } = program;
    t.deepEqual(
        cfg.clusters.map((c) => [c.name, c.ring]),
        [
            ["stone-prd-rh01", 1],
            ["stone-prd-m01", 2],
            ["stone-prod-p01", 2],
        ],
    );
    const tc = find("kubernetes:operator.tekton.dev/v1alpha1:TektonConfig", "stone-prd-rh01-osp-tektonconfig").urn;
    const gate = find(RING_GATE, "ring-1-gate");
    t.true(gate.dependencies.includes(tc));
    t.deepEqual(find(CC, "stone-prd-m01").dependencies, [gate.urn]);
    t.deepEqual(find(CC, "stone-prod-p01").dependencies, [gate.urn]);
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

test("prod follows ADR-0009 (kcp off, upstream-conformance §1.12): no kcp provider, no SyncTarget, no syncer", (t) => {
    t.is(collected.filter((c) => c.type === PROVIDER && c.name === "kcp").length, 0);
    t.deepEqual(ofKind("SyncTarget"), []);
    t.false(collected.some((c) => c.type === "kubernetes:apps/v1:Deployment" && c.name.endsWith("-syncer-deployment")));
});

test("prod: backup pruner (keep-since, pipelineruns only) and webhook HPA 6/6 on every cluster", (t) => {
    for (const name of ["stone-prd-rh01", "stone-prd-m01", "stone-prod-p01"]) {
        const spec = find("kubernetes:operator.tekton.dev/v1alpha1:TektonConfig", `${name}-osp-tektonconfig`).inputs
            .spec;
        t.deepEqual(spec.pruner, {
            disabled: false,
            "keep-since": 80,
            resources: ["pipelinerun"],
            schedule: "*/30 * * * *",
        });
        t.like(spec.pipeline.options.horizontalPodAutoscalers["tekton-pipelines-webhook"].spec, {
            minReplicas: 6,
            maxReplicas: 6,
        });
        // infra HEAD watcher: -completed_run_grace_period=5m -check_owner=false
        t.like(spec.result.watcher, { completed_run_grace_period: "5m", check_owner: false });
    }
});

test("prod: stone-prod-p01's own GitHub App and console; the others keep the environment's", (t) => {
    const pac = (n: string) =>
        find("kubernetes:operator.tekton.dev/v1alpha1:TektonConfig", `${n}-osp-tektonconfig`).inputs.spec.platforms
            .openshift.pipelinesAsCode.settings;
    t.like(pac("stone-prod-p01"), {
        "application-name": "Konflux Production Internal",
        "custom-console-name": "Konflux Production Internal",
        "custom-console-url": "https://konflux.apps.stone-prod-p01.wcfb.p1.openshiftapps.com/application-pipeline",
    });
    for (const n of ["stone-prd-rh01", "stone-prd-m01"]) {
        t.like(pac(n), {
            "application-name": "Red Hat Konflux",
            "custom-console-url": "https://console.redhat.com/preview/application-pipeline",
        });
    }
});

test("prod: no inline Secret carries data (every credential comes from an ExternalSecret)", (t) => {
    // Only service-account token Secrets (filled by the token controller) may be declared, and none with data.
    const inline = ofKind("Secret").filter(
        (s) =>
            s.inputs.type !== "kubernetes.io/service-account-token" ||
            s.inputs.stringData !== undefined ||
            s.inputs.data !== undefined,
    );
    t.deepEqual(
        inline.map((s) => s.name),
        [],
    );
});
