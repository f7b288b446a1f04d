/**
 * lib/fencing.ts: the decisions (pure) and the bounded identity call against a real loopback HTTP server.
 */
import test from "ava";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
    compareIdentity,
    fenceClusters,
    fencingEnabled,
    identitiesFromOutputs,
    kubeconfigFile,
    kubeconfigProblem,
    loadTarget,
    parseAccept,
    parseExpected,
    readIdentity,
    timeoutSeconds,
} from "../../lib/fencing.js";

const A = "2f0c5a8e-0000-4000-8000-00000000000a";
const B = "2f0c5a8e-0000-4000-8000-00000000000b";

test("fencing runs only against a real engine and not in render mode", (t) => {
    t.false(fencingEnabled({}, undefined), "under mocks no monitor address is set");
    t.true(fencingEnabled({ PULUMI_NODEJS_MONITOR: "127.0.0.1:1" }, undefined));
    t.false(fencingEnabled({ PULUMI_NODEJS_MONITOR: "127.0.0.1:1" }, "/tmp/render"));
});

test("recorded identities: parsed from the wrapper's JSON; malformed input is an error, not 'nothing recorded'", (t) => {
    t.deepEqual(parseExpected(undefined), {});
    t.deepEqual(parseExpected(""), {});
    t.deepEqual(parseExpected(JSON.stringify({ "compute-1": A, "compute-2": "" })), { "compute-1": A });
    t.throws(() => parseExpected("{not json"), { message: /PIPELINE_SERVICE_EXPECTED_IDENTITIES is not JSON/ });
    t.throws(() => parseExpected("[1]"), { message: /must be a JSON object/ });
    t.throws(() => parseExpected(JSON.stringify({ "compute-1": 5 })), {
        message: /identity of compute-1 must be a string/,
    });
    t.deepEqual(
        identitiesFromOutputs({
            "compute-1": { ring: 0, identity: A },
            "compute-2": { ring: 1, identity: "" },
            x: null,
        }),
        { "compute-1": A },
    );
    t.deepEqual(identitiesFromOutputs(undefined), {});
    t.deepEqual([...parseAccept(" compute-1, ,compute-2")], ["compute-1", "compute-2"]);
    t.is(timeoutSeconds(undefined), 15);
    t.is(timeoutSeconds("2.5"), 2.5);
    t.throws(() => timeoutSeconds("0"), { message: /positive number of seconds/ });
});

test("compareIdentity: first deploy records, same identity passes, another cluster is refused naming both", (t) => {
    const found = { uid: B, server: "https://127.0.0.1:6444" };
    t.is(compareIdentity("compute-1", undefined, found, new Set()), B, "nothing recorded: record what answered");
    t.is(compareIdentity("compute-1", B, found, new Set()), B);
    const e = t.throws(() => compareIdentity("compute-1", A, found, new Set()));
    t.regex(e!.message, /cluster compute-1: wrong cluster/);
    t.true(
        e!.message.includes(A) && e!.message.includes(B) && e!.message.includes("https://127.0.0.1:6444"),
        e!.message,
    );
    t.regex(e!.message, /PIPELINE_SERVICE_ACCEPT_IDENTITY=compute-1/);
    t.is(
        compareIdentity("compute-1", A, found, new Set(["compute-1"])),
        B,
        "an accepted rebuild records the new identity",
    );
});

test("kubeconfigProblem: a missing file or context is named with the cluster", (t) => {
    t.is(
        kubeconfigProblem("compute-1", { path: "k", context: "compute-1" }, "/p/k", undefined),
        "cluster compute-1: kubeconfig /p/k does not exist",
    );
    t.is(
        kubeconfigProblem("compute-2", { path: "k", context: "nope" }, "/p/k", ["kcp", "compute-1"]),
        "cluster compute-2: context 'nope' is not in kubeconfig /p/k (it has: kcp, compute-1)",
    );
    t.is(kubeconfigProblem("compute-1", { path: "k", context: "compute-1" }, "/p/k", ["compute-1"]), undefined);
    t.regex(
        kubeconfigProblem("c", { secretConfigKey: "kc" }, "/x", undefined)!,
        /the kubeconfig in secret config kc does not exist/,
    );
    t.is(kubeconfigFile({ path: ".local/kubeconfig" }, "/proj"), "/proj/.local/kubeconfig");
    t.is(kubeconfigFile({ context: "x" }, "/proj", { KUBECONFIG: "/a:/b" }), "/a");
});

