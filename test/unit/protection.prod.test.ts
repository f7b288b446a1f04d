/**
 * The prod program under mocks: the protection transformation reaches every cluster's platform objects, and
 * `clusters[i].decommission` lifts it for that cluster only (the first step of removing it).
 */
import test from "ava";
import { collected, descendantsOf, stackValues } from "../helpers/mocks.js";
import { runProgram } from "./helpers/program.js";
import { protectionFor } from "../../lib/protection.js";

const values = stackValues("prod");
const clusters = structuredClone(values.clusters) as Record<string, unknown>[];
const decommissioned = String(clusters.at(-1)!.name);
clusters.at(-1)!.decommission = true;
const program = await runProgram("prod", { ...values, clusters });

/** The Kubernetes objects of one cluster with the protection protectionFor gives them. */
function objectsOf(cluster: string) {
    const urn = program.clusters.get(cluster)!.urn;
    return descendantsOf(urn)
        .filter((c) => c.custom && c.type.startsWith("kubernetes:"))
        .map((c) => ({ c, want: protectionFor(c.type, c.inputs?.metadata?.name) }));
}

test("prod: Namespaces, TektonConfig, Subscriptions, CatalogSource and the signing ExternalSecret are protected", (t) => {
    for (const cluster of program.cfg.clusters.filter((c) => c.name !== decommissioned)) {
        const objects = objectsOf(cluster.name);
        const kinds = new Set(objects.filter((o) => o.c.protect).map((o) => o.c.type.split(":").pop()));
        for (const kind of ["Namespace", "TektonConfig", "Subscription", "CatalogSource"])
            t.true(kinds.has(kind), `${cluster.name}: a protected ${kind}`);
        for (const { c, want } of objects) {
            t.is(c.protect, want.protect, `${c.type} ${c.name}: protect`);
            t.is(c.retainOnDelete, want.retainOnDelete, `${c.type} ${c.name}: retainOnDelete`);
        }
    }
});

test("prod: a cluster with decommission: true carries no protection", (t) => {
    const objects = objectsOf(decommissioned);
    t.true(objects.length > 10);
    for (const { c } of objects) t.false(c.protect || c.retainOnDelete, `${c.type} ${c.name}`);
});

test("prod: nothing outside the platform objects is protected", (t) => {
    for (const c of collected.filter((x) => x.protect))
        t.true(protectionFor(c.type, c.inputs?.metadata?.name).protect, `${c.type} ${c.name}`);
});
