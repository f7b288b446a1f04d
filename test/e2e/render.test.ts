/**
 * `npm run render` with the real CLI in render mode (no cluster, no credentials): the committed `rendered/` equals a
 * fresh render byte for byte (this is the check that fails when `rendered/` is stale: regenerate it with
 * `npm run render` and commit it), rendering twice is byte-identical, changing one value changes exactly the
 * expected files, no secret value or timestamp is written, and a stack that fails validation renders nothing and
 * names the key. Plus the command line: -h/--help and unknown flags.
 */
import test from "ava";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { scratchCopy } from "../../scripts/lib/scratch.js";
import {
    REDACTED,
    fileName,
    normalize,
    renderStack,
    secretPaths,
    stacksOf,
    type StackRender,
} from "../../scripts/render.js";
import { readRenderTree } from "../../scripts/pr-summary.js";
import { ROOT } from "./harness.js";

const env = { ...process.env, PATH: `${path.join(ROOT, ".tools", "bin")}:${process.env.PATH ?? ""}` };
process.env.PATH = env.PATH;

function cli(args: string[], cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(
            "node",
            ["--import", "tsx", path.join(ROOT, "scripts", "render.ts"), ...args],
            { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60_000 },
            (err, stdout, stderr) =>
                resolve({
                    code: err ? ((err as { code?: number }).code ?? 1) : 0,
                    stdout: String(stdout),
                    stderr: String(stderr),
                }),
        );
    });
}

/** Every file under `dir`, relative path → content. */
function files(dir: string): Map<string, string> {
    const out = new Map<string, string>();
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
            if (e.isDirectory()) walk(path.join(d, e.name));
            else out.set(path.relative(dir, path.join(d, e.name)), fs.readFileSync(path.join(d, e.name), "utf8"));
        }
    };
    if (fs.existsSync(dir)) walk(dir);
    return out;
}

const flat = (r: StackRender) =>
    new Map([...r.clusters].flatMap(([c, fs_]) => [...fs_].map(([f, content]) => [`${c}/${f}`, content] as const)));

const fresh = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-service-render-test-"));
let freshRun: Promise<{ code: number; stderr: string }> | undefined;
/** One fresh render of every stack through the CLI, shared by the tests below. */
function renderAll() {
    freshRun ??= cli(["--out", fresh]);
    return freshRun;
}
test.after.always(() => fs.rmSync(fresh, { recursive: true, force: true }));

test.serial(
    "the committed rendered/ equals a fresh `npm run render` byte for byte (regenerate: npm run render)",
    async (t) => {
        t.timeout(40 * 60_000);
        const r = await renderAll();
        t.is(r.code, 0, r.stderr);
        const committed = files(path.join(ROOT, "rendered"));
        const now = files(fresh);
        t.true(now.size > 100, `${now.size} files rendered`);
        t.deepEqual(
            [...now.keys()].filter((f) => !committed.has(f)),
            [],
            "rendered now but not committed (run npm run render)",
        );
        t.deepEqual(
            [...committed.keys()].filter((f) => !now.has(f)),
            [],
            "committed but no longer rendered (run npm run render)",
        );
        const stale = [...now].filter(([f, c]) => committed.get(f) !== c).map(([f]) => f);
        t.deepEqual(stale, [], "stale files in rendered/: run `npm run render` and commit rendered/");
        // Layout: rendered/<stack>/<cluster>/<object>.yaml for every stack and cluster (the kcp workspace included).
        t.deepEqual(
            fs
                .readdirSync(fresh)
                .filter((d) => !d.startsWith("."))
                .sort(),
            stacksOf(ROOT),
        );
        t.true(
            fs.existsSync(path.join(fresh, "prod", "stone-prd-rh01", "operator.tekton.dev_TektonConfig___config.yaml")),
        );
    },
);

test.serial(
    "rendered manifests hold no secret values and no timestamps; one object per file, keys sorted",
    async (t) => {
        t.timeout(40 * 60_000);
        await renderAll();
        t.true(fs.readdirSync(fresh).length > 0, "something rendered");
        let secrets = 0;
        for (const [f, content] of files(fresh)) {
            t.notRegex(content, /\b20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]/, `${f}: a timestamp`);
            const docs = YAML.parseAllDocuments(content);
            t.is(docs.length, 1, `${f}: one object`);
            const o = docs[0]!.toJS() as Record<string, any>;
            t.deepEqual(Object.keys(o), [...Object.keys(o)].sort(), `${f}: keys sorted`);
            if (o.kind === "Secret") {
                secrets++;
                for (const field of ["data", "stringData"]) {
                    // A field that is one Pulumi secret as a whole (the syncer's kubeconfig Secret) is redacted whole.
                    if (typeof o[field] === "string") t.is(o[field], REDACTED, `${f}: ${field} redacted`);
                    else for (const v of Object.values(o[field] ?? {})) t.is(v, REDACTED, `${f}: ${field} redacted`);
                }
            }
        }
        t.log(`${secrets} Secret objects, every value redacted`);
    },
);

test.serial("rendering twice is byte-identical", async (t) => {
    t.timeout(40 * 60_000);
    await renderAll();
    t.true(fs.existsSync(path.join(fresh, "prod")), "prod rendered");
    const again = await renderStack("prod");
    t.true(again.ok, again.error);
    const before = new Map([...files(path.join(fresh, "prod"))]);
    t.deepEqual(flat(again), before);
});

