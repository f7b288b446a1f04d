/**
 * Golden conformance: what the program declares for the kcp syncer, against what upstream's own generator renders
 * for the same inputs. The pinned `kubectl-kcp` v0.11.0 (.tools/bin, built from the Go module) runs against the real
 * kcp v0.11.0 of an isolated local control plane (test/e2e/harness.ts):
 *
 * - `kubectl kcp workload sync compute-1 --syncer-image <stack image> --resources <stack resources> --apiexports=
 *   --output-file F` creates the SyncTarget and the syncer's identity in kcp and writes the compute-side manifest;
 * - `kubectl kcp bind compute <compute workspace> --apiexports <compute workspace>:kubernetes` in a tenant workspace
 *   creates the APIBinding and the Placement.
 *
 * Each rendered or created object is compared, field by field, with the program's builders (components/kcpSyncer.ts)
 * given the same inputs (the SyncTarget's UID, the generator's token). Names: the generator's syncer ID hashes the
 * SyncTarget's UID, the program's hashes `<workspace>:<name>` (lib/naming.ts `syncerNamespace`); the test checks that
 * lib/naming.ts `syncerId` reproduces the generator's ID from the UID, then compares with the program's ID mapped to
 * the generator's. Every other difference must be in {@link DELIBERATE}, with its reason, and every entry there must
 * still occur. Reintroducing any of the five defects of issue 8 (no NAMESPACE env, a /clusters path in the kubeconfig
 * server, no --dns-image, the narrow RBAC, no APIBinding/Placement) makes a comparison below fail.
 */
import test from "ava";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import YAML from "yaml";
import { Project, ROOT } from "./harness.js";
import { resolveConfig } from "../../lib/config.js";
import { stackValues } from "../helpers/stack.js";
import { apiBindingName, placementName, syncerId } from "../../lib/naming.js";
import {
    buildComputeApiBinding,
    buildComputePlacement,
    buildDnsRole,
    buildDnsRoleBinding,
    buildKcpClusterRole,
    buildKcpClusterRoleBinding,
    buildKcpServiceAccount,
    buildKubeconfigSecret,
    buildSyncTarget,
    buildSyncerClusterRole,
    buildSyncerClusterRoleBinding,
    buildSyncerDeployment,
    buildSyncerKubeconfig,
    buildSyncerNamespace,
    buildSyncerServiceAccount,
    buildSyncerTokenSecret,
    kcpEndpointOf,
    syncTargetOwnerReferences,
    syncerArgs,
    syncerNames,
    type SyncerNames,
} from "../../components/kcpSyncer.js";

const run = promisify(execFile);
const CLUSTER = "compute-1";
const TENANT = "root:pipeline-service:tenant-a";

/** Differences that are deliberate: `<Kind>:<path>` (array indices as [i]) and why. */
const DELIBERATE: Record<string, string> = {
    // Every object: the program's common labels (app.kubernetes.io/part-of, managed-by), lib/k8s.ts COMMON_LABELS.
    "*:metadata.labels":
        "the program labels every object it manages (lib/k8s.ts COMMON_LABELS; the Namespace also carries workload.kcp.io/sync-target)",
    "Deployment:metadata.annotations":
        "readiness annotations (pulumi.com/timeoutSeconds or skipAwait, lib/k8s.ts awaitAnnotations)",
    "Deployment:spec.template.metadata.labels":
        "the common labels on the pod template too (the selector stays {app: <syncer ID>})",
    "Deployment:spec.template.spec.containers[0].securityContext":
        "restricted container securityContext (pipeline-service syncer-patch.yaml, constraints 34, 44)",
    "Deployment:spec.template.spec.securityContext": "restricted pod securityContext (constraint 34)",
    "Deployment:spec.template.spec.containers[0].resources":
        "requests and limits (constraint 36); the template sets none",
    "Deployment:spec.template.spec.containers[0].args[3]":
        "--from-cluster is the workspace path (stable, readable); the generator writes the logical-cluster name; the syncer accepts both (real-controllers.md §3)",
    "Secret:type": "the kubeconfig Secret states type Opaque, the API's default for the generator's untyped Secret",
    "SyncTarget:metadata.annotations":
        "argocd.argoproj.io/sync-options SkipDryRunOnMissingResource (lib/k8s.ts customResource, constraint 19)",
    "APIBinding:metadata.annotations":
        "argocd.argoproj.io/sync-options SkipDryRunOnMissingResource (lib/k8s.ts customResource)",
    "Placement:metadata.annotations":
        "argocd.argoproj.io/sync-options SkipDryRunOnMissingResource (lib/k8s.ts customResource)",
};

