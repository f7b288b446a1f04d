/**
 * Config validation: bad configs are rejected with a ConfigError naming the exact key path, the real stack files
 * validate, secret values are never echoed, and loadConfig fails before any resource is registered.
 */
import test from "ava";
import assert from "node:assert/strict";
import * as path from "node:path";
import fc from "fast-check";
import {
    ConfigError,
    DIGEST_PINNED,
    didYouMean,
    GO_DURATION,
    KNOWN_KEYS,
    PINNED_IMAGE,
    durationSeconds,
    resolveConfig,
} from "../../lib/config.js";
import { readStackFile, stacks } from "../../scripts/validate-config.js";
import { ROOT, collected, configOf, installMocks } from "../helpers/mocks.js";
import { holds } from "./helpers/property.js";
import { rejects } from "./helpers/configProblems.js";

type Raw = Record<string, any>;
const LOCAL: Raw = readStackFile(path.join(ROOT, "Pulumi.local.yaml"));
const local = (): Raw => structuredClone(LOCAL);

// ---------------------------------------------------------------------------------------------------------------
// Bad configs: each names its exact key path (`pipeline-service:<path>: ...`).

const TAG = "quay.io/openshift-pipeline/index:latest";
const BAD: [key: string, mutate: (v: Raw) => void][] = [
    [
        "environment",
        (v) => {
            v.environment = "qa";
        },
    ],
    [
        "gateway.mode",
        (v) => {
            v.gateway.mode = "roundrobin";
        },
    ],
    [
        "gateway.hostname",
        (v) => {
            v.gateway.hostname = "Webhooks_Example";
        },
    ],
    [
        "gateway.hostCluster",
        (v) => {
            v.gateway.hostCluster = "compute-9";
        },
    ],
    [
        "gateway.mode",
        (v) => {
            v.gateway.mode = "single";
            v.gatewayImages = { haproxy: `docker.io/haproxytech/haproxy-debian@sha256:${"a".repeat(64)}` };
        },
    ],
    [
        "gatewayImages.haproxy",
        (v) => {
            v.gateway.mode = "single";
            v.clusters = [v.clusters[0]];
        },
    ],
    [
        "kcpKubeconfig",
        (v) => {
            delete v.kcpKubeconfig;
        },
    ],
    [
        "clusters",
        (v) => {
            v.clusters = [];
        },
    ],
    [
        "clusters[1]",
        (v) => {
            v.clusters[1] = "compute-2";
        },
    ],
    [
        "clusters[0].name",
        (v) => {
            v.clusters[0].name = "Compute_1";
        },
    ],
    [
        "clusters[1].name",
        (v) => {
            v.clusters[1].name = "compute-1";
        },
    ],
    [
        "clusters[1].ring",
        (v) => {
            v.clusters[1].ring = 1.5;
        },
    ],
    [
        "clusters[0].appsDomain",
        (v) => {
            v.clusters[0].appsDomain = "Apps.Example.COM";
        },
    ],
    [
        "clusters[0].kubeconfig",
        (v) => {
            v.clusters[0].kubeconfig = {};
        },
    ],
    [
        "clusters[0].kubeconfig",
        (v) => {
            v.clusters[0].kubeconfig = { path: "k", secretConfigKey: "kc" };
        },
    ],
    [
        "clusters[1].overrides",
        (v) => {
            v.clusters[1].overrides.tektn = {};
        },
    ],
    [
        "clusters[1].overrides.osp.catalog.image",
        (v) => {
            v.environment = "prod";
            v.clusters[1].overrides.osp = { catalog: { image: TAG } };
        },
    ],
    [
        "clusters[0].overrides.osp.catalog.image",
        (v) => {
            v.clusters[0].overrides = { osp: { catalog: { image: "not an image" } } };
        },
    ],
    [
        "clusters[0].overrides.osp.subscription.installPlanApproval",
        (v) => {
            v.clusters[0].overrides = { osp: { subscription: { installPlanApproval: "Sometimes" } } };
        },
    ],
    [
        "clusters[1].overrides.tekton.webhook.minReplicas",
        (v) => {
            v.clusters[1].overrides.tekton.webhook = { minReplicas: 8 };
        },
    ],
    [
        "clusters[1].overrides.kcp.resources",
        (v) => {
            v.clusters[1].overrides.kcp = { resources: ["pipelineruns.tekton.dev", "runs.tekton.dev"] };
        },
    ],
    [
        "clusters[1].overrides.secrets.pacRefreshInterval",
        (v) => {
            v.clusters[1].overrides.secrets = { pacRefreshInterval: "1h" };
        },
    ],
    [
        "osp.catalog.image",
        (v) => {
            v.environment = "staging";
            v.osp = { catalog: { image: TAG } };
        },
    ],
    [
        "osp.subscription.startingCSV",
        (v) => {
            v.osp = { subscription: { startingCSV: "v1.15" } };
        },
    ],
    [
        "osp.imageDigestMirrors[0].mirrors",
        (v) => {
            v.osp = { imageDigestMirrors: [{ source: "quay.io/a", mirrors: [] }] };
        },
    ],
    [
        "tekton",
        (v) => {
            v.tekton = { trigers: { enabled: true } };
        },
    ],
    [
        "tekton.operatorPruner",
        (v) => {
            v.tekton = {
                operatorPruner: {
                    disabled: false,
                    keep: 1,
                    keepSince: 2,
                    schedule: "*/30 * * * *",
                    resources: ["pipelinerun"],
                },
            };
        },
    ],
    [
        "tekton.operatorPruner.resources",
        (v) => {
            v.tekton = {
                operatorPruner: {
                    disabled: false,
                    keep: 5,
                    schedule: "*/30 * * * *",
                    resources: ["pipelinerun", "taskrun"],
                },
            };
        },
    ],
    [
        "tekton.operatorPruner.schedule",
        (v) => {
            v.tekton = { operatorPruner: { disabled: false, keep: 5, resources: ["pipelinerun"] } };
        },
    ],
    [
        "tekton.performance.buckets",
        (v) => {
            v.tekton = { performance: { buckets: 11 } };
        },
    ],
    [
        "results.watcherGracePeriod",
        (v) => {
            v.results.watcherGracePeriod = "0m";
        },
    ],
    [
        "results.database.port",
        (v) => {
            v.results.database.port = 70000;
        },
    ],
    [
        "secrets.pacRefreshInterval",
        (v) => {
            v.secrets = { pacRefreshInterval: "10m" };
        },
    ],
    [
        "secrets.mode",
        (v) => {
            v.environment = "prod";
            v.secrets = { mode: "generated" };
            v.kcp.enabled = false;
        },
    ],
    [
        "kcp.credentials",
        (v) => {
            v.secrets = { mode: "generated" };
            v.kcp.credentials = "externalSecret";
        },
    ],
    [
        "kcp.resources",
        (v) => {
            v.kcp.resources = ["pipelineruns.tekton.dev", "taskruns.tekton.dev"];
        },
    ],
    [
        "kcp.serverUrl",
        (v) => {
            delete v.kcp.serverUrl;
            v.kcpKubeconfig = { context: "kcp" };
        },
    ],
    [
        "kcp.workspace",
        (v) => {
            v.kcp.workspace = "root::compute";
        },
    ],
    [
        "hacConsoleUrl",
        (v) => {
            v.hacConsoleUrl = "http://console.example.com";
        },
    ],
    [
        "gitops.repoUrl",
        (v) => {
            v.gitops = { repoUrl: "git@github.com:org/repo.git" };
        },
    ],
    [
        "metricsExporter.image",
        (v) => {
            v.metricsExporter = { image: "quay.io/konflux-ci/pipeline-service-exporter:latest" };
        },
    ],
    [
        "readiness.timeoutSeconds",
        (v) => {
            v.readiness.timeoutSeconds = 5;
        },
    ],
    [
        "secretStore.vault.version",
        (v) => {
            v.secretStore.vault = { version: "v3" };
        },
    ],
    [
        "tektonn",
        (v) => {
            v.tektonn = { triggers: { enabled: true } };
        },
    ],
];

