/**
 * npm run recover -- --stack <stack>: the one recovery after an interrupted `pulumi up` (SIGKILL, a lost terminal, a
 * CI timeout). In order:
 *
 *  1. The lock. On a file backend the lock is `.pulumi/locks/<org>/<project>/<stack>/<id>.json` with the pid and
 *     host of the update that holds it (pulumi pkg/backend/diy/lock.go lockContent@v3.163.0). While that update is
 *     alive (same host, the pid is a running `pulumi`), recovery refuses: cancelling it would let two updates run at
 *     once. A lock of a dead update is removed with `pulumi cancel`. A lock from another host cannot be checked and
 *     is left alone unless --break-foreign-lock is given.
 *  2. The checkpoint. The file backend writes its `<stack>.json.attrs` sidecar (gocloud.dev/blob/fileblob attributes)
 *     non-atomically, so a kill at the wrong moment leaves it empty and every command then fails with
 *     `failed to load checkpoint: EOF` (`pulumi stack ls`: `error: EOF`). A sidecar that is empty or not JSON is
 *     rewritten from its checkpoint (content type and md5, as fileblob writes it); a checkpoint that is empty or not
 *     JSON is restored from `<stack>.json.bak`, else from the newest history checkpoint.
 *  3. Orphans. `pulumi-resource-*` and `pulumi-language-*` processes whose parent is no longer a `pulumi` CLI and
 *     whose working directory is this project are stopped (TERM, then KILL), and named.
 *  4. Pending operations. They are listed from `pulumi stack export` (what is dropped, by type and URN), then
 *     `pulumi refresh --clear-pending-creates` forgets them and reads every resource back from the clusters.
 *  5. `pulumi up`, then `pulumi preview --expect-no-changes`: the stack has converged.
 *
 * Every Pulumi command goes through `.tools/bin/pulumi` (scripts/pulumi-wrapper.sh): backend, passphrase, private TMPDIR.
 * Exit codes: 0 converged, 1 refused or a step failed, 2 bad usage.
 */
import { spawn, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const USAGE = `usage: npm run recover -- --stack <stack> [options]

Recover a stack after an interrupted update: release a dead update's lock (never a live one), repair a truncated
file-backend checkpoint, stop orphaned provider processes, drop pending operations with a refresh (listing them),
then up and preview --expect-no-changes.

options:
  -s, --stack <name>        the stack (required)
  -C, --cwd <dir>           the project directory (default: the repository root)
      --break-foreign-lock  remove a lock held by another host (its update cannot be checked from here)
      --no-up               stop after the refresh (no up, no final preview)
  -h, --help                this help
`;

export interface LockInfo {
    file: string;
    pid: number;
    hostname: string;
    username?: string;
    timestamp?: string;
}

export type LockVerdict =
    { action: "none" } | { action: "refuse"; reason: string } | { action: "cancel"; reason: string };

/** Is `pid` a running `pulumi` CLI on this host? (/proc, so a reused pid running something else does not count.) */
export function isLivePulumi(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch {
        return false;
    }
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        if (/\) Z /.test(stat)) return false; // a zombie holds nothing
        const argv0 = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] ?? "";
        return path.basename(argv0) === "pulumi";
    } catch {
        return false;
    }
}

/** What to do about the locks of a stack (pure given `alive`). */
export function lockVerdict(
    locks: LockInfo[],
    host: string,
    alive: (pid: number) => boolean,
    breakForeign: boolean,
): LockVerdict {
    if (locks.length === 0) return { action: "none" };
    for (const l of locks) {
        const who = `pid ${l.pid} on ${l.hostname}${l.username ? ` (${l.username})` : ""}${l.timestamp ? ` since ${l.timestamp}` : ""}`;
        if (l.hostname === host && alive(l.pid)) {
            return {
                action: "refuse",
                reason:
                    `the update holding the lock is still running: ${who} (${l.file}). ` +
                    `Wait for it to finish, or stop it first (kill -TERM ${l.pid}; a second TERM terminates it), then run recover again.`,
            };
        }
        if (l.hostname !== host && !breakForeign) {
            return {
                action: "refuse",
                reason:
                    `the lock is held by another host: ${who} (${l.file}); its update cannot be checked from ` +
                    `${host}. Make sure it is not running, then run recover with --break-foreign-lock.`,
            };
        }
    }
    return { action: "cancel", reason: locks.map((l) => `pid ${l.pid} on ${l.hostname} is gone`).join("; ") };
}

