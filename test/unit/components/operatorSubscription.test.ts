import test from "ava";
import {
    collected,
    find,
    installMocks,
    promiseOf,
    providerUrn,
    registeredOutputs,
    settle,
} from "../../helpers/mocks.js";
import { NO_WAIT, READY, childrenOf, outputKeys } from "../helpers/fixtures.js";

await installMocks("unit");
const k8s = await import("@pulumi/kubernetes");
const pulumi = await import("@pulumi/pulumi");
const { OperatorSubscription, buildSubscription } = await import("../../../components/operatorSubscription.js");

const SUB = "kubernetes:operators.coreos.com/v1alpha1:Subscription";
const provider = new k8s.Provider("sub-k8s", { clusterIdentifier: "sub" });
const catalog = new k8s.apiextensions.CustomResource(
    "sub-catalog",
    {
        apiVersion: "operators.coreos.com/v1alpha1",
        kind: "CatalogSource",
        metadata: { name: "custom-operators", namespace: "openshift-marketplace" },
    },
    { provider },
);

const pinned = new OperatorSubscription("pinned", {
    provider,
    name: "openshift-pipelines-operator",
    namespace: "openshift-operators",
    package: "openshift-pipelines-operator-rh",
    channel: "pipelines-1.15",
    source: catalog.metadata.name,
    sourceNamespace: "openshift-marketplace",
    installPlanApproval: "Manual",
    startingCSV: "openshift-pipelines-operator-rh.v1.15.0",
    env: [{ name: "AUTOINSTALL_COMPONENTS", value: "false" }],
    readiness: READY,
});
const plain = new OperatorSubscription("plain", {
    provider,
    name: "openshift-gitops-operator",
    namespace: "openshift-operators",
    package: "openshift-gitops-operator",
    channel: "latest",
    source: "redhat-operators",
    sourceNamespace: "openshift-marketplace",
    installPlanApproval: "Automatic",
    readiness: NO_WAIT,
});
const [pinnedUrn, plainUrn, providerUrnValue, catalogUrn] = await Promise.all([
    promiseOf(pinned.urn),
    promiseOf(plain.urn),
    promiseOf(provider.urn),
    promiseOf(catalog.urn),
]);
await settle();

test("registers the component under its type token", (t) => {
    const comps = collected.filter((c) => c.type === "pipeline-service:olm:OperatorSubscription");
    t.deepEqual(comps.map((c) => c.name).sort(), ["pinned", "plain"]);
    t.true(comps.every((c) => !c.custom && c.parent === ""));
});

test("the Subscription carries package, channel, source, approval, startingCSV and env", (t) => {
    const s = find(SUB, "pinned-subscription");
    t.is(s.inputs.apiVersion, "operators.coreos.com/v1alpha1");
    t.is(s.inputs.kind, "Subscription");
    t.is(s.inputs.metadata.name, "openshift-pipelines-operator");
    t.is(s.inputs.metadata.namespace, "openshift-operators");
    t.deepEqual(s.inputs.spec, {
        name: "openshift-pipelines-operator-rh",
        channel: "pipelines-1.15",
        source: "custom-operators",
        sourceNamespace: "openshift-marketplace",
        installPlanApproval: "Manual",
        startingCSV: "openshift-pipelines-operator-rh.v1.15.0",
        config: { env: [{ name: "AUTOINSTALL_COMPONENTS", value: "false" }] },
    });
    t.is(s.inputs.metadata.labels["app.kubernetes.io/managed-by"], "pulumi");
});

test("an Output source makes the Subscription depend on the CatalogSource", (t) => {
    t.true(find(SUB, "pinned-subscription").dependencies.includes(catalogUrn));
    t.false(find(SUB, "plain-subscription").dependencies.includes(catalogUrn));
});

test("readiness: waits for AtLatestKnown with a timeout, or skips awaiting", (t) => {
    const waited = find(SUB, "pinned-subscription").inputs.metadata.annotations;
    t.like(waited, {
        "pulumi.com/timeoutSeconds": "600",
        "pulumi.com/waitFor": "jsonpath={.status.state}=AtLatestKnown",
    });
    t.false("pulumi.com/skipAwait" in waited);
    const skipped = find(SUB, "plain-subscription").inputs.metadata.annotations;
    t.is(skipped["pulumi.com/skipAwait"], "true");
    t.false("pulumi.com/waitFor" in skipped);
    t.false("pulumi.com/timeoutSeconds" in skipped);
});

test("no startingCSV or config unless given", (t) => {
    const spec = find(SUB, "plain-subscription").inputs.spec;
    t.false("startingCSV" in spec);
    t.false("config" in spec);
    t.is(spec.source, "redhat-operators");
});

test("the Subscription is the component's child, on the explicit provider", (t) => {
    for (const [urn, name] of [
        [pinnedUrn, "pinned-subscription"],
        [plainUrn, "plain-subscription"],
    ] as const) {
        const kids = childrenOf(urn);
        t.deepEqual(
            kids.map((k) => k.name),
            [name],
        );
        t.is(providerUrn(kids[0]!.provider), providerUrnValue);
    }
});

test("registerOutputs: subscription and subscriptionName", async (t) => {
    t.deepEqual(outputKeys(registeredOutputs.get(pinnedUrn)), ["subscription", "subscriptionName"]);
    t.is(await promiseOf(pinned.subscriptionName), "openshift-pipelines-operator");
    t.is(await promiseOf(plain.subscriptionName), "openshift-gitops-operator");
});

test("buildSubscription is pure and omits empty env", (t) => {
    const args = {
        name: "n",
        namespace: "ns",
        package: "p",
        channel: "c",
        source: "s",
        sourceNamespace: "sn",
        installPlanApproval: "Automatic" as const,
        env: [],
        readiness: NO_WAIT,
    };
    const a = buildSubscription(args);
    t.deepEqual(a, buildSubscription(args));
    t.deepEqual(a.spec, {
        name: "p",
        channel: "c",
        source: "s",
        sourceNamespace: "sn",
        installPlanApproval: "Automatic",
    });
    t.false(pulumi.Output.isInstance(a.spec));
});
