/**
 * Tenants, resource pools and platform access in the stack configuration (issue 12): the zod schemas of the
 * stack-level keys `pipeline-service:tenants`, `pipeline-service:pools` and `pipeline-service:access`, their defaults,
 * and the cross-key rules (unknown pool, duplicate tenant, a group bound to an unknown role, a quota below one
 * PipelineRun), each reported with the key path as written in `Pulumi.<stack>.yaml`. Pure: no Pulumi runtime.
 *
 * What a tenant is depends on the environment's `kcp.enabled` (components/tenants.ts):
 * - Phase 1 (kcp on): a kcp workspace `<platform>:<name>` below the platform's workspace (the parent of
 *   `kcp.workspace`), bound to the compute workspace and placed on its pool's Location;
 * - ADR-0009 (kcp off): a namespace `<name>` on every compute cluster of its pool, with the `appstudio-pipeline`
 *   ServiceAccount (ADR-0025), a ResourceQuota and a LimitRange.
 *
 * Sources: ../shared/docs/upstream-conformance.md §3 (lifecycle table: tenant onboarding, access, quotas, resource
 * pools) and §4 item 7; pipeline-service-inventory.md §2.13 (SCC, SRE RBAC, the kcp workspace controller).
 */
import { z } from "zod";
import { DNS_LABEL } from "../naming.js";
import { QUANTITY, quantityValue } from "../quantity.js";

/** The roles a tenant's groups and users can be bound to (components/tenants.ts `buildTenantRoleRules`). */
export const TENANT_ROLES = ["admin", "edit", "view"] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

/** Subjects no tenant role may be bound to: every user, every anonymous request, the cluster's superusers. */
export const FORBIDDEN_TENANT_GROUPS = [
    "system:authenticated",
    "system:unauthenticated",
    "system:masters",
    "system:cluster-admins",
];

/**
 * Names a tenant cannot take: its namespace (ADR-0009) or workspace (Phase 1) would be a platform one (Kubernetes
 * and OpenShift system namespaces, `openshift-pipelines`, the gateway's, the syncers', ESO's and the local secret
 * backend's).
 */
export const RESERVED_TENANT_NAME =
    /^(default|kube-.*|openshift|openshift-.*|kcp-.*|sprayproxy|gateway|external-secrets.*|pipeline-service.*|compute)$/;

const subjectName = z
    .string({ error: "must be a group or user name" })
    .trim()
    .min(1, "must not be empty (a group or user name)")
    .max(253, "must be at most 253 characters");
const quantity = (what: string) =>
    z
        .string({ error: `must be a quantity such as 500m, 2 or 1Gi (${what})` })
        .regex(QUANTITY, `must be a Kubernetes quantity such as 500m, 2, 512Mi or 1Gi (${what})`);
const cpuMemory = z.strictObject({ cpu: quantity("CPU cores").optional(), memory: quantity("bytes").optional() });

/** Groups and users bound to one role. */
export const SubjectsSchema = z.strictObject({
    groups: z.array(subjectName).optional(),
    users: z.array(subjectName).optional(),
});

/** A resource pool: a named set of compute clusters (`clusters[].pool`). */
export const PoolSchema = z.strictObject({
    name: z
        .string({ error: "must be a pool name" })
        .regex(DNS_LABEL, "must be a DNS label (lower-case letters, digits and '-', at most 63 characters)"),
    description: z.string().optional(),
});

