/**
 * lib/fleet.ts: the deployed-clusters channel, CSV order, and the checks of a configuration against what the stack
 * deployed (renames, removals without draining, state transitions, downgrades); lib/drain.ts: running PipelineRuns,
 * the bounded drain wait against a loopback API server, and the removal refusal.
 */
import test from "ava";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
    compareCsv,
    csvVersion,
    type DeployedCluster,
    deployedFromOutputs,
    expectedCsvOf,
    type FleetCluster,
    fleetProblems,
    parseDeployed,
} from "../../lib/fleet.js";
import { describeRuns, removalRefusal, runningOn, runningPipelineRuns, waitUntilDrained } from "../../lib/drain.js";
import { holds } from "./helpers/property.js";

const CSV = (v: string) => `openshift-pipelines-operator-rh.v${v}`;
const active = (expectedCsv = ""): DeployedCluster => ({ state: "active", expectedCsv, protected: false });
const LOCAL: FleetCluster[] = [
    { name: "compute-1", index: 0, state: "active" },
    { name: "compute-2", index: 1, state: "active" },
];

test("the deployed-clusters channel: outputs without a state are active; malformed input is an error", (t) => {
    t.deepEqual(parseDeployed(undefined), {});
    t.deepEqual(parseDeployed(" "), {});
    t.deepEqual(deployedFromOutputs({ "compute-1": { ring: 0, identity: "u" }, x: 5, y: null }), {
        "compute-1": active(),
    });
    t.deepEqual(
        parseDeployed(JSON.stringify({ a: { state: "draining", expectedCsv: CSV("5.0.5-854"), protected: true } })),
        { a: { state: "draining", expectedCsv: CSV("5.0.5-854"), protected: true } },
    );
    t.throws(() => parseDeployed("{"), { message: /PIPELINE_SERVICE_DEPLOYED_CLUSTERS is not JSON/ });
    t.throws(() => parseDeployed("[]"), { message: /must be a JSON object/ });
    t.throws(() => parseDeployed(JSON.stringify({ a: { state: "gone" } })), { message: /cluster a has state "gone"/ });
});

test("CSV order: release, then the OSP build number; names without a version are refused", (t) => {
    t.deepEqual(csvVersion(CSV("5.0.5-854")), { release: [5, 0, 5], build: "854" });
    t.is(csvVersion("v5.0.5"), undefined);
    t.true(compareCsv(CSV("5.0.5-854"), CSV("5.0.5-871")) < 0);
    t.true(compareCsv(CSV("5.0.5-871"), CSV("5.0.5-854")) > 0);
    t.true(compareCsv(CSV("1.20.0"), CSV("5.0.5-854")) < 0);
    t.true(compareCsv(CSV("5.0.5"), CSV("5.0.5-1")) < 0);
    t.true(compareCsv(CSV("5.0.10-1"), CSV("5.0.9-999")) > 0, "numerically, not as strings");
    t.is(compareCsv(CSV("5.0.5-854"), CSV("5.0.5-854")), 0);
    t.throws(() => compareCsv("x", CSV("1.0.0")), { message: /cannot compare CSV versions/ });
});

test("property: CSV order is antisymmetric and transitive", (t) => {
    const csv = fc
        .tuple(fc.nat(20), fc.nat(20), fc.nat(20), fc.option(fc.nat(2000), { nil: undefined }))
        .map(([a, b, c, d]) => CSV(`${a}.${b}.${c}${d === undefined ? "" : `-${d}`}`));
    holds(
        t,
        fc.property(csv, csv, csv, (a, b, c) => {
            assert.equal(Math.sign(compareCsv(a, b)), -Math.sign(compareCsv(b, a)));
            if (compareCsv(a, b) <= 0 && compareCsv(b, c) <= 0) assert.ok(compareCsv(a, c) <= 0);
        }),
    );
});

