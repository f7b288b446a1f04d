/**
 * What OLM leaves of a removed cluster's operator (lib/olmCleanup.ts): which CSVs and InstallPlans are the package's,
 * and the refusal while its Subscription exists, against a loopback API server. The real objects on a real
 * apiserver: test/e2e/fleet.test.ts.
 */
import test from "ava";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as k8s from "@kubernetes/client-node";
import { cleanUpOlm, isCsvOf, olmLeftovers } from "../../lib/olmCleanup.js";

const PKG = "openshift-pipelines-operator-rh";
const named = (name: string, extra: Record<string, unknown> = {}) => ({ metadata: { name }, ...extra });
const plan = (name: string, csvs: string[]) => named(name, { spec: { clusterServiceVersionNames: csvs } });

test("isCsvOf: OLM's <package>.v<semver> naming, not a longer package's", (t) => {
    t.true(isCsvOf(PKG, `${PKG}.v5.0.5-854`));
    t.true(isCsvOf(PKG, `${PKG}.v1.15.0`));
    t.false(isCsvOf(PKG, `${PKG}-extra.v1.0.0`), "another package with our name as a prefix");
    t.false(isCsvOf(PKG, `${PKG}.vnext`));
    t.false(isCsvOf(PKG, "external-secrets-operator.v0.8.1"));
});

test("olmLeftovers: the package's CSVs, its InstallPlans; a plan that also installed another package is kept", (t) => {
    t.deepEqual(
        olmLeftovers(
            PKG,
            [named(`${PKG}.v5.0.5-854`), named(`${PKG}.v5.0.4`), named("external-secrets-operator.v0.8.1")],
            [
                plan("install-b", [`${PKG}.v5.0.5-854`]),
                plan("install-a", [`${PKG}.v5.0.4`]),
                plan("install-shared", [`${PKG}.v5.0.4`, "external-secrets-operator.v0.8.1"]),
                plan("install-eso", ["external-secrets-operator.v0.8.1"]),
            ],
        ),
        {
            csvs: [`${PKG}.v5.0.4`, `${PKG}.v5.0.5-854`],
            installPlans: ["install-a", "install-b"],
            keptInstallPlans: ["install-shared"],
        },
    );
    t.deepEqual(olmLeftovers(PKG, [], []), { csvs: [], installPlans: [], keptInstallPlans: [] });
});

/** A loopback API server holding `objects[plural]` in namespace ns; records DELETEs. */
async function olmServer(t: any, objects: Record<string, any[]>) {
    const deleted: string[] = [];
    const server = http.createServer((req, res) => {
        const m = /^\/apis\/operators\.coreos\.com\/v1alpha1\/namespaces\/ns\/([a-z]+)(?:\/([^/]+))?$/.exec(
            new URL(req.url!, "http://x").pathname,
        );
        res.setHeader("content-type", "application/json");
        if (!m) {
            res.writeHead(404).end("{}");
            return;
        }
        const [, plural, name] = m;
        if (req.method === "DELETE") {
            deleted.push(`${plural}/${name}`);
            res.writeHead(200).end(JSON.stringify({ kind: "Status", code: 200 }));
            return;
        }
        res.writeHead(200).end(JSON.stringify({ items: objects[plural!] ?? [] }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    t.teardown(() => server.close());
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
        clusters: [
            { name: "c", server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true },
        ],
        users: [{ name: "u", token: "t" }],
        contexts: [{ name: "c", cluster: "c", user: "u" }],
        currentContext: "c",
    });
    return { kc, deleted };
}

test("cleanUpOlm: lists only with dryRun, deletes the CSVs then the InstallPlans otherwise", async (t) => {
    const { kc, deleted } = await olmServer(t, {
        clusterserviceversions: [named(`${PKG}.v5.0.5-854`), named("other.v1.0.0")],
        installplans: [plan("install-x", [`${PKG}.v5.0.5-854`])],
    });
    const dry = await cleanUpOlm(kc, "c2", PKG, "ns", { dryRun: true });
    t.deepEqual(dry.csvs, [`${PKG}.v5.0.5-854`]);
    t.deepEqual(deleted, []);
    await cleanUpOlm(kc, "c2", PKG, "ns");
    t.deepEqual(deleted, [`clusterserviceversions/${PKG}.v5.0.5-854`, "installplans/install-x"]);
});

test("cleanUpOlm refuses, deleting nothing, while a Subscription of the package exists", async (t) => {
    const { kc, deleted } = await olmServer(t, {
        subscriptions: [named("openshift-pipelines-operator", { spec: { name: PKG } })],
        clusterserviceversions: [named(`${PKG}.v5.0.5-854`)],
    });
    await t.throwsAsync(cleanUpOlm(kc, "c2", PKG, "ns"), {
        message:
            /cluster c2: Subscription openshift-pipelines-operator of openshift-pipelines-operator-rh still exists in ns, so OLM would reinstall/,
    });
    t.deepEqual(deleted, []);
});
