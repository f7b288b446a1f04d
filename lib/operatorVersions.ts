/**
 * The tektoncd/operator (OpenShift Pipelines operator) versions a stack can target, the OSP channels and catalogs
 * that ship them, and the first operator version that knows each TektonConfig field the builders emit.
 *
 * One place for all of it: lib/config.ts validates `osp.operatorVersion` against these tables, the builders
 * (components/openshiftPipelines.ts, components/tektonResults.ts) ask {@link supports} before emitting a gated
 * field, and the unit tests walk every built TektonConfig with {@link newerFields}.
 *
 * Version format: the tektoncd/operator release without the leading `v`, `MAJOR.MINOR.PATCH`, e.g. `0.81.0`
 * (tag `v0.81.0`, Go module version `v0.81.0`).
 *
 * How the tables were made (reproducible from the Go module zips in the module cache): for each served module
 * version, the JSON field paths reachable from `TektonConfigSpec` were listed from
 * `pkg/apis/operator/v1alpha1/*_types.go@v<version>`; a field's first version is the upstream commit's first tag
 * where `../shared/docs/upstream-conformance.md` §2 records one, otherwise the first served module version whose
 * types have it (the previous served version, which lacks it, is named in the source).
 */
import { readFileSync } from "node:fs";

/** `MAJOR.MINOR.PATCH`, no leading `v` (the format of `pipeline-service:osp.operatorVersion`). */
export const OPERATOR_VERSION_FORMAT = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;

/**
 * The operator versions the TektonConfig checker (`tekton-operator-check-v<version>`, built from the Go module
 * github.com/tektoncd/operator at that version) is built for, read from the one pinned list, tools/versions.json
 * `tektonOperatorCheck.versions`. A stack may target only one of these, so every targeted version is checked by the
 * operator's own code; adding a version there makes it targetable. (`go mod download
 * github.com/tektoncd/operator@v0.68.0` answered "403 Forbidden ... This module version is not available" here on
 * 2026-12-01, so v0.68.0 cannot be one.)
 */
export const CHECKER_VERSIONS: readonly string[] = Object.freeze(
    (
        JSON.parse(readFileSync(new URL("../tools/versions.json", import.meta.url), "utf8")).tektonOperatorCheck
            .versions as string[]
    )
        .map((v) => v.replace(/^v/, ""))
        .sort((a, b) => compareVersions(a, b)),
);

/** The version the local control plane's TektonConfig CRD comes from (tools/versions.json crds.tekton-operator). */
export const NEWEST_OPERATOR_VERSION = "0.81.0";

