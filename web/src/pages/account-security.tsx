import { useNavigate } from 'react-router-dom';
import { useToast } from '../components/toast.js';
import { useActiveSession, useApplySession } from '../session.js';
import { MfaEnrolment } from './mfa-enrol.js';

/** Voluntary MFA set-up from the account pages. */
export function MfaSetupPage() {
  const s = useActiveSession();
  const applySession = useApplySession();
  const navigate = useNavigate();
  const toast = useToast();
  if (s.user.mfaEnabled) {
    return (
      <>
        <h1>Two-factor authentication</h1>
        <p>Two-factor authentication is on for your account.</p>
      </>
    );
  }
  return (
    <>
      <h1>Set up two-factor authentication</h1>
      <div className="narrow">
        <MfaEnrolment
          onDone={(next) => {
            applySession(next);
            toast('Two-factor authentication is on');
            navigate('/account/security');
          }}
        />
      </div>
    </>
  );
}
