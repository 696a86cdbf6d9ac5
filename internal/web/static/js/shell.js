// The layout's behaviour on every page: the menu button that opens the navigation on phones,
// and the notification bell of a signed-in caller.
import './bell.js';

const button = document.getElementById('menu-button');
const nav = document.getElementById('nav');

if (button && nav) {
  const setOpen = (open) => {
    button.setAttribute('aria-expanded', String(open));
    nav.classList.toggle('open', open);
  };
  button.addEventListener('click', () => setOpen(button.getAttribute('aria-expanded') !== 'true'));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') setOpen(false);
  });
}
