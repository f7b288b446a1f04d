/**
 * The `pulumi up --target` arguments that apply one rollout ring only: `node --import tsx scripts/ring-targets.ts
 * --stack <s> --ring <n>` prints them one per line (for `mapfile`, as scripts/up.sh `--ring` uses them), or with
 * `--command` the whole quoted `.tools/bin/pulumi up` command.
 *
 * Per cluster of the ring: its ComputeCluster component by URN, and everything under it by a URN glob
 * (`ComputeCluster$**::<cluster>-*`: every descendant, since each is named `<cluster>-<role>`; pulumi
 * pkg/resource/deploy/deployment.go UrnTargets@v3.163.0: `**` matches anything, `*` anything but ':'). Not
 * `--target-dependents`: the next ring depends on this one (index.ts), so its dependents are the later rings. The
 * gateway, tenants and kcp-wide objects are not part of a ring; a full `up` applies them. Clusters that are `removed`
 * have nothing to target.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseCli } from "./cli.js";
import { PROJECT } from "../lib/config.js";
import { validateStackFile } from "./validate-config.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CC = "pipeline-service:cluster:ComputeCluster";

/**
 * The `--target` values of ring `ring`: for each of its clusters the component URN and the glob of its descendants.
 * Throws when the ring has no cluster, or when a cluster name is a `<name>-` prefix of another one's (the glob would
 * reach the other cluster's objects).
 */
export function ringTargets(
    stack: string,
    clusters: { name: string; ring: number; state?: string }[],
    ring: number,
): string[] {
    const members = clusters.filter((c) => c.ring === ring && c.state !== "removed");
    if (!members.length) {
        const rings = [...new Set(clusters.map((c) => c.ring))].sort((a, b) => a - b);
        throw new Error(`stack ${stack} has no cluster in ring ${ring} (its rings: ${rings.join(", ")})`);
    }
    const out: string[] = [];
    for (const c of members) {
        const clash = clusters.find((o) => o.name !== c.name && o.name.startsWith(`${c.name}-`));
        if (clash) {
            throw new Error(
                `cluster ${c.name}'s objects cannot be told apart from ${clash.name}'s by URN (both are named ` +
                    `${c.name}-*): target them by exact URN from '.tools/bin/pulumi stack --show-urns --stack ${stack}'`,
            );
        }
        const base = `urn:pulumi:${stack}::${PROJECT}::${CC}`;
        out.push(`${base}::${c.name}`, `${base}$**::${c.name}-*`);
    }
    return out;
}

/** A shell word, single-quoted when it needs to be. */
export function shellQuote(s: string): string {
    return /^[A-Za-z0-9_./:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

const USAGE = `usage: node --import tsx scripts/ring-targets.ts --stack <stack> --ring <n> [--command]

Prints the pulumi --target arguments that apply only ring <n> of the stack (every cluster of the ring: its
ComputeCluster and everything under it), one per line; npm run up -- --ring <n> uses them for the local stack.

  -s, --stack <name>  the stack (Pulumi.<name>.yaml)
  -r, --ring <n>      the ring number (clusters[].ring)
      --command       print the whole quoted '.tools/bin/pulumi up' command instead
  -C, --cwd <dir>     the project directory (default: the repository root)
  -h, --help          this text`;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const { values } = parseCli({
        usage: USAGE,
        options: {
            stack: { type: "string", short: "s" },
            ring: { type: "string", short: "r" },
            command: { type: "boolean" },
            cwd: { type: "string", short: "C" },
        },
    });
    if (!values.stack || values.ring === undefined || !/^(0|[1-9][0-9]*)$/.test(values.ring)) {
        process.stderr.write(`error: --stack and --ring <n> (a whole number from 0) are required\n\n${USAGE}\n`);
        process.exit(2);
    }
    const file = path.join(values.cwd ?? ROOT, `Pulumi.${values.stack}.yaml`);
    try {
        if (!fs.existsSync(file)) throw new Error(`${file} does not exist`);
        const cfg = validateStackFile(file, values.stack);
        const targets = ringTargets(values.stack, cfg.clusters, Number(values.ring));
        if (values.command) {
            const args = ["up", "--stack", values.stack, ...targets.flatMap((t) => ["--target", t])];
            process.stdout.write(`.tools/bin/pulumi ${args.map(shellQuote).join(" ")}\n`);
        } else {
            process.stdout.write(targets.flatMap((t) => ["--target", t]).join("\n") + "\n");
        }
    } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n`);
        process.exit(1);
    }
}
