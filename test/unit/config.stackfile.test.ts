/**
 * Config validation as an SRE meets it, through both readers of a stack: the offline checker
 * (scripts/validate-config.ts, a `Pulumi.<stack>.yaml` file) and the program (loadConfig, the Pulumi runtime). They
 * share one code path (lib/config/entries.ts resolveStackConfig), so every case below is checked through both:
 * - a stack file with six independent mistakes reports all six at once, each with its key and the stack's real name,
 *   in the project's words (no zod text, no `--stack <stack>` placeholder);
 * - buckets below replicas fails in every environment, at the environment and in a cluster's overrides;
 * - secret config: a `secretConfigKey` kubeconfig stored encrypted is valid, one stored in plaintext is refused
 *   (telling to encrypt it, never to `pulumi config rm` it), one that is not set is reported, and an encrypted value
 *   under a key the program validates is reported without being echoed.
 */
import test from "ava";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { ConfigError, resolveConfig } from "../../lib/config.js";
import { validateStackFile } from "../../scripts/validate-config.js";
import { installMocks } from "../helpers/mocks.js";
import { ROOT } from "../helpers/paths.js";
import { configOf, stackValues } from "../helpers/stack.js";

type Raw = Record<string, any>;
const STACK = "prod-eu";
/** Pulumi's encrypted value in a stack file; the offline checker never reads its ciphertext. */
const CIPHERTEXT = "v1:AAAAAAAAAAAAAAAA:S3cr3tCiphertextThatMustNotBeEchoed==";
const KUBECONFIG = "apiVersion: v1\nusers:\n- user: {token: S3cr3t-kubeconfig-token}\n";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-stackfile-"));
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));

/** prod's values under another stack name, edited. */
function prodWith(edit: (v: Raw) => void): Raw {
    const v = structuredClone(stackValues("prod")) as Raw;
    edit(v);
    return v;
}

/**
 * The problems of one stack's config through both readers: the stack file (values, plus `secure:` entries) checked
 * offline, and the same config loaded through the runtime (`secure` entries as secret config holding `plaintext`).
 */
async function bothReaders(values: Raw, secure: Record<string, string> = {}, plaintext: Record<string, string> = {}) {
    const config: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(values)) config[`pipeline-service:${k}`] = v;
    for (const k of Object.keys(secure)) config[k] = { secure: CIPHERTEXT };
    for (const [k, v] of Object.entries(plaintext)) config[k] = v;
    const file = path.join(dir, `Pulumi.${STACK}.yaml`);
    fs.writeFileSync(file, YAML.stringify({ config }));
    const offline = problemsOf(() => validateStackFile(file, STACK));
    const { pulumi, loadConfig } = await runtime;
    pulumi.runtime.setAllConfig({ ...configOf(values), ...secure, ...plaintext }, Object.keys(secure));
    const program = problemsOf(() => loadConfig(), true);
    return { offline, program };
}

/** The problems a call raises (a ConfigError's, or a RunError's message lines), or [] when it passes. */
function problemsOf(f: () => unknown, runError = false): string[] {
    try {
        f();
        return [];
    } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        if (runError)
            return (e as Error).message
                .split("\n")
                .filter((l) => l.startsWith("  - "))
                .map((l) => l.slice(4));
        throw e;
    }
}

const runtime = (async () => {
    await installMocks(STACK);
    const { loadConfig } = await import("../../lib/config.js");
    const pulumi = await import("@pulumi/pulumi");
    return { loadConfig, pulumi };
})();

