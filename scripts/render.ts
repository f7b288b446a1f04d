/**
 * `npm run render [-- --stack <s>]...`: the manifests every stack would apply, per cluster, written to
 * `rendered/<stack>/<cluster>/` (one file per object), deterministic, for review and for the PR diff.
 *
 * How: each stack runs `pulumi up` in render mode in a scratch copy of the checkout (scripts/lib/scratch.ts:
 * throwaway backend, `PIPELINE_SERVICE_RENDER_DIR`, so every kubernetes Provider renders instead of applying; no
 * cluster access, no credentials). The provider writes `<dir>/<clusterIdentifier>/{0-crd,1-manifest}/*.yaml`
 * (pulumi-kubernetes@v4.25.0 `provider/pkg/provider/provider.go` renderYaml); this script then normalises every
 * object: keys sorted, Secret `data`/`stringData` values and every value Pulumi marks secret (read from the
 * throwaway state, `pulumi stack export`) replaced by `<redacted>`, server-set and time fields dropped, and one file
 * per object named `<group>_<Kind>_<namespace>_<name>.yaml` (`core` for the core group, `_` when cluster-scoped).
 *
 * A stack whose configuration fails validation renders nothing (its `rendered/<stack>` is left as it was) and its
 * error, naming the key, is printed; the exit status is then 1. `rendered/<stack>` is replaced only when the stack
 * rendered completely.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import YAML from "yaml";
import { ROOT, renderModeEnv, scratchCopy, sh } from "./lib/scratch.js";

export const REDACTED = "<redacted>";
/** Pulumi's secret marker in serialized state (pulumi sdk/go/common/resource/properties.go `SecretSig`). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

const USAGE = `usage: npm run render [-- [--stack NAME]... [--out DIR] [--root DIR] [--keep]]

Renders the manifests of every stack (or each --stack) per cluster to <out>/<stack>/<cluster>/, one file per
object, deterministic, with no secret values. Render mode: no cluster access and no credentials are needed.
A stack that fails config validation renders nothing and is reported with the key; the exit status is then 1.

  --stack NAME  a stack to render (repeatable; default: every Pulumi.<stack>.yaml of the checkout)
  --out DIR     where the renders go (default: rendered/ of this checkout)
  --root DIR    the checkout to render (default: this one), e.g. the base branch of a PR
  --keep        keep the scratch copies
  -h, --help    this text`;

/** `group/Kind/namespace/name` of a manifest. */
export function objectKey(o: Record<string, any>): string {
    const apiVersion = String(o.apiVersion ?? "");
    const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
    return `${group}/${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;
}

/** The file a manifest is written to: `<group>_<Kind>_<namespace>_<name>.yaml`. */
export function fileName(o: Record<string, any>): string {
    const [group, kind, ns, name] = objectKey(o).split("/");
    const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "-");
    return `${safe(group || "core")}_${safe(kind!)}_${safe(ns || "_")}_${safe(name!)}.yaml`;
}

function isSecretValue(v: unknown): boolean {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** Paths (lists of keys) of every value marked secret in serialized state. */
export function secretPaths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
    if (isSecretValue(v)) return [at];
    if (Array.isArray(v)) return v.flatMap((x, i) => secretPaths(x, [...at, i]));
    if (v !== null && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => secretPaths(x, [...at, k]));
    return [];
}

/** Fields the server or the clock sets; a render never depends on them. */
const VOLATILE_METADATA = ["creationTimestamp", "resourceVersion", "uid", "generation", "managedFields", "selfLink"];

/** A manifest as committed: no secret values, no volatile fields. `secret` lists the paths Pulumi marked secret. */
export function normalize(o: Record<string, any>, secret: (string | number)[][] = []): Record<string, any> {
    const out = structuredClone(o);
    for (const f of VOLATILE_METADATA) if (out.metadata) delete out.metadata[f];
    delete out.status;
    if (out.kind === "Secret" && (out.apiVersion === "v1" || out.apiVersion === undefined)) {
        for (const field of ["data", "stringData"]) {
            if (out[field] && typeof out[field] === "object")
                for (const k of Object.keys(out[field])) out[field][k] = REDACTED;
        }
    }
    for (const p of secret) {
        if (!p.length)
            return {
                apiVersion: out.apiVersion,
                kind: out.kind,
                metadata: { name: out.metadata?.name, namespace: out.metadata?.namespace },
                redacted: REDACTED,
            };
        let cur: any = out;
        for (const k of p.slice(0, -1)) cur = cur?.[k];
        const last = p[p.length - 1]!;
        if (cur && typeof cur === "object" && last in cur) cur[last] = REDACTED;
    }
    return out;
}

/** Deterministic YAML: keys sorted at every level, no line folding. */
export function dump(o: unknown): string {
    return YAML.stringify(o, { sortMapEntries: true, lineWidth: 0 });
}

export interface StackRender {
    stack: string;
    ok: boolean;
    /** cluster → file → content. */
    clusters: Map<string, Map<string, string>>;
    /** Why the stack rendered nothing (the config error lines naming the key, or the CLI's tail). */
    error?: string;
}

/** The lines of a ConfigError (`pipeline-service:<key>: ...`) in CLI output, else its tail. */
function errorOf(output: string): string {
    const clean = output.replace(/\x1b\[[0-9;]*m/g, "");
    const lines = clean
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => /^-?\s*pipeline-service:[A-Za-z]/.test(l) || /invalid stack configuration/.test(l));
    return lines.length ? [...new Set(lines)].join("\n") : clean.trim().split("\n").slice(-15).join("\n");
}

/** Render one stack of `root` (no files written outside the scratch copy). */
export async function renderStack(stack: string, opts: { root?: string; keep?: boolean } = {}): Promise<StackRender> {
    const root = opts.root ?? ROOT;
    const scratch = scratchCopy(root, `render-${stack}`);
    const env = renderModeEnv(scratch);
    const run = (...args: string[]) =>
        sh("pulumi", [...args, "--stack", stack, "--non-interactive"], { cwd: scratch, env });
    try {
        const init = await sh(
            "pulumi",
            ["stack", "init", stack, "--secrets-provider", "passphrase", "--non-interactive"],
            { cwd: scratch, env },
        );
        if (init.code !== 0)
            return { stack, ok: false, clusters: new Map(), error: errorOf(init.stderr + init.stdout) };
        const up = await run("up", "--yes", "--skip-preview");
        if (up.code !== 0)
            return { stack, ok: false, clusters: new Map(), error: errorOf(up.stdout + "\n" + up.stderr) };
        const exported = await run("stack", "export");
        if (exported.code !== 0) return { stack, ok: false, clusters: new Map(), error: errorOf(exported.stderr) };
        // Secret paths per object, from the state's inputs (what was rendered).
        const secrets = new Map<string, (string | number)[][]>();
        const state = JSON.parse(exported.stdout) as {
            deployment?: { resources?: { type: string; custom?: boolean; inputs?: any; outputs?: any }[] };
        };
        for (const r of state.deployment?.resources ?? []) {
            if (!r.type.startsWith("kubernetes:") || !r.inputs) continue;
            const paths = secretPaths(r.inputs);
            if (!paths.length) continue;
            const name = r.inputs.metadata?.name ?? r.outputs?.metadata?.name;
            const ns = r.inputs.metadata?.namespace ?? r.outputs?.metadata?.namespace;
            secrets.set(objectKey({ ...r.inputs, metadata: { name, namespace: ns } }), paths);
        }
        const base = path.join(scratch, ".rendered");
        const clusters = new Map<string, Map<string, string>>();
        for (const cluster of fs.existsSync(base) ? fs.readdirSync(base).sort() : []) {
            const files = new Map<string, string>();
            for (const sub of ["0-crd", "1-manifest"]) {
                const dir = path.join(base, cluster, sub);
                if (!fs.existsSync(dir)) continue;
                for (const f of fs.readdirSync(dir).sort()) {
                    for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), "utf8"))) {
                        const o = doc.toJS() as Record<string, any> | null;
                        if (!o) continue;
                        const name = fileName(o);
                        if (files.has(name))
                            throw new Error(`stack ${stack}, cluster ${cluster}: two objects render to ${name}`);
                        files.set(name, dump(normalize(o, secrets.get(objectKey(o)) ?? [])));
                    }
                }
            }
            clusters.set(cluster, new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
        }
        return { stack, ok: true, clusters };
    } finally {
        if (!opts.keep) fs.rmSync(scratch, { recursive: true, force: true });
    }
}

/** Replace `<out>/<stack>` with the render (written beside it first, then swapped in). */
export function writeRender(r: StackRender, out: string): void {
    const tmp = fs.mkdtempSync(path.join(out, `.${r.stack}-`));
    for (const [cluster, files] of r.clusters) {
        fs.mkdirSync(path.join(tmp, cluster), { recursive: true });
        for (const [f, content] of files) fs.writeFileSync(path.join(tmp, cluster, f), content);
    }
    const dest = path.join(out, r.stack);
    fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(tmp, dest);
}

/** The stacks of a checkout: every `Pulumi.<stack>.yaml`. */
export function stacksOf(root: string): string[] {
    return fs
        .readdirSync(root)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => !!s)
        .sort();
}

async function main(): Promise<number> {
    const argv = process.argv.slice(2);
    if (argv.includes("-h") || argv.includes("--help")) {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    let values: { stack?: string[]; out?: string; root?: string; keep?: boolean };
    try {
        ({ values } = parseArgs({
            args: argv,
            strict: true,
            allowPositionals: false,
            options: {
                stack: { type: "string", multiple: true },
                out: { type: "string" },
                root: { type: "string" },
                keep: { type: "boolean" },
            },
        }));
    } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n\n${USAGE}\n`);
        return 2;
    }
    const root = values.root ? path.resolve(values.root) : ROOT;
    const out = values.out ? path.resolve(values.out) : path.join(ROOT, "rendered");
    const stacks = values.stack?.length ? values.stack : stacksOf(root);
    for (const s of stacks) {
        if (!fs.existsSync(path.join(root, `Pulumi.${s}.yaml`))) {
            process.stderr.write(`error: no stack file Pulumi.${s}.yaml in ${root}\n\n${USAGE}\n`);
            return 2;
        }
    }
    fs.mkdirSync(out, { recursive: true });
    let failed = 0;
    for (const s of stacks) {
        const t0 = Date.now();
        const r = await renderStack(s, { root, keep: values.keep });
        if (!r.ok) {
            failed++;
            process.stderr.write(`render: stack ${s}: rendered nothing:\n${r.error}\n`);
            continue;
        }
        writeRender(r, out);
        const n = [...r.clusters.values()].reduce((k, f) => k + f.size, 0);
        process.stderr.write(
            `render: stack ${s}: ${n} objects on ${r.clusters.size} clusters (${[...r.clusters.keys()].join(", ")}) ` +
                `in ${((Date.now() - t0) / 1000).toFixed(0)}s -> ${path.relative(process.cwd(), path.join(out, s)) || "."}\n`,
        );
    }
    return failed ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    process.exitCode = await main();
}
