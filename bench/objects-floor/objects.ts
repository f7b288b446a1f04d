/**
 * From a stack's exported state to the objects floor's input (bench/objects-floor/index.ts): pure, so it is unit
 * tested (test/unit/objectsFloor.test.ts).
 *
 * The floor registers the program's very objects (same kinds, same inputs, same dependencies, on one provider per
 * kubeconfig context or kcp workspace, as the program's) under names of its own, so the two stacks never own the same
 * object: every object's `metadata.name` gets {@link FLOOR_PREFIX}; namespaced objects stay in their namespace (the
 * program created it, or the cluster had it). Reads (`CustomResource.get` in the program) read the program's object.
 */
import { createHash } from "node:crypto";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

/** The marker `pulumi stack export --show-secrets` puts on a secret value (sdk/go/common/resource/sig). */
export const SECRET_SIG = { key: "4dabf18193072939515e22adb298388d", value: "1b47061264138c4ac30d75fd1eb44270" };

/** The prefix of every name the floor gives an object. */
export const FLOOR_PREFIX = "floor-";

/** One resource of `deployment.resources` in `pulumi stack export` (the fields used here). */
export interface StateResource {
    urn: string;
    type: string;
    custom?: boolean;
    id?: string;
    external?: boolean;
    parent?: string;
    provider?: string;
    inputs?: Record<string, unknown>;
    dependencies?: string[];
}

export interface FloorObject {
    /** The program's URN: the key other objects' `dependsOn` use. */
    key: string;
    type: string;
    /** Logical name, unique per type in the floor (the program's, suffixed when two parents reused it). */
    name: string;
    /** The program's inputs, `metadata.name` renamed ({@link floorName}); a read's inputs are empty. */
    inputs: Record<string, unknown>;
    /** `name` of its provider in {@link FloorFile.providers}. */
    provider: string;
    /** Keys of the objects it depends on, registered before it. */
    dependsOn: string[];
    /** Set for a read (`CustomResource.get` in the program): the object's id. */
    id?: string;
}

/** A provider as the program configured it (its inputs as `Provider` arguments: see {@link providerArgs}). */
export interface FloorProvider {
    name: string;
    inputs: Record<string, unknown>;
}

export interface FloorFile {
    providers: FloorProvider[];
    objects: FloorObject[];
}

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
/** The provider reference `urn::id` of a state resource, to the provider's URN. */
const providerUrn = (ref: string) => ref.slice(0, ref.lastIndexOf("::"));

/**
 * The floor's name for an object named `name`: `floor-<name>`, or, when that is longer than a DNS label (63: the
 * limit of a Namespace's or a kcp Workspace's name), `floor-<first 8 hex of its SHA-256>-<start of name>` of 63.
 */
export function floorName(name: string): string {
    const full = `${FLOOR_PREFIX}${name}`;
    if (full.length <= 63) return full;
    const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
    return `${FLOOR_PREFIX}${hash}-${name.slice(0, 63 - FLOOR_PREFIX.length - 9)}`.replace(/-+$/, "");
}

/** `inputs` with `metadata.name` renamed by {@link floorName} (a copy; inputs without a name are returned as they are). */
export function renamed(inputs: Record<string, unknown>): Record<string, unknown> {
    const metadata = inputs.metadata as Record<string, unknown> | undefined;
    if (!metadata || typeof metadata.name !== "string") return inputs;
    return { ...inputs, metadata: { ...metadata, name: floorName(metadata.name) } };
}

/**
 * The kubernetes objects of an exported stack (`deployment.resources`), with the providers they use, in the state's
 * order (dependencies first). A dependency on a component (a ComponentResource, or a remote component such as a
 * ring gate) is replaced by the objects it stands for: its own dependencies and its descendants, transitively.
 * Provider inputs lose `version` (the SDK sets its own) and `__internal`; objects keep their checked inputs as
 * recorded, renamed ({@link renamed}).
 * @throws Error when the state has no kubernetes object, or an object's provider is not in it.
 */
