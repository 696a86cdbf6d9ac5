// Status chips: a status as a small coloured pill with its localised name. A kind of object
// declares its statuses once — the catalogue prefix of their names and a tone per status — and
// gets a function that draws the chip. The tones are the only colours (app.css,
// .status[data-tone=…]), so a new module's statuses need no CSS:
//   neutral (default), info, progress, review, ok, warn, danger, paused, muted.
import { el, has, t } from '../api.js';

/**
 * statusKind returns chip(status, attrs) for the statuses named prefix+status in the catalogue
 * with the given tones ({status: tone}); chip.label(status) is the name alone. The chip is
 * <span class="status status-<status>" data-status data-tone>.
 */
export function statusKind(prefix, tones = {}) {
  const label = (status) => (has(prefix + status) ? t(prefix + status) : status);
  const chip = (status, attrs = {}) => el('span', {
    ...attrs, class: `status status-${status}`, dataset: { status, tone: tones[status] || 'neutral' },
  }, label(status));
  chip.label = label;
  return chip;
}
