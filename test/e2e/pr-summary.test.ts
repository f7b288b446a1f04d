/**
 * The PR summary (scripts/pr-summary.ts) from a real base/head pair of renders (the CLI in render mode): the head
 * changes a TektonConfig field on every prod cluster and removes the cluster stone-prod-p01. The summary must count
 * per cluster what was added, changed and removed, show the field change in the diff, show the removed cluster,
 * keep `<repository>`-style placeholders visible (escaped), collapse long diffs and stay under GitHub's limit.
 */
import test from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import type { Violation } from "../../scripts/audit.js";
import { scratchCopy } from "../../scripts/lib/scratch.js";
import {
    GITHUB_COMMENT_LIMIT,
    diffRenderTrees,
    escapeCell,
    prSummary,
    readRenderTree,
    type RenderTree,
} from "../../scripts/pr-summary.js";
import { renderStack, writeRender } from "../../scripts/render.js";
import { ROOT } from "./harness.js";

process.env.PATH = `${path.join(ROOT, ".tools", "bin")}:${process.env.PATH ?? ""}`;

const work = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-service-pr-summary-"));
test.after.always(() => fs.rmSync(work, { recursive: true, force: true }));

/** The committed prod controller replicas (the base), and the head's: one fewer (still within prod's buckets). */
const BEFORE = Number(
    YAML.parseDocument(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")).getIn([
        "config",
        "pipeline-service:tekton",
        "performance",
        "replicas",
    ]),
);
const AFTER = BEFORE - 1;

/** Base: prod as committed. Head: prod with replicas BEFORE → AFTER and without stone-prod-p01. Both rendered for real. */
const renders = (async () => {
    if (!(BEFORE > 1))
        throw new Error(`Pulumi.prod.yaml tekton.performance.replicas is ${BEFORE}; the test lowers it by one`);
    const head = scratchCopy(ROOT, "pr-head");
    try {
        const file = path.join(head, "Pulumi.prod.yaml");
        const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
        doc.setIn(["config", "pipeline-service:tekton", "performance", "replicas"], AFTER);
        const clusters = doc.getIn(["config", "pipeline-service:clusters"]) as YAML.YAMLSeq;
        const i = clusters.items.findIndex((c) => (c as YAML.YAMLMap).get("name") === "stone-prod-p01");
        clusters.delete(i);
        fs.writeFileSync(file, doc.toString());
        const [b, h] = [await renderStack("prod"), await renderStack("prod", { root: head })];
        if (!b.ok || !h.ok) throw new Error(`render failed: ${b.error ?? ""} ${h.error ?? ""}`);
        for (const [side, r] of [
            ["base", b],
            ["head", h],
        ] as const) {
            fs.mkdirSync(path.join(work, side), { recursive: true });
            writeRender(r, path.join(work, side));
        }
        return { base: readRenderTree(path.join(work, "base")), head: readRenderTree(path.join(work, "head")) };
    } finally {
        fs.rmSync(head, { recursive: true, force: true });
    }
})();

const TEKTONCONFIG = "operator.tekton.dev_TektonConfig___config.yaml";

test("per cluster: the TektonConfig field change, and the removed cluster with every object removed", async (t) => {
    t.timeout(40 * 60_000);
    const { base, head } = await renders;
    const diffs = diffRenderTrees(base, head);
    const by = new Map(diffs.map((d) => [d.cluster, d]));
    const p01 = by.get("stone-prod-p01")!;
    t.is(p01.status, "removed");
    t.is(p01.removed, base.get("prod")!.get("stone-prod-p01")!.size);
    t.true(p01.removed > 20);
    t.is(p01.added + p01.changed, 0);
    const m01 = by.get("stone-prd-m01")!;
    t.is(m01.status, "changed");
    t.deepEqual(
        m01.changes.map((c) => `${c.kind} ${c.file}`),
        [`changed ${TEKTONCONFIG}`],
    );
    t.true(
        m01.changes[0]!.diff.includes(`-      replicas: ${BEFORE}`) &&
            m01.changes[0]!.diff.includes(`+      replicas: ${AFTER}`),
        m01.changes[0]!.diff.join("\n"),
    );
    // The gateway host: its TektonConfig, and the SprayProxy backends (one member fewer) change too.
    const rh01 = by.get("stone-prd-rh01")!;
    t.true(rh01.changes.some((c) => c.file === TEKTONCONFIG));
    t.true(
        rh01.changes.some(
            (c) =>
                c.kind === "changed" &&
                c.file.startsWith("apps_Deployment_") &&
                c.diff.some((l) => l.startsWith("-") && l.includes("stone-prod-p01")),
        ),
        rh01.changes.map((c) => c.file).join(", "),
    );
    t.is(rh01.added + rh01.removed, 0);
    // When prod syncs through kcp, the kcp workspace loses p01's SyncTarget.
    if (by.has("kcp"))
        t.true(by.get("kcp")!.changes.some((c) => c.kind === "removed" && c.file.includes("stone-prod-p01")));
});

