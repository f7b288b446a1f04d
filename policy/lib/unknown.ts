/**
 * Values that are unknown during `pulumi preview` (an Output not resolved yet, e.g. the syncer's
 * `--sync-target-uid`). The policy runtime wraps props in `unknownCheckingProxy`, which throws
 * `UnknownValueError` when such a value is read; the runtime turns that error into an advisory
 * "can't run ... during preview" note for the whole policy.
 *
 * Most rules let that happen: a value they need is not known yet, so they cannot judge it. {@link known} is for
 * the few reads where an unknown value can safely be skipped because another check covers it (stack policies,
 * which must not give up on every resource because one of them has an unknown field).
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** `@pulumi/policy/proxy` (1.15.0 exports it as an internal module: present in JS, absent from its .d.ts). */
const proxy = require("@pulumi/policy/proxy") as { UnknownValueError: new (...args: never[]) => Error };

export function isUnknownValueError(e: unknown): boolean {
    return e instanceof proxy.UnknownValueError;
}

/** Run `read`; when it touches a value unknown during preview, return `fallback` instead of throwing. */
export function known<T>(read: () => T, fallback: T): T {
    try {
        return read();
    } catch (e) {
        if (isUnknownValueError(e)) return fallback;
        throw e;
    }
}
