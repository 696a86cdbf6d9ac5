// A button that runs an action against the API: disabled while it runs, the message box cleared
// first, and a refusal shown in the box (with its field details) rather than thrown away.
import { hide, show } from '../api.js';

/** guarded makes button run fn on click, showing a refusal in box; it returns the button. */
export function guarded(button, box, fn) {
  button.addEventListener('click', async () => {
    button.disabled = true;
    hide(box);
    try {
      await fn();
    } catch (err) {
      show(box, err.message, 'error', err.details);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}