test("the Markdown: counts table, the field change in a diff block, the removed cluster, policy results escaped", async (t) => {
    t.timeout(40 * 60_000);
    const { base, head } = await renders;
    const violation: Violation = {
        stack: "prod",
        environment: "prod",
        rule: "catalog-source-grpc-digest-pinned",
        policyPack: "pipeline-service",
        enforcementLevel: "mandatory",
        urn: "urn:pulumi:prod::pipeline-service::kubernetes:operators.coreos.com/v1alpha1:CatalogSource::stone-prd-m01-osp-catalog",
        resourceType: "kubernetes:operators.coreos.com/v1alpha1:CatalogSource",
        resourceName: "stone-prd-m01-osp-catalog",
        message: "The image must be pinned like <repository>@sha256:<64 hex digits> | not a tag.",
    };
    const md = prSummary({ base, head, audits: [{ stack: "prod", violations: [violation] }] });
    t.true(md.length < GITHUB_COMMENT_LIMIT);
    t.regex(md, /## Stack `prod` ❌ 1 mandatory violation\(s\)/);
    const removed = base.get("prod")!.get("stone-prod-p01")!.size;
    t.regex(md, new RegExp(`\\| stone-prod-p01 \\| removed \\| 0 \\| 0 \\| ${removed} \\| 0 \\| 0 / 0 \\|`));
    t.regex(md, /\| stone-prd-m01 \| changed \| 0 \| 1 \| 0 \| \d+ \| 1 \/ 0 \|/);
    t.regex(
        md,
        new RegExp(
            "```diff\\n--- base/prod/stone-prd-m01/operator\\.tekton\\.dev_TektonConfig___config\\.yaml\\n\\+\\+\\+ " +
                `head/prod/stone-prd-m01/operator\\.tekton\\.dev_TektonConfig___config\\.yaml\\n@@[^\\n]*@@\\n[\\s\\S]*?-      replicas: ${BEFORE}\\n\\+      replicas: ${AFTER}\\n`,
        ),
    );
    // The removed cluster's diff is long, so it is collapsed (shown in full when the size limit allows: prod's
    // objects have grown so far that the whole comment no longer fits in GitHub's limit, see the truncation test).
    const unlimited = prSummary({
        base,
        head,
        audits: [{ stack: "prod", violations: [violation] }],
        limit: Number.MAX_SAFE_INTEGER,
    });
    t.regex(
        unlimited,
        /<details><summary>stone-prod-p01: 0 added, 0 changed, \d+ removed \(\d+ diff lines\)<\/summary>\n\n````?diff\n--- base\/prod\/stone-prod-p01\//,
    );
    // Placeholders survive Markdown: escaped, never a raw tag; the pipe does not split the table cell.
    t.true(md.includes("&lt;repository&gt;@sha256:&lt;64 hex digits&gt; \\| not a tag."));
    t.false(md.includes("<repository>"));
    t.regex(
        md,
        /\| mandatory \| `catalog-source-grpc-digest-pinned` \| stone-prd-m01 \| `kubernetes:operators\.coreos\.com\/v1alpha1:CatalogSource` stone-prd-m01-osp-catalog \|/,
    );
});

test("over GitHub's size limit the comment is truncated with a note, keeping counts and policy results", async (t) => {
    t.timeout(40 * 60_000);
    const { base } = await renders;
    // Every prod object replaced by a large one: far more diff than one comment holds.
    const big: RenderTree = new Map([
        [
            "prod",
            new Map(
                [...base.get("prod")!].map(([c, files]) => [
                    c,
                    new Map([...files].map(([f, content]) => [f, content + "x".repeat(80).concat("\n").repeat(60)])),
                ]),
            ),
        ],
    ]);
    const md = prSummary({ base, head: big, audits: [{ stack: "prod", violations: [] }] });
    t.true(md.length <= GITHUB_COMMENT_LIMIT, `${md.length} characters`);
    t.regex(md, /\*\*Truncated:\*\* the full manifest diff did not fit/);
    t.regex(md, /\| stone-prd-rh01 \| changed \| 0 \| \d+ \| 0 \| 0 \| 0 \/ 0 \|/);
    t.regex(md, /Diff of \d+ line\(s\) omitted/);
    t.regex(md, /No policy violations\./);
    // A limit that even the counts do not fit in still holds, by cutting with a note.
    const cut = prSummary({ base, head: big, limit: 600 });
    t.true(cut.length <= 600, `${cut.length}`);
    t.regex(cut, /Truncated\*\* here/);
});

test("escapeCell keeps placeholders visible and table cells whole", (t) => {
    t.is(
        escapeCell("use <repository>@sha256:<hex> & a|b\nnext"),
        "use &lt;repository&gt;@sha256:&lt;hex&gt; &amp; a\\|b next",
    );
});

test("identical trees: no changes, every cluster unchanged", async (t) => {
    t.timeout(40 * 60_000);
    const { base } = await renders;
    const diffs = diffRenderTrees(base, base);
    t.is(diffs.length, base.get("prod")!.size);
    t.true(diffs.length >= 3);
    for (const d of diffs) t.like(d, { status: "unchanged", added: 0, changed: 0, removed: 0, changes: [] });
    t.regex(prSummary({ base, head: base }), /0 object\(s\) added, 0 changed, 0 removed/);
});