/** The file backend directory of a stack, or undefined for other backends. Mirrors scripts/pulumi-wrapper.sh. */
export function fileBackendDir(stack: string, projectDir: string, env: NodeJS.ProcessEnv): string | undefined {
    const url = env.PULUMI_BACKEND_URL || (stack === "local" ? `file://${path.join(projectDir, ".pulumi-state")}` : "");
    if (!url.startsWith("file://")) return undefined;
    return url
        .slice("file://".length)
        .split("?")[0]!
        .replace(/^~(?=$|\/)/, os.homedir());
}

function listFiles(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => path.join(d.parentPath, d.name));
}

export function readLocks(stateDir: string, project: string, stack: string): LockInfo[] {
    const dir = path.join(stateDir, ".pulumi", "locks");
    return listFiles(dir)
        .filter(
            (f) =>
                f.endsWith(".json") &&
                path.basename(path.dirname(f)) === stack &&
                path.basename(path.dirname(path.dirname(f))) === project,
        )
        .map((file) => {
            const c = JSON.parse(fs.readFileSync(file, "utf8")) as {
                pid: number;
                hostname: string;
                username?: string;
                timestamp?: string;
            };
            return { file, pid: c.pid, hostname: c.hostname, username: c.username, timestamp: c.timestamp };
        });
}

function isJson(file: string): boolean {
    try {
        JSON.parse(fs.readFileSync(file, "utf8"));
        return true;
    } catch {
        return false;
    }
}

/** The attributes sidecar fileblob writes next to a blob (gocloud.dev/blob/fileblob xattrs: content type and md5). */
export function sidecarFor(blob: Buffer): string {
    return JSON.stringify({
        "user.cache_control": "",
        "user.content_disposition": "",
        "user.content_encoding": "",
        "user.content_language": "",
        "user.content_type": "text/plain; charset=utf-8",
        "user.metadata": null,
        md5: crypto.createHash("md5").update(blob).digest("base64"),
    });
}

/** Repair the stack's checkpoint and sidecars on a file backend; returns what was done, one line each. */
export function repairCheckpoint(stateDir: string, project: string, stack: string): string[] {
    const done: string[] = [];
    const stacksDir = path.join(stateDir, ".pulumi", "stacks", project);
    const chk = path.join(stacksDir, `${stack}.json`);
    if (fs.existsSync(chk) && !isJson(chk)) {
        const bak = `${chk}.bak`;
        const historyDir = path.join(stateDir, ".pulumi", "history", project, stack);
        const history = listFiles(historyDir)
            .filter((f) => f.endsWith(".checkpoint.json"))
            .sort()
            .reverse();
        const source = [bak, ...history].find((f) => fs.existsSync(f) && isJson(f));
        if (!source)
            throw new Error(
                `${chk} is ${fs.statSync(chk).size === 0 ? "empty" : "not JSON"} and there is no valid backup (.bak or history)`,
            );
        const broken = `${chk}.broken-${Date.now()}`;
        fs.renameSync(chk, broken);
        fs.copyFileSync(source, chk);
        done.push(
            `restored ${path.relative(stateDir, chk)} from ${path.relative(stateDir, source)} (the broken one is kept as ${path.basename(broken)})`,
        );
    }
    for (const blob of [chk, `${chk}.bak`]) {
        const attrs = `${blob}.attrs`;
        if (!fs.existsSync(blob) || !fs.existsSync(attrs)) continue;
        if (isJson(attrs)) continue;
        const size = fs.statSync(attrs).size;
        fs.writeFileSync(`${attrs}.tmp`, sidecarFor(fs.readFileSync(blob)));
        fs.renameSync(`${attrs}.tmp`, attrs);
        done.push(
            `rewrote ${path.relative(stateDir, attrs)} (${size === 0 ? "0 bytes" : "not JSON"}: "failed to load checkpoint: EOF") from its checkpoint`,
        );
    }
    return done;
}

export interface ProcInfo {
    pid: number;
    ppid: number;
    name: string;
    cwd?: string;
}

