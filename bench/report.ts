/**
 * The report of one `npm run bench:compare`: reads each engine's figures (bench/measure.ts, `--json`),
 * prints the Markdown tables of docs/benchmarks.md (one per transport, then taskhub's ratios to the best
 * peer of the same table) and writes the chart as SVG.
 *   node dist/bench/report.js <results folder> <chart.svg>
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResult } from './measure.js';

interface Metric {
  name: string;
  unit: string;
  lowerIsBetter: boolean;
  value: (result: BenchResult) => number;
  format: (value: number) => string;
}

const totalRss = (result: BenchResult) => result.peakRss.reduce((sum, p) => sum + p.megabytes, 0);
const grouped = (value: number, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function metrics(results: BenchResult[]): Metric[] {
  const first = results[0]!;
  return [
    { name: 'hello latency median', unit: 'ms', lowerIsBetter: true, value: (r) => r.helloP50Ms, format: (v) => `${v.toFixed(2)} ms` },
    { name: 'hello latency p99', unit: 'ms', lowerIsBetter: true, value: (r) => r.helloP99Ms, format: (v) => `${v.toFixed(2)} ms` },
    { name: `throughput, ${grouped(first.throughputCount)} at once`, unit: '/s', lowerIsBetter: false, value: (r) => r.throughputPerSecond, format: (v) => `${grouped(v)}/s` },
    { name: 'fan-out 100 median', unit: 'ms', lowerIsBetter: true, value: (r) => r.fanOutP50Ms, format: (v) => `${v.toFixed(1)} ms` },
    { name: 'fan-out 100 max', unit: 'ms', lowerIsBetter: true, value: (r) => r.fanOutMaxMs, format: (v) => `${v.toFixed(1)} ms` },
    { name: `throughput, ${grouped(first.inFlightCount)} in flight`, unit: '/s', lowerIsBetter: false, value: (r) => r.inFlightPerSecond, format: (v) => `${grouped(v)}/s` },
    { name: 'peak RSS (all processes)', unit: 'MB', lowerIsBetter: true, value: totalRss, format: (v) => `${v.toFixed(0)} MB` },
  ];
}

const isTaskhub = (result: BenchResult) => result.engine.startsWith('taskhub');
/** A tuned row is extra: it is shown, never the headline, never a peer. */
const isTuned = (result: BenchResult) => result.engine.includes('tuned');

function table(results: BenchResult[]): string {
  const lines = [`| metric | ${results.map((r) => r.engine).join(' | ')} |`, `|---|${results.map(() => '---|').join('')}`];
  for (const metric of metrics(results)) lines.push(`| ${metric.name} | ${results.map((r) => metric.format(metric.value(r))).join(' | ')} |`);
  lines.push(`| peak RSS by process | ${results.map((r) => r.peakRss.map((p) => `${p.megabytes.toFixed(0)} MB ${p.process}`).join(' + ')).join(' | ')} |`);
  return lines.join('\n');
}

/** taskhub's figure over the best peer's on each row: below 1 is better for times and memory, above 1 for throughput. */
function ratios(results: BenchResult[]): string {
  const peers = results.filter((r) => !isTaskhub(r));
  const ours = results.filter(isTaskhub);
  if (peers.length === 0 || ours.length === 0) return '';
  const lines = [`| taskhub ÷ best peer | ${ours.map((r) => r.engine).join(' | ')} | target |`, `|---|${ours.map(() => '---|').join('')}---|`];
  for (const metric of metrics(results)) {
    if (metric.name.includes('max')) continue;
    const values = peers.map(metric.value).filter(Number.isFinite);
    const best = metric.lowerIsBetter ? Math.min(...values) : Math.max(...values);
    const bestPeer = peers.find((p) => metric.value(p) === best)!;
    const target = metric.unit === '/s' ? '≥ 2' : metric.unit === 'MB' ? '≤ 1' : '≤ 0.5';
    lines.push(`| ${metric.name} (best: ${bestPeer.engine}) | ${ours.map((r) => `${(metric.value(r) / best).toFixed(2)}×`).join(' | ')} | ${target} |`);
  }
  return lines.join('\n');
}