test("expected CSV: osp.expectedCsv, else <package>.v<build> of a known index, else unknown", (t) => {
    const s = (image: string, expectedCsv?: string) => ({
        osp: { expectedCsv, catalog: { image }, subscription: { package: "openshift-pipelines-operator-rh" } },
    });
    t.is(
        expectedCsvOf(
            s(
                "quay.io/openshift-pipeline/pipelines-index-4.19@sha256:bd598786408b16bc1171c79907db124013189d57677e8bfbec1feccc55523ccd",
            ),
        ),
        CSV("5.0.5-854"),
    );
    t.is(
        expectedCsvOf(
            s(
                "quay.io/openshift-pipeline/pipelines-index-4.19@sha256:8c6152d2924f608960a4cec0faca33a1807bce19085e86d1daeeaa698fce146d",
            ),
        ),
        CSV("5.0.5-871"),
    );
    t.is(expectedCsvOf(s(`quay.io/x/index@sha256:${"c".repeat(64)}`)), undefined);
    t.is(expectedCsvOf(s("quay.io/x/index:latest", CSV("5.0.6-1"))), CSV("5.0.6-1"));
});

test("nothing deployed (a new stack, mocks, render): only the configuration's own rules apply", (t) => {
    t.deepEqual(fleetProblems("local", "local", LOCAL, {}), []);
    const p = fleetProblems("local", "local", [LOCAL[0]!, { ...LOCAL[1]!, state: "removed" }], {});
    t.is(p.length, 1);
    t.regex(
        p[0]!,
        /^pipeline-service:clusters\[1\]\.state: cluster 'compute-2' is 'removed' but this stack never deployed it/,
    );
});

test("removing a deployed cluster straight from clusters[] is refused with the drain steps", (t) => {
    const p = fleetProblems("prod", "prod", [LOCAL[0]!], { "compute-1": active(), "compute-2": active() });
    t.is(p.length, 1);
    t.regex(
        p[0]!,
        /^pipeline-service:clusters: cluster 'compute-2' is deployed \(stack output clusters\.compute-2, state active\) but is not in clusters\[\] any more/,
    );
    t.regex(
        p[0]!,
        /\(1\) keep its entry in clusters\[\] and set clusters\[<i>\]\.state: draining, then \.tools\/bin\/pulumi up --stack prod/,
    );
    t.regex(p[0]!, /\(2\) set clusters\[<i>\]\.decommission: true/, "prod: the protections are lifted first");
    t.regex(p[0]!, /\(3\) set clusters\[<i>\]\.state: removed .*\(4\) then delete the entry/);
    t.notRegex(
        fleetProblems("local", "local", [LOCAL[0]!], { "compute-1": active(), "compute-2": active() })[0]!,
        /decommission/,
        "local is never protected: no decommission step",
    );
    t.deepEqual(
        fleetProblems("local", "local", [LOCAL[0]!], {
            "compute-1": active(),
            "compute-2": { ...active(), state: "removed" },
        }),
        [],
        "a removed cluster's entry may go",
    );
    t.regex(
        fleetProblems("local", "local", [LOCAL[0]!], {
            "compute-1": active(),
            "compute-2": { ...active(), state: "draining" },
        })[0]!,
        /state draining\) but is not in clusters\[\]/,
        "a drained but not removed cluster may not go either",
    );
});

test("renaming a deployed cluster is refused, naming both names and why", (t) => {
    const renamed = [LOCAL[0]!, { ...LOCAL[1]!, name: "compute-two" }];
    const p = fleetProblems("local", "local", renamed, { "compute-1": active(), "compute-2": active() });
    t.is(p.length, 1);
    t.regex(
        p[0]!,
        /cluster 'compute-2' is deployed .* It looks like a rename to 'compute-two': renaming a cluster is refused/,
    );
    t.regex(p[0]!, /would be adopted under the new name and then deleted under the old one/);
    t.regex(p[0]!, /Put the name 'compute-2' back/);
});

