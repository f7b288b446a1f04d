/**
 * Running the program in render mode in a scratch copy of a checkout: shared by `npm run audit` (scripts/audit.ts),
 * `npm run render` (scripts/render.ts) and the end-to-end harness.
 *
 * Render mode: `PIPELINE_SERVICE_RENDER_DIR` switches every kubernetes Provider to `renderYamlToDirectory`
 * (lib/providers.ts), so no credential is read and no API is called; a throwaway file backend inside the scratch
 * copy holds the state, encrypted with an empty passphrase (no stack file stores a credential).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** This checkout (the one whose plugin cache `npm run tools` filled). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface ShResult {
    code: number;
    stdout: string;
    stderr: string;
}

/**
 * Runs `cmd args` (no shell) and resolves, never rejects, to its exit code (1 when killed or not started) and output.
 * `timeoutMs` kills it (default: none); `input` is written to its stdin; output is buffered up to 256 MiB.
 */
export function sh(
    cmd: string,
    args: string[],
    opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string },
): Promise<ShResult> {
    return new Promise((resolve) => {
        const child = execFile(
            cmd,
            args,
            { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs ?? 0, maxBuffer: 256 * 1024 * 1024 },
            (err, stdout, stderr) => {
                const code = err
                    ? typeof (err as { code?: unknown }).code === "number"
                        ? (err as { code: number }).code
                        : 1
                    : 0;
                resolve({ code, stdout: String(stdout), stderr: String(stderr) });
            },
        );
        if (opts.input !== undefined) child.stdin?.end(opts.input);
    });
}

/** Local state a scratch copy must not share with the checkout it comes from. */
const LOCAL_STATE = new Set([
    "node_modules",
    ".tools",
    ".local",
    ".pulumi-state",
    ".pulumi-home",
    ".git",
    "audit",
    "bench",
    "rendered",
]);

/**
 * A scratch copy of a checkout in the temp dir (sources, stack files, policy pack), sharing the checkout's
 * node_modules but none of its local state (control plane, backend, plugin cache, reports, renders). Returns its path.
 */
export function scratchCopy(root: string, label: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pipeline-service-${label}-`));
    for (const entry of fs.readdirSync(root)) {
        if (!LOCAL_STATE.has(entry)) fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
    }
    // The checkout's node_modules, or this one's when the checkout has none (a base-branch worktree in CI).
    const modules = fs.existsSync(path.join(root, "node_modules"))
        ? path.join(root, "node_modules")
        : path.join(ROOT, "node_modules");
    fs.symlinkSync(modules, path.join(dir, "node_modules"));
    return dir;
}

/**
 * The environment of a render-mode run in `scratch`: a throwaway backend in `<scratch>/.state`, manifests rendered
 * to `<scratch>/.rendered/<clusterIdentifier>/`, no downloads, structured engine events available.
 */
export function renderModeEnv(scratch: string): NodeJS.ProcessEnv {
    fs.mkdirSync(path.join(scratch, ".state"), { recursive: true });
    return {
        ...process.env,
        PULUMI_BACKEND_URL: `file://${path.join(scratch, ".state")}`,
        // The plugin cache npm run tools filled (this checkout's), also when rendering another checkout.
        PULUMI_HOME: process.env.PULUMI_HOME ?? path.join(ROOT, ".pulumi-home"),
        // A throwaway backend: the stack's own secrets provider is not needed, because render mode reads no
        // credentials. Stacks with encrypted values would need their passphrase in PULUMI_CONFIG_PASSPHRASE.
        PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PIPELINE_SERVICE_RENDER_DIR: path.join(scratch, ".rendered"),
        NO_COLOR: "1",
        // Exposes `--event-log` (structured engine events, as the Automation API reads them) in pulumi 3.163.
        PULUMI_DEBUG_COMMANDS: "true",
    };
}
