/**
 * Value rules of the stack configuration: pure regular expressions and functions, with no dependency on zod or the
 * Pulumi SDK, so the policy pack can import them. lib/config.ts re-exports everything here.
 */

/** An image reference pinned by digest: `<repository>@sha256:<64 hex>`. */
export const DIGEST_PINNED =
    /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9._-]+)+(:[\w][\w.-]{0,127})?@sha256:[a-f0-9]{64}$/;
/**
 * An image pinned by digest, or by an immutable git-commit tag (7 to 40 hex digits), the two forms upstream ships
 * (constraint 38: CatalogSource by digest; Results, exporter and SprayProxy by commit-SHA tag).
 */
export const PINNED_IMAGE =
    /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9._-]+)+((:[\w][\w.-]{0,127})?@sha256:[a-f0-9]{64}|:[a-f0-9]{7,40})$/;
/** A Go duration such as `10m`, `1h30m`, `2h`; strictly positive. */
export const GO_DURATION = /^(?!(0+[hms])+$)([0-9]+(h|m|s))+$/;
/** Resources the kcp syncer must never sync (inventory §2.8, constraint 42). */
export const FORBIDDEN_SYNCED_RESOURCES = ["taskruns.tekton.dev", "runs.tekton.dev", "customruns.tekton.dev"];

/** Seconds in a Go duration (`1h30m` → 5400). */
export function durationSeconds(d: string): number {
    let total = 0;
    for (const m of d.matchAll(/([0-9]+)(h|m|s)/g))
        total += Number(m[1]) * { h: 3600, m: 60, s: 1 }[m[2] as "h" | "m" | "s"];
    return total;
}

/** Any image reference with a tag or a digest; how strictly it must be pinned is an environment rule. */
export const IMAGE_REFERENCE =
    /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9._-]+)+((:[\w][\w.-]{0,127})(@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64})$/;
