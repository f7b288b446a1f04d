/**
 * Config validation at fleet size (issue 16): clusters in the hundreds and as many rollout rings as SREs need (no
 * upper bound on `clusters[].ring` or on the `rings.<n>` keys). How long validation takes is measured by
 * bench/construct.ts (`--validate`), not here: these tests assert behaviour only.
 */
import test from "ava";
import * as path from "node:path";
import { resolveConfig } from "../../lib/config.js";
import { readStackFile } from "../../scripts/validate-config.js";
import { ROOT } from "../helpers/mocks.js";
import { rejects as rejectsIn } from "./helpers/configProblems.js";

type Raw = Record<string, any>;
const PROD: Raw = readStackFile(path.join(ROOT, "Pulumi.prod.yaml"));
const KNOWN_871 =
    "quay.io/openshift-pipeline/pipelines-index-4.19@sha256:8c6152d2924f608960a4cec0faca33a1807bce19085e86d1daeeaa698fce146d";

const rejects = (raw: Raw): string[] => rejectsIn(raw, "prod");

/** The prod stack with `n` clusters in `rings` rings, spread round-robin (cluster k is in ring k % rings). */
function fleet(n: number, rings: number): Raw {
    const raw = structuredClone(PROD);
    raw.clusters = Array.from({ length: n }, (_, k) => ({
        name: `member-${k + 1}`,
        kubeconfig: { context: `member-${k + 1}` },
        ring: k % rings,
        appsDomain: `apps.member-${k + 1}.example.com`,
    }));
    raw.gateway.hostCluster = "member-1";
    return raw;
}

test("a 300-cluster, 30-ring prod stack validates without problems, ring overrides included", (t) => {
    const raw = fleet(300, 30);
    raw.rings = { 29: { overrides: { osp: { catalog: { image: KNOWN_871 } } } } };
    const cfg = resolveConfig("prod", raw);
    t.is(cfg.clusters.length, 300);
    t.deepEqual(
        [...new Set(cfg.clusters.map((c) => c.ring))].sort((a, b) => a - b),
        Array.from({ length: 30 }, (_, r) => r),
    );
    const inRing29 = cfg.clusters.filter((c) => c.ring === 29);
    t.is(inRing29.length, 10);
    for (const c of inRing29) t.is(c.settings.osp.catalog.image, KNOWN_871, c.name);
    for (const c of cfg.clusters.filter((x) => x.ring !== 29))
        t.is(c.settings.osp.catalog.image, PROD.osp.catalog.image, c.name);
});

test("ring numbers have no upper bound and need not be consecutive; rings.<n> keys follow them", (t) => {
    const raw = fleet(3, 1);
    raw.clusters[0].ring = 0;
    raw.clusters[1].ring = 10;
    raw.clusters[2].ring = 250;
    raw.rings = { 250: { overrides: { githubAppName: "Ring 250" } }, 10: { overrides: { githubAppName: "Ring 10" } } };
    const cfg = resolveConfig("prod", raw);
    t.deepEqual(
        cfg.clusters.map((c) => [c.ring, c.settings.githubAppName]),
        [
            [0, "Red Hat Konflux"],
            [10, "Ring 10"],
            [250, "Ring 250"],
        ],
    );
});

test("a ring must be a whole number from 0, and a rings.<n> key its decimal form, each naming the key", (t) => {
    for (const [ring, expected] of [
        [-1, "must be a whole number from 0"],
        [1.5, "must be a whole number from 0"],
        ["one", "must be a ring number"],
    ] as const) {
        const raw = fleet(2, 1);
        raw.clusters[1].ring = ring;
        const p = rejects(raw);
        t.true(
            p.some((x) => x.startsWith(`pipeline-service:clusters[1].ring: ${expected}`)),
            `${ring}: ${p.join("\n")}`,
        );
    }
    for (const key of ["01", "-1", "1e2"]) {
        const raw = fleet(2, 2);
        raw.rings = { [key]: { overrides: {} } };
        const p = rejects(raw);
        t.true(
            p.some((x) =>
                x.startsWith(
                    `pipeline-service:rings.${key}: must be a ring number (a whole number from 0, no leading zeros)`,
                ),
            ),
            `${key}: ${p.join("\n")}`,
        );
    }
});
