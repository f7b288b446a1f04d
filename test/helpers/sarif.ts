/**
 * The SARIF 2.1.0 JSON schema, for the audit's tests: the one @microsoft/jest-sarif ships
 * (`lib/schemas/sarif-2.1.0-rtm.5.json`, a devDependency pinned for this file only; not vendored).
 *
 * That schema is JSON Schema draft-04 and uses no keyword whose meaning changed since (its keywords: $ref,
 * additionalProperties, anyOf, default, definitions, enum, format, items, maximum, minimum, minItems, oneOf,
 * pattern, properties, required, type, uniqueItems); only the root `id` became `$id`, so it is renamed. Ajv's draft-07
 * validator compiles it. Formats: `uri` must parse as a URL, `date-time` as a date;
 * `uri-reference` (relative URIs such as `Pulumi.prod.yaml`) is not checked further.
 */
import { createRequire } from "node:module";
import * as fs from "node:fs";
import { Ajv } from "ajv";

const require = createRequire(import.meta.url);
export const SARIF_SCHEMA_FILE = require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");

const {
    id,
    $schema: _draft,
    ...rest
} = JSON.parse(fs.readFileSync(SARIF_SCHEMA_FILE, "utf8")) as Record<string, unknown>;
const ajv = new Ajv({
    allErrors: true,
    strict: false,
    // The schema's `language` pattern, ^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$, has a stray `]` that is an
    // error under the `u` flag Ajv uses by default; JSON Schema patterns are ECMA-262 regexes, where it is a literal.
    unicodeRegExp: false,
    formats: {
        uri: (s: string) => URL.canParse(s),
        "uri-reference": true,
        "date-time": (s: string) => !Number.isNaN(Date.parse(s)),
    },
});
const validate = ajv.compile({ $id: id as string, ...rest });

/** The schema's complaints about `log` (empty when it is valid SARIF 2.1.0). */
export function sarifSchemaErrors(log: unknown): string[] {
    if (validate(log)) return [];
    return (validate.errors ?? []).map(
        (e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
    );
}
