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
 * - wraps the module export `debuggablePromise` (the SDK calls it through its module object, so every call takes
 *   the wrapper) so that the SDK's own function runs unchanged with `Error.stackTraceLimit` at 0 for the duration of
 *   the call: the same leak bookkeeping, a trace of no frames (`"Error"`);
 * - wraps `Resource.sourcePosition` (the constructor calls it as `Resource.sourcePosition()`) so its capture walks
 *   only {@link SOURCE_POSITION_FRAMES} frames;
 * - and, whatever the environment, wraps `Error.prepareStackTrace` (Node 22's default, which applies source maps
 *   when enabled, or source-map-support under the CLI): a `Resource.sourcePosition` capture is formatted with its
 *   first {@link SOURCE_POSITION_FRAMES} frames only (the SDK reads the user's frame from the first four or five
 *   lines, which come out identical), a `debuggablePromise` capture (leak debugging) and every other trace go to
 *   the previous formatter unchanged, so the program's errors point at TypeScript lines.
 * Each wrapper restores `Error.stackTraceLimit` in a `finally`, so a throw inside leaves it as it was.
 */
import { createRequire } from "node:module";

const SDK_FILE = (file: string) => new RegExp(`[\\\\/]@pulumi[\\\\/]pulumi[\\\\/]${file}$`);
const RESOURCE = SDK_FILE("resource\\.js");

/** Frames of a `Resource.sourcePosition` capture that are formatted: `new Resource`, `new <Custom|Component>Resource`, an optional `new <Class>`, the user's frame, and one more line for the SDK's pattern to end on. */
export const SOURCE_POSITION_FRAMES = 6;

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

/** What {@link installSdkStackTraces} changed; every field false on a second call. */
export interface Installed {
    /** `Error.prepareStackTrace` wraps the previous formatter. */
    formatter: boolean;
    /** `debuggablePromise` captures no frames. */
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
    Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) =>
        sdkCapture(frames) === "sourcePosition"
            ? previous(error, frames.slice(0, SOURCE_POSITION_FRAMES))
            : previous(error, frames);
    const out: Installed = { formatter: true, promiseTraces: false, sourcePosition: false };
    if (env.PULUMI_DEBUG_PROMISE_LEAKS) return out;

    const require = createRequire(import.meta.url);
    const debuggable = require("@pulumi/pulumi/runtime/debuggable.js") as { debuggablePromise?: unknown };
    if (typeof debuggable.debuggablePromise === "function") {
        debuggable.debuggablePromise = withStackTraceLimit(
            0,
            debuggable.debuggablePromise as (...a: unknown[]) => unknown,
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
