/**
 * The tenants block of `npm run up`'s summary (scripts/summary.ts), from the stack's exported state: every
 * `pipeline-service:tenant:Tenant` component's registered outputs (name, pool, placement: its kcp workspace, or
 * `<cluster>/<namespace>` per cluster) and how many Kubernetes objects it holds. Pure.
 */

/** A resource of `pulumi stack export` (the fields read here). */
export interface ExportedResource {
    type: string;
    urn?: string;
    parent?: string;
    outputs?: Record<string, unknown>;
}

export const TENANT_TYPE = "pipeline-service:tenant:Tenant";

/** One line per tenant, sorted by name, after a header; no lines when the stack has no tenant. */
export function tenantLines(resources: ExportedResource[]): string[] {
    const tenants = resources.filter((r) => r.type === TENANT_TYPE && r.urn);
    if (!tenants.length) return [];
    const rows = tenants
        .map((t) => {
            const o = t.outputs ?? {};
            const under = (urn: string | undefined): boolean => {
                for (let u = urn; u; u = resources.find((r) => r.urn === u)?.parent) if (u === t.urn) return true;
                return false;
            };
            const objects = resources.filter(
                (r) => r.type.startsWith("kubernetes:") && r.urn !== t.urn && under(r.parent),
            ).length;
            const placement = Array.isArray(o.placement) ? (o.placement as unknown[]).map(String).join(", ") : "";
            return [
                String(o.name ?? t.urn!.split("::").pop()),
                String(o.pool ?? ""),
                o.workspacePath ? "kcp workspace" : "namespace",
                placement,
                String(objects),
            ];
        })
        .sort((a, b) => a[0]!.localeCompare(b[0]!));
    const header = ["TENANT", "POOL", "KIND", "WHERE", "OBJECTS"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    return [
        "",
        ...[header, ...rows].map((r) =>
            r
                .map((v, i) => v.padEnd(widths[i]!))
                .join("  ")
                .trimEnd(),
        ),
    ];
}
