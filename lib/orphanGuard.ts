/**
 * The program exits when the Pulumi CLI that ran it is gone.
 *
 * Why: the CLI runs the program as its grandchild (`pulumi` → `pulumi-language-nodejs` → `node .../cmd/run`). When
 * the CLI dies without a chance to stop it (SIGKILL: the OOM killer, `kill -9`, a CI runner killing one process),
 * the language host goes with it and the program is re-parented (to init or the nearest subreaper), but
 * @pulumi/pulumi 3.163.0 keeps it alive: seen on this machine, orphaned programs of killed `pulumi up` runs kept two
 * cores busy and grew to 7.4 GB of resident memory in 20 minutes, with no engine left to talk to. Nothing can come
 * of such a program (its resource monitor and engine are gone, so it cannot register or log), so it ends itself.
 *
 * {@link exitWhenOrphaned} polls the parent process id every `intervalMs` (default 1000 ms) on an unref'd timer (it
 * never keeps the program alive by itself) and, the first time it differs from the one at start, writes one line to
 * stderr and exits with {@link ORPHAN_EXIT_CODE}. Nothing else: no cleanup is possible without the engine, and
 * `npm run recover` handles the state the killed run left.
 */

/** Exit code of an orphaned program (128 + SIGHUP's 1, as a shell reports a process ended by its hang-up). */
export const ORPHAN_EXIT_CODE = 129;

export interface OrphanGuardOptions {
    /** Poll interval in milliseconds; default 1000. */
    intervalMs?: number;
    /** The current parent pid; default `() => process.ppid`. */
    parentPid?: () => number;
    /** Ends the process; default `process.exit`. */
    exit?: (code: number) => void;
    /** Where the one line goes; default stderr. */
    log?: (line: string) => void;
}

/**
 * Start the guard; returns its timer (clear it to stop). Throws nothing.
 */
export function exitWhenOrphaned(o: OrphanGuardOptions = {}): NodeJS.Timeout {
    const parentPid = o.parentPid ?? (() => process.ppid);
    const exit = o.exit ?? ((code: number) => process.exit(code));
    const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const started = parentPid();
    const timer = setInterval(() => {
        const now = parentPid();
        if (now === started) return;
        clearInterval(timer);
        log(
            `pipeline-service: the process that ran this program (pid ${started}) is gone (parent now ${now}); ` +
                "exiting, since no engine is left to take its resources. Run `npm run recover` for the stack.",
        );
        exit(ORPHAN_EXIT_CODE);
    }, o.intervalMs ?? 1000);
    timer.unref();
    return timer;
}
