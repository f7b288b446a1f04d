/**
 * What the real program registers, captured under Pulumi mocks, turned into the arguments the policy runtime
 * builds: so an "allowed" fixture is exactly what `index.ts` and the components in components/*.ts produce.
 *
 * Each ava file is its own process (`workerThreads: false`); `setMocks` and config are process-global, so a test
 * file calls {@link installProgramMocks} once, for one stack.
 *
 * The mock monitor's `newResource` sees no parent, so `registerResource` is wrapped to record the request's parent
 * and the URN the monitor answers with. Providers keep their inputs as props (the engine hands policies the
 * provider's inputs, e.g. `clusterIdentifier`); a custom resource with no provider reference gets the default
 * provider's URN, as the engine assigns it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type Collected, collected, installMocks, settle as settleMocks } from "../../helpers/mocks.js";
import { PROJECT, ROOT } from "../../helpers/paths.js";
import { configOf, stackValues } from "../../helpers/stack.js";
import { unwrapSecrets } from "../../helpers/secrets.js";
import type { ProviderInput, ResourceInput, StackResourceInput } from "./harness.js";

export { PROJECT, ROOT } from "../../helpers/paths.js";
export { stackValues } from "../../helpers/stack.js";
export { unwrapSecrets } from "../../helpers/secrets.js";

/** A resource the program registered under the shared mock collector (test/helpers/mocks.ts). */
export type Captured = Collected;

/** Everything registered since {@link installProgramMocks}. */
export const captured: Captured[] = collected;
let stackName = "";

/** A policy config file, policy/config/<env>.json. */
export function policyConfigFile(env: string): Record<string, unknown> {
    return JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "config", `${env}.json`), "utf8")) as Record<
        string,
        unknown
    >;
}

/** The properties a config file gives one policy (what the CLI sends it, besides the enforcement level). */
export function policyConfigFor(file: Record<string, unknown>, policy: string): Record<string, unknown> {
    const v = file[policy];
    return v !== null && typeof v === "object" ? { ...(v as Record<string, unknown>) } : {};
}

/** Install the shared mock collector for stack `stack` with the values of `Pulumi.<stack>.yaml` (or `values`). */
export async function installProgramMocks(
    stack: string,
    values: Record<string, unknown> = stackValues(stack),
): Promise<void> {
    if (stackName === stack) return;
    if (stackName) throw new Error(`mocks already installed for stack ${stackName}; use one stack per test file`);
    stackName = stack;
    await installMocks(stack, configOf(values));
}

/** Wait until every registration the program started has been answered; fails on one left without a URN. */
export async function settle(): Promise<void> {
    await settleMocks();
    const pending = captured.filter((c) => !c.urn);
    if (pending.length)
        throw new Error(`registrations without a URN after settling: ${pending.map((c) => c.name).join(", ")}`);
}

/** Run `register` (which creates resources) and return what it registered. */
export async function captureDuring(register: () => unknown): Promise<Captured[]> {
    const from = captured.length;
    await register();
    await settle();
    return captured.slice(from);
}

let programOnce: Promise<Captured[]> | undefined;

/** Import index.ts once, under the installed mocks, and return every resource it registered. */
export function captureProgram(): Promise<Captured[]> {
    programOnce ??= captureDuring(() => import("../../../index.js"));
    return programOnce;
}

// ---------------------------------------------------------------------------------------------------------------
// Conversion to policy arguments

function refUrn(ref: string): string {
    return ref.slice(0, ref.lastIndexOf("::"));
}

/** The provider a captured resource is managed by, as the engine describes it. */
export function providerOf(c: Captured, all: Captured[]): ProviderInput | undefined {
    if (!c.custom || c.type.startsWith("pulumi:providers:")) return undefined;
    if (!c.provider) {
        const pkg = c.type.split(":")[0]!;
        return {
            urn: `urn:pulumi:${stackName}::${PROJECT}::pulumi:providers:${pkg}::default_4_25_0`,
            type: `pulumi:providers:${pkg}`,
            props: {},
        };
    }
    const urn = refUrn(c.provider);
    const p = all.find((x) => x.urn === urn);
    return {
        urn,
        type: p?.type ?? "pulumi:providers:kubernetes",
        name: p?.name,
        props: unwrapSecrets(p?.inputs ?? {}) as Record<string, unknown>,
    };
}

export function toResourceInput(c: Captured, all: Captured[]): ResourceInput {
    return {
        type: c.type,
        name: c.name,
        urn: c.urn,
        props: unwrapSecrets(c.inputs) as Record<string, unknown>,
        provider: providerOf(c, all) ?? null,
    };
}

export function toStackInputs(list: Captured[], all: Captured[] = list): StackResourceInput[] {
    return list.map((c) => ({ ...toResourceInput(c, all), urn: c.urn, parent: c.parent || undefined }));
}

/** The captured resources of a Kubernetes kind (any API version), e.g. `kind(list, "apps", "Deployment")`. */
export function ofKind(list: Captured[], group: string, kind: string): Captured[] {
    return list.filter((c) => new RegExp(`^kubernetes:${group.replace(/\./g, "\\.")}/[^:]+:${kind}$`).test(c.type));
}

/** The one captured resource of a kind whose metadata.name matches. */
export function one(list: Captured[], group: string, kind: string, name: string | RegExp): Captured {
    const hits = ofKind(list, group, kind).filter((c) => {
        const n = (c.inputs.metadata as { name?: string } | undefined)?.name ?? "";
        return typeof name === "string" ? n === name : name.test(n);
    });
    if (hits.length < 1) throw new Error(`no ${group}/${kind} named ${name} among ${list.length} resources`);
    return hits[0]!;
}

/** Every resource whose parent chain reaches `ancestorUrn`, the ancestor included. */
export function subtree(list: Captured[], ancestorUrn: string): Captured[] {
    const byUrn = new Map(list.map((c) => [c.urn, c] as const));
    return list.filter((c) => {
        for (let u: string | undefined = c.urn; u; u = byUrn.get(u)?.parent || undefined)
            if (u === ancestorUrn) return true;
        return false;
    });
}
