/**
 * End-to-end harness: an isolated copy of the project (its own `.local` control plane, state backend and stack
 * file), the real Pulumi CLI from `.tools/bin`, and @kubernetes/client-node to look at the clusters.
 *
 * Nothing here touches the developer's own `.local` or `.pulumi-state`.
 */
import * as k8s from "@kubernetes/client-node";
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { scratchCopy, sh } from "../../scripts/lib/scratch.js";

const execFileAsync = promisify(execFile);

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

export class Project {
    readonly env: NodeJS.ProcessEnv;
    readonly kubeconfigPath: string;

    private constructor(
        readonly dir: string,
        readonly clusters: number,
    ) {
        this.kubeconfigPath = path.join(dir, ".local", "kubeconfig");
        this.env = {
            ...process.env,
            PATH: `${path.join(ROOT, ".tools", "bin")}:${process.env.PATH ?? ""}`,
            // Shared plugin cache (the pinned kubernetes plugin), isolated state and passphrase.
            PULUMI_HOME: path.join(ROOT, ".pulumi-home"),
            PULUMI_BACKEND_URL: `file://${path.join(dir, ".pulumi-state")}`,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_K8S_SUPPRESS_DEPRECATION_WARNINGS: "true",
            NO_COLOR: "1",
        };
        // No passphrase from the caller: .tools/bin/pulumi (scripts/pulumi-wrapper.sh) generates one for this
        // project's own state, 0600 beside it, as it does for `npm run up`; the throwaway state is really encrypted.
        delete this.env.PULUMI_CONFIG_PASSPHRASE;
        delete this.env.PULUMI_CONFIG_PASSPHRASE_FILE;
    }

    /** Copy the project (sources and stack files) into a temp dir that shares node_modules and the toolchain. */
    static async create(name: string, clusters = 2): Promise<Project> {
        const dir = scratchCopy(ROOT, name);
        fs.mkdirSync(path.join(dir, ".pulumi-state"));
        return new Project(dir, clusters);
    }

    /** Runs `cmd` in the project with its environment; default timeout 15 minutes. */
    run(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
        return sh(cmd, args, {
            cwd: this.dir,
            env: this.env,
            timeoutMs: opts.timeoutMs ?? 15 * 60_000,
            input: opts.input,
        });
    }

    pulumi(...args: string[]): Promise<RunResult> {
        return this.run("pulumi", [...args, "--stack", "local", "--non-interactive"]);
    }

    /** Start `pulumi ...` and hand back the child, for interruption tests. */
    spawnPulumi(...args: string[]) {
        return spawn("pulumi", [...args, "--stack", "local", "--non-interactive"], { cwd: this.dir, env: this.env });
    }

    async clusterUp(): Promise<void> {
        const r = await this.run("node", [
            "--import",
            "tsx",
            path.join(ROOT, "scripts", "cluster.ts"),
            "up",
            "--state-dir",
            path.join(this.dir, ".local"),
            "--clusters",
            String(this.clusters),
        ]);
        if (r.code !== 0) throw new Error(`cluster up failed:\n${r.stderr}`);
    }

    async clusterDown(purge = true): Promise<RunResult> {
        return this.run("node", [
            "--import",
            "tsx",
            path.join(ROOT, "scripts", "cluster.ts"),
            "down",
            "--state-dir",
            path.join(this.dir, ".local"),
            ...(purge ? ["--purge"] : []),
        ]);
    }

    async initStack(): Promise<void> {
        const r = await this.run("pulumi", [
            "stack",
            "init",
            "local",
            "--secrets-provider",
            "passphrase",
            "--non-interactive",
        ]);
        if (r.code !== 0) throw new Error(`stack init failed:\n${r.stderr}`);
    }

