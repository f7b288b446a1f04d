/**
 * lib/orphanGuard.ts: the program ends itself once the process that ran it is gone, on a real process tree (a
 * parent SIGKILLed under its child, as the CLI under the program), and only then.
 */
import test from "ava";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { exitWhenOrphaned, ORPHAN_EXIT_CODE } from "../../lib/orphanGuard.js";
import { ROOT } from "../helpers/mocks.js";

test("exits once, with its code and one line naming the old parent, when the parent pid changes", async (t) => {
    let ppid = 4242;
    const codes: number[] = [];
    const lines: string[] = [];
    const timer = exitWhenOrphaned({
        intervalMs: 5,
        parentPid: () => ppid,
        exit: (c) => codes.push(c),
        log: (l) => lines.push(l),
    });
    await new Promise((r) => setTimeout(r, 40));
    t.deepEqual(codes, [], "the same parent: nothing happens");
    ppid = 1;
    await new Promise((r) => setTimeout(r, 40));
    clearInterval(timer);
    t.deepEqual(codes, [ORPHAN_EXIT_CODE]);
    t.is(lines.length, 1);
    t.regex(lines[0]!, /pid 4242\) is gone \(parent now 1\).*npm run recover/);
});

/** Whether a pid is gone or a zombie (exited, not yet reaped by whoever adopted it). */
function exited(pid: number): boolean {
    try {
        return /^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    } catch {
        return true;
    }
}

test("a real grandchild: alive under its parent, gone within seconds of the parent's SIGKILL", async (t) => {
    const guard = path.join(ROOT, "lib", "orphanGuard.ts");
    // The grandchild stands for the program: it would run forever but for the guard.
    const grandchild =
        `import(${JSON.stringify(guard)}).then((m) => { m.exitWhenOrphaned({ intervalMs: 100 }); ` +
        "setInterval(() => {}, 1000); });";
    const parentScript =
        `const c = require("node:child_process").spawn(process.execPath, ["--import", "tsx", "-e", ${JSON.stringify(grandchild)}], ` +
        `{ stdio: "ignore", cwd: ${JSON.stringify(ROOT)} }); console.log(c.pid); setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ["-e", parentScript], { stdio: ["ignore", "pipe", "inherit"] });
    const pid = await new Promise<number>((resolve) => parent.stdout.once("data", (b: Buffer) => resolve(Number(b))));
    try {
        await new Promise((r) => setTimeout(r, 1500));
        t.false(exited(pid), "under its parent the grandchild keeps running");
        parent.kill("SIGKILL");
        const deadline = Date.now() + 10_000;
        while (!exited(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        t.true(exited(pid), "orphaned, it ended itself");
    } finally {
        parent.kill("SIGKILL");
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            /* gone */
        }
    }
});
