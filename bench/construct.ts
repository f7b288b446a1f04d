/**
 * Construction benchmark under mocks: how long index.ts takes to build N compute clusters (rings of 10, fan-out
 * gateway, kcp on), how many resources it registers and how much memory the process needs, each size paired with the
 * floor program (bench/baseline/index.ts: one Provider and as many plain ConfigMaps per cluster as the program
 * registers Kubernetes objects there) under the same mocks; and how long config validation of a 300-cluster,
 * 30-ring stack takes. No Pulumi engine, no cluster: the mock monitor answers every registration at once, so this
 * measures the program's own cost (validation, components, Output plumbing). A benchmark: it asserts nothing.
 *
 *   node --import tsx bench/construct.ts                          # 10, 50 and 100 clusters, 3 pairs each, validation
 *   node --import tsx bench/construct.ts --clusters 50 --runs 5
 *   node --import tsx bench/construct.ts --clusters 50 --ring-size 50    # one ring: no ring dependencies
 *   node --import tsx bench/construct.ts --validate 300               # only the validation line
 *
 * Each measurement runs in its own process (mocks, config and the imported program are process-global), started the
 * way the CLI's language host starts a program: node with the project's `nodeargs` (Pulumi.yaml for the program,
 * bench/baseline/Pulumi.yaml for the floor) and `source-map-support/register` loaded first, as @pulumi/pulumi's
 * `cmd/run/index.js` does (`--runner tsx`: this process's node arguments, no source-map-support).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import YAML from "yaml";
import { parseCli } from "../scripts/cli.js";

interface Sample {
    clusters: number;
    resources: number;
    custom: number;
    components: number;
    /** Resources under one ComputeCluster (its component, Provider and every descendant). */
    perCluster: number;
    /** Kubernetes objects (not Providers) per compute cluster provider: the floor program's counts. */
    counts: Record<string, number>;
    /** Loading the SDKs and the program's modules (before any resource). */
    importMs: number;
    /** resolveConfig on the generated config. */
    validateMs: number;
    /** From the program's first line to the last registration answered. */
    constructMs: number;
    /** CPU (user + system) of the process over the same span. */
    constructCpuMs: number;
    heapMB: number;
    /** Peak resident set of the process. */
    maxRssMB: number;
}

/**
 * A stack config with `n` clusters in rings of `ringSize` (ring = index / ringSize, no cap), derived from a stack's
 * values: every seventh cluster has a performance override, and when the stack defines pools the clusters are spread
 * over them round-robin (with fewer clusters than pools, the tenants of an empty pool move to the first cluster's).
 */
export function benchConfig(base: Record<string, unknown>, n: number, ringSize = 10): Record<string, unknown> {
    const pools = ((base.pools as { name: string }[] | undefined) ?? []).map((p) => p.name);
    const clusters = Array.from({ length: n }, (_, i) => ({
        name: `compute-${String(i + 1).padStart(2, "0")}`,
        kubeconfig: { path: ".local/kubeconfig", context: `compute-${i + 1}` },
        ring: Math.floor(i / ringSize),
        appsDomain: `apps.compute-${i + 1}.pipeline-service.example.com`,
        ...(pools.length ? { pool: pools[i % pools.length] } : {}),
        ...(i % 7 === 3 ? { overrides: { tekton: { performance: { buckets: 2, replicas: 2 } } } } : {}),
    }));
    // Fewer clusters than pools: a tenant whose pool got no cluster moves to the first cluster's pool.
    const used = new Set(clusters.map((c) => c.pool));
    const tenants = (base.tenants as { pool?: string }[] | undefined)?.map((t) =>
        t.pool === undefined || used.has(t.pool) ? t : { ...t, pool: clusters[0]!.pool },
    );
    return {
        ...base,
        clusters,
        ...(tenants ? { tenants } : {}),
        gateway: { mode: "fanout", hostname: "webhooks.pipeline-service.example.com" },
    };
}

/** The prod stack with `n` clusters in `rings` rings (round-robin), as test/unit/config.scale.test.ts builds it. */
async function prodFleet(n: number, rings: number): Promise<Record<string, any>> {
    const { readStackFile } = await import("../scripts/validate-config.js");
    const { ROOT } = await import("../test/helpers/paths.js");
    const raw = structuredClone(readStackFile(path.join(ROOT, "Pulumi.prod.yaml"))) as Record<string, any>;
    raw.clusters = Array.from({ length: n }, (_, k) => ({
        name: `member-${k + 1}`,
        kubeconfig: { context: `member-${k + 1}` },
        ring: k % rings,
        appsDomain: `apps.member-${k + 1}.example.com`,
    }));
    raw.gateway = { ...raw.gateway, hostCluster: "member-1" };
    return raw;
}

const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
};

async function runner(kind: string): Promise<void> {
    // What `pulumi up` runs first (@pulumi/pulumi cmd/run/index.js): source-map-support, so stack traces are mapped.
    if (kind === "cli") createRequire(import.meta.url)("source-map-support/register");
}

