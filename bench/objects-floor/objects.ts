/**
 * From a stack's exported state to the objects floor's input (bench/objects-floor/index.ts): pure, so it is unit
 * tested (test/unit/objectsFloor.test.ts).
 */
import * as pulumi from "@pulumi/pulumi";

/** The marker `pulumi stack export --show-secrets` puts on a secret value (sdk/go/common/resource/sig). */
export const SECRET_SIG = { key: "4dabf18193072939515e22adb298388d", value: "1b47061264138c4ac30d75fd1eb44270" };

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
    inputs: Record<string, unknown>;
    /** `name` of its provider in {@link FloorFile.providers}. */
    provider: string;
    /** Keys of the objects it depends on, registered before it. */
    dependsOn: string[];
    /** Set for a read (`CustomResource.get` in the program): the object's id. */
    id?: string;
}

export interface FloorFile {
    providers: { name: string; inputs: Record<string, unknown> }[];
    objects: FloorObject[];
}

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
/** The provider reference `urn::id` of a state resource, to the provider's URN. */
const providerUrn = (ref: string) => ref.slice(0, ref.lastIndexOf("::"));

/**
 * The kubernetes objects of an exported stack (`deployment.resources`), with the providers they use, in the state's
 * order (dependencies first). A dependency on a component (a ComponentResource, or a remote component such as a
 * ring gate) is replaced by the objects it stands for: its own dependencies and its descendants, transitively.
 * Provider inputs lose `version` (the SDK sets its own); objects keep their checked inputs as recorded.
 * @throws Error when the state has no kubernetes object.
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
    const providers = new Map<string, { name: string; inputs: Record<string, unknown> }>();
    const used = new Set<string>();
    const objects: FloorObject[] = [];
    for (const r of resources) {
        if (!isObject(r)) continue;
        const pUrn = providerUrn(r.provider ?? "");
        const p = byUrn.get(pUrn);
        if (!p) throw new Error(`${r.urn}: its provider ${pUrn} is not in the state`);
        if (!providers.has(pUrn)) {
            const { version: _version, ...inputs } = p.inputs ?? {};
            providers.set(pUrn, { name: nameOf(pUrn), inputs });
        }
        let name = nameOf(r.urn);
        for (let i = 2; used.has(`${r.type} ${name}`); i++) name = `${nameOf(r.urn)}-${i}`;
        used.add(`${r.type} ${name}`);
        const deps = [...new Set((r.dependencies ?? []).flatMap((u) => expand(u)))].filter((u) => u !== r.urn);
        objects.push({
            key: r.urn,
            type: r.type,
            name,
            inputs: r.inputs ?? {},
            provider: providers.get(pUrn)!.name,
            dependsOn: deps,
            ...(r.external && r.id ? { id: r.id } : {}),
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

/** A value from the export with every secret marker turned back into a Pulumi secret. */
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