test(`${BAD.length} distinct bad configs (>= 15)`, (t) => {
    t.true(BAD.length >= 15);
});

for (const [i, [key, mutate]] of BAD.entries()) {
    test(`bad config #${i + 1} is rejected naming pipeline-service:${key}`, (t) => {
        const raw = local();
        mutate(raw);
        const problems = rejects(raw);
        const hit = problems.find((p) => p.startsWith(`pipeline-service:${key}: `));
        t.truthy(hit, `no problem names pipeline-service:${key}; got:\n${problems.join("\n")}`);
        t.regex(hit ?? "", /(Fix: |\bset )/, "every problem says how to fix it");
        const err = t.throws(() => resolveConfig("local", raw), { instanceOf: ConfigError });
        t.true(err?.message.startsWith("invalid stack configuration for stack 'local' (nothing was changed):"));
    });
}

test("every problem is listed, not only the first", (t) => {
    const raw = local();
    raw.environment = "qa";
    raw.hacConsoleUrl = "ftp://x";
    raw.clusters[1].overrides.osp = { catalog: { image: TAG } };
    raw.clusters[0].ring = -1;
    const problems = rejects(raw);
    for (const k of ["environment", "hacConsoleUrl"])
        t.true(
            problems.some((p) => p.startsWith(`pipeline-service:${k}: `)),
            k,
        );
    // Top-level and environment problems stop before clusters are resolved, so fix those and look again.
    raw.environment = "prod";
    raw.hacConsoleUrl = LOCAL.hacConsoleUrl;
    const again = rejects(raw);
    t.true(again.some((p) => p.startsWith("pipeline-service:clusters[0].ring: ")));
    t.true(again.some((p) => p.startsWith("pipeline-service:clusters[1].overrides.osp.catalog.image: ")));
});