    /**
     * `kubectl` (the pinned one in .tools/bin) against a context of the project's kubeconfig; with `ws`, against that
     * kcp workspace (`<kcp origin>/clusters/<ws>`). Resolves to stdout; rejects with the child's error (`stderr`).
     */
    async kubectl(context: string, args: string[], opts: { ws?: string; input?: string } = {}): Promise<string> {
        const server = opts.ws ? ["--server", `${await this.kcpOrigin()}/clusters/${opts.ws}`] : [];
        const child = execFileAsync(
            path.join(ROOT, ".tools", "bin", "kubectl"),
            ["--kubeconfig", this.kubeconfigPath, "--context", context, ...server, ...args],
            { env: this.env, maxBuffer: 64 * 1024 * 1024 },
        );
        if (opts.input !== undefined) child.child.stdin?.end(opts.input);
        return (await child).stdout;
    }

    /** {@link kubectl} with `-o json`, parsed. */
    async kubectlJson(context: string, args: string[], ws?: string): Promise<any> {
        return JSON.parse(await this.kubectl(context, [...args, "-o", "json"], { ws }));
    }

    private kcpOriginCache?: string;
    /** The kcp server's origin (scheme, host, port) from the kubeconfig's `kcp` cluster. */
    private async kcpOrigin(): Promise<string> {
        if (!this.kcpOriginCache) {
            const kc = new k8s.KubeConfig();
            kc.loadFromFile(this.kubeconfigPath);
            const server = kc.getCluster("kcp")?.server;
            if (!server) throw new Error(`${this.kubeconfigPath} has no cluster 'kcp'`);
            this.kcpOriginCache = new URL(server).origin;
        }
        return this.kcpOriginCache;
    }

    /** `npm run cluster -- syncers <start|stop>` on this project's control plane. */
    syncers(action: "start" | "stop"): Promise<RunResult> {
        return this.run(
            "node",
            [
                "--import",
                "tsx",
                path.join(ROOT, "scripts", "cluster.ts"),
                "syncers",
                action,
                "--state-dir",
                path.join(this.dir, ".local"),
            ],
            { timeoutMs: 10 * 60_000 },
        );
    }

    kube(context: string): KubeView {
        const kc = new k8s.KubeConfig();
        kc.loadFromFile(this.kubeconfigPath);
        kc.setCurrentContext(context);
        return new KubeView(kc);
    }

