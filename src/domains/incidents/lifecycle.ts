import type { IncidentStatus } from './schema.js';

/** NIST SP 800-61 lifecycle: the moves a CERT may make from each state (shared with the UI). */
export const TRANSITIONS: Record<IncidentStatus, readonly IncidentStatus[]> = {
  draft: [],
  new: ['triage', 'rejected'],
  triage: ['analysis', 'rejected', 'closed'],
  analysis: ['containment', 'post_incident', 'closed', 'rejected'],
  containment: ['eradication', 'analysis'],
  eradication: ['recovery', 'containment'],
  recovery: ['post_incident', 'containment'],
  post_incident: ['closed'],
  closed: ['analysis'],
  rejected: ['triage'],
};
