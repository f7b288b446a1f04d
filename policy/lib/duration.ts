/**
 * Go durations as Kubernetes and ESO spell them (`metav1.Duration`: `5m`, `1h0m0s`, `90s`, `1.5h`, `-10m`, `0`).
 * Pure, so the rules do not depend on the program's own parser (lib/config.ts accepts only positive h/m/s).
 */
const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Seconds in `d`, negative when `d` starts with `-`; undefined when `d` is not a Go duration. */
export function goDurationSeconds(d: string): number | undefined {
    const s = d.trim();
    if (s === "0" || s === "+0" || s === "-0") return 0;
    const m = /^([+-]?)((?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|ms|s|m|h))+$/.exec(s);
    if (!m) return undefined;
    let total = 0;
    for (const part of s.replace(/^[+-]/, "").matchAll(/([0-9]*\.?[0-9]*)(ns|us|µs|ms|s|m|h)/g)) {
        total += Number(part[1]) * UNIT_SECONDS[part[2]!]!;
    }
    return m[1] === "-" ? -total : total;
}
