/**
 * Secret values as the SDK serializes them: `{ <sig>: <secret sig>, value }` (pulumi/sdk/nodejs/runtime/rpc.ts
 * `specialSigKey`, `specialSecretSig`).
 */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Whether a mock input value arrived as a secret. */
export function isSecretValue(v: unknown): boolean {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** The plain value of a (possibly secret) mock input, one level deep. */
export function unsecret<T = unknown>(v: unknown): T {
    return (isSecretValue(v) ? (v as { value: unknown }).value : v) as T;
}

/** Every secret unwrapped to its plain value, at any depth (what the policy runtime's deserializeProperties does). */
export function unwrapSecrets(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(unwrapSecrets);
    if (v !== null && typeof v === "object") {
        if (isSecretValue(v)) return unwrapSecrets((v as { value: unknown }).value);
        return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, unwrapSecrets(x)]));
    }
    return v;
}
