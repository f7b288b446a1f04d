/**
 * The Pulumi Automation API (`@pulumi/pulumi/automation`, SDK 3.163.0) over the project's own CLI, shared by
 * `npm run audit` (scripts/audit.ts), the summary after `npm run up` (scripts/summary.ts) and the benchmarks
 * (bench/preview.ts).
 *
 * The CLI is `<tools bin>/pulumi`, i.e. `.tools/bin/pulumi` (or `$PIPELINE_SERVICE_TOOLS_BIN/pulumi`, as in
 * scripts/lib.sh): the pinned pulumi v3.163.0 behind scripts/pulumi-wrapper.sh, so every command the Automation API
 * runs gets what the wrapper gives (the state backend chosen per stack, the local stack's passphrase, a private
 * TMPDIR, the cluster identity fencing). `PulumiCommand.get({ root })` runs `<root>/bin/pulumi version` once; the
 * wrapper passes `version` straight to the CLI, so that creates nothing.
 *
 * The Automation API reads the engine's structured events itself (it passes `--event-log` to preview/up and tails
 * the file); callers get them as {@link EngineEvent}s through `onEvent`.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import {
    LocalWorkspace,
    PulumiCommand,
    type EngineEvent,
    type LocalWorkspaceOptions,
    type Stack,
} from "@pulumi/pulumi/automation/index.js";

export type { EngineEvent, Stack };

/** This checkout. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The directory holding the project's `pulumi` (scripts/lib.sh TOOLS_BIN). */
export function toolsBin(): string {
    return process.env.PIPELINE_SERVICE_TOOLS_BIN ?? path.join(ROOT, ".tools", "bin");
}

let command: Promise<PulumiCommand> | undefined;

/**
 * The project's CLI as a `PulumiCommand` (memoised per process). Fails with the fix when `npm run tools` has not
 * made `.tools/bin/pulumi` yet, or when the tools directory is not called `bin` (what `PulumiCommand.get` needs).
 */
export function projectPulumi(): Promise<PulumiCommand> {
    const bin = toolsBin();
    if (path.basename(bin) !== "bin") {
        return Promise.reject(
            new Error(
                `PIPELINE_SERVICE_TOOLS_BIN=${bin}: the Automation API runs <root>/bin/pulumi, so the directory must be called bin`,
            ),
        );
    }
    command ??= PulumiCommand.get({ root: path.dirname(bin) }).catch((e: unknown) => {
        command = undefined;
        throw new Error(
            `cannot run ${path.join(bin, "pulumi")} (run \`npm run tools\` first): ${(e as Error).message}`,
        );
    });
    return command;
}

