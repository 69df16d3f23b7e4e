/**
 * Writing generated bench inputs: a seeded xorshift32 stream and a line sink that batches
 * lines into ~1 MiB writes and honours back-pressure (shared by diffBench and happyBench).
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    // xorshift32
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

export class Sink {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly out: Writable) {}
  async push(line: string): Promise<void> {
    this.parts.push(line);
    this.size += line.length + 1;
    if (this.size > 1 << 20) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const ok = this.out.write(this.parts.join('\n') + '\n');
    this.parts = [];
    this.size = 0;
    if (!ok) await once(this.out, 'drain');
  }
  async end(): Promise<void> {
    await this.flush();
    this.out.end();
  }
}
