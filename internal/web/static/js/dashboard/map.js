// The district map of the dashboard: the grid polygons (GET /api/v1/grids?format=geojson, drawn
// offline, no tiles) coloured by the chosen indicator, a legend, tooltips as text (textTip).
import { api, el, number, t } from '../api.js';
import { newMap, textTip } from '../ui/map.js';

// Colour bands. For a rate where more is better they follow the evaluation grades (A ≥ 90,
// B ≥ 75, C ≥ 60, gbt30428-area scheme) with a top band at 95; for a rate where less is better
// (超期率, 返工率, 延期率) they run the other way, and the lightest lateness is already yellow, as in
// the alert colours of standards-cn §1.4 (0–80 % of the limit green, 80–100 % yellow, past it red).
const higher = [
  { min: 95, color: '#1f7a3f', label: '≥ 95' },
  { min: 90, color: '#58b368', label: '90–95' },
  { min: 75, color: '#f0d25a', label: '75–90' },
  { min: 60, color: '#f08a3c', label: '60–75' },
  { min: -Infinity, color: '#d6202f', label: '< 60' },
];
const lower = [
  { max: 0, color: '#1f7a3f', label: '0' },
  { max: 5, color: '#58b368', label: '≤ 5' },
  { max: 10, color: '#f0d25a', label: '5–10' },
  { max: 20, color: '#f08a3c', label: '10–20' },
  { max: Infinity, color: '#d6202f', label: '> 20' },
];
const none = '#cbd2d9';

/** band is the colour of value for a rate (lowerIsBetter flips the scale). */
export function band(value, lowerIsBetter) {
  if (value === null || value === undefined) return none;
  return lowerIsBetter ? lower.find((b) => value <= b.max).color : higher.find((b) => value >= b.min).color;
}

/** gridMap draws the grids in the element id; show() colours and narrows them. */
export function gridMap(id, legendId, { onGrid }) {
  const map = newMap(id);
  const legend = document.getElementById(legendId);
  let layer = null;
  let shapes = null;

  async function load() {
    shapes ||= api('GET', 'grids?format=geojson');
    return shapes;
  }

  /**
   * show draws the grids that keep(properties) selects, coloured by rows (grid code → indicator
   * row) on the rate; chosen is the grid to outline.
   */
  async function show({ keep, rows, rate, chosen }) {
    const collection = await load();
    const features = collection.features.filter((f) => keep(f.properties));
    if (layer) layer.remove();
    layer = window.L.geoJSON({ type: 'FeatureCollection', features }, {
      style: (f) => {
        const row = rows.get(f.properties.code);
        const value = row ? row.rates[rate.code] : null;
        const isChosen = f.properties.code === chosen;
        return { color: isChosen ? '#c8102e' : '#ffffff', weight: isChosen ? 3 : 1, opacity: 1,
          fillColor: band(value, rate.lower_is_better), fillOpacity: 0.78 };
      },
      onEachFeature: (f, shape) => {
        const row = rows.get(f.properties.code);
        const value = row ? row.rates[rate.code] : null;
        const text = `${f.properties.community_name || ''} ${f.properties.name}：${rate.name} ${value === null || value === undefined ? t('dashboard.no_data') : number(value, 2) + '%'}`;
        shape.bindTooltip(textTip(text), { sticky: true });
        shape.on('click', () => onGrid(f.properties));
      },
    }).addTo(map);
    for (const shape of layer.getLayers()) shape.getElement()?.setAttribute('data-grid', shape.feature.properties.code);
    if (features.length) map.fitBounds(layer.getBounds(), { padding: [10, 10], animate: false });
    drawLegend(rate);
    return features.length;
  }

  function drawLegend(rate) {
    const bands = rate.lower_is_better ? lower : higher;
    legend.replaceChildren(el('strong', {}, rate.name + ' (%)'),
      ...bands.map((b) => el('span', {}, el('i', { style: `background:${b.color}` }), b.label)),
      el('span', {}, el('i', { style: `background:${none}` }), t('dashboard.no_data')));
  }

  return { show, map };
}
