/**
 * Backup and disaster recovery on the local stack (issue 11 §4, README "Backup and disaster recovery"), with the real
 * CLI and real apiservers: `npm run backup` archives the state (secrets encrypted); the control plane's data and the
 * stack's state are destroyed; the state is imported from the archive onto fresh clusters, refreshed, and `up`
 * converges with the same objects as before, no duplicates, and a preview with no changes.
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expectOk, inventory, Project, ROOT, type RunResult } from "./harness.js";

let p: Project;

/** inventory(), retried while a just-started apiserver answers 429 "storage is (re)initializing" (at most 60 s). */
async function inventoryWhenReady(): Promise<string[]> {
    for (let i = 0; ; i++) {
        try {
            return await inventory(p);
        } catch (e) {
            if ((e as { code?: number }).code !== 429 || i >= 60) throw e;
            await new Promise((r) => setTimeout(r, 1000));
        }
    }
}

test.before(async () => {
    p = await Project.create("restore");
    await p.clusterUp();
    await p.initStack();
    expectOk(await p.pulumi("up", "--yes", "--skip-preview"), "first up");
});

test.after.always(async () => {
    if (!p) return;
    await p.clusterDown();
    p.cleanup();
});

test.serial(
    "backup, lose the control plane and the state, restore onto fresh clusters: up converges with no duplicates",
    async (t) => {
        const before = await inventory(p);
        t.true(before.length > 40, `${before.length} objects`);
        const ids = JSON.parse((await p.pulumi("stack", "output", "clusters", "--json")).stdout) as Record<
            string,
            { identity: string }
        >;

        // 1. The backup (no render: the state is what a restore needs; the render test covers `npm run render`).
        const out = path.join(p.dir, "backups");
        const b = await p.run("node", [
            "--import",
            "tsx",
            path.join(ROOT, "scripts", "backup.ts"),
            "--stack",
            "local",
            "-C",
            p.dir,
            "--out",
            out,
            "--no-render",
        ]);
        expectOk(b, "backup");
        const [archive] = fs.readdirSync(out);
        t.is(fs.statSync(path.join(out, archive!)).mode & 0o777, 0o600);
        const r = path.join(p.dir, "restored");
        fs.mkdirSync(r);
        t.is(spawnSync("tar", ["-xzf", path.join(out, archive!), "-C", r]).status, 0);
        const state = fs.readFileSync(path.join(r, "state.json"), "utf8");
        t.false(/"plaintext"/.test(state), "no secret in plaintext");
        t.true(/"ciphertext"/.test(state), "secrets are in, encrypted");

        // 2. Disaster: the clusters' data and the stack's state are gone; only the secrets provider's key is kept
        //    (the local stack's passphrase and salt, kept apart as the README says).
        const keys = path.join(p.dir, "kept-keys");
        fs.cpSync(path.join(p.dir, ".pulumi-state", ".pipeline-service"), keys, { recursive: true });
        expectOk(await p.clusterDown(true), "cluster down --purge");
        fs.rmSync(path.join(p.dir, ".pulumi-state"), { recursive: true, force: true });
        await p.clusterUp();
        t.deepEqual(
            (await inventoryWhenReady()).filter((x) => !x.includes(" Namespace ")),
            [],
            "fresh clusters hold none of the stack's objects",
        );

        // 3. Restore: the key back, a new stack, the state imported, refreshed, up (new identities accepted), converged.
        fs.mkdirSync(path.join(p.dir, ".pulumi-state"));
        fs.cpSync(keys, path.join(p.dir, ".pulumi-state", ".pipeline-service"), { recursive: true });
        await p.initStack();
        expectOk(await p.pulumi("stack", "import", "--file", path.join(r, "state.json")), "stack import");
        // --run-program: the providers' configuration comes from the program, not the state (the fresh control plane has
        // new endpoints, and the tenant workspaces' providers carry theirs inline); the fresh clusters' identities accepted.
        p.env.PIPELINE_SERVICE_ACCEPT_IDENTITY = "compute-1,compute-2";
        expectOk(
            await p.pulumi("refresh", "--run-program", "--yes", "--skip-preview"),
            "refresh (drops what the fresh clusters do not have)",
        );
        expectOk(await p.pulumi("up", "--yes", "--skip-preview"), "up onto the fresh clusters");
        delete p.env.PIPELINE_SERVICE_ACCEPT_IDENTITY;
        const after = await inventory(p);
        t.deepEqual(after, before, "the same objects, once each");
        const newIds = JSON.parse((await p.pulumi("stack", "output", "clusters", "--json")).stdout) as Record<
            string,
            { identity: string }
        >;
        for (const c of ["compute-1", "compute-2"])
            t.not(newIds[c]!.identity, ids[c]!.identity, `${c}: the fresh cluster's identity is recorded`);
        const preview = await p.pulumi("preview", "--expect-no-changes");
        t.is(preview.code, 0, preview.stdout.slice(-3000));
    },
);
