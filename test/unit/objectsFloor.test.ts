/**
 * The objects floor's input (bench/objects-floor/objects.ts): from a stack export to the same objects on the same
 * providers with the same ordering, components dissolved into the objects they stand for.
 */
import test from "ava";
import * as pulumi from "@pulumi/pulumi";
import { floorObjects, revive, SECRET_SIG, type StateResource } from "../../bench/objects-floor/objects.js";

const U = (type: string, name: string) => `urn:pulumi:local::pipeline-service::${type}::${name}`;
const P1 = U("pulumi:providers:kubernetes", "compute-1-k8s");
const C1 = U("pipeline-service:cluster:ComputeCluster", "compute-1");
const GATE = U("kubernetes:yaml/v2:ConfigGroup", "ring-0-gate");
// A child's URN carries its parent's type: two objects may share a logical name under different parents.
const NS = U("pipeline-service:cluster:ComputeCluster$kubernetes:core/v1:Namespace", "c1-ns");
const SUB = U(
    "pipeline-service:cluster:ComputeCluster$kubernetes:operators.coreos.com/v1alpha1:Subscription",
    "c1-sub",
);
const NS2 = U("kubernetes:core/v1:Namespace", "c2-ns");
const DUP = U("kubernetes:core/v1:Namespace", "c1-ns");
const STORE = U("kubernetes:external-secrets.io/v1:ClusterSecretStore", "c1-store-ref");
const secret = (v: string) => ({ [SECRET_SIG.key]: SECRET_SIG.value, plaintext: JSON.stringify(v) });

const state: StateResource[] = [
    { urn: U("pulumi:pulumi:Stack", "pipeline-service-local"), type: "pulumi:pulumi:Stack", custom: false },
    {
        urn: P1,
        type: "pulumi:providers:kubernetes",
        custom: true,
        id: "p1",
        inputs: { kubeconfig: secret("apiVersion: v1"), context: "compute-1", version: "4.25.0" },
    },
    { urn: C1, type: "pipeline-service:cluster:ComputeCluster", custom: false },
    {
        urn: NS,
        type: "kubernetes:core/v1:Namespace",
        custom: true,
        parent: C1,
        provider: `${P1}::p1`,
        inputs: { metadata: { name: "openshift-pipelines" } },
    },
    {
        urn: SUB,
        type: "kubernetes:operators.coreos.com/v1alpha1:Subscription",
        custom: true,
        parent: C1,
        provider: `${P1}::p1`,
        dependencies: [NS],
        inputs: { spec: { name: "openshift-pipelines-operator-rh" } },
    },
    { urn: GATE, type: "kubernetes:yaml/v2:ConfigGroup", custom: false, dependencies: [C1] },
    {
        urn: NS2,
        type: "kubernetes:core/v1:Namespace",
        custom: true,
        provider: `${P1}::p1`,
        dependencies: [GATE],
        inputs: { metadata: { name: "ring-1" } },
    },
    {
        urn: DUP,
        type: "kubernetes:core/v1:Namespace",
        custom: true,
        provider: `${P1}::p1`,
        inputs: { metadata: { name: "same-logical-name" } },
    },
    {
        urn: STORE,
        type: "kubernetes:external-secrets.io/v1:ClusterSecretStore",
        custom: true,
        external: true,
        id: "appsre-vault",
        provider: `${P1}::p1`,
        inputs: {},
    },
];

test("objects on their providers, the provider inputs without version, secrets kept marked", (t) => {
    const f = floorObjects(state);
    t.deepEqual(f.providers, [
        { name: "compute-1-k8s", inputs: { kubeconfig: secret("apiVersion: v1"), context: "compute-1" } },
    ]);
    t.deepEqual(
        f.objects.map((o) => `${o.type} ${o.name} ${o.provider}`),
        [
            "kubernetes:core/v1:Namespace c1-ns compute-1-k8s",
            "kubernetes:operators.coreos.com/v1alpha1:Subscription c1-sub compute-1-k8s",
            "kubernetes:core/v1:Namespace c2-ns compute-1-k8s",
            "kubernetes:core/v1:Namespace c1-ns-2 compute-1-k8s",
            "kubernetes:external-secrets.io/v1:ClusterSecretStore c1-store-ref compute-1-k8s",
        ],
        "components and the stack are not objects; a logical name reused under another parent gets a suffix",
    );
});

test("a dependency on a component (a ring gate) becomes the objects it stands for; reads keep their id", (t) => {
    const f = floorObjects(state);
    const by = new Map(f.objects.map((o) => [o.key, o]));
    t.deepEqual(by.get(SUB)!.dependsOn, [NS]);
    t.deepEqual(by.get(NS2)!.dependsOn.sort(), [NS, SUB].sort(), "gate -> ComputeCluster -> its children");
    t.is(by.get(STORE)!.id, "appsre-vault");
    t.is(by.get(NS)!.id, undefined);
    t.is(by.get(DUP)!.name, "c1-ns-2");
});

test("no object: an error saying to run the program first", (t) => {
    t.throws(() => floorObjects(state.slice(0, 3)), { message: /holds no kubernetes object/ });
});

test("revive: secret markers become Pulumi secrets, everything else stays", async (t) => {
    const v = revive({ a: [1, secret("s3cr3t")], b: { c: "x" } }) as { a: [number, pulumi.Output<string>]; b: object };
    t.is(v.a[0], 1);
    t.deepEqual(v.b, { c: "x" });
    t.true(pulumi.Output.isInstance(v.a[1]));
    t.true(await (v.a[1] as any).isSecret);
});
