/**
 * Ring-by-ring operator upgrades under mocks (issue 11 §3): a prod stack with a ring-1 catalog override changes only
 * ring 1's CatalogSource (and the catalog annotations of its Subscription and TektonConfig); ring 1's Subscription
 * waits for the new CSV, and every ring-2 cluster depends on that wait. Also the lifecycle options prod registers:
 * protection, and deletedWith only where the namespace is not retained.
 */
import test from "ava";
import { collected, find, ofKind, promiseOf, stackValues } from "../helpers/mocks.js";
import { CC, RING_GATE, commonProgramTests, runProgram } from "./helpers/program.js";
import { CATALOG_IMAGE_ANNOTATION, EXPECTED_CSV_ANNOTATION } from "../../components/openshiftPipelines.js";

const INDEX_871 =
    "quay.io/openshift-pipeline/pipelines-index-4.19@sha256:8c6152d2924f608960a4cec0faca33a1807bce19085e86d1daeeaa698fce146d";
const values = stackValues("prod");
const program = await runProgram("prod", {
    ...values,
    rings: { 1: { overrides: { osp: { catalog: { image: INDEX_871 } } } } },
});
commonProgramTests(program);

const SUB = "kubernetes:operators.coreos.com/v1alpha1:Subscription";
const CATALOG = "kubernetes:operators.coreos.com/v1alpha1:CatalogSource";
const TC = "kubernetes:operator.tekton.dev/v1alpha1:TektonConfig";
const CSV = (b: string) => `openshift-pipelines-operator-rh.v5.0.5-${b}`;
const RING1 = "stone-prd-rh01";
const RING2 = ["stone-prd-m01", "stone-prod-p01"];

test("only ring 1's CatalogSource carries the new index; ring 2 keeps the environment's", (t) => {
    t.is(find(CATALOG, `${RING1}-osp-catalog`).inputs.spec.image, INDEX_871);
    for (const n of RING2)
        t.is(
            find(CATALOG, `${n}-osp-catalog`).inputs.spec.image,
            (values.osp as { catalog: { image: string } }).catalog.image,
            n,
        );
    const annotated = (n: string) =>
        [find(SUB, `${n}-osp-operator-subscription`), find(TC, `${n}-osp-tektonconfig`)].map(
            (c) => c.inputs.metadata.annotations,
        );
    for (const a of annotated(RING1))
        t.like(a, { [CATALOG_IMAGE_ANNOTATION]: INDEX_871, [EXPECTED_CSV_ANNOTATION]: CSV("871") });
    for (const n of RING2) for (const a of annotated(n)) t.is(a[EXPECTED_CSV_ANNOTATION], CSV("854"), n);
});

test("ring 1's Subscription waits for the new CSV; every ring-2 cluster depends on that wait and on ring 1's TektonConfig", (t) => {
    const sub = find(SUB, `${RING1}-osp-operator-subscription`);
    t.deepEqual(JSON.parse(sub.inputs.metadata.annotations["pulumi.com/waitFor"]), [
        "jsonpath={.status.state}=AtLatestKnown",
        `jsonpath={.status.installedCSV}=${CSV("871")}`,
    ]);
    t.is(
        sub.inputs.metadata.annotations["pulumi.com/timeoutSeconds"],
        "1200",
        "bounded by prod's readiness.timeoutSeconds",
    );
    const tc = find(TC, `${RING1}-osp-tektonconfig`);
    t.true(tc.dependencies.includes(sub.urn), "the TektonConfig's Ready wait comes after the CSV wait");
    // Through ring 1's gate (index.ts ringGate): every ring-2 cluster waits on it, and it on ring 1's objects.
    const gate = find(RING_GATE, "ring-1-gate");
    t.true(gate.dependencies.includes(sub.urn), "ring 1's gate waits for ring 1's CSV wait");
    t.true(gate.dependencies.includes(tc.urn), "ring 1's gate waits for ring 1's TektonConfig");
    t.false(
        gate.dependencies.some((d) => RING2.some((m) => d.includes(`::${m}-`))),
        "ring 1's gate does not wait for ring 2",
    );
    for (const n of RING2) t.deepEqual(find(CC, n).dependencies, [gate.urn], `${n} waits for ring 1's gate`);
});

test("stack outputs: each cluster's state, expected CSV and protection, what the next run checks against", async (t) => {
    const out = program.exports.clusters;
    t.like(out[RING1], { state: "active", protected: true });
    t.is(await promiseOf(out[RING1]!.expectedCsv), CSV("871"));
    for (const n of RING2) t.is(await promiseOf(out[n]!.expectedCsv), CSV("854"), n);
});

test("prod: namespaced objects are deletedWith their namespace unless it is retained (openshift-pipelines)", (t) => {
    const namespaces = new Map(ofKind("Namespace").map((n) => [n.urn, n]));
    const inNs = collected.filter(
        (c) => c.custom && c.type.startsWith("kubernetes:") && typeof c.inputs?.metadata?.namespace === "string",
    );
    const pipelines = inNs.filter((c) => c.inputs.metadata.namespace === "openshift-pipelines");
    t.true(pipelines.length > 10);
    for (const c of pipelines)
        t.is(
            c.deletedWith,
            "",
            `${c.name}: openshift-pipelines is retained in prod, so its objects are deleted one by one`,
        );
    const gateway = inNs.filter((c) => c.inputs.metadata.namespace === "sprayproxy");
    t.true(gateway.length > 5);
    for (const c of gateway) t.is(c.deletedWith, find("kubernetes:core/v1:Namespace", "gateway-namespace").urn, c.name);
    for (const c of inNs.filter((x) => x.deletedWith)) {
        const ns = namespaces.get(c.deletedWith);
        t.truthy(ns, `${c.name}: deletedWith a Namespace`);
        t.is(ns!.inputs.metadata.name, c.inputs.metadata.namespace, `${c.name}: its own namespace`);
        t.is(ns!.provider, c.provider, `${c.name}: on the same cluster`);
        t.false(ns!.retainOnDelete);
    }
});
