/**
 * Phase 1's workspace pruner (lib/workspacePruner.ts, scripts/prune-workspaces.ts): the selection as properties, the
 * config keys' validation, and one pass against a loopback API server (list, delete with the UID precondition, the
 * bound). The real thing, against kcp v0.11.0 with its syncer, is in test/e2e/tenants.test.ts.
 */
import test from "ava";
import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as k8s from "@kubernetes/client-node";
import fc from "fast-check";
import { resolveConfig } from "../../lib/config.js";
import { prunableRuns, prunedWorkspaces, pruneWorkspaces, selectForPruning } from "../../lib/workspacePruner.js";
import { passPolicy } from "../../scripts/prune-workspaces.js";
import { configProblems, problemFor } from "./helpers/configProblems.js";
import { holds } from "./helpers/property.js";
import { stackValues } from "../helpers/stack.js";

const NOW = new Date("2026-12-02T12:00:00Z");
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();

const run = fc.record({
    namespace: fc.constantFrom("ns-a", "ns-b", "ns-c"),
    name: fc.string({ minLength: 1, maxLength: 6 }),
    uid: fc.uuid(),
    completedAt: fc.option(
        fc.integer({ min: 0, max: 10_000 }).map((m) => ago(m)),
        { nil: undefined },
    ),
});
const runs = fc.array(run, { maxLength: 40 });

test("selection: never a running PipelineRun, never more than maxDeletions, the oldest first", (t) => {
    holds(
        t,
        fc.property(
            runs,
            fc.oneof(
                fc.record({ keep: fc.integer({ min: 1, max: 10 }) }),
                fc.record({ keepSince: fc.constantFrom("1m", "30m", "2h", "24h") }),
            ),
            fc.integer({ min: 1, max: 50 }),
            (rs, which, maxDeletions) => {
                const chosen = selectForPruning(rs, { ...which, maxDeletions }, NOW);
                assert.ok(
                    chosen.every((r) => r.completedAt !== undefined),
                    "a running run was selected",
                );
                assert.ok(chosen.length <= maxDeletions);
                const times = chosen.map((r) => Date.parse(r.completedAt!));
                assert.deepEqual(
                    times,
                    [...times].sort((a, b) => a - b),
                );
            },
        ),
    );
});

test("keep N: exactly the newest N finished runs of each namespace stay (unbounded)", (t) => {
    holds(
        t,
        fc.property(runs, fc.integer({ min: 1, max: 10 }), (rs, keep) => {
            const chosen = new Set(selectForPruning(rs, { keep, maxDeletions: 1000 }, NOW));
            for (const ns of new Set(rs.map((r) => r.namespace))) {
                const finished = rs.filter((r) => r.namespace === ns && r.completedAt !== undefined);
                const stays = finished.filter((r) => !chosen.has(r));
                assert.equal(stays.length, Math.min(keep, finished.length), ns);
                const newestGone = Math.max(
                    ...finished.filter((r) => chosen.has(r)).map((r) => Date.parse(r.completedAt!)),
                );
                for (const s of stays)
                    assert.ok(Date.parse(s.completedAt!) >= newestGone, "a newer run went before an older one");
            }
        }),
    );
});

test("keepSince D: exactly the runs finished before now - D go (unbounded)", (t) => {
    holds(
        t,
        fc.property(runs, fc.constantFrom(["1m", 60], ["30m", 1800], ["2h", 7200], ["24h", 86400]), (rs, [d, secs]) => {
            const chosen = new Set(selectForPruning(rs, { keepSince: d, maxDeletions: 1000 }, NOW));
            for (const r of rs) {
                const old = r.completedAt !== undefined && Date.parse(r.completedAt) < NOW.getTime() - secs * 1000;
                assert.equal(chosen.has(r), old, `${r.namespace}/${r.name} ${r.completedAt}`);
            }
        }),
    );
});

test("selection needs exactly one of keep and keepSince", (t) => {
    t.throws(() => selectForPruning([], { maxDeletions: 1 }, NOW), { message: /exactly one of keep and keepSince/ });
    t.throws(() => selectForPruning([], { keep: 1, keepSince: "1h", maxDeletions: 1 }, NOW), {
        message: /exactly one/,
    });
});

