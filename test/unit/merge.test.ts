/** Property tests for lib/merge.ts: layered configuration `defaults ← environment ← cluster overrides`. */
import test from "ava";
import assert from "node:assert/strict";
import fc from "fast-check";
import { deepMerge, isPlainObject, mergeLayers } from "../../lib/merge.js";
import { holds } from "./helpers/property.js";

type Obj = Record<string, unknown>;

// ----- arbitraries

const key = fc.oneof(fc.constantFrom("a", "b", "c", "image", "tekton", "0"), fc.stringMatching(/^[a-z]{1,3}$/));
const leaf = fc.oneof(
    fc.integer(),
    fc.string({ maxLength: 6 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 3 }),
);
/** Any JSON-like object, where a key may be a leaf in one layer and an object in another. */
const anyLayer: fc.Arbitrary<Obj> = fc.letrec<{ node: Obj; value: unknown }>((tie) => ({
    node: fc.dictionary(key, tie("value"), { maxKeys: 4, noNullPrototype: true }),
    value: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, fc.constant(undefined), tie("node")),
})).node;

/**
 * Layers of one fixed shape, as stack config has (zod schemas): object keys hold objects or nothing, leaf keys hold
 * leaves, `null` or nothing, and any key may be explicitly `undefined`.
 */
function shaped(depth: number): fc.Arbitrary<Obj> {
    const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, fc.constant(undefined));
    const fields: Record<string, fc.Arbitrary<unknown>> = {
        n: maybe(fc.oneof(fc.integer(), fc.constant(null))),
        s: maybe(fc.string({ maxLength: 4 })),
        b: maybe(fc.boolean()),
        list: maybe(fc.array(fc.integer(), { maxLength: 3 })),
    };
    if (depth > 0) {
        fields.x = maybe(shaped(depth - 1));
        fields.y = maybe(shaped(depth - 1));
    }
    return fc.record(fields, { requiredKeys: [], noNullPrototype: true }) as fc.Arbitrary<Obj>;
}
const shapedLayer = shaped(3);

// ----- helpers

/** Every object and array reachable from `v`. */
function containers(v: unknown, out = new Set<object>()): Set<object> {
    if (v !== null && typeof v === "object" && !out.has(v)) {
        out.add(v);
        for (const x of Object.values(v)) containers(x, out);
    }
    return out;
}

/** Leaf paths of a layer: a path ends at a defined value that is not a plain object. */
function leaves(v: Obj, prefix: string[] = []): [string[], unknown][] {
    const out: [string[], unknown][] = [];
    for (const [k, x] of Object.entries(v)) {
        if (x === undefined) continue;
        if (isPlainObject(x)) out.push(...leaves(x, [...prefix, k]));
        else out.push([[...prefix, k], x]);
    }
    return out;
}

function get(v: unknown, path: string[]): unknown {
    let cur = v;
    for (const k of path) {
        if (!isPlainObject(cur) || !Object.prototype.hasOwnProperty.call(cur, k)) return undefined;
        cur = cur[k];
    }
    return cur;
}

/** Whether `over` says anything (a defined value) at `path` or at one of its prefixes that is not a plain object. */
function overrides(over: Obj, path: string[]): boolean {
    let cur: unknown = over;
    for (const k of path) {
        if (!isPlainObject(cur)) return false;
        cur = cur[k];
        if (cur === undefined) return false;
        if (!isPlainObject(cur)) return true;
    }
    return true;
}

// ----- properties

test("later wins: every leaf the later layer defines is in the result, as given", (t) => {
    holds(
        t,
        fc.property(anyLayer, anyLayer, (base, over) => {
            const r = deepMerge(base, over);
            for (const [path, value] of leaves(over)) assert.deepEqual(get(r, path), value, path.join("."));
        }),
    );
});

test("undefined never removes: what the later layer leaves undefined is inherited", (t) => {
    holds(
        t,
        fc.property(anyLayer, anyLayer, (base, over) => {
            const r = deepMerge(base, over);
            for (const [path, value] of leaves(base)) {
                if (!overrides(over, path)) assert.deepEqual(get(r, path), value, path.join("."));
            }
            assert.deepEqual(deepMerge(base, undefined), base);
        }),
    );
});

test("an explicit undefined means the same as an absent key", (t) => {
    // Compared through JSON, which drops undefined members: a fresh subtree copied from a layer keeps its
    // undefined-valued keys, which is harmless (zod treats them as absent).
    const canon = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
    holds(
        t,
        fc.property(anyLayer, anyLayer, (base, over) => {
            assert.deepEqual(canon(deepMerge(base, over)), canon(deepMerge(base, canon(over) as Obj)));
        }),
    );
});

