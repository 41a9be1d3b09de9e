/** One client's claim on a rule's reservoir: its recent request rate. */
export interface ReservoirClaim {
  id: string;
  rate: number;
}

/**
 * Splits a rule's reservoir (traces per second across the fleet) among its clients in proportion
 * to their request rates, in whole traces, by largest remainder so the quotas add up to the
 * reservoir exactly. Clients with no requests share evenly; ties go by client id, so the answer is
 * the same on every call.
 */
export function shareReservoir(size: number, claims: readonly ReservoirClaim[]): Map<string, number> {
  const out = new Map<string, number>();
  if (claims.length === 0) return out;
  const total = claims.reduce((sum, c) => sum + c.rate, 0);
  const weights = claims.map((c) => ({ id: c.id, exact: total > 0 ? (size * c.rate) / total : size / claims.length }));
  let left = size;
  for (const w of weights) {
    const whole = Math.floor(w.exact);
    out.set(w.id, whole);
    left -= whole;
  }
  const byRemainder = [...weights].sort((a, b) => b.exact - Math.floor(b.exact) - (a.exact - Math.floor(a.exact)) || (a.id < b.id ? -1 : 1));
  for (let i = 0; i < left && i < byRemainder.length; i++) {
    const id = byRemainder[i]!.id;
    out.set(id, out.get(id)! + 1);
  }
  return out;
}
