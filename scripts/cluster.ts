/**
 * The local control plane: `npm run cluster -- up|down|status [options]`.
 *
 * One etcd on loopback and, per virtual cluster, one kube-apiserver (own port, own etcd prefix) plus one
 * kube-controller-manager that runs only the `namespace`, `garbagecollector` and `serviceaccount-token`
 * controllers, so deletes (foreground propagation, namespace finalizers) finish the way they do on a real cluster. No scheduler or kubelet runs: Pods never start, and the local stack turns
 * readiness waiting off through stack config (see README "Local control plane").
 *
 * Virtual clusters: `kcp` (a stand-in for the kcp workspace, with the kcp CRDs) and `compute-1..N` (default N=2),
 * with the real upstream CRDs from tools/versions.json `crds`, and the namespaces OpenShift and the GitOps
 * operator would have created (`openshift-operators`, `openshift-marketplace`, `openshift-gitops`).
 *
 * Files (default state dir `.local/`, gitignored):
 *   .local/kubeconfig           one kubeconfig, a context per cluster (`kcp`, `compute-1`, ...)
 *   .local/cluster/state.json   pids, ports and the cluster list
 *   .local/cluster/<name>/      logs, certificates, the controller manager's kubeconfig
 *
 * Options: --clusters N (compute clusters, 1..16, default 2), --state-dir DIR, --port-base P (fixed ports
 * P, P+1, ... instead of free ones), --purge (down: also delete the data), --json (status).
 * Exit status: 0 on success; 1 with a message naming the process and port on any failure, after stopping
 * whatever this run had started.
 */
import { execFileSync, spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface ClusterEntry {
    name: string;
    role: "kcp" | "compute";
    port: number;
    apiserverPid?: number;
    controllerManagerPid?: number;
}

export interface State {
    version: 1;
    etcd: { clientPort: number; peerPort: number; pid?: number };
    clusters: ClusterEntry[];
    token: string;
    crdsInstalled?: string;
}

interface Options {
    command: "up" | "down" | "status";
    clusters: number;
    stateDir: string;
    portBase?: number;
    purge: boolean;
    json: boolean;
}

class UsageError extends Error {}

export function parseArgs(argv: string[]): Options {
    const [command, ...rest] = argv;
    if (command !== "up" && command !== "down" && command !== "status") {
        throw new UsageError(`expected a command: up, down or status (got '${command ?? ""}')`);
    }
    const opts: Options = {
        command,
        clusters: 2,
        stateDir: path.join(ROOT, ".local"),
        purge: false,
        json: false,
    };
    for (let i = 0; i < rest.length; i++) {
        const a = rest[i];
        const value = (): string => {
            const v = rest[++i];
            if (v === undefined) throw new UsageError(`${a} needs a value`);
            return v;
        };
        switch (a) {
            case "--clusters": {
                const n = Number(value());
                if (!Number.isInteger(n) || n < 1 || n > 16) {
                    throw new UsageError(`--clusters must be an integer from 1 to 16`);
                }
                opts.clusters = n;
                break;
            }
            case "--state-dir":
                opts.stateDir = path.resolve(value());
                break;
            case "--port-base": {
                const p = Number(value());
                if (!Number.isInteger(p) || p < 1024 || p > 65000) {
                    throw new UsageError(`--port-base must be an integer from 1024 to 65000`);
                }
                opts.portBase = p;
                break;
            }
            case "--purge":
                opts.purge = true;
                break;
            case "--json":
                opts.json = true;
                break;
            default:
                throw new UsageError(`unknown option '${a}'`);
        }
    }
    return opts;
}

const paths = (stateDir: string) => ({
    dir: path.join(stateDir, "cluster"),
    state: path.join(stateDir, "cluster", "state.json"),
    kubeconfig: path.join(stateDir, "kubeconfig"),
    pki: path.join(stateDir, "cluster", "pki"),
    etcdData: path.join(stateDir, "cluster", "etcd"),
    etcdLog: path.join(stateDir, "cluster", "etcd.log"),
    clusterDir: (name: string) => path.join(stateDir, "cluster", name),
});

function log(msg: string): void {
    process.stderr.write(`[cluster] ${msg}\n`);
}

function which(bin: string): string {
    for (const dir of (process.env.PATH ?? "").split(":")) {
        const p = path.join(dir, bin);
        try {
            fs.accessSync(p, fs.constants.X_OK);
            return p;
        } catch {
            /* next */
        }
    }
    throw new Error(`${bin} is not on PATH: run \`npm run tools\` first`);
}

/** Is `pid` a live process running `bin`? Guards against pid reuse after a reboot. */
export function isRunning(pid: number | undefined, bin: string): boolean {
    if (!pid) return false;
    try {
        process.kill(pid, 0);
    } catch {
        return false;
    }
    try {
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] ?? "";
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const zombie = / Z /.test(stat.slice(stat.lastIndexOf(")")));
        return !zombie && path.basename(cmd) === bin;
    } catch {
        return false;
    }
}