export const TenantSchema = z.strictObject({
    /** The workspace name (Phase 1) or namespace (ADR-0009). Konflux tenant namespaces end in `-tenant` (inventory §2.5). */
    name: z
        .string({ error: "must be a tenant name" })
        .regex(DNS_LABEL, "must be a DNS label (lower-case letters, digits and '-', at most 63 characters)"),
    /** The pool whose clusters run the tenant's PipelineRuns (`pools[].name`). */
    pool: z
        .string({ error: "must name a pool of pipeline-service:pools" })
        .regex(DNS_LABEL, "must be a pool name (a DNS label)"),
    /** Groups and users per role (`admin`, `edit`, `view`); editing them changes only the role bindings. */
    access: z.record(z.string(), SubjectsSchema).optional(),
    /** The ResourceQuota (ADR-0009; defaults {@link TENANT_DEFAULTS}). */
    quota: z
        .strictObject({
            pipelineRuns: z
                .number({ error: "must be a number of PipelineRuns" })
                .int("must be a whole number")
                .min(
                    1,
                    "must allow at least one PipelineRun (count/pipelineruns.tekton.dev); to stop a tenant, remove its entry instead",
                ),
            pods: z
                .number({ error: "must be a number of pods" })
                .int("must be a whole number")
                .min(1, "must allow at least one pod, the least one PipelineRun needs (one TaskRun pod)"),
            cpu: quantity("requests.cpu, CPU cores"),
            memory: quantity("requests.memory, bytes"),
        })
        .partial()
        .optional(),
    /** The LimitRange of the tenant namespace: container default requests and limits, optional maxima. */
    limitRange: z.strictObject({ defaultRequest: cpuMemory, default: cpuMemory, max: cpuMemory }).partial().optional(),
});

/** Platform roles (infra-deployments `components/pipeline-service/base/rbac`, inventory §2.13). */
export const PlatformAccessSchema = z.strictObject({
    /** Bound to ClusterRole `pipeline-service-sre`, and to `edit` in `openshift-pipelines`. */
    sre: SubjectsSchema.optional(),
    /** Bound to ClusterRole `tekton-results-readonly` (inventory §2.13 testing namespace, §4.1 results check). */
    resultsReaders: SubjectsSchema.optional(),
});

export interface Subjects {
    groups: string[];
    users: string[];
}

export interface Pool {
    name: string;
    description?: string;
}

/** A tenant with every default filled in. */
export interface Tenant {
    name: string;
    pool: string;
    /** Every role, with the subjects bound to it (empty lists for roles nobody holds). */
    access: Record<TenantRole, Subjects>;
    quota: { pipelineRuns: number; pods: number; cpu: string; memory: string };
    limitRange: {
        defaultRequest: { cpu: string; memory: string };
        default: { cpu: string; memory: string };
        max: { cpu?: string; memory?: string };
    };
}

export interface PlatformAccess {
    sre: Subjects;
    resultsReaders: Subjects;
}

/**
 * Defaults of a tenant's quota and limit range. Upstream's numbers are not recorded in the docs (Phase 1 used the
 * pipeline-service-workspace-controller's quotas, inventory §2.13; RHTAP's LimitRanges are only cited as the reason
 * for checkov skips, inventory §4.1), so these are a judgement: room for 50 concurrent PipelineRuns of a few
 * TaskRun pods each, pods requesting 100m/256Mi and limited to 2 cores/2Gi unless they say otherwise.
 */
export const TENANT_DEFAULTS: Omit<Tenant, "name" | "pool" | "access"> = Object.freeze({
    quota: { pipelineRuns: 50, pods: 100, cpu: "20", memory: "64Gi" },
    limitRange: { defaultRequest: { cpu: "100m", memory: "256Mi" }, default: { cpu: "2", memory: "2Gi" }, max: {} },
});

/** The SRE group of infra-deployments `base/rbac` (Group `Pipeline Service`, later `konflux-pipeline-service`, inventory §2.13). */
export const PLATFORM_ACCESS_DEFAULTS: PlatformAccess = Object.freeze({
    sre: { groups: ["konflux-pipeline-service"], users: [] },
    resultsReaders: { groups: [], users: [] },
});

type TenantInput = z.infer<typeof TenantSchema>;
type SubjectsInput = z.infer<typeof SubjectsSchema>;

const subjects = (s: SubjectsInput | undefined): Subjects => ({
    groups: [...(s?.groups ?? [])],
    users: [...(s?.users ?? [])],
});

