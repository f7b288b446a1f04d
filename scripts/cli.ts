/**
 * Command-line parsing shared by every TypeScript entry point (scripts/*.ts, bench/*.ts), on `node:util` parseArgs.
 *
 * - `-h` / `--help` prints the usage to stdout and exits 0 before anything else happens (no side effect);
 * - an unknown flag, a missing value or an unexpected positional prints the error and the usage to stderr and exits 2.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** The options of {@link parseCli}: node:util parseArgs options, plus the usage text. */
export interface CliSpec<O extends NonNullable<ParseArgsConfig["options"]>> {
    /** The whole usage text: a `usage:` line, then one line per option. */
    usage: string;
    options: O;
    /** Whether positionals are allowed (default false). */
    allowPositionals?: boolean;
    /** The arguments (default `process.argv.slice(2)`). */
    args?: string[];
}

/** Parse the command line, or print usage and exit (0 for help, 2 for a usage error). */
export function parseCli<O extends NonNullable<ParseArgsConfig["options"]>>(spec: CliSpec<O>) {
    const args = spec.args ?? process.argv.slice(2);
    if (args.includes("-h") || args.includes("--help")) {
        process.stdout.write(spec.usage.endsWith("\n") ? spec.usage : `${spec.usage}\n`);
        process.exit(0);
    }
    try {
        return parseArgs({
            args,
            options: spec.options,
            allowPositionals: spec.allowPositionals ?? false,
            strict: true,
        });
    } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n\n${spec.usage}${spec.usage.endsWith("\n") ? "" : "\n"}`);
        process.exit(2);
    }
}
