// A course's assignments: which exercises count, from when, until when, and what a late attempt
// earns. Instructors set several exercises at once (one set of dates) and remove them; assistants
// read them.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { apiDelete, apiPost, formatWhen } from '../account/account-api.ts';
import type { Assignment } from '../account/account-api.ts';
import { ConfirmButton } from '../shell/ConfirmButton.tsx';
import { FormError } from '../shell/FormError.tsx';

/** `<input type="datetime-local">` works in the browser's time zone, without one in its value. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const fromLocalInput = (value: string): string => new Date(value).toISOString();

export function lateWindowText(a: Pick<Assignment, 'lateUntil' | 'lateCreditPercent'>): string {
  return a.lateUntil === null
    ? 'none'
    : `until ${formatWhen(a.lateUntil)} at ${a.lateCreditPercent}%`;
}

function AssignForm({
  base,
  exercises,
  assigned,
  onSaved,
}: {
  base: string;
  exercises: { id: string; title: string }[];
  assigned: Set<string>;
  onSaved: () => void;
}) {
  const [picked, setPicked] = useState<string[]>([]);
  const [opensAt, setOpensAt] = useState('');
  const [dueAt, setDueAt] = useState('');
  const [late, setLate] = useState(false);
  const [lateUntil, setLateUntil] = useState('');
  const [credit, setCredit] = useState('50');
  const [error, setError] = useState('');

  const save = async () => {
    setError('');
    try {
      await apiPost(`${base}/assignments`, {
        exerciseIds: picked,
        opensAt: fromLocalInput(opensAt),
        dueAt: fromLocalInput(dueAt),
        lateUntil: late ? fromLocalInput(lateUntil) : null,
        lateCreditPercent: late ? Number(credit) : null,
      });
      setPicked([]);
      onSaved();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const ready = picked.length > 0 && opensAt !== '' && dueAt !== '' && (!late || lateUntil !== '');
  const replacing = picked.filter((id) => assigned.has(id)).length;
  // Several exercises, or replacing dates already given, is a bulk change: it asks first.
  const bulk = picked.length > 1 || replacing > 0;
  const question =
    `Assign ${picked.length} exercise${picked.length === 1 ? '' : 's'}` +
    (dueAt ? `, due ${formatWhen(fromLocalInput(dueAt))}` : '') +
    (replacing > 0 ? `, replacing the dates of ${replacing} already assigned` : '') +
    '?';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (ready && !bulk) void save();
  };
  return (
    <form className="account-form assign-form" onSubmit={submit} data-testid="assign-form">
      <fieldset>
        <legend>Exercises</legend>
        {exercises.map((e) => (
          <label key={e.id} className="check-row">
            <input
              type="checkbox"
              checked={picked.includes(e.id)}
              onChange={(ev) =>
                setPicked((p) => (ev.target.checked ? [...p, e.id] : p.filter((x) => x !== e.id)))
              }
              data-testid={`pick-${e.id}`}
            />
            {e.title}
            {assigned.has(e.id) && <span className="tag tag-muted">assigned</span>}
          </label>
        ))}
      </fieldset>
      <label>
        Opens
        <input
          type="datetime-local"
          required
          value={opensAt}
          onChange={(e) => setOpensAt(e.target.value)}
          data-testid="opens-at"
        />
      </label>
      <label>
        Due
        <input
          type="datetime-local"
          required
          value={dueAt}
          onChange={(e) => setDueAt(e.target.value)}
          data-testid="due-at"
        />
      </label>
      <label className="check-row">
        <input
          type="checkbox"
          checked={late}
          onChange={(e) => setLate(e.target.checked)}
          data-testid="late-window"
        />
        Accept late attempts for part of the credit
      </label>
      {late && (
        <>
          <label>
            Late attempts count until
            <input
              type="datetime-local"
              required
              value={lateUntil}
              onChange={(e) => setLateUntil(e.target.value)}
              data-testid="late-until"
            />
          </label>
          <label>
            A late attempt earns (% of its score)
            <input
              type="number"
              min={0}
              max={100}
              step={1}
              required
              value={credit}
              onChange={(e) => setCredit(e.target.value)}
              data-testid="late-credit"
            />
          </label>
        </>
      )}
      <div className="form-actions">
        {bulk ? (
          <ConfirmButton
            question={question}
            confirmLabel="Assign"
            onConfirm={save}
            disabled={!ready}
            testId="assign"
          >
            Assign {picked.length} exercises
          </ConfirmButton>
        ) : (
          <button
            type="submit"
            className="button button-primary"
            disabled={!ready}
            data-testid="assign"
          >
            Assign
          </button>
        )}
      </div>
      <FormError message={error} />
    </form>
  );
}

export function AssignmentsPanel({
  base,
  assignments,
  exercises,
  canManage,
  onChanged,
}: {
  /** `/api/instructor/courses/<id>` */
  base: string;
  assignments: Assignment[];
  exercises: { id: string; title: string }[];
  canManage: boolean;
  onChanged: () => void;
}) {
  const [error, setError] = useState('');
  const remove = async (a: Assignment) => {
    setError('');
    try {
      await apiDelete(`${base}/assignments/${encodeURIComponent(a.exerciseId)}`);
      onChanged();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <section aria-labelledby="assignments-heading">
      <h2 id="assignments-heading">Assignments</h2>
      <p className="muted small">
        An attempt counts by when it was submitted: before the opening not at all, up to the due
        time at its full score, in the late window at the credit given, after that not at all. A
        student’s grade is their best attempt that counts.
      </p>
      {assignments.length === 0 ? (
        <p className="empty">
          No assignments yet: the exercise list shows students every exercise, and grades are each
          exercise’s best attempt.
        </p>
      ) : (
        <table className="account-table" data-testid="assignments">
          <thead>
            <tr>
              <th scope="col">Exercise</th>
              <th scope="col">Opens</th>
              <th scope="col">Due</th>
              <th scope="col">Late window</th>
              {canManage && <th scope="col">Remove</th>}
            </tr>
          </thead>
          <tbody>
            {assignments.map((a) => (
              <tr key={a.exerciseId} data-testid="assignment-row" data-exercise={a.exerciseId}>
                <td>{a.title}</td>
                <td>{formatWhen(a.opensAt)}</td>
                <td>{formatWhen(a.dueAt)}</td>
                <td>{lateWindowText(a)}</td>
                {canManage && (
                  <td>
                    <ConfirmButton
                      question={`Stop assigning ${a.title}? Attempts stay stored; grades no longer count it.`}
                      confirmLabel="Remove"
                      onConfirm={() => remove(a)}
                      danger
                      testId="remove-assignment"
                    >
                      Remove
                    </ConfirmButton>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <FormError message={error} />
      {canManage && (
        <>
          <h3>Assign exercises</h3>
          <AssignForm
            base={base}
            exercises={exercises}
            assigned={new Set(assignments.map((a) => a.exerciseId))}
            onSaved={onChanged}
          />
        </>
      )}
    </section>
  );
}