function readState(stateDir: string): State | undefined {
    const p = paths(stateDir).state;
    if (!fs.existsSync(p)) return undefined;
    return JSON.parse(fs.readFileSync(p, "utf8")) as State;
}

function writeState(stateDir: string, state: State): void {
    const p = paths(stateDir).state;
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p + ".tmp", JSON.stringify(state, null, 2));
    fs.renameSync(p + ".tmp", p);
}

async function portIsFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const srv = net.createServer();
        srv.once("error", () => resolve(false));
        srv.listen({ port, host: "127.0.0.1", exclusive: true }, () => srv.close(() => resolve(true)));
    });
}

/**
 * A free port below the kernel's ephemeral range (32768+), so that an outgoing connection cannot hold it when the
 * control plane restarts with the same ports later.
 */
async function freePort(avoid: Set<number>): Promise<number> {
    for (let i = 0; i < 1000; i++) {
        const port = 20000 + Math.floor(Math.random() * 12000);
        if (!avoid.has(port) && (await portIsFree(port))) return port;
    }
    throw new Error("no free port found between 20000 and 32000");
}

function openssl(args: string[]): void {
    execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** A CA, a serving certificate for 127.0.0.1/localhost and the service-account key pair, made once. */
function ensurePki(dir: string): void {
    if (fs.existsSync(path.join(dir, "serving.crt"))) return;
    fs.mkdirSync(dir, { recursive: true });
    const p = (f: string) => path.join(dir, f);
    openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj", "/CN=pipeline-service-local-ca",
        "-keyout", p("ca.key"), "-out", p("ca.crt")]);
    fs.writeFileSync(p("serving.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n");
    openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=kube-apiserver", "-keyout", p("serving.key"),
        "-out", p("serving.csr")]);
    openssl(["x509", "-req", "-in", p("serving.csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"), "-CAcreateserial",
        "-days", "3650", "-extfile", p("serving.ext"), "-out", p("serving.crt")]);
    openssl(["genrsa", "-out", p("sa.key"), "2048"]);
    openssl(["rsa", "-in", p("sa.key"), "-pubout", "-out", p("sa.pub")]);
}

function kubeconfigFor(state: State, pki: string, only?: string): string {
    const ca = fs.readFileSync(path.join(pki, "ca.crt")).toString("base64");
    const clusters = state.clusters.filter((c) => !only || c.name === only);
    const doc = {
        apiVersion: "v1",
        kind: "Config",
        preferences: {},
        clusters: clusters.map((c) => ({
            name: c.name,
            cluster: { server: `https://127.0.0.1:${c.port}`, "certificate-authority-data": ca },
        })),
        users: [{ name: "admin", user: { token: state.token } }],
        contexts: clusters.map((c) => ({ name: c.name, context: { cluster: c.name, user: "admin" } })),
        "current-context": clusters.find((c) => c.role === "compute")?.name ?? clusters[0]?.name,
    };
    return YAML.stringify(doc);
}

function startProcess(bin: string, args: string[], logFile: string): number {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const out = fs.openSync(logFile, "a");
    const child = spawn(which(bin), args, { detached: true, stdio: ["ignore", out, out] });
    fs.closeSync(out);
    child.unref();
    if (!child.pid) throw new Error(`${bin} did not start (see ${logFile})`);
    return child.pid;
}

function tail(file: string, lines = 15): string {
    try {
        return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
        return "";
    }
}

