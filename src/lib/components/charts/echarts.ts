/**
 * ECharts, modular: the core with only the charts, components and renderer the app draws with (the full
 * `echarts` import is about 1 MB; this is a fraction of it). Imported dynamically by `Chart.svelte` in
 * the browser only, so server rendering and the page's first paint never load it. A new chart type or
 * component is registered here, and its option type added to `ChartOptions` in `options.ts`.
 */
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { init, use, type EChartsType } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

use([
	LineChart,
	BarChart,
	HeatmapChart,
	GridComponent,
	TooltipComponent,
	MarkLineComponent,
	LegendComponent,
	VisualMapComponent,
	SVGRenderer
]);

export type { EChartsType };

/**
 * A chart in `el`, drawn as SVG: crisp at any zoom and in screenshots, text that can be selected, and
 * a DOM that tests can inspect. Canvas would be faster for tens of thousands of points; these charts
 * have a few hundred.
 */
export function createChart(el: HTMLElement): EChartsType {
	return init(el, null, { renderer: 'svg' });
}

/**
 * The chart as a PNG data URL at twice its size on white: the SVG drawing rasterised on a canvas (the
 * SVG renderer's own `getDataURL` gives SVG whatever type is asked).
 */
export async function chartPng(chart: EChartsType): Promise<string> {
	const svg = chart.renderToSVGString();
	const width = chart.getWidth();
	const height = chart.getHeight();
	const image = new Image();
	image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
	await image.decode();
	const canvas = document.createElement('canvas');
	canvas.width = width * 2;
	canvas.height = height * 2;
	const ctx = canvas.getContext('2d');
	if (!ctx) throw new Error('this browser cannot draw on a canvas');
	ctx.fillStyle = '#ffffff';
	ctx.fillRect(0, 0, canvas.width, canvas.height);
	ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
	return canvas.toDataURL('image/png');
}
