/**
 * npm run prune-workspaces -- --stack <stack> [--dry-run] [--keep N | --keep-since D] [--max-deletions N]: one pass
 * of Phase 1's workspace pruner (lib/workspacePruner.ts) over the stack's tenant and consumer workspaces in kcp, with
 * the stack's `kcp.workspacePruner` (the flags override its keep/keepSince/maxDeletions for this pass).
 *
 * Refuses, changing nothing, when the stack does not enable the pruner (`kcp.workspacePruner.enabled`, off by
 * default) or kcp (`kcp.enabled`), or its config is invalid. It deletes in kcp only; the syncer deletes each run
 * downstream. Meant to run on a schedule (a CI job) or by hand; every pass is bounded by maxDeletions.
 *
 * Output: one line per workspace (`<workspace>: N PipelineRuns, R running, D deleted[, F refused]`) and the
 * deleted runs. Exit codes: 0 done, 1 refused or failed (a list error, or a delete the server refused), 2 usage.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { durationSeconds } from "../lib/config/rules.js";
import { loadTarget } from "../lib/fencing.js";
import { prunedWorkspaces, pruneWorkspaces, type PrunePolicy } from "../lib/workspacePruner.js";
import { parseCli } from "./cli.js";
import { validateStackFile } from "./validate-config.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const USAGE = `usage: npm run prune-workspaces -- --stack <stack> [--dry-run] [--keep N | --keep-since D] [--max-deletions N]

Deletes finished PipelineRuns in the stack's tenant and consumer kcp workspaces (Phase 1), as kcp.workspacePruner
says: the newest N finished runs per namespace stay (keep), or runs finished longer ago than D go (keepSince); at most
maxDeletions per pass, oldest first; running PipelineRuns are never touched. The syncer deletes them downstream.

  -s, --stack <name>        the stack (Pulumi.<name>.yaml); its kcp.workspacePruner.enabled must be true
  -n, --dry-run             list what would be deleted, delete nothing
      --keep <N>            this pass: keep the newest N finished runs per namespace
      --keep-since <D>      this pass: delete runs finished longer ago than D (e.g. 24h)
      --max-deletions <N>   this pass: at most N deletions
  -C, --cwd <dir>           the project directory (default: the repository root)
  -h, --help                this text`;

/** The pass's policy: the stack's, with the flags' values instead where given. Throws naming a bad flag. */
export function passPolicy(
    stack: { keep?: number; keepSince?: string; maxDeletions: number },
    flags: { keep?: string; keepSince?: string; maxDeletions?: string },
): PrunePolicy {
    const count = (flag: string, v: string) => {
        if (!/^[1-9][0-9]*$/.test(v)) throw new Error(`${flag} must be a whole number from 1, got '${v}'`);
        return Number(v);
    };
    if (flags.keep !== undefined && flags.keepSince !== undefined)
        throw new Error("--keep and --keep-since are alternatives: give one");
    if (
        flags.keepSince !== undefined &&
        !(durationSeconds(flags.keepSince) > 0 && /^([0-9]+[hms])+$/.test(flags.keepSince))
    )
        throw new Error(`--keep-since must be a duration such as 24h or 90m, got '${flags.keepSince}'`);
    const fromFlags = flags.keep !== undefined || flags.keepSince !== undefined;
    return {
        keep: fromFlags ? (flags.keep !== undefined ? count("--keep", flags.keep) : undefined) : stack.keep,
        keepSince: fromFlags ? flags.keepSince : stack.keepSince,
        maxDeletions:
            flags.maxDeletions !== undefined ? count("--max-deletions", flags.maxDeletions) : stack.maxDeletions,
    };
}

async function main(): Promise<number> {
    const { values } = parseCli({
        usage: USAGE,
        options: {
            stack: { type: "string", short: "s" },
            "dry-run": { type: "boolean", short: "n" },
            keep: { type: "string" },
            "keep-since": { type: "string" },
            "max-deletions": { type: "string" },
            cwd: { type: "string", short: "C" },
        },
    });
    if (!values.stack) {
        process.stderr.write(`error: --stack is required\n\n${USAGE}\n`);
        return 2;
    }
    const projectDir = values.cwd ?? ROOT;
    const file = path.join(projectDir, `Pulumi.${values.stack}.yaml`);
    if (!fs.existsSync(file)) throw new Error(`${file} does not exist`);
    const cfg = validateStackFile(file, values.stack);
    const k = cfg.settings.kcp;
    if (!k.enabled)
        throw new Error(
            `stack ${values.stack} does not use kcp (kcp.enabled is false): there are no workspaces to prune`,
        );
    if (!k.workspacePruner.enabled)
        throw new Error(
            `stack ${values.stack}: the workspace pruner is off (pipeline-service:kcp.workspacePruner.enabled); nothing was deleted. ` +
                "Turn it on in the stack file with keep or keepSince, e.g. 'pulumi config set --path pipeline-service:kcp.workspacePruner.enabled true'.",
        );
    let policy: PrunePolicy;
    try {
        policy = passPolicy(k.workspacePruner, {
            keep: values.keep,
            keepSince: values["keep-since"],
            maxDeletions: values["max-deletions"],
        });
    } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n\n${USAGE}\n`);
        return 2;
    }
    if (!cfg.kcpKubeconfig) throw new Error(`stack ${values.stack} has no pipeline-service:kcpKubeconfig`);
    const kc = await loadTarget(
        { name: "kcp", kubeconfig: cfg.kcpKubeconfig },
        { projectDir, env: process.env, timeoutMs: 15_000, expected: {}, accept: new Set() },
    );
    if (typeof kc === "string") throw new Error(kc);
    const workspaces = prunedWorkspaces(cfg);
    const results = await pruneWorkspaces(kc, workspaces, policy, { dryRun: values["dry-run"] });
    const verb = values["dry-run"] ? "would delete" : "deleted";
    let failed = 0;
    for (const r of results) {
        failed += r.failed.length;
        process.stdout.write(
            `${r.workspace}: ${r.seen} PipelineRuns, ${r.running} running, ${r.deleted.length} ${verb}` +
                `${r.failed.length ? `, ${r.failed.length} refused` : ""}\n`,
        );
        for (const d of r.deleted) process.stdout.write(`  ${verb} ${d}\n`);
        for (const f of r.failed) process.stdout.write(`  refused ${f}\n`);
    }
    const total = results.reduce((n, r) => n + r.deleted.length, 0);
    process.stdout.write(
        `prune-workspaces: ${results.length} workspaces, ${total} PipelineRuns ${verb} ` +
            `(${policy.keep !== undefined ? `keep ${policy.keep} per namespace` : `keepSince ${policy.keepSince}`}, at most ${policy.maxDeletions})\n`,
    );
    return failed ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    main().then(
        (code) => process.exit(code),
        (e) => {
            process.stderr.write(`error: ${(e as Error).message}\n`);
            process.exit(1);
        },
    );
}
