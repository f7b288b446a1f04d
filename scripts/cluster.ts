/**
 * The local control plane: `npm run cluster -- up|down|status [options]` and `npm run cluster -- syncers start|stop|status`.
 *
 * On loopback only:
 * - `kcp`: the real kcp v0.11.0 server (`kcp start`, built by scripts/tools.sh), with its own ports (secure port and
 *   embedded etcd) and its own data dir. `up` creates the workspaces the local stack uses and waits until each is
 *   Ready: `root:pipeline-service`, the compute workspace (`pipeline-service:kcp.workspace`, default
 *   `root:pipeline-service:compute`) and the tenant workspaces (`pipeline-service:tenants` and
 *   `kcp.consumerWorkspaces`, default `root:pipeline-service:tenant-a` and `root:pipeline-service:tenant-b`), read from
 *   the stack file.
 * - `compute-1..N` (default N=2): one shared etcd and, per cluster, a kube-apiserver (own port, own etcd prefix) plus a
 *   kube-controller-manager that runs only the `namespace`, `garbagecollector` and `serviceaccount-token`
 *   controllers, so deletes finish the way they do on a real cluster. They get the real upstream CRDs from
 *   tools/versions.json `crds` (the Tekton ones with conversion `None`: no conversion webhook runs here), the
 *   namespaces OpenShift and the GitOps operator would have created, and a `default/kubernetes` Endpoints object
 *   (see {@link KUBERNETES_ENDPOINTS}). No scheduler or kubelet runs.
 *
 * There is no kubelet, so `syncers start` runs every kcp syncer the stack deployed as a local `syncer` process (see
 * {@link startSyncers}); `down` stops them by pid with everything else.
 *
 * Files (default state dir `.local/`, gitignored):
 *   .local/kubeconfig           one kubeconfig: contexts `kcp` (the compute workspace), `kcp-root`, `compute-1`, ...
 *   .local/cluster/state.json   pids, ports and the cluster list
 *   .local/cluster/<name>/      logs, certificates, the controller manager's kubeconfig; kcp's data dir
 *   .local/cluster/syncers/     per syncer: its log and its two kubeconfigs (0600)
 *
 * Options: --clusters N (compute clusters, 1..16, default 2), --state-dir DIR, --port-base P (fixed ports
 * P, P+1, ... instead of free ones), --stack-file F (default Pulumi.local.yaml in the working directory, else the
 * project's), --purge (down: also delete the data), --json (status).
 * Exit status: 0 on success; 1 with a message naming the process, port or object on any failure, after stopping
 * whatever this run had started; status: 3 when not everything runs.
 */
import { execFileSync, spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { tenantWorkspace } from "../lib/config/tenants.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface ClusterEntry {
    name: string;
    role: "kcp" | "compute";
    /** The kube-apiserver's (compute) or the kcp server's (kcp) secure port. */
    port: number;
    apiserverPid?: number;
    controllerManagerPid?: number;
    /** kcp only: the `kcp start` process and its embedded etcd's ports. */
    kcpPid?: number;
    etcdClientPort?: number;
    etcdPeerPort?: number;
}

export interface SyncerEntry {
    /** The compute cluster (context) the syncer's Deployment is on. */
    cluster: string;
    namespace: string;
    deployment: string;
    syncTarget: string;
    /** The `--from-cluster` workspace path of the Deployment. */
    workspace: string;
    pid?: number;
    /** sha256 of what the process was started from (args, env, both kubeconfigs), to restart it when that changes. */
    key?: string;
    logFile: string;
}

export interface State {
    version: 2;
    etcd: { clientPort: number; peerPort: number; pid?: number };
    clusters: ClusterEntry[];
    token: string;
    crdsInstalled?: string;
    /** The workspaces `up` made Ready. */
    workspaces?: string[];
    syncers?: SyncerEntry[];
}

type Command = "up" | "down" | "status" | "syncers";
type SyncersCommand = "start" | "stop" | "status";

interface Options {
    command: Command;
    syncers?: SyncersCommand;
    clusters: number;
    stateDir: string;
    portBase?: number;
    stackFile?: string;
    purge: boolean;
    json: boolean;
}

class UsageError extends Error {}

