import type { StackFrame } from '../../document.js';

/**
 * Stack texts longer than this are parsed every time: a memo entry keeps its key alive, and the
 * memo's memory must stay small whatever the application throws.
 */
export const MAX_MEMO_STACK_CHARS = 16_384;
/** Entries per generation; two generations are kept. */
const GENERATION_ENTRIES = 256;
/** Characters of stack text per generation (with the entry count, this bounds the memo at a few MB). */
const GENERATION_CHARS = 512 * 1024;

/** Texts with the same fingerprint kept per generation; a full bucket takes no more. */
const BUCKET_ENTRIES = 8;
/** Fingerprints of texts seen once that are remembered. */
const SEEN_PRINTS = 1024;
/** Characters a fingerprint reads at the end of each line. */
const LINE_END_CHARS = 12;

interface Entry<V> {
  readonly key: string;
  readonly value: V;
  /** The text this entry keeps alive (see `set`). */
  readonly chars: number;
}

/**
 * Recent parse results by stack text. A failing service fails the same way again and again (a
 * dependency down, a bad input on one code path), and its stack texts then repeat frame for frame
 * even when the messages differ; parsing and serializing 20 frames costs far more than looking
 * the text up.
 *
 * Every stack text is a new string, so a `Map` keyed by the text would hash all of it on every
 * lookup, which costs a third of parsing it. Entries are found by a fingerprint of a few of its
 * characters instead, and confirmed by comparing the texts (a memory compare, stopping at the
 * first difference). Two generations instead of an LRU list: a hit needs no bookkeeping, and
 * what has not been hit for a generation is forgotten.
 */
export class StackMemo<V> {
  private young = new Map<number, Entry<V>[]>();
  private old = new Map<number, Entry<V>[]>();
  private youngEntries = 0;
  private youngChars = 0;
  /** Fingerprints of texts looked up once and not kept. */
  private seen = new Set<number>();

  get(key: string, print: number): V | undefined {
    const hit = findEntry(this.young.get(print), key);
    if (hit !== undefined) return hit.value;
    const aged = findEntry(this.old.get(print), key);
    if (aged === undefined) return undefined;
    this.set(key, print, aged.value, aged.chars);
    return aged.value;
  }

  /**
   * Whether a result for a text with this fingerprint is worth keeping: only from its second
   * sighting on. A text seen once is most likely never seen again, and keeping it would cost its
   * memory, and the garbage collector's time, for nothing.
   */
  worthKeeping(print: number): boolean {
    if (this.seen.delete(print)) return true;
    if (this.seen.size >= SEEN_PRINTS) this.seen.clear();
    this.seen.add(print);
    return false;
  }

  /**
   * `chars`: how much text the entry keeps alive, when more than its key (a key sliced from a
   * longer text holds all of it, and so do the frames' strings).
   */
  set(key: string, print: number, value: V, chars = key.length): void {
    if (this.youngEntries >= GENERATION_ENTRIES || this.youngChars + chars > GENERATION_CHARS) {
      this.old = this.young;
      this.young = new Map();
      this.youngEntries = 0;
      this.youngChars = 0;
    }
    let bucket = this.young.get(print);
    if (bucket === undefined) this.young.set(print, (bucket = []));
    else if (bucket.length >= BUCKET_ENTRIES) return;
    bucket.push({ key, value, chars });
    this.youngEntries++;
    this.youngChars += chars;
  }
}

function findEntry<V>(bucket: readonly Entry<V>[] | undefined, key: string): Entry<V> | undefined {
  if (bucket === undefined) return undefined;
  for (const entry of bucket) if (entry.key === key) return entry;
  return undefined;
}

/**
 * A hash of the text's length and the last `LINE_END_CHARS` characters of each line. Stack lines
 * end in what tells frames of one code path apart (`file.js:12:5)`, `File.java:12)`,
 * `line 12, in f`, `file.go:12 +0x1d`), so texts that differ mostly differ there; texts that
 * share a fingerprint anyway are told apart by comparing them.
 */
export function fingerprint(text: string): number {
  const n = text.length;
  let h = n;
  let lineEnd = text.indexOf('\n');
  let from = 0;
  for (;;) {
    const stop = lineEnd < 0 ? n : lineEnd;
    for (let i = Math.max(from, stop - LINE_END_CHARS); i < stop; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
    if (lineEnd < 0) return h;
    from = lineEnd + 1;
    lineEnd = text.indexOf('\n', from);
  }
}

// The JSON of memoized frame lists, written once when the list is made. A WeakMap, not a field on
// the array: the documents' types stay plain, and a list made any other way simply has none.
const frameListJson = new WeakMap<readonly StackFrame[], string>();

/**
 * Makes a parsed frame list shareable between documents: frozen (a memoized list goes into every
 * document with that stack; nothing may change it in one), with its JSON text kept for the
 * serializer.
 */
export function shareFrames(frames: StackFrame[]): StackFrame[] {
  for (const frame of frames) Object.freeze(frame);
  Object.freeze(frames);
  frameListJson.set(frames, JSON.stringify(frames));
  return frames;
}

/** The JSON text of a shared frame list (exactly `JSON.stringify(frames)`), if it is one. */
export function sharedFramesJson(frames: readonly StackFrame[]): string | undefined {
  return frameListJson.get(frames);
}
