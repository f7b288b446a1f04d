/**
 * `npm run bench`: wall time of `pulumi preview` and of a no-op `pulumi up` of the local stack on the local control
 * plane with 1, 4, 8 and 16 compute clusters (16 is the control plane's maximum) in up to 3 rollout rings, each paired
 * in the same run with the floor program (bench/baseline: one kubernetes Provider and as many plain ConfigMaps per
 * cluster as the program registers Kubernetes objects there, its objects on kcp added to compute-1's, i.e. the
 * engine and provider cost of that many objects), and with the objects floor (bench/objects-floor: the program's own
 * objects, renamed, on providers configured as the program's, with the program's dependencies, read from its state,
 * without components or program logic: the engine and provider cost of these very objects), and the ratios
 * program / floor. A benchmark, not a test: it asserts nothing.
 * Options: --clusters 1,4,8,16  --rings 3  --reps 3
 *
 * Pulumi runs through the Automation API (scripts/lib/automation.ts: the project's `.tools/bin/pulumi` in each
 * project copy, the engine's events as objects): a time is from the call until the engine's summary event. The
 * program and the floor alternate (program preview, floor preview, program up, floor up, per rep), so both see the
 * same machine; a ratio is the median of the per-pair ratios. The load average (`uptime`) is printed per size, and
 * every figure is written to bench/results/preview-<time>.json.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { parseCli } from "../scripts/cli.js";

const { values } = parseCli({
    usage: `usage: node --import tsx bench/preview.ts [--clusters 1,4,8,16] [--rings 3] [--reps 3]

Times pulumi preview and a no-op pulumi up of the local stack on the local control plane, for each cluster count,
against two floors in turn: the ConfigMap floor (bench/baseline: as many plain ConfigMaps) and the objects floor
(bench/objects-floor: the program's own objects from its state, renamed, without the program); prints the table
with the ratios and the load average. Asserts nothing. Heavy: run it under flock /tmp/pipeline-service-build.lock.

  --clusters LIST  comma-separated compute cluster counts, each 1 to 16 (default 1,4,8,16)
  --rings N        rollout rings the clusters are spread over, in order (default 3; fewer when there are fewer clusters)
  --reps N         program/floor pairs per measurement; medians are reported (default 3)
  -h, --help       this text`,
    options: {
        clusters: { type: "string", default: "1,4,8,16" },
        rings: { type: "string", default: "3" },
        reps: { type: "string", default: "3" },
    },
});
// Imported after the command line is read, so --help starts nothing.
const { Project: ProjectClass, ROOT } = await import("../test/e2e/harness.js");
const { commandFailure, createStack } = await import("../scripts/lib/automation.js");
const { floorObjects } = await import("./objects-floor/objects.js");
type Stack = Awaited<ReturnType<typeof createStack>>;
type OnEvent = NonNullable<Parameters<Stack["preview"]>[0]>["onEvent"];
const sizes = values.clusters.split(",").map(Number);
const reps = Number(values.reps);
const ringCount = Number(values.rings);
for (const n of sizes) {
    if (!Number.isInteger(n) || n < 1 || n > 16)
        throw new Error(`--clusters: ${n} is not a count from 1 to 16 (the local control plane's maximum)`);
}
if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps: ${values.reps} is not a whole number from 1`);
if (!Number.isInteger(ringCount) || ringCount < 1)
    throw new Error(`--rings: ${values.rings} is not a whole number from 1`);

/**
 * The local stack's config with `n` compute clusters in `rings` rings, in order (cluster i is in ring
 * floor(i * rings / n), so 16 clusters in 3 rings are 6 + 5 + 5); fan-out gateway on compute-1. The stack's pools
 * are spread over the clusters round-robin; a tenant whose pool got no cluster (fewer clusters than pools) moves to
 * compute-1's pool, so every configuration validates.
 */
export function benchStack(config: Record<string, unknown>, n: number, rings: number): Record<string, unknown> {
    const pools = ((config["pipeline-service:pools"] as { name: string }[] | undefined) ?? []).map((x) => x.name);
    const clusters = Array.from({ length: n }, (_, i) => ({
        name: `compute-${i + 1}`,
        kubeconfig: { path: ".local/kubeconfig", context: `compute-${i + 1}` },
        ring: Math.floor((i * Math.min(rings, n)) / n),
        appsDomain: `apps.compute-${i + 1}.pipeline-service.localhost`,
        ...(pools.length ? { pool: pools[i % pools.length] } : {}),
    }));
    const used = new Set(clusters.map((c) => c.pool));
    const tenants = (config["pipeline-service:tenants"] as { pool?: string }[] | undefined)?.map((t) =>
        t.pool === undefined || used.has(t.pool) ? t : { ...t, pool: clusters[0]!.pool },
    );
    return {
        ...config,
        "pipeline-service:clusters": clusters,
        ...(tenants ? { "pipeline-service:tenants": tenants } : {}),
    };
}

