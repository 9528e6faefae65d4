import type { Json, Timestamp } from '../../db/types.js';

export interface TaxiiStatusTable {
  org_id: string;
  id: string;
  collection_id: string;
  status: 'pending' | 'complete';
  request_timestamp: Timestamp;
  total_count: number;
  success_count: number;
  failure_count: number;
  pending_count: number;
  successes: Json<unknown[]>;
  failures: Json<unknown[]>;
}

declare module '../../db/types.js' {
  interface DB {
    taxii_status: TaxiiStatusTable;
  }
}
