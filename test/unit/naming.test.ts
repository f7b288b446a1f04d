/** Property tests for lib/naming.ts: SyncTarget names, syncer namespaces, DNS labels. */
import test from "ava";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { DNS_LABEL, MAX_SYNC_TARGET_NAME, childName, syncerNamespace, syncTargetName } from "../../lib/naming.js";
import { holds } from "./helpers/property.js";

const ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789".split("");
/** Any RFC 1123 label of `min` (>= 2) to `max` characters, or a single character when `min` is 1. */
function dnsLabel(max = 63, min = 1): fc.Arbitrary<string> {
    const mid = fc.array(fc.constantFrom(...ALNUM, "-"), {
        minLength: Math.max(0, min - 2),
        maxLength: max - 2,
        size: "max",
    });
    const long = fc
        .tuple(fc.constantFrom(...ALNUM), mid, fc.constantFrom(...ALNUM))
        .map(([a, m, z]) => a + m.join("") + z);
    return min <= 1 ? fc.oneof(fc.constantFrom(...ALNUM), long) : long;
}
/** DNS labels, with the 43/44 and 63 boundaries well covered. */
const clusterName = fc.oneof(
    dnsLabel(),
    dnsLabel(63, 40),
    fc.constantFrom("a".repeat(43), "a".repeat(44), `${"b".repeat(62)}c`),
);
const workspace = fc.array(dnsLabel(20), { maxLength: 4 }).map((xs) => ["root", ...xs].join(":"));

test("syncTargetName: at most 43 characters, always", (t) => {
    holds(
        t,
        fc.property(fc.oneof(clusterName, fc.string({ maxLength: 200 })), (name) => {
            assert.ok(syncTargetName(name).length <= MAX_SYNC_TARGET_NAME);
        }),
    );
    t.is(MAX_SYNC_TARGET_NAME, 43);
});

test("syncTargetName: identity for names of at most 43 characters", (t) => {
    holds(
        t,
        fc.property(dnsLabel(43), (name) => {
            assert.equal(syncTargetName(name), name);
        }),
    );
    t.is(syncTargetName("a".repeat(43)), "a".repeat(43));
});

test("syncTargetName: the md5 hex of names longer than 43 characters", (t) => {
    holds(
        t,
        fc.property(dnsLabel(63, 44), (name) => {
            const st = syncTargetName(name);
            assert.match(st, /^[a-f0-9]{32}$/);
            assert.equal(st, createHash("md5").update(name).digest("hex"));
        }),
    );
    t.is(syncTargetName("a".repeat(44)), createHash("md5").update("a".repeat(44)).digest("hex"));
});

test("syncTargetName: deterministic, and a DNS label for any DNS-label cluster name", (t) => {
    holds(
        t,
        fc.property(clusterName, (name) => {
            assert.equal(syncTargetName(name), syncTargetName(`${name}`));
            assert.match(syncTargetName(name), DNS_LABEL);
        }),
    );
});

test("syncerNamespace: <= 63 characters and a DNS label for any DNS-label cluster name up to 63 characters", (t) => {
    holds(
        t,
        fc.property(clusterName, workspace, (name, ws) => {
            const ns = syncerNamespace(syncTargetName(name), ws);
            assert.ok(ns.length <= 63, `${ns} has ${ns.length} characters`);
            assert.match(ns, DNS_LABEL);
            assert.match(ns, /^kcp-syncer-.+-[0-9a-z]{8}$/);
        }),
        { numRuns: 1000 },
    );
    // The longest SyncTarget name lands exactly on the limit.
    t.is(syncerNamespace("a".repeat(43), "root:x").length, 63);
});

test("syncerNamespace: deterministic; bound to the workspace and the SyncTarget", (t) => {
    holds(
        t,
        fc.property(dnsLabel(43), workspace, workspace, (st, w1, w2) => {
            assert.equal(syncerNamespace(st, w1), syncerNamespace(st, w1));
            assert.ok(syncerNamespace(st, w1).startsWith(`kcp-syncer-${st}-`));
            if (w1 !== w2) assert.notEqual(syncerNamespace(st, w1), syncerNamespace(st, w2));
        }),
    );
    // kcp v0.11.0 getSyncerID's scheme (lower-case base36 of SHA-224), keyed by `<workspace>:<syncTarget>` (lib/naming.ts).
    const hash = BigInt(`0x${createHash("sha224").update("root:a:b").digest("hex")}`)
        .toString(36)
        .slice(0, 8);
    t.is(syncerNamespace("b", "root:a"), `kcp-syncer-b-${hash}`);
});

test("DNS_LABEL accepts exactly RFC 1123 labels", (t) => {
    const reference = (s: string) =>
        s.length >= 1 && s.length <= 63 && /^[a-z0-9-]+$/.test(s) && !s.startsWith("-") && !s.endsWith("-");
    const chars = fc.constantFrom(...ALNUM, "-", "A", ".", "_", " ");
    holds(
        t,
        fc.property(
            fc.oneof(
                fc.array(chars, { maxLength: 70 }).map((xs) => xs.join("")),
                dnsLabel(),
                fc.string(),
            ),
            (s) => {
                assert.equal(DNS_LABEL.test(s), reference(s), JSON.stringify(s));
            },
        ),
        { numRuns: 1000 },
    );
    t.false(DNS_LABEL.test("a".repeat(64)));
    t.true(DNS_LABEL.test("a".repeat(63)));
});

test("childName", (t) => {
    t.is(childName("stone-prd-rh01", "k8s"), "stone-prd-rh01-k8s");
});