test.serial(
    "six independent mistakes in one stack file are reported at once, each with its key and the stack's name",
    async (t) => {
        const values = prodWith((v) => {
            v.githubAppNmae = "Red Hat Konflux"; // 1. a typo of a top-level key
            v.tekton.webhook.minReplicas = "six"; // 2. a wrong type at the environment
            v.tekton.performance.buckets = 2; // 3. a cross-field rule (replicas is 4)
            v.clusters[1].ring = -1; // 4. a cluster's own key
            v.clusters[2].overrides.secrets = { pacRefreshInterval: "1h" }; // 5. a rule broken by one cluster's overrides
            v.clusters[0].kubeconfig = { secretConfigKey: "kubeconfigRh01" }; // 6. a secret config key that is not set
        });
        const { offline, program } = await bothReaders(values);
        const keys = [
            "pipeline-service:githubAppNmae",
            "pipeline-service:tekton.webhook.minReplicas",
            "pipeline-service:tekton.performance.buckets",
            "pipeline-service:clusters[1].ring",
            "pipeline-service:clusters[2].overrides.secrets.pacRefreshInterval",
            "pipeline-service:kubeconfigRh01",
        ];
        for (const [reader, problems] of [
            ["validate-config", offline],
            ["loadConfig", program],
        ] as const) {
            t.is(problems.length, 6, `${reader}:\n${problems.join("\n")}`);
            for (const key of keys) {
                const p = problems.find((x) => x.startsWith(`${key}: `));
                t.truthy(p, `${reader} names ${key}:\n${problems.join("\n")}`);
                t.true(p!.includes(`--stack ${STACK}`), `${reader}: the fix for ${key} names the stack: ${p}`);
            }
            const all = problems.join("\n");
            t.false(all.includes("<stack>"), all);
            t.false(/Invalid input|received|Too (big|small)/.test(all), `no zod wording: ${all}`);
            t.true(all.includes("did you mean pipeline-service:githubAppName?"));
            t.true(all.includes("pipeline-service:tekton.webhook.minReplicas: must be a number, not a string."), all);
            t.true(all.includes("pipeline-service:clusters[1].ring: must be a whole number from 0."), all);
        }
        t.deepEqual(offline, program, "both readers say the same");
    },
);

test("zod's own wording is rephrased, naming the kind of value but never the value", (t) => {
    const problems = problemsOf(() =>
        resolveConfig(
            STACK,
            prodWith((v) => {
                v.results.database.port = "S3cr3t-port"; // a string where a number goes
                v.tekton.performance.replicas = 11; // above the maximum
                v.osp.subscription.installPlanApproval = "Sometimes"; // not one of the values
            }),
        ),
    );
    const all = problems.join("\n");
    t.false(all.includes("S3cr3t"), all);
    t.false(/Invalid|received|expected/.test(all), all);
    t.true(
        problems.some((p) => p.startsWith("pipeline-service:results.database.port: must be a number, not a string.")),
        all,
    );
    t.true(
        problems.some((p) => p.startsWith("pipeline-service:tekton.performance.replicas: must be at most 10.")),
        all,
    );
    t.true(
        problems.some((p) => p.startsWith("pipeline-service:osp.subscription.installPlanApproval: ")),
        all,
    );
});

for (const environment of ["local", "dev", "staging", "prod"]) {
    test(`${environment}: tekton.performance.buckets below replicas fails validation, at the environment and in a cluster's overrides`, (t) => {
        const base = (v: Raw) => {
            v.environment = environment;
            v.tekton.performance = { ...v.tekton.performance, buckets: 4, replicas: 4 };
        };
        t.deepEqual(
            problemsOf(() => resolveConfig(STACK, prodWith(base))),
            [],
            "buckets = replicas is fine",
        );
        const env = problemsOf(() =>
            resolveConfig(
                STACK,
                prodWith((v) => {
                    base(v);
                    v.tekton.performance.replicas = 5;
                    v.tekton.performance.buckets = 3;
                }),
            ),
        );
        t.true(
            env.some((p) =>
                p.startsWith(
                    "pipeline-service:tekton.performance.buckets: must be at least tekton.performance.replicas (5), not 3",
                ),
            ),
            env.join("\n"),
        );
        const cluster = problemsOf(() =>
            resolveConfig(
                STACK,
                prodWith((v) => {
                    base(v);
                    v.clusters[1].overrides = { ...v.clusters[1].overrides, tekton: { performance: { replicas: 6 } } };
                }),
            ),
        );
        t.deepEqual(
            cluster.map((p) => p.split(":").slice(0, 2).join(":")),
            ["pipeline-service:clusters[1].overrides.tekton.performance.buckets"],
            cluster.join("\n"),
        );
        t.true(cluster[0]!.includes(`--stack ${STACK}`));
    });
}

