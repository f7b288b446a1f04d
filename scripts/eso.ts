/**
 * The real External Secrets controller (v0.16.2, built by scripts/tools.sh ensure_external_secrets) against each local
 * compute cluster, out of cluster, with the secret backend the local stack's ClusterSecretStores read (kind
 * `kubernetes`, Pulumi.local.yaml `secretStore`).
 *
 *   node --import tsx scripts/eso.ts start  [--state-dir .local]   seed the backend, start one controller per cluster
 *   node --import tsx scripts/eso.ts seed   [--state-dir .local]   seed the keys the live ExternalSecrets read
 *   node --import tsx scripts/eso.ts stop   [--state-dir .local]   stop the controllers, by pid
 *   node --import tsx scripts/eso.ts status [--state-dir .local]   which controller runs where
 *
 * Per compute cluster (every `compute-*` context of `<state>/kubeconfig`):
 * - the namespace `pipeline-service-secrets` (secretStore.kubernetes.remoteNamespace) with one Secret per key the local
 *   stack's ExternalSecrets extract, holding fake, clearly non-secret test values (`fake-...-not-a-secret`);
 * - a ServiceAccount `eso-store-reader` that may only read Secrets there, and the Secret `eso-store-kubeconfig`
 *   (secretStore.kubernetes.authRef) with a kubeconfig for it (this cluster's loopback server, CA and the reader's
 *   token): ESO's kubernetes provider reads the backend with that, as a remote cluster (external-secrets
 *   pkg/provider/kubernetes/auth.go@v0.16.2 `AuthRef`);
 * - the GeneratorState CRD of v0.16.2 (config/crds/bases/generators.external-secrets.io_generatorstates.yaml, from the
 *   module cache): its reconciler always runs (cmd/controller/root.go@v0.16.2), the control plane installs only
 *   ExternalSecret, SecretStore and ClusterSecretStore (v1.3.2, which serve external-secrets.io/v1 as v0.16.2 does);
 * - the controller, `KUBECONFIG=<state>/eso/<cluster>.kubeconfig` (v0.16.2 reads the kubeconfig through
 *   controller-runtime's GetConfigOrDie; its cobra command does not register `--kubeconfig`), no webhook, no cert
 *   controller, no leader election, metrics off, and the reconcilers whose CRDs are absent off.
 * Pids and logs: `<state>/eso/<cluster>.pid`, `<state>/eso/<cluster>.log`. `stop` signals each recorded pid only.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { resolveConfig } from "../lib/config.js";
import { vaultKey } from "../lib/externalSecret.js";
import { parseCli } from "./cli.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const VERSIONS = JSON.parse(fs.readFileSync(path.join(ROOT, "tools", "versions.json"), "utf8"));
const ESO_VERSION: string = VERSIONS.externalSecrets.version;
const ESO_MODULE: string = VERSIONS.externalSecrets.module;
export const BACKEND_NAMESPACE = "pipeline-service-secrets";
export const READER = "eso-store-reader";
export const AUTH_SECRET = "eso-store-kubeconfig";
const FIELD_MANAGER = "pipeline-service-eso";

interface Options {
    command: string;
    stateDir: string;
    stack: string;
}

const USAGE = `usage: node --import tsx scripts/eso.ts start|seed|stop|status [--state-dir DIR] [--stack NAME]
  start    seed the local secret backend on every compute cluster and start one External Secrets ${ESO_VERSION} per cluster
  seed     seed the keys the live ExternalSecrets read (fake, non-secret values)
  stop     stop the controllers this script started, by pid
  status   which controller runs where
  --state-dir DIR   the control plane's state directory (default .local)
  --stack NAME      the stack whose keys are seeded (default local)`;

function parseOptions(argv: string[]): Options {
    const { values, positionals } = parseCli({
        usage: USAGE,
        args: argv,
        allowPositionals: true,
        options: { "state-dir": { type: "string" }, stack: { type: "string" } },
    });
    const [command, ...extra] = positionals;
    if (!command || !["start", "seed", "stop", "status"].includes(command) || extra.length) {
        process.stderr.write(`error: expected one of start, seed, stop, status\n\n${USAGE}\n`);
        process.exit(2);
    }
    return {
        command,
        stateDir: path.resolve(values["state-dir"] ?? path.join(ROOT, ".local")),
        stack: values.stack ?? "local",
    };
}

function log(msg: string): void {
    process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] eso: ${msg}\n`);
}

function which(bin: string): string {
    for (const dir of [path.join(ROOT, ".tools", "bin"), ...(process.env.PATH ?? "").split(":")]) {
        const p = path.join(dir, bin);
        if (fs.existsSync(p)) return p;
    }
    throw new Error(
        `eso: '${bin}' is not on PATH or in .tools/bin; run: bash scripts/tools.sh --only ${bin === "external-secrets" ? "external-secrets" : "kubernetes"}`,
    );
}

function kubectl(kubeconfig: string, context: string, args: string[], input?: string): string {
    try {
        return execFileSync(which("kubectl"), ["--kubeconfig", kubeconfig, "--context", context, ...args], {
            input,
            encoding: "utf8",
            stdio: ["pipe", "pipe", "pipe"],
        });
    } catch (e) {
        const err = e as { stderr?: string; message: string };
        throw new Error(
            `eso: kubectl ${args.slice(0, 3).join(" ")} on ${context} failed: ${err.stderr || err.message}`,
        );
    }
}

function apply(kubeconfig: string, context: string, objects: object[]): void {
    kubectl(
        kubeconfig,
        context,
        ["apply", "--server-side", "--force-conflicts", `--field-manager=${FIELD_MANAGER}`, "-f", "-"],
        objects.map((o) => JSON.stringify(o)).join("\n"),
    );
}

interface Kubeconfig {
    clusters: { name: string; cluster: { server: string; "certificate-authority-data"?: string } }[];
    contexts: { name: string; context: { cluster: string } }[];
}

function computeContexts(kubeconfig: string): string[] {
    const kc = parseYaml(fs.readFileSync(kubeconfig, "utf8")) as Kubeconfig;
    return kc.contexts
        .map((c) => c.name)
        .filter((n) => /^compute-\d+$/.test(n))
        .sort();
}

function clusterOf(kubeconfig: string, context: string): { server: string; ca: string } {
    const kc = parseYaml(fs.readFileSync(kubeconfig, "utf8")) as Kubeconfig;
    const ctx = kc.contexts.find((c) => c.name === context);
    const cl = kc.clusters.find((c) => c.name === ctx?.context.cluster);
    if (!cl?.cluster["certificate-authority-data"])
        throw new Error(`eso: context ${context} has no cluster with certificate-authority-data in ${kubeconfig}`);
    return { server: cl.cluster.server, ca: cl.cluster["certificate-authority-data"] };
}

function fakeValue(what: string): string {
    return `fake-${what}-not-a-secret`;
}

/**
 * Fake data per key, by what the consumer reads (the upstream Vault keys' properties): PaC's GitHub App
 * (`webhook.secret`, `github-application-id`, `github-private-key`), the Chains signing key (`cosign.key`,
 * `cosign.pub`, `cosign.password`), Results' DB and S3 credentials, the syncer's kcp token. Unknown keys get one
 * `fake` property.
 */
