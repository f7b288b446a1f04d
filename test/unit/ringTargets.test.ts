/**
 * scripts/ring-targets.ts: the `--target` arguments of one ring select exactly that ring's resources. Checked against
 * the URNs the local program registers under mocks, named as the engine names them (the whole parent type chain),
 * with the engine's own glob rule (pulumi pkg/resource/deploy/deployment.go UrnTargets.getMatcher@v3.163.0).
 */
import test from "ava";
import {
    collected,
    configOf,
    descendantsOf,
    find,
    installMocks,
    mockableStackValues,
    settle,
    promiseOf,
} from "../helpers/mocks.js";
import { ringTargets, shellQuote } from "../../scripts/ring-targets.js";

await installMocks("local", configOf(mockableStackValues("local")), undefined, { aliasSpecs: false });
const program = await import("../../index.js");
await promiseOf(program.gatewayUrl);
await settle();

/** The engine's glob: `**` matches anything, `*` anything but ':', the rest literally. */
function matcher(glob: string): RegExp {
    const quote = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(
        `^${glob
            .split("**")
            .map((seg) => seg.split("*").map(quote).join("[^:]*"))
            .join(".*")}$`,
    );
}
function targeted(targets: string[]): (urn: string) => boolean {
    const globs = targets.filter((t) => t.includes("*")).map(matcher);
    return (urn) => targets.includes(urn) || globs.some((g) => g.test(urn));
}

const CC = "pipeline-service:cluster:ComputeCluster";
const clusters = [
    { name: "compute-1", ring: 0 },
    { name: "compute-2", ring: 1 },
];

test("ring 1 of the local stack: compute-2's component and everything under it, nothing else", (t) => {
    const hit = targeted(ringTargets("local", clusters, 1));
    const mine = new Set([find(CC, "compute-2").urn, ...descendantsOf(find(CC, "compute-2").urn).map((c) => c.urn)]);
    t.true(mine.size > 40);
    for (const urn of mine) t.true(hit(urn), urn);
    const others = collected.map((c) => c.urn).filter((u) => u && !mine.has(u));
    t.true(others.some((u) => u.includes("::compute-1-")) && others.some((u) => u.includes("::gateway")));
    for (const urn of others) t.false(hit(urn), urn);
});

test("ring 0 likewise selects compute-1 only", (t) => {
    const hit = targeted(ringTargets("local", clusters, 0));
    for (const c of collected.filter((x) => x.urn)) {
        const under = c.urn === find(CC, "compute-1").urn || descendantsOf(find(CC, "compute-1").urn).includes(c);
        t.is(hit(c.urn), under, c.urn);
    }
});

test("a ring without clusters, removed clusters, and names a glob cannot tell apart are refused", (t) => {
    t.throws(() => ringTargets("local", clusters, 5), {
        message: "stack local has no cluster in ring 5 (its rings: 0, 1)",
    });
    t.throws(
        () => ringTargets("local", [{ name: "compute-2", ring: 1, state: "removed" }, ...clusters.slice(0, 1)], 1),
        { message: /no cluster in ring 1/ },
    );
    t.throws(
        () =>
            ringTargets(
                "prod",
                [
                    { name: "east", ring: 1 },
                    { name: "east-2", ring: 2 },
                ],
                1,
            ),
        { message: /cluster east's objects cannot be told apart from east-2's/ },
    );
    t.is(shellQuote("urn:pulumi:a::b::T$**::x-*"), "'urn:pulumi:a::b::T$**::x-*'");
    t.is(shellQuote("--target"), "--target");
});
