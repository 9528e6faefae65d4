import { useQuery } from '@tanstack/react-query';
import type { MemberRow } from '../../../../src/domains/tenancy/schema.js';
import { api, type Paged } from '../../api.js';

/** Members of the acting org as select options (owners, custodians, approvers). */
export function useMemberOptions() {
  const q = useQuery({ queryKey: ['members', 'options'], queryFn: () => api.get<Paged<MemberRow>>('/api/members', { limit: 500 }), staleTime: 60_000 });
  return (q.data?.items ?? []).map((m) => ({ value: m.userId, label: `${m.displayName} (${m.email})` }));
}

/** Reads a picked file as base64 (imports travel as JSON). */
export async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export const RATING_NAMES = ['', 'Very low', 'Low', 'Medium', 'High', 'Very high'];

/** A small coloured chip for a risk level. */
export function LevelChip({ level, colour, score }: { level: string; colour: string; score?: number }) {
  return (
    <span className="tag" style={{ background: colour, color: '#fff' }}>
      {score !== undefined ? `${score} ` : ''}{level}
    </span>
  );
}
