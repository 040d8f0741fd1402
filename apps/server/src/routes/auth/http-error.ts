// Typed errors for the account routes, rendered by `renderHttpErrors` as `{ error: message }`.
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';

import { HttpError } from '../../http-error.ts';

// One HttpError for the whole server: an error thrown here renders the same in app.ts's handler.
export { HttpError };

/** Parses a request body; a bad body is a 400 that names the first bad field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join('.');
    throw new HttpError(400, field ? `${field}: ${issue.message}` : issue.message);
  }
  return parsed.data;
}

export function renderHttpErrors(
  err: unknown,
  _req: Request,
  res: Response,
  next: NextFunction,
): void {
  if (res.headersSent) return next(err);
  if (err instanceof HttpError) {
    res.status(err.status).json({ error: err.message });
    return;
  }
  // csrf-csrf raises an http-errors error with code EBADCSRFTOKEN.
  const code = (err as { code?: string } | null)?.code;
  if (code === 'EBADCSRFTOKEN') {
    res
      .status(403)
      .json({ error: 'Invalid or missing CSRF token: reload the page and try again.' });
    return;
  }
  next(err);
}
