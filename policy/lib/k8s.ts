/**
 * Reading Kubernetes resources as the policy runtime hands them over: `type` is the Pulumi type token
 * (`kubernetes:<group>/<version>:<Kind>`, core group spelled `core`), `props` are the resource's inputs (or, in a
 * stack policy, its outputs), wrapped in `unknownCheckingProxy`. The helpers below never assume a shape: every
 * accessor narrows `unknown` first, so a malformed resource becomes a violation instead of a crash.
 */

/** A parsed `kubernetes:<group>/<version>:<Kind>` type token. */
export interface KubeType {
    group: string;
    version: string;
    kind: string;
}

/** Parse a Kubernetes type token; undefined for anything that is not a Kubernetes resource. */
export function parseKubeType(type: string): KubeType | undefined {
    const m = /^kubernetes:([^:/]+)\/([^:/]+):([A-Za-z0-9]+)$/.exec(type);
    return m ? { group: m[1]!, version: m[2]!, kind: m[3]! } : undefined;
}

/** Whether `type` is `kind` in API `group`, whatever the version (ESO served v1beta1, then v1). */
export function isKind(type: string, group: string, kind: string): boolean {
    const t = parseKubeType(type);
    return t !== undefined && t.group === group && t.kind === kind;
}

/** Kinds the rules look at, as [group, kind]. */
export const KIND = {
    CatalogSource: ["operators.coreos.com", "CatalogSource"],
    Subscription: ["operators.coreos.com", "Subscription"],
    TektonConfig: ["operator.tekton.dev", "TektonConfig"],
    Application: ["argoproj.io", "Application"],
    ExternalSecret: ["external-secrets.io", "ExternalSecret"],
    ClusterSecretStore: ["external-secrets.io", "ClusterSecretStore"],
    SyncTarget: ["workload.kcp.io", "SyncTarget"],
    Secret: ["core", "Secret"],
    Namespace: ["core", "Namespace"],
    ConfigMap: ["core", "ConfigMap"],
    Deployment: ["apps", "Deployment"],
    ClusterRole: ["rbac.authorization.k8s.io", "ClusterRole"],
} as const satisfies Record<string, readonly [string, string]>;

export function is(type: string, k: readonly [string, string]): boolean {
    return isKind(type, k[0], k[1]);
}

/** The Pulumi type token of the kubernetes provider resource. */
export const KUBERNETES_PROVIDER_TYPE = "pulumi:providers:kubernetes";

/** A plain object (or a proxy of one), else undefined. */
export function rec(v: unknown): Record<string, unknown> | undefined {
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * A plain copy of an array (or of a proxy of one), else an empty array. Always copy: on a proxied array,
 * `map`/`filter`/`slice` create their result through the species constructor, and reading that through
 * `unknownCheckingProxy` breaks a proxy invariant (V8 TypeError on `prototype`, pulumi/pulumi-policy#445).
 * Iterating (`[...v]`) reads only indices, so the elements keep their unknown checks.
 */
export function arr(v: unknown): unknown[] {
    return Array.isArray(v) ? [...(v as unknown[])] : [];
}

/** A string, else undefined. */
export function str(v: unknown): string | undefined {
    return typeof v === "string" ? v : undefined;
}

/** A finite number, or a string holding one (TektonConfig fields are sometimes quoted), else undefined. */
export function num(v: unknown): number | undefined {
    if (typeof v === "number" && Number.isFinite(v)) return v;
    if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
    return undefined;
}

/** `true`, or the string "true". */
export function isTrue(v: unknown): boolean {
    return v === true || v === "true";
}

/** `false`, or the string "false". */
export function isFalse(v: unknown): boolean {
    return v === false || v === "false";
}

/** Walk `path` through nested objects; undefined as soon as a step is not an object. */
export function at(root: unknown, ...path: string[]): unknown {
    let cur: unknown = root;
    for (const p of path) {
        const r = rec(cur);
        if (!r) return undefined;
        cur = r[p];
    }
    return cur;
}

export function metadataOf(props: Record<string, unknown>): { name?: string; namespace?: string } {
    const md = rec(props.metadata);
    return { name: str(md?.name), namespace: str(md?.namespace) };
}

/** `Kind namespace/name` (or `Kind name` for cluster-scoped objects) for messages. */
export function describe(type: string, props: Record<string, unknown>, fallbackName?: string): string {
    const kind = parseKubeType(type)?.kind ?? type;
    const { name, namespace } = metadataOf(props);
    const n = name ?? fallbackName ?? "(unnamed)";
    return `${kind} ${namespace ? `${namespace}/` : ""}${n}`;
}

/** Render a value for a message: strings quoted, everything else as JSON, `undefined` as "unset". */
export function show(v: unknown): string {
    if (v === undefined) return "unset";
    if (typeof v === "string") return `'${v}'`;
    try {
        return JSON.stringify(v) ?? String(v);
    } catch {
        return String(v);
    }
}
