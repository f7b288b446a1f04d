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

// Kubernetes objects per cluster, from the stack's state (each object's provider is `<cluster>-k8s`).
const exported = JSON.parse(execFileSync("pulumi", ["stack", "export", "--stack", stack], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 })) as {
    deployment: { resources?: { type: string; provider?: string }[] };
};
const objects: Record<string, number> = {};
for (const r of exported.deployment.resources ?? []) {
    if (!r.type.startsWith("kubernetes:")) continue;
    const cluster = /[:$]pulumi:providers:kubernetes::([^:]+?)(-k8s)?::/.exec(r.provider ?? "")?.[1] ?? "?";
    objects[cluster] = (objects[cluster] ?? 0) + 1;
}

console.log(`\nPipeline Service on stack '${stack}' — gateway (${out.gatewayMode}): ${out.gatewayUrl}\n`);
const rows = Object.entries(out.clusters).sort(([, a], [, b]) => a.ring - b.ring);
const header = ["CLUSTER", "RING", "OBJECTS", "CHANNEL", "CATALOG DIGEST", "ARGO APPLICATION", "SYNCTARGET (kcp)"];
const table = rows.map(([name, c]) => [name, String(c.ring), String(objects[name] ?? 0), c.channel, c.catalogDigest.slice(0, 19) + "…",
    c.argoApplication, c.syncTarget || "-"]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
for (const r of [header, ...table]) console.log(r.map((v, i) => v.padEnd(widths[i]!)).join("  ").trimEnd());
if (objects.kcp) console.log(`kcp workspace: ${objects.kcp} object(s) (the SyncTargets)`);

console.log(`
Next:
  .tools/bin/pulumi preview --stack ${stack}        # what a change would do (no changes now)
  .tools/bin/pulumi preview --stack ${stack} --policy-pack policy --policy-pack-config policy/config/${stack === "local" ? "local" : "dev"}.json
  .tools/bin/pulumi destroy --stack ${stack} --yes  # remove everything this stack created (CRDs stay)
  npm run cluster -- down                   # stop the local control plane (--purge also deletes its data)`);
