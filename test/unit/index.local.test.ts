/** The whole program under mocks with Pulumi.local.yaml. */
import test from "ava";
import { collected, find, mockableStackValues } from "../helpers/mocks.js";
import { CC, PROVIDER, RING_GATE, commonProgramTests, runProgram } from "./helpers/program.js";

// The kcp server URL the local stack takes from .local/kubeconfig, which does not exist under the unit suite.
const program = await runProgram("local", mockableStackValues("local"));
commonProgramTests(program);

test("local: two clusters in rings 0 and 1, fan-out gateway on compute-1, kcp provider from .local/kubeconfig", async (t) => {
    const { cfg } = program;
    t.deepEqual(
        cfg.clusters.map((c) => [c.name, c.ring]),
        [
            ["compute-1", 0],
            ["compute-2", 1],
        ],
    );
    t.is(cfg.gateway.hostCluster, "compute-1");
    t.like(find(PROVIDER, "kcp").inputs, { clusterIdentifier: "kcp", context: "kcp", kubeconfig: ".local/kubeconfig" });
    t.deepEqual(find(CC, "compute-2").dependencies, [find(RING_GATE, "ring-0-gate").urn]);
    t.true(
        find(RING_GATE, "ring-0-gate").dependencies.includes(
            find("kubernetes:operator.tekton.dev/v1alpha1:TektonConfig", "compute-1-osp-tektonconfig").urn,
        ),
    );
    t.is(find("kubernetes:core/v1:Namespace", "gateway-namespace").inputs.metadata.name, "sprayproxy");
    t.is(
        find("kubernetes:core/v1:Namespace", "gateway-namespace").provider,
        find("kubernetes:core/v1:Namespace", "compute-1-argocd-ns-openshift-pipelines").provider,
    );
});

test("local: readiness waiting is off everywhere (no operators run on the local control plane), but for kcp's Workspaces", (t) => {
    const kube = collected.filter((c) => c.type.startsWith("kubernetes:"));
    // kcp is real wherever kcp is enabled: a tenant's Workspace is awaited until Ready (components/tenants.ts).
    const workspaces = kube.filter((c) => c.type === "kubernetes:tenancy.kcp.io/v1alpha1:Workspace");
    t.deepEqual(workspaces.map((c) => c.name).sort(), ["tenant-tenant-a-workspace", "tenant-tenant-b-workspace"]);
    for (const c of workspaces)
        t.is(c.inputs.metadata.annotations["pulumi.com/waitFor"], "jsonpath={.status.phase}=Ready", c.name);
    for (const c of kube.filter((x) => !workspaces.includes(x)))
        t.false("pulumi.com/waitFor" in (c.inputs.metadata?.annotations ?? {}), c.name);
});

test("local: compute-2's override (buckets/replicas 2) stays on compute-2", (t) => {
    const perf = (n: string) =>
        find("kubernetes:operator.tekton.dev/v1alpha1:TektonConfig", `${n}-osp-tektonconfig`).inputs.spec.pipeline
            .performance;
    t.like(perf("compute-2"), { buckets: 2, replicas: 2 });
    t.like(perf("compute-1"), { buckets: 1, replicas: 1 });
});

test("local: every managed Kubernetes object is applied with force (drift repair), and providers are not annotated", (t) => {
    // Kubernetes objects: custom resources (a ring gate is a component of the provider, with no object of its own).
    const objects = collected.filter((c) => c.custom && c.type.startsWith("kubernetes:"));
    t.true(objects.length > 50);
    for (const c of objects)
        t.is(c.inputs.metadata?.annotations?.["pulumi.com/patchForce"], "true", `${c.type} ${c.name}`);
    for (const c of collected.filter((x) => x.type === PROVIDER)) t.is(c.inputs.metadata, undefined, c.name);
});

test("local: two tenants in two pools (Phase 1): a Location per pool, each tenant's Placement on its pool, SyncTargets labelled", (t) => {
    const placement = (tenant: string) =>
        find("kubernetes:scheduling.kcp.io/v1alpha1:Placement", `tenant-${tenant}-binding-placement`);
    t.deepEqual(placement("tenant-a").inputs.spec.locationSelectors, [
        { matchLabels: { "pipeline-service.io/pool": "isolated" } },
    ]);
    t.deepEqual(placement("tenant-b").inputs.spec.locationSelectors, [
        { matchLabels: { "pipeline-service.io/pool": "general" } },
    ]);
    const locations = collected.filter((c) => c.type === "kubernetes:scheduling.kcp.io/v1alpha1:Location");
    t.deepEqual(
        locations
            .map((l) => [
                l.inputs.metadata.name,
                l.inputs.spec.instanceSelector.matchLabels["pipeline-service.io/pool"],
            ])
            .sort(),
        [
            ["pool-general", "general"],
            ["pool-isolated", "isolated"],
        ],
    );
    for (const l of locations)
        t.is(
            l.provider,
            find("kubernetes:workload.kcp.io/v1alpha1:SyncTarget", "compute-1-syncer-synctarget").provider,
        );
    const pool = (cluster: string) =>
        find("kubernetes:workload.kcp.io/v1alpha1:SyncTarget", `${cluster}-syncer-synctarget`).inputs.metadata.labels[
            "pipeline-service.io/pool"
        ];
    t.deepEqual([pool("compute-1"), pool("compute-2")], ["general", "isolated"]);
    // Each tenant's objects go through its own workspace provider; its Workspace through the platform workspace's.
    for (const tenant of ["tenant-a", "tenant-b"]) {
        const prov = find(PROVIDER, `tenant-${tenant}-kcp`);
        t.is(prov.inputs.clusterIdentifier, `kcp-root-pipeline-service-${tenant}`);
        t.is(placement(tenant).provider?.startsWith(prov.urn), true, tenant);
        t.is(
            find("kubernetes:tenancy.kcp.io/v1alpha1:Workspace", `tenant-${tenant}-workspace`).provider?.startsWith(
                find(PROVIDER, "kcp-root-pipeline-service").urn,
            ),
            true,
        );
    }
    // Phase 1: no tenant namespace on a compute cluster, no SCC there; the platform roles are on both.
    t.is(
        collected.filter(
            (c) =>
                c.type === "kubernetes:core/v1:Namespace" && c.inputs.metadata?.labels?.["pipeline-service.io/tenant"],
        ).length,
        0,
    );
    t.is(collected.filter((c) => c.type.endsWith(":SecurityContextConstraints")).length, 0);
    for (const c of ["compute-1", "compute-2"])
        t.truthy(find("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", `${c}-access-sre`));
});

test("local: the stack outputs list the tenants with their pool and workspace; no other consumer workspace is bound", async (t) => {
    const exports = program.exports as unknown as {
        tenantsDeployed: Record<string, unknown>;
        kcpConsumerWorkspaces: Record<string, unknown>;
    };
    t.deepEqual(exports.tenantsDeployed, {
        "tenant-a": { pool: "isolated", mode: "kcp-workspace", placement: ["root:pipeline-service:tenant-a"] },
        "tenant-b": { pool: "general", mode: "kcp-workspace", placement: ["root:pipeline-service:tenant-b"] },
    });
    t.deepEqual(exports.kcpConsumerWorkspaces, {});
});
