/**
 * Config validation of the fleet keys (issue 11): per-ring overrides (`rings.<n>.overrides`, merged between the
 * environment and the cluster), `clusters[].state`, `drain.timeoutSeconds` and `osp.expectedCsv`.
 */
import test from "ava";
import * as path from "node:path";
import { resolveConfig } from "../../lib/config.js";
import { readStackFile } from "../../scripts/validate-config.js";
import { ROOT } from "../helpers/mocks.js";
import { rejects as rejectsIn } from "./helpers/configProblems.js";

type Raw = Record<string, any>;
const PROD: Raw = readStackFile(path.join(ROOT, "Pulumi.prod.yaml"));
const LOCAL: Raw = readStackFile(path.join(ROOT, "Pulumi.local.yaml"));
const NEW_INDEX = `quay.io/openshift-pipeline/pipelines-index-4.19@sha256:${"c".repeat(64)}`;
const KNOWN_871 =
    "quay.io/openshift-pipeline/pipelines-index-4.19@sha256:8c6152d2924f608960a4cec0faca33a1807bce19085e86d1daeeaa698fce146d";

const rejects = (raw: Raw, stack: string): string[] => rejectsIn(raw, stack);

test("rings.<n>.overrides: merged between the environment and the cluster, for that ring's clusters only", (t) => {
    const raw = structuredClone(PROD);
    raw.rings = { 1: { overrides: { osp: { catalog: { image: KNOWN_871 } }, githubAppName: "Ring One" } } };
    const cfg = resolveConfig("prod", raw);
    const by = new Map(cfg.clusters.map((c) => [c.name, c.settings]));
    t.is(by.get("stone-prd-rh01")!.osp.catalog.image, KNOWN_871);
    t.is(by.get("stone-prd-rh01")!.githubAppName, "Ring One");
    for (const n of ["stone-prd-m01", "stone-prod-p01"]) t.is(by.get(n)!.osp.catalog.image, PROD.osp.catalog.image, n);
    // the cluster's own overrides still win over the ring's (stone-prod-p01 is ring 2 and sets githubAppName itself)
    raw.rings = { 2: { overrides: { githubAppName: "Ring Two" } } };
    const two = new Map(resolveConfig("prod", raw).clusters.map((c) => [c.name, c.settings.githubAppName]));
    t.deepEqual(Object.fromEntries(two), {
        "stone-prd-rh01": "Red Hat Konflux",
        "stone-prd-m01": "Ring Two",
        "stone-prod-p01": "Konflux Production Internal",
    });
    t.is(cfg.settings.osp.catalog.image, PROD.osp.catalog.image, "the environment layer is unchanged");
});

test("rings: a bad ring override names its key path under rings.<n>.overrides; a ring no cluster is in is refused", (t) => {
    const raw = structuredClone(PROD);
    raw.rings = { 1: { overrides: { osp: { catalog: { image: "quay.io/org/index:latest" } } } } };
    const p = rejects(raw, "prod");
    t.true(
        p.some((x) =>
            x.startsWith("pipeline-service:rings.1.overrides.osp.catalog.image: must be pinned by digest in prod"),
        ),
        p.join("\n"),
    );
    t.false(
        p.some((x) => x.includes("clusters[")),
        "the ring's own problem is reported once, not again per cluster",
    );
    raw.rings = { 1: { overrides: { osp: { catlog: {} } } } };
    t.true(
        rejects(raw, "prod").some((x) =>
            x.startsWith("pipeline-service:rings.1.overrides.osp: unknown key(s) 'catlog'"),
        ),
    );
    raw.rings = { 7: { overrides: {} } };
    t.true(rejects(raw, "prod").some((x) => x.startsWith("pipeline-service:rings.7: no cluster is in ring 7")));
    raw.rings = { x: { overrides: {} } };
    t.true(rejects(raw, "prod").some((x) => x.startsWith("pipeline-service:rings.x")));
});

test("clusters[].state: active by default; only active, draining or removed", (t) => {
    const cfg = resolveConfig("local", structuredClone(LOCAL));
    t.deepEqual(
        cfg.clusters.map((c) => c.state),
        ["active", "active"],
    );
    const raw = structuredClone(LOCAL);
    raw.clusters[1].state = "draining";
    t.is(resolveConfig("local", raw).clusters[1]!.state, "draining");
    raw.clusters[1].state = "cordoned";
    t.true(
        rejects(raw, "local").some((x) =>
            x.startsWith("pipeline-service:clusters[1].state: must be active, draining or removed"),
        ),
    );
});