/** Paths where two plain JSON values differ (objects by key, arrays by index). */
function diff(a: unknown, b: unknown, at = ""): string[] {
    if (a === b) return [];
    const isObj = (v: unknown) => v !== null && typeof v === "object";
    if (Array.isArray(a) && Array.isArray(b)) {
        const out: string[] = [];
        for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(...diff(a[i], b[i], `${at}[${i}]`));
        return out;
    }
    if (isObj(a) && isObj(b) && !Array.isArray(a) && !Array.isArray(b)) {
        const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
        return [...keys].sort().flatMap((k) => diff((a as any)[k], (b as any)[k], at ? `${at}.${k}` : k));
    }
    return [at];
}

/** A path collapsed to its DELIBERATE key (labels/annotations as whole maps). */
function deliberateKey(kind: string, p: string): string | undefined {
    for (const key of [`${kind}:${p}`, `*:${p}`]) if (DELIBERATE[key]) return key;
    const m = /^(.*\.(labels|annotations))\./.exec(p) ?? /^(.*\.(resources|securityContext))\./.exec(p);
    if (m) for (const key of [`${kind}:${m[1]}`, `*:${m[1]}`]) if (DELIBERATE[key]) return key;
    return undefined;
}

/** Plain JSON of a builder's args (no Outputs inside: every input below is a plain value). */
function plain<T>(v: T): any {
    return JSON.parse(JSON.stringify(v));
}