async function httpsOk(port: number, token: string, ca: Buffer, urlPath: string): Promise<boolean> {
    return new Promise((resolve) => {
        const req = https.request(
            { host: "127.0.0.1", port, path: urlPath, ca, headers: { Authorization: `Bearer ${token}` }, timeout: 2000 },
            (res) => {
                res.resume();
                resolve(res.statusCode === 200);
            },
        );
        req.on("error", () => resolve(false));
        req.on("timeout", () => {
            req.destroy();
            resolve(false);
        });
        req.end();
    });
}

async function waitFor(what: string, check: () => Promise<boolean>, alive: () => boolean, logFile: string,
    timeoutMs = 120_000): Promise<void> {
    const start = Date.now();
    while (Date.now() - start < timeoutMs) {
        if (await check()) return;
        if (!alive()) throw new Error(`${what} exited during startup; last lines of ${logFile}:\n${tail(logFile)}`);
        await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${what} was not ready after ${timeoutMs / 1000}s; last lines of ${logFile}:\n${tail(logFile)}`);
}

function etcdHealthy(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const req = net.connect({ host: "127.0.0.1", port }, () => {
            req.end();
            resolve(true);
        });
        req.on("error", () => resolve(false));
    });
}

/** Pinned CRD sets from tools/versions.json, resolved to files in the Go module cache. */
export function crdFiles(role: "kcp" | "compute"): string[] {
    const versions = JSON.parse(fs.readFileSync(path.join(ROOT, "tools", "versions.json"), "utf8")) as {
        crds: Record<string, { module: string; version: string; on: string; files: string[] } | string>;
    };
    const files: string[] = [];
    for (const [key, set] of Object.entries(versions.crds)) {
        if (typeof set === "string" || set.on !== role) continue;
        let out: string;
        try {
            out = execFileSync("go", ["mod", "download", "-json", `${set.module}@${set.version}`], {
                encoding: "utf8",
                env: { ...process.env, GOFLAGS: "-mod=mod", GOTOOLCHAIN: "local" },
                stdio: ["ignore", "pipe", "pipe"],
            });
        } catch (e) {
            const err = e as { stdout?: string; stderr?: string };
            throw new Error(`CRDs ${key} (${set.module}@${set.version}) could not be downloaded from the Go module proxy: ` +
                `${(err.stdout || err.stderr || String(e)).trim()}`);
        }
        const info = JSON.parse(out) as { Dir?: string; Error?: string };
        if (!info.Dir) throw new Error(`CRDs ${key} (${set.module}@${set.version}): ${info.Error ?? "no module directory"}`);
        for (const f of set.files) {
            const full = path.join(info.Dir, f);
            if (!fs.existsSync(full)) throw new Error(`CRDs ${key}: ${f} is not in ${set.module}@${set.version}`);
            files.push(full);
        }
    }
    return files;
}

function kubectl(kubeconfig: string, context: string, args: string[], input?: string): string {
    return execFileSync(which("kubectl"), ["--kubeconfig", kubeconfig, "--context", context, ...args], {
        encoding: "utf8",
        input,
        stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
}

/** The namespaces OpenShift (and, for openshift-gitops, the GitOps operator) provide on a real cluster. */
export const PLATFORM_NAMESPACES = ["openshift-operators", "openshift-marketplace", "openshift-gitops"];

function installCrds(state: State, kubeconfig: string): void {
    const byRole = { kcp: crdFiles("kcp"), compute: crdFiles("compute") };
    for (const c of state.clusters) {
        const files = byRole[c.role];
        const start = Date.now();
        kubectl(kubeconfig, c.name, ["apply", "--server-side", "--force-conflicts", "--field-manager=pipeline-service-cluster",
            ...files.flatMap((f) => ["-f", f])]);
        kubectl(kubeconfig, c.name, ["wait", "--for=condition=Established", "crd", "--all", "--timeout=120s"]);
        if (c.role === "compute") {
            const nsDocs = PLATFORM_NAMESPACES.map((n) => YAML.stringify({
                apiVersion: "v1", kind: "Namespace",
                metadata: { name: n, labels: { "pipeline-service.local/platform-stand-in": "true" } },
            })).join("---\n");
            kubectl(kubeconfig, c.name, ["apply", "--server-side", "--field-manager=pipeline-service-cluster", "-f", "-"], nsDocs);
        }
        log(`${c.name}: ${files.length} CRDs established in ${((Date.now() - start) / 1000).toFixed(1)}s`);
    }
}

function crdsKey(): string {
    const v = fs.readFileSync(path.join(ROOT, "tools", "versions.json"), "utf8");
    return crypto.createHash("sha256").update(JSON.stringify(JSON.parse(v).crds)).digest("hex").slice(0, 16);
}

async function up(opts: Options): Promise<void> {
    const P = paths(opts.stateDir);
    for (const bin of ["etcd", "kube-apiserver", "kube-controller-manager", "kubectl", "openssl", "go"]) which(bin);
    let state = readState(opts.stateDir);
    const wanted = ["kcp", ...Array.from({ length: opts.clusters }, (_, i) => `compute-${i + 1}`)];

    if (state) {
        const have = state.clusters.map((c) => c.name).join(",");
        const anyRunning = isRunning(state.etcd.pid, "etcd")
            || state.clusters.some((c) => isRunning(c.apiserverPid, "kube-apiserver"));
        if (have !== wanted.join(",")) {
            if (anyRunning || fs.existsSync(P.etcdData)) {
                throw new Error(`the control plane in ${opts.stateDir} has clusters ${have}, not ${wanted.join(",")}: ` +
                    `run \`npm run cluster -- down --purge\` first, or use another --state-dir`);
            }
            state = undefined;
        }
    }

    const started: { pid: number; bin: string }[] = [];
    try {
        if (!state) {
            const used = new Set<number>();
            const next = async (offset: number) => {
                const p = opts.portBase !== undefined ? opts.portBase + offset : await freePort(used);
                used.add(p);
                return p;
            };
            state = {
                version: 1,
                etcd: { clientPort: await next(0), peerPort: await next(1) },
                clusters: [],
                token: crypto.randomBytes(24).toString("hex"),
            };
            for (const [i, name] of wanted.entries()) {
                state.clusters.push({ name, role: name === "kcp" ? "kcp" : "compute", port: await next(2 + i) });
            }
        }
        ensurePki(P.pki);
        fs.mkdirSync(P.dir, { recursive: true });
        fs.writeFileSync(path.join(P.dir, "tokens.csv"), `${state.token},admin,admin,system:masters\n`, { mode: 0o600 });

        // Refuse ports other processes hold, naming the port and what it was meant for.
        const need: [number, string][] = [];
        if (!isRunning(state.etcd.pid, "etcd")) {
            need.push([state.etcd.clientPort, "etcd client"], [state.etcd.peerPort, "etcd peer"]);
        }
        for (const c of state.clusters) {
            if (!isRunning(c.apiserverPid, "kube-apiserver")) need.push([c.port, `kube-apiserver of ${c.name}`]);
        }
        for (const [port, what] of need) {
            if (!(await portIsFree(port))) {
                throw new Error(`port ${port} (for the ${what}) is already taken by another process; stop that process, ` +
                    `or start the control plane with other ports (\`npm run cluster -- down --purge\`, then ` +
                    `\`npm run cluster -- up --port-base <P>\`)`);
            }
        }

        const ca = fs.readFileSync(path.join(P.pki, "ca.crt"));
        if (!isRunning(state.etcd.pid, "etcd")) {
            const { clientPort, peerPort } = state.etcd;
            state.etcd.pid = startProcess("etcd", [
                "--name", "local", "--data-dir", P.etcdData,
                "--listen-client-urls", `http://127.0.0.1:${clientPort}`, "--advertise-client-urls", `http://127.0.0.1:${clientPort}`,
                "--listen-peer-urls", `http://127.0.0.1:${peerPort}`, "--initial-advertise-peer-urls", `http://127.0.0.1:${peerPort}`,
                "--initial-cluster", `local=http://127.0.0.1:${peerPort}`,
                "--unsafe-no-fsync", "--max-request-bytes", "33554432",
                "--quota-backend-bytes", "4294967296", "--log-level", "warn",
            ], P.etcdLog);
            started.push({ pid: state.etcd.pid, bin: "etcd" });
            writeState(opts.stateDir, state);
            const pid = state.etcd.pid;
            await waitFor("etcd", () => etcdHealthy(clientPort), () => isRunning(pid, "etcd"), P.etcdLog);
            log(`etcd running (pid ${pid}, 127.0.0.1:${clientPort})`);
        }

        for (const c of state.clusters) {
            const dir = P.clusterDir(c.name);
            fs.mkdirSync(dir, { recursive: true });
            if (!isRunning(c.apiserverPid, "kube-apiserver")) {
                const logFile = path.join(dir, "kube-apiserver.log");
                c.apiserverPid = startProcess("kube-apiserver", [
                    `--etcd-servers=http://127.0.0.1:${state.etcd.clientPort}`,
                    `--etcd-prefix=/pipeline-service-local/${c.name}/registry`,
                    "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", `--secure-port=${c.port}`,
                    `--tls-cert-file=${path.join(P.pki, "serving.crt")}`, `--tls-private-key-file=${path.join(P.pki, "serving.key")}`,
                    `--token-auth-file=${path.join(P.dir, "tokens.csv")}`, "--authorization-mode=RBAC",
                    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                    `--service-account-key-file=${path.join(P.pki, "sa.pub")}`,
                    `--service-account-signing-key-file=${path.join(P.pki, "sa.key")}`,
                    "--service-cluster-ip-range=10.96.0.0/16", "--allow-privileged=true", "--profiling=false",
                    "--endpoint-reconciler-type=none", "--enable-priority-and-fairness=false",
                    `--cert-dir=${path.join(dir, "certs")}`, "--v=0",
                ], logFile);
                started.push({ pid: c.apiserverPid, bin: "kube-apiserver" });
                writeState(opts.stateDir, state);
                const pid = c.apiserverPid;
                await waitFor(`kube-apiserver of ${c.name}`, () => httpsOk(c.port, state!.token, ca, "/readyz"),
                    () => isRunning(pid, "kube-apiserver"), logFile);
                log(`${c.name}: kube-apiserver running (pid ${pid}, https://127.0.0.1:${c.port})`);
            }
            if (!isRunning(c.controllerManagerPid, "kube-controller-manager")) {
                const kc = path.join(dir, "controller-manager.kubeconfig");
                fs.writeFileSync(kc, kubeconfigFor(state, P.pki, c.name), { mode: 0o600 });
                c.controllerManagerPid = startProcess("kube-controller-manager", [
                    `--kubeconfig=${kc}`, "--controllers=namespace,garbagecollector,serviceaccount-token",
                    `--service-account-private-key-file=${path.join(P.pki, "sa.key")}`,
                    `--root-ca-file=${path.join(P.pki, "ca.crt")}`,
                    "--leader-elect=false", "--secure-port=0", "--v=0",
                ], path.join(dir, "kube-controller-manager.log"));
                started.push({ pid: c.controllerManagerPid, bin: "kube-controller-manager" });
                writeState(opts.stateDir, state);
            }
        }

        fs.writeFileSync(P.kubeconfig, kubeconfigFor(state, P.pki), { mode: 0o600 });
        const key = crdsKey();
        if (state.crdsInstalled !== key) {
            installCrds(state, P.kubeconfig);
            state.crdsInstalled = key;
            writeState(opts.stateDir, state);
        }
        // The controller managers must still be alive after their first seconds (a bad flag exits at once).
        for (const c of state.clusters) {
            if (!isRunning(c.controllerManagerPid, "kube-controller-manager")) {
                const logFile = path.join(P.clusterDir(c.name), "kube-controller-manager.log");
                throw new Error(`kube-controller-manager of ${c.name} exited; last lines of ${logFile}:\n${tail(logFile)}`);
            }
        }
        log(`up: ${state.clusters.map((c) => c.name).join(", ")}; KUBECONFIG=${P.kubeconfig}`);
    } catch (e) {
        for (const s of started.reverse()) await stop(s.pid, s.bin);
        throw e;
    }
}