test("clusters[].state: at least one cluster stays active, and the gateway's host is not removed under it", (t) => {
    const raw = structuredClone(LOCAL);
    raw.clusters[0].state = "draining";
    raw.clusters[1].state = "draining";
    t.true(
        rejects(raw, "local").some((x) =>
            x.startsWith("pipeline-service:clusters: every cluster is draining or removed"),
        ),
    );
    const host = structuredClone(LOCAL);
    host.clusters[0].state = "removed"; // compute-1: ring 0, the default gateway host
    const p = rejects(host, "local");
    t.true(
        p.some(
            (x) =>
                x.startsWith("pipeline-service:clusters[0].state: 'compute-1' runs the webhook gateway") &&
                x.includes("set gateway.hostCluster"),
        ),
        p.join("\n"),
    );
    host.gateway.hostCluster = "compute-2";
    // compute-1 is pool general's only cluster: its tenants move with it (see the test below).
    for (const tenant of host.tenants) if (tenant.pool === "general") tenant.pool = "isolated";
    t.notThrows(() => resolveConfig("local", host), "with the gateway and the tenants moved, compute-1 can be removed");
    const draining = structuredClone(LOCAL);
    draining.clusters[0].state = "draining";
    t.notThrows(() => resolveConfig("local", draining), "the gateway host may drain (it keeps hosting the gateway)");
});

test("clusters[].state removed: refused for the last cluster of a tenant's pool, until the tenant moves", (t) => {
    const raw = structuredClone(LOCAL);
    const c2 = raw.clusters.findIndex((c: Raw) => c.name === "compute-2");
    t.is(raw.clusters[c2].pool, "isolated", "compute-2 is pool isolated's only cluster");
    const i = raw.tenants.findIndex((x: Raw) => x.pool === "isolated");
    t.true(i >= 0, "the local stack has a tenant in pool isolated");
    raw.clusters[c2].state = "removed";
    const p = rejects(raw, "local");
    t.true(
        p.some(
            (x) =>
                x.startsWith(
                    `pipeline-service:tenants[${i}].pool: every cluster of pool 'isolated' (compute-2) is removed`,
                ) && x.includes(`move the tenant to another pool (tenants[${i}].pool)`),
        ),
        p.join("\n"),
    );
    raw.clusters[c2].state = "draining";
    t.notThrows(() => resolveConfig("local", raw), "draining keeps the pool: its runs finish there");
    raw.clusters[c2].state = "removed";
    raw.tenants[i].pool = "general";
    t.notThrows(() => resolveConfig("local", raw), "moved in the same change, the removal is accepted");
});

test("drain.timeoutSeconds: 7200 by default (the platform's default PipelineRun timeout), 0 to 86400", (t) => {
    t.is(resolveConfig("local", structuredClone(LOCAL)).settings.drain.timeoutSeconds, 7200);
    const raw = structuredClone(LOCAL);
    raw.drain = { timeoutSeconds: -1 };
    t.true(rejects(raw, "local").some((x) => x.startsWith("pipeline-service:drain.timeoutSeconds:")));
    raw.drain = { timeoutSeconds: 60 };
    raw.clusters[1].overrides.drain = { timeoutSeconds: 0 };
    t.deepEqual(
        resolveConfig("local", raw).clusters.map((c) => c.settings.drain.timeoutSeconds),
        [60, 0],
    );
});

test("osp.expectedCsv: a CSV of the subscribed package; required in prod when the index is not a known one", (t) => {
    const raw = structuredClone(PROD);
    raw.rings = { 1: { overrides: { osp: { catalog: { image: NEW_INDEX } } } } };
    const p = rejects(raw, "prod");
    t.true(
        p.some(
            (x) =>
                x.startsWith("pipeline-service:rings.1.overrides.osp.expectedCsv:") && x.includes("not a known index"),
        ),
        p.join("\n"),
    );
    raw.rings[1].overrides.osp.expectedCsv = "openshift-pipelines-operator-rh.v5.0.5-900";
    t.is(
        resolveConfig("prod", raw).clusters[0]!.settings.osp.expectedCsv,
        "openshift-pipelines-operator-rh.v5.0.5-900",
    );
    raw.rings[1].overrides.osp.expectedCsv = "some-other-operator.v5.0.5-900";
    t.true(
        rejects(raw, "prod").some((x) =>
            x.startsWith(
                "pipeline-service:rings.1.overrides.osp.expectedCsv: 'some-other-operator.v5.0.5-900' is not a CSV of package",
            ),
        ),
    );
    raw.rings[1].overrides.osp.expectedCsv = "v5.0.5";
    t.true(
        rejects(raw, "prod").some((x) =>
            x.startsWith("pipeline-service:rings.1.overrides.osp.expectedCsv: must be a ClusterServiceVersion name"),
        ),
    );
    // the local stack does not wait for readiness, so an unknown index needs no expected CSV there
    const local = structuredClone(LOCAL);
    local.osp = { ...local.osp, catalog: { image: NEW_INDEX } };
    t.notThrows(() => resolveConfig("local", local));
});
