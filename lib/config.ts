/**
 * Typed stack configuration for Pipeline Service.
 *
 * Layers, merged in this order (later wins, see lib/merge.ts):
 *   1. {@link DEFAULTS}: the values upstream Pipeline Service deployed (sources cited per field);
 *   2. the stack's `pipeline-service:*` keys (the environment);
 *   3. `clusters[i].overrides` (one compute cluster).
 *
 * Every layer is validated with zod before any resource is registered. A bad value raises
 * {@link ConfigError}, whose message names each bad key as it is written in `Pulumi.<stack>.yaml`
 * (e.g. `pipeline-service:clusters[1].overrides.osp.catalog.image`) and says how to fix it. Secret values are
 * never echoed.
 */
export * from "./config/rules.js";
export {
    ClusterSchema,
    KubeconfigSchema,
    PROJECT,
    SettingsOverrideSchema,
    SettingsSchema,
    StackSchema,
} from "./config/schema.js";
export type { ClusterInput, KubeconfigRef, PipelineServiceConfig, ResolvedCluster, Settings } from "./config/schema.js";
export {
    ADR_0025_SERVICE_ACCOUNT,
    DEFAULTS,
    defaultServiceAccountOf,
    ENVIRONMENT_DEFAULTS,
    PHASE1_SERVICE_ACCOUNT,
} from "./config/defaults.js";
export { ConfigError, didYouMean, kcpProblems, KNOWN_KEYS, resolveConfig } from "./config/validate.js";
export type { Problem } from "./config/validate.js";
export { kubeconfigSecret, loadConfig } from "./config/load.js";
export {
    FORBIDDEN_TENANT_GROUPS,
    PLATFORM_ACCESS_DEFAULTS,
    PlatformAccessSchema,
    PoolSchema,
    RESERVED_TENANT_NAME,
    resolveTenant,
    TENANT_DEFAULTS,
    TENANT_ROLES,
    tenantProblems,
    TenantSchema,
    tenantWorkspace,
} from "./config/tenants.js";
export type { PlatformAccess, Pool, Subjects, Tenant, TenantRole } from "./config/tenants.js";