test("unknown top-level keys are named, with the known keys listed", (t) => {
    const raw = local();
    raw.githubAppNmae = "x";
    const [p] = rejects(raw);
    t.true(
        p!.startsWith(
            "pipeline-service:githubAppNmae: is not a known key; did you mean pipeline-service:githubAppName?",
        ),
    );
    t.true(p!.includes("--stack local"), "the fix names the real stack");
    for (const k of KNOWN_KEYS) t.true(p!.includes(k));
});

test("didYouMean: a close typo gets its key, a distant word gets none", (t) => {
    const known = [...KNOWN_KEYS];
    t.is(didYouMean("gatway", known), "gateway");
    t.is(didYouMean("clustres", known), "clusters");
    t.is(didYouMean("kubernetesVersion", known), undefined);
});

test("dev and local may follow a catalog tag (nightly index); staging and prod must pin by digest", (t) => {
    for (const environment of ["local", "dev"]) {
        const raw = local();
        raw.environment = environment;
        raw.osp = { catalog: { image: TAG } };
        t.is(resolveConfig("t", raw).clusters[0]!.settings.osp.catalog.image, TAG);
    }
    for (const environment of ["staging", "prod"]) {
        const raw = local();
        raw.environment = environment;
        raw.osp = { catalog: { image: TAG } };
        t.true(
            rejects(raw).some((p) => p.startsWith("pipeline-service:osp.catalog.image: must be pinned by digest in")),
        );
    }
});

test("property: in prod, any non-digest image in any cluster's override names clusters[i].overrides.osp.catalog.image", (t) => {
    const notPinned = fc
        .oneof(
            fc.string(),
            fc.stringMatching(/^[a-z]{1,8}\.io\/[a-z]{1,8}\/[a-z]{1,8}(:[a-z0-9.]{1,10})?$/),
            fc.constantFrom(
                TAG,
                `quay.io/a/b@sha256:${"a".repeat(63)}`,
                `quay.io/a/b@sha256:${"A".repeat(64)}`,
                `quay.io/a/b:1234567`,
            ),
        )
        .filter((s) => !DIGEST_PINNED.test(s));
    holds(
        t,
        fc.property(fc.integer({ min: 1, max: 6 }), fc.nat(), notPinned, (n, pick, image) => {
            const raw = local();
            delete raw.tenants; // the generated clusters form no pool for the local stack's tenants
            raw.environment = "prod";
            const template = raw.clusters[0];
            raw.clusters = Array.from({ length: n }, (_, k) => ({
                ...structuredClone(template),
                name: `compute-${k + 1}`,
                ring: k % 3,
            }));
            const i = pick % n;
            raw.clusters[i].overrides = { osp: { catalog: { image } } };
            const problems = rejects(raw);
            assert.ok(
                problems.some((p) => p.startsWith(`pipeline-service:clusters[${i}].overrides.osp.catalog.image: `)),
                problems.join("\n"),
            );
            assert.equal(problems.length, 1);
        }),
        { numRuns: 100 },
    );
});

test("property: any DNS-label cluster names, rings 0-9 and digest-pinned overrides validate", (t) => {
    const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    const digest = fc.stringMatching(/^[a-f0-9]{64}$/);
    holds(
        t,
        fc.property(
            fc.uniqueArray(label, { minLength: 1, maxLength: 6 }),
            fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 6, maxLength: 6 }),
            digest,
            (names, rings, hex) => {
                const raw = local();
                delete raw.tenants; // the generated clusters form no pool for the local stack's tenants
                raw.clusters = names.map((name, k) => ({
                    name,
                    ring: rings[k],
                    appsDomain: `apps.${name}.example.com`,
                    kubeconfig: { context: name },
                    overrides:
                        k === 0
                            ? { osp: { catalog: { image: `quay.io/openshift-pipeline/index@sha256:${hex}` } } }
                            : undefined,
                }));
                const cfg = resolveConfig("local", raw);
                assert.deepEqual(
                    cfg.clusters.map((c) => c.name),
                    names,
                );
                const lowest = Math.min(...rings.slice(0, names.length));
                assert.equal(
                    cfg.clusters.find((c) => c.name === cfg.gateway.hostCluster)!.ring,
                    lowest,
                    "default host: first cluster of the lowest ring",
                );
                assert.equal(
                    cfg.clusters[0]!.settings.osp.catalog.image,
                    `quay.io/openshift-pipeline/index@sha256:${hex}`,
                );
            },
        ),
        { numRuns: 100 },
    );
});

