/**
 * Print what a stack deployed, per cluster, from its stack outputs and state and the clusters themselves:
 * `node --import tsx scripts/summary.ts <stack>`. Used at the end of `npm run up`.
 *
 * Pulumi is driven through the Automation API (scripts/lib/automation.ts: the project's `.tools/bin/pulumi`, the
 * program in the working directory, as `pulumi` itself finds it): `Stack.outputs()` and `Stack.exportStack()`
 * instead of parsing `pulumi stack output` / `pulumi stack export`. Both decrypt the stack's secrets in this
 * process (the SDK passes `--show-secrets`); only the non-secret fields below are printed.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { parseCli } from "./cli.js";

const { positionals } = parseCli({
    usage: `usage: node --import tsx scripts/summary.ts [STACK]

Prints what STACK (default: local) deployed, per cluster, from its stack outputs and state.

  -h, --help  this text`,
    options: {},
    allowPositionals: true,
});
const stack = positionals[0] ?? "local";
// Imported after the command line is read, so --help loads no SDK.
const { selectStack } = await import("./lib/automation.js");
const pulumiStack = await selectStack(stack, process.cwd());
const outputs = await pulumiStack.outputs();
const out = {
    clusters: (outputs.clusters?.value ?? {}) as Record<
        string,
        {
            ring: number;
            catalogDigest: string;
            channel: string;
            argoApplication: string;
            syncTarget: string;
            gatewayUrl: string;
        }
    >,
    gatewayUrl: String(outputs.gatewayUrl?.value ?? ""),
    gatewayMode: String(outputs.gatewayMode?.value ?? ""),
};

// Kubernetes objects per cluster, from the stack's state (each object's provider is `<cluster>-k8s`).
const exported = (await pulumiStack.exportStack()) as {
    deployment: { resources?: { type: string; custom?: boolean; provider?: string }[] };
};
const objects: Record<string, number> = {};
for (const r of exported.deployment.resources ?? []) {
    // Objects only: a ring gate (index.ts ringGate) is a component of the kubernetes provider, with no object.
    if (!r.type.startsWith("kubernetes:") || r.custom === false) continue;
    const cluster = /[:$]pulumi:providers:kubernetes::([^:]+?)(-k8s)?::/.exec(r.provider ?? "")?.[1] ?? "?";
    objects[cluster] = (objects[cluster] ?? 0) + 1;
}

// The SyncTargets' Ready condition, from the local control plane's syncers (`npm run cluster -- syncers status`);
// other stacks' kcp is not this machine's, so their column shows only the SyncTarget name.
const syncTargetReady = new Map<string, string>();
if (stack === "local") {
    const r = spawnSync(
        process.execPath,
        ["--import", "tsx", path.join(import.meta.dirname, "cluster.ts"), "syncers", "status", "--json"],
        { encoding: "utf8", timeout: 60_000 },
    );
    try {
        for (const s of (
            JSON.parse(r.stdout) as { syncers: { cluster: string; ready: string; reason?: string; running: boolean }[] }
        ).syncers) {
            syncTargetReady.set(
                s.cluster,
                !s.running ? "syncer stopped" : s.ready === "True" ? "Ready" : `not Ready (${s.reason ?? s.ready})`,
            );
        }
    } catch {
        // No control plane state: the column says so below.
    }
}
const syncTargetCell = (name: string, st: string): string =>
    !st ? "-" : stack === "local" ? `${st}: ${syncTargetReady.get(name) ?? "no syncer running"}` : st;

console.log(`\nPipeline Service on stack '${stack}' — gateway (${out.gatewayMode}): ${out.gatewayUrl}\n`);
const rows = Object.entries(out.clusters).sort(([, a], [, b]) => a.ring - b.ring);
const header = ["CLUSTER", "RING", "OBJECTS", "CHANNEL", "CATALOG DIGEST", "ARGO APPLICATION", "SYNCTARGET (kcp)"];
const table = rows.map(([name, c]) => [
    name,
    String(c.ring),
    String(objects[name] ?? 0),
    c.channel,
    c.catalogDigest.slice(0, 19) + "…",
    c.argoApplication,
    syncTargetCell(name, c.syncTarget),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
for (const r of [header, ...table])
    console.log(
        r
            .map((v, i) => v.padEnd(widths[i]!))
            .join("  ")
            .trimEnd(),
    );
if (objects.kcp) console.log(`kcp workspace: ${objects.kcp} object(s) (the SyncTargets)`);
// Tenants (components/tenants.ts): pool, workspace or namespaces, objects; from the state's Tenant components.
for (const line of (await import("./lib/tenantSummary.js")).tenantLines((exported.deployment.resources ?? []) as never))
    console.log(line);

console.log(`
Next:
  .tools/bin/pulumi preview --stack ${stack}        # what a change would do (no changes now)
  .tools/bin/pulumi preview --stack ${stack} --policy-pack policy --policy-pack-config policy/config/${stack === "local" ? "local" : "dev"}.json
  .tools/bin/pulumi destroy --stack ${stack} --yes  # remove everything this stack created (CRDs stay)
  npm run cluster -- down                   # stop the local control plane (--purge also deletes its data)`);