test.serial("changing one value changes exactly the expected files", async (t) => {
    t.timeout(40 * 60_000);
    await renderAll();
    t.true(fs.existsSync(path.join(fresh, "prod")), "prod rendered");
    const dir = scratchCopy(ROOT, "render-edit");
    try {
        // prod's controller buckets 4 → 5: the TektonConfig of every prod cluster, and nothing else.
        const file = path.join(dir, "Pulumi.prod.yaml");
        const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
        t.is(doc.getIn(["config", "pipeline-service:tekton", "performance", "buckets"]), 4);
        doc.setIn(["config", "pipeline-service:tekton", "performance", "buckets"], 5);
        fs.writeFileSync(file, doc.toString());
        const edited = await renderStack("prod", { root: dir });
        t.true(edited.ok, edited.error);
        const before = files(path.join(fresh, "prod"));
        const after = flat(edited);
        t.deepEqual([...after.keys()].sort(), [...before.keys()].sort(), "no object added or removed");
        const changed = [...after]
            .filter(([f, c]) => before.get(f) !== c)
            .map(([f]) => f)
            .sort();
        t.deepEqual(
            changed,
            ["stone-prd-m01", "stone-prd-rh01", "stone-prod-p01"].map(
                (c) => `${c}/operator.tekton.dev_TektonConfig___config.yaml`,
            ),
        );
        for (const f of changed) {
            t.is(YAML.parse(before.get(f)!).spec.pipeline.performance.buckets, 4);
            t.is(YAML.parse(after.get(f)!).spec.pipeline.performance.buckets, 5);
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test.serial("a stack that fails config validation renders nothing and names the key", async (t) => {
    t.timeout(20 * 60_000);
    const dir = scratchCopy(ROOT, "render-bad");
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-service-render-bad-"));
    try {
        const file = path.join(dir, "Pulumi.prod.yaml");
        const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
        doc.setIn(["config", "pipeline-service:gitops", "revision"], "main");
        fs.writeFileSync(file, doc.toString());
        const r = await cli(["--root", dir, "--out", out, "--stack", "prod"]);
        t.is(r.code, 1);
        t.regex(r.stderr, /render: stack prod: rendered nothing/);
        t.regex(r.stderr, /pipeline-service:gitops\.revision: must be a 40-hex commit in prod/);
        t.deepEqual(fs.readdirSync(out), [], "nothing written");
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
        fs.rmSync(out, { recursive: true, force: true });
    }
});

test("-h/--help prints the usage and exits 0 without writing anything; an unknown flag exits 2 with the usage", async (t) => {
    const out = path.join(os.tmpdir(), `pipeline-service-render-help-${process.pid}`);
    for (const flag of ["-h", "--help"]) {
        const r = await cli([flag, "--out", out]);
        t.is(r.code, 0);
        t.regex(r.stdout, /^usage: npm run render/);
        t.false(fs.existsSync(out), "no side effect");
    }
    const bad = await cli(["--stacks", "prod", "--out", out]);
    t.is(bad.code, 2);
    t.regex(bad.stderr, /Unknown option '--stacks'[\s\S]*usage: npm run render/);
    t.false(fs.existsSync(out));
    const missing = await cli(["--stack", "nope", "--out", out]);
    t.is(missing.code, 2);
    t.regex(missing.stderr, /no stack file Pulumi\.nope\.yaml/);
});

test("readRenderTree reads what npm run render writes (stack → cluster → file)", (t) => {
    const tree = readRenderTree(path.join(ROOT, "rendered"));
    t.deepEqual([...tree.keys()], stacksOf(ROOT));
    t.true(tree.get("prod")!.get("stone-prd-rh01")!.has("operator.tekton.dev_TektonConfig___config.yaml"));
});

test("normalize: Secret data and every value Pulumi marks secret are redacted; server-set fields dropped", (t) => {
    const sig = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" };
    const state = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "kc", namespace: "ns" },
        data: { kubeconfig: sig, plain: "x" },
    };
    t.deepEqual(secretPaths(state), [["data", "kubeconfig"]]);
    const cm = normalize(
        {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "kc", namespace: "ns", uid: "u", creationTimestamp: "2026-01-01T00:00:00Z" },
            data: { kubeconfig: "token: s3cr3t", plain: "x" },
        },
        secretPaths(state),
    );
    t.deepEqual(cm, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "kc", namespace: "ns" },
        data: { kubeconfig: REDACTED, plain: "x" },
    });
    const secret = normalize({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "s" },
        data: { a: "c2VjcmV0" },
        stringData: { b: "secret" },
        type: "Opaque",
    });
    t.deepEqual(secret, {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "s" },
        data: { a: REDACTED },
        stringData: { b: REDACTED },
        type: "Opaque",
    });
    // A whole object marked secret keeps only its identity.
    t.deepEqual(
        normalize({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "n" }, data: { a: "b" } }, [
            [],
        ]),
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "n" }, redacted: REDACTED },
    );
    t.is(
        fileName({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "a:b" } }),
        "rbac.authorization.k8s.io_ClusterRole___a-b.yaml",
    );
});