async function measureProgram(n: number, ringSize: number): Promise<Sample> {
    const t0 = performance.now();
    const mocks = await import("../test/helpers/mocks.js");
    const { resolveConfig } = await import("../lib/config.js");
    await import("@pulumi/kubernetes");
    await import("../components/computeCluster.js");
    const config = benchConfig(mocks.mockableStackValues("local"), n, ringSize);
    const importMs = performance.now() - t0;

    const v0 = performance.now();
    resolveConfig("bench", config);
    const validateMs = performance.now() - v0;

    await mocks.installMocks("bench", mocks.configOf(config));
    const c0 = performance.now();
    const cpu0 = cpuMs();
    const program = await import("../index.js");
    await mocks.promiseOf(program.gatewayUrl);
    await mocks.settle();
    const constructMs = performance.now() - c0;
    const constructCpuMs = cpuMs() - cpu0;

    const all = mocks.collected;
    const counts: Record<string, number> = {};
    for (const c of all) {
        const ctx = /::(compute-\d+)-k8s::/.exec(c.provider ?? "")?.[1];
        if (c.custom && ctx && !c.type.startsWith("pulumi:providers:")) counts[ctx] = (counts[ctx] ?? 0) + 1;
    }
    return {
        clusters: n,
        resources: all.length,
        custom: all.filter((c) => c.custom).length,
        components: all.filter((c) => !c.custom).length,
        perCluster: all.filter((c) => c.name.startsWith("compute-")).length / n,
        counts,
        importMs,
        validateMs,
        constructMs,
        constructCpuMs,
        heapMB: process.memoryUsage().heapUsed / 2 ** 20,
        maxRssMB: process.resourceUsage().maxRSS / 1024,
    };
}

/** The floor program (bench/baseline/index.ts) under the same mocks, with the program's per-cluster counts. */
async function measureFloor(
    counts: Record<string, number>,
): Promise<Pick<Sample, "resources" | "constructMs" | "constructCpuMs" | "heapMB" | "maxRssMB">> {
    const mocks = await import("../test/helpers/mocks.js");
    await import("@pulumi/kubernetes");
    await mocks.installMocks("bench", {
        "baseline:kubeconfig": ".local/kubeconfig",
        "baseline:counts": JSON.stringify(counts),
    });
    const c0 = performance.now();
    const cpu0 = cpuMs();
    await import("./baseline/index.js");
    await mocks.settle();
    return {
        resources: mocks.collected.length,
        constructMs: performance.now() - c0,
        constructCpuMs: cpuMs() - cpu0,
        heapMB: process.memoryUsage().heapUsed / 2 ** 20,
        maxRssMB: process.resourceUsage().maxRSS / 1024,
    };
}

/** resolveConfig of the prod stack with `n` clusters in n/10 rings: the first call and the median of five more. */
async function measureValidation(
    n: number,
): Promise<{ clusters: number; rings: number; firstMs: number; medianMs: number }> {
    const { resolveConfig } = await import("../lib/config.js");
    const rings = Math.max(1, Math.floor(n / 10));
    const raw = await prodFleet(n, rings);
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
        const t = performance.now();
        const cfg = resolveConfig("prod", raw);
        times.push(performance.now() - t);
        if (cfg.clusters.length !== n) throw new Error(`validation resolved ${cfg.clusters.length} clusters, not ${n}`);
    }
    return { clusters: n, rings, firstMs: times[0]!, medianMs: median(times.slice(1)) };
}

const { values: cli } = parseCli({
    usage: `usage: node --import tsx bench/construct.ts [--clusters 10,50,100] [--runs 3] [--ring-size 10] [--validate 300] [--runner cli|tsx]

Construction of index.ts under mocks for each cluster count, paired run by run with the floor program
(bench/baseline) under the same mocks, each run in its own process; then config validation of a prod stack with
--validate clusters in clusters/10 rings. Prints the tables. Asserts nothing.

  --clusters LIST   comma-separated cluster counts (default 10,50,100); 0 skips construction
  --runs N          program/floor pairs per size (default 3)
  --ring-size N     clusters per ring (default 10)
  --validate N      clusters of the validation measurement (default 300); 0 skips it
  --runner R        cli: load source-map-support first, as pulumi's cmd/run does (default); tsx: plain node --import tsx
  -h, --help        this text`,
    options: {
        clusters: { type: "string", default: "10,50,100" },
        runs: { type: "string", default: "3" },
        "ring-size": { type: "string", default: "10" },
        validate: { type: "string", default: "300" },
        runner: { type: "string", default: "cli" },
        child: { type: "string" },
    },
});

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

if (cli.child) {
    await runner(cli.runner);
    const out =
        cli.child === "program"
            ? await measureProgram(Number(cli.clusters), Number(cli["ring-size"]))
            : cli.child === "floor"
              ? await measureFloor(JSON.parse(process.env.BENCH_FLOOR_COUNTS ?? "{}") as Record<string, number>)
              : await measureValidation(Number(cli.validate));
    process.stdout.write(`${JSON.stringify(out)}\n`);
    process.exit(0);
}

