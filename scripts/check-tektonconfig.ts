/**
 * The TektonConfig checker: the tektoncd/operator admission webhooks of one operator version, run without a cluster.
 *
 *   node --import tsx scripts/check-tektonconfig.ts --operator-version 0.81.0 FILE|DIR ...
 *
 * Each operator version has its own binary, `.tools/bin/tekton-operator-check-v<version>`, built by
 * `npm run tools -- --only tekton-operator-check` from the Go module github.com/tektoncd/operator at that version
 * (the versions in tools/versions.json `tektonOperatorCheck.versions`; our main.go is
 * tools/go/tekton-operator-check/main.go). The binary decodes each TektonConfig strictly (unknown fields rejected),
 * runs `SetDefaults` and `Validate` through the operator's own `pkg/webhook` admission controllers on a CREATE,
 * and prints the operator's message verbatim when they deny it.
 *
 * The CLI takes rendered manifests (files, or directories searched for *.yaml, *.yml and *.json, e.g. a
 * PIPELINE_SERVICE_RENDER_DIR tree); documents that are not TektonConfigs are ignored. Exit status: 0 when every
 * TektonConfig is admitted, 1 when one is denied, 2 on a usage error, a missing checker or no TektonConfig found.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TOOLS_BIN = process.env.PIPELINE_SERVICE_TOOLS_BIN ?? path.join(ROOT, ".tools", "bin");
const VERSIONS = process.env.PIPELINE_SERVICE_VERSIONS ?? path.join(ROOT, "tools", "versions.json");

export interface CheckResult {
    /** Both webhooks admitted the object. */
    ok: boolean;
    /** The checker's line for the object: `... OK (...)`, or `... DENIED: admission webhook "..." denied the request: <the operator's message>`. */
    message: string;
}

/** `0.81.0` or `v0.81.0` → the Go module version `v0.81.0`. */
export function moduleVersion(operatorVersion: string): string {
    const v = operatorVersion.startsWith("v") ? operatorVersion : `v${operatorVersion}`;
    if (!/^v\d+\.\d+\.\d+$/.test(v))
        throw new Error(`'${operatorVersion}' is not an operator version (MAJOR.MINOR.PATCH, e.g. 0.81.0)`);
    return v;
}

/** The operator module versions a checker is built for (tools/versions.json `tektonOperatorCheck.versions`). */
export function checkerVersions(): string[] {
    const doc = JSON.parse(fs.readFileSync(VERSIONS, "utf8")) as { tektonOperatorCheck?: { versions?: string[] } };
    return doc.tektonOperatorCheck?.versions ?? [];
}

/** The checker binary of an operator version; throws naming the version when none is pinned or built. */
export function checkerBinary(operatorVersion: string): string {
    const v = moduleVersion(operatorVersion);
    const pinned = checkerVersions();
    if (!pinned.includes(v)) {
        throw new Error(
            `no TektonConfig checker for tektoncd/operator ${v}: tools/versions.json tektonOperatorCheck.versions ` +
                `has ${pinned.join(", ") || "none"}; add ${v} there and run npm run tools -- --only tekton-operator-check`,
        );
    }
    const bin = path.join(TOOLS_BIN, `tekton-operator-check-${v}`);
    if (!fs.existsSync(bin)) {
        throw new Error(
            `the TektonConfig checker for tektoncd/operator ${v} is not built (${bin} is missing); ` +
                `run npm run tools -- --only tekton-operator-check`,
        );
    }
    return bin;
}

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

function run(bin: string, args: string[], input?: string): Run {
    const r = spawnSync(bin, args, { input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (r.error) throw new Error(`${bin}: ${r.error.message}`);
    return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Admit one TektonConfig (a plain object, as rendered) through the webhooks of `operatorVersion` (`0.81.0` or
 * `v0.81.0`). Throws when there is no checker for that version or the document is not a TektonConfig.
 */
export function checkTektonConfig(doc: object, operatorVersion: string): CheckResult {
    const r = run(checkerBinary(operatorVersion), ["-"], JSON.stringify(doc));
    if (r.code !== 0 && r.code !== 1)
        throw new Error(`tekton-operator-check ${moduleVersion(operatorVersion)} exited ${r.code}: ${r.stderr.trim()}`);
    return { ok: r.code === 0, message: r.stdout.trim() };
}

/** Every *.yaml, *.yml and *.json file under the given files and directories, sorted. */
export function manifestFiles(paths: string[]): string[] {
    const out: string[] = [];
    const walk = (p: string): void => {
        if (fs.statSync(p).isDirectory()) {
            for (const e of fs.readdirSync(p).sort()) walk(path.join(p, e));
        } else if (/\.(ya?ml|json)$/.test(p)) {
            out.push(p);
        }
    };
    for (const p of paths) walk(p);
    return out;
}

const USAGE = `usage: node --import tsx scripts/check-tektonconfig.ts --operator-version VERSION FILE|DIR ...

Admit every TektonConfig in the rendered manifests (YAML or JSON files, or directories searched for them) through
the tektoncd/operator admission webhooks of VERSION (e.g. 0.81.0), as its webhook does: strict decoding,
SetDefaults, Validate. One line per TektonConfig; a denial carries the operator's own message.

  -o, --operator-version VERSION   the targeted tektoncd/operator version (checkers: tools/versions.json
                                   tektonOperatorCheck.versions)
      --list                       print the versions a checker is pinned for and exit
  -h, --help                       this help

Exit status: 0 all admitted, 1 one denied, 2 usage error, missing checker or no TektonConfig.`;

function main(argv: string[]): number {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            allowPositionals: true,
            options: {
                "operator-version": { type: "string", short: "o" },
                list: { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
        });
    } catch (e) {
        console.error(`error: ${(e as Error).message}\n\n${USAGE}`);
        return 2;
    }
    const { values, positionals } = parsed;
    if (values.help) {
        console.log(USAGE);
        return 0;
    }
    if (values.list) {
        console.log(checkerVersions().join("\n"));
        return 0;
    }
    if (!values["operator-version"] || positionals.length === 0) {
        console.error(
            `error: ${!values["operator-version"] ? "--operator-version is required" : "no manifest file given"}\n\n${USAGE}`,
        );
        return 2;
    }
    try {
        const files = manifestFiles(positionals);
        if (files.length === 0) throw new Error(`no *.yaml, *.yml or *.json file in ${positionals.join(", ")}`);
        const r = run(checkerBinary(values["operator-version"]), files);
        process.stdout.write(r.stdout);
        process.stderr.write(r.stderr);
        return r.code;
    } catch (e) {
        console.error(`error: ${(e as Error).message}`);
        return 2;
    }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    process.exitCode = main(process.argv.slice(2));
}
