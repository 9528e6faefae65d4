import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import QRCode from 'qrcode';
import { MfaCodeBody } from '../../../src/domains/auth/schema.js';
import { api } from '../api.js';
import { ErrorBanner, FormField, fieldErrorsOf, validate } from '../components/form-field.js';
import type { SessionInfo } from '../session.js';

interface Enrolment {
  secret: string;
  otpauthUrl: string;
}

/** `ABCDEFGH…` -> `ABCD EFGH …`: easier to type into an app by hand. */
function groupSecret(s: string): string {
  return s.replace(/(.{4})/g, '$1 ').trim();
}

/**
 * TOTP enrolment: a QR code (rendered here, the secret never leaves the
 * browser), the secret as text, a first code to confirm, then the recovery
 * codes, shown once. `onDone` receives the upgraded session.
 */
export function MfaEnrolment({ onDone }: { onDone: (s: SessionInfo) => void }) {
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const start = useMutation({ mutationFn: () => api.post<Enrolment>('/api/auth/mfa/enrol') });
  const confirm = useMutation({ mutationFn: (body: { code: string }) => api.post<{ recoveryCodes: string[]; session: SessionInfo }>('/api/auth/mfa/confirm', body) });
  const startEnrolment = start.mutate;
  // One enrolment per visit: each call stores a new secret, so a second one would orphan the QR code shown.
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    startEnrolment();
  }, [startEnrolment]);

  const url = start.data?.otpauthUrl;
  useEffect(() => {
    if (!url) return;
    let live = true;
    QRCode.toDataURL(url, { margin: 1, width: 200, errorCorrectionLevel: 'M' }).then((d) => live && setQr(d), () => live && setQr(null));
    return () => {
      live = false;
    };
  }, [url]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = validate(MfaCodeBody, { code });
    setClientErrors(v.errors ?? {});
    if (v.data) confirm.mutate(v.data);
  };

  if (confirm.data) {
    const codes = confirm.data.recoveryCodes;
    return (
      <section aria-labelledby="recovery-title">
        <h2 id="recovery-title">Save your recovery codes</h2>
        <p>Each code signs you in once if you lose your authenticator. They are shown only now: store them somewhere safe.</p>
        <ul className="recovery-codes" data-testid="recovery-codes">
          {codes.map((c) => (
            <li key={c}><code>{c}</code></li>
          ))}
        </ul>
        <div className="actions">
          <CopyButton text={codes.join('\n')} label="Copy codes" />
          <button type="button" className="primary" onClick={() => onDone(confirm.data.session)}>I have saved them, continue</button>
        </div>
      </section>
    );
  }

  return (
    <section aria-label="Authenticator setup">
      <ErrorBanner error={start.error} />
      {start.data ? (
        <>
          <p>Scan this code with an authenticator app (FreeOTP, Aegis, Google Authenticator, 1Password…).</p>
          <div className="qr">{qr ? <img src={qr} width={200} height={200} alt="QR code for your authenticator app" /> : <span>Preparing QR code…</span>}</div>
          <p>
            Or enter this key by hand: <code className="secret" data-testid="totp-secret" data-secret={start.data.secret}>{groupSecret(start.data.secret)}</code>
          </p>
          <form onSubmit={submit} noValidate aria-label="Confirm authenticator">
            <ErrorBanner error={confirm.error} />
            <FormField label="Code from the app" name="code" inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} errors={{ ...fieldErrorsOf(confirm.error), ...clientErrors }} />
            <button type="submit" className="primary block" disabled={confirm.isPending}>Turn on two-factor authentication</button>
          </form>
        </>
      ) : start.isPending ? (
        <p>Preparing…</p>
      ) : null}
    </section>
  );
}

/** Copies text to the clipboard and says so. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <button type="button" onClick={() => void copy()} aria-live="polite">
      {copied ? 'Copied' : label}
    </button>
  );
}
