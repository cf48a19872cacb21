/**
 * A segment's marketing policy as a form: PUT with the admin key, DELETE to go back to the default.
 * The service's validation errors appear next to the field they name. With the read key the form is
 * shown disabled, saying why. The holdout share (0 to 0.5; empty or 0 = off) is sent as
 * `holdout: { share }`, left out when off; every save starts a new policy version, shown after it.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, enc } from '../api';
import type { Session } from '../session';
import type { Coupon, Policy, PolicyChange } from '../types';

const CHANNELS = ['email', 'sms', 'push', 'ads', 'onsite', 'none'] as const;
const COUPON_KINDS = [
  { value: '', label: 'No coupon' },
  { value: 'percent', label: 'Percent off' },
  { value: 'amount', label: 'Amount off' },
  { value: 'free_shipping', label: 'Free shipping' },
] as const;

interface Draft {
  action: string;
  channel: string;
  couponKind: string;
  couponValue: string;
  message: string;
  priority: string;
  holdoutShare: string;
}

const draftOf = (p: Policy): Draft => ({
  action: p.action,
  channel: p.channel,
  couponKind: p.coupon?.kind ?? '',
  couponValue: p.coupon && p.coupon.kind !== 'free_shipping' ? String(p.coupon.value ?? '') : '',
  message: p.message,
  priority: String(p.priority),
  holdoutShare: p.holdout && p.holdout.share > 0 ? String(p.holdout.share) : '',
});

/** The body as typed: numbers as numbers when they read as numbers, so the service judges the rest. */
const bodyOf = (d: Draft): Policy => {
  const num = (s: string): number => (s.trim() === '' ? Number.NaN : Number(s));
  const coupon: Coupon | null =
    d.couponKind === ''
      ? null
      : d.couponKind === 'free_shipping'
        ? { kind: 'free_shipping' }
        : { kind: d.couponKind as Coupon['kind'], value: num(d.couponValue) };
  const share = num(d.holdoutShare);
  return {
    action: d.action,
    channel: d.channel,
    coupon,
    message: d.message,
    priority: num(d.priority),
    // Off (empty or 0): no holdout at all. Anything else, even out of range, goes to the service to judge.
    ...(d.holdoutShare.trim() === '' || share === 0 ? {} : { holdout: { share } }),
  };
};

/** The service names fields like `coupon.value`; each maps to one input. */
const inputFor = (field: string | null): keyof Draft | 'form' => {
  switch (field) {
    case 'action':
    case 'channel':
    case 'message':
    case 'priority':
      return field;
    case 'coupon.kind':
    case 'coupon':
      return 'couponKind';
    case 'coupon.value':
      return 'couponValue';
    case 'holdout':
    case 'holdout.share':
      return 'holdoutShare';
    default:
      return 'form';
  }
};