// ---------------------------------------------------------------------------------------------------------------
// Value rules: GO_DURATION / durationSeconds, PINNED_IMAGE / DIGEST_PINNED

const UNIT = { h: 3600, m: 60, s: 1 } as const;
const durationParts = fc.array(
    fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom("h", "m", "s") as fc.Arbitrary<keyof typeof UNIT>),
    { minLength: 1, maxLength: 4 },
);
const render = (parts: [number, keyof typeof UNIT][], pad: number) =>
    parts.map(([n, u]) => `${"0".repeat(pad)}${n}${u}`).join("");

test("GO_DURATION accepts every h/m/s sequence with a positive total; durationSeconds sums it", (t) => {
    holds(
        t,
        fc.property(durationParts, fc.nat(2), (parts, pad) => {
            const d = render(parts, pad);
            const total = parts.reduce((acc, [n, u]) => acc + n * UNIT[u], 0);
            assert.equal(GO_DURATION.test(d), total > 0, d);
            assert.equal(durationSeconds(d), total, d);
        }),
        { numRuns: 1000 },
    );
    t.is(durationSeconds("1h30m"), 5400);
    t.is(durationSeconds("10m"), 600);
});

test("GO_DURATION rejects anything but digits and h/m/s units", (t) => {
    for (const bad of [
        "",
        "0",
        "5",
        "0s",
        "00m0h",
        "1d",
        "1.5h",
        "-5m",
        "+5m",
        "1ms",
        "1us",
        "5 m",
        " 5m",
        "5m ",
        "5M",
        "h",
        "m5",
        "1h-1m",
    ]) {
        t.false(GO_DURATION.test(bad), JSON.stringify(bad));
    }
    holds(
        t,
        fc.property(
            fc.string({ maxLength: 12 }).filter((s) => /[^0-9hms]/.test(s)),
            (s) => {
                assert.ok(!GO_DURATION.test(s), JSON.stringify(s));
            },
        ),
    );
});

const hex = (min: number, max: number) => fc.stringMatching(new RegExp(`^[a-f0-9]{${min},${max}}$`));
const host = fc
    .tuple(
        fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/),
        fc.constantFrom(".io", ".com", ".example.net", ""),
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    )
    .map(([h, tld, port]) => `${h}${tld}${port === undefined ? "" : `:${port}`}`);
const repo = fc
    .tuple(host, fc.array(fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,10}$/), { minLength: 1, maxLength: 3 }))
    .map(([h, p]) => `${h}/${p.join("/")}`);
const digest = hex(64, 64).map((h) => `@sha256:${h}`);
const floatingTag = fc.oneof(
    fc.constantFrom("latest", "main", "v1.2.3", "v4.12", "1.0", "stable"),
    fc.stringMatching(/^[\w][\w.-]{0,20}$/).filter((s) => !/^[a-f0-9]{7,40}$/.test(s)),
);

test("PINNED_IMAGE: digest or 7-40 hex commit tag; never a floating tag", (t) => {
    holds(
        t,
        fc.property(repo, digest, (r, d) => assert.ok(PINNED_IMAGE.test(r + d), r + d)),
    );
    holds(
        t,
        fc.property(repo, hex(7, 40), (r, sha) => assert.ok(PINNED_IMAGE.test(`${r}:${sha}`), `${r}:${sha}`)),
    );
    holds(
        t,
        fc.property(repo, hex(7, 40), digest, (r, sha, d) => assert.ok(PINNED_IMAGE.test(`${r}:${sha}${d}`))),
    );
    holds(
        t,
        fc.property(repo, floatingTag, (r, tag) => assert.ok(!PINNED_IMAGE.test(`${r}:${tag}`), `${r}:${tag}`)),
    );
    holds(
        t,
        fc.property(repo, fc.oneof(hex(1, 6), hex(41, 50)), (r, sha) =>
            assert.ok(!PINNED_IMAGE.test(`${r}:${sha}`), `${r}:${sha}`),
        ),
    );
    holds(
        t,
        fc.property(repo, fc.oneof(hex(63, 63), hex(65, 70)), (r, h) =>
            assert.ok(!PINNED_IMAGE.test(`${r}@sha256:${h}`)),
        ),
    );
    t.false(PINNED_IMAGE.test(`quay.io/a/b@sha256:${"A".repeat(64)}`), "upper-case digest");
    t.false(PINNED_IMAGE.test("quay.io/a/b"), "no tag, no digest");
    t.false(PINNED_IMAGE.test(`b@sha256:${"a".repeat(64)}`), "a repository path is required");
});

