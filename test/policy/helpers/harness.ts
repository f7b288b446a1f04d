/**
 * Runs policies the way the analyzer does (`@pulumi/policy` 1.15.0 server.js), without starting a PolicyPack
 * (whose constructor starts a gRPC server and exits the process when a second pack is built):
 *
 * - props are deep-copied the way deserialization yields them (plain objects and arrays, no `undefined`, nothing
 *   frozen), then wrapped in `unknownCheckingProxy`, so a rule that reads a preview-unknown value throws
 *   `UnknownValueError` as it would at runtime (pulumi/pulumi-policy#445);
 * - `getConfig()` returns the policy's `configSchema` defaults overlaid with the given config, as the CLI's
 *   ReconcilePolicyPackConfig does, minus `enforcementLevel`;
 * - an `UnknownValueError` becomes a preview note (the runtime's advisory "can't run ... during preview"),
 *   any other error fails the test;
 * - stack policies get `PolicyResource`s with `parent` and `provider` filled in.
 */
import { createRequire } from "node:module";
import type {
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";

const require = createRequire(import.meta.url);

/** `@pulumi/policy/proxy`: the 1.15.0 .d.ts hides these (`@internal`); the JS exports them. */
export const policyProxy = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy<T>(value: T): T;
    UnknownValueError: new (...args: never[]) => Error;
    unknownStringValue: string;
    unknownArrayValue: string;
    unknownObjectValue: string;
};

/** The sentinel the engine sends for a value unknown during preview. */
export const UNKNOWN = policyProxy.unknownStringValue;

export type Policy = ResourceValidationPolicy | StackValidationPolicy;

export function isStackPolicy(p: Policy): p is StackValidationPolicy {
    return typeof (p as StackValidationPolicy).validateStack === "function";
}

/** A provider as the engine describes it to policies. */
export interface ProviderInput {
    urn: string;
    name?: string;
    type?: string;
    props?: Record<string, unknown>;
}

/** One resource handed to a resource policy. */
export interface ResourceInput {
    type: string;
    props: Record<string, unknown>;
    name?: string;
    urn?: string;
    /** `null`: the engine sent no provider (never happens for custom resources in 3.163). */
    provider?: ProviderInput | null;
    opts?: Partial<PolicyResourceOptions>;
}

/** One resource of a stack handed to a stack policy. */
export interface StackResourceInput extends ResourceInput {
    urn: string;
    /** URN of the parent resource, if any. */
    parent?: string;
}

export interface Outcome {
    violations: { message: string; urn?: string }[];
    /** Messages of UnknownValueErrors: the runtime reports "can't run <policy> during preview: <message>". */
    previewUnknowns: string[];
}

export const DEFAULT_OPTS: PolicyResourceOptions = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

/** Plain JSON data, as `deserializeProperties` produces it. */
export function deserialized<T>(value: T): T {
    return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** A policy's config as the CLI sends it: schema defaults, then the given config (without enforcementLevel). */
export function effectiveConfig(policy: Policy, config: Record<string, unknown> = {}): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        if (typeof schema === "object" && schema.default !== undefined) out[k] = deserialized(schema.default);
    }
    for (const [k, v] of Object.entries(config)) if (k !== "enforcementLevel") out[k] = deserialized(v);
    return out;
}

function urnOf(r: ResourceInput): string {
    return r.urn ?? `urn:pulumi:test::pipeline-service::${r.type}::${r.name ?? "fixture"}`;
}

