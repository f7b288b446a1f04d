/**
 * Renames never delete (issue 11 §1): a ComputeCluster registered under a new name with `renamedFrom(old, new)`
 * claims every URN of the same component registered under the old name, at every depth, through its aliases.
 *
 * Pulumi's mocks do not diff, so the test is on what the engine resolves aliases with: the mocks run without alias
 * specs (the SDK computes every alias URN itself), the component is registered once under the old name and once
 * under the new one, and every old URN must be an alias of exactly one new resource of the same type: nothing of the
 * old tree would be deleted, nothing of the new one created. Without the transformation the same check finds the
 * deletes (the negative control below).
 */
import test from "ava";
import {
    type Collected,
    collected,
    configOf,
    descendantsOf,
    find,
    installMocks,
    settle,
    stackValues,
} from "../helpers/mocks.js";
import { resolveConfig } from "../../lib/config.js";

// prod's clusters, with the secret store owned (created) rather than referenced: the SDK's own alias computation
// (@pulumi/pulumi 3.163 runtime/resource.ts prepareResource) cannot handle a read resource (`CustomResource.get`)
// under an aliased parent, a path only taken without alias specs, which the real engine supports.
const values = {
    ...stackValues("prod"),
    secretStore: { ...(stackValues("prod").secretStore as object), manage: true },
};
await installMocks("prod", configOf(values), undefined, { aliasSpecs: false });
const { ComputeCluster } = await import("../../components/computeCluster.js");
const { renamedFrom } = await import("../../lib/lifecycle.js");
const { patchForceTransformation } = await import("../../lib/k8s.js");
const cfg = resolveConfig("prod", values);
const cluster = cfg.clusters[0]!;
const args = { cluster, environment: cfg.environment, delivery: cfg.delivery };
const CC = "pipeline-service:cluster:ComputeCluster";

new ComputeCluster("blue", args, { transformations: [patchForceTransformation] });
new ComputeCluster("green", args, { transformations: [renamedFrom("blue", "green"), patchForceTransformation] });
new ComputeCluster("red", args, { transformations: [patchForceTransformation] });
await Promise.all(["blue", "green", "red"].map(() => settle()));

/** The component and everything under it. */
function tree(name: string): Collected[] {
    const root = find(CC, name);
    return [root, ...descendantsOf(root.urn)];
}

/** Old URNs that no new resource of the same type claims (what the engine would delete). */
function unclaimed(oldTree: Collected[], newTree: Collected[]): string[] {
    const claimed = new Set(newTree.flatMap((c) => c.aliases));
    return oldTree.map((c) => c.urn).filter((urn) => !claimed.has(urn));
}

test("the renamed tree has the same shape: as many resources, of the same types", (t) => {
    const blue = tree("blue");
    const green = tree("green");
    t.true(blue.length > 40, `${blue.length} resources`);
    t.deepEqual(green.map((c) => c.type).sort(), blue.map((c) => c.type).sort());
});

test("every URN of the old tree is an alias of exactly one resource of the new tree, at every depth", (t) => {
    const blue = tree("blue");
    const green = tree("green");
    t.deepEqual(unclaimed(blue, green), []);
    for (const old of blue) {
        const claimers = green.filter((c) => c.aliases.includes(old.urn));
        t.is(claimers.length, 1, old.urn);
        t.is(claimers[0]!.type, old.type, `${old.urn}: claimed by a resource of the same type`);
        t.is(claimers[0]!.name, `green${old.name.slice("blue".length)}`, "the same role under the new name");
    }
    const deepest = blue.reduce((a, c) => (c.urn.split("$").length > a.urn.split("$").length ? c : a));
    t.true(deepest.urn.split("$").length >= 3, `a grandchild is covered too: ${deepest.urn}`);
});

test("negative control: without renamedFrom a rename would delete the old tree", (t) => {
    // (the kubernetes SDK gives its resources aliases of their older API versions; none is a URN of the old tree)
    t.is(unclaimed(tree("blue"), tree("red")).length, tree("blue").length);
});