test("DIGEST_PINNED: only digests (with or without a tag); a commit tag alone is not enough", (t) => {
    holds(
        t,
        fc.property(repo, digest, (r, d) => assert.ok(DIGEST_PINNED.test(r + d), r + d)),
    );
    holds(
        t,
        fc.property(repo, floatingTag, digest, (r, tag, d) =>
            assert.ok(DIGEST_PINNED.test(`${r}:${tag}${d}`), `${r}:${tag}${d}`),
        ),
    );
    holds(
        t,
        fc.property(repo, fc.oneof(hex(7, 40), floatingTag), (r, tag) =>
            assert.ok(!DIGEST_PINNED.test(`${r}:${tag}`), `${r}:${tag}`),
        ),
    );
    for (const stack of ["dev", "local", "prod"]) {
        const cfg = resolveConfig(stack, readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`)));
        for (const c of cfg.clusters) t.regex(c.settings.osp.catalog.image, DIGEST_PINNED);
    }
});

test("every digest-pinned image is also accepted where PINNED_IMAGE is required (tag@digest included)", (t) => {
    // A tag in front of the digest does not unpin it: the runtime pulls by digest. Renovate's pinDigests writes
    // exactly this form (e.g. haproxytech/haproxy-debian:2.8@sha256:...).
    holds(
        t,
        fc.property(repo, fc.option(floatingTag, { nil: undefined }), digest, (r, tag, d) => {
            const image = `${r}${tag === undefined ? "" : `:${tag}`}${d}`;
            assert.ok(DIGEST_PINNED.test(image));
            assert.ok(PINNED_IMAGE.test(image), `${image} is pinned by digest but rejected by PINNED_IMAGE`);
        }),
    );
});

// ---------------------------------------------------------------------------------------------------------------
// The real stack files

test("every stack file (dev, local, prod) validates", (t) => {
    t.deepEqual(
        stacks()
            .filter((s) => ["dev", "local", "prod"].includes(s))
            .sort(),
        ["dev", "local", "prod"],
    );
    for (const stack of stacks()) {
        t.notThrows(() => resolveConfig(stack, readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`))), stack);
    }
    const prod = resolveConfig("prod", readStackFile(path.join(ROOT, "Pulumi.prod.yaml")));
    t.is(prod.gateway.hostCluster, "stone-prd-rh01");
    t.is(prod.clusters[2]!.settings.githubAppName, "Konflux Production Internal");
    t.is(prod.clusters[0]!.settings.githubAppName, "Red Hat Konflux");
    t.is(prod.settings.secrets.mode, "external");
});

test("overrides apply to one cluster only and never leak into the environment", (t) => {
    const cfg = resolveConfig("local", local());
    t.is(cfg.clusters[1]!.settings.tekton.performance.buckets, 2);
    t.is(cfg.clusters[0]!.settings.tekton.performance.buckets, 1);
    t.is(cfg.settings.tekton.performance.buckets, 1);
});

// ---------------------------------------------------------------------------------------------------------------
// Secrets are never echoed

const SECRET = "S3cr3t Value/+= NotAUrl";

test("resolveConfig never echoes a value in a message", (t) => {
    const placements: ((v: Raw) => void)[] = [
        (v) => {
            v.hacConsoleUrl = SECRET;
        },
        (v) => {
            v.gitops = { repoUrl: SECRET };
        },
        (v) => {
            v.osp = { catalog: { image: SECRET } };
        },
        (v) => {
            v.secretStore.vault = { server: SECRET };
        },
        (v) => {
            v.results.database.port = SECRET;
        },
        (v) => {
            v.environment = SECRET;
        },
        (v) => {
            v.gateway.mode = SECRET;
        },
        (v) => {
            v.gateway.hostname = SECRET;
        },
        (v) => {
            v.clusters[0].name = SECRET;
        },
        (v) => {
            v.clusters[0].appsDomain = SECRET;
        },
        (v) => {
            v.clusters[0].kubeconfig = { secretConfigKey: SECRET };
        },
        (v) => {
            v.clusters[1].overrides.tekton.webhook = { minReplicas: SECRET };
        },
        (v) => {
            v.kcp.workspace = SECRET;
        },
        (v) => {
            v.metricsExporter = { image: SECRET };
        },
        (v) => {
            v.secrets = { pacRefreshInterval: SECRET };
        },
        (v) => {
            v.unknownCredential = SECRET;
        },
        (v) => {
            v.tekton = { token: SECRET };
        },
    ];
    const all = local();
    for (const place of placements) {
        const raw = local();
        place(raw);
        const msg = rejects(raw).join("\n");
        t.false(msg.includes(SECRET), msg);
        t.false(msg.includes("S3cr3t"), msg);
        if (place !== placements[8]) place(all); // renaming a cluster hides the other problems of that cluster
    }
    t.false(rejects(all).join("\n").includes("S3cr3t"));
});

