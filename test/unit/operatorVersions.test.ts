import test from "ava";
import fc from "fast-check";
import { DEFAULTS, ENVIRONMENT_DEFAULTS } from "../../lib/config.js";
import {
    CHECKER_VERSIONS,
    FIELD_GATES,
    KNOWN_CATALOGS,
    NEWEST_OPERATOR_VERSION,
    OPERATOR_VERSION_FORMAT,
    OSP_CHANNELS,
    atLeast,
    compareVersions,
    fieldSince,
    minorOf,
    newerFields,
    supports,
} from "../../lib/operatorVersions.js";
import { holds } from "./helpers/property.js";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../helpers/paths.js";

const version = fc.tuple(fc.nat(3), fc.nat(120), fc.nat(9)).map(([a, b, c]) => `${a}.${b}.${c}`);

test("CHECKER_VERSIONS are exactly the checker binaries tools/versions.json pins", (t) => {
    const pinned = JSON.parse(fs.readFileSync(path.join(ROOT, "tools", "versions.json"), "utf8")).tektonOperatorCheck
        .versions as string[];
    t.deepEqual(
        [...CHECKER_VERSIONS],
        pinned.map((v) => v.replace(/^v/, "")),
    );
});

test("compareVersions is a total order matching numeric (not string) comparison", (t) => {
    t.true(compareVersions("0.9.0", "0.81.0") < 0, "0.9 < 0.81 numerically");
    t.is(compareVersions("0.81.0", "0.81.0"), 0);
    holds(
        t,
        fc.property(version, version, (a, b) => Math.sign(compareVersions(a, b)) === -Math.sign(compareVersions(b, a))),
    );
    t.throws(() => compareVersions("v0.81.0", "0.81.0"), { message: /not an operator version/ });
});

test("tables: checker versions sorted and well-formed; every catalog's channel is listed with the same operator", (t) => {
    t.deepEqual([...CHECKER_VERSIONS].sort(compareVersions), [...CHECKER_VERSIONS]);
    for (const v of CHECKER_VERSIONS) t.regex(v, OPERATOR_VERSION_FORMAT);
    t.true(CHECKER_VERSIONS.includes(NEWEST_OPERATOR_VERSION));
    const crd = JSON.parse(fs.readFileSync(path.join(ROOT, "tools", "versions.json"), "utf8")).crds["tekton-operator"]
        .version as string;
    t.is(crd, `v${NEWEST_OPERATOR_VERSION}`, "the local CRD is the newest targetable operator's");
    for (const [digest, c] of Object.entries(KNOWN_CATALOGS)) {
        t.regex(digest, /^sha256:[a-f0-9]{64}$/);
        t.is(OSP_CHANNELS[c.channel]?.operatorMinor, c.operatorMinor, `${c.build} on ${c.channel}`);
    }
    for (const g of FIELD_GATES) t.regex(g.since, OPERATOR_VERSION_FORMAT, g.path);
});

test("the defaults agree with themselves: catalog, channel and version of every environment", (t) => {
    const digest = DEFAULTS.osp.catalog.image.slice(DEFAULTS.osp.catalog.image.indexOf("@") + 1);
    t.is(KNOWN_CATALOGS[digest]?.channel, DEFAULTS.osp.subscription.channel);
    for (const [env, d] of Object.entries(ENVIRONMENT_DEFAULTS)) {
        const v = d.osp?.operatorVersion ?? DEFAULTS.osp.operatorVersion;
        t.is(minorOf(v), OSP_CHANNELS[DEFAULTS.osp.subscription.channel]!.operatorMinor, env);
        t.true(CHECKER_VERSIONS.includes(v), env);
    }
});

test("fieldSince: a field inside a gated block needs the block's version too", (t) => {
    t.is(fieldSince("result.db_host"), "0.75.0");
    t.is(fieldSince("result.watcher.check_owner"), "0.81.0");
    t.is(fieldSince("result.db_secret_name"), "0.76.0");
    t.is(fieldSince("pipeline.performance.buckets"), undefined);
    t.true(supports("0.77.0", "trigger.disabled"));
    t.false(supports("0.74.0", "trigger.disabled"));
    t.true(atLeast("0.81.0", "0.75.0"));
});

test("newerFields walks objects and arrays and stops at the outermost unknown field", (t) => {
    const spec = {
        trigger: { disabled: true },
        result: { watcher: { check_owner: false }, db_host: "x" },
        params: [{ name: "a" }],
    };
    t.deepEqual(newerFields(spec, "0.74.0"), [
        { path: "trigger.disabled", since: "0.77.0" },
        { path: "result", since: "0.75.0" },
    ]);
    t.deepEqual(newerFields(spec, "0.77.0"), [{ path: "result.watcher", since: "0.81.0" }]);
    t.deepEqual(newerFields(spec, "0.81.0"), []);
});
