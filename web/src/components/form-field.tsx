import { useId, type InputHTMLAttributes, type ReactNode } from 'react';
import type { z } from 'zod';
import { ApiError, type FieldErrors } from '../api.js';

interface FormFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  label: string;
  name: string;
  /** Field errors from an ApiError or from `validate()`; the one named `name` is shown. */
  errors?: FieldErrors | undefined;
  hint?: ReactNode;
}

/** A labelled input that shows its own error and links it for screen readers. */
export function FormField({ label, name, errors, hint, ...input }: FormFieldProps) {
  const id = useId();
  const error = errors?.[name];
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint ? <div className="hint" id={`${id}-hint`}>{hint}</div> : null}
      {error ? <div className="field-error" id={`${id}-error`} role="alert">{error}</div> : null}
    </div>
  );
}

interface SelectFieldProps {
  label: string;
  name: string;
  value: string;
  onChange: (v: string) => void;
  options: ReadonlyArray<{ value: string; label: string }>;
  errors?: FieldErrors | undefined;
  multiple?: false;
}

/** A labelled select with its error. */
export function SelectField({ label, name, value, onChange, options, errors }: SelectFieldProps) {
  const id = useId();
  const error = errors?.[name];
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>{o.label}</option>
        ))}
      </select>
      {error ? <div className="field-error" id={`${id}-error`} role="alert">{error}</div> : null}
    </div>
  );
}

/** Checkboxes for a set of values (roles), as one labelled group. */
export function CheckboxGroup({ legend, name, options, value, onChange, errors }: { legend: string; name: string; options: readonly string[]; value: readonly string[]; onChange: (v: string[]) => void; errors?: FieldErrors | undefined }) {
  const id = useId();
  const error = errors?.[name] ?? Object.entries(errors ?? {}).find(([k]) => k.startsWith(`${name}.`))?.[1];
  return (
    <fieldset className="field checkbox-group" aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o} className="checkbox">
          <input type="checkbox" name={name} value={o} checked={value.includes(o)} onChange={(e) => onChange(e.target.checked ? [...value, o] : value.filter((v) => v !== o))} />
          {labelOf(o)}
        </label>
      ))}
      {error ? <div className="field-error" id={`${id}-error`} role="alert">{error}</div> : null}
    </fieldset>
  );
}

const ACRONYMS: Record<string, string> = { isms: 'ISMS', cert: 'CERT', mfa: 'MFA', api: 'API', soc: 'SOC' };

/** `org_admin` -> `Org admin`, `isms_manager` -> `ISMS manager`. */
export function labelOf(value: string): string {
  const s = value
    .split('_')
    .map((w) => ACRONYMS[w] ?? w)
    .join(' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Checks form input with the same zod schema the server uses. Returns the
 * parsed value, or field errors keyed like the server's (without `body.`).
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown): { data: z.infer<S>; errors: null } | { data: null; errors: FieldErrors } {
  const r = schema.safeParse(input);
  if (r.success) return { data: r.data, errors: null };
  const errors: FieldErrors = {};
  for (const issue of r.error.issues) {
    const key = issue.path.map(String).join('.') || '_';
    errors[key] ??= issue.message;
  }
  return { data: null, errors };
}

/** Field errors of an unknown error (empty unless it is an ApiError). */
export function fieldErrorsOf(err: unknown): FieldErrors {
  return err instanceof ApiError ? err.fieldErrors : {};
}

/** The banner for a failed form or query: the server's message and request id. */
export function ErrorBanner({ error }: { error: unknown }) {
  if (!error) return null;
  const fields = error instanceof ApiError ? Object.keys(error.fieldErrors) : [];
  // Field problems are shown under their fields; the banner only points at them.
  const msg = fields.length ? `Check ${fields.length === 1 ? 'this field' : 'these fields'}: ${fields.map((f) => labelOf(f.replaceAll('.', ' '))).join(', ')}.` : error instanceof Error ? error.message : String(error);
  // The request id helps support trace a failure; a field mistake needs none.
  const rid = error instanceof ApiError && !fields.length ? error.requestId : undefined;
  return (
    <div className="banner banner-error" role="alert">
      {msg}
      {rid ? <span className="request-id"> (request {rid})</span> : null}
    </div>
  );
}