export function fakeData(key: string): Record<string, string> {
    if (/github-app$/.test(key))
        return {
            "webhook.secret": fakeValue("webhook"),
            "github-application-id": "1",
            "github-private-key": fakeValue("github-private-key"),
        };
    if (/chains-signing-secret$/.test(key))
        return {
            "cosign.key": fakeValue("cosign-key"),
            "cosign.pub": fakeValue("cosign-pub"),
            "cosign.password": fakeValue("cosign-password"),
        };
    if (/db$/.test(key))
        return {
            "db.user": "tekton",
            "db.password": fakeValue("db-password"),
            "db.host": "tekton-results-postgres",
            "db.name": "tekton_results",
        };
    if (/s3$/.test(key))
        return {
            aws_access_key_id: fakeValue("s3-id"),
            aws_secret_access_key: fakeValue("s3-key"),
            aws_region: "local",
            bucket: "tekton-results",
            endpoint: "https://s3.localhost",
        };
    if (/kcp-syncer$/.test(key)) return { token: fakeValue("kcp-token"), "ca.crt": fakeValue("kcp-ca") };
    return { fake: fakeValue("value") };
}

/** The keys the stack's ExternalSecrets on `cluster` read, from its resolved configuration. */
export function configuredKeys(stack: string, cluster: string): string[] {
    const raw = parseYaml(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config as Record<
        string,
        unknown
    >;
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw))
        if (k.startsWith("pipeline-service:")) values[k.slice("pipeline-service:".length)] = v;
    const c = resolveConfig(stack, values).clusters.find((x) => x.name === cluster);
    if (!c) return [];
    const s = c.settings;
    const p = s.secretStore.keyPrefix;
    return [
        ...new Set([
            vaultKey(p, "github-app"),
            vaultKey(p, `${cluster}/chains-signing-secret`),
            vaultKey(p, `${cluster}/kcp-syncer`),
            vaultKey(p, s.results.database.vaultKey),
            vaultKey(p, s.results.s3.vaultKey),
        ]),
    ];
}