test("states move forward: removed needs a completed drain; a removed cluster cannot come back in place; undrain is allowed", (t) => {
    const withState = (state: FleetCluster["state"], extra: Partial<FleetCluster> = {}) => [
        LOCAL[0]!,
        { ...LOCAL[1]!, state, ...extra },
    ];
    const p = fleetProblems("local", "local", withState("removed"), { "compute-1": active(), "compute-2": active() });
    t.regex(
        p[0]!,
        /^pipeline-service:clusters\[1\]\.state: cluster 'compute-2' is recorded as active, so removing it now would delete/,
    );
    t.deepEqual(
        fleetProblems("local", "local", withState("removed"), {
            "compute-1": active(),
            "compute-2": { ...active(), state: "draining" },
        }),
        [],
    );
    t.deepEqual(
        fleetProblems("local", "local", withState("draining"), { "compute-1": active(), "compute-2": active() }),
        [],
    );
    t.deepEqual(
        fleetProblems("local", "local", withState("active"), {
            "compute-1": active(),
            "compute-2": { ...active(), state: "draining" },
        }),
        [],
        "undrain",
    );
    t.regex(
        fleetProblems("local", "local", withState("active"), {
            "compute-1": active(),
            "compute-2": { ...active(), state: "removed" },
        })[0]!,
        /recorded as removed .* cannot come back in place as active/,
    );
});

test("prod: removal only once the protections are lifted in the state, and with decommission kept on", (t) => {
    const drained = {
        "compute-1": active(),
        "compute-2": { state: "draining" as const, expectedCsv: "", protected: true },
    };
    const p = fleetProblems(
        "prod",
        "prod",
        [LOCAL[0]!, { ...LOCAL[1]!, state: "removed", decommission: true }],
        drained,
    );
    t.is(p.length, 1);
    t.regex(
        p[0]!,
        /still protected in the state .* Set clusters\[1\]\.decommission: true with state: draining and up first/,
    );
    const lifted = { ...drained, "compute-2": { ...drained["compute-2"], protected: false } };
    t.deepEqual(
        fleetProblems("prod", "prod", [LOCAL[0]!, { ...LOCAL[1]!, state: "removed", decommission: true }], lifted),
        [],
    );
    t.regex(
        fleetProblems("prod", "prod", [LOCAL[0]!, { ...LOCAL[1]!, state: "removed" }], lifted)[0]!,
        /^pipeline-service:clusters\[1\]\.decommission:/,
    );
});

test("downgrade guard: an expected CSV older than the one deployed is refused, naming both", (t) => {
    const deployed = { "compute-1": active(CSV("5.0.5-871")), "compute-2": active(CSV("5.0.5-854")) };
    const p = fleetProblems(
        "prod",
        "prod",
        [
            { ...LOCAL[0]!, expectedCsv: CSV("5.0.5-854") },
            { ...LOCAL[1]!, expectedCsv: CSV("5.0.5-871") },
        ],
        deployed,
    );
    t.is(p.length, 1, p.join("\n"));
    t.regex(
        p[0]!,
        /cluster 'compute-1' would go from openshift-pipelines-operator-rh\.v5\.0\.5-871 .* back to openshift-pipelines-operator-rh\.v5\.0\.5-854: operator downgrades are refused/,
    );
    t.deepEqual(
        fleetProblems("prod", "prod", [{ ...LOCAL[0]!, expectedCsv: CSV("5.0.5-871") }, LOCAL[1]!], deployed),
        [],
        "same or no CSV: fine",
    );
});

// ---------------------------------------------------------------------------------------------------------------
// lib/drain.ts

const pr = (ns: string, name: string, succeeded?: string) => ({
    metadata: { namespace: ns, name },
    status: succeeded === undefined ? {} : { conditions: [{ type: "Succeeded", status: succeeded }] },
});

