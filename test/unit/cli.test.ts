/**
 * Every entry point answers -h/--help with its usage and exit status 0, without starting or writing anything; an
 * unknown flag exits 2 (the TypeScript entry points, through scripts/cli.ts).
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../helpers/paths.js";

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
/** What an entry point could create or change: the local state directories of the checkout. */
const WATCHED = [".local", ".pulumi-state", ".pulumi-home", ".tools", "audit", "rendered", "bench/results"];

function snapshot(): string {
    const rows: string[] = [];
    const walk = (p: string, depth: number) => {
        if (!fs.existsSync(p)) {
            rows.push(`${path.relative(ROOT, p)} absent`);
            return;
        }
        const st = fs.lstatSync(p);
        rows.push(`${path.relative(ROOT, p)} ${st.mtimeMs}`);
        if (st.isDirectory() && depth > 0) for (const e of fs.readdirSync(p).sort()) walk(path.join(p, e), depth - 1);
    };
    for (const w of WATCHED) walk(path.join(ROOT, w), 2);
    return rows.join("\n");
}

function run(cmd: string, args: string[]) {
    return spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", timeout: 60_000, env: { ...process.env, CI: "" } });
}

/** `npm run X` entry points are bash scripts: `bash scripts/X.sh`. */
const shellEntries = [
    ...new Set(
        Object.values(pkg.scripts)
            .map((s) => /^bash (scripts\/[\w-]+\.sh)/.exec(s)?.[1])
            .filter((s): s is string => !!s),
    ),
];
const tsEntries = [
    ...fs
        .readdirSync(path.join(ROOT, "scripts"))
        .filter((f) => f.endsWith(".ts") && f !== "cli.ts")
        .map((f) => `scripts/${f}`),
    ...fs
        .readdirSync(path.join(ROOT, "bench"))
        .filter((f) => f.endsWith(".ts"))
        .map((f) => `bench/${f}`),
];

test("the entry points are found", (t) => {
    t.true(shellEntries.includes("scripts/up.sh") && shellEntries.includes("scripts/test.sh"), shellEntries.join(" "));
    t.true(tsEntries.includes("scripts/audit.ts"), tsEntries.join(" "));
});

for (const entry of shellEntries) {
    test(`${entry} --help: usage, exit 0, nothing started or written`, (t) => {
        const before = snapshot();
        const r = run("bash", [entry, "--help"]);
        t.is(r.status, 0, r.stderr);
        t.regex(r.stdout, /npm (run [\w-]+|test)/, "a usage line naming the npm command");
        t.is(snapshot(), before);
    });
}

for (const entry of tsEntries) {
    test(`${entry} --help: usage, exit 0, nothing started or written; an unknown flag exits 2`, (t) => {
        const before = snapshot();
        const r = run(process.execPath, ["--import", "tsx", entry, "--help"]);
        t.is(r.status, 0, r.stderr);
        t.regex(r.stdout, /^usage: /m);
        t.is(snapshot(), before);
        const bad = run(process.execPath, ["--import", "tsx", entry, "--no-such-flag"]);
        t.is(bad.status, 2, `${entry} --no-such-flag: ${bad.stderr}`);
        t.regex(bad.stderr, /usage: /);
    });
}