/** The keys the live ExternalSecrets of a cluster read (dataFrom.extract.key and data[].remoteRef.key/property). */
function liveKeys(kubeconfig: string, context: string): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    const list = JSON.parse(
        kubectl(kubeconfig, context, ["get", "externalsecrets.external-secrets.io", "-A", "-o", "json"]),
    ) as { items: any[] };
    for (const es of list.items) {
        for (const d of es.spec?.dataFrom ?? [])
            if (d.extract?.key) out.set(d.extract.key, out.get(d.extract.key) ?? new Set());
        for (const d of es.spec?.data ?? []) {
            const k = d.remoteRef?.key;
            if (!k) continue;
            const props = out.get(k) ?? new Set<string>();
            if (d.remoteRef.property) props.add(d.remoteRef.property);
            out.set(k, props);
        }
    }
    return out;
}

function backendSecret(key: string, extra: Iterable<string> = []): object {
    const data = fakeData(key);
    for (const p of extra) data[p] ??= fakeValue(p.replace(/[^a-z0-9]+/gi, "-"));
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
            name: key,
            namespace: BACKEND_NAMESPACE,
            labels: { "app.kubernetes.io/part-of": "pipeline-service-local-backend" },
        },
        stringData: data,
    };
}

/** The backend namespace, its reader and the kubeconfig Secret the stores authenticate with. */
function seedBackend(kubeconfig: string, context: string): void {
    apply(kubeconfig, context, [{ apiVersion: "v1", kind: "Namespace", metadata: { name: BACKEND_NAMESPACE } }]);
    apply(kubeconfig, context, [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: READER, namespace: BACKEND_NAMESPACE } },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata: { name: READER, namespace: BACKEND_NAMESPACE },
            rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: READER, namespace: BACKEND_NAMESPACE },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: READER },
            subjects: [{ kind: "ServiceAccount", name: READER, namespace: BACKEND_NAMESPACE }],
        },
    ]);
    const token = kubectl(kubeconfig, context, [
        "create",
        "token",
        READER,
        "-n",
        BACKEND_NAMESPACE,
        "--duration=720h",
    ]).trim();
    const { server, ca } = clusterOf(kubeconfig, context);
    const readerKubeconfig = {
        apiVersion: "v1",
        kind: "Config",
        "current-context": "reader",
        clusters: [{ name: context, cluster: { server, "certificate-authority-data": ca } }],
        users: [{ name: READER, user: { token } }],
        contexts: [{ name: "reader", context: { cluster: context, user: READER, namespace: BACKEND_NAMESPACE } }],
    };
    apply(kubeconfig, context, [
        {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: AUTH_SECRET, namespace: BACKEND_NAMESPACE },
            stringData: { kubeconfig: JSON.stringify(readerKubeconfig) },
        },
    ]);
}

