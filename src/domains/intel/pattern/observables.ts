import { normaliseObservable, type NormalisedObservable, type ObservableKind } from '../normalise.js';
import type { ComparisonExpr, Literal, ObservationExpr } from './parser.js';

/**
 * Which object paths carry a correlatable value (declarative, STYLE 8): an
 * equality or IN comparison on one of these yields an observable.
 */
const PATH_KINDS: Record<string, ObservableKind | 'ip'> = {
  'ipv4-addr:value': 'ipv4',
  'ipv6-addr:value': 'ipv6',
  'domain-name:value': 'domain',
  'url:value': 'url',
  'email-addr:value': 'email',
  'mac-addr:value': 'mac',
  'email-message:from_ref.value': 'email',
  'email-message:sender_ref.value': 'email',
  'email-message:to_refs[*].value': 'email',
  'email-message:cc_refs[*].value': 'email',
  'network-traffic:dst_ref.value': 'ip',
  'network-traffic:src_ref.value': 'ip',
  'domain-name:resolves_to_refs[*].value': 'ip',
};

const HASH_KINDS: Record<string, ObservableKind> = { MD5: 'md5', 'SHA-1': 'sha1', SHA1: 'sha1', 'SHA-256': 'sha256', SHA256: 'sha256', 'SHA-512': 'sha512', SHA512: 'sha512' };
const HASH_PATH = /^(file|artifact|x509-certificate):hashes\.(.+)$/;

/** The observable kind an object path carries, if any. */
export function kindOfPath(pathText: string): ObservableKind | 'ip' | undefined {
  const p = pathText.replace(/'/g, '');
  const direct = PATH_KINDS[p];
  if (direct) return direct;
  const h = HASH_PATH.exec(p);
  return h ? HASH_KINDS[h[2]!.toUpperCase()] : undefined;
}

/**
 * The observables an indicator's pattern names: values compared with `=` or
 * `IN` (not negated) on a correlatable path, normalised and de-duplicated.
 * Values that do not normalise (e.g. a malformed address) are skipped.
 */
export function observablesOfPattern(ast: ObservationExpr): NormalisedObservable[] {
  const out = new Map<string, NormalisedObservable>();
  const add = (kind: ObservableKind | 'ip', lit: Literal) => {
    if (lit.kind !== 'string') return;
    const n = normaliseObservable(kind, lit.value);
    if (n) out.set(`${n.kind}\u0000${n.value}`, n);
  };
  const walkC = (c: ComparisonExpr): void => {
    if (c.kind === 'and' || c.kind === 'or') {
      walkC(c.left);
      walkC(c.right);
      return;
    }
    if (c.kind !== 'test' || c.negated) return;
    const kind = kindOfPath(c.path.text);
    if (!kind) return;
    if (c.op === '=' && !Array.isArray(c.value)) add(kind, c.value);
    if (c.op === 'IN' && Array.isArray(c.value)) for (const v of c.value) add(kind, v);
  };
  const walkO = (o: ObservationExpr): void => {
    if (o.kind === 'observation') walkC(o.comparison);
    else if (o.kind === 'qualified') walkO(o.expr);
    else {
      walkO(o.left);
      walkO(o.right);
    }
  };
  walkO(ast);
  return [...out.values()];
}

/** The observables a cyber-observable object (SCO) itself is. */
export function observablesOfSco(obj: Record<string, unknown>): NormalisedObservable[] {
  const type = obj.type as string;
  const out: NormalisedObservable[] = [];
  const push = (kind: ObservableKind | 'ip', v: unknown) => {
    if (typeof v !== 'string') return;
    const n = normaliseObservable(kind, v);
    if (n) out.push(n);
  };
  const direct: Record<string, ObservableKind> = { 'ipv4-addr': 'ipv4', 'ipv6-addr': 'ipv6', 'domain-name': 'domain', url: 'url', 'email-addr': 'email', 'mac-addr': 'mac' };
  if (direct[type]) push(direct[type], obj.value);
  if ((type === 'file' || type === 'artifact' || type === 'x509-certificate') && obj.hashes && typeof obj.hashes === 'object') {
    for (const [alg, v] of Object.entries(obj.hashes as Record<string, unknown>)) {
      const k = HASH_KINDS[alg.toUpperCase()];
      if (k) push(k, v);
    }
  }
  return out;
}