export function floorObjects(resources: StateResource[]): FloorFile {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const isObject = (r: StateResource) =>
        r.custom === true && r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers:");
    const children = new Map<string, string[]>();
    for (const r of resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
    const expanded = new Map<string, string[]>();
    const expand = (urn: string, seen = new Set<string>()): string[] => {
        const r = byUrn.get(urn);
        if (!r) return [];
        if (isObject(r)) return [urn];
        const known = expanded.get(urn);
        if (known) return known;
        if (seen.has(urn)) return [];
        seen.add(urn);
        const out = [
            ...new Set([...(r.dependencies ?? []), ...(children.get(urn) ?? [])].flatMap((u) => expand(u, seen))),
        ];
        expanded.set(urn, out);
        return out;
    };
    const providers = new Map<string, FloorProvider>();
    const used = new Set<string>();
    const objects: FloorObject[] = [];
    for (const r of resources) {
        if (!isObject(r)) continue;
        const pUrn = providerUrn(r.provider ?? "");
        const p = byUrn.get(pUrn);
        if (!p) throw new Error(`${r.urn}: its provider ${pUrn} is not in the state`);
        if (!providers.has(pUrn)) {
            const { version: _version, __internal: _internal, ...inputs } = p.inputs ?? {};
            providers.set(pUrn, { name: nameOf(pUrn), inputs });
        }
        let name = nameOf(r.urn);
        for (let i = 2; used.has(`${r.type} ${name}`); i++) name = `${nameOf(r.urn)}-${i}`;
        used.add(`${r.type} ${name}`);
        const deps = [...new Set((r.dependencies ?? []).flatMap((u) => expand(u)))].filter((u) => u !== r.urn);
        const read = r.external === true && r.id !== undefined;
        objects.push({
            key: r.urn,
            type: r.type,
            name,
            inputs: read ? {} : renamed(r.inputs ?? {}),
            provider: providers.get(pUrn)!.name,
            dependsOn: deps,
            ...(read ? { id: r.id } : {}),
        });
    }
    if (objects.length === 0) throw new Error("the stack holds no kubernetes object: run the program's up first");
    // Objects are registered in state order, so every dependency must come first.
    const seen = new Set<string>();
    for (const o of objects) {
        o.dependsOn = o.dependsOn.filter((d) => seen.has(d));
        seen.add(o.key);
    }
    return { providers: [...providers.values()], objects };
}

/** A value from the export with every secret marker turned back into a Pulumi secret (its plaintext JSON-decoded). */
export function revive(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(revive);
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (o[SECRET_SIG.key] === SECRET_SIG.value)
            return pulumi.secret(revive(typeof o.plaintext === "string" ? JSON.parse(o.plaintext) : o.value));
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, revive(x)]));
    }
    return v;
}

/** The kubernetes Provider's string arguments (@pulumi/kubernetes 4.25 provider.js passes them as they are). */
const STRING_ARGS = new Set([
    "cluster",
    "clusterIdentifier",
    "context",
    "kubeconfig",
    "namespace",
    "renderYamlToDirectory",
]);

/**
 * Provider inputs from the state as `k8s.Provider` arguments. The engine records a provider's inputs as strings,
 * and the kubernetes Provider class JSON-encodes every non-string argument itself (`enableServerSideApply: true` is
 * recorded as `"true"`), so those are JSON-decoded back to values; the string arguments ({@link STRING_ARGS}: a path,
 * a context, a kubeconfig's text) stay as they are, but for a JSON string literal, which is unwrapped. Secrets stay
 * secrets. A `kubeconfig` that is a relative path (one line, not JSON or YAML) was the program's, relative to its
 * project directory: it is resolved against `projectDir` (the provider would read any other string as kubeconfig text).
 */
export function providerArgs(inputs: Record<string, unknown>, projectDir: string): Record<string, unknown> {
    const decoder =
        (key: string) =>
        (x: unknown): unknown => {
            if (typeof x !== "string") return x;
            if (STRING_ARGS.has(key) && !x.startsWith('"')) return x;
            try {
                return JSON.parse(x);
            } catch {
                return x;
            }
        };
    const out = Object.fromEntries(
        Object.entries(inputs).map(([k, x]) => {
            const v = revive(x);
            return [k, pulumi.Output.isInstance(v) ? v.apply(decoder(k)) : decoder(k)(v)];
        }),
    );
    const k = out.kubeconfig;
    if (typeof k === "string" && !k.includes("\n") && !/^[{"]|:\s/.test(k) && !path.isAbsolute(k))
        out.kubeconfig = path.resolve(projectDir, k);
    return out;
}
