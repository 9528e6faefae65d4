import { defineErrors } from '../../core/errors.js';

export const IncidentErrors = defineErrors({
  INCIDENT_NOT_FOUND: { status: 404, message: 'Incident not found' },
  REGIME_NOT_FOUND: { status: 404, message: 'Reporting regime not found' },
  REGIME_EXISTS: { status: 409, message: 'A regime with this key exists' },
  INCIDENT_NO_CERT: { status: 409, message: 'No CERT serves your organisation yet; ask the regulator to set one up' },
  INCIDENT_NO_REGIME: { status: 409, message: 'The CERT serving your organisation has not set a default reporting regime' },
  INCIDENT_STAGE_INCOMPLETE: { status: 400, message: 'The report is missing what this stage requires' },
  INCIDENT_STAGE_OUT_OF_ORDER: { status: 409, message: 'Submit the earlier stage first' },
  INCIDENT_TRANSITION_NOT_ALLOWED: { status: 409, message: 'This lifecycle transition is not allowed' },
  INCIDENT_CLOSED: { status: 409, message: 'The incident is closed' },
  INCIDENT_NOT_CLOSED: { status: 409, message: 'Lessons learned are recorded after the incident is closed' },
  INCIDENT_ASSIGNEE_INVALID: { status: 400, message: 'The assignee must be a CERT analyst or duty officer of your CERT' },
  INCIDENT_TASK_NOT_FOUND: { status: 404, message: 'Task not found' },
  INCIDENT_STAGE_NOT_FOUND: { status: 404, message: 'Stage not found' },
  INCIDENT_ATTACHMENT_NOT_FOUND: { status: 404, message: 'Attachment not found' },
  CASE_NOT_FOUND: { status: 404, message: 'Case not found' },
});
