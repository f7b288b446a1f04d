/**
 * Print what a stack deployed, per cluster, from `pulumi stack output` and the clusters themselves:
 * `node --import tsx scripts/summary.ts <stack>`. Used at the end of `npm run up`.
 */
import { execFileSync } from "node:child_process";

const stack = process.argv[2] ?? "local";
const out = JSON.parse(execFileSync("pulumi", ["stack", "output", "--json", "--stack", stack], { encoding: "utf8" })) as {
    clusters: Record<string, { ring: number; catalogDigest: string; channel: string; argoApplication: string; syncTarget: string; gatewayUrl: string }>;
    gatewayUrl: string;
    gatewayMode: string;
};

console.log(`\nPipeline Service on stack '${stack}' — gateway (${out.gatewayMode}): ${out.gatewayUrl}\n`);
const rows = Object.entries(out.clusters).sort(([, a], [, b]) => a.ring - b.ring);
const header = ["CLUSTER", "RING", "CHANNEL", "CATALOG DIGEST", "ARGO APPLICATION", "SYNCTARGET"];
const table = rows.map(([name, c]) => [name, String(c.ring), c.channel, c.catalogDigest.slice(0, 19) + "…", c.argoApplication, c.syncTarget || "-"]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
for (const r of [header, ...table]) console.log(r.map((v, i) => v.padEnd(widths[i]!)).join("  "));

console.log(`
Next:
  pulumi preview --stack ${stack}            # see what a change would do (expect no changes now)
  pulumi preview --stack ${stack} --policy-pack policy --policy-pack-config policy/config/dev.json
  pulumi destroy --stack ${stack} --yes      # remove everything this stack created
  npm run cluster -- down                    # stop the local control plane (add --purge to delete its data)
(run them with .tools/bin first on PATH, or through .tools/bin/pulumi)`);
