/**
 * Deep merge for layered configuration: `defaults ← environment ← cluster overrides`.
 *
 * Rules (property-tested in test/merge.test.ts):
 * - plain objects merge key by key, recursively;
 * - arrays, strings, numbers and booleans in a later layer replace the earlier value whole;
 * - `undefined` in a later layer never removes an earlier value (an absent key means "inherit");
 * - `null` in a later layer is kept as `null`, so a layer can clear a value explicitly;
 * - inputs are never mutated; the result shares no object with any layer.
 */
export type DeepPartial<T> = T extends (infer U)[]
    ? U[]
    : T extends object
      ? { [K in keyof T]?: DeepPartial<T[K]> }
      : T;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
    const proto = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
}

function clone<T>(v: T): T {
    if (Array.isArray(v)) return v.map(clone) as T;
    if (isPlainObject(v)) {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) out[k] = clone(x);
        return out as T;
    }
    return v;
}

/** Merge two layers; `over` wins. */
export function deepMerge<T>(base: T, over: DeepPartial<T> | undefined): T {
    if (over === undefined) return clone(base);
    if (!isPlainObject(base) || !isPlainObject(over)) return clone(over as T);
    const out: Record<string, unknown> = clone(base) as Record<string, unknown>;
    for (const [k, v] of Object.entries(over)) {
        if (v === undefined) continue;
        out[k] = k in out && isPlainObject(out[k]) && isPlainObject(v) ? deepMerge(out[k], v) : clone(v);
    }
    return out as T;
}

/** Merge any number of layers, left to right. */
export function mergeLayers<T>(base: T, ...layers: (DeepPartial<T> | undefined)[]): T {
    return layers.reduce<T>((acc, layer) => deepMerge(acc, layer), clone(base));
}