async function stop(pid: number | undefined, bin: string): Promise<void> {
    if (!isRunning(pid, bin)) return;
    process.kill(pid!, "SIGTERM");
    for (let i = 0; i < 100 && isRunning(pid, bin); i++) await new Promise((r) => setTimeout(r, 100));
    if (isRunning(pid, bin)) process.kill(pid!, "SIGKILL");
    for (let i = 0; i < 50 && isRunning(pid, bin); i++) await new Promise((r) => setTimeout(r, 100));
    if (isRunning(pid, bin)) throw new Error(`${bin} (pid ${pid}) did not stop`);
}

async function down(opts: Options): Promise<void> {
    const P = paths(opts.stateDir);
    const state = readState(opts.stateDir);
    if (state) {
        for (const c of state.clusters) {
            await stop(c.controllerManagerPid, "kube-controller-manager");
            await stop(c.apiserverPid, "kube-apiserver");
            c.controllerManagerPid = undefined;
            c.apiserverPid = undefined;
        }
        await stop(state.etcd.pid, "etcd");
        state.etcd.pid = undefined;
        writeState(opts.stateDir, state);
        log(`down: stopped ${state.clusters.length} clusters and etcd`);
    } else {
        log(`down: nothing was running in ${opts.stateDir}`);
    }
    if (opts.purge) {
        fs.rmSync(P.dir, { recursive: true, force: true });
        fs.rmSync(P.kubeconfig, { force: true });
        log(`down: removed ${P.dir} and ${P.kubeconfig}`);
    }
}

