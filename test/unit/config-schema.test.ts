/**
 * schema/stack.schema.json: generated from the zod schemas (scripts/config-schema.ts), committed, in step; the
 * committed stack files pass it and a typo fails it. Checked with Ajv (JSON Schema draft 2020-12).
 */
import test from "ava";
import * as fs from "node:fs";
import * as path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import YAML from "yaml";
import { ROOT } from "../helpers/paths.js";
import { SCHEMA_FILE, schemaText } from "../../scripts/config-schema.js";

const committed = fs.readFileSync(SCHEMA_FILE, "utf8");
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(committed));
const stackFiles = fs
    .readdirSync(ROOT)
    .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
    .sort();

test("the committed schema equals the generated one (run: node --import tsx scripts/config-schema.ts)", async (t) => {
    t.is(committed, await schemaText());
});

for (const f of stackFiles) {
    test(`${f} passes the schema and points editors at it`, (t) => {
        const text = fs.readFileSync(path.join(ROOT, f), "utf8");
        t.true(validate(YAML.parse(text)), JSON.stringify(validate.errors, null, 2));
        t.regex(text.split("\n")[0]!, /^# yaml-language-server: \$schema=\.\/schema\/stack\.schema\.json$/);
    });
}

test("a stack file with a typo in a key fails the schema, naming the key", (t) => {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as {
        config: Record<string, unknown>;
    };
    doc.config["pipeline-service:githubAppNmae"] = "Red Hat Konflux";
    t.false(validate(doc));
    t.true(JSON.stringify(validate.errors).includes("githubAppNmae"), JSON.stringify(validate.errors));
});

test("a nested typo and a wrong type fail it too", (t) => {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as {
        config: Record<string, unknown>;
    };
    const clusters = doc.config["pipeline-service:clusters"] as Record<string, unknown>[];
    clusters[0]!.rnig = 1;
    t.false(validate(doc));
    const doc2 = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as {
        config: Record<string, unknown>;
    };
    (doc2.config["pipeline-service:clusters"] as Record<string, unknown>[])[0]!.ring = "one";
    t.false(validate(doc2));
});
