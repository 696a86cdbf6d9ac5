// Charts through ECharts (static/vendor/echarts, loaded by the page before its module; it sets
// window.echarts as Leaflet sets window.L). Texts reach ECharts as plain strings: the SVG
// renderer writes them as text nodes, never as markup, and tooltips are given a formatter that
// builds elements (chartTip), so a category or unit name cannot inject HTML.
import { el } from '../api.js';

/** The product's palette, in the order series take it. */
export const palette = ['#1a4f8b', '#c8102e', '#2e9e57', '#f0b429', '#7b8794', '#5b8ff9', '#e4572e'];

/**
 * draw replaces a chart's option. Without animation: a wall screen redraws on its own, and a
 * chart growing from zero at each redraw reads as a drop in the figures.
 */
export function draw(c, option) {
  c.setOption({ animation: false, ...option }, true);
}

/**
 * chart makes an ECharts instance in the element id, kept to its element's size, drawn as SVG
 * (sharp on a big screen, text selectable). Returns null when ECharts did not load, so a page
 * still shows its other parts.
 */
export function chart(id) {
  const node = document.getElementById(id);
  if (!window.echarts || !node) return null;
  const c = window.echarts.init(node, null, { renderer: 'svg' });
  new ResizeObserver(() => c.resize()).observe(node);
  return c;
}

/**
 * chartTip is a tooltip formatter that builds the tooltip as elements: a heading and one line per
 * series ({marker colour, name, value text}). ECharts puts a returned node in as it is.
 */
export function chartTip(title, lines) {
  return el('div', { class: 'chart-tip' },
    el('strong', {}, title),
    lines.map((l) => el('div', {},
      el('span', { style: `display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:6px;background:${l.color}` }),
      `${l.name}：${l.value}`)));
}