/** An environment without unset entries, as `LocalWorkspaceOptions.envVars` takes it. */
export function envVars(env: NodeJS.ProcessEnv): Record<string, string> {
    return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Workspace options for the project program in `workDir`, run by the project's CLI with `env`. */
export async function workspaceOptions(
    workDir: string,
    env: NodeJS.ProcessEnv,
    extra: Partial<LocalWorkspaceOptions> = {},
): Promise<LocalWorkspaceOptions> {
    return { workDir, pulumiCommand: await projectPulumi(), envVars: envVars(env), ...extra };
}

/** Create stack `name` of the program in `workDir` (`pulumi stack init`, passphrase secrets provider). */
export async function createStack(name: string, workDir: string, env: NodeJS.ProcessEnv): Promise<Stack> {
    return LocalWorkspace.createStack(
        { stackName: name, workDir },
        await workspaceOptions(workDir, env, { secretsProvider: "passphrase" }),
    );
}

/** Select the existing stack `name` of the program in `workDir`. */
export async function selectStack(name: string, workDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Stack> {
    return LocalWorkspace.selectStack({ stackName: name, workDir }, await workspaceOptions(workDir, env));
}

/** What a failed Automation API command left: the CLI's exit code and output (a `CommandError`'s result). */
export interface CommandFailure {
    code: number;
    stdout: string;
    stderr: string;
    message: string;
}

/**
 * The exit code and output of a failed command, from the Automation API's `CommandError`. SDK 3.163.0 wraps a
 * non-zero exit in a second result (code -2, the execa error's message as stderr) whose `err` is execa's error with
 * the real `exitCode`, `stdout` and `stderr` (automation/cmd.js `exec`); both shapes are read.
 */
export function commandFailure(e: unknown): CommandFailure {
    interface Result {
        code?: number;
        exitCode?: number;
        stdout?: string;
        stderr?: string;
        err?: Result;
    }
    const r = (e as { commandResult?: Result }).commandResult;
    const inner = r?.err;
    const message = e instanceof Error ? e.message : String(e);
    const code = [inner?.exitCode, r?.code].find((c): c is number => typeof c === "number" && c > 0) ?? 1;
    return {
        code,
        stdout: inner?.stdout ?? r?.stdout ?? "",
        stderr: inner?.stderr ?? r?.stderr ?? message,
        message,
    };
}

// ---------------------------------------------------------------------------------------------------------------
// Engine events as the CLI's `preview --json` digest

/** One step of `pulumi preview --json` (pulumi sdk/go/common/display PreviewStep), as far as the project reads it. */
export interface PreviewStep {
    op: string;
    urn: string;
    provider?: string;
    oldState?: { urn: string; type: string; custom?: boolean; parent?: string; provider?: string };
    newState?: { urn: string; type: string; custom?: boolean; parent?: string; provider?: string };
}

/** The parts of `pulumi preview --json` (display.PreviewDigest) scripts/pr-summary.ts reads. */
export interface PreviewDigest {
    steps: PreviewStep[];
    diagnostics: { urn?: string; prefix?: string; message: string; severity: string }[];
    changeSummary?: Record<string, number>;
}

const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * The preview digest of a run's engine events: one step per `resourcePreEvent` (states without inputs or
 * outputs, so no value, secret or not, is kept), the diagnostics of severity warning and error, and the summary's
 * change counts. What `pulumi preview --json` prints, reduced to what the PR summary reads.
 */
export function previewDigest(events: EngineEvent[]): PreviewDigest {
    const state = (
        s: { urn: string; type: string; custom?: boolean; parent?: string; provider?: string } | undefined,
    ) =>
        // The events omit `custom` when false (Go omitempty); --json prints it.
        s
            ? {
                  urn: s.urn,
                  type: s.type,
                  custom: s.custom ?? false,
                  parent: s.parent || undefined,
                  provider: s.provider || undefined,
              }
            : undefined;
    const steps: PreviewStep[] = [];
    const diagnostics: PreviewDigest["diagnostics"] = [];
    let changeSummary: Record<string, number> | undefined;
    for (const e of events) {
        const m = e.resourcePreEvent?.metadata;
        if (m)
            steps.push({
                op: m.op,
                urn: m.urn,
                provider: m.provider || undefined,
                oldState: state(m.old),
                newState: state(m.new),
            });
        const d = e.diagnosticEvent;
        if (d && (d.severity === "error" || d.severity === "warning")) {
            diagnostics.push({
                urn: d.urn || undefined,
                prefix: d.prefix?.replace(ANSI, ""),
                message: `${d.prefix ?? ""}${d.message}`.replace(ANSI, "").trim(),
                severity: d.severity,
            });
        }
        if (e.summaryEvent) changeSummary = { ...e.summaryEvent.resourceChanges } as Record<string, number>;
    }
    return { steps, diagnostics, ...(changeSummary ? { changeSummary } : {}) };
}

/** Engine events as the CLI's `--event-log` file has them: one JSON event per line. */
export function eventLog(events: EngineEvent[]): string {
    return events.map((e) => JSON.stringify(e)).join("\n") + (events.length ? "\n" : "");
}