test.serial("secret config: a secretConfigKey kubeconfig stored encrypted is valid through both readers", async (t) => {
    const values = prodWith((v) => {
        v.clusters[0].kubeconfig = { secretConfigKey: "kubeconfigRh01" };
    });
    const { offline, program } = await bothReaders(values, { "pipeline-service:kubeconfigRh01": KUBECONFIG });
    t.deepEqual(offline, []);
    t.deepEqual(program, []);
});

test.serial(
    "secret config: a kubeconfig stored in plaintext is refused by both, with the fix to encrypt it (not to remove it)",
    async (t) => {
        const values = prodWith((v) => {
            v.kcpKubeconfig = { secretConfigKey: "kcpKubeconfig0" };
            v.clusters[2].kubeconfig = { secretConfigKey: "kubeconfigP01" };
        });
        const { offline, program } = await bothReaders(
            values,
            { "pipeline-service:kcpKubeconfig0": KUBECONFIG },
            { "pipeline-service:kubeconfigP01": KUBECONFIG },
        );
        for (const problems of [offline, program]) {
            t.is(problems.length, 1, problems.join("\n"));
            t.true(
                problems[0]!.startsWith(
                    "pipeline-service:kubeconfigP01: holds credentials but is stored in plaintext (it is the kubeconfig " +
                        "named by pipeline-service:clusters[2].kubeconfig.secretConfigKey). Fix: pulumi config set --secret pipeline-service:kubeconfigP01 " +
                        `"$(cat <kubeconfig>)" --stack ${STACK}`,
                ),
                problems[0],
            );
            t.false(problems[0]!.includes("config rm"));
            t.false(problems[0]!.includes("S3cr3t"));
        }
    },
);

test.serial(
    "secret config: a secretConfigKey that is not set is reported by both, naming where it is referenced",
    async (t) => {
        const values = prodWith((v) => {
            v.gateway.hostKubeconfig = { secretConfigKey: "hostKubeconfig" };
            v.gateway.hostCluster = "sprayproxy-host";
        });
        const { offline, program } = await bothReaders(values);
        for (const problems of [offline, program]) {
            t.deepEqual(problems, [
                `pipeline-service:hostKubeconfig: is referenced as a secretConfigKey but not set (by ` +
                    `pipeline-service:gateway.hostKubeconfig.secretConfigKey). Fix: pulumi config set --secret pipeline-service:hostKubeconfig ` +
                    `"$(cat <kubeconfig>)" --stack ${STACK}.`,
            ]);
        }
    },
);

test.serial(
    "secret config: an encrypted value under a key the program validates is reported by both, not echoed",
    async (t) => {
        const values = prodWith((v) => {
            delete v.hacConsoleUrl;
        });
        const { offline, program } = await bothReaders(values, {
            "pipeline-service:hacConsoleUrl": "S3cr3t https://console.example.com",
        });
        for (const problems of [offline, program]) {
            t.is(problems.length, 1, problems.join("\n"));
            t.true(
                problems[0]!.startsWith(
                    "pipeline-service:hacConsoleUrl: is stored encrypted, but it is plain configuration",
                ),
                problems[0],
            );
            t.true(
                problems[0]!.includes(
                    `pulumi config set pipeline-service:hacConsoleUrl <value> --stack ${STACK} (without --secret)`,
                ),
            );
            t.false(problems.join("\n").includes("S3cr3t"));
        }
    },
);

test("scripts/validate-config.ts checks every committed stack file: one ok line each, exit 0", async (t) => {
    const out = await new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(
            process.execPath,
            ["--import", "tsx", path.join(ROOT, "scripts", "validate-config.ts")],
            { cwd: ROOT },
            (err, stdout) =>
                resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout) }),
        );
    });
    t.is(out.code, 0, out.stdout);
    const stacks = fs
        .readdirSync(ROOT)
        .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
        .map((f) => f.slice(7, -5))
        .sort();
    t.deepEqual(
        out.stdout
            .trim()
            .split("\n")
            .map((l) => l.split(":")[0]),
        stacks.map((s) => `ok   ${s}`),
    );
});
