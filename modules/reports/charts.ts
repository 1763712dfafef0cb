/**
 * Geometry for server-rendered SVG bar charts (views/reports/_bar-chart.ejs draws them with
 * presentation attributes only — the CSP forbids style attributes). Bars may be negative (gain).
 */
export interface Bar {
  label: string;
  value: number;
  display: string;
  x: number;
  y: number;
  w: number;
  textX: number;
}

export interface BarChart {
  id: string;
  title: string;
  desc: string;
  width: number;
  height: number;
  zeroX: number;
  plotTop: number;
  plotBottom: number;
  bars: Bar[];
  rowHeight: number;
  barHeight: number;
  labelWidth: number;
}

const LABEL = 190;
const PLOT = 330;
const ROW = 26;
const BAR = 18;

export function barChart(
  id: string,
  title: string,
  desc: string,
  data: Array<{ label: string; value: number; display?: string }>,
  range: { min?: number; max?: number } = {},
): BarChart {
  const values = data.map((d) => d.value);
  const min = Math.min(0, range.min ?? 0, ...values);
  const max = Math.max(range.max ?? 0, ...values, min + 1);
  const scale = PLOT / (max - min);
  const zeroX = LABEL + (0 - min) * scale;
  const bars = data.map((d, i) => {
    const w = Math.abs(d.value) * scale;
    const x = d.value >= 0 ? zeroX : zeroX - w;
    return {
      label: d.label,
      value: d.value,
      display: d.display ?? String(d.value),
      x: Number(x.toFixed(1)),
      y: 8 + i * ROW,
      w: Number(Math.max(d.value === 0 ? 0 : 1, w).toFixed(1)),
      textX: Number((d.value >= 0 ? zeroX + w + 4 : zeroX + 4).toFixed(1)),
    };
  });
  return {
    id,
    title,
    desc,
    width: LABEL + PLOT + 70,
    height: 16 + data.length * ROW,
    zeroX: Number(zeroX.toFixed(1)),
    plotTop: 4,
    plotBottom: 12 + data.length * ROW,
    bars,
    rowHeight: ROW,
    barHeight: BAR,
    labelWidth: LABEL,
  };
}
