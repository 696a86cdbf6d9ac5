// Maps: Leaflet (static/vendor, loaded by the page when its view sets Map) with the grids the
// caller sees as a light background over the district's base map, a pin, and the map picker —
// choose a point by a tap, by GPS or by typing it into the form's lat/lng fields; each point is
// looked up at once (GET /api/v1/grids/locate), the "where" line says which grid holds it and the
// grid's polygon is outlined. The base map is whatever the server was started with (--tiles, GET
// /api/v1/map/config): 天地图, an XYZ/WMTS source, or an offline MBTiles/PMTiles file the binary
// serves; with none, the grid polygons alone are the map and nothing is fetched from elsewhere.
import { api, el, t } from '../api.js';

/**
 * newMap makes a Leaflet map in the element id, kept to its element's size. A page without
 * sign-in passes base: false (the base map's configuration and offline tiles are for signed-in
 * users) and draws its own background.
 */
export function newMap(id, { base = true } = {}) {
  const L = window.L;
  const map = L.map(id, { attributionControl: false, zoomSnap: 0.1, zoomDelta: 0.5, minZoom: 10, maxZoom: 19 });
  map.setView([24.92, 118.6], 13);
  const resized = new ResizeObserver(() => map.invalidateSize());
  resized.observe(document.getElementById(id));
  map.on('unload', () => resized.disconnect()); // a removed map (a closed dialog's) has nothing to resize
  if (base) baseLayer(map).catch(() => {}); // without its base map a map still shows the grids
  return map;
}

let baseConfig = null;
/** mapConfig is the server's base map (GET /api/v1/map/config), asked once a page. */
function mapConfig() {
  baseConfig ||= api('GET', 'map/config').catch((err) => {
    baseConfig = null; // try again on the next map
    throw err;
  });
  return baseConfig;
}

const scripts = new Map();
/** script loads a classic script once (the pmtiles library, which sets window.pmtiles). */
function script(src) {
  if (!scripts.has(src)) {
    scripts.set(src, new Promise((resolve, reject) => {
      const tag = document.createElement('script');
      tag.src = src;
      tag.onload = resolve;
      tag.onerror = () => {
        scripts.delete(src);
        reject(new Error('cannot load ' + src));
      };
      document.head.append(tag);
    }));
  }
  return scripts.get(src);
}

/** escapeHTML makes text safe for Leaflet's attribution, which it takes as HTML. */
const escapeHTML = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * baseLayer adds the configured tile layer under the grid polygons (tiles are in Leaflet's tile
 * pane, below the overlay pane the grids are drawn in, whichever is added first). The map's
 * element gets data-base = the kind once the layer is on it.
 */
export async function baseLayer(map) {
  let gone = false;
  map.on('unload', () => { gone = true; });
  const config = await mapConfig();
  if (gone || !config || config.kind === 'none') return null;
  const L = window.L;
  const options = { maxNativeZoom: config.max_zoom, maxZoom: map.getMaxZoom(), className: 'base-tiles' };
  const layers = [];
  if (config.kind === 'pmtiles') {
    await script(config.script);
    if (gone) return null;
    const source = new window.pmtiles.PMTiles(config.pmtiles);
    layers.push(window.pmtiles.leafletRasterLayer(source, options));
  } else {
    // A 天地图 browser key is bound to the site's domain, which 天地图 reads from the Referer; the
    // pages' policy (same-origin) sends none, so tile requests send the origin, never the path.
    options.referrerPolicy = 'strict-origin';
    for (const layer of config.layers) {
      layers.push(L.tileLayer(layer.url, layer.subdomains ? { ...options, subdomains: layer.subdomains } : options));
    }
  }
  for (const layer of layers) layer.addTo(map);
  if (config.attribution) {
    L.control.attribution({ prefix: false }).addAttribution(escapeHTML(config.attribution)).addTo(map);
  }
  map.getContainer().dataset.base = config.kind;
  return layers;
}

const gridStyle = (f) => ({ color: f.properties.zone_code ? '#1b1f3b' : '#245fa6', weight: 1, opacity: 0.55, fillColor: '#245fa6', fillOpacity: 0.07 });
const chosenStyle = { color: '#c8102e', weight: 2.5, opacity: 0.9, fillColor: '#c8102e', fillOpacity: 0.1 };

let gridShapes = null;
/** gridBackground draws the grids the caller sees as a light, non-interactive background. */
export async function gridBackground(map) {
  gridShapes ||= api('GET', 'grids?format=geojson').catch((err) => {
    gridShapes = null; // try again on the next map
    throw err;
  });
  const collection = await gridShapes;
  return window.L.geoJSON(collection, { interactive: false, style: gridStyle }).addTo(map);
}

/**
 * textTip is the content of a tooltip or popup that shows text. Leaflet's bindTooltip and
 * bindPopup take a string as HTML: a category or grid name such as "<img onerror=…>" would be
 * markup. An element whose text is set (textContent, never parsed) shows it as written. Every
 * tooltip or popup with data in it goes through here or through el().
 */
export function textTip(text) {
  return el('span', { text });
}

/** pin is the marker of a chosen or shown place. */
export function pin(latlng, options = {}) {
  return window.L.circleMarker(latlng, { radius: 9, color: '#ffffff', weight: 3, fillColor: '#c8102e', fillOpacity: 1, ...options });
}

/**
 * mapPicker lets the user choose a point. ids: {map, where, lat, lng} (lat/lng are inputs, usually
 * hidden: a point typed into them — by a test or an assistive tool — counts as a tap once change
 * fires). Options:
 *   start     {lat, lng}: the point shown and located first (not a choice of the user's)
 *   moveZoom  the least zoom when the view follows a new point
 *   onPlace   (place, whereElement) once a point is located inside the district;
 *             place = {lat, lng, grid} (grid as GET /api/v1/grids/locate answers it)
 * Returns {place, moved, map, set(latlng), typed(), gps(auto), remove()}; place is null while a
 * point is being looked up or lies outside; moved is true once the user chose a point.
 */