test("running PipelineRuns: no Succeeded condition or Unknown; True and False are finished", (t) => {
    const list = {
        items: [pr("a", "pending"), pr("a", "running", "Unknown"), pr("b", "ok", "True"), pr("b", "failed", "False")],
    };
    t.deepEqual(runningPipelineRuns(list), [
        { namespace: "a", name: "pending" },
        { namespace: "a", name: "running" },
    ]);
    t.deepEqual(runningPipelineRuns({}), []);
    t.is(
        describeRuns(
            [1, 2, 3].map((i) => ({ namespace: "n", name: `r${i}` })),
            2,
        ),
        "n/r1, n/r2 and 1 more",
    );
    t.is(removalRefusal("compute-2", 1, []), undefined);
    t.regex(
        removalRefusal("compute-2", 1, [{ namespace: "n", name: "r" }])!,
        /^pipeline-service:clusters\[1\]\.state: cluster compute-2 is to be removed, but 1 PipelineRun\(s\) still run there \(n\/r\)/,
    );
});

test("the drain wait: polls until no run is left, and fails at its bound naming the runs", async (t) => {
    let clock = 0;
    const clockOpts = {
        now: () => clock,
        sleep: async (ms: number) => {
            clock += ms;
        },
        requestTimeoutMs: 1000,
    };
    const answers = [[{ namespace: "n", name: "r" }], [{ namespace: "n", name: "r" }], []];
    const log: string[] = [];
    t.is(
        await waitUntilDrained("compute-2", async () => answers.shift()!, {
            ...clockOpts,
            timeoutSeconds: 60,
            pollSeconds: 10,
            log: (m) => log.push(m),
        }),
        20,
    );
    t.is(log.length, 2);
    clock = 0;
    await t.throwsAsync(
        waitUntilDrained("compute-2", async () => [{ namespace: "n", name: "stuck" }], {
            ...clockOpts,
            timeoutSeconds: 30,
            pollSeconds: 10,
        }),
        {
            message:
                /^cluster compute-2: draining: 1 PipelineRun\(s\) still run there after 30s \(drain.timeoutSeconds 30\): n\/stuck/,
        },
    );
    t.true(clock <= 30_000, "never waits past the bound");
    clock = 0;
    await t.throwsAsync(
        waitUntilDrained("compute-2", async () => [{ namespace: "n", name: "r" }], { ...clockOpts, timeoutSeconds: 0 }),
        { message: /after 0s/ },
        "timeoutSeconds 0 asks once",
    );
});

test("listRunning against a loopback API server: every page, every namespace; 404 (no Tekton) is none", async (t) => {
    const pages: Record<string, unknown> = {
        "": { items: [pr("kcp-1", "a", "Unknown"), pr("kcp-1", "b", "True")], metadata: { continue: "p2" } },
        p2: { items: [pr("kcp-2", "c")], metadata: {} },
    };
    let tekton = true;
    const server = http.createServer((req, res) => {
        const url = new URL(req.url!, "http://x");
        if (url.pathname !== "/apis/tekton.dev/v1/pipelineruns" || !tekton) {
            res.writeHead(404).end("{}");
            return;
        }
        res.writeHead(200, { "content-type": "application/json" }).end(
            JSON.stringify(pages[url.searchParams.get("continue") ?? ""]),
        );
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    t.teardown(() => server.close());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drain-"));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, "kubeconfig");
    const port = (server.address() as AddressInfo).port;
    fs.writeFileSync(
        file,
        `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\n` +
            "users: [{name: u, user: {token: t}}]\ncontexts: [{name: compute-2, context: {cluster: c, user: u}}]\ncurrent-context: compute-2\n",
    );
    const opts = { projectDir: dir, expected: {}, accept: new Set<string>(), timeoutMs: 2000 };
    const target = { name: "compute-2", kubeconfig: { path: "kubeconfig", context: "compute-2" } };
    t.deepEqual(await runningOn(target, opts), [
        { namespace: "kcp-1", name: "a" },
        { namespace: "kcp-2", name: "c" },
    ]);
    tekton = false;
    t.deepEqual(await runningOn(target, opts), []);
    await t.throwsAsync(runningOn({ ...target, kubeconfig: { path: "kubeconfig", context: "nope" } }, opts), {
        message: /context 'nope' is not in kubeconfig/,
    });
});
