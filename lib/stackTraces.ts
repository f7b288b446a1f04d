/**
 * No wasted stack traces in the Pulumi SDK's own bookkeeping; the program's errors keep theirs, source-mapped.
 *
 * Why: `@pulumi/pulumi` 3.163.0 captures a stack trace several times per resource:
 * - `debuggablePromise` (runtime/debuggable.js) stores `new Error().stack` on every promise it tracks (four per
 *   property of every resource, and more per registration), only to print it when the promise leaks and
 *   `PULUMI_DEBUG_PROMISE_LEAKS` is set;
 * - `Resource.sourcePosition` (resource.js) captures a trace to find the user's line.
 * Capturing costs V8 a walk of 10 frames (`Error.stackTraceLimit`), and reading `.stack` formats every frame, with
 * source maps on, through a source map: tsx turns Node's source maps on (`process.setSourceMapsEnabled(true)`) and
 * the CLI's entry point (`cmd/run/index.js`) installs `source-map-support/register`. Under mocks, 100 clusters
 * (6,156 resources) spent 2.6 s of 9.6 s in `debuggablePromise` alone (bench/README.md). The SDK has no setting that
 * turns this off (no `PULUMI_NODEJS_*` variable, no `cmd/run` flag), and `Error.stackTraceLimit = 0` for the whole
 * process would take the stack of every real error as well.
 *
 * {@link installSdkStackTraces}, unless `PULUMI_DEBUG_PROMISE_LEAKS` is set (then the SDK's leak report needs every
 * trace, and nothing changes but the source-position formatting below):
 * - replaces the module export `debuggablePromise` (the SDK calls it through its module object, so every call takes
 *   the replacement): the first call runs the SDK's own function (with `Error.stackTraceLimit` at 0), which schedules
 *   the SDK's leak check at exit; every later call does only the SDK's leak bookkeeping (the promise joins the
 *   store's `leakCandidates` until it settles, a rejection carries `err.promise`), without the three
 *   `Object.defineProperty` calls and the `Error` that only the `PULUMI_DEBUG_PROMISE_LEAKS` report reads (they made
 *   it the program's costliest function after the capture went: 0.3 s at 100 clusters under mocks);
 * - wraps `Resource.sourcePosition` (the constructor calls it as `Resource.sourcePosition()`) so its capture walks
 *   only {@link SOURCE_POSITION_FRAMES} frames;
 * - and, whatever the environment, wraps `Error.prepareStackTrace` (Node 22's default, which applies source maps
 *   when enabled, or source-map-support under the CLI): a `Resource.sourcePosition` capture is formatted with its
 *   first {@link SOURCE_POSITION_FRAMES} frames only (the SDK reads the user's frame from the first four or five
 *   lines, which come out identical), and the formatted text is kept per distinct call stack (V8's own,
 *   unmapped text of those frames as the key, at most {@link SOURCE_POSITION_CACHE} stacks): a fleet constructs the
 *   same components from the same lines once per cluster, so the source-map lookups (0.3 s at 100 clusters) run
 *   once per line instead of once per resource. A `debuggablePromise` capture (leak debugging) and every other
 *   trace go to the previous formatter unchanged, so the program's errors point at TypeScript lines.
 * Each wrapper restores `Error.stackTraceLimit` in a `finally`, so a throw inside leaves it as it was.
 */
import { createRequire } from "node:module";

const SDK_FILE = (file: string) => new RegExp(`[\\\\/]@pulumi[\\\\/]pulumi[\\\\/]${file}$`);
const RESOURCE = SDK_FILE("resource\\.js");

/** Frames of a `Resource.sourcePosition` capture that are formatted: `new Resource`, `new <Custom|Component>Resource`, an optional `new <Class>`, the user's frame, and one more line for the SDK's pattern to end on. */
export const SOURCE_POSITION_FRAMES = 6;

/** Distinct `Resource.sourcePosition` call stacks whose formatted text is kept (about 100 bytes each); past it, a new stack is formatted every time. */
export const SOURCE_POSITION_CACHE = 10_000;

type Prepare = (error: Error, frames: NodeJS.CallSite[]) => unknown;

/** Which SDK capture a trace is, by its first frame; undefined for any other trace. */
export function sdkCapture(frames: NodeJS.CallSite[]): "sourcePosition" | undefined {
    const top = frames[0];
    // The function name first: it is the cheapest call, and it rules out almost every other trace.
    if (!top || top.getFunctionName() !== "Resource") return undefined;
    return top.isConstructor() && RESOURCE.test(top.getFileName() ?? "") ? "sourcePosition" : undefined;
}

/** V8's own format (`Error: message`, then `    at <call site>` per frame), with no source map lookup. */
function plainTrace(error: Error, frames: NodeJS.CallSite[]): string {
    return `${Error.prototype.toString.call(error)}${frames.map((f) => `\n    at ${String(f)}`).join("")}`;
}

