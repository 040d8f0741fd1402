// Handlers throw an HttpError; the one error middleware in app.ts renders it as
// `{ error: message }` with its status.
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
