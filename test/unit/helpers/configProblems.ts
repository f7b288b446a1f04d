/**
 * Config validation as the tests see it: what `resolveConfig` (lib/config/validate.ts) says of a raw stack config.
 * Every problem is one line `pipeline-service:<key>: <message> Fix: ...` (ConfigError.problems).
 */
import { ConfigError, resolveConfig } from "../../../lib/config.js";

/** The problems `resolveConfig(stack, raw)` raises, or [] when it accepts `raw`. Other errors are rethrown. */
export function configProblems(stack: string, raw: Record<string, unknown>): string[] {
    try {
        resolveConfig(stack, raw);
    } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
    }
    return [];
}

/** {@link configProblems}, expecting a refusal: throws "the config was accepted" when there is none. */
export function rejects(raw: Record<string, unknown>, stack = "local"): string[] {
    const ps = configProblems(stack, raw);
    if (!ps.length) throw new Error("the config was accepted");
    return ps;
}

/** The problem about `pipeline-service:<key>` among `ps`, or undefined. */
export const problemFor = (ps: string[], key: string): string | undefined =>
    ps.find((p) => p.startsWith(`pipeline-service:${key}: `));
