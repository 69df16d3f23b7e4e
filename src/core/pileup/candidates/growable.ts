/**
 * Grow-by-doubling storage for typed arrays (the realigner, the allele counter): lists that are cleared and
 * refilled many times (per read, per window) keep their storage instead of making garbage.
 */

type Typed = Int32Array | Uint8Array | Int16Array | Float64Array;

/** A typed array of the same kind at least twice as long (and ≥ `min`), holding a's elements. */
export function doubled<T extends Typed>(a: T, min = 0): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(2 * a.length, min, 16));
  b.set(a);
  return b;
}