// ---------------------------------------------------------------------------------------------------------------
// Regression (fixed in 6ad0226): the kcpKubeconfig check must also see clusters that enable kcp by override.

test("a cluster override enabling kcp without kcpKubeconfig is rejected naming pipeline-service:kcpKubeconfig", (t) => {
    const raw = local();
    raw.kcp = { enabled: false, serverUrl: "https://kcp.pipeline-service.localhost" };
    delete raw.kcpKubeconfig;
    raw.clusters[1].overrides = { kcp: { enabled: true } };
    let problems: string[] = [];
    try {
        resolveConfig("local", raw);
    } catch (e) {
        if (e instanceof ConfigError) problems = e.problems;
    }
    t.true(
        problems.some((p) => p.startsWith("pipeline-service:kcpKubeconfig: ")),
        "resolveConfig accepted a config in which clusters[1] enables kcp but no kcpKubeconfig is set",
    );
});

// ---------------------------------------------------------------------------------------------------------------
// loadConfig under the Pulumi runtime (process-global config: serial tests, one mock install)

const bad = local();
bad.environment = "prod";
bad.clusters[1].overrides.osp = { catalog: { image: TAG } };
const KUBECONFIG_SECRET = "apiVersion: v1\nusers:\n- user: {token: S3cr3t-kubeconfig-token}\n";
await installMocks("local", configOf(bad));
const { loadConfig } = await import("../../lib/config.js");
const pulumi = await import("@pulumi/pulumi");

test.serial("a bad config fails the program before any resource is registered", async (t) => {
    const err = await t.throwsAsync(import("../../index.js"));
    t.true(pulumi.RunError.isInstance(err), "a RunError: the CLI prints it without a stack trace");
    t.true(err!.message.includes("pipeline-service:clusters[1].overrides.osp.catalog.image: "), err!.message);
    t.is(collected.length, 0, "nothing was registered");
});

test.serial("loadConfig reads the stack through the runtime and returns the resolved config", (t) => {
    pulumi.runtime.setAllConfig(configOf(local()));
    const cfg = loadConfig();
    t.is(cfg.stack, "local");
    t.deepEqual(
        cfg.clusters.map((c) => c.name),
        ["compute-1", "compute-2"],
    );
});

test.serial("loadConfig: a secretConfigKey's kubeconfig is excluded from validation and never echoed", (t) => {
    const raw = local();
    raw.clusters[0].kubeconfig = { secretConfigKey: "kubeconfigCompute1" };
    pulumi.runtime.setAllConfig({ ...configOf(raw), "pipeline-service:kubeconfigCompute1": KUBECONFIG_SECRET }, [
        "pipeline-service:kubeconfigCompute1",
    ]);
    t.notThrows(() => loadConfig(), "the secret key is not reported as an unknown key");

    raw.hacConsoleUrl = "not a url";
    pulumi.runtime.setAllConfig({ ...configOf(raw), "pipeline-service:kubeconfigCompute1": KUBECONFIG_SECRET }, [
        "pipeline-service:kubeconfigCompute1",
    ]);
    const err = t.throws(() => loadConfig());
    t.true(err!.message.includes("pipeline-service:hacConsoleUrl: "));
    t.false(err!.message.includes("S3cr3t"));
});

test.serial("loadConfig: a kubeconfig stored in plaintext is refused without echoing it", (t) => {
    const raw = local();
    raw.clusters[0].kubeconfig = { secretConfigKey: "kubeconfigCompute1" };
    pulumi.runtime.setAllConfig({ ...configOf(raw), "pipeline-service:kubeconfigCompute1": KUBECONFIG_SECRET }, []);
    const err = t.throws(() => loadConfig());
    t.true(
        err!.message.includes("pipeline-service:kubeconfigCompute1: holds credentials but is stored in plaintext"),
        err!.message,
    );
    t.false(err!.message.includes("S3cr3t"));
});