function providerOf(p: ProviderInput | null | undefined): PolicyProviderResource | undefined {
    if (!p) return undefined;
    return {
        type: p.type ?? "pulumi:providers:kubernetes",
        urn: p.urn,
        name: p.name ?? p.urn.split("::").pop()!,
        props: policyProxy.unknownCheckingProxy(deserialized(p.props ?? {})),
    };
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
    const isInstance = (resourceClass as { isInstance?: (o: unknown) => boolean }).isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

function recorder(out: Outcome) {
    return (message: string, urn?: string) => out.violations.push(urn === undefined ? { message } : { message, urn });
}

async function guarded(out: Outcome, run: () => unknown): Promise<void> {
    try {
        await run();
    } catch (e) {
        if (e instanceof policyProxy.UnknownValueError) out.previewUnknowns.push((e as Error).message);
        else throw e;
    }
}

/** The `ResourceValidationArgs` the analyzer would build for `input`. */
export function resourceArgs(
    policy: Policy,
    input: ResourceInput,
    config?: Record<string, unknown>,
): ResourceValidationArgs {
    const props = policyProxy.unknownCheckingProxy(deserialized(input.props));
    const cfg = effectiveConfig(policy, config);
    const args: ResourceValidationArgs = {
        type: input.type,
        props,
        urn: urnOf(input),
        name: input.name ?? "fixture",
        opts: { ...DEFAULT_OPTS, ...input.opts },
        isType: (cls) => isTypeOf(input.type, cls),
        asType: ((cls: unknown) => (isTypeOf(input.type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => cfg as T,
    };
    const provider = providerOf(input.provider === undefined ? DEFAULT_TEST_PROVIDER : input.provider);
    if (provider) args.provider = provider;
    return args;
}

/** An explicit cluster provider, the default for resource fixtures. */
export const DEFAULT_TEST_PROVIDER: ProviderInput = {
    urn: "urn:pulumi:test::pipeline-service::pipeline-service:cluster:ComputeCluster$pulumi:providers:kubernetes::test-cluster-k8s",
    name: "test-cluster-k8s",
    props: { clusterIdentifier: "test-cluster" },
};

/** Run every `validateResource` of a resource policy on one resource. */
export async function runResourcePolicy(
    policy: Policy,
    input: ResourceInput,
    config?: Record<string, unknown>,
): Promise<Outcome> {
    const out: Outcome = { violations: [], previewUnknowns: [] };
    if (isStackPolicy(policy)) throw new Error(`${policy.name} is a stack policy`);
    const validations = Array.isArray(policy.validateResource)
        ? policy.validateResource
        : policy.validateResource
          ? [policy.validateResource]
          : [];
    for (const validate of validations) {
        // A fresh args object per validation, as the server builds one per call.
        const args = resourceArgs(policy, input, config);
        await guarded(out, () => validate(args, recorder(out)));
    }
    return out;
}

/** The `StackValidationArgs` the analyzer would build for `resources`. */
export function stackArgs(
    policy: Policy,
    resources: StackResourceInput[],
    config?: Record<string, unknown>,
): StackValidationArgs {
    const cfg = effectiveConfig(policy, config);
    const built = resources.map((r) => {
        const props = policyProxy.unknownCheckingProxy(deserialized(r.props));
        const resource: PolicyResource = {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name ?? r.urn.split("::").pop()!,
            opts: { ...DEFAULT_OPTS, ...r.opts, ...(r.parent ? { parent: r.parent } : {}) },
            dependencies: [],
            propertyDependencies: {},
            isType: (cls) => isTypeOf(r.type, cls),
            asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
        };
        const provider = providerOf(r.provider);
        if (provider) resource.provider = provider;
        return resource;
    });
    const byUrn = new Map(built.map((r) => [r.urn, r]));
    resources.forEach((r, i) => {
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        if (parent) built[i]!.parent = parent;
    });
    return { resources: built, getConfig: <T extends object>() => cfg as T };
}

/** Run a stack policy on `resources`. */
export async function runStackPolicy(
    policy: Policy,
    resources: StackResourceInput[],
    config?: Record<string, unknown>,
): Promise<Outcome> {
    if (!isStackPolicy(policy)) throw new Error(`${policy.name} is a resource policy`);
    const out: Outcome = { violations: [], previewUnknowns: [] };
    const args = stackArgs(policy, resources, config);
    await guarded(out, () => policy.validateStack(args, recorder(out)));
    return out;
}
