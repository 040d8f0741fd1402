// A course's people: staff (instructors, assistants) and students. Instructors add staff, remove
// anyone (never the last instructor: the server says so), and hand out password reset links,
// which are shown once, here, to be passed on.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { apiDelete, apiPost, formatWhen } from '../account/account-api.ts';
import type { CourseMember, CourseRole } from '../account/account-api.ts';
import { ConfirmButton } from '../shell/ConfirmButton.tsx';
import { FormError } from '../shell/FormError.tsx';

const ROLE_LABEL: Record<CourseRole, string> = {
  instructor: 'Instructor',
  assistant: 'Assistant (reviews and comments)',
  student: 'Student',
};

interface IssuedLink {
  email: string;
  url: string;
  expiresAt: string;
  /** A new account: the link sets its first password. */
  first: boolean;
}

function LinkToPassOn({ link }: { link: IssuedLink }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link.url);
      setCopied(true);
    } catch {
      // No clipboard (plain http on another machine): the link is selectable as it is.
    }
  };
  return (
    <div role="status" className="issued-link" data-testid="issued-link">
      <p>
        {link.first ? 'Account created. ' : ''}Give this link to {link.email}: it{' '}
        {link.first ? 'sets their password' : 'sets a new password'}, works once, and expires{' '}
        {formatWhen(link.expiresAt)}. It is shown only now.
      </p>
      <p>
        <span className="join-link" data-testid="reset-url">
          {link.url}
        </span>{' '}
        <button type="button" className="button" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </p>
    </div>
  );
}

function AddStaffForm({ base, onAdded }: { base: string; onAdded: (link?: IssuedLink) => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<'assistant' | 'instructor'>('assistant');
  const [error, setError] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError('');
    try {
      const res = await apiPost<{ resetPath?: string; expiresAt?: string }>(`${base}/staff`, {
        email,
        role,
        ...(name.trim() ? { name } : {}),
      });
      setEmail('');
      setName('');
      onAdded(
        res.resetPath && res.expiresAt
          ? {
              email,
              url: new URL(res.resetPath, window.location.origin).href,
              expiresAt: res.expiresAt,
              first: true,
            }
          : undefined,
      );
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <form className="account-form" onSubmit={(e) => void submit(e)} data-testid="add-staff-form">
      <label>
        Email
        <input
          type="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          data-testid="staff-email"
        />
      </label>
      <label>
        Name (for someone without an account yet)
        <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Role
        <select
          value={role}
          onChange={(e) => setRole(e.target.value as 'assistant' | 'instructor')}
          data-testid="staff-role"
        >
          <option value="assistant">{ROLE_LABEL.assistant}</option>
          <option value="instructor">Instructor (assignments, staff and students too)</option>
        </select>
      </label>
      <div className="form-actions">
        <button type="submit" className="button button-primary" data-testid="add-staff">
          Add to the course
        </button>
      </div>
      <FormError message={error} />
    </form>
  );
}

export function PeoplePanel({
  base,
  courseTitle,
  members,
  canManage,
  onChanged,
}: {
  base: string;
  courseTitle: string;
  members: CourseMember[];
  canManage: boolean;
  onChanged: () => void;
}) {
  const [link, setLink] = useState<IssuedLink | null>(null);
  const [error, setError] = useState('');

  const act = async (work: () => Promise<void>) => {
    setError('');
    try {
      await work();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const resetLink = (m: CourseMember) =>
    act(async () => {
      const res = await apiPost<{ resetPath: string; expiresAt: string }>(
        `${base}/members/${encodeURIComponent(m.id)}/reset-link`,
      );
      setLink({
        email: m.email,
        url: new URL(res.resetPath, window.location.origin).href,
        expiresAt: res.expiresAt,
        first: false,
      });
    });
  const remove = (m: CourseMember) =>
    act(async () => {
      await apiDelete(`${base}/members/${encodeURIComponent(m.id)}`);
      onChanged();
    });

  return (
    <section aria-labelledby="people-heading">
      <h2 id="people-heading">People</h2>
      {link && <LinkToPassOn link={link} />}
      <FormError message={error} />
      <table className="account-table" data-testid="members">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Since</th>
            {canManage && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.id} data-testid="member-row" data-email={m.email}>
              <td>{m.name}</td>
              <td>{m.email}</td>
              <td>{ROLE_LABEL[m.courseRole]}</td>
              <td>{formatWhen(m.joinedAt)}</td>
              {canManage && (
                <td className="row-actions">
                  {m.courseRole !== 'instructor' && (
                    <button
                      type="button"
                      className="button"
                      onClick={() => void resetLink(m)}
                      data-testid="reset-link"
                    >
                      Password reset link
                    </button>
                  )}{' '}
                  <ConfirmButton
                    question={`Remove ${m.name} from ${courseTitle}? ${
                      m.courseRole === 'student'
                        ? 'Their attempts stay stored; they can join again with the link.'
                        : 'They lose access to this course’s desk.'
                    }`}
                    confirmLabel="Remove"
                    onConfirm={() => remove(m)}
                    danger
                    testId="remove-member"
                  >
                    Remove
                  </ConfirmButton>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {canManage && (
        <>
          <h3>Add staff</h3>
          <p className="muted small">
            Someone with an account is added as they are; for someone new, an account is created and
            you get a link for them to set their password.
          </p>
          <AddStaffForm
            base={base}
            onAdded={(issued) => {
              setLink(issued ?? null);
              onChanged();
            }}
          />
        </>
      )}
    </section>
  );
}