/** Every process this user can see, with its parent and working directory. */
export function procs(): ProcInfo[] {
    const out: ProcInfo[] = [];
    for (const e of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(e)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
            const after = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            if (after[0] === "Z") continue;
            const argv0 = fs.readFileSync(`/proc/${e}/cmdline`, "utf8").split("\0")[0] ?? "";
            let cwd: string | undefined;
            try {
                cwd = fs.readlinkSync(`/proc/${e}/cwd`);
            } catch {
                /* another user's process */
            }
            out.push({ pid: Number(e), ppid: Number(after[1]), name: path.basename(argv0), cwd });
        } catch {
            /* gone */
        }
    }
    return out;
}

/** Provider and language-host processes of this project whose `pulumi` CLI is gone (pure given the table). */
export function orphans(table: ProcInfo[], projectDir: string): ProcInfo[] {
    const byPid = new Map(table.map((p) => [p.pid, p]));
    return table.filter(
        (p) =>
            /^pulumi-(resource|language|analyzer)-/.test(p.name) &&
            p.cwd !== undefined &&
            path.resolve(p.cwd) === path.resolve(projectDir) &&
            byPid.get(p.ppid)?.name !== "pulumi" &&
            // a language host's plugins are its children; the host itself is judged by its own parent
            !/^pulumi-language-/.test(byPid.get(p.ppid)?.name ?? ""),
    );
}

async function stopProcesses(list: ProcInfo[]): Promise<void> {
    for (const p of list) {
        try {
            process.kill(p.pid, "SIGTERM");
        } catch {
            /* gone */
        }
    }
    const deadline = Date.now() + 5000;
    const alive = (pid: number) => {
        try {
            process.kill(pid, 0);
            return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
        } catch {
            return false;
        }
    };
    while (Date.now() < deadline && list.some((p) => alive(p.pid))) await new Promise((r) => setTimeout(r, 100));
    for (const p of list)
        if (alive(p.pid))
            try {
                process.kill(p.pid, "SIGKILL");
            } catch {
                /* gone */
            }
}

interface Exported {
    deployment?: {
        resources?: { urn: string; type: string }[];
        pending_operations?: { type: string; resource: { urn: string; type: string } }[];
    };
}

export function pendingOperations(exported: Exported): string[] {
    return (exported.deployment?.pending_operations ?? []).map((o) => `${o.type} ${o.resource.type} ${o.resource.urn}`);
}

function log(msg: string): void {
    console.log(`recover: ${msg}`);
}

class Cli {
    constructor(
        readonly bin: string,
        readonly cwd: string,
        readonly stack: string,
    ) {}

    capture(args: string[]): { code: number; stdout: string; stderr: string } {
        const r = spawnSync(this.bin, [...args, "--stack", this.stack, "--non-interactive"], {
            cwd: this.cwd,
            encoding: "utf8",
            maxBuffer: 512 << 20,
        });
        return { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
    }

    /** Run with output streamed to ours; resolves with the exit code. */
    stream(args: string[]): Promise<number> {
        const full = [...args, "--stack", this.stack, "--non-interactive"];
        log(`$ pulumi ${full.join(" ")}`);
        return new Promise((resolve) => {
            const child = spawn(this.bin, full, { cwd: this.cwd, stdio: ["ignore", "inherit", "inherit"] });
            const fwd = (sig: NodeJS.Signals) => () => child.kill(sig);
            const onInt = fwd("SIGINT"),
                onTerm = fwd("SIGTERM");
            process.on("SIGINT", onInt);
            process.on("SIGTERM", onTerm);
            child.on("exit", (code, signal) => {
                process.off("SIGINT", onInt);
                process.off("SIGTERM", onTerm);
                resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1));
            });
        });
    }
}