/** Only the fields a manifest author writes: drop what the API server adds. */
function authored(o: any): any {
    const c = structuredClone(o);
    for (const k of ["uid", "resourceVersion", "creationTimestamp", "managedFields", "generation", "selfLink"])
        delete c.metadata?.[k];
    delete c.metadata?.annotations?.["kcp.io/cluster"];
    // kcp's own bookkeeping labels (internal.workload.kcp.io/key, internal.apis.kcp.io/export, claimed.internal.apis.kcp.io/...).
    for (const k of Object.keys(c.metadata?.labels ?? {}))
        if (/^(claimed\.)?internal\./.test(k)) delete c.metadata.labels[k];
    if (c.metadata?.labels && Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels;
    if (c.metadata?.annotations && Object.keys(c.metadata.annotations).length === 0) delete c.metadata.annotations;
    delete c.status;
    return c;
}

let p: Project;
let kubeconfig: string;
const seen = new Set<string>();
const kcpctl = (args: string[], opts: { server?: string } = {}) =>
    run(
        path.join(ROOT, ".tools", "bin", "kubectl"),
        ["--kubeconfig", kubeconfig, "--context", "kcp", ...(opts.server ? ["--server", opts.server] : []), ...args],
        { env: p.env, maxBuffer: 64 * 1024 * 1024 },
    );

/** Compare one object; every difference must be deliberate. */
function compare(t: import("ava").ExecutionContext, kind: string, theirs: any, ours: any): void {
    const unexplained: string[] = [];
    for (const d of diff(theirs, ours)) {
        const key = deliberateKey(kind, d);
        if (key) seen.add(key);
        else
            unexplained.push(
                `${d}: generator ${JSON.stringify(at(theirs, d))}, program ${JSON.stringify(at(ours, d))}`,
            );
    }
    t.deepEqual(unexplained, [], `${kind} ${theirs?.metadata?.name}: differences not listed as deliberate`);
}

function at(o: any, p: string): unknown {
    let cur = o;
    for (const part of p.split(/\.|(?=\[)/)) {
        if (cur === undefined || cur === null) return undefined;
        const m = /^\[(\d+)\]$/.exec(part);
        cur = m ? cur[Number(m[1])] : cur[part];
    }
    return cur;
}

const settings = resolveConfig("local", stackValues("local")).clusters.find((c) => c.name === CLUSTER)!.settings;
const kcp = settings.kcp;
let rendered: any[] = [];
let target: any;
let theirId = "";
let names: SyncerNames;
let ourNames: SyncerNames;
let endpoint: { serverUrl?: string; caData?: string };

test.before(async () => {
    p = await Project.create("kcp-conformance", 1);
    kubeconfig = p.kubeconfigPath;
    await p.clusterUp();
    const out = path.join(p.dir, "syncer-compute-1.yaml");
    const r = await p.run(
        path.join(ROOT, ".tools", "bin", "kubectl-kcp"),
        [
            "--kubeconfig",
            kubeconfig,
            "--context",
            "kcp",
            "workload",
            "sync",
            CLUSTER,
            "--syncer-image",
            kcp.syncerImage,
            ...kcp.resources.flatMap((x) => ["--resources", x]),
            "--apiexports=",
            "--output-file",
            out,
        ],
        { timeoutMs: 120_000 },
    );
    if (r.code !== 0) throw new Error(`kubectl kcp workload sync failed (${r.code}):\n${r.stderr}`);
    rendered = YAML.parseAllDocuments(fs.readFileSync(out, "utf8"))
        .map((d) => d.toJSON())
        .filter(Boolean);
    target = JSON.parse((await kcpctl(["get", "synctargets.workload.kcp.io", CLUSTER, "-o", "json"])).stdout);
    theirId = rendered.find((o) => o.kind === "Deployment").metadata.name;
    ourNames = syncerNames(CLUSTER, kcp.workspace);
    // The generator's names, with the program's scheme otherwise: same syncer ID function, keyed by the UID.
    names = { ...ourNames, id: theirId, dnsId: theirId.replace("syncer", "dns") };
    endpoint = kcpEndpointOf(fs.readFileSync(kubeconfig, "utf8"), "kcp");
});

test.after.always(async () => {
    if (!p) return;
    await p.clusterDown(true);
    if (process.env.KEEP_E2E_DIR) console.log(`kept ${p.dir}`);
    else p.cleanup();
});

const one = (kind: string, name?: string) => {
    const hits = rendered.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
    if (hits.length !== 1)
        throw new Error(
            `expected one ${kind}${name ? ` ${name}` : ""} in the generator's output, found ${hits.length}`,
        );
    return hits[0];
};
/** The program's object with its syncer ID replaced by the generator's (names are compared separately). */
const renamed = (o: unknown) =>
    JSON.parse(JSON.stringify(o).replaceAll(ourNames.id, theirId).replaceAll(ourNames.dnsId, names.dnsId));

test.serial(
    "names: lib/naming.ts syncerId reproduces the generator's syncer ID from the SyncTarget's UID; the program's has its shape",
    (t) => {
        t.is(syncerId(CLUSTER, target.metadata.uid), theirId, "kcp-syncer-<name>-<base36(sha224(uid))[:8]>");
        t.is(one("Namespace").metadata.name, theirId);
        t.regex(ourNames.id, new RegExp(`^kcp-syncer-${CLUSTER}-[0-9a-z]{8}$`));
        t.is(ourNames.id.length, theirId.length);
        t.deepEqual(rendered.map((o) => o.kind).sort(), [
            "ClusterRole",
            "ClusterRoleBinding",
            "Deployment",
            "Namespace",
            "Role",
            "RoleBinding",
            "Secret",
            "Secret",
            "ServiceAccount",
        ]);
    },
);

test.serial("SyncTarget: what the generator created in kcp equals buildSyncTarget's spec", (t) => {
    const ours = plain(buildSyncTarget(CLUSTER));
    const live = authored(target);
    compare(
        t,
        "SyncTarget",
        {
            apiVersion: live.apiVersion,
            kind: live.kind,
            metadata: { name: live.metadata.name, labels: live.metadata.labels },
            spec: live.spec,
        },
        {
            apiVersion: ours.apiVersion,
            kind: ours.kind,
            metadata: {
                name: ours.metadata.name,
                labels: ours.metadata.labels,
                annotations: { "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true" },
            },
            spec: ours.spec,
        },
    );
});

test.serial(
    "kcp side: the generator's ServiceAccount, ClusterRole and ClusterRoleBinding equal the builders'",
    async (t) => {
        const owners = plain(syncTargetOwnerReferences({ name: target.metadata.name, uid: target.metadata.uid }));
        const get = async (kind: string, ns?: string) =>
            authored(
                JSON.parse((await kcpctl(["get", kind, theirId, ...(ns ? ["-n", ns] : []), "-o", "json"])).stdout),
            );
        const sa = await get("serviceaccount", "default");
        delete sa.secrets; // filled by kcp's token controller, not authored
        compare(t, "ServiceAccount", sa, {
            apiVersion: "v1",
            kind: "ServiceAccount",
            ...renamed(plain(buildKcpServiceAccount(ourNames, owners))),
        });
        compare(t, "ClusterRole", await get("clusterrole"), {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            ...renamed(plain(buildKcpClusterRole(ourNames, owners))),
        });
        compare(t, "ClusterRoleBinding", await get("clusterrolebinding"), {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            ...renamed(plain(buildKcpClusterRoleBinding(ourNames, owners))),
        });
    },
);

test.serial(
    "compute side: Namespace, ServiceAccount and its token Secret, ClusterRole, ClusterRoleBinding, DNS Role and RoleBinding",
    (t) => {
        const wrap = (apiVersion: string, kind: string, o: unknown) => ({ apiVersion, kind, ...renamed(plain(o)) });
        compare(t, "Namespace", one("Namespace"), wrap("v1", "Namespace", buildSyncerNamespace(ourNames)));
        compare(
            t,
            "ServiceAccount",
            one("ServiceAccount"),
            wrap("v1", "ServiceAccount", buildSyncerServiceAccount(ourNames)),
        );
        compare(t, "Secret", one("Secret", `${theirId}-token`), wrap("v1", "Secret", buildSyncerTokenSecret(ourNames)));
        compare(
            t,
            "ClusterRole",
            one("ClusterRole"),
            wrap("rbac.authorization.k8s.io/v1", "ClusterRole", buildSyncerClusterRole(ourNames, kcp.resources)),
        );
        compare(
            t,
            "ClusterRoleBinding",
            one("ClusterRoleBinding"),
            wrap("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", buildSyncerClusterRoleBinding(ourNames)),
        );
        compare(t, "Role", one("Role"), wrap("rbac.authorization.k8s.io/v1", "Role", buildDnsRole(ourNames)));
        compare(
            t,
            "RoleBinding",
            one("RoleBinding"),
            wrap("rbac.authorization.k8s.io/v1", "RoleBinding", buildDnsRoleBinding(ourNames)),
        );
    },
);

test.serial(
    "kubeconfig Secret: same server (no path, explicit port), CA, namespace and layout, given the generator's token",
    (t) => {
        const theirs = one("Secret", theirId);
        const kc = YAML.parse(theirs.stringData.kubeconfig);
        const token = kc.users[0].user.token as string;
        t.is(
            kc.clusters[0].cluster.server,
            endpoint.serverUrl,
            "the program derives the server from the kcp kubeconfig as the generator does",
        );
        const ours = buildSyncerKubeconfig({ serverUrl: endpoint.serverUrl!, caData: endpoint.caData!, token });
        t.deepEqual(YAML.parse(ours), kc);
        t.is(ours, theirs.stringData.kubeconfig, "byte for byte");
        const sec = plain({ ...buildKubeconfigSecret(ourNames, ours), stringData: { kubeconfig: ours } });
        compare(t, "Secret", theirs, { apiVersion: "v1", kind: "Secret", ...renamed(sec) });
    },
);

test.serial(
    "Deployment: args, env NAMESPACE, image, volumes and policies equal the template's, given the SyncTarget's UID",
    (t) => {
        const theirs = one("Deployment");
        const args = syncerArgs(
            { name: CLUSTER, uid: target.metadata.uid },
            kcp.workspace,
            kcp.resources,
            kcp.syncerImage,
        );
        const ours = renamed(
            plain(buildSyncerDeployment(ourNames, { image: kcp.syncerImage, args, readiness: settings.readiness })),
        );
        compare(t, "Deployment", theirs, { apiVersion: "apps/v1", kind: "Deployment", ...ours });
        // The one deliberate arg difference: both name the same workspace.
        const fromCluster = theirs.spec.template.spec.containers[0].args[3] as string;
        t.regex(fromCluster, /^--from-cluster=[a-z0-9]+$/);
        t.is(
            fromCluster.slice("--from-cluster=".length),
            target.metadata.annotations["kcp.io/cluster"],
            "the generator writes the logical-cluster name",
        );
    },
);

test.serial(
    "consumer workspace: `kubectl kcp bind compute` creates the APIBinding and Placement the builders declare",
    async (t) => {
        const base = new URL(endpoint.serverUrl!);
        const server = `${base.protocol}//${base.host}/clusters/${TENANT}`;
        // The command waits for the Placement to be scheduled, which needs a running syncer; the objects exist either way.
        await p.run(
            path.join(ROOT, ".tools", "bin", "kubectl-kcp"),
            [
                "--kubeconfig",
                kubeconfig,
                "--context",
                "kcp",
                "--server",
                server,
                "bind",
                "compute",
                kcp.workspace,
                "--apiexports",
                `${kcp.workspace}:kubernetes`,
                "--timeout",
                "20s",
            ],
            { timeoutMs: 60_000 },
        );
        const get = async (kind: string, name: string) =>
            authored(JSON.parse((await kcpctl(["get", kind, name, "-o", "json"], { server })).stdout));
        const binding = await get("apibindings.apis.kcp.io", apiBindingName(kcp.workspace, "kubernetes"));
        const ob = plain(buildComputeApiBinding(kcp.workspace));
        compare(
            t,
            "APIBinding",
            {
                apiVersion: binding.apiVersion,
                kind: binding.kind,
                metadata: { name: binding.metadata.name, labels: binding.metadata.labels },
                spec: binding.spec,
            },
            {
                ...ob,
                metadata: {
                    ...ob.metadata,
                    annotations: { "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true" },
                },
            },
        );
        const placement = await get("placements.scheduling.kcp.io", placementName(kcp.workspace));
        const op = plain(buildComputePlacement(kcp.workspace));
        compare(
            t,
            "Placement",
            {
                apiVersion: placement.apiVersion,
                kind: placement.kind,
                metadata: { name: placement.metadata.name, labels: placement.metadata.labels },
                spec: placement.spec,
            },
            {
                ...op,
                metadata: {
                    ...op.metadata,
                    annotations: { "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true" },
                },
            },
        );
    },
);

test.serial("every deliberate difference still occurs (the list is not stale)", (t) => {
    t.deepEqual(
        Object.keys(DELIBERATE)
            .filter((k) => !seen.has(k))
            .sort(),
        [],
    );
});
