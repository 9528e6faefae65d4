/** The statistics the API answers (shared with the UI; no server imports here). */
export interface Point {
  label: string;
  key: string;
  value: number;
}

export interface Adherence {
  key: string;
  label: string;
  met: number;
  late: number;
  overdue: number;
  /** met / (met + late + overdue), null when nothing was due. */
  rate: number | null;
}

export interface IncidentStats {
  total: number;
  byClass: Point[];
  bySeverity: Point[];
  byEntity: Point[];
  byMonth: Point[];
  /** Medians in hours (null when no incident has both moments). */
  medianHours: { detectToReport: number | null; reportToTriage: number | null; reportToContain: number | null };
  adherenceByEntity: Adherence[];
  adherenceByStage: Adherence[];
  advisories: { recipients: number; acknowledged: number; acknowledgementRate: number | null; affected: number; remediated: number; remediationRate: number | null };
}

