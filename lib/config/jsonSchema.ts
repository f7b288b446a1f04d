/**
 * The JSON Schema of a `Pulumi.<stack>.yaml` file, generated from the zod schemas of lib/config.ts with zod's own
 * `z.toJSONSchema` (zod 4), so editors complete and check the `pipeline-service:*` keys. The committed copy is
 * `schema/stack.schema.json` (written by `node --import tsx scripts/config-schema.ts`, kept in step by a test);
 * each stack file points at it with a `yaml-language-server` modeline.
 *
 * What the schema cannot say, validation still does (cross-field rules, environment rules): the schema is for
 * completion and typos, `lib/config.ts` stays the gate.
 */
import { z } from "zod";
import { ClusterSchema, PROJECT, SettingsOverrideSchema, StackSchema } from "../config.js";

/** A Pulumi secret value as the stack file stores it. */
const SECURE = {
    type: "object",
    properties: { secure: { type: "string" } },
    required: ["secure"],
    additionalProperties: false,
};

function jsonOf(schema: z.ZodType): Record<string, unknown> {
    const out = z.toJSONSchema(schema, { target: "draft-2020-12", unrepresentable: "any", io: "input" }) as Record<
        string,
        unknown
    >;
    delete out.$schema;
    return out;
}

/** The schema object (draft 2020-12). Deterministic: the same zod schemas give the same JSON. */
export function stackFileJsonSchema(): Record<string, unknown> {
    const settings = jsonOf(SettingsOverrideSchema) as { properties: Record<string, unknown> };
    const top = jsonOf(StackSchema) as { properties: Record<string, unknown> };
    const cluster = jsonOf(ClusterSchema) as { properties: Record<string, unknown> };
    cluster.properties.overrides = {
        ...jsonOf(SettingsOverrideSchema),
        description: "Per-cluster overrides of the settings keys.",
    };
    top.properties.clusters = { type: "array", minItems: 1, items: cluster, description: "The compute clusters." };
    const keys: Record<string, unknown> = {};
    for (const [k, v] of Object.entries({ ...settings.properties, ...top.properties }).sort(([a], [b]) =>
        a.localeCompare(b),
    )) {
        keys[`${PROJECT}:${k}`] = v;
    }
    return {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        $id: "https://pipeline-service.local/schema/stack.schema.json",
        title: "Pipeline Service stack file (Pulumi.<stack>.yaml)",
        description: "Generated from lib/config.ts by scripts/config-schema.ts; do not edit by hand.",
        type: "object",
        properties: {
            config: {
                type: "object",
                properties: keys,
                // Other keys of the project's namespace are secret config (e.g. a kubeconfig named by secretConfigKey);
                // keys of other namespaces (providers) are not ours to check.
                patternProperties: { [`^(?!${PROJECT}:)`]: {} },
                additionalProperties: SECURE,
                required: [`${PROJECT}:environment`, `${PROJECT}:clusters`],
            },
            encryptionsalt: { type: "string" },
            secretsprovider: { type: "string" },
            encryptedkey: { type: "string" },
            environment: {},
        },
        additionalProperties: false,
    };
}