export const PolicyEditor = ({
  session,
  segmentId,
  policy,
  source,
  onSaved,
}: {
  session: Session;
  segmentId: string;
  policy: Policy;
  source: string;
  onSaved: () => void;
}) => {
  const [draft, setDraft] = useState(() => draftOf(policy));
  const [errors, setErrors] = useState<Partial<Record<keyof Draft | 'form', string>>>({});
  const [status, setStatus] = useState<string | null>(null);
  const [version, setVersion] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setDraft(draftOf(policy)), [policy]);
  const readOnly = session.role !== 'admin';
  const set = (key: keyof Draft) => (e: Event) =>
    setDraft({ ...draft, [key]: (e.target as HTMLInputElement).value });
  const run = async (method: 'PUT' | 'DELETE') => {
    setBusy(true);
    setErrors({});
    setStatus(null);
    setVersion(null);
    try {
      const change = await session.api.send<PolicyChange | null>(
        method,
        `/v1/segments/${enc(segmentId)}/policy`,
        method === 'PUT' ? bodyOf(draft) : undefined,
      );
      setStatus(method === 'PUT' ? 'Policy saved.' : 'Policy reset to the default.');
      setVersion(change?.version ?? null);
      onSaved();
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) setErrors({ [inputFor(e.field)]: e.message });
      else if (e instanceof ApiError && e.status === 401)
        setErrors({ form: 'Refused: changing a policy needs the admin key.' });
      else setErrors({ form: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };
  const field = (key: keyof Draft) => ({
    id: `policy-${key}`,
    name: key,
    value: draft[key],
    onInput: set(key),
    'aria-invalid': errors[key] ? ('true' as const) : undefined,
    'aria-describedby': errors[key] ? `policy-${key}-error` : undefined,
  });
  const error = (key: keyof Draft) =>
    errors[key] ? (
      <span id={`policy-${key}-error`} class="field-error" role="alert" data-testid={`error-${key}`}>
        {errors[key]}
      </span>
    ) : null;
  return (
    <form
      class="policy-editor"
      data-testid="policy-editor"
      aria-labelledby="policy-editor-title"
      // The service validates (its message by the field); the browser's own checks would hide it.
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void run('PUT');
      }}
    >
      <h3 id="policy-editor-title">Edit the policy</h3>
      {readOnly && (
        <p class="notice" data-testid="read-only">
          Read-only: you signed in with the read key. Changing a policy needs the admin key — sign out and
          sign in with it.
        </p>
      )}
      <fieldset disabled={readOnly || busy}>
        <legend class="visually-hidden">
          Policy for this segment ({source === 'override' ? 'set by an operator' : 'default'})
        </legend>
        <div class="field">
          <label for="policy-action">Action</label>
          <input type="text" maxLength={64} {...field('action')} />
          {error('action')}
        </div>
        <div class="field">
          <label for="policy-channel">Channel</label>
          <select {...field('channel')}>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
          {error('channel')}
        </div>
        <div class="field">
          <label for="policy-couponKind">Coupon</label>
          <select {...field('couponKind')}>
            {COUPON_KINDS.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
          {error('couponKind')}
        </div>
        {(draft.couponKind === 'percent' || draft.couponKind === 'amount') && (
          <div class="field">
            <label for="policy-couponValue">
              {draft.couponKind === 'percent' ? 'Percent off' : 'Amount off'}
            </label>
            <input type="number" step="any" inputMode="decimal" {...field('couponValue')} />
            {error('couponValue')}
          </div>
        )}
        <div class="field">
          <label for="policy-priority">Priority (1 = act first … 9)</label>
          <input type="number" step="1" {...field('priority')} />
          {error('priority')}
        </div>
        <div class="field">
          <label for="policy-holdoutShare">Holdout share (0 to 0.5; empty or 0 = off)</label>
          <input
            type="number"
            min="0"
            max="0.5"
            step="0.01"
            inputMode="decimal"
            {...field('holdoutShare')}
            aria-describedby={errors.holdoutShare ? 'policy-holdoutShare-error' : 'policy-holdoutShare-hint'}
          />
          <span id="policy-holdoutShare-hint" class="muted small">
            Left untreated to measure the policy. Every save starts a new policy version.
          </span>
          {error('holdoutShare')}
        </div>
        <div class="field wide">
          <label for="policy-message">Message</label>
          <textarea rows={3} {...field('message')} />
          {error('message')}
        </div>
        <div class="actions">
          <button type="submit">Save policy</button>
          <button
            type="button"
            class="secondary"
            disabled={source !== 'override'}
            onClick={() => void run('DELETE')}
          >
            Reset to default
          </button>
        </div>
      </fieldset>
      {errors.form && (
        <p class="field-error" role="alert" data-testid="error-form">
          {errors.form}
        </p>
      )}
      <p role="status" data-testid="policy-status">
        {status}
        {version && (
          <>
            {' '}
            New policy version: <code data-testid="policy-version">{version}</code>.
          </>
        )}
      </p>
    </form>
  );
};
