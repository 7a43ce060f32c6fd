// A request the user started from a form. Every form shows the same two things while and after
// it runs: a disabled "Working…" button, and a failure in the user's language rather than the
// engine's English message (errorText), so that logic lives here once.
import { errorText } from "../components/util";

export class Attempt {
  busy = $state(false);
  error = $state("");

  /** Runs `action`; a failure ends up in `error`, never as an unhandled rejection. */
  async run(action: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = "";
    try {
      await action();
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }
}
