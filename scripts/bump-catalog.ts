/**
 * npm run bump-catalog -- --stack <stack> --ring <n> <image@sha256:...> [--csv <csv>]: point one rollout ring at a
 * new OSP index (issue 11 §3). It sets `pipeline-service:rings.<n>.overrides.osp.catalog.image` (and, with --csv,
 * `osp.expectedCsv` there) in `Pulumi.<stack>.yaml`, keeping the file's comments and layout (the `yaml` package's
 * Document API), validates the edited file with the program's own validation before writing it (an invalid result
 * changes nothing and names the key), and prints the preview command and the command that applies that ring only.
 *
 * Exit codes: 0 written (or already so), 1 refused (invalid image, unknown ring, invalid result), 2 bad usage.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import YAML, { isMap, isScalar, type YAMLMap } from "yaml";
import { parseCli } from "./cli.js";
import { ConfigError, DIGEST_PINNED, PROJECT } from "../lib/config.js";
import { resolveStackConfig, entriesOfStackFile } from "../lib/config/entries.js";
import { CSV_NAME } from "../lib/fleet.js";
import { ringTargets, shellQuote } from "./ring-targets.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RINGS_KEY = `${PROJECT}:rings`;

/** The edited stack-file text: `rings.<ring>.overrides.osp.catalog.image` (and `expectedCsv`) set, comments kept. */
export function bumpCatalogText(text: string, ring: number, image: string, csv?: string): string {
    const doc = YAML.parseDocument(text);
    if (doc.errors.length) throw new Error(`the stack file does not parse: ${doc.errors[0]!.message}`);
    if (!isMap(doc.get("config"))) throw new Error("the stack file has no config mapping");
    const config = doc.get("config") as YAMLMap;
    if (!config.has(RINGS_KEY)) config.set(RINGS_KEY, doc.createNode({}));
    const rings = config.get(RINGS_KEY);
    if (!isMap(rings)) throw new Error(`${RINGS_KEY} is not a mapping of ring number to overrides`);
    // The ring's key as written (`1:` or `"1":`), else a new numeric key.
    const existing = rings.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(ring));
    const ringKey = existing ? existing.key : doc.createNode(ring);
    if (!existing) rings.add(doc.createPair(ringKey, {}));
    const osp = ["overrides", "osp"];
    const node = (rings as YAMLMap).get(ringKey, true) as unknown;
    if (!isMap(node)) throw new Error(`${RINGS_KEY}.${ring} is not a mapping`);
    node.setIn([...osp, "catalog", "image"], image);
    if (csv) node.setIn([...osp, "expectedCsv"], csv);
    // `[a, b]` stays as written (the library's default pads flow collections: `[ a, b ]`).
    return doc.toString({ flowCollectionPadding: false });
}

/** Validate the edited file as the program would (lib/config/entries.ts); returns the resolved config. */
function validateText(stack: string, text: string) {
    const parsed = YAML.parse(text) as { config?: Record<string, unknown> } | null;
    return resolveStackConfig(stack, entriesOfStackFile(parsed?.config));
}

const USAGE = `usage: npm run bump-catalog -- --stack <stack> --ring <n> <index-image@sha256:<digest>> [--csv <csv>]

Sets pipeline-service:rings.<n>.overrides.osp.catalog.image in Pulumi.<stack>.yaml (comments kept), validates the
result, and prints the preview command and the command that applies ring <n> only. Later rings keep their catalog;
promote them the same way once ring <n> is healthy (roll forward only: a CSV older than the deployed one is refused).

  -s, --stack <name>  the stack (Pulumi.<name>.yaml)
  -r, --ring <n>      the ring number (clusters[].ring)
      --csv <csv>     the CSV the index installs (osp.expectedCsv), e.g. openshift-pipelines-operator-rh.v5.0.5-900;
                      needed in staging and prod for an index lib/operatorVersions.ts does not know
  -C, --cwd <dir>     the project directory (default: the repository root)
  -h, --help          this text`;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const { values, positionals } = parseCli({
        usage: USAGE,
        allowPositionals: true,
        options: {
            stack: { type: "string", short: "s" },
            ring: { type: "string", short: "r" },
            csv: { type: "string" },
            cwd: { type: "string", short: "C" },
        },
    });
    const usage = (msg: string) => {
        process.stderr.write(`error: ${msg}\n\n${USAGE}\n`);
        process.exit(2);
    };
    if (!values.stack) usage("--stack is required");
    if (values.ring === undefined || !/^(0|[1-9][0-9]*)$/.test(values.ring))
        usage("--ring <n> (a whole number from 0) is required");
    if (positionals.length !== 1) usage("give exactly one index image, pinned by digest");
    const [stack, ring, image] = [values.stack!, Number(values.ring), positionals[0]!];
    const refuse = (msg: string): never => {
        process.stderr.write(`error: ${msg}\nNothing was changed.\n`);
        process.exit(1);
    };
    if (!DIGEST_PINNED.test(image))
        refuse(
            `'${image}' is not pinned by digest: give <registry>/<repo>@sha256:<64 hex digits> (a tag can move under you)`,
        );
    if (values.csv !== undefined && !CSV_NAME.test(values.csv))
        refuse(`--csv '${values.csv}' is not a CSV name such as openshift-pipelines-operator-rh.v5.0.5-854`);
    const dir = values.cwd ?? ROOT;
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) refuse(`${file} does not exist`);
    const before = fs.readFileSync(file, "utf8");
    let after: string;
    let cfg: ReturnType<typeof validateText>;
    try {
        cfg = validateText(stack, before);
        ringTargets(stack, cfg.clusters, ring); // throws when no cluster is in the ring
        after = bumpCatalogText(before, ring, image, values.csv);
        cfg = validateText(stack, after);
    } catch (e) {
        const csvHint =
            e instanceof ConfigError && e.message.includes("osp.expectedCsv") && !values.csv
                ? '\nGive the CSV this index installs with --csv <csv> (README "Which operator version a catalog ships").'
                : "";
        refuse(
            e instanceof ConfigError
                ? `the edited Pulumi.${stack}.yaml would be invalid:\n${e.message}${csvHint}`
                : (e as Error).message,
        );
    }
    if (after! !== before) fs.writeFileSync(file, after!);
    const members = cfg!.clusters.filter((c) => c.ring === ring).map((c) => c.name);
    const policy = path.join("policy", "config", `${stack}.json`);
    const pack = fs.existsSync(path.join(dir, policy)) ? ` --policy-pack policy --policy-pack-config ${policy}` : "";
    const up =
        stack === "local"
            ? `npm run up -- --ring ${ring}`
            : `.tools/bin/pulumi up --stack ${stack} ${ringTargets(stack, cfg!.clusters, ring)
                  .flatMap((t) => ["--target", shellQuote(t)])
                  .join(" ")}`;
    process.stdout.write(
        `${after! === before ? "unchanged" : "updated"} ${path.relative(process.cwd(), file) || file}: ` +
            `rings.${ring}.overrides.osp.catalog.image = ${image}${values.csv ? `, osp.expectedCsv = ${values.csv}` : ""} ` +
            `(ring ${ring}: ${members.join(", ")})\n\n` +
            `preview (only ring ${ring}'s CatalogSource, Subscription and TektonConfig should change):\n` +
            `  .tools/bin/pulumi preview --stack ${stack} --diff${pack}\n` +
            `apply ring ${ring} only (each cluster waits for the new CSV before the update completes):\n  ${up}\n`,
    );
}
