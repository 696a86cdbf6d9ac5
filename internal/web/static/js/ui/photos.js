// The photo picker: a file input (the camera on a phone) whose photos are checked before
// upload, previewed with a remove button and sent together as multipart "photo" parts. The API
// checks again (internal/photo: JPEG or PNG only, size, pixels; it re-encodes and drops EXIF).
import { el, hide, show, t } from '../api.js';

const maxSide = 2560;

// normalise returns a JPEG or PNG of at most maxBytes: another image the browser can read
// (HEIC on some phones, WebP) or a bigger photo is redrawn as a JPEG of at most 2560 px.
async function normalise(file, maxBytes) {
  if ((file.type === 'image/jpeg' || file.type === 'image/png') && file.size <= maxBytes) return file;
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
  if (!blob) throw new Error('encode');
  return new File([blob], file.name.replace(/\.[^.]*$/, '') + '.jpg', { type: 'image/jpeg' });
}

/**
 * photoPicker manages input (type=file) and shows the chosen photos in list (a <ul>); refusals
 * (not a photo, too many, too big) go to box. Returns {photos ([{file, url}]), count,
 * append(formData), clear()}.
 */
export function photoPicker({ input, list, box, max = 9, maxBytes = 10 << 20 }) {
  const photos = [];
  // Photos are normalised (decoded, shrunk) asynchronously: pending is the last of them, so a
  // form sent straight after a pick still carries the photo.
  let pending = Promise.resolve();
  const render = () => {
    list.replaceChildren(...photos.map((p, i) => {
      const remove = el('button', { type: 'button', class: 'photo-remove', 'aria-label': t('desk.report.photo_remove', i + 1) }, '×');
      remove.addEventListener('click', () => {
        URL.revokeObjectURL(p.url);
        photos.splice(i, 1);
        render();
        input.focus();
      });
      return el('li', { class: 'photo-preview' }, el('img', { src: p.url, alt: t('desk.report.photo_n', i + 1) }), remove);
    }));
    input.disabled = photos.length >= max;
  };
  const add = async (files) => {
    hide(box);
    for (const file of files) {
      if (photos.length >= max) {
        show(box, t('desk.report.too_many_photos', max), 'warn');
        break;
      }
      if (!file.type.startsWith('image/')) {
        show(box, t('desk.report.not_photo', file.name), 'warn');
        continue;
      }
      try {
        const ready = await normalise(file, maxBytes);
        if (ready.size > maxBytes) {
          show(box, t('photo.too_large', Math.round(maxBytes / (1 << 20))), 'warn');
          continue;
        }
        photos.push({ file: ready, url: URL.createObjectURL(ready) });
      } catch {
        show(box, t('desk.report.not_photo', file.name), 'warn');
      }
    }
    render();
  };
  input.addEventListener('change', () => {
    const files = [...input.files];
    input.value = ''; // the same photo may be chosen again after a removal
    pending = pending.then(() => add(files)).catch(() => {});
  });
  return {
    photos,
    /** ready resolves once every photo picked so far is normalised and counted. */
    ready() {
      return pending;
    },
    get count() {
      return photos.length;
    },
    /** append adds the photos to data as "photo" parts. */
    append(data) {
      for (const p of photos) data.append('photo', p.file, p.file.name);
      return data;
    },
    clear() {
      for (const p of photos) URL.revokeObjectURL(p.url);
      photos.length = 0;
      render();
    },
  };
}

/**
 * photoField builds a picker's controls for a form made in code (a dialog): a button-like label,
 * the file input <id> (camera first on a phone), a hint and the previews <id>-previews.
 */
export function photoField(id, label, hint) {
  return el('div', { class: 'photo-field' },
    el('label', { class: 'photo-pick btn btn-block', for: id }, label),
    el('input', { class: 'visually-hidden', type: 'file', id, name: 'photo', accept: 'image/*', capture: 'environment', multiple: true }),
    hint ? el('p', { class: 'hint' }, hint) : null,
    el('ul', { class: 'photo-previews', id: id + '-previews', 'aria-live': 'polite' }));
}
