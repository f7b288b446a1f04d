/**
 * lib/stackTraces.ts: the SDK's promise-bookkeeping traces skip source maps, its source-position capture gives the
 * same position as before, and the program's own errors keep their source-mapped (TypeScript) lines. The process
 * starts like the CLI's language host: tsx, then source-map-support/register (@pulumi/pulumi cmd/run/index.js).
 */
import test from "ava";
import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";
import { installSdkStackTraces, sdkCapture } from "../../lib/stackTraces.js";

createRequire(import.meta.url)("source-map-support/register");
const { debuggablePromise } = (await import("@pulumi/pulumi/runtime/debuggable.js")) as unknown as {
    debuggablePromise<T>(p: Promise<T>, ctx: string): Promise<T>;
};
const Resource = pulumi.Resource as unknown as { sourcePosition(): unknown };

await pulumi.runtime.setMocks(
    { newResource: (a) => ({ id: a.name, state: a.inputs }), call: () => ({}) },
    "project",
    "stack",
    false,
);
class Probe extends pulumi.ComponentResource {
    constructor(name: string) {
        super("test:index:Probe", name, {}, {});
    }
}
/** The source position the SDK computes for a component constructed on one fixed line. */
function positionOf(name: string): unknown {
    const original = Resource.sourcePosition;
    let seen: unknown = "not called";
    Resource.sourcePosition = () => (seen = original.call(Resource));
    try {
        new Probe(name); // one line for both calls
    } finally {
        Resource.sourcePosition = original;
    }
    return seen;
}
/** An Error made on one fixed line, for both calls. */
const programError = () => new Error("boom").stack ?? "";
/** The trace debuggablePromise records on the promise it is given. */
function probe(p: Promise<number>): string {
    debuggablePromise(p, "probe");
    return (p as Promise<number> & { _debugStackTrace?: string })._debugStackTrace ?? "";
}

const before = { position: positionOf("before"), leakTrace: probe(Promise.resolve(1)), error: programError() };
const installed = installSdkStackTraces({});
const after = { position: positionOf("after"), leakTrace: probe(Promise.resolve(2)), error: programError() };

test("installs once per process", (t) => {
    t.true(installed);
    t.false(installSdkStackTraces({}));
});

test("a debuggablePromise trace is one line, not a formatted (source-mapped) stack", (t) => {
    t.regex(before.leakTrace, /\n\s+at .*\n\s+at /, "before: the SDK formats the whole stack");
    t.is(
        after.leakTrace,
        "Error\n    at debuggablePromise (stack not recorded by lib/stackTraces.ts; set PULUMI_DEBUG_PROMISE_LEAKS=1 to record it)",
    );
});

test("the SDK's source position of a resource is unchanged", (t) => {
    t.truthy(before.position, "source-map-support is on, so the SDK finds a position");
    t.deepEqual(after.position, before.position);
});

test("the program's own errors keep every frame, formatted as before", (t) => {
    const [b, a] = [before.error.split("\n"), after.error.split("\n")];
    t.is(a[0], "Error: boom");
    t.is(a[1], b[1], "the program's frame is formatted by the previous formatter, as before");
    t.true(a.length > 3, after.error);
    t.is(sdkCapture([]), undefined);
});