export async function main(argv: string[]): Promise<number> {
    let values: { stack?: string; cwd?: string; help?: boolean; "break-foreign-lock"?: boolean; "no-up"?: boolean };
    try {
        ({ values } = parseArgs({
            args: argv,
            allowPositionals: false,
            strict: true,
            options: {
                stack: { type: "string", short: "s" },
                cwd: { type: "string", short: "C" },
                "break-foreign-lock": { type: "boolean" },
                "no-up": { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
        }));
    } catch (e) {
        process.stderr.write(`recover: ${(e as Error).message}\n\n${USAGE}`);
        return 2;
    }
    if (values.help) {
        process.stdout.write(USAGE);
        return 0;
    }
    if (!values.stack) {
        process.stderr.write(`recover: --stack is required\n\n${USAGE}`);
        return 2;
    }
    const stack = values.stack;
    const projectDir = path.resolve(values.cwd ?? ROOT);
    if (!fs.existsSync(path.join(projectDir, "Pulumi.yaml"))) {
        process.stderr.write(`recover: no Pulumi.yaml in ${projectDir}\n`);
        return 2;
    }
    const project =
        /^name:\s*(\S+)/m.exec(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"))?.[1] ??
        "pipeline-service";
    const bin =
        process.env.PIPELINE_SERVICE_PULUMI ??
        path.join(process.env.PIPELINE_SERVICE_TOOLS_BIN ?? path.join(ROOT, ".tools", "bin"), "pulumi");
    const cli = new Cli(bin, projectDir, stack);
    const stateDir = fileBackendDir(stack, projectDir, process.env);
    const t0 = Date.now();

    // 1. The lock.
    if (stateDir) {
        const locks = readLocks(stateDir, project, stack);
        // A CLI killed a moment ago (its wrapper's SIGKILL reaches it through PR_SET_PDEATHSIG) may still be exiting.
        for (let i = 0; i < 30 && locks.some((l) => l.hostname === os.hostname() && isLivePulumi(l.pid)); i++) {
            await new Promise((r) => setTimeout(r, 100));
        }
        const verdict = lockVerdict(locks, os.hostname(), isLivePulumi, !!values["break-foreign-lock"]);
        if (verdict.action === "refuse") {
            process.stderr.write(`recover: refusing to cancel: ${verdict.reason}\n`);
            return 1;
        }
        if (verdict.action === "cancel") {
            log(`removing the lock of a dead update (${verdict.reason})`);
            const c = cli.capture(["cancel", "--yes"]);
            // `pulumi cancel` loads the checkpoint; when that is what is broken, remove the lock files directly.
            if (c.code !== 0) {
                for (const l of locks) fs.rmSync(l.file, { force: true });
                log(
                    `pulumi cancel failed (${c.stderr.trim() || c.stdout.trim()}); removed ${locks.length} lock file(s) directly`,
                );
            }
        } else {
            log("no lock held");
        }

        // 2. The checkpoint.
        const repaired = repairCheckpoint(stateDir, project, stack);
        for (const r of repaired) log(r);
        if (!repaired.length) log("checkpoint and sidecars are intact");
    } else {
        log(
            "not a file backend: the lock is the service's (a live update is refused by it); nothing to repair on disk",
        );
    }

    // 3. Orphaned provider processes.
    const orphaned = orphans(procs(), projectDir);
    if (orphaned.length) {
        for (const o of orphaned)
            log(`stopping orphaned ${o.name} (pid ${o.pid}, parent ${o.ppid} is not a pulumi CLI, cwd ${o.cwd})`);
        await stopProcesses(orphaned);
    } else {
        log("no orphaned provider processes");
    }

    // 4. Pending operations.
    const exp = cli.capture(["stack", "export"]);
    if (exp.code !== 0) {
        process.stderr.write(`recover: pulumi stack export failed:\n${exp.stderr}${exp.stdout}`);
        return 1;
    }
    const pending = pendingOperations(JSON.parse(exp.stdout) as Exported);
    if (pending.length) {
        log(
            `dropping ${pending.length} pending operation(s) whose outcome is unknown (the refresh reads what exists back):`,
        );
        for (const p of pending) log(`  ${p}`);
    } else {
        log("no pending operations");
    }
    if ((await cli.stream(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"])) !== 0) {
        process.stderr.write("recover: the refresh failed; fix what it names and run recover again\n");
        return 1;
    }
    if (values["no-up"]) {
        log(`done without up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
        return 0;
    }

    // 5. Converge and prove it.
    if ((await cli.stream(["up", "--yes", "--skip-preview"])) !== 0) {
        process.stderr.write("recover: pulumi up failed; fix what it names and run recover again\n");
        return 1;
    }
    if ((await cli.stream(["preview", "--expect-no-changes"])) !== 0) {
        process.stderr.write("recover: the stack did not converge: preview still shows changes after up\n");
        return 1;
    }
    log(`stack ${stack} converged in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            process.stderr.write(`recover: ${(e as Error).stack ?? e}\n`);
            process.exit(1);
        },
    );
}
