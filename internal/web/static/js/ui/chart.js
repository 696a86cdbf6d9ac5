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

/**
 * trendLines draws a unit's trend beside its peers: one solid line for the unit, then dashed
 * (median) and dotted (best) lines for the peers. series: [{name, data}] in that order; format
 * writes a value for the tooltip; percent: the values are rates (axis 0–100 with a % sign).
 */
export function trendLines(c, periods, series, format, percent) {
  const styles = [{ width: 3, type: 'solid' }, { width: 2, type: 'dashed' }, { width: 2, type: 'dotted' }];
  // Rates run 0–100: the axis ends at 100 and starts a step below the lowest value. Scores too.
  const low = (v) => Math.max(0, Math.floor((v.min - 5) / 10) * 10);
  const high = (v) => Math.min(100, Math.ceil((v.max + 1) / 10) * 10);
  draw(c, {
    color: [palette[0], palette[4], palette[2]],
    grid: { left: 44, right: 16, top: 34, bottom: 28 },
    legend: { top: 0, textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'axis', formatter: (items) => chartTip(items[0].axisValue,
      items.map((i) => ({ color: i.color, name: i.seriesName, value: format(i.value) }))) },
    xAxis: { type: 'category', data: periods, axisLabel: { fontSize: 12 } },
    yAxis: { type: 'value', axisLabel: { formatter: percent ? '{value}%' : '{value}', fontSize: 12 }, min: low, max: high },
    series: series.map((x, i) => ({ name: x.name, type: 'line', data: x.data, connectNulls: false, symbolSize: 7, showSymbol: true,
      showAllSymbol: true, lineStyle: styles[i] || styles[0], smooth: false })),
  });
}
