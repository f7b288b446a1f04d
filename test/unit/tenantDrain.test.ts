/**
 * Offboarding drains a tenant first (lib/tenantDrain.ts): which deployed tenants are being offboarded, where their
 * PipelineRuns are read (Phase 1: the tenant's kcp workspace; ADR-0009: its namespace on each cluster it was on,
 * against a loopback API server), the bounded wait and the refusal that names the runs. The program's own wiring
 * (index.ts awaits it before registering anything) runs only against a real engine; test/e2e/tenants.test.ts covers it.
 */
import test from "ava";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { resolveConfig } from "../../lib/config.js";
import { waitUntilDrained } from "../../lib/drain.js";
import { offboarded, parseDeployedTenants, tenantRuns, workspaceKubeConfig } from "../../lib/tenantDrain.js";
import { stackValues } from "../helpers/stack.js";

const pr = (ns: string, name: string, succeeded?: string) => ({
    metadata: { namespace: ns, name },
    status: succeeded ? { conditions: [{ type: "Succeeded", status: succeeded }] } : {},
});

test("parseDeployedTenants reads the tenantsDeployed output; anything malformed is nothing", (t) => {
    const v = {
        "tenant-a": { pool: "isolated", mode: "kcp-workspace", placement: ["root:pipeline-service:tenant-a"] },
        bad: { mode: "x" },
    };
    t.deepEqual(parseDeployedTenants(JSON.stringify(v)), { "tenant-a": v["tenant-a"] as any });
    for (const bad of [undefined, "", "not json", "[]", "null"])
        t.deepEqual(parseDeployedTenants(bad), {}, String(bad));
});

test("offboarded: the deployed tenants the configuration no longer lists", (t) => {
    const cfg = resolveConfig("local", stackValues("local"));
    const deployed = parseDeployedTenants(
        JSON.stringify({
            "tenant-a": { pool: "isolated", mode: "kcp-workspace", placement: ["root:pipeline-service:tenant-a"] },
            "tenant-c": { pool: "general", mode: "kcp-workspace", placement: ["root:pipeline-service:tenant-c"] },
        }),
    );
    t.deepEqual(
        offboarded(cfg, deployed).map(([n]) => n),
        ["tenant-c"],
    );
    t.deepEqual(offboarded(cfg, {}), []);
});

test("workspaceKubeConfig points the current context at <origin>/clusters/<workspace>", (t) => {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
        clusters: [
            {
                name: "kcp",
                server: "https://127.0.0.1:6443/clusters/root:pipeline-service:compute",
                skipTLSVerify: false,
            },
        ],
        users: [{ name: "admin", token: "x" }],
        contexts: [{ name: "kcp", cluster: "kcp", user: "admin" }],
        currentContext: "kcp",
    });
    t.is(
        workspaceKubeConfig(kc, "root:pipeline-service:tenant-c").getCurrentCluster()?.server,
        "https://127.0.0.1:6443/clusters/root:pipeline-service:tenant-c",
    );
    t.is(
        kc.getCurrentCluster()?.server,
        "https://127.0.0.1:6443/clusters/root:pipeline-service:compute",
        "the original is unchanged",
    );
});

test("tenantRuns against a loopback API server: the workspace (Phase 1) or the namespace per cluster (ADR-0009)", async (t) => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
        const url = new URL(req.url!, "http://x");
        seen.push(url.pathname);
        const body =
            url.pathname === "/clusters/root:pipeline-service:tenant-c/apis/tekton.dev/v1/pipelineruns"
                ? { items: [pr("ns1", "running"), pr("ns1", "done", "True")] }
                : url.pathname === "/apis/tekton.dev/v1/namespaces/tenant-b/pipelineruns"
                  ? { items: [pr("tenant-b", "r1", "Unknown")] }
                  : undefined;
        if (!body) res.writeHead(404).end("{}");
        else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    t.teardown(() => server.close());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenant-drain-"));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const port = (server.address() as AddressInfo).port;
    fs.writeFileSync(
        path.join(dir, "kubeconfig"),
        "apiVersion: v1\nkind: Config\n" +
            `clusters: [{name: kcp, cluster: {server: "http://127.0.0.1:${port}/clusters/root:pipeline-service:compute", insecure-skip-tls-verify: true}}, {name: c1, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\n` +
            "users: [{name: u, user: {token: t}}]\ncontexts: [{name: kcp, context: {cluster: kcp, user: u}}, {name: compute-1, context: {cluster: c1, user: u}}]\ncurrent-context: kcp\n",
    );
    const o = { projectDir: dir, expected: {}, accept: new Set<string>(), timeoutMs: 2000 };
    const cfg = {
        kcpKubeconfig: { path: "kubeconfig", context: "kcp" },
        clusters: [{ name: "compute-1", kubeconfig: { path: "kubeconfig", context: "compute-1" } }],
    } as any;
    t.deepEqual(
        await tenantRuns(
            "tenant-c",
            { pool: "general", mode: "kcp-workspace", placement: ["root:pipeline-service:tenant-c"] },
            cfg,
            o,
        ),
        [{ namespace: "ns1", name: "running" }],
    );
    t.deepEqual(
        await tenantRuns("tenant-b", { pool: "general", mode: "namespace", placement: ["compute-1/tenant-b"] }, cfg, o),
        [{ namespace: "compute-1/tenant-b", name: "r1" }],
    );
    t.deepEqual(
        await tenantRuns("tenant-x", { pool: "general", mode: "namespace", placement: ["compute-1/tenant-x"] }, cfg, o),
        [],
        "404: none",
    );
    await t.throwsAsync(
        tenantRuns("tenant-y", { pool: "general", mode: "namespace", placement: ["gone/tenant-y"] }, cfg, o),
        { message: /tenant tenant-y: no kubeconfig reaches gone/ },
    );
    t.true(seen.includes("/clusters/root:pipeline-service:tenant-c/apis/tekton.dev/v1/pipelineruns"));
});

test("the wait is bounded and names the tenant's runs", async (t) => {
    let clock = 0;
    const list = async () => [{ namespace: "ns1", name: "running" }];
    await t.throwsAsync(
        waitUntilDrained("tenant tenant-c", list, {
            timeoutSeconds: 30,
            requestTimeoutMs: 1000,
            pollSeconds: 10,
            now: () => clock,
            sleep: async (ms) => {
                clock += ms;
            },
        }),
        { message: /tenant tenant-c: draining: 1 PipelineRun\(s\) still run there after 30s .*ns1\/running/ },
    );
    t.is(await waitUntilDrained("tenant tenant-c", async () => [], { timeoutSeconds: 30, requestTimeoutMs: 1000 }), 0);
});
