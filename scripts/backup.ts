/**
 * npm run backup -- --stack <stack>: a dated, private backup of one stack (issue 11 §4), for the disaster recovery
 * in the README ("Backup and disaster recovery").
 *
 * The archive `<out>/<stack>-<UTC yyyymmddThhmmssZ>.tar.gz` (mode 0600, in a 0700 directory, default `backups/`)
 * holds:
 *  - `state.json`: `pulumi stack export` WITHOUT `--show-secrets`, so every secret stays ciphertext under the
 *    stack's secrets provider (the export is refused if it carries a plaintext secret);
 *  - `rendered/<stack>/<cluster>/`: the manifests the stack applies (`npm run render`, render mode: no cluster
 *    access, secret values redacted), unless `--no-render`;
 *  - `Pulumi.<stack>.yaml`: the stack file as it is in the checkout;
 *  - `MANIFEST.json`: stack, time, git commit, CLI version, resource count, the recorded cluster outputs and the
 *    sha256 of every file.
 * What it does not hold: the secrets provider's key (the team's KMS/Vault key; for the local stack the passphrase
 * in `.pulumi-state/.pipeline-service/`), which a restore needs and which must be kept apart from the backup.
 *
 * Every Pulumi command goes through `.tools/bin/pulumi` (scripts/pulumi-wrapper.sh: the stack's backend, the local
 * stack's passphrase); `PIPELINE_SERVICE_PULUMI` names another CLI (tests). Exit codes: 0 written, 1 failed, 2 usage.
 */
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseCli } from "./cli.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** Pulumi's secret marker in serialized state (pulumi sdk/go/common/resource/properties.go `SecretSig`). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** `<stack>-<yyyymmddThhmmssZ>.tar.gz`. */
export function backupName(stack: string, at: Date): string {
    const stamp = at
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d+Z$/, "Z");
    return `${stack}-${stamp}.tar.gz`;
}

/**
 * JSON paths of secret values that are in plaintext in an exported state: a secret object (`{<sig>: <secret sig>}`)
 * with a `plaintext` field (what `--show-secrets` writes) instead of `ciphertext`. Empty for a safe export.
 */
export function plaintextSecrets(v: unknown, at = "$"): string[] {
    if (Array.isArray(v)) return v.flatMap((x, i) => plaintextSecrets(x, `${at}[${i}]`));
    if (v === null || typeof v !== "object") return [];
    const o = v as Record<string, unknown>;
    if (o[SIG_KEY] === SECRET_SIG) return "ciphertext" in o && !("plaintext" in o) ? [] : [at];
    return Object.entries(o).flatMap(([k, x]) => plaintextSecrets(x, `${at}.${k}`));
}

/** sha256 of every file under `dir`, by relative path, sorted. */
export function fileDigests(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else out[path.relative(dir, p)] = crypto.createHash("sha256").update(fs.readFileSync(p)).digest("hex");
        }
    };
    walk(dir);
    return out;
}

const USAGE = `usage: npm run backup -- --stack <stack> [--out <dir>] [--no-render]

Writes <out>/<stack>-<UTC time>.tar.gz (0600): the stack's state exported with secrets encrypted (pulumi stack export
without --show-secrets), its rendered manifests (npm run render), its stack file and a MANIFEST.json with checksums.
The secrets provider's key is not included: keep it apart (README "Backup and disaster recovery").

  -s, --stack <name>  the stack
  -o, --out <dir>     where the archive goes (default: backups/ of the checkout, created 0700)
      --no-render     leave out the rendered manifests (no toolchain render run)
  -C, --cwd <dir>     the project directory (default: the repository root)
  -h, --help          this text`;

class BackupError extends Error {}