    cleanup(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** Throws, with the tails of stdout and stderr, unless `r` exited 0. */
export function expectOk(r: RunResult, what: string): void {
    if (r.code !== 0)
        throw new Error(
            `${what} exited ${r.code}\n--- stdout ---\n${r.stdout.slice(-6000)}\n--- stderr ---\n${r.stderr.slice(-4000)}`,
        );
}

/**
 * Polls `probe` once a second until it returns something other than undefined (thrown errors count as not yet) and
 * resolves to that; rejects after `timeoutMs` (default 60 000 ms) naming `what` and the last error.
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
    const t0 = Date.now();
    let last: unknown;
    while (Date.now() - t0 < timeoutMs) {
        try {
            const v = await probe();
            if (v !== undefined) return v;
        } catch (e) {
            last = e;
        }
        await new Promise((r) => setTimeout(r, 1000));
    }
    throw new Error(
        `${what}: not within ${timeoutMs / 1000}s${last ? ` (last error: ${(last as Error).message})` : ""}`,
    );
}

/** Read access to one cluster. */
export class KubeView {
    readonly objects: k8s.KubernetesObjectApi;
    readonly custom: k8s.CustomObjectsApi;

    constructor(readonly kc: k8s.KubeConfig) {
        this.objects = k8s.KubernetesObjectApi.makeApiClient(kc);
        this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
    }

    /** The live object, or undefined when it does not exist. */
    async get(
        apiVersion: string,
        kind: string,
        name: string,
        namespace?: string,
    ): Promise<Record<string, any> | undefined> {
        try {
            const spec: k8s.KubernetesObject = { apiVersion, kind, metadata: { name, namespace } };
            return (await this.objects.read(
                spec as k8s.KubernetesObject & { metadata: { name: string } },
            )) as unknown as Record<string, any>;
        } catch (e) {
            if ((e as { code?: number }).code === 404) return undefined;
            throw e;
        }
    }

    /** Every object of a kind carrying `app.kubernetes.io/managed-by=pulumi`. */
    async managedItems(apiVersion: string, kind: string): Promise<k8s.KubernetesObject[]> {
        const list = await this.objects.list(
            apiVersion,
            kind,
            undefined,
            undefined,
            undefined,
            undefined,
            undefined,
            "app.kubernetes.io/managed-by=pulumi",
        );
        return list.items;
    }

    /** {@link managedItems} as sorted `namespace/name`. */
    async managed(apiVersion: string, kind: string): Promise<string[]> {
        return (await this.managedItems(apiVersion, kind))
            .map((o) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name}`)
            .sort();
    }
}

/** Kinds the program creates, per cluster role. */
export const COMPUTE_KINDS: [string, string][] = [
    ["operators.coreos.com/v1alpha1", "CatalogSource"],
    ["operators.coreos.com/v1alpha1", "Subscription"],
    ["operator.tekton.dev/v1alpha1", "TektonConfig"],
    ["argoproj.io/v1alpha1", "Application"],
    ["external-secrets.io/v1", "ExternalSecret"],
    ["external-secrets.io/v1", "ClusterSecretStore"],
    ["monitoring.coreos.com/v1", "ServiceMonitor"],
    ["monitoring.coreos.com/v1", "PrometheusRule"],
    ["route.openshift.io/v1", "Route"],
    ["apps/v1", "Deployment"],
    ["v1", "Service"],
    ["v1", "ServiceAccount"],
    ["v1", "Secret"],
    ["v1", "ConfigMap"],
    ["v1", "Namespace"],
    ["rbac.authorization.k8s.io/v1", "ClusterRole"],
    ["rbac.authorization.k8s.io/v1", "ClusterRoleBinding"],
];
export const KCP_KINDS: [string, string][] = [["workload.kcp.io/v1alpha1", "SyncTarget"]];

/** The `<cluster> <kind>` pairs {@link inventory} lists: SyncTargets in kcp, COMPUTE_KINDS on each compute cluster. */
export function inventoriedKinds(p: Project): Set<string> {
    return new Set([
        ...KCP_KINDS.map(([, k]) => `kcp ${k}`),
        ...Array.from({ length: p.clusters }, (_, i) => COMPUTE_KINDS.map(([, k]) => `compute-${i + 1} ${k}`)).flat(),
    ]);
}

/** A stack export's resources. */
export interface ExportedResource {
    type: string;
    custom?: boolean;
    provider?: string;
    outputs?: { metadata?: { name?: string; namespace?: string } };
}

/**
 * The kubernetes objects of a stack export, named as {@link inventory} names live ones (`<cluster> <kind>
 * <namespace>/<name>`, the cluster being the provider's name without `-k8s`), and whether the inventory lists
 * objects of that cluster and kind (only those can be compared with it).
 */
export function stackObjects(p: Project, resources: ExportedResource[]): { name: string; inventoried: boolean }[] {
    const kinds = inventoriedKinds(p);
    const clusterOf = (providerRef = "") => /::([a-z0-9-]+?)(-k8s)?::[0-9a-f-]+$/.exec(providerRef)?.[1] ?? "?";
    return resources
        .filter((r) => r.type.startsWith("kubernetes:") && r.custom !== false && !r.type.includes(":providers:"))
        .map((r) => {
            const cluster = clusterOf(r.provider);
            const kind = r.type.split(":").pop()!;
            return {
                name: `${cluster} ${kind} ${r.outputs?.metadata?.namespace ?? ""}/${r.outputs?.metadata?.name}`,
                inventoried: kinds.has(`${cluster} ${kind}`),
            };
        });
}

/** Every managed object in every cluster of the project, as `<cluster> <kind> <namespace>/<name>`. */
export async function inventory(p: Project): Promise<string[]> {
    const out: string[] = [];
    const contexts = ["kcp", ...Array.from({ length: p.clusters }, (_, i) => `compute-${i + 1}`)];
    for (const ctx of contexts) {
        const view = p.kube(ctx);
        for (const [apiVersion, kind] of ctx === "kcp" ? KCP_KINDS : COMPUTE_KINDS) {
            for (const o of await view.managed(apiVersion, kind)) out.push(`${ctx} ${kind} ${o}`);
        }
    }
    return out.sort();
}