export function mapPicker(ids, { start = null, moveZoom = 0, onPlace } = {}) {
  const where = document.getElementById(ids.where);
  const latInput = document.getElementById(ids.lat);
  const lngInput = document.getElementById(ids.lng);
  const L = window.L;
  const picker = { place: null, moved: false, map: null };
  let marker = null;
  let grids = null; // the background layer, once drawn
  let removed = false;

  const say = (text, kind = '') => {
    where.className = 'where' + (kind ? ' ' + kind : '');
    where.textContent = text;
  };
  const outline = () => {
    if (!grids) return;
    const code = picker.place && picker.place.grid.code;
    grids.eachLayer((layer) => {
      if (layer.feature.properties.code === code) layer.setStyle(chosenStyle);
      else grids.resetStyle(layer);
    });
  };

  async function locate(lat, lng) {
    picker.place = null;
    outline();
    delete where.dataset.grid;
    say(t('desk.report.locating'));
    try {
      const res = await api('GET', `grids/locate?lat=${lat}&lng=${lng}`);
      if (removed || Number(latInput.value) !== lat || Number(lngInput.value) !== lng) return; // a newer point won
      if (!res.inside) {
        say(res.message || t('desk.report.outside'), 'alert alert-warn');
        return;
      }
      picker.place = { lat, lng, grid: res.grid };
      say(t('desk.report.located', res.grid.community_name, res.grid.name, res.grid.subdistrict_name), 'where-ok');
      where.dataset.grid = res.grid.code;
      outline();
      if (onPlace) onPlace(picker.place, where);
    } catch (err) {
      if (!removed) say(err.message, 'alert alert-error');
    }
  }

  /** set takes a point (rounded to 6 decimals, about 0.1 m), moves the pin and locates it. */
  picker.set = (latlng, chosen = true) => {
    const lat = Number(Number(latlng.lat).toFixed(6));
    const lng = Number(Number(latlng.lng).toFixed(6));
    latInput.value = String(lat);
    lngInput.value = String(lng);
    if (chosen) picker.moved = true;
    if (picker.map) {
      if (marker) marker.setLatLng([lat, lng]);
      else marker = pin([lat, lng], { interactive: false }).addTo(picker.map);
      if (!picker.map.getBounds().pad(-0.1).contains([lat, lng])) {
        picker.map.setView([lat, lng], Math.max(picker.map.getZoom(), moveZoom), { animate: false });
      }
    }
    return locate(lat, lng);
  };

  /** typed takes the point in the lat/lng fields, if they hold one; it reports whether they did. */
  picker.typed = () => {
    const lat = Number(latInput.value);
    const lng = Number(lngInput.value);
    if (!latInput.value || !lngInput.value || !Number.isFinite(lat) || !Number.isFinite(lng)) return false;
    picker.set({ lat, lng });
    return true;
  };

  /** gps asks the device for its position; an automatic request yields to a point the user chose meanwhile. */
  picker.gps = (auto = false) => {
    if (!navigator.geolocation) {
      say(t('desk.report.gps_unavailable'));
      return;
    }
    say(t('desk.report.gps_running'));
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        if (!removed && !(auto && picker.moved)) picker.set({ lat: pos.coords.latitude, lng: pos.coords.longitude }, !auto);
      },
      () => {
        if (!removed && !picker.place) say(t('desk.report.gps_failed'), 'alert alert-warn');
      },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  };

  /** remove lets go of the map (a dialog's, when it closes). */
  picker.remove = () => {
    removed = true;
    if (picker.map) picker.map.remove();
  };

  for (const input of [latInput, lngInput]) input.addEventListener('change', picker.typed);
  if (L) {
    picker.map = newMap(ids.map);
    picker.map.on('click', (e) => picker.set(e.latlng));
    if (start) picker.map.setView([start.lat, start.lng], 16, { animate: false });
    gridBackground(picker.map).then((layer) => {
      if (removed) return;
      grids = layer;
      outline();
      if (!start && !marker && layer.getLayers().length) picker.map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    }).catch(() => {});
  }
  if (start) picker.set(start, false);
  return picker;
}

/**
 * placeField builds a map picker's controls for a form made in code (a dialog): the map <id>-map,
 * the where line <id>-where, a hint and the hidden fields <id>-lat and <id>-lng holding point.
 */
export function placeField(id, label, hint, point) {
  return el('div', { class: 'field' }, el('span', { class: 'label' }, label),
    el('div', { id: id + '-map', class: 'map map-pick', role: 'application', 'aria-label': hint }),
    el('p', { class: 'where', id: id + '-where', role: 'status' }, t('desk.report.locating')),
    el('p', { class: 'hint' }, hint),
    el('input', { type: 'hidden', id: id + '-lat', name: 'lat', value: point ? String(point.lat) : '' }),
    el('input', { type: 'hidden', id: id + '-lng', name: 'lng', value: point ? String(point.lng) : '' }));
}

/**
 * position asks the phone where it is (a check-in's or a patrol point's place), precisely and
 * afresh unless told otherwise; it rejects with failText when the browser cannot or may not tell.
 */
export function position(failText, { timeout = 15000, maximumAge = 0 } = {}) {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(new Error(failText));
      return;
    }
    navigator.geolocation.getCurrentPosition((p) => resolve(p.coords), () => reject(new Error(failText)),
      { enableHighAccuracy: true, timeout, maximumAge });
  });
}