test.serial("loadConfig: a secretConfigKey that is not set is named", (t) => {
    const raw = local();
    raw.clusters[1].kubeconfig = { secretConfigKey: "kubeconfigMissing" };
    pulumi.runtime.setAllConfig(configOf(raw));
    const err = t.throws(() => loadConfig());
    t.true(
        err!.message.includes("pipeline-service:kubeconfigMissing: is referenced as a secretConfigKey but not set"),
        err!.message,
    );
});

test.serial("loadConfig: a secret config value under a validated key is not echoed", (t) => {
    const raw = local();
    pulumi.runtime.setAllConfig({ ...configOf(raw), "pipeline-service:hacConsoleUrl": SECRET }, [
        "pipeline-service:hacConsoleUrl",
    ]);
    const err = t.throws(() => loadConfig());
    t.true(err!.message.includes("pipeline-service:hacConsoleUrl: "));
    t.false(err!.message.includes("S3cr3t"));
});

// ---------------------------------------------------------------------------------------------------------------
// The targeted operator version (lib/operatorVersions.ts): known to the checker, agreeing with channel and catalog,
// and able to honour every setting; each message names the key, the version and the first version that works.

const { CHECKER_VERSIONS, OSP_CHANNELS, FIELD_GATES, atLeast, minorOf } = await import("../../lib/operatorVersions.js");
/** The channel that ships `v`, if any. */
const channelOf = (v: string) => Object.entries(OSP_CHANNELS).find(([, c]) => c.operatorMinor === minorOf(v))?.[0];
/** `local()` targeting operator `v` through its channel, on a catalog tag (local may follow one; no known digest). */
function targeting(v: string): Raw {
    const raw = local();
    raw.osp = {
        ...(raw.osp ?? {}),
        operatorVersion: v,
        catalog: { image: TAG },
        subscription: { channel: channelOf(v) },
    };
    return raw;
}

test("osp.operatorVersion: a version the checker does not know is named with the known ones", (t) => {
    const raw = local();
    raw.osp.operatorVersion = "0.75.0";
    const p = rejects(raw).find((x) => x.startsWith("pipeline-service:osp.operatorVersion: "));
    t.truthy(p, rejects(raw).join("\n"));
    t.true(p!.includes("'0.75.0'") && p!.includes(CHECKER_VERSIONS.join(", ")) && p!.includes("pipelines-5.0"), p);
    raw.osp.operatorVersion = "v0.81.0";
    t.true(
        rejects(raw).some((x) =>
            x.startsWith("pipeline-service:osp.operatorVersion: must be a tektoncd/operator version"),
        ),
    );
});

test("osp.operatorVersion: a channel or a known catalog that ships another operator is refused, naming both", (t) => {
    const raw = local();
    raw.osp.operatorVersion = "0.74.0";
    raw.tekton = { ...(raw.tekton ?? {}), triggers: { enabled: true } };
    raw.results = { ...raw.results, enabled: false };
    raw.pac = { cancelInProgressOnPullRequests: false };
    const ps = rejects(raw);
    const ch = ps.find((x) =>
        x.startsWith(
            "pipeline-service:osp.operatorVersion: '0.74.0' disagrees with osp.subscription.channel 'pipelines-5.0'",
        ),
    );
    t.truthy(ch, ps.join("\n"));
    t.true(ch!.includes("0.81.x"));
    const cat = ps.find((x) => x.startsWith("pipeline-service:osp.catalog.image: is OSP build 5.0.5-854"));
    t.truthy(cat, ps.join("\n"));
    t.true(cat!.includes("'0.74.0'") && cat!.includes("'pipelines-5.0'"));
    const moving = local();
    moving.osp.subscription = { channel: "latest" };
    t.true(
        rejects(moving).some(
            (x) =>
                x.startsWith(
                    "pipeline-service:osp.subscription.channel: 'latest' is not a channel with a known operator version",
                ) && x.includes("'0.81.0'"),
        ),
    );
    // The same mismatch in one cluster's override names that cluster's key.
    const ov = local();
    ov.clusters[0].overrides = { osp: { subscription: { channel: "pipelines-1.20" } } };
    t.true(
        rejects(ov).some((x) =>
            x.startsWith(
                "pipeline-service:clusters[0].overrides.osp.operatorVersion: '0.81.0' disagrees with osp.subscription.channel 'pipelines-1.20'",
            ),
        ),
    );
});

