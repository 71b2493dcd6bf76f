// Time-series charts with the vendored uPlot (window.uPlot, loaded by index.html).

const COLORS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea'];

/**
 * Draws a line chart into `el`: `times` in Unix seconds, `series` as [{label, values}].
 * Redrawing replaces the previous chart, so pages call it on every refresh.
 */
export function lineChart(el, title, times, series) {
  el.replaceChildren();
  if (times.length < 2) {
    const empty = document.createElement('p');
    empty.className = 'muted chart-empty';
    empty.textContent = `${title}: collecting samples…`;
    el.append(empty);
    return;
  }
  const width = Math.max(280, el.clientWidth || 480);
  const opts = {
    title, width, height: 200,
    series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length],
      width: 2 }))],
    // from zero: a flat line near a large value must not look like a swing
    scales: { y: { range: (u, min, max) => [0, max > 0 ? max * 1.15 : 1] } },
    axes: [{}, { size: 60 }],
    legend: { live: false },
    cursor: { show: false },
  };
  // eslint-disable-next-line no-new, no-undef
  new uPlot(opts, [times, ...series.map((s) => s.values)], el);
}