export function parseArgs(argv: string[]): Options {
    const [command, ...rest] = argv;
    if (command !== "up" && command !== "down" && command !== "status" && command !== "syncers") {
        throw new UsageError(`expected a command: up, down, status or syncers (got '${command ?? ""}')`);
    }
    const opts: Options = {
        command,
        clusters: 2,
        stateDir: path.join(ROOT, ".local"),
        purge: false,
        json: false,
    };
    if (command === "syncers") {
        const sub = rest.shift();
        if (sub !== "start" && sub !== "stop" && sub !== "status") {
            throw new UsageError(`syncers: expected start, stop or status (got '${sub ?? ""}')`);
        }
        opts.syncers = sub;
    }
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
            case "--stack-file":
                opts.stackFile = path.resolve(value());
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
    /** kcp's --root-directory; kcp writes admin.kubeconfig there. */
    kcpData: path.join(stateDir, "cluster", "kcp", "data"),
    kcpLog: path.join(stateDir, "cluster", "kcp", "kcp.log"),
    syncerDir: (cluster: string, ns: string, deployment: string) =>
        path.join(stateDir, "cluster", "syncers", cluster, `${ns}.${deployment}`),
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
    // 0600: it holds the control plane's system:masters token (and so does every kubeconfig written beside it).
    fs.writeFileSync(p + ".tmp", JSON.stringify(state, null, 2), { mode: 0o600 });
    fs.chmodSync(p + ".tmp", 0o600);
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
    openssl([
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "3650",
        "-subj",
        "/CN=pipeline-service-local-ca",
        "-keyout",
        p("ca.key"),
        "-out",
        p("ca.crt"),
    ]);
    fs.writeFileSync(
        p("serving.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n",
    );
    openssl([
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=kube-apiserver",
        "-keyout",
        p("serving.key"),
        "-out",
        p("serving.csr"),
    ]);
    openssl([
        "x509",
        "-req",
        "-in",
        p("serving.csr"),
        "-CA",
        p("ca.crt"),
        "-CAkey",
        p("ca.key"),
        "-CAcreateserial",
        "-days",
        "3650",
        "-extfile",
        p("serving.ext"),
        "-out",
        p("serving.crt"),
    ]);
    openssl(["genrsa", "-out", p("sa.key"), "2048"]);
    openssl(["rsa", "-in", p("sa.key"), "-pubout", "-out", p("sa.pub")]);
}

/** kcp's own credentials, from the admin.kubeconfig `kcp start` writes into its root directory. */
interface KcpAdmin {
    caData: string;
    token: string;
}

function readKcpAdmin(kcpData: string): KcpAdmin | undefined {
    const f = path.join(kcpData, "admin.kubeconfig");
    if (!fs.existsSync(f)) return undefined;
    const doc = YAML.parse(fs.readFileSync(f, "utf8")) as {
        clusters?: { name: string; cluster: { "certificate-authority-data"?: string } }[];
        users?: { name: string; user: { token?: string } }[];
        contexts?: { name: string; context: { cluster: string; user: string } }[];
    };
    // The `root` context is kcp's admin in the root workspace (kcp v0.11.0 pkg/server/options/authentication.go).
    const ctx = doc.contexts?.find((c) => c.name === "root") ?? doc.contexts?.[0];
    const cluster = doc.clusters?.find((c) => c.name === ctx?.context.cluster);
    const user = doc.users?.find((u) => u.name === ctx?.context.user);
    const caData = cluster?.cluster["certificate-authority-data"];
    const token = user?.user.token;
    if (!caData || !token) return undefined;
    return { caData, token };
}

/** The contexts: `kcp` (the compute workspace, what the program's kcp provider uses), `kcp-root`, each compute cluster. */
function kubeconfigFor(
    state: State,
    pki: string,
    opts: { only?: string; kcp?: KcpAdmin; workspace?: string } = {},
): string {
    const ca = fs.readFileSync(path.join(pki, "ca.crt")).toString("base64");
    const compute = state.clusters.filter((c) => c.role === "compute" && (!opts.only || c.name === opts.only));
    const kcp = state.clusters.find((c) => c.role === "kcp");
    const clusters: object[] = compute.map((c) => ({
        name: c.name,
        cluster: { server: `https://127.0.0.1:${c.port}`, "certificate-authority-data": ca },
    }));
    const users: object[] = [{ name: "admin", user: { token: state.token } }];
    const contexts: object[] = compute.map((c) => ({ name: c.name, context: { cluster: c.name, user: "admin" } }));
    if (kcp && opts.kcp && !opts.only) {
        const base = `https://127.0.0.1:${kcp.port}/clusters`;
        clusters.unshift(
            {
                name: "kcp",
                cluster: {
                    server: `${base}/${opts.workspace ?? COMPUTE_WORKSPACE}`,
                    "certificate-authority-data": opts.kcp.caData,
                },
            },
            { name: "kcp-root", cluster: { server: `${base}/root`, "certificate-authority-data": opts.kcp.caData } },
        );
        users.push({ name: "kcp-admin", user: { token: opts.kcp.token } });
        contexts.unshift(
            { name: "kcp", context: { cluster: "kcp", user: "kcp-admin" } },
            { name: "kcp-root", context: { cluster: "kcp-root", user: "kcp-admin" } },
        );
    }
    const doc = {
        apiVersion: "v1",
        kind: "Config",
        preferences: {},
        clusters,
        users,
        contexts,
        "current-context": compute[0]?.name ?? "kcp",
    };
    return YAML.stringify(doc);
}

function startProcess(bin: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): number {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const out = fs.openSync(logFile, "a");
    const child = spawn(which(bin), args, { detached: true, stdio: ["ignore", out, out], env: env ?? process.env });
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

async function httpsOk(port: number, token: string, ca: Buffer | string, urlPath: string): Promise<boolean> {
    return new Promise((resolve) => {
        const req = https.request(
            {
                host: "127.0.0.1",
                port,
                path: urlPath,
                ca,
                headers: { Authorization: `Bearer ${token}` },
                timeout: 2000,
            },
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

async function waitFor(
    what: string,
    check: () => Promise<boolean>,
    alive: () => boolean,
    logFile: string,
    timeoutMs = 120_000,
): Promise<void> {
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

interface CrdSet {
    module: string;
    version: string;
    on: string;
    files: string[];
    /** `None`: install with `spec.conversion: {strategy: None}` (the CRDs declare a conversion webhook none runs here). */
    conversion?: "None";
}

function crdSets(): Record<string, CrdSet> {
    const versions = JSON.parse(fs.readFileSync(path.join(ROOT, "tools", "versions.json"), "utf8")) as {
        crds: Record<string, CrdSet | string>;
    };
    return Object.fromEntries(
        Object.entries(versions.crds).filter((e): e is [string, CrdSet] => typeof e[1] !== "string"),
    );
}

/** Pinned CRD sets from tools/versions.json, resolved to files in the Go module cache. */
export function crdFiles(role: "compute"): { file: string; conversion?: "None" }[] {
    const files: { file: string; conversion?: "None" }[] = [];
    for (const [key, set] of Object.entries(crdSets())) {
        if (set.on !== role) continue;
        let out: string;
        try {
            out = execFileSync("go", ["mod", "download", "-json", `${set.module}@${set.version}`], {
                encoding: "utf8",
                env: { ...process.env, GOFLAGS: "-mod=mod", GOTOOLCHAIN: "local" },
                stdio: ["ignore", "pipe", "pipe"],
            });
        } catch (e) {
            const err = e as { stdout?: string; stderr?: string };
            throw new Error(
                `CRDs ${key} (${set.module}@${set.version}) could not be downloaded from the Go module proxy: ` +
                    `${(err.stdout || err.stderr || String(e)).trim()}`,
            );
        }
        const info = JSON.parse(out) as { Dir?: string; Error?: string };
        if (!info.Dir)
            throw new Error(`CRDs ${key} (${set.module}@${set.version}): ${info.Error ?? "no module directory"}`);
        for (const f of set.files) {
            const full = path.join(info.Dir, f);
            if (!fs.existsSync(full)) throw new Error(`CRDs ${key}: ${f} is not in ${set.module}@${set.version}`);
            files.push({ file: full, conversion: set.conversion });
        }
    }
    return files;
}

/** A CRD file with `spec.conversion` set to `{strategy: None}` (every document of the file). */
export function withoutConversionWebhook(text: string): string {
    return YAML.parseAllDocuments(text)
        .map((d) => d.toJS() as { kind?: string; spec?: Record<string, unknown> } | null)
        .filter((o): o is { kind?: string; spec?: Record<string, unknown> } => !!o)
        .map((o) => {
            if (o.kind === "CustomResourceDefinition" && o.spec) o.spec.conversion = { strategy: "None" };
            return YAML.stringify(o);
        })
        .join("---\n");
}

function kubectl(kubeconfig: string, context: string, args: string[], input?: string): string {
    try {
        return execFileSync(which("kubectl"), ["--kubeconfig", kubeconfig, "--context", context, ...args], {
            encoding: "utf8",
            input,
            stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
            maxBuffer: 256 * 1024 * 1024,
        });
    } catch (e) {
        const err = e as { stderr?: string; message: string };
        throw new Error(
            `kubectl --context ${context} ${args
                .filter((a) => !a.startsWith("--field-manager"))
                .slice(0, 6)
                .join(" ")}: ` + `${(err.stderr || err.message).trim()}`,
        );
    }
}

/** The namespaces OpenShift (and, for openshift-gitops, the GitOps operator) provide on a real cluster. */
export const PLATFORM_NAMESPACES = ["openshift-operators", "openshift-marketplace", "openshift-gitops"];

/**
 * `default/kubernetes` Endpoints: a real cluster's endpoint reconciler writes the apiserver's address there; ours runs
 * with `--endpoint-reconciler-type=none`, and Kubernetes validation refuses loopback IPs in Endpoints. The kcp syncer's
 * DNS processor (kcp v0.11.0 pkg/syncer/spec/dns/dns_process.go processNetworkPolicy) fails every object without it;
 * it only reads the first address into the `ipBlock` of the DNS NetworkPolicy it creates, and nothing enforces
 * NetworkPolicies here. 192.0.2.1 is TEST-NET-1 (RFC 5737, documentation only): nothing here connects to it.
 */
export const KUBERNETES_ENDPOINTS = {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: {
        name: "kubernetes",
        namespace: "default",
        labels: { "pipeline-service.local/platform-stand-in": "true" },
    },
    subsets: [{ addresses: [{ ip: "192.0.2.1" }], ports: [{ name: "https", port: 6443, protocol: "TCP" }] }],
};

function installCrds(state: State, kubeconfig: string, dir: string): void {
    const files = crdFiles("compute");
    // The CRDs whose conversion webhook cannot run here, rewritten once under the state dir.
    const rewritten = path.join(dir, "crds");
    fs.mkdirSync(rewritten, { recursive: true });
    const applied = files.map((f, i) => {
        if (f.conversion !== "None") return f.file;
        const out = path.join(rewritten, `${i}-${path.basename(f.file)}`);
        fs.writeFileSync(out, withoutConversionWebhook(fs.readFileSync(f.file, "utf8")));
        return out;
    });
    const platform = [
        ...PLATFORM_NAMESPACES.map((n) => ({
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: n, labels: { "pipeline-service.local/platform-stand-in": "true" } },
        })),
        KUBERNETES_ENDPOINTS,
    ]
        .map((o) => YAML.stringify(o))
        .join("---\n");
    for (const c of state.clusters.filter((x) => x.role === "compute")) {
        const start = Date.now();
        kubectl(kubeconfig, c.name, [
            "apply",
            "--server-side",
            "--force-conflicts",
            "--field-manager=pipeline-service-cluster",
            ...applied.flatMap((f) => ["-f", f]),
        ]);
        kubectl(kubeconfig, c.name, ["wait", "--for=condition=Established", "crd", "--all", "--timeout=120s"]);
        kubectl(
            kubeconfig,
            c.name,
            ["apply", "--server-side", "--force-conflicts", "--field-manager=pipeline-service-cluster", "-f", "-"],
            platform,
        );
        log(`${c.name}: ${files.length} CRDs established in ${((Date.now() - start) / 1000).toFixed(1)}s`);
    }
}

/** What the compute clusters get besides the CRDs; a change here re-applies them on the next `up`. */
const PLATFORM_VERSION = "namespaces+kubernetes-endpoints-v1";

function crdsKey(): string {
    return crypto
        .createHash("sha256")
        .update(JSON.stringify(crdSets()))
        .update(PLATFORM_VERSION)
        .digest("hex")
        .slice(0, 16);
}

// ---------------------------------------------------------------------------------------------------------------
// kcp workspaces

/** The program's default compute workspace (lib/config.ts DEFAULTS kcp.workspace). */
export const COMPUTE_WORKSPACE = "root:pipeline-service:compute";
/** The tenant workspaces of the local stack when its stack file names none. */
export const DEFAULT_TENANT_WORKSPACES = ["root:pipeline-service:tenant-a", "root:pipeline-service:tenant-b"];
const WORKSPACE_PATH = /^root(:[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function defaultStackFile(): string {
    const here = path.join(process.cwd(), "Pulumi.local.yaml");
    return fs.existsSync(here) ? here : path.join(ROOT, "Pulumi.local.yaml");
}

/**
 * The workspaces the local stack uses, from its stack file: `pipeline-service:kcp.workspace` (the compute workspace),
 * `pipeline-service:kcp.consumerWorkspaces` (entries are paths, or objects with `path` or `workspace`) and the
 * workspace of each `pipeline-service:tenants` entry (`<platform>:<name>`, lib/config/tenants.ts `tenantWorkspace`).
 * The program declares the tenant workspaces too (components/tenants.ts) and adopts these; creating them here keeps
 * the first `up` from waiting on their initialization.
 */
export function stackWorkspaces(stackFile: string): { compute: string; tenants: string[] } {
    let kcp: { workspace?: unknown; consumerWorkspaces?: unknown } = {};
    let tenantEntries: unknown;
    if (fs.existsSync(stackFile)) {
        const doc = YAML.parse(fs.readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> } | null;
        kcp = (doc?.config?.["pipeline-service:kcp"] as typeof kcp | undefined) ?? {};
        tenantEntries = doc?.config?.["pipeline-service:tenants"];
    }
    const compute = typeof kcp.workspace === "string" ? kcp.workspace : COMPUTE_WORKSPACE;
    const fromTenants = Array.isArray(tenantEntries)
        ? tenantEntries.map((t, i) => {
              const name = (t as { name?: unknown } | null)?.name;
              if (typeof name !== "string")
                  throw new Error(
                      `${stackFile}: pipeline-service:tenants[${i}].name must be a tenant name, got ${JSON.stringify(t)}`,
                  );
              return tenantWorkspace(compute, name);
          })
        : undefined;
    let tenants = fromTenants ?? DEFAULT_TENANT_WORKSPACES;
    if (Array.isArray(kcp.consumerWorkspaces)) {
        tenants = [
            ...(fromTenants ?? []),
            ...kcp.consumerWorkspaces.map((w, i) => {
                const p =
                    typeof w === "string"
                        ? w
                        : ((w as { path?: unknown; workspace?: unknown } | null)?.path ??
                          (w as { workspace?: unknown } | null)?.workspace);
                if (typeof p !== "string") {
                    throw new Error(
                        `${stackFile}: pipeline-service:kcp.consumerWorkspaces[${i}] must be a workspace path ` +
                            `(or an object with 'path'), got ${JSON.stringify(w)}`,
                    );
                }
                return p;
            }),
        ];
    }
    for (const w of [compute, ...tenants]) {
        if (!WORKSPACE_PATH.test(w) || w === "root") {
            throw new Error(
                `${stackFile}: '${w}' is not a kcp workspace path below root, like root:pipeline-service:compute`,
            );
        }
    }
    return { compute, tenants };
}

/** Every workspace to create, parents first: `root:a:b` → `root:a`, `root:a:b`. */
export function workspacesToCreate(paths: string[]): string[] {
    const out: string[] = [];
    for (const p of paths) {
        const parts = p.split(":");
        for (let i = 2; i <= parts.length; i++) {
            const w = parts.slice(0, i).join(":");
            if (!out.includes(w)) out.push(w);
        }
    }
    return out;
}

/**
 * Create each workspace (a `tenancy.kcp.io/v1alpha1` Workspace of type `root:universal` in its parent, as
 * `kubectl kcp workspace create NAME --type=universal` does) and wait until it is Ready. The universal type binds
 * tenancy, scheduling, workload (SyncTarget), apiresource and topology from root (kcp v0.11.0
 * config/root/workspacetype-universal.yaml), so the program's SyncTargets can be created there.
 */
function ensureWorkspaces(kubeconfig: string, kcpPort: number, workspaces: string[]): void {
    const start = Date.now();
    for (const w of workspaces) {
        const parent = w.slice(0, w.lastIndexOf(":"));
        const name = w.slice(w.lastIndexOf(":") + 1);
        const inParent = ["--server", `https://127.0.0.1:${kcpPort}/clusters/${parent}`];
        const doc = YAML.stringify({
            apiVersion: "tenancy.kcp.io/v1alpha1",
            kind: "Workspace",
            metadata: { name },
            spec: { type: { name: "universal", path: "root" } },
        });
        kubectl(
            kubeconfig,
            "kcp-root",
            [...inParent, "apply", "--server-side", "--field-manager=pipeline-service-cluster", "-f", "-"],
            doc,
        );
        try {
            kubectl(kubeconfig, "kcp-root", [
                ...inParent,
                "wait",
                "--for=jsonpath={.status.phase}=Ready",
                `workspace/${name}`,
                "--timeout=180s",
            ]);
        } catch (e) {
            throw new Error(`kcp workspace ${w} did not become Ready: ${(e as Error).message}`);
        }
    }
    log(`kcp: workspaces ${workspaces.join(", ")} Ready in ${((Date.now() - start) / 1000).toFixed(1)}s`);
}

// ---------------------------------------------------------------------------------------------------------------
// up, down, status

async function up(opts: Options): Promise<void> {
    const P = paths(opts.stateDir);
    for (const bin of ["etcd", "kube-apiserver", "kube-controller-manager", "kubectl", "kcp", "openssl", "go"])
        which(bin);
    const workspaces = stackWorkspaces(opts.stackFile ?? defaultStackFile());
    let state = readState(opts.stateDir);
    const wanted = ["kcp", ...Array.from({ length: opts.clusters }, (_, i) => `compute-${i + 1}`)];

    if (state && state.version !== 2) {
        throw new Error(
            `the control plane in ${opts.stateDir} was made by an older version (with a kcp stand-in): ` +
                `run \`npm run cluster -- down --purge\` first, or use another --state-dir`,
        );
    }
    if (state) {
        const have = state.clusters.map((c) => c.name).join(",");
        const anyRunning =
            isRunning(state.etcd.pid, "etcd") ||
            state.clusters.some((c) => isRunning(c.apiserverPid, "kube-apiserver") || isRunning(c.kcpPid, "kcp"));
        if (have !== wanted.join(",")) {
            if (anyRunning || fs.existsSync(P.etcdData)) {
                throw new Error(
                    `the control plane in ${opts.stateDir} has clusters ${have}, not ${wanted.join(",")}: ` +
                        `run \`npm run cluster -- down --purge\` first, or use another --state-dir`,
                );
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
                version: 2,
                etcd: { clientPort: await next(0), peerPort: await next(1) },
                clusters: [],
                token: crypto.randomBytes(24).toString("hex"),
            };
            for (const [i, name] of wanted.entries()) {
                state.clusters.push({ name, role: name === "kcp" ? "kcp" : "compute", port: await next(2 + i) });
            }
            // kcp's embedded etcd, after every cluster's port.
            const kcpEntry = state.clusters.find((c) => c.role === "kcp")!;
            kcpEntry.etcdClientPort = await next(2 + wanted.length);
            kcpEntry.etcdPeerPort = await next(3 + wanted.length);
        }
        ensurePki(P.pki);
        fs.mkdirSync(P.dir, { recursive: true });
        fs.writeFileSync(path.join(P.dir, "tokens.csv"), `${state.token},admin,admin,system:masters\n`, {
            mode: 0o600,
        });

        // Refuse ports other processes hold, naming the port and what it was meant for.
        const need: [number, string][] = [];
        if (!isRunning(state.etcd.pid, "etcd")) {
            need.push([state.etcd.clientPort, "etcd client"], [state.etcd.peerPort, "etcd peer"]);
        }
        for (const c of state.clusters) {
            if (c.role === "kcp" && !isRunning(c.kcpPid, "kcp")) {
                need.push(
                    [c.port, "kcp server"],
                    [c.etcdClientPort!, "kcp's embedded etcd client"],
                    [c.etcdPeerPort!, "kcp's embedded etcd peer"],
                );
            }
            if (c.role === "compute" && !isRunning(c.apiserverPid, "kube-apiserver"))
                need.push([c.port, `kube-apiserver of ${c.name}`]);
        }
        for (const [port, what] of need) {
            if (!(await portIsFree(port))) {
                throw new Error(
                    `port ${port} (for the ${what}) is already taken by another process; stop that process, ` +
                        `or start the control plane with other ports (\`npm run cluster -- down --purge\`, then ` +
                        `\`npm run cluster -- up --port-base <P>\`)`,
                );
            }
        }

        const ca = fs.readFileSync(path.join(P.pki, "ca.crt"));
        const kcpEntry = state.clusters.find((c) => c.role === "kcp")!;
        // kcp first: it takes the longest to become ready (about 20-30 s), and the compute clusters start meanwhile.
        let kcpStarting: number | undefined;
        if (!isRunning(kcpEntry.kcpPid, "kcp")) {
            fs.mkdirSync(P.kcpData, { recursive: true });
            const base = `https://127.0.0.1:${kcpEntry.port}`;
            // The flags of ../shared/docs/real-controllers.md §2: without the three --shard-*-url flags kcp advertises the
            // host's non-loopback address and workspaces never become Ready.
            kcpEntry.kcpPid = startProcess(
                "kcp",
                [
                    "start",
                    `--root-directory=${P.kcpData}`,
                    "--bind-address=127.0.0.1",
                    `--secure-port=${kcpEntry.port}`,
                    `--embedded-etcd-client-port=${kcpEntry.etcdClientPort}`,
                    `--embedded-etcd-peer-port=${kcpEntry.etcdPeerPort}`,
                    "--external-hostname=127.0.0.1",
                    `--shard-base-url=${base}`,
                    `--shard-external-url=${base}`,
                    `--shard-virtual-workspace-url=${base}`,
                    "--v=1",
                ],
                P.kcpLog,
            );
            started.push({ pid: kcpEntry.kcpPid, bin: "kcp" });
            kcpStarting = kcpEntry.kcpPid;
            writeState(opts.stateDir, state);
        }

        if (!isRunning(state.etcd.pid, "etcd")) {
            const { clientPort, peerPort } = state.etcd;
            state.etcd.pid = startProcess(
                "etcd",
                [
                    "--name",
                    "local",
                    "--data-dir",
                    P.etcdData,
                    "--listen-client-urls",
                    `http://127.0.0.1:${clientPort}`,
                    "--advertise-client-urls",
                    `http://127.0.0.1:${clientPort}`,
                    "--listen-peer-urls",
                    `http://127.0.0.1:${peerPort}`,
                    "--initial-advertise-peer-urls",
                    `http://127.0.0.1:${peerPort}`,
                    "--initial-cluster",
                    `local=http://127.0.0.1:${peerPort}`,
                    "--unsafe-no-fsync",
                    "--max-request-bytes",
                    "33554432",
                    "--quota-backend-bytes",
                    "4294967296",
                    "--log-level",
                    "warn",
                ],
                P.etcdLog,
            );
            started.push({ pid: state.etcd.pid, bin: "etcd" });
            writeState(opts.stateDir, state);
            const pid = state.etcd.pid;
            await waitFor(
                "etcd",
                () => etcdHealthy(clientPort),
                () => isRunning(pid, "etcd"),
                P.etcdLog,
            );
            log(`etcd running (pid ${pid}, 127.0.0.1:${clientPort})`);
        }

        for (const c of state.clusters.filter((x) => x.role === "compute")) {
            const dir = P.clusterDir(c.name);
            fs.mkdirSync(dir, { recursive: true });
            if (!isRunning(c.apiserverPid, "kube-apiserver")) {
                const logFile = path.join(dir, "kube-apiserver.log");
                c.apiserverPid = startProcess(
                    "kube-apiserver",
                    [
                        `--etcd-servers=http://127.0.0.1:${state.etcd.clientPort}`,
                        `--etcd-prefix=/pipeline-service-local/${c.name}/registry`,
                        "--bind-address=127.0.0.1",
                        "--advertise-address=127.0.0.1",
                        `--secure-port=${c.port}`,
                        `--tls-cert-file=${path.join(P.pki, "serving.crt")}`,
                        `--tls-private-key-file=${path.join(P.pki, "serving.key")}`,
                        `--token-auth-file=${path.join(P.dir, "tokens.csv")}`,
                        "--authorization-mode=RBAC",
                        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                        `--service-account-key-file=${path.join(P.pki, "sa.pub")}`,
                        `--service-account-signing-key-file=${path.join(P.pki, "sa.key")}`,
                        "--service-cluster-ip-range=10.96.0.0/16",
                        "--allow-privileged=true",
                        "--profiling=false",
                        "--endpoint-reconciler-type=none",
                        "--enable-priority-and-fairness=false",
                        `--cert-dir=${path.join(dir, "certs")}`,
                        "--v=0",
                    ],
                    logFile,
                );
                started.push({ pid: c.apiserverPid, bin: "kube-apiserver" });
                writeState(opts.stateDir, state);
                const pid = c.apiserverPid;
                await waitFor(
                    `kube-apiserver of ${c.name}`,
                    () => httpsOk(c.port, state!.token, ca, "/readyz"),
                    () => isRunning(pid, "kube-apiserver"),
                    logFile,
                );
                log(`${c.name}: kube-apiserver running (pid ${pid}, https://127.0.0.1:${c.port})`);
            }
            if (!isRunning(c.controllerManagerPid, "kube-controller-manager")) {
                const kc = path.join(dir, "controller-manager.kubeconfig");
                fs.writeFileSync(kc, kubeconfigFor(state, P.pki, { only: c.name }), { mode: 0o600 });
                c.controllerManagerPid = startProcess(
                    "kube-controller-manager",
                    [
                        `--kubeconfig=${kc}`,
                        "--controllers=namespace,garbagecollector,serviceaccount-token",
                        `--service-account-private-key-file=${path.join(P.pki, "sa.key")}`,
                        `--root-ca-file=${path.join(P.pki, "ca.crt")}`,
                        "--leader-elect=false",
                        "--secure-port=0",
                        "--v=0",
                    ],
                    path.join(dir, "kube-controller-manager.log"),
                );
                started.push({ pid: c.controllerManagerPid, bin: "kube-controller-manager" });
                writeState(opts.stateDir, state);
            }
        }

        // kcp: ready when its admin.kubeconfig exists and /readyz answers 200 with that admin's token.
        if (kcpStarting !== undefined) {
            const pid = kcpStarting;
            const t0 = Date.now();
            await waitFor(
                "kcp",
                async () => {
                    const admin = readKcpAdmin(P.kcpData);
                    return (
                        !!admin && httpsOk(kcpEntry.port, admin.token, Buffer.from(admin.caData, "base64"), "/readyz")
                    );
                },
                () => isRunning(pid, "kcp"),
                P.kcpLog,
                300_000,
            );
            log(
                `kcp running (pid ${pid}, https://127.0.0.1:${kcpEntry.port}), ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`,
            );
        }
        const admin = readKcpAdmin(P.kcpData);
        if (!admin) throw new Error(`kcp wrote no usable ${path.join(P.kcpData, "admin.kubeconfig")}; see ${P.kcpLog}`);

        fs.writeFileSync(P.kubeconfig, kubeconfigFor(state, P.pki, { kcp: admin, workspace: workspaces.compute }), {
            mode: 0o600,
        });
        const key = crdsKey();
        if (state.crdsInstalled !== key) {
            installCrds(state, P.kubeconfig, P.dir);
            state.crdsInstalled = key;
            writeState(opts.stateDir, state);
        }
        const all = workspacesToCreate([workspaces.compute, ...workspaces.tenants]);
        ensureWorkspaces(P.kubeconfig, kcpEntry.port, all);
        state.workspaces = all;
        writeState(opts.stateDir, state);
        // The controller managers must still be alive after their first seconds (a bad flag exits at once).
        for (const c of state.clusters.filter((x) => x.role === "compute")) {
            if (!isRunning(c.controllerManagerPid, "kube-controller-manager")) {
                const logFile = path.join(P.clusterDir(c.name), "kube-controller-manager.log");
                throw new Error(
                    `kube-controller-manager of ${c.name} exited; last lines of ${logFile}:\n${tail(logFile)}`,
                );
            }
        }
        log(`up: ${state.clusters.map((c) => c.name).join(", ")}; KUBECONFIG=${P.kubeconfig}`);
    } catch (e) {
        for (const s of started.reverse()) await stop(s.pid, s.bin);
        throw e;
    }
}

async function stop(pid: number | undefined, bin: string, graceMs = 10_000): Promise<void> {
    if (!isRunning(pid, bin)) return;
    process.kill(pid!, "SIGTERM");
    for (let i = 0; i < graceMs / 100 && isRunning(pid, bin); i++) await new Promise((r) => setTimeout(r, 100));
    if (isRunning(pid, bin)) process.kill(pid!, "SIGKILL");
    for (let i = 0; i < 50 && isRunning(pid, bin); i++) await new Promise((r) => setTimeout(r, 100));
    if (isRunning(pid, bin)) throw new Error(`${bin} (pid ${pid}) did not stop`);
}

/**
 * Stops the External Secrets controllers `scripts/eso.ts start` runs against this control plane (`npm run up` starts
 * them), by the pid files in `<state dir>/eso/`; returns how many were running.
 */
async function stopEso(stateDir: string): Promise<number> {
    const dir = path.join(stateDir, "eso");
    if (!fs.existsSync(dir)) return 0;
    let n = 0;
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".pid"))) {
        const pid = Number(fs.readFileSync(path.join(dir, f), "utf8").trim()) || undefined;
        if (isRunning(pid, "external-secrets")) n++;
        await stop(pid, "external-secrets");
        fs.rmSync(path.join(dir, f), { force: true });
    }
    return n;
}

async function down(opts: Options): Promise<void> {
    const P = paths(opts.stateDir);
    const state = readState(opts.stateDir);
    const eso = await stopEso(opts.stateDir);
    if (eso) log(`down: stopped ${eso} External Secrets controller(s)`);
    if (state) {
        const n = await stopSyncers(state);
        for (const c of state.clusters) {
            await stop(c.controllerManagerPid, "kube-controller-manager");
            await stop(c.apiserverPid, "kube-apiserver");
            await stop(c.kcpPid, "kcp", 20_000);
            c.controllerManagerPid = undefined;
            c.apiserverPid = undefined;
            c.kcpPid = undefined;
        }
        await stop(state.etcd.pid, "etcd");
        state.etcd.pid = undefined;
        writeState(opts.stateDir, state);
        log(
            `down: stopped ${n} syncer(s), kcp, ${state.clusters.filter((c) => c.role === "compute").length} compute clusters and etcd`,
        );
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
    const ca = fs.existsSync(path.join(P.pki, "ca.crt"))
        ? fs.readFileSync(path.join(P.pki, "ca.crt"))
        : Buffer.from("");
    const admin = readKcpAdmin(P.kcpData);
    const rows = [];
    const etcdUp = isRunning(state.etcd.pid, "etcd");
    rows.push({
        name: "etcd",
        role: "storage",
        pid: etcdUp ? state.etcd.pid : undefined,
        endpoint: `http://127.0.0.1:${state.etcd.clientPort}`,
        state: etcdUp ? "running" : "stopped",
    });
    for (const c of state.clusters) {
        if (c.role === "kcp") {
            const up = isRunning(c.kcpPid, "kcp");
            const ready =
                up && !!admin && (await httpsOk(c.port, admin.token, Buffer.from(admin.caData, "base64"), "/readyz"));
            rows.push({
                name: c.name,
                role: c.role,
                pid: up ? c.kcpPid : undefined,
                endpoint: `https://127.0.0.1:${c.port}`,
                state: ready ? "ready" : up ? "starting" : "stopped",
                workspaces: state.workspaces ?? [],
            });
            continue;
        }
        const up = isRunning(c.apiserverPid, "kube-apiserver");
        const ready = up && (await httpsOk(c.port, state.token, ca, "/readyz"));
        const kcm = isRunning(c.controllerManagerPid, "kube-controller-manager");
        rows.push({
            name: c.name,
            role: c.role,
            pid: up ? c.apiserverPid : undefined,
            endpoint: `https://127.0.0.1:${c.port}`,
            state: ready ? (kcm ? "ready" : "ready (controller manager stopped)") : up ? "starting" : "stopped",
            controllerManagerPid: kcm ? c.controllerManagerPid : undefined,
        });
    }
    const syncers = (state.syncers ?? []).map((s) => ({ ...s, running: isRunning(s.pid, "syncer") }));
    const allReady = etcdUp && rows.slice(1).every((r) => r.state === "ready") && syncers.every((s) => s.running);
    if (opts.json) {
        console.log(JSON.stringify({ running: allReady, kubeconfig: P.kubeconfig, clusters: rows, syncers }, null, 2));
    } else {
        console.log(`kubeconfig: ${P.kubeconfig}`);
        console.log(["NAME".padEnd(12), "ROLE".padEnd(8), "PID".padEnd(8), "ENDPOINT".padEnd(26), "STATE"].join(" "));
        for (const r of rows) {
            console.log(
                [
                    r.name.padEnd(12),
                    r.role.padEnd(8),
                    String(r.pid ?? "-").padEnd(8),
                    r.endpoint.padEnd(26),
                    r.state,
                ].join(" "),
            );
        }
        if (state.workspaces?.length) console.log(`kcp workspaces: ${state.workspaces.join(", ")}`);
        for (const s of syncers) {
            console.log(
                `syncer ${s.cluster}/${s.namespace}/${s.deployment} (SyncTarget ${s.syncTarget}): ` +
                    `${s.running ? `running, pid ${s.pid}` : "stopped"}`,
            );
        }
    }
    return allReady;
}

// ---------------------------------------------------------------------------------------------------------------
// syncers: the syncer Deployments of the compute clusters, run as local processes

interface Container {
    name: string;
    command?: string[];
    args?: string[];
    env?: { name: string; value?: string; valueFrom?: Record<string, Record<string, string>> }[];
    volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
}
interface DeploymentObj {
    metadata: { name: string; namespace: string };
    spec: {
        template: {
            spec: {
                serviceAccountName?: string;
                containers: Container[];
                volumes?: { name: string; secret?: { secretName: string; items?: { key: string; path: string }[] } }[];
            };
        };
    };
}

const argValue = (args: string[], flag: string): string | undefined => {
    const i = args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
    if (i < 0) return undefined;
    return args[i] === flag ? args[i + 1] : args[i]!.slice(flag.length + 1);
};
const withArg = (args: string[], flag: string, value: string): string[] => {
    const out: string[] = [];
    let found = false;
    for (let i = 0; i < args.length; i++) {
        if (args[i] === flag) {
            out.push(`${flag}=${value}`);
            i++;
            found = true;
        } else if (args[i]!.startsWith(`${flag}=`)) {
            out.push(`${flag}=${value}`);
            found = true;
        } else {
            out.push(args[i]!);
        }
    }
    if (!found) out.push(`${flag}=${value}`);
    return out;
};

/** The syncer container of a Deployment: the one whose command or args carry `--sync-target-name`. */
export function syncerContainer(d: DeploymentObj): Container | undefined {
    return d.spec.template.spec.containers.find((c) =>
        [...(c.command ?? []), ...(c.args ?? [])].some(
            (a) => a === "--sync-target-name" || a.startsWith("--sync-target-name="),
        ),
    );
}

/** The Secret and key a container reads a file from, through its volume mounts. */
export function secretFileSource(
    d: DeploymentObj,
    c: Container,
    file: string,
): { secret: string; key: string } | undefined {
    const norm = (p: string) => p.replace(/\/+$/, "");
    for (const m of c.volumeMounts ?? []) {
        const mount = norm(m.mountPath);
        let rel: string | undefined;
        if (m.subPath !== undefined && norm(file) === mount) rel = m.subPath;
        else if (m.subPath === undefined && file.startsWith(`${mount}/`)) rel = file.slice(mount.length + 1);
        if (rel === undefined) continue;
        const vol = d.spec.template.spec.volumes?.find((v) => v.name === m.name);
        if (!vol?.secret) continue;
        const item = vol.secret.items?.find((it) => norm(it.path) === rel);
        if (vol.secret.items && !item) continue;
        return { secret: vol.secret.secretName, key: item ? item.key : rel };
    }
    return undefined;
}

interface SyncerPlan {
    entry: SyncerEntry;
    args: string[];
    env: Record<string, string>;
    kcpKubeconfig: string;
    downstreamKubeconfig: string;
    key: string;
}

/** What `syncers start` runs for one syncer Deployment, from the objects deployed on the compute cluster. */
function planSyncer(P: ReturnType<typeof paths>, cluster: ClusterEntry, d: DeploymentObj, c: Container): SyncerPlan {
    const ns = d.metadata.namespace;
    const what = `${cluster.name}: Deployment ${ns}/${d.metadata.name}`;
    // The image's entrypoint (`/ko-app/syncer`) is the local `syncer`; the rest of command and the args are its flags.
    let args = [...(c.command ?? []).slice(1), ...(c.args ?? [])];
    const fromKubeconfig = argValue(args, "--from-kubeconfig");
    if (!fromKubeconfig) throw new Error(`${what}: the syncer container '${c.name}' has no --from-kubeconfig argument`);
    const src = secretFileSource(d, c, fromKubeconfig);
    if (!src) {
        throw new Error(
            `${what}: no Secret volume is mounted at the --from-kubeconfig path ${fromKubeconfig} in container '${c.name}'`,
        );
    }
    const kc = P.kubeconfig;
    let secret: { data?: Record<string, string> };
    try {
        secret = JSON.parse(kubectl(kc, cluster.name, ["get", "secret", src.secret, "-n", ns, "-o", "json"]));
    } catch (e) {
        throw new Error(
            `${what} mounts the Secret ${ns}/${src.secret} at ${fromKubeconfig}, and it cannot be read: ${(e as Error).message}`,
        );
    }
    const data = secret.data?.[src.key];
    if (!data)
        throw new Error(`${what}: the Secret ${ns}/${src.secret} has no key '${src.key}' (the file ${fromKubeconfig})`);
    const kcpKubeconfig = Buffer.from(data, "base64").toString("utf8");

    const sa = d.spec.template.spec.serviceAccountName ?? "default";
    try {
        kubectl(kc, cluster.name, ["get", "serviceaccount", sa, "-n", ns, "-o", "name"]);
    } catch (e) {
        throw new Error(
            `${what} runs as the ServiceAccount ${ns}/${sa}, and it cannot be read: ${(e as Error).message}`,
        );
    }
    // The pod's own credentials: a token of the deployed ServiceAccount (TokenRequest API), so its RBAC is what is tested.
    const token = kubectl(kc, cluster.name, ["create", "token", sa, "-n", ns, "--duration=24h"]).trim();
    const downstreamKubeconfig = YAML.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
            {
                name: cluster.name,
                cluster: {
                    server: `https://127.0.0.1:${cluster.port}`,
                    "certificate-authority-data": fs.readFileSync(path.join(P.pki, "ca.crt")).toString("base64"),
                },
            },
        ],
        users: [{ name: `system:serviceaccount:${ns}:${sa}`, user: { token } }],
        contexts: [
            {
                name: "in-cluster",
                context: { cluster: cluster.name, user: `system:serviceaccount:${ns}:${sa}`, namespace: ns },
            },
        ],
        "current-context": "in-cluster",
    });

    const env: Record<string, string> = {};
    for (const e of c.env ?? []) {
        if (e.value !== undefined) env[e.name] = e.value;
        else if (e.valueFrom?.fieldRef) {
            const field = e.valueFrom.fieldRef.fieldPath;
            if (field === "metadata.namespace") env[e.name] = ns;
            else if (field === "metadata.name") env[e.name] = `${d.metadata.name}-local`;
            else if (field === "spec.serviceAccountName") env[e.name] = sa;
            else
                throw new Error(`${what}: env ${e.name} reads fieldRef ${field}, which a local process cannot provide`);
        } else if (e.valueFrom) {
            throw new Error(
                `${what}: env ${e.name} reads ${Object.keys(e.valueFrom).join(",")}, which a local process cannot provide`,
            );
        } else {
            env[e.name] = "";
        }
    }

    const syncTarget = argValue(args, "--sync-target-name")!;
    const workspace = argValue(args, "--from-cluster") ?? "";
    const dir = P.syncerDir(cluster.name, ns, d.metadata.name);
    args = withArg(args, "--from-kubeconfig", path.join(dir, "kcp.kubeconfig"));
    args = withArg(args, "--to-kubeconfig", path.join(dir, "downstream.kubeconfig"));
    const key = crypto
        .createHash("sha256")
        .update(JSON.stringify([args, env, kcpKubeconfig, cluster.port, sa]))
        .digest("hex")
        .slice(0, 16);
    return {
        entry: {
            cluster: cluster.name,
            namespace: ns,
            deployment: d.metadata.name,
            syncTarget,
            workspace,
            logFile: path.join(dir, "syncer.log"),
        },
        args,
        env,
        kcpKubeconfig,
        downstreamKubeconfig,
        key,
    };
}

/**
 * A condition of a SyncTarget, read from kcp (`status` `Unknown` when there is none yet): `Ready`, or
 * `SyncerAuthorized` (the syncer checked its kcp permissions, kcp v0.11.0 pkg/apis/workload/v1alpha1/synctarget_types.go).
 */
function syncTargetReady(
    P: ReturnType<typeof paths>,
    kcpPort: number,
    workspace: string,
    name: string,
    type = "Ready",
): { status: string; reason?: string; message?: string } {
    try {
        const st = JSON.parse(
            kubectl(P.kubeconfig, "kcp-root", [
                "--server",
                `https://127.0.0.1:${kcpPort}/clusters/${workspace}`,
                "get",
                "synctargets.workload.kcp.io",
                name,
                "-o",
                "json",
            ]),
        ) as {
            status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
        };
        const ready = st.status?.conditions?.find((c) => c.type === type);
        return ready
            ? { status: ready.status, reason: ready.reason, message: ready.message }
            : { status: "Unknown", reason: "NoCondition" };
    } catch (e) {
        return { status: "Unknown", reason: "NotReadable", message: (e as Error).message };
    }
}

function requireRunning(opts: Options): { state: State; kcp: ClusterEntry } {
    const state = readState(opts.stateDir);
    const kcp = state?.clusters.find((c) => c.role === "kcp");
    if (!state || !kcp || !isRunning(kcp.kcpPid, "kcp")) {
        throw new Error(
            `the local control plane in ${opts.stateDir} is not running: run \`npm run cluster -- up\` first`,
        );
    }
    return { state, kcp };
}

/**
 * `syncers start`: for every Deployment on each compute cluster whose container args carry `--sync-target-name`,
 * start the `syncer` binary as a local process with the Deployment's own args and env (`fieldRef:
 * metadata.namespace` resolved to its namespace), a token of its deployed ServiceAccount on the compute cluster as
 * the downstream kubeconfig (`--to-kubeconfig`), and the kcp kubeconfig from the Secret it mounts at the
 * `--from-kubeconfig` path (written 0600 under the state dir). Already running with the same inputs: kept; changed
 * inputs: restarted; a Deployment that is gone: its process is stopped. Every SyncTarget of the kcp context's
 * workspace must have a Deployment; then each SyncTarget must become Ready.
 */
async function startSyncers(opts: Options): Promise<void> {
    const P = paths(opts.stateDir);
    const { state, kcp } = requireRunning(opts);
    which("syncer");
    const plans: SyncerPlan[] = [];
    for (const c of state.clusters.filter((x) => x.role === "compute")) {
        const list = JSON.parse(
            kubectl(P.kubeconfig, c.name, ["get", "deployments", "--all-namespaces", "-o", "json"]),
        ) as { items: DeploymentObj[] };
        for (const d of list.items) {
            const container = syncerContainer(d);
            if (container) plans.push(planSyncer(P, c, d, container));
        }
    }
    // Every SyncTarget the program created in the compute workspace needs a syncer Deployment.
    const targets = JSON.parse(kubectl(P.kubeconfig, "kcp", ["get", "synctargets.workload.kcp.io", "-o", "json"])) as {
        items: { metadata: { name: string } }[];
    };
    const workspace = stackWorkspaces(opts.stackFile ?? defaultStackFile()).compute;
    for (const t of targets.items) {
        if (!plans.some((p) => p.entry.syncTarget === t.metadata.name)) {
            throw new Error(
                `SyncTarget ${t.metadata.name} in ${workspace} has no syncer Deployment (a container with ` +
                    `--sync-target-name=${t.metadata.name}) on any compute cluster`,
            );
        }
    }
    const id = (e: SyncerEntry) => `${e.cluster}/${e.namespace}/${e.deployment}`;
    const previous = state.syncers ?? [];
    // Stop the processes whose Deployment is gone.
    for (const old of previous) {
        if (!plans.some((p) => id(p.entry) === id(old))) {
            await stop(old.pid, "syncer");
            log(`syncer ${id(old)}: its Deployment is gone, stopped`);
        }
    }
    const next: SyncerEntry[] = [];
    const startedNow: SyncerEntry[] = [];
    try {
        for (const plan of plans) {
            const old = previous.find((o) => id(o) === id(plan.entry));
            if (old && old.key === plan.key && isRunning(old.pid, "syncer")) {
                next.push(old);
                continue;
            }
            if (old) await stop(old.pid, "syncer");
            const dir = path.dirname(plan.entry.logFile);
            fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
            fs.writeFileSync(path.join(dir, "kcp.kubeconfig"), plan.kcpKubeconfig, { mode: 0o600 });
            fs.writeFileSync(path.join(dir, "downstream.kubeconfig"), plan.downstreamKubeconfig, { mode: 0o600 });
            fs.writeFileSync(
                plan.entry.logFile,
                `--- syncer ${id(plan.entry)} started ${new Date().toISOString()} with: ${plan.args.join(" ")}\n`,
            );
            // Only what a pod would have: the Deployment's env, plus PATH and HOME for the process itself.
            const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, ...plan.env };
            const pid = startProcess("syncer", plan.args, plan.entry.logFile, env);
            const entry = { ...plan.entry, pid, key: plan.key };
            next.push(entry);
            startedNow.push(entry);
            state.syncers = [
                ...next,
                ...previous.filter(
                    (o) => !next.some((n) => id(n) === id(o)) && plans.some((p) => id(p.entry) === id(o)),
                ),
            ];
            writeState(opts.stateDir, state);
            log(`syncer ${id(entry)} (SyncTarget ${entry.syncTarget}) started, pid ${pid}, log ${entry.logFile}`);
        }
        state.syncers = next;
        writeState(opts.stateDir, state);
        // Each SyncTarget becomes Ready once its syncer's heartbeat arrives, and SyncerAuthorized once the syncer found
        // it has the permissions it needs in kcp.
        for (const e of next) {
            const t0 = Date.now();
            for (const type of ["Ready", "SyncerAuthorized"]) {
                let ready = syncTargetReady(P, kcp.port, e.workspace, e.syncTarget, type);
                while (ready.status !== "True" && Date.now() - t0 < 120_000) {
                    if (!isRunning(e.pid, "syncer")) {
                        throw new Error(
                            `syncer ${id(e)} (SyncTarget ${e.syncTarget}) exited; last lines of ${e.logFile}:\n${tail(e.logFile)}`,
                        );
                    }
                    await new Promise((r) => setTimeout(r, 1000));
                    ready = syncTargetReady(P, kcp.port, e.workspace, e.syncTarget, type);
                }
                if (ready.status !== "True") {
                    throw new Error(
                        `SyncTarget ${e.syncTarget} in ${e.workspace} is not ${type} after 120s (${ready.reason ?? ""}: ` +
                            `${ready.message ?? ""}); last lines of ${e.logFile}:\n${tail(e.logFile)}`,
                    );
                }
            }
            log(`SyncTarget ${e.syncTarget} in ${e.workspace}: Ready (syncer ${id(e)}, pid ${e.pid})`);
        }
        if (next.length === 0) log("syncers: no syncer Deployment on any compute cluster, nothing to start");
    } catch (err) {
        for (const e of startedNow) await stop(e.pid, "syncer");
        state.syncers = next.filter((e) => !startedNow.includes(e));
        writeState(opts.stateDir, state);
        throw err;
    }
}

/** Stop every syncer process recorded in the state (by pid); returns how many there were. */
async function stopSyncers(state: State): Promise<number> {
    const list = state.syncers ?? [];
    // SIGTERM lets the syncer remove its APIResourceImports in kcp (real-controllers.md §3).
    for (const s of list) await stop(s.pid, "syncer");
    state.syncers = [];
    return list.length;
}

async function syncersStatus(opts: Options): Promise<boolean> {
    const P = paths(opts.stateDir);
    const state = readState(opts.stateDir);
    const kcp = state?.clusters.find((c) => c.role === "kcp");
    const kcpUp = !!kcp && isRunning(kcp.kcpPid, "kcp");
    const rows = (state?.syncers ?? []).map((s) => {
        const running = isRunning(s.pid, "syncer");
        const ready = kcpUp
            ? syncTargetReady(P, kcp!.port, s.workspace, s.syncTarget)
            : { status: "Unknown", reason: "KcpStopped" };
        return {
            cluster: s.cluster,
            namespace: s.namespace,
            deployment: s.deployment,
            syncTarget: s.syncTarget,
            workspace: s.workspace,
            pid: running ? s.pid : undefined,
            running,
            ready: ready.status,
            reason: ready.reason,
            message: ready.message,
            logFile: s.logFile,
        };
    });
    if (opts.json) {
        console.log(JSON.stringify({ syncers: rows }, null, 2));
    } else if (rows.length === 0) {
        console.log("no syncers started (run `npm run cluster -- syncers start` after `pulumi up`)");
    } else {
        console.log(
            ["CLUSTER".padEnd(12), "DEPLOYMENT".padEnd(44), "PID".padEnd(8), "SYNCTARGET".padEnd(24), "READY"].join(
                " ",
            ),
        );
        for (const r of rows) {
            console.log(
                [
                    r.cluster.padEnd(12),
                    `${r.namespace}/${r.deployment}`.padEnd(44),
                    String(r.pid ?? "-").padEnd(8),
                    r.syncTarget.padEnd(24),
                    r.ready + (r.ready === "True" ? "" : ` (${r.reason ?? ""})`),
                ].join(" "),
            );
        }
    }
    return rows.length > 0 && rows.every((r) => r.running && r.ready === "True");
}

const USAGE = `usage: npm run cluster -- up [--clusters N] [--port-base P] [--state-dir DIR] [--stack-file F]
       npm run cluster -- down [--purge] [--state-dir DIR]
       npm run cluster -- status [--json] [--state-dir DIR]
       npm run cluster -- syncers start|stop|status [--json] [--state-dir DIR] [--stack-file F]
  up       start etcd, the real kcp (with the stack's workspaces Ready) and the compute clusters; harmless when running
  down     stop every process it started (syncers included), by pid; --purge also deletes the data
  status   what runs where (exit 3 when not everything runs)
  syncers  run the syncer Deployments of the compute clusters as local processes (start), stop them, or show each
           pid and its SyncTarget's Ready condition (status)`;

async function main(): Promise<void> {
    const argv = process.argv.slice(2);
    if (argv.includes("-h") || argv.includes("--help")) {
        console.log(USAGE);
        return;
    }
    let opts: Options;
    try {
        opts = parseArgs(argv);
    } catch (e) {
        console.error(`error: cluster: ${(e as Error).message}`);
        console.error(USAGE);
        process.exit(2);
    }
    const what = opts.command === "syncers" ? `syncers ${opts.syncers}` : opts.command;
    try {
        if (opts.command === "up") await up(opts);
        else if (opts.command === "down") await down(opts);
        else if (opts.command === "status") process.exitCode = (await status(opts)) ? 0 : 3;
        else if (opts.syncers === "start") await startSyncers(opts);
        else if (opts.syncers === "status") process.exitCode = (await syncersStatus(opts)) ? 0 : 3;
        else {
            const state = readState(opts.stateDir);
            if (state) {
                const n = await stopSyncers(state);
                writeState(opts.stateDir, state);
                log(`syncers: stopped ${n}`);
            }
        }
    } catch (e) {
        console.error(`error: cluster ${what}: ${(e as Error).message}`);
        process.exit(1);
    }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    await main();
}
