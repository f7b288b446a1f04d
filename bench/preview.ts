/**
 * `npm run bench`: wall time of `pulumi preview` and of a no-op `pulumi up` for the local stack with 1, 2 and 4
 * virtual compute clusters, against a baseline program that registers the same number of plain ConfigMaps per
 * cluster (the engine floor), and the ratio between them. A benchmark, not a test: it asserts nothing.
 * Options: --clusters 1,2,4  --reps 3
 */
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { Project, ROOT } from "../test/e2e/harness.js";

const arg = (name: string, dflt: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1]! : dflt;
};
const sizes = arg("--clusters", "1,2,4").split(",").map(Number);
const reps = Number(arg("--reps", "3"));

async function timed(p: Project, args: string[], cwd?: string): Promise<number> {
    const start = process.hrtime.bigint();
    const r = cwd
        ? await p.run("pulumi", [...args, "--cwd", cwd, "--non-interactive"])
        : await p.run("pulumi", [...args, "--non-interactive"]);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
    return Number(process.hrtime.bigint() - start) / 1e9;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Row { clusters: number; resources: number; preview: number; up: number; basePreview: number; baseUp: number }
const rows: Row[] = [];

for (const n of sizes) {
    const p = await Project.create(`bench-${n}`, n);
    try {
        await p.clusterUp();
        // The local stack with n compute clusters in rings 0..n-1; fan-out gateway on compute-1.
        const file = path.join(p.dir, "Pulumi.local.yaml");
        const doc = YAML.parse(fs.readFileSync(file, "utf8"));
        doc.config["pipeline-service:clusters"] = Array.from({ length: n }, (_, i) => ({
            name: `compute-${i + 1}`,
            kubeconfig: { path: ".local/kubeconfig", context: `compute-${i + 1}` },
            ring: i,
            appsDomain: `apps.compute-${i + 1}.pipeline-service.localhost`,
        }));
        fs.writeFileSync(file, YAML.stringify(doc));
        await p.initStack();
        await timed(p, ["up", "--yes", "--skip-preview", "--stack", "local"]);
        const exported = JSON.parse((await p.run("pulumi", ["stack", "export", "--stack", "local"])).stdout);
        const counts: Record<string, number> = {};
        let total = 0;
        for (const r of exported.deployment.resources as { type: string; provider?: string }[]) {
            if (!r.type.startsWith("kubernetes:") || r.type.startsWith("kubernetes:providers")) continue;
            const ctx = /::(compute-\d+)-k8s::/.exec(r.provider ?? "")?.[1];
            if (!ctx) continue; // kcp resources: counted below under kcp
            counts[ctx] = (counts[ctx] ?? 0) + 1;
            total++;
        }
        const program = { preview: [] as number[], up: [] as number[] };
        for (let i = 0; i < reps; i++) {
            program.preview.push(await timed(p, ["preview", "--stack", "local", "--expect-no-changes"]));
            program.up.push(await timed(p, ["up", "--yes", "--skip-preview", "--stack", "local", "--expect-no-changes"]));
        }

        const base = path.join(p.dir, "bench", "baseline");
        fs.cpSync(path.join(ROOT, "bench", "baseline"), base, { recursive: true });
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(base, "node_modules"));
        await p.run("pulumi", ["stack", "init", "bench", "--cwd", base, "--secrets-provider", "passphrase", "--non-interactive"]);
        await p.run("pulumi", ["config", "set", "baseline:kubeconfig", p.kubeconfigPath, "--cwd", base, "--stack", "bench"]);
        await p.run("pulumi", ["config", "set", "baseline:counts", JSON.stringify(counts), "--cwd", base, "--stack", "bench"]);
        await timed(p, ["up", "--yes", "--skip-preview", "--stack", "bench"], base);
        const baseline = { preview: [] as number[], up: [] as number[] };
        for (let i = 0; i < reps; i++) {
            baseline.preview.push(await timed(p, ["preview", "--stack", "bench", "--expect-no-changes"], base));
            baseline.up.push(await timed(p, ["up", "--yes", "--skip-preview", "--stack", "bench", "--expect-no-changes"], base));
        }
        rows.push({
            clusters: n, resources: total,
            preview: median(program.preview), up: median(program.up),
            basePreview: median(baseline.preview), baseUp: median(baseline.up),
        });
    } finally {
        await p.clusterDown(true);
        p.cleanup();
    }
}

console.log(`\nmedian of ${reps} runs, seconds (2 cores)\n`);
console.log("| compute clusters | k8s resources on them | preview | no-op up | baseline preview | baseline no-op up | ratio preview | ratio up |");
console.log("|---|---|---|---|---|---|---|---|");
for (const r of rows) {
    console.log(`| ${r.clusters} | ${r.resources} | ${r.preview.toFixed(1)} | ${r.up.toFixed(1)} | ${r.basePreview.toFixed(1)} | ${r.baseUp.toFixed(1)} | ` +
        `${(r.preview / r.basePreview).toFixed(2)} | ${(r.up / r.baseUp).toFixed(2)} |`);
}