function parts(v: string): [number, number, number] {
    const m = OPERATOR_VERSION_FORMAT.exec(v);
    if (!m) throw new Error(`'${v}' is not an operator version (MAJOR.MINOR.PATCH, e.g. 0.81.0)`);
    return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** Semver order of two `MAJOR.MINOR.PATCH` versions: negative, zero or positive. */
export function compareVersions(a: string, b: string): number {
    const [x, y] = [parts(a), parts(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** `version >= since`. */
export function atLeast(version: string, since: string): boolean {
    return compareVersions(version, since) >= 0;
}

/** `MAJOR.MINOR` of a version (`0.81.0` → `0.81`). */
export function minorOf(version: string): string {
    const [ma, mi] = parts(version);
    return `${ma}.${mi}`;
}

export function isCheckerVersion(v: string): boolean {
    return CHECKER_VERSIONS.includes(v);
}

// ---------------------------------------------------------------------------------------------------------------
// OSP channels and catalogs → operator version

export interface ChannelInfo {
    /** The tektoncd/operator minor (`0.81`) the channel's operator is built from. */
    operatorMinor: string;
    /** Where that comes from. */
    source: string;
}

/**
 * OLM channel of package `openshift-pipelines-operator-rh` → the tektoncd/operator release line it ships.
 * Released channels: openshift-pipelines/operator's `.github/workflows/update-sources-release-v<osp>.x.yaml` clones
 * tektoncd/operator and checks out `release-v<operator>.x` (the vendored `upstream/` that the operator image is
 * built from, `.konflux/dockerfiles/operator.Dockerfile`). `pipelines-5.0` is the nightly line infra-deployments runs.
 * A channel that is not listed (e.g. `latest`, which moves with every release) cannot be checked and is rejected.
 */
export const OSP_CHANNELS: Record<string, ChannelInfo> = {
    "pipelines-1.14": {
        operatorMinor: "0.70",
        source: "openshift-pipelines/operator:.github/workflows/update-sources-release-v1.14.x.yaml@335e20fd (release-v0.70.x)",
    },
    "pipelines-1.16": {
        operatorMinor: "0.73",
        source: "openshift-pipelines/operator:.github/workflows/update-sources-release-v1.16.x.yaml@85cae3c5 (release-v0.73.x)",
    },
    "pipelines-1.17": {
        operatorMinor: "0.74",
        source: "openshift-pipelines/operator:.github/workflows/update-sources-release-v1.17.x.yaml@129f91b5 (release-v0.74.x)",
    },
    "pipelines-1.18": {
        operatorMinor: "0.75",
        source: "openshift-pipelines/operator:.github/workflows/update-sources-release-v1.18.x.yaml@8a4a7ca2 (release-v0.75.x)",
    },
    "pipelines-1.19": {
        operatorMinor: "0.76",
        source: "openshift-pipelines/operator:.github/workflows/update-sources-release-v1.19.x.yaml@06a1c6e6 (release-v0.76.x)",
    },
    "pipelines-1.20": {
        operatorMinor: "0.77",
        source: "openshift-pipelines/operator:.github/workflows/update-sources-release-v1.20.x.yaml@074f656d (release-v0.77.x)",
    },
    "pipelines-5.0": {
        operatorMinor: "0.81",
        source:
            "infra-deployments e15e6fe82 (build 5.0.5-854 carries a tektoncd/pipeline release-v1.14.x fix) and " +
            "tektoncd/operator:go.mod@v0.81.0 (requires github.com/tektoncd/pipeline v1.14.1); channel pipelines-5.0 at " +
            "infra-deployments:components/pipeline-service/production/base/main-pipeline-service-configuration.yaml@e952b760",
    },
};

export interface CatalogInfo {
    /** The OSP build the index carries. */
    build: string;
    /** Its channel. */
    channel: string;
    operatorMinor: string;
    source: string;
}

/**
 * Index images (`sha256:<digest>` of `quay.io/openshift-pipeline/pipelines-index-<ocp>`) whose content is known.
 * An index not listed here is not checked against the targeted version (its CSV must be read, see README
 * "Which operator version a catalog ships").
 */
export const KNOWN_CATALOGS: Record<string, CatalogInfo> = {
    "sha256:bd598786408b16bc1171c79907db124013189d57677e8bfbec1feccc55523ccd": {
        build: "5.0.5-854",
        channel: "pipelines-5.0",
        operatorMinor: "0.81",
        source:
            "infra-deployments:components/pipeline-service/production/base/main-pipeline-service-configuration.yaml@e952b760 " +
            '(prod, all rings; 9bcc85593 "upgrade pipelines 4.18 (830) to 4.19 (854)")',
    },
    "sha256:8c6152d2924f608960a4cec0faca33a1807bce19085e86d1daeeaa698fce146d": {
        build: "5.0.5-871",
        channel: "pipelines-5.0",
        operatorMinor: "0.81",
        source:
            "infra-deployments:components/pipeline-service/development/main-pipeline-service-configuration.yaml@e952b760 " +
            '(dev and staging; f5518bcd7 "Update CatalogSource image to 5.0.5-871 in dev/staging")',
    },
};

// ---------------------------------------------------------------------------------------------------------------
// TektonConfig fields → first operator version

export interface FieldGate {
    /** Dotted path under TektonConfig `spec` (map keys included, e.g. a PaC settings key). */
    path: string;
    /** The first operator version that knows it. */
    since: string;
    source: string;
}

/**
 * Fields newer than tektoncd/operator v0.70.0 that a builder may emit. Every other emitted field is known to every
 * served version (verified against the v0.70.0, v0.74.0, v0.77.0, v0.79.0, v0.80.0 and v0.81.0 types), so gates are
 * kept for versions not (yet) targetable too: adding one to {@link CHECKER_VERSIONS} needs no new gate.
 */
export const FIELD_GATES: readonly FieldGate[] = [
    {
        path: "chain.generateSigningSecret",
        since: "0.74.0",
        source: "tektoncd/operator f97273e17 (2024-08-28), first tag v0.74.0; absent tektonchain_types.go@v0.70.0",
    },
    {
        path: "pipeline.performance.statefulset-ordinals",
        since: "0.74.0",
        source: "performance_types.go: absent @v0.70.0, present @v0.74.0",
    },
    {
        path: "result",
        since: "0.75.0",
        source: "tektoncd/operator 25e8238fc (2024-11-25), first tag v0.75.0; absent tektonconfig_types.go@v0.74.0",
    },
    {
        path: "result.db_sslrootcert",
        since: "0.74.0",
        source: "tektoncd/operator 92b763e36 (2024-10-28), first tag v0.74.0",
    },
    {
        path: "result.db_secret_name",
        since: "0.76.0",
        source: "tektoncd/operator 49ce92025 (2025-05), first tag v0.76.0",
    },
    {
        path: "result.db_secret_user_key",
        since: "0.76.0",
        source: "tektoncd/operator 49ce92025 (2025-05), first tag v0.76.0",
    },
    {
        path: "result.db_secret_password_key",
        since: "0.76.0",
        source: "tektoncd/operator 49ce92025 (2025-05), first tag v0.76.0",
    },
    {
        path: "result.route_enabled",
        since: "0.79.0",
        source: "tektonresult_types.go ResultsAPIProperties.RouteEnabled: absent @v0.77.0, present @v0.79.0",
    },
    {
        path: "result.watcher",
        since: "0.81.0",
        source: "tektoncd/operator 41807c8ce (2026-08-05, ResultsWatcherProperties), first tag v0.81.0",
    },
    {
        path: "tektonpruner",
        since: "0.76.0",
        source: "tektoncd/operator 16275b17f (2025-04), first tag v0.76.0; absent tektonconfig_types.go@v0.74.0",
    },
    {
        path: "trigger.disabled",
        since: "0.77.0",
        source: "tektoncd/operator 8231a3703 (2025-06-24), first tag v0.77.0",
    },
    {
        path: "platforms.openshift.pipelinesAsCode.settings.enable-cancel-in-progress-on-pull-requests",
        since: "0.77.0",
        source: "pipelines-as-code pkg/params/settings/config.go: absent @v0.27.2 (tektoncd/operator@v0.74.0 go.mod), present @v0.36.0 (@v0.77.0 go.mod)",
    },
];

const GATES = new Map(FIELD_GATES.map((g) => [g.path, g]));

/** The gate of `path` itself or of its nearest gated ancestor (a field inside `result` needs `result`). */
function gatesOf(path: string): FieldGate[] {
    const segs = path.split(".");
    const out: FieldGate[] = [];
    // Paths may contain dotted keys (`artifacts.taskrun.format`); test every dotted prefix.
    for (let i = 1; i <= segs.length; i++) {
        const g = GATES.get(segs.slice(0, i).join("."));
        if (g) out.push(g);
    }
    return out;
}

/** The first version that knows `path` (the newest of its own and its ancestors' gates); `undefined` when ungated. */
export function fieldSince(path: string): string | undefined {
    const gs = gatesOf(path);
    if (!gs.length) return undefined;
    return gs
        .map((g) => g.since)
        .sort(compareVersions)
        .at(-1);
}

/** Whether operator `version` knows TektonConfig `spec.<path>`. */
export function supports(version: string, path: string): boolean {
    const since = fieldSince(path);
    return since === undefined || atLeast(version, since);
}

/**
 * Every field of a TektonConfig `spec` that operator `version` does not know (by {@link FIELD_GATES}), with the
 * first version that knows it. Object keys are joined with `.`; arrays are walked element by element.
 */
export function newerFields(spec: unknown, version: string): { path: string; since: string }[] {
    const out: { path: string; since: string }[] = [];
    const walk = (v: unknown, path: string) => {
        if (path) {
            const since = fieldSince(path);
            if (since !== undefined && !atLeast(version, since)) {
                out.push({ path, since });
                return;
            }
        }
        if (Array.isArray(v)) v.forEach((x) => walk(x, path));
        else if (v !== null && typeof v === "object") {
            for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, path ? `${path}.${k}` : k);
        }
    };
    walk(spec, "");
    return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Config validation (called by lib/config.ts before any resource is registered)

/** What {@link operatorVersionProblems} reads of the resolved settings (a structural slice of `Settings`). */
export interface OperatorSettingsView {
    osp: { operatorVersion: string; catalog: { image: string }; subscription: { channel: string } };
    tekton: { triggers: { enabled: boolean }; performance: { statefulsetOrdinals: boolean } };
    results: { enabled: boolean };
    secrets: { mode: string };
    pac: { cancelInProgressOnPullRequests: boolean };
}

/** A settings key and what is wrong with it (lib/config.ts prefixes the key and adds the fix hint). */
export interface VersionProblem {
    key: string;
    msg: string;
}

/**
 * The targeted version is one the checker knows; the channel and (when known) the catalog ship it; and every setting
 * is one that version can honour. Each message names the key, the targeted version and the first version that works.
 */
export function operatorVersionProblems(s: OperatorSettingsView): VersionProblem[] {
    const out: VersionProblem[] = [];
    const v = s.osp.operatorVersion;
    if (!isCheckerVersion(v)) {
        out.push({
            key: "osp.operatorVersion",
            msg:
                `'${v}' is not an operator version the TektonConfig checker knows (${CHECKER_VERSIONS.join(", ")}), so the ` +
                `TektonConfig cannot be checked against it. Target one of those (channel ${s.osp.subscription.channel} ships ` +
                `${OSP_CHANNELS[s.osp.subscription.channel] ? `${OSP_CHANNELS[s.osp.subscription.channel]!.operatorMinor}.x` : "an unknown version"}).`,
        });
        return out;
    }
    const channel = s.osp.subscription.channel;
    const ch = OSP_CHANNELS[channel];
    if (!ch) {
        out.push({
            key: "osp.subscription.channel",
            msg:
                `'${channel}' is not a channel with a known operator version (${Object.keys(OSP_CHANNELS).join(", ")}), so it ` +
                `cannot be checked against osp.operatorVersion '${v}'. Pin a versioned channel such as pipelines-5.0.`,
        });
    } else if (ch.operatorMinor !== minorOf(v)) {
        out.push({
            key: "osp.operatorVersion",
            msg:
                `'${v}' disagrees with osp.subscription.channel '${channel}', which ships tektoncd/operator ${ch.operatorMinor}.x ` +
                `(${ch.source}). Set osp.operatorVersion to the ${ch.operatorMinor}.x release, or the channel that ships ${minorOf(v)}.`,
        });
    }
    const at = s.osp.catalog.image.indexOf("@");
    const cat = at < 0 ? undefined : KNOWN_CATALOGS[s.osp.catalog.image.slice(at + 1)];
    if (cat && (cat.operatorMinor !== minorOf(v) || cat.channel !== channel)) {
        out.push({
            key: "osp.catalog.image",
            msg:
                `is OSP build ${cat.build} (channel ${cat.channel}, tektoncd/operator ${cat.operatorMinor}.x; ${cat.source}), which ` +
                `disagrees with osp.operatorVersion '${v}' and osp.subscription.channel '${channel}'.`,
        });
    }
    const gate = (key: string, path: string, what: string) => {
        const since = fieldSince(path)!;
        if (!atLeast(v, since)) {
            out.push({
                key,
                msg:
                    `${what} needs TektonConfig spec.${path}, which tektoncd/operator knows from ${since}; osp.operatorVersion ` +
                    `is ${v}. Target ${since} or newer, or change ${key}.`,
            });
        }
    };
    if (!s.tekton.triggers.enabled)
        gate("tekton.triggers.enabled", "trigger.disabled", "false (Triggers off, ADR-0009)");
    if (s.tekton.performance.statefulsetOrdinals)
        gate("tekton.performance.statefulsetOrdinals", "pipeline.performance.statefulset-ordinals", "true");
    if (s.results.enabled) {
        // Operator-managed Results needs the TektonConfig `result` block, credentials from a named Secret and the
        // watcher settings (check_owner, grace period); the last arrived in 0.81.
        gate(
            "results.enabled",
            "result.watcher",
            "true (operator-managed Results with the watcher's check_owner and grace period)",
        );
    }
    if (s.secrets.mode === "generated")
        gate("secrets.mode", "chain.generateSigningSecret", "'generated' (Chains generates its signing secret)");
    if (s.pac.cancelInProgressOnPullRequests) {
        gate(
            "pac.cancelInProgressOnPullRequests",
            "platforms.openshift.pipelinesAsCode.settings.enable-cancel-in-progress-on-pull-requests",
            "true",
        );
    }
    return out;
}