const load = () =>
    os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(" ");

/**
 * Seconds from the call until the engine's summary event: the CLI's own work. The Automation API reads a few more
 * things after `up` (`stack output`, `stack history`); those are not the operation and are not counted.
 */
async function timed(what: string, op: (onEvent: OnEvent) => Promise<unknown>): Promise<number> {
    const start = process.hrtime.bigint();
    let end: bigint | undefined;
    try {
        await op((e) => {
            if (e.summaryEvent) end = process.hrtime.bigint();
        });
    } catch (e) {
        const f = commandFailure(e);
        throw new Error(`pulumi ${what} failed (exit ${f.code}):\n${f.stdout.slice(-3000)}\n${f.stderr.slice(-3000)}`);
    }
    return Number((end ?? process.hrtime.bigint()) - start) / 1e9;
}
const preview = (s: Stack) =>
    timed(`preview --stack ${s.name}`, (onEvent) => s.preview({ expectNoChanges: true, color: "never", onEvent }));
const noopUp = (s: Stack) =>
    timed(`up --stack ${s.name}`, (onEvent) => s.up({ expectNoChanges: true, color: "never", onEvent }));

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

interface Row {
    clusters: number;
    rings: number;
    /** Kubernetes objects of the program, kcp's included (the floor registers as many ConfigMaps). */
    resources: number;
    /** Of those, the objects on kcp. */
    onKcp: number;
    preview: number[];
    up: number[];
    basePreview: number[];
    baseUp: number[];
    /** The objects floor's. */
    objPreview: number[];
    objUp: number[];
    /** Load average (1, 5, 15 min) when the size started and when it ended. */
    loadStart: string;
    loadEnd: string;
}
const rows: Row[] = [];
const ratio = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]!));
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(" ");