/** v0.16.2's GeneratorState CRD, from the module cache (never committed). */
function installGeneratorStateCrd(kubeconfig: string, context: string): void {
    const dir = JSON.parse(
        execFileSync("go", ["mod", "download", "-json", `${ESO_MODULE}@v${ESO_VERSION}`], {
            encoding: "utf8",
            env: { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod" },
        }),
    ).Dir as string;
    const crd = fs.readFileSync(
        path.join(dir, "config", "crds", "bases", "generators.external-secrets.io_generatorstates.yaml"),
        "utf8",
    );
    kubectl(
        kubeconfig,
        context,
        ["apply", "--server-side", "--force-conflicts", `--field-manager=${FIELD_MANAGER}`, "-f", "-"],
        crd,
    );
    kubectl(kubeconfig, context, [
        "wait",
        "--for=condition=Established",
        "crd/generatorstates.generators.external-secrets.io",
        "--timeout=60s",
    ]);
}

function paths(stateDir: string, cluster: string) {
    const dir = path.join(stateDir, "eso");
    return {
        dir,
        pid: path.join(dir, `${cluster}.pid`),
        log: path.join(dir, `${cluster}.log`),
        kubeconfig: path.join(dir, `${cluster}.kubeconfig`),
    };
}

function alive(pid: number | undefined): boolean {
    if (!pid) return false;
    try {
        process.kill(pid, 0);
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("external-secrets");
    } catch {
        return false;
    }
}

function readPid(file: string): number | undefined {
    try {
        return Number(fs.readFileSync(file, "utf8").trim()) || undefined;
    } catch {
        return undefined;
    }
}

function seedKeys(kubeconfig: string, context: string, keys: Map<string, Set<string>>): number {
    if (!keys.size) return 0;
    apply(
        kubeconfig,
        context,
        [...keys].map(([k, props]) => backendSecret(k, props)),
    );
    return keys.size;
}

async function start(o: Options): Promise<void> {
    const kubeconfig = path.join(o.stateDir, "kubeconfig");
    if (!fs.existsSync(kubeconfig))
        throw new Error(`eso: ${kubeconfig} does not exist; start the control plane first (npm run cluster -- up)`);
    const bin = which("external-secrets");
    for (const ctx of computeContexts(kubeconfig)) {
        const t0 = Date.now();
        const p = paths(o.stateDir, ctx);
        fs.mkdirSync(p.dir, { recursive: true });
        seedBackend(kubeconfig, ctx);
        const n = seedKeys(kubeconfig, ctx, new Map(configuredKeys(o.stack, ctx).map((k) => [k, new Set<string>()])));
        installGeneratorStateCrd(kubeconfig, ctx);
        const own = kubectl(kubeconfig, ctx, ["config", "view", "--minify", "--flatten", "--context", ctx]);
        fs.writeFileSync(p.kubeconfig, own, { mode: 0o600 });
        if (alive(readPid(p.pid))) {
            log(`${ctx}: already running (pid ${readPid(p.pid)}); backend seeded with ${n} keys`);
            continue;
        }
        const args = [
            "--metrics-addr=0",
            "--enable-leader-election=false",
            "--loglevel=info",
            "--zap-time-encoding=iso8601",
            "--enable-cluster-external-secret-reconciler=false",
            "--enable-push-secret-reconciler=false",
            "--enable-cluster-push-secret-reconciler=false",
            "--store-requeue-interval=30s",
        ];
        const out = fs.openSync(p.log, "a");
        const child = spawn(bin, args, {
            detached: true,
            stdio: ["ignore", out, out],
            env: { ...process.env, KUBECONFIG: p.kubeconfig },
        });
        child.unref();
        fs.writeFileSync(p.pid, String(child.pid));
        // Up when the manager has started its controllers, or failed.
        const deadline = Date.now() + 60_000;
        for (;;) {
            const text = fs.existsSync(p.log) ? fs.readFileSync(p.log, "utf8") : "";
            if (/Starting workers.*ExternalSecret|"controller":"externalsecret".*Starting workers/i.test(text)) break;
            if (!alive(child.pid))
                throw new Error(
                    `eso: the controller for ${ctx} exited; last log lines:\n${text.split("\n").slice(-15).join("\n")}`,
                );
            if (Date.now() > deadline)
                throw new Error(`eso: the controller for ${ctx} did not start its workers within 60s; see ${p.log}`);
            await new Promise((r) => setTimeout(r, 500));
        }
        log(
            `${ctx}: External Secrets ${ESO_VERSION} running (pid ${child.pid}, log ${p.log}); backend ${BACKEND_NAMESPACE} seeded with ${n} keys in ${((Date.now() - t0) / 1000).toFixed(1)}s`,
        );
    }
}

/**
 * Seed what the live ExternalSecrets read and, when a key was missing, annotate them with `force-sync` (the
 * annotation ESO's docs use to re-sync at once) so they do not wait out the controller's error backoff.
 */
function seed(o: Options): void {
    const kubeconfig = path.join(o.stateDir, "kubeconfig");
    for (const ctx of computeContexts(kubeconfig)) {
        const have = new Set(
            kubectl(kubeconfig, ctx, ["get", "secrets", "-n", BACKEND_NAMESPACE, "-o", "name"])
                .split("\n")
                .map((l) => l.replace(/^secret\//, "").trim()),
        );
        const keys = liveKeys(kubeconfig, ctx);
        const missing = [...keys.keys()].filter((k) => !have.has(k));
        const n = seedKeys(kubeconfig, ctx, keys);
        if (missing.length) {
            kubectl(kubeconfig, ctx, [
                "annotate",
                "externalsecrets.external-secrets.io",
                "--all",
                "-A",
                "--overwrite",
                `force-sync=${Date.now()}`,
            ]);
        }
        log(
            `${ctx}: seeded ${n} keys the live ExternalSecrets read (${missing.length} were missing${missing.length ? `: ${missing.join(", ")}` : ""})`,
        );
    }
}

async function stop(o: Options): Promise<void> {
    const dir = path.join(o.stateDir, "eso");
    if (!fs.existsSync(dir)) return;
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".pid"))) {
        const file = path.join(dir, f);
        const pid = readPid(file);
        if (alive(pid)) {
            process.kill(pid!, "SIGTERM");
            for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
            if (alive(pid)) process.kill(pid!, "SIGKILL");
            log(`${f.slice(0, -4)}: stopped pid ${pid}`);
        }
        fs.rmSync(file, { force: true });
    }
}

function status(o: Options): void {
    const kubeconfig = path.join(o.stateDir, "kubeconfig");
    const contexts = fs.existsSync(kubeconfig) ? computeContexts(kubeconfig) : [];
    for (const ctx of contexts) {
        const pid = readPid(paths(o.stateDir, ctx).pid);
        console.log(`${ctx}\t${alive(pid) ? `running pid ${pid}` : "stopped"}`);
    }
}

async function main(): Promise<void> {
    const o = parseOptions(process.argv.slice(2));
    if (o.command === "start") await start(o);
    else if (o.command === "seed") seed(o);
    else if (o.command === "stop") await stop(o);
    else status(o);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    main().catch((e) => {
        process.stderr.write(`error: ${(e as Error).message}\n`);
        process.exit(1);
    });
}