test("version gates: Triggers off before 0.77 and operator-managed Results before 0.81 fail, naming key, version and first version", (t) => {
    const ps = rejects(targeting("0.74.0"));
    const trig = ps.find((x) => x.startsWith("pipeline-service:tekton.triggers.enabled: "));
    t.truthy(trig, ps.join("\n"));
    t.true(trig!.includes("spec.trigger.disabled") && trig!.includes("0.77.0") && trig!.includes("is 0.74.0"), trig);
    const res = ps.find((x) => x.startsWith("pipeline-service:results.enabled: "));
    t.truthy(res, ps.join("\n"));
    t.true(res!.includes("0.81.0") && res!.includes("is 0.74.0"), res);
    t.true(
        ps.some((x) => x.startsWith("pipeline-service:pac.cancelInProgressOnPullRequests: ") && x.includes("0.77.0")),
    );
    // Opting out of what 0.74 cannot do makes it valid.
    const ok = targeting("0.74.0");
    ok.tekton = { ...(ok.tekton ?? {}), triggers: { enabled: true } };
    ok.results = { ...ok.results, enabled: false };
    ok.pac = { cancelInProgressOnPullRequests: false };
    t.notThrows(() => resolveConfig("local", ok));
});

test("property: for every checker version, the rejected keys are exactly the settings its gates refuse", (t) => {
    const gateOf = (path: string) => FIELD_GATES.find((g) => g.path === path)!.since;
    const expected = (v: string, triggersOff: boolean, results: boolean, ordinals: boolean, cancel: boolean) => {
        const older = (since: string) => !atLeast(v, since);
        const keys: string[] = [];
        if (triggersOff && older(gateOf("trigger.disabled"))) keys.push("tekton.triggers.enabled");
        if (ordinals && older(gateOf("pipeline.performance.statefulset-ordinals")))
            keys.push("tekton.performance.statefulsetOrdinals");
        if (results && older(gateOf("result.watcher"))) keys.push("results.enabled");
        if (
            cancel &&
            older(gateOf("platforms.openshift.pipelinesAsCode.settings.enable-cancel-in-progress-on-pull-requests"))
        )
            keys.push("pac.cancelInProgressOnPullRequests");
        return keys.sort();
    };
    const versions = CHECKER_VERSIONS.filter((v) => channelOf(v));
    t.true(versions.length >= 2, "versions with a known channel");
    holds(
        t,
        fc.property(
            fc.constantFrom(...versions),
            fc.boolean(),
            fc.boolean(),
            fc.boolean(),
            fc.boolean(),
            (v, triggersOff, results, ordinals, cancel) => {
                const raw = targeting(v);
                raw.tekton = {
                    ...(raw.tekton ?? {}),
                    triggers: { enabled: !triggersOff },
                    performance: { ...(raw.tekton?.performance ?? {}), statefulsetOrdinals: ordinals },
                };
                raw.results = { ...raw.results, enabled: results };
                raw.pac = { cancelInProgressOnPullRequests: cancel };
                let got: string[] = [];
                try {
                    resolveConfig("local", raw);
                } catch (e) {
                    if (!(e instanceof ConfigError)) throw e;
                    got = e.problems
                        .map((p) => p.slice("pipeline-service:".length, p.indexOf(": ")))
                        .filter((k) => !k.startsWith("clusters["))
                        .sort();
                }
                assert.deepEqual(got, expected(v, triggersOff, results, ordinals, cancel), `${v}`);
            },
        ),
    );
});

test("results.database.caBundle must hold a parsable, currently valid certificate", (t) => {
    const raw = local();
    raw.results = {
        ...raw.results,
        database: {
            ...raw.results.database,
            caBundle: "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----",
        },
    };
    t.true(
        rejects(raw).some((x) =>
            x.startsWith("pipeline-service:results.database.caBundle: certificate 1 of 1 does not parse as X.509"),
        ),
    );
    raw.results.database.caBundle = "hello";
    t.true(
        rejects(raw).some((x) => x.startsWith("pipeline-service:results.database.caBundle: must be a PEM CA bundle")),
    );
});

test("results.secretStore: a shared store that does not admit openshift-pipelines (upstream's appsre-vault) is refused", (t) => {
    const raw = local();
    raw.results = { ...raw.results, secretStore: "appsre-vault" };
    const p = rejects(raw).find((x) =>
        x.startsWith("pipeline-service:results.secretStore: 'appsre-vault' admits only tekton-results"),
    );
    t.truthy(p, rejects(raw).join("\n"));
    t.true(p!.includes("not openshift-pipelines"));
    raw.results.secretStore = "appsre-stonesoup-vault";
    t.notThrows(() => resolveConfig("local", raw), "a store that admits openshift-pipelines");
});
