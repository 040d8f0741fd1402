// How every HTTP route answers a problem: handlers throw an HttpError (or let a library's error
// through) and the one error handler, mounted last by the app, renders `{ error: message }` with
// its status. A fault of our own is logged under an error id the person is shown.
import { describeFirstIssue, newErrorId } from '@ebpf-lab/protocol';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Parses a request body; a bad body is a 400 that names the first bad field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new HttpError(400, describeFirstIssue(parsed.error));
  return parsed.data;
}

/** Every /api path no router answered. */
export const apiNotFound: RequestHandler = () => {
  throw new HttpError(404, 'No such API route.');
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.message });
      return;
    }
    // csrf-csrf raises an http-errors error with code EBADCSRFTOKEN.
    if ((err as { code?: string } | null)?.code === 'EBADCSRFTOKEN') {
      res
        .status(403)
        .json({ error: 'Invalid or missing CSRF token: reload the page and try again.' });
      return;
    }
    // body-parser's errors (too large, bad JSON) carry a client status and a safe message.
    const { status, expose } = (err ?? {}) as { status?: number; expose?: boolean };
    if (status && status >= 400 && status < 500 && expose) {
      res.status(status).json({ error: (err as Error).message });
      return;
    }
    const errorId = newErrorId();
    logger.error({ err, errorId, url: req.originalUrl }, 'request failed');
    res.status(500).json({ error: `The lab failed to answer (error id ${errorId}).` });
  };
}
