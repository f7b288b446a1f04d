/** The whole program under mocks with Pulumi.local.yaml. */
import test from "ava";
import { collected, find } from "./helpers/mocks.js";
import { CC, PROVIDER, commonProgramTests, runProgram } from "./helpers/program.js";

const program = await runProgram("local");
commonProgramTests(program);

test("local: two clusters in rings 0 and 1, fan-out gateway on compute-1, kcp provider from .local/kubeconfig", async (t) => {
    const { cfg } = program;
    t.deepEqual(cfg.clusters.map((c) => [c.name, c.ring]), [["compute-1", 0], ["compute-2", 1]]);
    t.is(cfg.gateway.hostCluster, "compute-1");
    t.like(find(PROVIDER, "kcp").inputs, { clusterIdentifier: "kcp", context: "kcp", kubeconfig: ".local/kubeconfig" });
    t.true(find(CC, "compute-2").dependencies.includes(find("kubernetes:operator.tekton.dev/v1alpha1:TektonConfig", "compute-1-osp-tektonconfig").urn));
    t.is(find("kubernetes:core/v1:Namespace", "gateway-namespace").inputs.metadata.name, "sprayproxy");
    t.is(find("kubernetes:core/v1:Namespace", "gateway-namespace").provider, find("kubernetes:core/v1:Namespace", "compute-1-argocd-ns-openshift-pipelines").provider);
});

test("local: readiness waiting is off everywhere (no operators run on the local control plane)", (t) => {
    const kube = collected.filter((c) => c.type.startsWith("kubernetes:"));
    for (const c of kube) t.false("pulumi.com/waitFor" in (c.inputs.metadata?.annotations ?? {}), c.name);
});

test("local: compute-2's override (buckets/replicas 2) stays on compute-2", (t) => {
    const perf = (n: string) => find("kubernetes:operator.tekton.dev/v1alpha1:TektonConfig", `${n}-osp-tektonconfig`).inputs.spec.pipeline.performance;
    t.like(perf("compute-2"), { buckets: 2, replicas: 2 });
    t.like(perf("compute-1"), { buckets: 1, replicas: 1 });
});

test("local: every managed Kubernetes object is applied with force (drift repair), and providers are not annotated", (t) => {
    const objects = collected.filter((c) => c.type.startsWith("kubernetes:"));
    t.true(objects.length > 50);
    for (const c of objects) t.is(c.inputs.metadata?.annotations?.["pulumi.com/patchForce"], "true", `${c.type} ${c.name}`);
    for (const c of collected.filter((x) => x.type === PROVIDER)) t.is(c.inputs.metadata, undefined, c.name);
});
