/**
 * Writes schema/stack.schema.json, the JSON Schema of `Pulumi.<stack>.yaml` generated from lib/config.ts
 * (lib/config/jsonSchema.ts). test/unit/config-schema.test.ts fails when the committed file is stale.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseCli } from "./cli.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** Where the committed schema lives. */
export const SCHEMA_FILE = path.join(ROOT, "schema", "stack.schema.json");

/** The file's exact text. */
export async function schemaText(): Promise<string> {
    const { stackFileJsonSchema } = await import("../lib/config/jsonSchema.js");
    return `${JSON.stringify(stackFileJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const { values } = parseCli({
        usage: `usage: node --import tsx scripts/config-schema.ts [--check]

Writes schema/stack.schema.json from the zod schemas of lib/config.ts.

  --check     write nothing; exit 1 when the committed file differs
  -h, --help  this text`,
        options: { check: { type: "boolean" } },
    });
    const text = await schemaText();
    const current = fs.existsSync(SCHEMA_FILE) ? fs.readFileSync(SCHEMA_FILE, "utf8") : "";
    if (values.check) {
        if (current !== text) {
            process.stderr.write(
                `${path.relative(ROOT, SCHEMA_FILE)} is stale: run node --import tsx scripts/config-schema.ts\n`,
            );
            process.exit(1);
        }
    } else {
        fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
        fs.writeFileSync(SCHEMA_FILE, text);
        process.stdout.write(`wrote ${path.relative(ROOT, SCHEMA_FILE)}\n`);
    }
}
