/**
 * Draining under mocks (issue 11 §2): the local stack with compute-2 `draining` changes exactly its SyncTarget
 * (unschedulable) and the gateway (compute-2 leaves the backends); compute-2 keeps openshift-pipelines and the
 * signing ExternalSecret on removal (retainOnDelete), so its objects there are not deletedWith the namespace; compute-1
 * is untouched. (The wait itself is lib/drain.ts, tested against a loopback API server in fleet.test.ts.)
 */
import test from "ava";
import { collected, descendantsOf, find, mockableStackValues, promiseOf } from "../helpers/mocks.js";
import { runProgram } from "./helpers/program.js";
import { pacRouteUrl } from "../../lib/naming.js";

const values = mockableStackValues("local") as Record<string, any>;
values.clusters[1].state = "draining";
const program = await runProgram("local", values);
const ST = "kubernetes:workload.kcp.io/v1alpha1:SyncTarget";
const NS = "kubernetes:core/v1:Namespace";

test("draining: compute-2's SyncTarget is unschedulable, compute-1's is not", (t) => {
    t.true(find(ST, "compute-2-syncer-synctarget").inputs.spec.unschedulable);
    t.false(find(ST, "compute-1-syncer-synctarget").inputs.spec.unschedulable);
});

test("draining: the gateway forwards to compute-1 only", async (t) => {
    const c1 = program.cfg.clusters[0]!;
    t.deepEqual(await promiseOf(program.exports.gatewayBackends), [pacRouteUrl(c1.appsDomain)]);
    const env = find("kubernetes:apps/v1:Deployment", "gateway-deployment").inputs.spec.template.spec.containers[0].env;
    t.is(env.find((e: { name: string }) => e.name === "SPRAYPROXY_SERVER_BACKEND").value, pacRouteUrl(c1.appsDomain));
});

test("draining: compute-2 keeps openshift-pipelines and the signing ExternalSecret; compute-1 keeps nothing (local)", (t) => {
    t.true(find(NS, "compute-2-argocd-ns-openshift-pipelines").retainOnDelete);
    t.true(
        find("kubernetes:external-secrets.io/v1:ExternalSecret", "compute-2-secrets-chains-signing-secret")
            .retainOnDelete,
    );
    t.false(find(NS, "compute-1-argocd-ns-openshift-pipelines").retainOnDelete);
    t.false(
        collected.some((c) => c.protect),
        "local protects nothing",
    );
});

test("deletedWith: only where the namespace is deleted with its objects", (t) => {
    const of = (cluster: string, ns: string) =>
        descendantsOf(find("pipeline-service:cluster:ComputeCluster", cluster).urn).filter(
            (c) => c.custom && c.inputs?.metadata?.namespace === ns,
        );
    const c1 = of("compute-1", "openshift-pipelines");
    t.true(c1.length > 10);
    for (const c of c1) t.is(c.deletedWith, find(NS, "compute-1-argocd-ns-openshift-pipelines").urn, c.name);
    for (const c of of("compute-2", "openshift-pipelines"))
        t.is(c.deletedWith, "", `${c.name}: its namespace is retained`);
    const syncerNs = find(NS, "compute-2-syncer-namespace");
    const inSyncer = of("compute-2", syncerNs.inputs.metadata.name);
    t.true(inSyncer.length >= 4);
    for (const c of inSyncer) t.is(c.deletedWith, syncerNs.urn, c.name);
    // kcp-side objects (namespace `default` of the workspace, a namespace this program does not create) are left alone
    for (const c of collected.filter((x) => x.inputs?.metadata?.namespace === "default"))
        t.is(c.deletedWith, "", c.name);
});

test("draining: the stack output records the state once the drain (immediate under mocks) completed", async (t) => {
    t.is(await promiseOf(program.exports.clusters["compute-2"]!.state), "draining");
    t.is(program.exports.clusters["compute-1"]!.state, "active");
});