const COLOURS = ['#1f77b4', '#4a9fd8', '#9ecae1', '#ff7f0e', '#2ca02c', '#98df8a', '#d62728', '#9467bd'];

/** One panel per metric, a bar per engine, both transports side by side. */
function chart(groups: [string, BenchResult[]][]): string {
  const panelWidth = 300;
  const panelHeight = 170;
  const label = (result: BenchResult) => `${result.engine} (${result.transport === 'HTTP' ? 'HTTP' : 'library API'})`;
  const engines = [...new Set(groups.flatMap(([, results]) => results.map(label)))];
  const colour = (result: BenchResult) => COLOURS[engines.indexOf(label(result)) % COLOURS.length]!;
  const shown = metrics(groups[0]![1]).filter((m) => !m.name.includes('max'));
  const columns = 3;
  const rowsPerGroup = Math.ceil(shown.length / columns);
  const legendHeight = 18 * engines.length + 10;
  const height = 30 + groups.length * (rowsPerGroup * (panelHeight + 30) + 30) + legendHeight;
  const width = columns * panelWidth + 20;
  const parts: string[] = [];
  const text = (x: number, y: number, content: string, attributes = '') =>
    parts.push(`<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attributes}>${content.replaceAll('&', '&amp;').replaceAll('<', '&lt;')}</text>`);
  text(10, 20, 'npm run bench:compare: one run, lower is better except throughput', 'font-weight="bold"');
  let top = 40;
  for (const [title, results] of groups) {
    text(10, top + 5, title, 'font-weight="bold"');
    top += 20;
    shown.forEach((metric, index) => {
      const x0 = 10 + (index % columns) * panelWidth;
      const y0 = top + Math.floor(index / columns) * (panelHeight + 30);
      text(x0, y0 + 12, `${metric.name}${metric.lowerIsBetter ? '' : ' (higher is better)'}`, 'font-size="11"');
      const values = results.map(metric.value);
      const max = Math.max(...values.filter(Number.isFinite), 1e-9);
      const barWidth = Math.min(40, (panelWidth - 30) / results.length - 6);
      results.forEach((result, i) => {
        const value = values[i]!;
        const barHeight = Number.isFinite(value) ? (value / max) * (panelHeight - 45) : 0;
        const x = x0 + 5 + i * (barWidth + 6);
        const y = y0 + panelHeight - 15 - barHeight;
        parts.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${barHeight.toFixed(1)}" fill="${colour(result)}"/>`);
        text(x + barWidth / 2, y - 3, Number.isFinite(value) ? metric.format(value).replace(' ', '') : 'n/a', 'font-size="8" text-anchor="middle"');
      });
      parts.push(`<line x1="${x0}" y1="${y0 + panelHeight - 15}" x2="${x0 + panelWidth - 20}" y2="${y0 + panelHeight - 15}" stroke="#888"/>`);
    });
    top += rowsPerGroup * (panelHeight + 30) + 10;
  }
  engines.forEach((engine, i) => {
    const y = top + i * 18;
    parts.push(`<rect x="10" y="${y}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/>`);
    text(28, y + 10, engine, 'font-size="11"');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}

const [folder, svgPath] = process.argv.slice(2);
if (!folder || !svgPath) throw new Error('usage: node dist/bench/report.js <results folder> <chart.svg>');
const results = readdirSync(folder)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => JSON.parse(readFileSync(join(folder, name), 'utf8')) as BenchResult);
const groups: [string, BenchResult[]][] = [
  ['Through the library API (Restate: its SDK ingress client)', results.filter((r) => r.transport === 'in process')],
  ['Over HTTP (many clients at once)', results.filter((r) => r.transport === 'HTTP')],
].filter((entry): entry is [string, BenchResult[]] => (entry[1] as BenchResult[]).length > 0);
for (const [title, members] of groups) {
  const headline = members.filter((r) => !isTuned(r));
  console.log(`### ${title}\n\n${table(members)}\n\n${ratios(headline)}\n`);
}
writeFileSync(svgPath, chart(groups));
console.log(`chart: ${svgPath}`);
