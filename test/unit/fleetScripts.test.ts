/**
 * npm run bump-catalog (scripts/bump-catalog.ts) and npm run backup (scripts/backup.ts), on copies of the stack files
 * in a temporary directory: the stack file keeps its comments, a refused bump changes nothing, the backup is a 0600
 * archive with the encrypted state, the stack file and checksums, and a plaintext export is refused.
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { ROOT } from "../helpers/paths.js";
import { bumpCatalogText } from "../../scripts/bump-catalog.js";
import { backupName, plaintextSecrets } from "../../scripts/backup.js";

const INDEX_871 =
    "quay.io/openshift-pipeline/pipelines-index-4.19@sha256:8c6152d2924f608960a4cec0faca33a1807bce19085e86d1daeeaa698fce146d";
const UNKNOWN = `quay.io/openshift-pipeline/pipelines-index-4.19@sha256:${"c".repeat(64)}`;
const prodText = fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
const comments = (t: string) => t.split("\n").filter((l) => l.trim().startsWith("#"));

function tmpProject(t: { teardown(f: () => void): void }): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-scripts-"));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    for (const f of ["Pulumi.prod.yaml", "Pulumi.local.yaml"]) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    fs.mkdirSync(path.join(dir, "policy", "config"), { recursive: true });
    fs.copyFileSync(path.join(ROOT, "policy", "config", "prod.json"), path.join(dir, "policy", "config", "prod.json"));
    return dir;
}
function run(script: string, args: string[], env: NodeJS.ProcessEnv = {}) {
    return spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts", script), ...args], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, ...env },
    });
}

test("bumpCatalogText: sets rings.<n>.overrides.osp.catalog.image, keeps every comment and the rest byte for byte", (t) => {
    const out = bumpCatalogText(prodText, 1, INDEX_871);
    t.deepEqual(comments(out), comments(prodText));
    t.true(out.startsWith(prodText.trimEnd()), "the existing text is unchanged; the ring block is appended");
    const rings = (YAML.parse(out).config as Record<string, any>)["pipeline-service:rings"];
    t.deepEqual(rings, { 1: { overrides: { osp: { catalog: { image: INDEX_871 } } } } });
    t.is(bumpCatalogText(out, 1, INDEX_871), out, "idempotent");
    // an existing ring entry written as a string key is reused, its other overrides kept
    const withRing = prodText.replace(
        "  pipeline-service:clusters:",
        '  pipeline-service:rings:\n    "2":\n      overrides:\n        githubAppName: Two # kept\n  pipeline-service:clusters:',
    );
    const two = bumpCatalogText(withRing, 2, UNKNOWN, "openshift-pipelines-operator-rh.v5.0.5-900");
    t.deepEqual((YAML.parse(two).config as Record<string, any>)["pipeline-service:rings"], {
        2: {
            overrides: {
                githubAppName: "Two",
                osp: { catalog: { image: UNKNOWN }, expectedCsv: "openshift-pipelines-operator-rh.v5.0.5-900" },
            },
        },
    });
    t.true(two.includes("githubAppName: Two # kept"));
});

test("npm run bump-catalog: writes, prints the preview and the ring-only up; refusals change nothing", (t) => {
    const dir = tmpProject(t);
    const file = path.join(dir, "Pulumi.prod.yaml");
    const ok = run("bump-catalog.ts", ["--stack", "prod", "--ring", "1", "-C", dir, INDEX_871]);
    t.is(ok.status, 0, ok.stderr);
    t.regex(
        ok.stdout,
        /\.tools\/bin\/pulumi preview --stack prod --diff --policy-pack policy --policy-pack-config policy\/config\/prod\.json/,
    );
    t.regex(
        ok.stdout,
        /\.tools\/bin\/pulumi up --stack prod --target urn:pulumi:prod::pipeline-service::pipeline-service:cluster:ComputeCluster::stone-prd-rh01 --target 'urn:pulumi:prod::pipeline-service::pipeline-service:cluster:ComputeCluster\$\*\*::stone-prd-rh01-\*'/,
    );
    const written = fs.readFileSync(file, "utf8");
    t.deepEqual(comments(written), comments(prodText));
    for (const [args, msg] of [
        [["--ring", "1", "quay.io/x/index:latest"], /is not pinned by digest/],
        [["--ring", "4", INDEX_871], /stack prod has no cluster in ring 4/],
        [
            ["--ring", "2", UNKNOWN],
            /rings\.2\.overrides\.osp\.expectedCsv: .*not a known index[\s\S]*Give the CSV this index installs with --csv/,
        ],
        [
            ["--ring", "2", "--csv", "other-operator.v1.0.0", UNKNOWN],
            /is not a CSV of package openshift-pipelines-operator-rh/,
        ],
    ] as [string[], RegExp][]) {
        const r = run("bump-catalog.ts", ["--stack", "prod", "-C", dir, ...args]);
        t.is(r.status, 1, `${args.join(" ")}: ${r.stdout}`);
        t.regex(r.stderr, msg);
        t.regex(r.stderr, /Nothing was changed/);
        t.is(fs.readFileSync(file, "utf8"), written, `${args.join(" ")}: the file is unchanged`);
    }
    t.is(run("bump-catalog.ts", ["--stack", "prod", "-C", dir]).status, 2, "no image: usage");
});

// ---------------------------------------------------------------------------------------------------------------
// backup

const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };

test("plaintextSecrets: ciphertext passes, plaintext (--show-secrets) is found", (t) => {
    t.deepEqual(plaintextSecrets({ a: [{ ...SECRET, ciphertext: "v1:abc" }] }), []);
    t.deepEqual(plaintextSecrets({ a: [{ x: { ...SECRET, plaintext: '"hunter2"' } }] }), ["$.a[0].x"]);
    t.is(backupName("prod", new Date("2026-12-02T01:02:03.456Z")), "prod-20261202T010203Z.tar.gz");
});

/** A stand-in CLI: `stack export` prints `state`, `stack output` the clusters, `version` a version. */
function fakePulumi(dir: string, state: unknown): string {
    const bin = path.join(dir, "pulumi");
    fs.writeFileSync(path.join(dir, "state.json"), JSON.stringify(state));
    fs.writeFileSync(
        bin,
        `#!/bin/sh\ncase "$1 $2" in\n  "stack export") cat "${dir}/state.json" ;;\n` +
            `  "stack output") echo '{"compute-1":{"state":"active"}}' ;;\n  "version "*) echo v3.163.0 ;;\n  *) exit 3 ;;\nesac\n`,
        { mode: 0o755 },
    );
    return bin;
}