/** `f`, run with `Error.stackTraceLimit` at `limit` and restored afterwards (also when `f` throws). */
function withStackTraceLimit<A extends unknown[], R>(limit: number, f: (...args: A) => R): (...args: A) => R {
    return function (this: unknown, ...args: A): R {
        const previous = Error.stackTraceLimit;
        Error.stackTraceLimit = limit;
        try {
            return f.apply(this, args);
        } finally {
            Error.stackTraceLimit = previous;
        }
    };
}

type DebuggablePromise = <T>(p: Promise<T>, ctx: string) => Promise<T>;

/**
 * The SDK's `debuggablePromise` (runtime/debuggable.js, 3.163.0) without its debugging properties: `sdk` (the SDK's
 * own function) on the first call, so its exit-time leak check is scheduled, then only the leak bookkeeping, in the
 * SDK's order of effects (a non-promise throws before anything is recorded).
 */
function leanDebuggablePromise(
    sdk: DebuggablePromise,
    getStore: () => { leakCandidates: Set<Promise<unknown>> },
): DebuggablePromise {
    let scheduled = false;
    return <T>(p: Promise<T>, ctx: string): Promise<T> => {
        if (!scheduled) {
            const first = sdk(p, ctx);
            scheduled = true;
            return first;
        }
        const candidates = getStore().leakCandidates;
        const tracked = p
            .then((val) => {
                candidates.delete(p);
                return val;
            })
            .catch((err: unknown) => {
                candidates.delete(p);
                // As the SDK does, in strict mode: a primitive rejection value throws a TypeError here.
                (err as { promise?: unknown }).promise = p;
                throw err;
            });
        candidates.add(p);
        return tracked;
    };
}

/** What {@link installSdkStackTraces} changed; every field false on a second call. */
export interface Installed {
    /** `Error.prepareStackTrace` wraps the previous formatter. */
    formatter: boolean;
    /** `debuggablePromise` captures no frames and, after its first call, records only the leak bookkeeping. */
    promiseTraces: boolean;
    /** `Resource.sourcePosition` captures {@link SOURCE_POSITION_FRAMES} frames. */
    sourcePosition: boolean;
}

let installed = false;

/**
 * Install the wrappers, once per process: a later call changes nothing and returns all false. Call it before the
 * first resource is constructed. `promiseTraces` and `sourcePosition` are false when `PULUMI_DEBUG_PROMISE_LEAKS` is
 * set in `env`, or when the SDK does not have the shape of @pulumi/pulumi 3.163.0 (no `debuggablePromise` export,
 * no static `Resource.sourcePosition`): then the SDK runs as shipped. Never throws.
 */
export function installSdkStackTraces(env: NodeJS.ProcessEnv = process.env): Installed {
    if (installed) return { formatter: false, promiseTraces: false, sourcePosition: false };
    installed = true;
    const previous = (Error.prepareStackTrace as Prepare | undefined) ?? plainTrace;
    const formatted = new Map<string, unknown>();
    Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => {
        if (sdkCapture(frames) !== "sourcePosition") return previous(error, frames);
        const top = frames.slice(0, SOURCE_POSITION_FRAMES);
        const key = `${Error.prototype.toString.call(error)}\n${top.join("\n")}`;
        let text = formatted.get(key);
        if (text === undefined) {
            text = previous(error, top);
            if (formatted.size < SOURCE_POSITION_CACHE) formatted.set(key, text);
        }
        return text;
    };
    const out: Installed = { formatter: true, promiseTraces: false, sourcePosition: false };
    if (env.PULUMI_DEBUG_PROMISE_LEAKS) return out;

    const require = createRequire(import.meta.url);
    const debuggable = require("@pulumi/pulumi/runtime/debuggable.js") as { debuggablePromise?: unknown };
    const state = require("@pulumi/pulumi/runtime/state.js") as { getStore?: unknown };
    if (typeof debuggable.debuggablePromise === "function" && typeof state.getStore === "function") {
        debuggable.debuggablePromise = leanDebuggablePromise(
            withStackTraceLimit(0, debuggable.debuggablePromise as DebuggablePromise),
            state.getStore as () => { leakCandidates: Set<Promise<unknown>> },
        );
        out.promiseTraces = true;
    }
    const { Resource } = require("@pulumi/pulumi/resource.js") as { Resource?: { sourcePosition?: unknown } };
    if (Resource && typeof Resource.sourcePosition === "function") {
        Resource.sourcePosition = withStackTraceLimit(
            SOURCE_POSITION_FRAMES,
            Resource.sourcePosition as (...a: unknown[]) => unknown,
        );
        out.sourcePosition = true;
    }
    return out;
}
