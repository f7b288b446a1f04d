/**
 * No source-map work for the Pulumi SDK's own bookkeeping stack traces; the program's errors keep theirs.
 *
 * Why: `@pulumi/pulumi` 3.163.0 formats a stack trace several times per resource. `debuggablePromise`
 * (runtime/debuggable.js) reads `new Error().stack` for every promise it tracks, only to print it when the promise
 * leaks and `PULUMI_DEBUG_PROMISE_LEAKS` is set; `Resource.sourcePosition` (resource.js) captures a trace to find the
 * user's line. Reading `.stack` formats every frame (10 by default), and with source maps on, each frame is looked up
 * in a source map: tsx turns Node's source maps on (`process.setSourceMapsEnabled(true)`) and the CLI's entry point
 * (`cmd/run/index.js`) installs `source-map-support/register`. That was about 2 s of the 5.9 s construction of 50
 * clusters under mocks (bench/README.md). The SDK has no setting that turns it off (no `PULUMI_NODEJS_*` variable, no
 * `cmd/run` flag), and `Error.stackTraceLimit = 0` would take the stack of every real error as well.
 *
 * {@link installSdkStackTraces} wraps `Error.prepareStackTrace`, whatever formatted traces before (Node 22's default,
 * which applies source maps when enabled, or source-map-support under the CLI):
 * - a `debuggablePromise` capture becomes one line saying it was not recorded, unless `PULUMI_DEBUG_PROMISE_LEAKS`
 *   is set (then it is formatted as before, for the leak report that prints it);
 * - a `Resource.sourcePosition` capture is formatted as before, but only its first {@link SOURCE_POSITION_FRAMES}
 *   frames: the SDK reads the user's frame from the first four or five lines, which come out identical;
 * - every other trace goes to the previous formatter unchanged, so the program's errors point at TypeScript lines.
 */

const SDK_FILE = (file: string) => new RegExp(`[\\\\/]@pulumi[\\\\/]pulumi[\\\\/]${file}$`);
const DEBUGGABLE = SDK_FILE("runtime[\\\\/]debuggable\\.js");
const RESOURCE = SDK_FILE("resource\\.js");

/** Frames of a `Resource.sourcePosition` capture that are formatted: `new Resource`, `new <Custom|Component>Resource`, an optional `new <Class>`, the user's frame, and one more line for the SDK's pattern to end on. */
export const SOURCE_POSITION_FRAMES = 6;

type Prepare = (error: Error, frames: NodeJS.CallSite[]) => unknown;

/** Which SDK capture a trace is, by its first frame; undefined for any other trace. */
export function sdkCapture(frames: NodeJS.CallSite[]): "debuggablePromise" | "sourcePosition" | undefined {
    const top = frames[0];
    if (!top) return undefined;
    // The function name first: it is the cheapest call, and it rules out almost every other trace.
    const fn = top.getFunctionName();
    if (fn === "debuggablePromise") return DEBUGGABLE.test(top.getFileName() ?? "") ? "debuggablePromise" : undefined;
    if (fn === "Resource")
        return top.isConstructor() && RESOURCE.test(top.getFileName() ?? "") ? "sourcePosition" : undefined;
    return undefined;
}

/** V8's own format (`Error: message`, then `    at <call site>` per frame), with no source map lookup. */
function plainTrace(error: Error, frames: NodeJS.CallSite[]): string {
    return `${Error.prototype.toString.call(error)}${frames.map((f) => `\n    at ${String(f)}`).join("")}`;
}

let installed = false;

/**
 * Install the wrapper, once per process: a later call does nothing and returns false. Call it before the first
 * resource is constructed. It changes how traces are formatted, never which frames are captured.
 */
export function installSdkStackTraces(env: NodeJS.ProcessEnv = process.env): boolean {
    if (installed) return false;
    installed = true;
    const previous = (Error.prepareStackTrace as Prepare | undefined) ?? plainTrace;
    const keepLeakTraces = !!env.PULUMI_DEBUG_PROMISE_LEAKS;
    Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => {
        switch (sdkCapture(frames)) {
            case "debuggablePromise":
                return keepLeakTraces
                    ? previous(error, frames)
                    : `${Error.prototype.toString.call(error)}\n    at debuggablePromise ` +
                          "(stack not recorded by lib/stackTraces.ts; set PULUMI_DEBUG_PROMISE_LEAKS=1 to record it)";
            case "sourcePosition":
                return previous(error, frames.slice(0, SOURCE_POSITION_FRAMES));
            default:
                return previous(error, frames);
        }
    };
    return true;
}
