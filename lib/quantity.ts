/**
 * Kubernetes resource quantities (`500m`, `2`, `512Mi`, `1G`), as the API server parses them for ResourceQuota and
 * LimitRange values (k8s.io/apimachinery `pkg/api/resource` Quantity: a decimal number with an optional binary
 * suffix Ki..Ei, a decimal suffix m, k, M..E, or none). Pure; the exponent form (`1e3`) is refused, the stack
 * files never need it.
 */

/** A quantity this module reads: a non-negative decimal number with an optional suffix. */
export const QUANTITY = /^([0-9]+(\.[0-9]+)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

const FACTOR: Record<string, number> = {
    "": 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};

/**
 * The value of a quantity in base units (cores for CPU, bytes for memory): `500m` → 0.5, `1Gi` → 1073741824.
 *
 * @throws Error when `q` is not a quantity of the form {@link QUANTITY}.
 */
export function quantityValue(q: string): number {
    const m = QUANTITY.exec(q);
    if (!m) throw new Error(`'${q}' is not a Kubernetes quantity such as 500m, 2, 512Mi or 1Gi`);
    return Number(m[1]) * FACTOR[m[3] ?? ""]!;
}