function run(cmd: string, args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
    const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 1 << 30, env: process.env });
    return { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: (r.stderr ?? "") + (r.error ? String(r.error) : "") };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const { values } = parseCli({
        usage: USAGE,
        options: {
            stack: { type: "string", short: "s" },
            out: { type: "string", short: "o" },
            "no-render": { type: "boolean" },
            cwd: { type: "string", short: "C" },
        },
    });
    if (!values.stack) {
        process.stderr.write(`error: --stack is required\n\n${USAGE}\n`);
        process.exit(2);
    }
    const stack = values.stack;
    const project = path.resolve(values.cwd ?? ROOT);
    // Everything this run writes is private to the user (the state holds ciphertext and resource details).
    process.umask(0o077);
    const fail = (msg: string): never => {
        throw new BackupError(msg);
    };
    const pulumi =
        process.env.PIPELINE_SERVICE_PULUMI ??
        path.join(process.env.PIPELINE_SERVICE_TOOLS_BIN ?? path.join(ROOT, ".tools", "bin"), "pulumi");
    const stackFile = path.join(project, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        process.stderr.write(`error: ${stackFile} does not exist\n`);
        process.exit(1);
    }
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-service-backup-"));
    fs.chmodSync(work, 0o700);
    try {
        // 1. The state, secrets encrypted.
        const exported = run(pulumi, ["stack", "export", "--stack", stack, "--cwd", project], project);
        if (exported.code !== 0)
            fail(`pulumi stack export --stack ${stack} failed: ${exported.stderr.trim() || exported.stdout.trim()}`);
        let state: { deployment?: { resources?: { type: string }[] } };
        try {
            state = JSON.parse(exported.stdout);
        } catch (e) {
            fail(`pulumi stack export --stack ${stack} did not print a state: ${(e as Error).message}`);
        }
        const leaks = plaintextSecrets(state!);
        if (leaks.length)
            fail(
                `the export of ${stack} holds ${leaks.length} secret(s) in plaintext (${leaks.slice(0, 3).join(", ")}); nothing was written`,
            );
        fs.writeFileSync(path.join(work, "state.json"), exported.stdout, { mode: 0o600 });
        const outputs = run(
            pulumi,
            ["stack", "output", "clusters", "--json", "--stack", stack, "--cwd", project],
            project,
        );
        // 2. The rendered manifests (render mode: no cluster access, secret values redacted).
        if (!values["no-render"]) {
            const r = run(
                process.execPath,
                [
                    "--import",
                    "tsx",
                    path.join(ROOT, "scripts", "render.ts"),
                    "--stack",
                    stack,
                    "--root",
                    project,
                    "--out",
                    path.join(work, "rendered"),
                ],
                project,
            );
            if (r.code !== 0)
                fail(
                    `npm run render -- --stack ${stack} failed (use --no-render to back up the state alone):\n${r.stderr || r.stdout}`,
                );
        }
        // 3. The stack file and the manifest.
        fs.copyFileSync(stackFile, path.join(work, path.basename(stackFile)));
        const git = run("git", ["rev-parse", "HEAD"], project);
        const version = run(pulumi, ["version"], project);
        const manifest = {
            stack,
            createdAt: new Date().toISOString(),
            gitCommit: git.code === 0 ? git.stdout.trim() : undefined,
            pulumiVersion: version.code === 0 ? version.stdout.trim() : undefined,
            resources: state!.deployment?.resources?.length ?? 0,
            clusters: outputs.code === 0 ? JSON.parse(outputs.stdout || "null") : undefined,
            secrets: "encrypted by the stack's secrets provider (pulumi stack export without --show-secrets)",
            files: fileDigests(work),
        };
        fs.writeFileSync(path.join(work, "MANIFEST.json"), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
        // 4. The archive: 0600 in a 0700 directory.
        const outDir = path.resolve(values.out ?? path.join(project, "backups"));
        fs.mkdirSync(outDir, { recursive: true, mode: 0o700 });
        const archive = path.join(outDir, backupName(stack, new Date(manifest.createdAt)));
        if (fs.existsSync(archive)) fail(`${archive} exists already; nothing was written`);
        const tmp = `${archive}.partial`;
        fs.writeFileSync(tmp, "", { mode: 0o600 });
        const tar = run("tar", ["-czf", tmp, "-C", work, "."], project);
        if (tar.code !== 0) {
            fs.rmSync(tmp, { force: true });
            fail(`tar failed: ${tar.stderr}`);
        }
        fs.chmodSync(tmp, 0o600);
        fs.renameSync(tmp, archive);
        process.stdout.write(
            `wrote ${archive} (0600): ${manifest.resources} resources, secrets encrypted` +
                `${values["no-render"] ? "" : ", rendered manifests"}\nrestore: README "Backup and disaster recovery" ` +
                `(.tools/bin/pulumi stack import --stack ${stack} --file state.json)\n`,
        );
    } catch (e) {
        if (!(e instanceof BackupError)) throw e;
        process.stderr.write(`error: ${e.message}\n`);
        process.exitCode = 1;
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}
