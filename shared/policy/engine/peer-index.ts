/**
 * Which rules of one policy direction could pick a pod, before each is matched in full. A policy
 * generated from a capture has one rule per peer, and a connection is judged against every rule of
 * both its ends: without an index that is rules × edges selector matches. Each rule whose peers are
 * all label selectors is filed under one required label of each selector (its anchor); a pod's
 * candidates are the rules filed under its labels, the rules filed under a key the pod may be
 * missing (labels a record can hide), and the rules that could pick anything. The candidates are a
 * superset of the rules that match: every candidate is still matched in full by the engine.
 */
import type { Labels } from './model';

/** One required `key=value` per peer selector of a rule, or undefined when the rule cannot be filed (it is always a candidate). */
export type RuleAnchors = readonly (readonly [string, string])[] | undefined;

export class PeerIndex {
  /** Every rule position, ascending: the candidates when nothing narrows them. */
  readonly all: readonly number[];
  private readonly always: number[] = [];
  /** key → value → rule positions (ascending). */
  private readonly byPair = new Map<string, Map<string, number[]>>();
  /** The keys of byPair, and their maps, as arrays (walked for every candidate query). */
  private readonly keys: string[] = [];
  private readonly values: Map<string, number[]>[] = [];
  /** key → every rule position filed under it (ascending). */
  private readonly byKey = new Map<string, number[]>();

  constructor(anchors: readonly RuleAnchors[]) {
    this.all = anchors.map((_, i) => i);
    anchors.forEach((a, i) => {
      if (!a || a.length === 0) {
        this.always.push(i);
        return;
      }
      for (const [k, v] of a) {
        let values = this.byPair.get(k);
        if (!values) {
          this.byPair.set(k, (values = new Map<string, number[]>()));
          this.keys.push(k);
          this.values.push(values);
        }
        push(values, v, i);
        push(this.byKey, k, i);
      }
    });
  }

  /**
   * The positions of the rules that could pick a pod with these labels, ascending and without
   * repeats; `hidden(key)` says which keys the pod may have without the input showing them. Every
   * rule when the labels are unknown.
   */
  candidates(labels: Labels | undefined, hidden?: (key: string) => boolean): readonly number[] {
    if (!labels || this.always.length === this.all.length) return this.all;
    // The lists to merge: usually one (the rule for this peer) or none.
    let first: readonly number[] | undefined = this.always.length > 0 ? this.always : undefined;
    let more: (readonly number[])[] | undefined;
    for (let i = 0; i < this.keys.length; i++) {
      const k = this.keys[i];
      const v = labels[k];
      const list = v !== undefined ? this.values[i].get(v) : hidden?.(k) ? this.byKey.get(k) : undefined;
      if (!list) continue;
      if (!first) first = list;
      else (more ??= []).push(list);
    }
    if (!first) return EMPTY;
    if (!more) return first;
    const out = [...first];
    for (const list of more) for (const i of list) out.push(i);
    out.sort((a, b) => a - b);
    let n = 0;
    for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[i - 1]) out[n++] = out[i];
    out.length = n;
    return out;
  }
}

const EMPTY: readonly number[] = [];

function push<K>(map: Map<K, number[]>, key: K, i: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [i]);
  else if (list[list.length - 1] !== i) list.push(i);
}