/**
 * The node arguments of a Pulumi project (`runtime.options.nodeargs` of its Pulumi.yaml), as the language host passes
 * them: the program runs with the project's, the floor with bench/baseline's.
 */
function projectNodeArgs(dir: string): string[] {
    const doc = YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as {
        runtime?: { options?: { nodeargs?: string } };
    };
    return (doc.runtime?.options?.nodeargs ?? "").split(/\s+/).filter(Boolean);
}

function child(args: string[], env: NodeJS.ProcessEnv = process.env): any {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const nodeArgs =
        cli.runner !== "cli"
            ? process.execArgv
            : projectNodeArgs(args[1] === "floor" ? path.join(here, "baseline") : path.join(here, ".."));
    const out = spawnSync(
        process.execPath,
        [...nodeArgs, fileURLToPath(import.meta.url), "--runner", cli.runner, ...args],
        { encoding: "utf8", env, maxBuffer: 64 * 2 ** 20 },
    );
    if (out.status !== 0)
        throw new Error(`bench/construct.ts ${args.join(" ")} failed (exit ${out.status}):\n${out.stderr}`);
    return JSON.parse(out.stdout.trim().split("\n").pop()!);
}

function table(rows: string[][]): string {
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    const line = (r: string[]) => `| ${r.map((x, i) => x.padStart(widths[i]!)).join(" | ")} |`;
    return [
        line(rows[0]!),
        `|${widths.map((w) => "-".repeat(w + 1) + ":").join("|")}|`,
        ...rows.slice(1).map(line),
    ].join("\n");
}

const sizes = cli.clusters
    .split(",")
    .map(Number)
    .filter((n) => n > 0);
const runs = Number(cli.runs);
const load0 = os.loadavg()[0]!;
if (sizes.length) {
    const rows: string[][] = [
        [
            "clusters",
            "resources",
            "per cluster",
            "validate ms",
            "construct ms (median)",
            "min-max",
            "ms/cluster",
            "cpu ms",
            "floor resources",
            "floor ms",
            "floor cpu ms",
            "ratio",
            "cpu ratio",
            "heap MB",
            "max RSS MB",
            "floor RSS MB",
        ],
    ];
    for (const n of sizes) {
        const prog: Sample[] = [];
        const floor: Sample[] = [];
        for (let r = 0; r < runs; r++) {
            const p = child(["--child", "program", "--clusters", String(n), "--ring-size", cli["ring-size"]]) as Sample;
            prog.push(p);
            floor.push(
                child(["--child", "floor"], { ...process.env, BENCH_FLOOR_COUNTS: JSON.stringify(p.counts) }) as Sample,
            );
        }
        const c = prog.map((x) => x.constructMs);
        const m = (xs: Sample[], f: (s: Sample) => number) => median(xs.map(f));
        rows.push([
            String(n),
            String(prog[0]!.resources),
            prog[0]!.perCluster.toFixed(1),
            m(prog, (x) => x.validateMs).toFixed(0),
            median(c).toFixed(0),
            `${Math.min(...c).toFixed(0)}-${Math.max(...c).toFixed(0)}`,
            (median(c) / n).toFixed(1),
            m(prog, (x) => x.constructCpuMs).toFixed(0),
            String(floor[0]!.resources),
            m(floor, (x) => x.constructMs).toFixed(0),
            m(floor, (x) => x.constructCpuMs).toFixed(0),
            median(prog.map((x, i) => x.constructMs / floor[i]!.constructMs)).toFixed(2),
            median(prog.map((x, i) => x.constructCpuMs / floor[i]!.constructCpuMs)).toFixed(2),
            m(prog, (x) => x.heapMB).toFixed(0),
            m(prog, (x) => x.maxRssMB).toFixed(0),
            m(floor, (x) => x.maxRssMB).toFixed(0),
        ]);
    }
    console.log(table(rows));
    console.log(
        `\n${runs} program/floor pair(s) per size, rings of ${cli["ring-size"]} clusters, each run in a fresh process ` +
            `(runner ${cli.runner}); ratio = median of program/floor per pair.`,
    );
}
const validateN = Number(cli.validate);
if (validateN > 0) {
    const v = child(["--child", "validate", "--validate", String(validateN)]) as Awaited<
        ReturnType<typeof measureValidation>
    >;
    console.log(
        `\nconfig validation (resolveConfig) of Pulumi.prod.yaml with ${v.clusters} clusters in ${v.rings} rings: ` +
            `${v.firstMs.toFixed(0)} ms the first call, ${v.medianMs.toFixed(0)} ms the median of 5 more`,
    );
}
console.log(
    `\nnode ${process.version}; ${os.cpus().length} CPU(s); load average ${load0.toFixed(1)} at start, ` +
        `${os.loadavg()[0]!.toFixed(1)} at end`,
);
