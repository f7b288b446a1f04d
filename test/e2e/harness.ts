/**
 * End-to-end harness: an isolated copy of the project (its own `.local` control plane, state backend and stack
 * file), the real Pulumi CLI from `.tools/bin`, and @kubernetes/client-node to look at the clusters.
 *
 * Nothing here touches the developer's own `.local` or `.pulumi-state`.
 */
import * as k8s from "@kubernetes/client-node";
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { scratchCopy } from "../../scripts/audit.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

export class Project {
    readonly env: NodeJS.ProcessEnv;
    readonly kubeconfigPath: string;

    private constructor(readonly dir: string, readonly clusters: number) {
        this.kubeconfigPath = path.join(dir, ".local", "kubeconfig");
        this.env = {
            ...process.env,
            PATH: `${path.join(ROOT, ".tools", "bin")}:${process.env.PATH ?? ""}`,
            // Shared plugin cache (the pinned kubernetes plugin), isolated state and passphrase.
            PULUMI_HOME: path.join(ROOT, ".pulumi-home"),
            PULUMI_BACKEND_URL: `file://${path.join(dir, ".pulumi-state")}`,
            PULUMI_CONFIG_PASSPHRASE: "",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_K8S_SUPPRESS_DEPRECATION_WARNINGS: "true",
            NO_COLOR: "1",
        };
    }

    /** Copy the project (sources and stack files) into a temp dir that shares node_modules and the toolchain. */
    static async create(name: string, clusters = 2): Promise<Project> {
        const dir = scratchCopy(ROOT, name);
        fs.mkdirSync(path.join(dir, ".pulumi-state"));
        return new Project(dir, clusters);
    }

    run(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
        return new Promise((resolve) => {
            const child = execFile(cmd, args, {
                cwd: this.dir, env: this.env, maxBuffer: 256 * 1024 * 1024, timeout: opts.timeoutMs ?? 15 * 60_000,
            }, (err, stdout, stderr) => {
                const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
                resolve({ code, stdout: String(stdout), stderr: String(stderr) });
            });
            if (opts.input !== undefined) child.stdin?.end(opts.input);
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
        const r = await this.run("node", ["--import", "tsx", path.join(ROOT, "scripts", "cluster.ts"), "up",
            "--state-dir", path.join(this.dir, ".local"), "--clusters", String(this.clusters)]);
        if (r.code !== 0) throw new Error(`cluster up failed:\n${r.stderr}`);
    }

    async clusterDown(purge = true): Promise<RunResult> {
        return this.run("node", ["--import", "tsx", path.join(ROOT, "scripts", "cluster.ts"), "down",
            "--state-dir", path.join(this.dir, ".local"), ...(purge ? ["--purge"] : [])]);
    }

    async initStack(): Promise<void> {
        const r = await this.run("pulumi", ["stack", "init", "local", "--secrets-provider", "passphrase", "--non-interactive"]);
        if (r.code !== 0) throw new Error(`stack init failed:\n${r.stderr}`);
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

/** Read access to one cluster. */
export class KubeView {
    readonly objects: k8s.KubernetesObjectApi;
    readonly custom: k8s.CustomObjectsApi;

    constructor(readonly kc: k8s.KubeConfig) {
        this.objects = k8s.KubernetesObjectApi.makeApiClient(kc);
        this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
    }

    /** The live object, or undefined when it does not exist. */
    async get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<Record<string, any> | undefined> {
        try {
            const spec: k8s.KubernetesObject = { apiVersion, kind, metadata: { name, namespace } };
            return (await this.objects.read(spec as k8s.KubernetesObject & { metadata: { name: string } })) as unknown as Record<string, any>;
        } catch (e) {
            if ((e as { code?: number }).code === 404) return undefined;
            throw e;
        }
    }

    /** Every object of a kind carrying `app.kubernetes.io/managed-by=pulumi`, as `namespace/name`. */
    async managed(apiVersion: string, kind: string): Promise<string[]> {
        const list = await this.objects.list(apiVersion, kind, undefined, undefined, undefined, undefined, undefined,
            "app.kubernetes.io/managed-by=pulumi");
        return list.items.map((o) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name}`).sort();
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
