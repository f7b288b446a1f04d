/** The summary's tenants block (scripts/lib/tenantSummary.ts) from exported state. */
import test from "ava";
import { tenantLines } from "../../scripts/lib/tenantSummary.js";

const T = "urn:pulumi:local::pipeline-service::pipeline-service:tenant:Tenant::tenant-tenant-a";
const B = "urn:pulumi:local::pipeline-service::pipeline-service:tenant:Tenant::tenant-tenant-b";

test("one row per tenant: name, pool, kind, where, and the Kubernetes objects under it (nested components included)", (t) => {
    const lines = tenantLines([
        {
            type: "pipeline-service:tenant:Tenant",
            urn: B,
            outputs: { name: "tenant-b", pool: "general", placement: ["compute-1/tenant-b"] },
        },
        {
            type: "pipeline-service:tenant:Tenant",
            urn: T,
            outputs: {
                name: "tenant-a",
                pool: "isolated",
                workspacePath: "root:pipeline-service:tenant-a",
                placement: ["root:pipeline-service:tenant-a"],
            },
        },
        { type: "kubernetes:tenancy.kcp.io/v1alpha1:Workspace", urn: `${T}-ws`, parent: T },
        { type: "pipeline-service:kcp:KcpConsumerWorkspace", urn: `${T}-binding`, parent: T },
        { type: "kubernetes:scheduling.kcp.io/v1alpha1:Placement", urn: `${T}-placement`, parent: `${T}-binding` },
        { type: "pulumi:providers:kubernetes", urn: `${T}-kcp`, parent: T },
        { type: "kubernetes:core/v1:Namespace", urn: `${B}-ns`, parent: B },
        { type: "kubernetes:core/v1:Namespace", urn: "urn:other", parent: "" },
    ]);
    t.is(lines[0], "");
    t.regex(lines[1]!, /^TENANT\s+POOL\s+KIND\s+WHERE\s+OBJECTS$/);
    t.regex(lines[2]!, /^tenant-a\s+isolated\s+kcp workspace\s+root:pipeline-service:tenant-a\s+2$/);
    t.regex(lines[3]!, /^tenant-b\s+general\s+namespace\s+compute-1\/tenant-b\s+1$/);
    t.is(lines.length, 4);
});

test("no tenant, no block", (t) => {
    t.deepEqual(tenantLines([{ type: "kubernetes:core/v1:Namespace", urn: "urn:x" }]), []);
});
