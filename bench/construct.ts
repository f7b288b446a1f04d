/**
 * Construction benchmark under mocks: how long index.ts takes to build N compute clusters (rings of 10, fan-out
 * gateway, kcp on) and how many resources it registers. No Pulumi engine, no cluster: the mock monitor answers every
 * registration at once, so this measures the program's own cost (validation, components, Output plumbing).
 *
 *   node --import tsx bench/construct.ts                # 1, 10 and 50 clusters, 3 runs each, a table
 *   node --import tsx bench/construct.ts --clusters 50 --runs 5
 *   node --import tsx bench/construct.ts --clusters 50 --ring-size 50    # one ring: no ring dependencies
 *
 * Each measurement runs in its own process: mocks, config and the imported program are process-global.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

interface Sample {
    clusters: number;
    resources: number;
    custom: number;
    components: number;
    /** Resources under one ComputeCluster (its component, Provider and every descendant). */
    perCluster: number;
    /** Loading the SDKs and the program's modules (before any resource). */
    importMs: number;
    /** resolveConfig on the generated config. */
    validateMs: number;
    /** From the program's first line to the last registration answered. */
    constructMs: number;
    heapMB: number;
}

/** A stack config with `n` clusters in rings of ten, derived from Pulumi.local.yaml. */
export function benchConfig(base: Record<string, unknown>, n: number, ringSize = 10): Record<string, unknown> {
    const clusters = Array.from({ length: n }, (_, i) => ({
        name: `compute-${String(i + 1).padStart(2, "0")}`,
        kubeconfig: { path: ".local/kubeconfig", context: `compute-${i + 1}` },
        ring: Math.min(9, Math.floor(i / ringSize)),
        appsDomain: `apps.compute-${i + 1}.pipeline-service.example.com`,
        ...(i % 7 === 3 ? { overrides: { tekton: { performance: { buckets: 2, replicas: 2 } } } } : {}),
    }));
    return { ...base, clusters, gateway: { mode: "fanout", hostname: "webhooks.pipeline-service.example.com" } };
}

async function measure(n: number, ringSize: number): Promise<Sample> {
    const t0 = performance.now();
    const mocks = await import("../test/unit/helpers/mocks.js");
    const { resolveConfig } = await import("../lib/config.js");
    await import("@pulumi/kubernetes");
    await import("../components/computeCluster.js");
    const config = benchConfig(mocks.stackValues("local"), n, ringSize);
    const importMs = performance.now() - t0;

    const v0 = performance.now();
    resolveConfig("bench", config);
    const validateMs = performance.now() - v0;

    await mocks.installMocks("bench", mocks.configOf(config));
    const c0 = performance.now();
    const program = await import("../index.js");
    await mocks.promiseOf(program.gatewayUrl);
    await mocks.settle();
    const constructMs = performance.now() - c0;

    const all = mocks.collected;
    return {
        clusters: n,
        resources: all.length,
        custom: all.filter((c) => c.custom).length,
        components: all.filter((c) => !c.custom).length,
        perCluster: all.filter((c) => c.name.startsWith("compute-")).length / n,
        importMs,
        validateMs,
        constructMs,
        heapMB: process.memoryUsage().heapUsed / 2 ** 20,
    };
}

function arg(name: string): string | undefined {
    const i = process.argv.indexOf(`--${name}`);
    return i < 0 ? undefined : process.argv[i + 1];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (process.argv.includes("--child")) {
    const s = await measure(Number(arg("clusters")), Number(arg("ring-size") ?? 10));
    process.stdout.write(`${JSON.stringify(s)}\n`);
    process.exit(0);
} else {
    const sizes = arg("clusters") ? [Number(arg("clusters"))] : [1, 10, 50];
    const runs = Number(arg("runs") ?? 3);
    const rows: string[][] = [["clusters", "resources", "custom", "components", "per cluster", "validate ms", "construct ms (median)", "construct ms (min-max)", "ms/cluster", "import ms", "heap MB"]];
    for (const n of sizes) {
        const samples: Sample[] = [];
        for (let r = 0; r < runs; r++) {
            const out = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--child", "--clusters", String(n), "--ring-size", arg("ring-size") ?? "10"], { encoding: "utf8" });
            if (out.status !== 0) throw new Error(`run with ${n} clusters failed:\n${out.stderr}`);
            samples.push(JSON.parse(out.stdout.trim().split("\n").pop()!) as Sample);
        }
        const s = samples[0]!;
        const c = samples.map((x) => x.constructMs);
        rows.push([
            String(n), String(s.resources), String(s.custom), String(s.components), s.perCluster.toFixed(1),
            median(samples.map((x) => x.validateMs)).toFixed(0), median(c).toFixed(0), `${Math.min(...c).toFixed(0)}-${Math.max(...c).toFixed(0)}`,
            (median(c) / n).toFixed(1), median(samples.map((x) => x.importMs)).toFixed(0), median(samples.map((x) => x.heapMB)).toFixed(0),
        ]);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    const line = (r: string[]) => `| ${r.map((x, i) => x.padStart(widths[i]!)).join(" | ")} |`;
    console.log(line(rows[0]!));
    console.log(`|${widths.map((w) => "-".repeat(w + 1) + ":").join("|")}|`);
    for (const r of rows.slice(1)) console.log(line(r));
    console.log(`\n${runs} run(s) per size, rings of ${arg("ring-size") ?? 10} clusters, each in a fresh process; node ${process.version}; ${(await import("node:os")).cpus().length} CPU(s); load ${(await import("node:os")).loadavg().map((x) => x.toFixed(1)).join(" ")}`);
}