test("prunableRuns: finished is Succeeded True or False; completionTime, else the condition's transition time", (t) => {
    const item = (status?: string, completionTime?: string) => ({
        metadata: { namespace: "n", name: `r-${status}-${completionTime ?? ""}`, uid: "u" },
        status: status
            ? { completionTime, conditions: [{ type: "Succeeded", status, lastTransitionTime: ago(5) }] }
            : {},
    });
    t.deepEqual(
        prunableRuns([item(), item("Unknown"), item("True", ago(1)), item("False")]).map((r) => r.completedAt),
        [undefined, undefined, ago(1), ago(5)],
    );
});

test("config: off by default; on needs exactly one of keep and keepSince, and kcp", (t) => {
    const local = () => structuredClone(stackValues("local")) as Record<string, any>;
    const cfg = resolveConfig("local", local());
    t.deepEqual(cfg.settings.kcp.workspacePruner, { enabled: false, maxDeletions: 500 });
    t.deepEqual(prunedWorkspaces(cfg), ["root:pipeline-service:tenant-a", "root:pipeline-service:tenant-b"]);
    const withPruner = (p: Record<string, unknown>, kcpOn = true) => {
        const raw = local();
        raw.kcp = { ...raw.kcp, enabled: kcpOn, workspacePruner: p };
        return configProblems("local", raw);
    };
    t.deepEqual(withPruner({ enabled: true, keep: 10 }), []);
    t.deepEqual(withPruner({ enabled: true, keepSince: "24h" }), []);
    t.regex(problemFor(withPruner({ enabled: true }), "kcp.workspacePruner") ?? "", /set keep .* or keepSince/);
    t.regex(
        problemFor(withPruner({ enabled: true, keep: 1, keepSince: "1h" }), "kcp.workspacePruner") ?? "",
        /both keep and keepSince/,
    );
    t.regex(problemFor(withPruner({ enabled: true, keep: 0 }), "kcp.workspacePruner.keep") ?? "", /must be at least 1/);
    t.regex(
        problemFor(withPruner({ enabled: true, keep: 5 }, false), "kcp.workspacePruner.enabled") ?? "",
        /must be false while kcp.enabled is false/,
    );
});

test("passPolicy: the flags replace the stack's keep/keepSince for one pass; bad flags are named", (t) => {
    const stack = { keep: 100, maxDeletions: 500 };
    t.deepEqual(passPolicy(stack, {}), { keep: 100, keepSince: undefined, maxDeletions: 500 });
    t.deepEqual(passPolicy(stack, { keepSince: "2h", maxDeletions: "3" }), {
        keep: undefined,
        keepSince: "2h",
        maxDeletions: 3,
    });
    t.throws(() => passPolicy(stack, { keep: "0" }), { message: /--keep must be a whole number from 1/ });
    t.throws(() => passPolicy(stack, { keep: "1", keepSince: "1h" }), { message: /alternatives/ });
    t.throws(() => passPolicy(stack, { keepSince: "soon" }), { message: /--keep-since must be a duration/ });
});