test("npm run backup: a 0600 dated archive with the encrypted state, the stack file and checksums", (t) => {
    const dir = tmpProject(t);
    const state = {
        version: 3,
        deployment: {
            resources: [
                { type: "pulumi:pulumi:Stack" },
                { type: "kubernetes:core/v1:Secret", outputs: { data: { ...SECRET, ciphertext: "v1:xyz" } } },
            ],
        },
    };
    const env = { PIPELINE_SERVICE_PULUMI: fakePulumi(dir, state) };
    const out = path.join(dir, "backups");
    const r = run("backup.ts", ["--stack", "local", "-C", dir, "--out", out, "--no-render"], env);
    t.is(r.status, 0, r.stderr);
    const [name] = fs.readdirSync(out);
    t.regex(name!, /^local-\d{8}T\d{6}Z\.tar\.gz$/);
    t.is(fs.statSync(path.join(out, name!)).mode & 0o777, 0o600);
    t.is(fs.statSync(out).mode & 0o777, 0o700);
    const x = path.join(dir, "x");
    fs.mkdirSync(x);
    t.is(spawnSync("tar", ["-xzf", path.join(out, name!), "-C", x]).status, 0);
    t.deepEqual(fs.readdirSync(x).sort(), ["MANIFEST.json", "Pulumi.local.yaml", "state.json"]);
    t.deepEqual(JSON.parse(fs.readFileSync(path.join(x, "state.json"), "utf8")), state);
    const manifest = JSON.parse(fs.readFileSync(path.join(x, "MANIFEST.json"), "utf8"));
    t.like(manifest, {
        stack: "local",
        resources: 2,
        pulumiVersion: "v3.163.0",
        clusters: { "compute-1": { state: "active" } },
    });
    for (const f of ["state.json", "Pulumi.local.yaml"]) {
        t.is(
            manifest.files[f],
            crypto
                .createHash("sha256")
                .update(fs.readFileSync(path.join(x, f)))
                .digest("hex"),
            f,
        );
    }
});

test("npm run backup: an export with a plaintext secret is refused and nothing is written", (t) => {
    const dir = tmpProject(t);
    const env = {
        PIPELINE_SERVICE_PULUMI: fakePulumi(dir, {
            deployment: { resources: [{ type: "x", outputs: { k: { ...SECRET, plaintext: '"s"' } } }] },
        }),
    };
    const out = path.join(dir, "backups");
    const r = run("backup.ts", ["--stack", "local", "-C", dir, "--out", out, "--no-render"], env);
    t.is(r.status, 1);
    t.regex(
        r.stderr,
        /holds 1 secret\(s\) in plaintext \(\$\.deployment\.resources\[0\]\.outputs\.k\); nothing was written/,
    );
    t.false(fs.existsSync(out) && fs.readdirSync(out).length > 0);
    t.is(run("backup.ts", ["-C", dir]).status, 2, "no --stack: usage");
});
