// The pages' one way to talk to the background. Answers carry a typed error code, which the
// page translates (error_<code> in _locales).
declare const browser: { runtime: { sendMessage(m: unknown): Promise<unknown> } };

export class BackgroundError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function call<T>(request: { type: string; [k: string]: unknown }): Promise<T> {
  const answer = (await browser.runtime.sendMessage(request)) as { ok: true; value: T } | { ok: false; error: { code: string; message: string } } | undefined;
  if (!answer) throw new BackgroundError("internal", "No answer from the background.");
  if (!answer.ok) throw new BackgroundError(answer.error.code, answer.error.message);
  return answer.value;
}