test("associativity of layering: (a ← b) ← c equals a ← (b ← c) for layers of one shape", (t) => {
    holds(
        t,
        fc.property(shapedLayer, shapedLayer, shapedLayer, (a, b, c) => {
            assert.deepEqual(deepMerge(deepMerge(a, b), c), deepMerge(a, deepMerge(b, c)));
            assert.deepEqual(mergeLayers(a, b, c), deepMerge(a, mergeLayers(b, c)));
        }),
        { numRuns: 500 },
    );
});

test("mergeLayers is the left fold of deepMerge; with no layers it is a copy", (t) => {
    holds(
        t,
        fc.property(anyLayer, fc.array(fc.option(anyLayer, { nil: undefined }), { maxLength: 4 }), (base, layers) => {
            assert.deepEqual(
                mergeLayers(base, ...layers),
                layers.reduce<Obj>((acc, l) => deepMerge(acc, l), base),
            );
            const copy = mergeLayers(base);
            assert.deepEqual(copy, base);
            assert.notEqual(copy, base);
        }),
    );
});

test("merging is idempotent: a ← b ← b equals a ← b", (t) => {
    holds(
        t,
        fc.property(anyLayer, anyLayer, (a, b) => {
            assert.deepEqual(mergeLayers(a, b, b), deepMerge(a, b));
        }),
    );
});

test("no mutation: no layer is changed by merging", (t) => {
    holds(
        t,
        fc.property(anyLayer, fc.array(anyLayer, { maxLength: 3 }), (base, layers) => {
            const before = structuredClone([base, layers]);
            mergeLayers(base, ...layers);
            deepMerge(base, layers[0]);
            assert.deepEqual([base, layers], before);
        }),
    );
});

test("no shared references: the result shares no object or array with any layer", (t) => {
    holds(
        t,
        fc.property(anyLayer, fc.array(anyLayer, { maxLength: 3 }), (base, layers) => {
            const r = mergeLayers(base, ...layers);
            const inputs = containers([base, ...layers]);
            for (const c of containers(r)) assert.ok(!inputs.has(c), "shared reference");
            // Mutating the result leaves the layers alone.
            const before = structuredClone([base, layers]);
            for (const c of containers(r)) {
                if (Array.isArray(c)) c.push(0);
                else (c as Obj).__mutated = true;
            }
            assert.deepEqual([base, layers], before);
        }),
    );
});

// ----- documented rules

test("arrays and scalars replace whole; objects merge key by key", (t) => {
    t.deepEqual(deepMerge<Obj>({ a: [1, 2, 3], o: { x: 1, y: 2 } }, { a: [4], o: { y: 3 } }), {
        a: [4],
        o: { x: 1, y: 3 },
    });
    t.deepEqual(deepMerge<Obj>({ o: { x: 1 } }, { o: 5 }), { o: 5 });
    t.deepEqual(deepMerge<Obj>({ o: 5 }, { o: { x: 1 } }), { o: { x: 1 } });
});

test("null in a later layer is kept: a layer can clear a value explicitly", (t) => {
    t.deepEqual(deepMerge<Obj>({ a: 1, o: { x: 1 } }, { a: null, o: null }), { a: null, o: null });
});

test("undefined in a later layer keeps the earlier value (also nested)", (t) => {
    t.deepEqual(deepMerge<Obj>({ a: 1, o: { x: 1 } }, { a: undefined, o: { x: undefined } }), { a: 1, o: { x: 1 } });
});

test("grouping matters only when a layer changes a key's kind (object ↔ scalar/null): layering is a left fold", (t) => {
    // (a ← b) ← c: b clears o, c sets o.y; a ← (b ← c): b ← c is {o: {y}}, which then merges into a's o.
    const a = { o: { x: 1 } },
        b = { o: null },
        c = { o: { y: 2 } };
    t.deepEqual(mergeLayers<Obj>(a, b, c), { o: { y: 2 } });
    t.deepEqual(deepMerge<Obj>(a, deepMerge<Obj>(b, c)), { o: { x: 1, y: 2 } });
});

test("null-prototype layers merge like plain objects; the result has an ordinary prototype", (t) => {
    const base = Object.assign(Object.create(null) as Obj, {
        a: 1,
        o: Object.assign(Object.create(null) as Obj, { x: 1 }),
    });
    const over = Object.assign(Object.create(null) as Obj, { o: { y: 2 } });
    const r = deepMerge(base, over);
    t.deepEqual(r, { a: 1, o: { x: 1, y: 2 } });
    t.is(Object.getPrototypeOf(r), Object.prototype);
});

test("isPlainObject", (t) => {
    t.true(isPlainObject({}));
    t.true(isPlainObject(Object.create(null)));
    for (const v of [null, undefined, [], new Date(), 1, "s", new Map()]) t.false(isPlainObject(v));
});
