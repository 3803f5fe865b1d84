// The per-tag chart of a model version: for each tag, its precision and recall as two bars side by
// side on a 0–1 scale, its decision threshold as a tick, and the model's target precision as a
// dashed line. Plain inline SVG; the version's table holds the same numbers for screen readers.

const NS = 'http://www.w3.org/2000/svg';
const LABEL_WIDTH = 170;
const PLOT_WIDTH = 420;
const VALUE_WIDTH = 50;
const LEGEND_HEIGHT = 30;
const ROW_HEIGHT = 46;
const BAR_HEIGHT = 14;
const AXIS_HEIGHT = 24;
const TICKS = [0, 0.25, 0.5, 0.75, 1];

function svg(name, attributes = {}, text = '') {
  const node = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text) node.textContent = text;
  return node;
}

const x = (value) => LABEL_WIDTH + PLOT_WIDTH * Math.min(Math.max(value ?? 0, 0), 1);

export const formatScore = (value) => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(2) : '–');

function legendItem(offset, swatch, label) {
  const item = svg('g', { class: 'legend-item', transform: `translate(${offset},8)` });
  item.append(swatch, svg('text', { x: 22, y: 11 }, label));
  return item;
}

function legend(hasTarget) {
  const group = svg('g', { class: 'legend' });
  group.append(
    legendItem(LABEL_WIDTH, svg('rect', { class: 'bar-precision', width: 16, height: 12 }), 'Precision'),
    legendItem(LABEL_WIDTH + 100, svg('rect', { class: 'bar-recall', width: 16, height: 12 }), 'Recall'),
    legendItem(LABEL_WIDTH + 190, svg('line', { class: 'threshold', x1: 8, x2: 8, y1: -2, y2: 14 }), 'Threshold'),
  );
  if (hasTarget) {
    group.append(legendItem(LABEL_WIDTH + 290, svg('line', { class: 'target', x1: 8, x2: 8, y1: -2, y2: 14 }), 'Target precision'));
  }
  return group;
}

function axis(top) {
  const group = svg('g', { class: 'axis' });
  for (const tick of TICKS) {
    group.append(
      svg('line', { class: 'grid-line', x1: x(tick), x2: x(tick), y1: LEGEND_HEIGHT, y2: top }),
      svg('text', { x: x(tick), y: top + 16, 'text-anchor': 'middle' }, String(tick)),
    );
  }
  return group;
}

function bar(kind, value, y) {
  const group = svg('g', { class: `bar bar-${kind}` });
  group.append(
    svg('rect', { x: LABEL_WIDTH, y, width: Math.max(x(value) - LABEL_WIDTH, 1), height: BAR_HEIGHT }),
    svg('text', { class: 'value', x: x(value) + 4, y: y + BAR_HEIGHT - 3 }, formatScore(value)),
  );
  return group;
}

function tagRow(tag, index) {
  const top = LEGEND_HEIGHT + index * ROW_HEIGHT;
  const row = svg('g', { class: 'tag-row', 'data-tag-id': tag.id });
  const threshold = tag.threshold ?? tag.metrics?.threshold;
  row.append(
    svg('text', { class: 'tag-name', x: LABEL_WIDTH - 8, y: top + BAR_HEIGHT + 6, 'text-anchor': 'end' }, tag.title ?? tag.id),
    bar('precision', tag.metrics?.precision, top + 4),
    bar('recall', tag.metrics?.recall, top + 6 + BAR_HEIGHT),
  );
  if (typeof threshold === 'number') {
    const tick = svg('line', { class: 'threshold', x1: x(threshold), x2: x(threshold), y1: top, y2: top + 2 * BAR_HEIGHT + 10 });
    tick.append(svg('title', {}, `threshold ${formatScore(threshold)}`));
    row.append(tick);
  }
  return row;
}

function targetLine(target, bottom) {
  const line = svg('line', { class: 'target', x1: x(target), x2: x(target), y1: LEGEND_HEIGHT - 4, y2: bottom });
  line.append(svg('title', {}, `target precision ${formatScore(target)}`));
  return line;
}

// An <svg> for the version's tags; `target` is the model's target precision (or undefined).
export function versionChart(version, target) {
  const tags = version.tags ?? [];
  const plotBottom = LEGEND_HEIGHT + tags.length * ROW_HEIGHT;
  const width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH;
  const height = plotBottom + AXIS_HEIGHT;
  const titleId = `chart-title-v${version.version}`;
  const chart = svg('svg', {
    class: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': titleId,
  });
  chart.append(
    svg('title', { id: titleId }, `Precision and recall per tag, version ${version.version}`),
    legend(typeof target === 'number'),
    axis(plotBottom),
    ...tags.map(tagRow),
  );
  if (typeof target === 'number') chart.append(targetLine(target, plotBottom));
  return chart;
}