for (const n of sizes) {
    const loadStart = load();
    const p = await ProjectClass.create(`bench-${n}`, n);
    try {
        await p.clusterUp();
        const file = path.join(p.dir, "Pulumi.local.yaml");
        const doc = YAML.parse(fs.readFileSync(file, "utf8"));
        doc.config = benchStack(doc.config, n, ringCount);
        fs.writeFileSync(file, YAML.stringify(doc));
        const rings = new Set((doc.config["pipeline-service:clusters"] as { ring: number }[]).map((c) => c.ring)).size;
        const program = await createStack("local", p.dir, p.env);
        await timed("up --stack local", (onEvent) => program.up({ color: "never", onEvent }));
        const exported = (await program.exportStack()) as {
            deployment: { resources: import("./objects-floor/objects.js").StateResource[] };
        };
        // Kubernetes objects per compute cluster, from the stack's state. The objects on kcp (SyncTargets, the syncers'
        // kcp RBAC and tokens, tenants' workspaces, bindings and placements, through the kcp and workspace providers)
        // are counted too, and the floor puts as many ConfigMaps on compute-1: the same number of objects, though the
        // floor has no kcp provider processes. Components (a ring gate) have no provider and are not objects.
        const counts: Record<string, number> = {};
        let total = 0;
        let onKcp = 0;
        for (const r of exported.deployment.resources) {
            if (!r.type.startsWith("kubernetes:") || r.type.startsWith("kubernetes:providers")) continue;
            const provider = /pulumi:providers:kubernetes::([^:]+)::/.exec(r.provider ?? "")?.[1];
            if (!provider) continue;
            const cluster = /^(compute-\d+)-k8s$/.exec(provider)?.[1];
            // Any other provider is kcp's: the kcp provider, a consumer workspace's, a tenant's (tenant-<name>-kcp).
            if (!cluster) onKcp++;
            counts[cluster ?? "compute-1"] = (counts[cluster ?? "compute-1"] ?? 0) + 1;
            total++;
        }

        const base = path.join(p.dir, "bench", "baseline");
        fs.cpSync(path.join(ROOT, "bench", "baseline"), base, { recursive: true });
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(base, "node_modules"));
        // The baseline's throwaway stack is not `local`, so the wrapper gives it no passphrase: it gets its own.
        const baseline = await createStack("bench", base, {
            ...p.env,
            PULUMI_CONFIG_PASSPHRASE: randomBytes(24).toString("base64url"),
        });
        await baseline.setConfig("baseline:kubeconfig", { value: p.kubeconfigPath });
        await baseline.setConfig("baseline:counts", { value: JSON.stringify(counts) });
        await timed("up --stack bench", (onEvent) => baseline.up({ color: "never", onEvent }));

        // The objects floor: the program's objects under names of their own (floor-<name>), applied by a second
        // stack. Its file holds the state's secrets, in the scratch copy only (mode 0600), marked secret again when
        // registered; the scratch copy is removed with the control plane.
        const objectsDir = path.join(p.dir, "bench", "objects-floor");
        fs.cpSync(path.join(ROOT, "bench", "objects-floor"), objectsDir, { recursive: true });
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(objectsDir, "node_modules"));
        const floorFile = path.join(objectsDir, "objects.json");
        fs.writeFileSync(floorFile, JSON.stringify(floorObjects(exported.deployment.resources)), { mode: 0o600 });
        const objectsFloor = await createStack("bench", objectsDir, {
            ...p.env,
            PULUMI_CONFIG_PASSPHRASE: randomBytes(24).toString("base64url"),
        });
        await objectsFloor.setConfig("objects-floor:file", { value: floorFile });
        await objectsFloor.setConfig("objects-floor:projectDir", { value: p.dir });
        await timed("up --stack bench (objects floor)", (onEvent) => objectsFloor.up({ color: "never", onEvent }));

        const row: Row = {
            clusters: n,
            rings,
            resources: total,
            onKcp,
            preview: [],
            up: [],
            basePreview: [],
            baseUp: [],
            objPreview: [],
            objUp: [],
            loadStart,
            loadEnd: "",
        };
        for (let i = 0; i < reps; i++) {
            row.preview.push(await preview(program));
            row.basePreview.push(await preview(baseline));
            row.objPreview.push(await preview(objectsFloor));
            row.up.push(await noopUp(program));
            row.baseUp.push(await noopUp(baseline));
            row.objUp.push(await noopUp(objectsFloor));
        }
        row.loadEnd = load();
        rows.push(row);
        console.log(
            `${n} clusters: preview ${fmt(row.preview)} / floor ${fmt(row.basePreview)} / objects floor ${fmt(row.objPreview)}; ` +
                `no-op up ${fmt(row.up)} / floor ${fmt(row.baseUp)} / objects floor ${fmt(row.objUp)}; load ${loadStart} -> ${row.loadEnd}`,
        );
    } finally {
        await p.clusterDown(true);
        p.cleanup();
    }
}

const outDir = path.join(ROOT, "bench", "results");
fs.mkdirSync(outDir, { recursive: true });
const outFile = path.join(outDir, `preview-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
fs.writeFileSync(
    outFile,
    `${JSON.stringify({ node: process.version, cpus: os.cpus().length, reps, rows }, null, 2)}\n`,
);

console.log(
    `\nmedian of ${reps} program/floor pairs, seconds; ratio = median of the per-pair ratios; ${os.cpus().length} CPUs\n`,
);
console.log(
    "| compute clusters | rings | k8s objects (on kcp) | preview | ConfigMap floor | ratio | objects floor | ratio | " +
        "no-op up | ConfigMap floor | ratio | objects floor | ratio | load average (start → end) |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const r of rows) {
    const m = (xs: number[]) => median(xs).toFixed(1);
    console.log(
        `| ${r.clusters} | ${r.rings} | ${r.resources} (${r.onKcp}) | ${m(r.preview)} | ${m(r.basePreview)} | ` +
            `${ratio(r.preview, r.basePreview).toFixed(2)} | ${m(r.objPreview)} | ${ratio(r.preview, r.objPreview).toFixed(2)} | ` +
            `${m(r.up)} | ${m(r.baseUp)} | ${ratio(r.up, r.baseUp).toFixed(2)} | ${m(r.objUp)} | ` +
            `${ratio(r.up, r.objUp).toFixed(2)} | ${r.loadStart} → ${r.loadEnd} |`,
    );
}
console.log(`\nfigures: ${path.relative(ROOT, outFile)}`);