/** A tenant entry with the defaults filled in (unknown roles are dropped; {@link tenantProblems} reports them). */
export function resolveTenant(t: TenantInput): Tenant {
    const d = TENANT_DEFAULTS;
    const lr = t.limitRange ?? {};
    return {
        name: t.name,
        pool: t.pool,
        access: Object.fromEntries(TENANT_ROLES.map((r) => [r, subjects(t.access?.[r])])) as Record<
            TenantRole,
            Subjects
        >,
        quota: { ...d.quota, ...t.quota },
        limitRange: {
            defaultRequest: { ...d.limitRange.defaultRequest, ...lr.defaultRequest },
            default: { ...d.limitRange.default, ...lr.default },
            max: { ...lr.max },
        },
    };
}

export function resolvePlatformAccess(a: z.infer<typeof PlatformAccessSchema> | undefined): PlatformAccess {
    return {
        sre: a?.sre ? subjects(a.sre) : subjects(PLATFORM_ACCESS_DEFAULTS.sre),
        resultsReaders: a?.resultsReaders
            ? subjects(a.resultsReaders)
            : subjects(PLATFORM_ACCESS_DEFAULTS.resultsReaders),
    };
}

/** The tenant workspace of Phase 1: `<platform>:<name>`, the platform being the parent of the compute workspace. */
export function tenantWorkspace(computeWorkspace: string, name: string): string {
    return `${computeWorkspace.slice(0, Math.max(computeWorkspace.lastIndexOf(":"), 0))}:${name}`;
}

/** A problem with a key path (relative to `pipeline-service:`) and a message that says how to fix it. */
export interface TenantProblem {
    key: string;
    msg: string;
}

export interface TenantContext {
    pools: Pool[];
    tenants: TenantInput[];
    /** `state` defaults to active; a `removed` cluster runs nothing, so it does not keep a pool alive. */
    clusters: { name: string; pool?: string; index: number; state?: string }[];
    kcp: { enabled: boolean; workspace: string; consumerWorkspaces: string[] };
}

/**
 * Rules across `pools`, `tenants`, `clusters[].pool` and `kcp`: duplicate pools and tenants, a cluster or tenant
 * naming an unknown pool, a tenant's pool with no cluster (or only removed ones), a role other than admin/edit/view, a tenant role bound to
 * everyone, a quota that cannot hold one PipelineRun's pod under the limit range's default requests, a limit range
 * whose default request exceeds its default limit (or its limit the maximum), a reserved tenant name, and (Phase 1)
 * a tenant workspace that is the compute workspace or also a `kcp.consumerWorkspaces` entry.
 */
