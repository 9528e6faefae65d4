import type { CreatedAt } from '../../db/types.js';

export interface SharingGroupsTable {
  org_id: string;
  id: string;
  name: string;
  description: string;
  hide_members: boolean;
  created_at: CreatedAt;
}

export interface SharingGroupMembersTable {
  org_id: string;
  group_id: string;
  owner_org_id: string;
  added_at: CreatedAt;
}

declare module '../../db/types.js' {
  interface DB {
    sharing_groups: SharingGroupsTable;
    sharing_group_members: SharingGroupMembersTable;
  }
}
