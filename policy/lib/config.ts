/**
 * Policy configuration (`pulumi preview --policy-pack-config policy/config/<env>.json`).
 *
 * The CLI fills each policy's config with the `default`s of its `configSchema`, then applies the file. Rules still
 * merge their own defaults ({@link ruleConfig}) so they behave the same when called without the CLI (tests, or a
 * CLI that sent no config).
 */
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema.js";

export type Environment = "local" | "dev" | "staging" | "prod";
export const ENVIRONMENTS: Environment[] = ["local", "dev", "staging", "prod"];

/** The `environment` property shared by environment-dependent rules. Unset means the strictest, prod. */
export const ENVIRONMENT_PROPERTY: PolicyConfigJSONSchema = {
    type: "string",
    enum: ENVIRONMENTS,
    default: "prod",
    description: "The stack's environment (pipeline-service:environment): local, dev, staging or prod.",
};

export interface ConfigSource {
    getConfig<T extends object>(): T;
}

/** The policy's config over `defaults`: a key the config leaves unset (or null) keeps its default. */
export function ruleConfig<T extends object>(args: ConfigSource, defaults: T): T {
    const given = (args.getConfig<Partial<T>>() ?? {}) as Record<string, unknown>;
    const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
    for (const [k, v] of Object.entries(given)) {
        if (k === "enforcementLevel" || v === undefined || v === null) continue;
        out[k] = v;
    }
    return out as T;
}