async function status(opts: Options): Promise<boolean> {
    const P = paths(opts.stateDir);
    const state = readState(opts.stateDir);
    if (!state) {
        if (opts.json) console.log(JSON.stringify({ running: false, clusters: [] }));
        else console.log(`no local control plane in ${opts.stateDir} (start one with \`npm run cluster -- up\`)`);
        return false;
    }
    const ca = fs.existsSync(path.join(P.pki, "ca.crt")) ? fs.readFileSync(path.join(P.pki, "ca.crt")) : Buffer.from("");
    const rows = [];
    const etcdUp = isRunning(state.etcd.pid, "etcd");
    rows.push({ name: "etcd", role: "storage", pid: etcdUp ? state.etcd.pid : undefined,
        endpoint: `http://127.0.0.1:${state.etcd.clientPort}`, state: etcdUp ? "running" : "stopped" });
    for (const c of state.clusters) {
        const up = isRunning(c.apiserverPid, "kube-apiserver");
        const ready = up && (await httpsOk(c.port, state.token, ca, "/readyz"));
        const kcm = isRunning(c.controllerManagerPid, "kube-controller-manager");
        rows.push({ name: c.name, role: c.role, pid: up ? c.apiserverPid : undefined, endpoint: `https://127.0.0.1:${c.port}`,
            state: ready ? (kcm ? "ready" : "ready (controller manager stopped)") : up ? "starting" : "stopped",
            controllerManagerPid: kcm ? c.controllerManagerPid : undefined });
    }
    const allReady = etcdUp && rows.slice(1).every((r) => r.state === "ready");
    if (opts.json) {
        console.log(JSON.stringify({ running: allReady, kubeconfig: P.kubeconfig, clusters: rows }, null, 2));
    } else {
        console.log(`kubeconfig: ${P.kubeconfig}`);
        console.log(["NAME".padEnd(12), "ROLE".padEnd(8), "PID".padEnd(8), "ENDPOINT".padEnd(26), "STATE"].join(" "));
        for (const r of rows) {
            console.log([r.name.padEnd(12), r.role.padEnd(8), String(r.pid ?? "-").padEnd(8), r.endpoint.padEnd(26), r.state].join(" "));
        }
    }
    return allReady;
}

async function main(): Promise<void> {
    let opts: Options;
    try {
        opts = parseArgs(process.argv.slice(2));
    } catch (e) {
        console.error(`error: cluster: ${(e as Error).message}`);
        console.error("usage: npm run cluster -- up [--clusters N] [--port-base P] [--state-dir DIR] | down [--purge] | status [--json]");
        process.exit(2);
    }
    try {
        if (opts.command === "up") await up(opts);
        else if (opts.command === "down") await down(opts);
        else process.exitCode = (await status(opts)) ? 0 : 3;
    } catch (e) {
        console.error(`error: cluster ${opts.command}: ${(e as Error).message}`);
        process.exit(1);
    }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    await main();
}