export function tenantProblems(c: TenantContext): TenantProblem[] {
    const out: TenantProblem[] = [];
    const say = (key: string, msg: string) => out.push({ key, msg });
    const poolNames = c.pools.map((p) => p.name);
    const known = poolNames.length ? `the pools are ${poolNames.join(", ")}` : "no pools are defined";
    c.pools.forEach((p, i) => {
        if (poolNames.indexOf(p.name) !== i)
            say(`pools[${i}].name`, `'${p.name}' is defined twice; pool names must be unique.`);
    });
    for (const cl of c.clusters) {
        if (cl.pool !== undefined && !poolNames.includes(cl.pool)) {
            say(
                `clusters[${cl.index}].pool`,
                `'${cl.pool}' is not a pool (${known}); add it to pipeline-service:pools or name one of them.`,
            );
        }
    }
    const names = c.tenants.map((t) => t.name);
    c.tenants.forEach((t, i) => {
        const at = `tenants[${i}]`;
        if (names.indexOf(t.name) !== i) {
            say(
                `${at}.name`,
                `'${t.name}' is already tenants[${names.indexOf(t.name)}]; each tenant is one workspace or namespace, so names must be unique.`,
            );
        }
        if (RESERVED_TENANT_NAME.test(t.name)) {
            say(
                `${at}.name`,
                `'${t.name}' is a platform namespace or workspace name (kube-*, openshift-*, kcp-*, default, the gateway's, ` +
                    "the syncers', ESO's, compute); name the tenant after its team, e.g. team-a-tenant.",
            );
        }
        if (!poolNames.includes(t.pool)) {
            say(
                `${at}.pool`,
                `'${t.pool}' is not a pool (${known}); add it to pipeline-service:pools with clusters[].pool set on its clusters, or name one of them.`,
            );
        } else if (!c.clusters.some((cl) => cl.pool === t.pool)) {
            say(
                `${at}.pool`,
                `no cluster is in pool '${t.pool}', so the tenant's PipelineRuns could run nowhere; set clusters[].pool: ${t.pool} on at least one cluster, or pick another pool.`,
            );
        } else if (!c.clusters.some((cl) => cl.pool === t.pool && cl.state !== "removed")) {
            const removed = c.clusters.filter((cl) => cl.pool === t.pool).map((cl) => cl.name);
            say(
                `${at}.pool`,
                `every cluster of pool '${t.pool}' (${removed.join(", ")}) is removed, so the tenant's PipelineRuns could run nowhere; move the tenant to another pool (tenants[${i}].pool) in the same change, or keep a cluster of the pool.`,
            );
        }
        for (const [role, s] of Object.entries(t.access ?? {})) {
            if (!(TENANT_ROLES as readonly string[]).includes(role)) {
                say(
                    `${at}.access.${role}`,
                    `'${role}' is not a tenant role; groups and users can be bound to ${TENANT_ROLES.join(", ")} only.`,
                );
                continue;
            }
            (s.groups ?? []).forEach((g, j) => {
                if (FORBIDDEN_TENANT_GROUPS.includes(g)) {
                    say(
                        `${at}.access.${role}.groups[${j}]`,
                        `'${g}' would give the tenant's ${role} role to every user it contains; bind the tenant's own groups instead.`,
                    );
                }
            });
        }
        const r = resolveTenant(t);
        for (const res of ["cpu", "memory"] as const) {
            const req = r.limitRange.defaultRequest[res];
            const lim = r.limitRange.default[res];
            const max = r.limitRange.max[res];
            if (quantityValue(r.quota[res]) < quantityValue(req)) {
                say(
                    `${at}.quota.${res}`,
                    `${r.quota[res]} is below one PipelineRun: it needs at least one pod, which requests ` +
                        `limitRange.defaultRequest.${res} ${req} by default; raise the quota or lower the default request.`,
                );
            }
            if (quantityValue(req) > quantityValue(lim)) {
                say(
                    `${at}.limitRange.defaultRequest.${res}`,
                    `${req} exceeds the default limit limitRange.default.${res} ${lim}, which the API server refuses; lower the request or raise the limit.`,
                );
            }
            if (max !== undefined && quantityValue(lim) > quantityValue(max)) {
                say(
                    `${at}.limitRange.default.${res}`,
                    `${lim} exceeds limitRange.max.${res} ${max}, which the API server refuses; lower the default limit or raise the maximum.`,
                );
            }
        }
        if (c.kcp.enabled && names.indexOf(t.name) === i) {
            const ws = tenantWorkspace(c.kcp.workspace, t.name);
            if (ws === c.kcp.workspace) {
                say(
                    `${at}.name`,
                    `'${t.name}' would make the tenant's workspace ${ws} the compute workspace itself; name the tenant after its team.`,
                );
            }
            const j = c.kcp.consumerWorkspaces.indexOf(ws);
            if (j >= 0) {
                say(
                    `kcp.consumerWorkspaces[${j}]`,
                    `'${ws}' is also tenant ${t.name}'s workspace, which the tenant binds and places on its pool; remove it from kcp.consumerWorkspaces.`,
                );
            }
        }
    });
    return out;
}