test("one pass against a loopback API server: lists per workspace, deletes with the UID precondition, honours the bound", async (t) => {
    const live = new Map<string, any>([
        ["root:w1/n1/old", { uid: "u-old", completedAt: ago(300) }],
        ["root:w1/n1/new", { uid: "u-new", completedAt: ago(1) }],
        ["root:w1/n1/running", { uid: "u-run" }],
        ["root:w2/n2/old2", { uid: "u-old2", completedAt: ago(200) }],
        ["root:w2/n2/recreated", { uid: "u-now", completedAt: ago(100) }],
    ]);
    const deletes: { path: string; body: any }[] = [];
    const server = http.createServer((req, res) => {
        const url = new URL(req.url!, "http://x");
        const m =
            /^\/clusters\/([^/]+)\/apis\/tekton\.dev\/v1\/(?:namespaces\/([^/]+)\/)?pipelineruns(?:\/([^/]+))?$/.exec(
                url.pathname,
            );
        if (!m) {
            res.writeHead(404, { "content-type": "application/json" }).end("{}");
            return;
        }
        const [, ws, ns, name] = m;
        if (req.method === "GET") {
            const items = [...live.entries()]
                .filter(([k]) => k.startsWith(`${ws}/`))
                .map(([k, v]) => {
                    const [, n, nm] = k.split("/");
                    return {
                        metadata: { namespace: n, name: nm, uid: v.uid },
                        status: v.completedAt
                            ? { completionTime: v.completedAt, conditions: [{ type: "Succeeded", status: "True" }] }
                            : { conditions: [{ type: "Succeeded", status: "Unknown" }] },
                    };
                });
            res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ items, metadata: {} }));
            return;
        }
        let text = "";
        req.on("data", (c) => (text += c));
        req.on("end", () => {
            const body = JSON.parse(text || "{}");
            deletes.push({ path: url.pathname, body });
            const key = `${ws}/${ns}/${name}`;
            // "recreated" was replaced meanwhile: its UID is no longer the one listed.
            if (name === "recreated" || live.get(key)?.uid !== body.preconditions?.uid) {
                const status = { kind: "Status", code: 409, message: "Precondition failed: UID in precondition" };
                res.writeHead(409, { "content-type": "application/json" }).end(JSON.stringify(status));
                return;
            }
            live.delete(key);
            res.writeHead(200, { "content-type": "application/json" }).end(
                JSON.stringify({ kind: "Status", code: 200 }),
            );
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    t.teardown(() => server.close());
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
        clusters: [
            {
                name: "kcp",
                server: `http://127.0.0.1:${(server.address() as AddressInfo).port}/clusters/root:x`,
                skipTLSVerify: true,
            },
        ],
        users: [{ name: "u", token: "t" }],
        contexts: [{ name: "kcp", cluster: "kcp", user: "u" }],
        currentContext: "kcp",
    });

    const dry = await pruneWorkspaces(
        kc,
        ["root:w1", "root:w2", "root:none"],
        { keep: 1, maxDeletions: 10 },
        { now: NOW, dryRun: true },
    );
    t.deepEqual(
        dry.map((r) => [r.workspace, r.seen, r.running, r.deleted]),
        [
            ["root:w1", 3, 1, ["n1/old"]],
            ["root:w2", 2, 0, ["n2/old2"]],
            ["root:none", 0, 0, []],
        ],
    );
    t.is(deletes.length, 0, "a dry run deletes nothing");

    const bounded = await pruneWorkspaces(
        kc,
        ["root:w1", "root:w2"],
        { keepSince: "1h", maxDeletions: 2 },
        { now: NOW },
    );
    t.deepEqual(
        bounded.map((r) => [r.workspace, r.deleted, r.failed.length]),
        [
            ["root:w1", ["n1/old"], 0],
            ["root:w2", ["n2/old2"], 0],
        ],
        "the two oldest, then the bound",
    );
    t.deepEqual(deletes[0], {
        path: "/clusters/root:w1/apis/tekton.dev/v1/namespaces/n1/pipelineruns/old",
        body: { preconditions: { uid: "u-old" }, propagationPolicy: "Background" },
    });
    t.true(live.has("root:w1/n1/running") && live.has("root:w1/n1/new"), "the running and the recent runs stay");

    const refused = await pruneWorkspaces(kc, ["root:w2"], { keepSince: "1h", maxDeletions: 10 }, { now: NOW });
    t.deepEqual(refused[0]!.deleted, []);
    t.is(refused[0]!.failed.length, 1);
    t.regex(refused[0]!.failed[0]!, /^n2\/recreated: 409/);
    t.true(live.has("root:w2/n2/recreated"), "a run re-created under the same name is not deleted");
});

test("a list that does not answer fails within the bound, naming the workspace", async (t) => {
    const server = http.createServer(() => {
        /* never answers */
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    t.teardown(() => {
        server.closeAllConnections();
        server.close();
    });
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
        clusters: [
            { name: "kcp", server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true },
        ],
        users: [{ name: "u", token: "t" }],
        contexts: [{ name: "kcp", cluster: "kcp", user: "u" }],
        currentContext: "kcp",
    });
    const t0 = Date.now();
    await t.throwsAsync(pruneWorkspaces(kc, ["root:slow"], { keep: 1, maxDeletions: 1 }, { timeoutMs: 500 }), {
        message: /workspace root:slow: listing PipelineRuns.*no answer within 0.5s/,
    });
    t.true(Date.now() - t0 < 5000);
});
