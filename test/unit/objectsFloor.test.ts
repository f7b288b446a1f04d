/**
 * The objects floor's input (bench/objects-floor/objects.ts): from a stack export to the same objects, renamed, on
 * providers configured as the program's, with the same ordering, components dissolved into the objects they stand
 * for.
 */
import test from "ava";
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import {
    floorName,
    floorObjects,
    providerArgs,
    renamed,
    revive,
    SECRET_SIG,
    type StateResource,
} from "../../bench/objects-floor/objects.js";

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
        inputs: {
            __internal: {},
            kubeconfig: secret("apiVersion: v1"),
            context: "compute-1",
            enableServerSideApply: "true",
            version: "4.25.0",
        },
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

test("objects on their providers, the provider inputs without version and __internal, secrets kept marked", (t) => {
    const f = floorObjects(state);
    t.deepEqual(f.providers, [
        {
            name: "compute-1-k8s",
            inputs: { kubeconfig: secret("apiVersion: v1"), context: "compute-1", enableServerSideApply: "true" },
        },
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
    t.deepEqual(by.get(STORE)!.inputs, {}, "a read has no inputs");
});

test("every object gets a name of its own, in the program's namespace: no object has two owners", (t) => {
    const f = floorObjects(state);
    const by = new Map(f.objects.map((o) => [o.key, o]));
    t.deepEqual(by.get(NS)!.inputs, { metadata: { name: "floor-openshift-pipelines" } });
    t.deepEqual(
        renamed({ kind: "Role", metadata: { name: "r", namespace: "openshift-pipelines", labels: { a: "b" } } }),
        {
            kind: "Role",
            metadata: { name: "floor-r", namespace: "openshift-pipelines", labels: { a: "b" } },
        },
    );
    t.deepEqual(by.get(SUB)!.inputs, { spec: { name: "openshift-pipelines-operator-rh" } }, "no name: as it was");
    t.deepEqual(state[4]!.inputs, { spec: { name: "openshift-pipelines-operator-rh" } }, "the state is not changed");
});

test("floorName: prefixed, a DNS label (at most 63), distinct for distinct names", (t) => {
    fc.assert(
        fc.property(
            fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,250}[a-z0-9])?$/),
            fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,250}[a-z0-9])?$/),
            (a, b) => {
                const [x, y] = [floorName(a), floorName(b)];
                return (
                    x.startsWith("floor-") &&
                    x.length <= 63 &&
                    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(x) &&
                    (a === b) === (x === y)
                );
            },
        ),
    );
    t.is(floorName("tenant-a"), "floor-tenant-a");
});

test("providerArgs: the Provider class's JSON-encoded arguments decoded, string arguments kept, secrets kept", async (t) => {
    const args = providerArgs(
        {
            kubeconfig: secret("apiVersion: v1\nkind: Config"),
            context: "true",
            clusterIdentifier: "compute-1",
            enableServerSideApply: "true",
            kubeClientSettings: '{"qps":50}',
        },
        "/work/program",
    );
    t.is(args.context, "true", "a string argument stays a string, even when it reads as JSON");
    t.is(args.clusterIdentifier, "compute-1");
    t.is(args.enableServerSideApply, true);
    t.deepEqual(args.kubeClientSettings, { qps: 50 });
    const k = args.kubeconfig as pulumi.Output<string>;
    t.true(pulumi.Output.isInstance(k));
    t.true(await (k as any).isSecret);
    t.is(await (k as any).promise(), "apiVersion: v1\nkind: Config");
    const doubled = providerArgs({ kubeconfig: secret(JSON.stringify("apiVersion: v1")) }, "/p").kubeconfig;
    t.is(await (doubled as any).promise(), "apiVersion: v1", "a JSON string literal is unwrapped");
});

test("providerArgs: a relative kubeconfig path is the program's, resolved against its project directory", (t) => {
    t.is(
        providerArgs({ kubeconfig: ".local/kubeconfig" }, "/work/program").kubeconfig,
        "/work/program/.local/kubeconfig",
    );
    t.is(providerArgs({ kubeconfig: "/etc/kubeconfig" }, "/work/program").kubeconfig, "/etc/kubeconfig");
    const text = "apiVersion: v1\nkind: Config\n";
    t.is(providerArgs({ kubeconfig: text }, "/p").kubeconfig, text, "kubeconfig text is not a path");
    t.is(providerArgs({ kubeconfig: '{"apiVersion":"v1"}' }, "/p").kubeconfig, '{"apiVersion":"v1"}');
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
