/** Fixture inputs taken from what the program (index.ts with Pulumi.prod.yaml) registers under mocks. */
import type { ResourceInput, StackResourceInput } from "./harness.js";
import { captureProgram, one, ofKind, toResourceInput, toStackInputs, type Captured } from "./program.js";

/** Every resource of the prod program, as stack policy input. */
export async function programStack(): Promise<StackResourceInput[]> {
    const all = await captureProgram();
    return toStackInputs(all);
}

/** The prod program's resources of a kind, as resource policy input. */
export async function programResources(group: string, kind: string): Promise<ResourceInput[]> {
    const all = await captureProgram();
    return ofKind(all, group, kind).map((c) => toResourceInput(c, all));
}

/** One resource of the prod program by kind and metadata.name (the first cluster's, when several match). */
export async function programResource(group: string, kind: string, name: string | RegExp): Promise<ResourceInput> {
    const all = await captureProgram();
    return toResourceInput(one(all, group, kind, name), all);
}

/** Resource policy input for captured resources of another capture (solo cluster, generated secrets). */
export function inputsOf(list: Captured[], group: string, kind: string, name?: string | RegExp): ResourceInput[] {
    const hits = name === undefined ? ofKind(list, group, kind) : [one(list, group, kind, name)];
    return hits.map((c) => toResourceInput(c, list));
}

/** Drop the resources a predicate selects (to build an incomplete stack). */
export function without(stack: StackResourceInput[], drop: (r: StackResourceInput) => boolean): StackResourceInput[] {
    return stack.filter((r) => !drop(r));
}

export function metaName(r: ResourceInput): string | undefined {
    return (r.props.metadata as { name?: string } | undefined)?.name;
}
