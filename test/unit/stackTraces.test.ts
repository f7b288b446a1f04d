/**
 * lib/stackTraces.ts: the SDK's promise bookkeeping captures no frames (its leak bookkeeping unchanged), its
 * source-position capture gives the same position as before, and the program's own errors keep their source-mapped
 * (TypeScript) lines; with PULUMI_DEBUG_PROMISE_LEAKS set the SDK keeps every trace. The process starts like the
 * CLI's language host: tsx, then source-map-support/register (@pulumi/pulumi cmd/run/index.js).
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
    installSdkStackTraces,
    sdkCapture,
    SOURCE_POSITION_CACHE,
    SOURCE_POSITION_FRAMES,
} from "../../lib/stackTraces.js";
import { ROOT } from "../helpers/paths.js";

createRequire(import.meta.url)("source-map-support/register");
// The module object the SDK calls through (debuggable_1.debuggablePromise): read the export at each call.
const debuggable = createRequire(import.meta.url)("@pulumi/pulumi/runtime/debuggable.js") as {
    debuggablePromise<T>(p: Promise<T>, ctx: string): Promise<T>;
    leakedPromises(): [Set<Promise<unknown>>, string];
};
const debuggablePromise = <T>(p: Promise<T>, ctx: string) => debuggable.debuggablePromise(p, ctx);
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

// Count the source-position captures that reach the formatter the wrappers are installed over.
const sourceMapped = Error.prepareStackTrace!;
let positionsFormatted = 0;
Error.prepareStackTrace = (error, frames) => {
    if (sdkCapture(frames) === "sourcePosition") positionsFormatted++;
    return sourceMapped(error, frames);
};
const before = { position: positionOf("before"), leakTrace: probe(Promise.resolve(1)), error: programError() };
const installed = installSdkStackTraces({});
const formattedBefore = positionsFormatted;
const after = {
    // First: the SDK's own function runs only on the first call after the install.
    leakTrace: probe(Promise.resolve(2)),
    laterLeakTrace: probe(Promise.resolve(3)),
    // Both from one line: the same call stack.
    ...(([position, again]) => ({ position, again }))(["after", "again"].map(positionOf)),
    formatted: positionsFormatted - formattedBefore,
    error: programError(),
};

test("installs every wrapper on the pinned SDK, once per process", (t) => {
    t.deepEqual(installed, { formatter: true, promiseTraces: true, sourcePosition: true });
    t.deepEqual(installSdkStackTraces({}), { formatter: false, promiseTraces: false, sourcePosition: false });
});

test("debuggablePromise captures no frames: the SDK's first call records a bare error line, later calls nothing", (t) => {
    t.regex(before.leakTrace, /\n\s+at .*\n\s+at /, "before: the SDK records the whole stack");
    t.regex(after.leakTrace, /^Error:? ?$/, "one line, no frame"); // source-map-support prints "Error: "
    t.is(after.laterLeakTrace, "", "after the first call no debugging properties are set");
});

test("a rejected tracked promise leaves the candidate set and its error names the promise, as in the SDK", async (t) => {
    debuggable.leakedPromises();
    const failing = Promise.reject(new Error("refused"));
    const tracked = debuggablePromise(failing, "failing");
    t.true(debuggable.leakedPromises()[0].has(failing));
    const err = await t.throwsAsync(tracked, { message: "refused" });
    t.is((err as Error & { promise?: unknown }).promise, failing);
    t.is(debuggable.leakedPromises()[0].size, 0);
});

test("the SDK's leak bookkeeping is unchanged: a pending promise is a leak candidate until it settles", async (t) => {
    debuggable.leakedPromises(); // start from an empty candidate set
    let resolve!: (v: number) => void;
    const pending = new Promise<number>((r) => (resolve = r));
    const tracked = debuggablePromise(pending, "pending");
    t.true(debuggable.leakedPromises()[0].has(pending), "the SDK's own function ran: the promise is a candidate");
    const again = debuggablePromise(pending, "pending again");
    resolve(7);
    t.is(await tracked, 7);
    t.is(await again, 7);
    t.is(debuggable.leakedPromises()[0].size, 0, "settled promises leave the candidate set");
});

test("Error.stackTraceLimit is restored after each wrapped call, also when the SDK's function throws", (t) => {
    const limit = Error.stackTraceLimit;
    debuggablePromise(Promise.resolve(0), "ok");
    t.is(Error.stackTraceLimit, limit);
    // Not a promise: a TypeError before anything is recorded, as in the SDK (whose first call is behind us).
    debuggable.leakedPromises();
    t.throws(() => debuggablePromise(null as unknown as Promise<number>, "null"), { instanceOf: TypeError });
    t.is(debuggable.leakedPromises()[0].size, 0);
    t.is(Error.stackTraceLimit, limit);
    t.not(new Error("x").stack?.split("\n").length, 1, "a program error still has frames");
});

test("with PULUMI_DEBUG_PROMISE_LEAKS the SDK keeps every promise trace (leak reports need them)", (t) => {
    const script = `
        import { installSdkStackTraces } from ${JSON.stringify(path.join(ROOT, "lib/stackTraces.ts"))};
        import { createRequire } from "node:module";
        const installed = installSdkStackTraces({ PULUMI_DEBUG_PROMISE_LEAKS: "1" });
        const d = createRequire(import.meta.url)("@pulumi/pulumi/runtime/debuggable.js");
        const p = Promise.resolve(1);
        d.debuggablePromise(p, "probe");
        d.leakedPromises();
        console.log(JSON.stringify({ installed, frames: p._debugStackTrace.split("\\n").length - 1 }));`;
    const out = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
        cwd: ROOT,
        encoding: "utf8",
    });
    t.is(out.status, 0, out.stderr);
    const r = JSON.parse(out.stdout) as { installed: unknown; frames: number };
    t.deepEqual(r.installed, { formatter: true, promiseTraces: false, sourcePosition: false });
    t.true(r.frames >= 2, `the leak trace keeps its frames: ${r.frames}`);
});

test("the SDK's source position of a resource is unchanged", (t) => {
    t.truthy(before.position, "source-map-support is on, so the SDK finds a position");
    t.deepEqual(after.position, before.position);
    t.deepEqual(after.again, before.position);
});

test("a call stack's source position is source-mapped once, then reused", (t) => {
    t.true(formattedBefore >= 1, "before the wrappers, each capture reaches the formatter");
    t.is(after.formatted, 1, "two captures from the same stack: one formatting");
    t.true(SOURCE_POSITION_CACHE > 0);
});

test("the program's own errors keep every frame, formatted as before", (t) => {
    const [b, a] = [before.error.split("\n"), after.error.split("\n")];
    t.is(a[0], "Error: boom");
    t.is(a[1], b[1], "the program's frame is formatted by the previous formatter, as before");
    t.true(a.length > 3, after.error);
    t.is(sdkCapture([]), undefined);
    t.true(SOURCE_POSITION_FRAMES >= 4);
});
