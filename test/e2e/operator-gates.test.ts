/**
 * The version gates of lib/operatorVersions.ts, checked by the operator's own code for every targetable version
 * (tools/versions.json tektonOperatorCheck.versions): for each version, the TektonConfig the builders emit for each
 * committed stack, with the settings that version can honour (what config validation demands of a stack targeting
 * it), is admitted by that version's webhooks (strict decoding, SetDefaults, Validate); and each gated field the
 * version does not know, added back to that TektonConfig, is refused with the operator's "unknown field" message, so
 * a reverted gate fails here with the operator's words.
 */
import test from "ava";
import { buildTektonConfig } from "../../components/openshiftPipelines.js";
import { buildResultSpec } from "../../components/tektonResults.js";
import { resolveConfig, type Settings } from "../../lib/config.js";
import { CHECKER_VERSIONS, FIELD_GATES, atLeast, supports } from "../../lib/operatorVersions.js";
import { checkTektonConfig } from "../../scripts/check-tektonconfig.js";
import { readStackFile } from "../../scripts/validate-config.js";
import { ROOT } from "./harness.js";

const STACKS = ["local", "dev", "prod"] as const;
const settingsOf = (stack: string) =>
    resolveConfig(stack, readStackFile(`${ROOT}/Pulumi.${stack}.yaml`)).clusters.map((c) => c.settings);

/** The settings a stack targeting `v` must have (the ones config validation refuses otherwise, lib/operatorVersions.ts). */
function honourable(base: Settings, v: string): Settings {
    const s = structuredClone(base);
    s.osp.operatorVersion = v;
    if (!supports(v, "trigger.disabled")) s.tekton.triggers.enabled = true;
    if (!supports(v, "platforms.openshift.pipelinesAsCode.settings.enable-cancel-in-progress-on-pull-requests"))
        s.pac.cancelInProgressOnPullRequests = false;
    if (!supports(v, "pipeline.performance.statefulset-ordinals")) s.tekton.performance.statefulsetOrdinals = false;
    if (!supports(v, "result.watcher")) s.results.enabled = false;
    if (!supports(v, "chain.generateSigningSecret")) s.secrets.mode = "external";
    return s;
}

/** A value of the right type for each gated field (so only the field's existence is in question). */
const SAMPLE: Record<string, unknown> = {
    "chain.generateSigningSecret": true,
    "pipeline.performance.statefulset-ordinals": true,
    result: { disabled: true },
    "result.db_sslrootcert": "/etc/tls/db/ca.pem",
    "result.db_secret_name": "tekton-results-database",
    "result.db_secret_user_key": "db.user",
    "result.db_secret_password_key": "db.password",
    "result.route_enabled": false,
    "result.watcher": { check_owner: false },
    tektonpruner: { disabled: true, "global-config": {} },
    "trigger.disabled": true,
};
/** Gated map keys: PaC reads its settings as a ConfigMap, so an unknown key is not a decoding error but is ignored. */
const MAP_KEY_GATES = new Set([
    "platforms.openshift.pipelinesAsCode.settings.enable-cancel-in-progress-on-pull-requests",
]);

function withField(spec: Record<string, any>, path: string, value: unknown): Record<string, any> {
    const out = structuredClone(spec);
    const segs = path.split(".");
    let o = out;
    for (const k of segs.slice(0, -1)) o = o[k] ??= {};
    o[segs.at(-1)!] = value;
    return out;
}

test("every gated field has a sample value or is a map key", (t) => {
    for (const g of FIELD_GATES) t.true(g.path in SAMPLE || MAP_KEY_GATES.has(g.path), g.path);
});

for (const v of CHECKER_VERSIONS) {
    test(`${v}: the builders' TektonConfig of every stack, with what ${v} can honour, is admitted by the ${v} webhooks`, (t) => {
        for (const stack of STACKS) {
            for (const base of settingsOf(stack)) {
                const s = honourable(base, v);
                const tc = buildTektonConfig(s, buildResultSpec(s), s.readiness, s.secrets.mode === "generated");
                const r = checkTektonConfig(
                    { apiVersion: tc.apiVersion, kind: tc.kind, metadata: { name: tc.metadata.name }, spec: tc.spec },
                    v,
                );
                t.true(r.ok, `${stack} @ ${v}: ${r.message}`);
            }
        }
    });

    const unknown = FIELD_GATES.filter((g) => !atLeast(v, g.since) && !MAP_KEY_GATES.has(g.path));
    if (unknown.length) {
        test(`${v}: each gated field it lacks (${unknown.map((g) => g.path).join(", ")}), added back, is refused as an unknown field`, (t) => {
            const s = honourable(settingsOf("prod")[0]!, v);
            const tc = buildTektonConfig(s, buildResultSpec(s), s.readiness);
            for (const g of unknown) {
                const spec = withField(tc.spec as Record<string, any>, g.path, SAMPLE[g.path]);
                const r = checkTektonConfig(
                    { apiVersion: tc.apiVersion, kind: tc.kind, metadata: { name: "config" }, spec },
                    v,
                );
                t.false(r.ok, `${g.path} @ ${v} was admitted`);
                t.regex(r.message, /denied the request: .*unknown field "/, `${g.path} @ ${v}: ${r.message}`);
            }
        });
    }
}