/** A loopback API server stand-in: `mode` decides how it answers GET /api/v1/namespaces/kube-system. */
async function server(
    mode: "ok" | "forbidden" | "hang",
    uid = A,
): Promise<{ url: string; close: () => Promise<void> }> {
    const sockets = new Set<import("node:net").Socket>();
    const srv = http.createServer((req, res) => {
        if (mode === "hang") return; // accepts the connection, never answers (like a SIGSTOPped apiserver's backlog)
        if (req.url !== "/api/v1/namespaces/kube-system") {
            res.writeHead(404).end();
            return;
        }
        if (mode === "forbidden") {
            res.writeHead(403, { "content-type": "application/json" }).end('{"kind":"Status","message":"forbidden"}');
            return;
        }
        res.writeHead(200, { "content-type": "application/json" }).end(
            JSON.stringify({ metadata: { name: "kube-system", uid } }),
        );
    });
    srv.on("connection", (s) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    return {
        url,
        close: () =>
            new Promise<void>((r) => {
                for (const s of sockets) s.destroy();
                srv.close(() => r());
            }),
    };
}

function kubeconfig(dir: string, servers: Record<string, string>): string {
    const names = Object.keys(servers);
    const file = path.join(dir, "kubeconfig");
    fs.writeFileSync(
        file,
        JSON.stringify({
            apiVersion: "v1",
            kind: "Config",
            "current-context": names[0],
            clusters: names.map((n) => ({
                name: n,
                cluster: { server: servers[n], "insecure-skip-tls-verify": true },
            })),
            users: [{ name: "u", user: { token: "t" } }],
            contexts: names.map((n) => ({ name: n, context: { cluster: n, user: "u" } })),
        }),
    );
    return file;
}

test("readIdentity reads the kube-system UID; a server that never answers fails within the bound, naming cluster and server", async (t) => {
    const ok = await server("ok", B);
    const hang = await server("hang");
    const forbidden = await server("forbidden");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fencing-"));
    try {
        kubeconfig(dir, { a: ok.url, b: hang.url, c: forbidden.url });
        const opts = { projectDir: dir, expected: {}, accept: new Set<string>(), timeoutMs: 700 };
        const kc = await loadTarget({ name: "compute-1", kubeconfig: { path: "kubeconfig", context: "a" } }, opts);
        if (typeof kc === "string") return t.fail(kc);
        t.deepEqual(await readIdentity("compute-1", kc, 2000), { uid: B, server: ok.url });

        const kcHang = await loadTarget({ name: "compute-2", kubeconfig: { path: "kubeconfig", context: "b" } }, opts);
        if (typeof kcHang === "string") return t.fail(kcHang);
        const t0 = Date.now();
        const e = await t.throwsAsync(readIdentity("compute-2", kcHang, 700));
        const took = Date.now() - t0;
        t.true(took >= 650 && took < 3000, `bounded: took ${took} ms`);
        t.regex(
            e!.message,
            /^cluster compute-2: the API server http:\/\/127\.0\.0\.1:\d+ did not answer GET \/api\/v1\/namespaces\/kube-system within 0\.7s \(stuck in HTTP answer\)/,
        );

        const kcForbidden = await loadTarget(
            { name: "compute-3", kubeconfig: { path: "kubeconfig", context: "c" } },
            opts,
        );
        if (typeof kcForbidden === "string") return t.fail(kcForbidden);
        await t.throwsAsync(readIdentity("compute-3", kcForbidden, 2000), {
            message: /^cluster compute-3: http:\/\/127\.0\.0\.1:\d+ answered 403/,
        });
    } finally {
        await Promise.all([ok.close(), hang.close(), forbidden.close()]);
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test("fenceClusters: every cluster checked in parallel (one bound for all), every failure listed in one error", async (t) => {
    const ok = await server("ok", A);
    const other = await server("ok", B);
    const hang = await server("hang");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fencing-"));
    try {
        kubeconfig(dir, { "compute-1": ok.url, "compute-2": other.url, "compute-3": hang.url, "compute-4": hang.url });
        const base = { projectDir: dir, accept: new Set<string>(), timeoutMs: 800 };
        const targets = ["compute-1", "compute-2"].map((n) => ({
            name: n,
            kubeconfig: { path: "kubeconfig", context: n },
        }));
        t.deepEqual(
            await fenceClusters(targets, { ...base, expected: {} }),
            { "compute-1": A, "compute-2": B },
            "first deploy records",
        );
        t.deepEqual(await fenceClusters(targets, { ...base, expected: { "compute-1": A, "compute-2": B } }), {
            "compute-1": A,
            "compute-2": B,
        });

        const t0 = Date.now();
        const e = await t.throwsAsync(
            fenceClusters(
                [
                    { name: "compute-1", kubeconfig: { path: "kubeconfig", context: "compute-2" } }, // points at the other cluster
                    { name: "compute-2", kubeconfig: { path: "kubeconfig", context: "missing" } },
                    { name: "compute-3", kubeconfig: { path: "kubeconfig", context: "compute-3" } },
                    { name: "compute-4", kubeconfig: { path: "kubeconfig", context: "compute-4" } },
                    { name: "compute-5", kubeconfig: { path: "no-such-file", context: "compute-5" } },
                ],
                { ...base, expected: { "compute-1": A } },
            ),
        );
        const took = Date.now() - t0;
        t.true(took < 2500, `two hanging clusters cost one bound, not two: ${took} ms`);
        const m = e!.message;
        t.regex(m, /^cluster identity fencing failed, before any change:/);
        t.regex(m, new RegExp(`cluster compute-1: wrong cluster: .*identity ${A} .*identity ${B}`));
        t.regex(
            m,
            /cluster compute-2: context 'missing' is not in kubeconfig .*\/kubeconfig \(it has: compute-1, compute-2, compute-3, compute-4\)/,
        );
        t.regex(m, /cluster compute-3: the API server http:\/\/127\.0\.0\.1:\d+ did not answer/);
        t.regex(m, /cluster compute-4: the API server/);
        t.regex(m, /cluster compute-5: kubeconfig .*\/no-such-file does not exist/);
    } finally {
        await Promise.all([ok.close(), other.close(), hang.close()]);
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test("a secretConfigKey kubeconfig is read from the decrypted config value", async (t) => {
    const ok = await server("ok", A);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fencing-"));
    try {
        const text = fs.readFileSync(kubeconfig(dir, { prod: ok.url }), "utf8");
        const got = await fenceClusters(
            [{ name: "prod-1", kubeconfig: { secretConfigKey: "prod1Kubeconfig", context: "prod" } }],
            {
                projectDir: dir,
                expected: { "prod-1": A },
                accept: new Set(),
                timeoutMs: 2000,
                secretKubeconfig: (k) => (k === "prod1Kubeconfig" ? text : undefined),
            },
        );
        t.deepEqual(got, { "prod-1": A });
        await t.throwsAsync(
            fenceClusters([{ name: "prod-2", kubeconfig: { secretConfigKey: "unset" } }], {
                projectDir: dir,
                expected: {},
                accept: new Set(),
                timeoutMs: 2000,
                secretKubeconfig: () => undefined,
            }),
            { message: /cluster prod-2: the kubeconfig in secret config unset does not exist/ },
        );
    } finally {
        await ok.close();
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
